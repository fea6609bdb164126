"""TRL adapters: completions as strings or chat lists, dataset columns as lists, None without ground truth."""

from __future__ import annotations

import pytest

from tests.reward_cases import NAMES, box_score, honest_partial
from text2table.errors import ConfigError
from text2table.decoding.prompts import pi2_messages
from text2table.rewards.trl import completion_text, metric_function, reward_function, score_batch
from text2table.core.table import dump_rows

TRUTH, DOCUMENT = box_score()
GOOD = dump_rows(TRUTH.rows, NAMES)


def test_strings_chat_lists_and_missing_truth() -> None:
    reward = reward_function("pi2")
    assert reward.__name__ == "text2table_pi2"
    prompt = pi2_messages(DOCUMENT, TRUTH.schema)
    out = reward(prompts=[prompt] * 4,
                 completions=[GOOD, [{"role": "assistant", "content": GOOD}], "", honest_partial(TRUTH)],
                 completion_ids=[[1]] * 4, ground_truth=[TRUTH.to_json()] * 3 + [None])
    assert out[:3] == [1.0, 1.0, -1.0] and out[3] is None


def test_document_from_column_extra_info_or_prompt() -> None:
    wrong = dump_rows([{**TRUTH.rows[0], "team": "Bulls"}], NAMES)
    kwargs = {"completions": [wrong], "ground_truth": [TRUTH.to_json()]}
    from_prompt = score_batch("pi2", [pi2_messages(DOCUMENT, TRUTH.schema)], **kwargs)[0]
    from_column = score_batch("pi2", ["x"], document=[DOCUMENT], **kwargs)[0]
    from_extra = score_batch("pi2", ["x"], extra_info=[{"document": DOCUMENT}], **kwargs)[0]
    no_document = score_batch("pi2", ["x"], **kwargs)[0]
    assert from_prompt.score == from_column.score == from_extra.score
    assert from_prompt.metrics["grounding"] == pytest.approx(5 / 6)
    assert no_document.score > from_prompt.score  # without a document the ungrounded value is not penalised


def test_pi1_pipeline_and_metric_functions() -> None:
    from text2table.core.schema import schema_answer

    schema = schema_answer(TRUTH.schema)
    assert reward_function("pi1")(prompts=["p"], completions=[schema], ground_truth=[TRUTH.to_json()],
                                  document=[DOCUMENT]) == [1.0]
    pipe = reward_function("pipeline_pi1")(prompts=["p"], completions=[schema], ground_truth=[TRUTH.to_json()],
                                           document=[DOCUMENT], pi2_output=[GOOD])
    assert pipe == [1.0]
    f1 = metric_function("pi2", "cell_f1")
    assert f1.__name__ == "pi2_cell_f1"
    assert f1(prompts=["p"], completions=[honest_partial(TRUTH)], ground_truth=[TRUTH.to_json()])[0] == \
        pytest.approx(2 * 25 / (25 + 48))


def test_unknown_stage_or_metric() -> None:
    with pytest.raises(ConfigError, match="unknown reward stage"):
        reward_function("pi3")
    with pytest.raises(ConfigError, match="unknown reward sub-metric"):
        metric_function("pi2", "accuracy")


def test_completion_text() -> None:
    assert completion_text([{"role": "user", "content": "q"}, {"role": "assistant", "content": "a"}]) == "a"
    assert completion_text({"content": "b"}) == "b" and completion_text(None) == ""
