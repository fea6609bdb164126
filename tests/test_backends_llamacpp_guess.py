"""Guessed ``null`` values on the real embedded model: the same answers as the one-step loop, fewer evaluations."""

from __future__ import annotations

import pytest

from text2table.core.schema import Field, Schema
from text2table.core.table import parse_ndjson_strict
from text2table.decoding.constraints import rows_constraint
from text2table.decoding.prompts import pi2_messages
from .test_backends_llamacpp_answer import NULL, BytesWithNull, logits_for, rows_answer

SENTENCE = ("Kyle Lowry carried the load for the Raptors, accumulating 24 points, 4 rebounds and 8 assists. "
            "Terrence Ross was great off the bench, scoring 22 points on 8 - of - 11 shooting.")
PLAYER = Schema("flat_single_row", tuple(Field(n) for n in (
    "player", "points", "total_rebounds", "assists", "field_goals_attempted", "field_goals_made", "steals",
    "blocks", "turnovers", "minutes_played")))


@pytest.fixture(scope="module")
def box_score():
    """The embedded model with the shipped box-score adapter (its rows are mostly null), guessing 4 ahead."""
    pytest.importorskip("llama_cpp")
    from text2table.adapters import NAMED
    from text2table.backends.llamacpp import LlamaCppBackend

    backend = LlamaCppBackend(n_ctx=1024, lora=str(NAMED["box-score"] / "adapter.gguf"), guess_nulls=4)
    yield backend
    backend.close()


@pytest.mark.slow
def test_guessing_nulls_on_the_real_model_keeps_answers_whole(box_score):
    """On the real model the logits differ in the last bits with the batch shape (a near tie can flip), so
    this checks that the rows parse, that guesses were made and kept, and that the KV cache holds exactly
    the prompt and the answer afterwards."""
    prompt = pi2_messages(SENTENCE, PLAYER, {"table_hint": "player"})
    gen = box_score.generate([prompt], constraint=rows_constraint(PLAYER), max_new_tokens=256)[0]
    rows = parse_ndjson_strict(gen.text, PLAYER.names)
    assert [r["player"] for r in rows] == ["Kyle Lowry", "Terrence Ross"] and rows[0]["points"] == "24"
    assert gen.extra["guessed_steps"] > gen.extra["guesses_kept"] >= 8  # each row has 5 or more nulls
    held = box_score.llm.input_ids[:box_score.llm.n_tokens].tolist()
    tokens = box_score.prompt_tokens(prompt)
    assert held[:len(tokens)] == tokens and len(held) == len(tokens) + gen.completion_tokens
    assert box_score.llm.detokenize(held[len(tokens):]).decode() == gen.text


class FakeLlm:
    """A model whose next token depends only on the answer text so far: the token that continues ``target``
    (one token for `` null``, else one per byte), the end token after it. It records the tokens its KV cache
    holds, as llama.cpp would."""

    n_batch = 512

    def __init__(self, prompt: list[int], target: bytes) -> None:
        self.prompt, self.target = prompt, target
        self.held, self.n_tokens, self.evaluations = list(prompt), len(prompt), 0

    def logits(self, answer: list[int]):
        text = BytesWithNull().piece_bytes(answer)
        if not self.target.startswith(text):  # past a guess that the answer will not take
            return logits_for(256, 301)()
        rest = self.target[len(text):]
        token = 256 if not rest else NULL if rest.startswith(b" null") else rest[0]
        return logits_for(token, 301)()

    def evaluate(self, llm, tokens, marks):
        assert llm is self and self.held == self.held[:self.n_tokens]
        self.held.extend(tokens)
        self.n_tokens += len(tokens)
        self.evaluations += 1
        end = len(self.held) - len(tokens)
        return [self.logits(self.held[len(self.prompt):end + m + 1]) for m in marks]

    def keep(self, llm, n):
        del self.held[n:]
        self.n_tokens = n


TARGET = b'{"name": "Al", "rank": null, "city": null}\n{"name": null, "rank": 7, "city": null}\n\n'


@pytest.mark.parametrize("limit", [1, 2, 8])
def test_guessed_steps_give_the_one_step_answer_in_fewer_evaluations(monkeypatch, limit):
    from text2table.backends import llamacpp_guess

    one_step, fake, steps = rows_answer(budget=200), FakeLlm([1], TARGET), 0
    while one_step.step(lambda: fake.logits(one_step.out)) is not None:
        steps += 1
    assert BytesWithNull().piece_bytes(one_step.out) == TARGET and one_step.finish == "stop"

    answer = rows_answer(budget=200)
    monkeypatch.setattr(llamacpp_guess, "evaluate", fake.evaluate)
    monkeypatch.setattr(llamacpp_guess, "keep", fake.keep)
    llamacpp_guess.decode_guessing(fake, answer, lambda: fake.logits([]), limit)
    assert answer.out == one_step.out and answer.finish == "stop"
    assert fake.held == [1, *answer.out]  # the prompt and the answer: no guessed token left past it
    # guesses come after a step's own tokens; kept: the first row's rank (after "Al"), the second row's name
    # (after `{"name":`) and city (after 7); not kept: the first name and the second rank
    assert answer.stats["guessed_steps"] > answer.stats["guesses_kept"] == 3
    assert fake.evaluations == steps - 3  # each kept guess is one evaluation fewer


def test_a_negative_guess_count_is_refused():
    pytest.importorskip("llama_cpp")
    from text2table.backends.llamacpp import LlamaCppBackend
    from text2table.errors import ConfigError

    with pytest.raises(ConfigError, match="guess_nulls"):
        LlamaCppBackend(n_ctx=256, guess_nulls=-1)
