"""The length-curriculum planner: the assignment rule, steps/epochs/warm-up, overflow, stage files."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from tests.tiny_llama import write_prepared
from text2table.errors import InputError
from text2table.training.data import ChatExample
from text2table.training.plan import (
    MESSAGE_OVERHEAD, assign, estimate_tokens, first_stage, fits, format_table, plan_folder, truncate_document,
)
from text2table.training.recipe import load_recipe, recipe_from_dict

RECIPES = Path(__file__).resolve().parents[1] / "recipes"


def recipe(**changes):
    stages = [{"name": "short", "max_length": 100, "hours": 1.0, "lr": 1e-4, "warmup_ratio": 0.1,
               "micro_batch_size": 4, "grad_accum": 2},
              {"name": "long", "max_length": 400, "hours": 0.5, "lr": 5e-5, "warmup_ratio": 0.05,
               "micro_batch_size": 2, "grad_accum": 4}]
    data = {"name": "t", "base_model": "m", "stages": stages, "est_step_seconds": 36.0,
            "buckets": {"chars_per_token": 4.0, "bucket_margin": 0.25}}
    data.update(changes)
    return recipe_from_dict(data)


def example(i: int, doc_chars: int) -> ChatExample:
    doc = "x" * doc_chars
    user = f"<|policy|>\n[POLICY]\nrules\n[DOCUMENT]\n{doc}\n[TASK]\ndo it"
    return ChatExample(f"e{i}", "pi2", ({"role": "system", "content": "sys"}, {"role": "user", "content": user},
                                        {"role": "assistant", "content": "{}"}))


def test_estimate_tokens_rule():
    msgs = [{"role": "user", "content": "a" * 10}, {"role": "assistant", "content": "b" * 3}]
    assert estimate_tokens(msgs, 4.0) == math.ceil(13 / 4) + 2 * MESSAGE_OVERHEAD


@pytest.mark.parametrize("tokens, exact, expected", [
    pytest.param(80, False, 0, id="fits-short-with-margin"),
    pytest.param(81, False, 1, id="margin-pushes-to-long"),  # ceil(81 * 1.25) = 102 > 100
    pytest.param(100, True, 0, id="exact-count-no-margin"),
    pytest.param(101, True, 1, id="exact-one-over"),
    pytest.param(320, False, 1, id="fits-long"),
    pytest.param(321, False, None, id="fits-nothing"),
])
def test_first_stage_rule(tokens, exact, expected):
    assert first_stage(tokens, [100, 400], 0.25, exact=exact) == expected


def test_fits_boundary_is_inclusive():
    assert fits(80, 100, 0.25, exact=False)
    assert not fits(80, 99, 0.25, exact=False)


def test_steps_batches_epochs_and_warmup():
    examples = [example(i, 40) for i in range(10)] + [example(10 + i, 800) for i in range(3)]
    plan, per_stage = assign(recipe(), examples, task="pi2")
    short, long = plan.stages
    assert (short.examples, long.examples, plan.unplaced) == (10, 3, 0)
    assert short.steps == math.floor(1.0 * 3600 / 36.0) == 100
    assert long.steps == 50
    assert (short.global_batch, long.global_batch) == (8, 8)
    assert short.epochs == pytest.approx(100 * 8 / 10)
    assert (short.warmup_steps, long.warmup_steps) == (10, 2)  # floor(0.1 * 100), floor(0.05 * 50)
    assert [len(s) for s in per_stage] == [10, 3]


def test_max_steps_and_empty_stage():
    plan, _ = assign(recipe(max_steps=5), [example(0, 10)], task="pi2")
    assert [(s.examples, s.steps, s.epochs) for s in plan.stages] == [(1, 5, 40.0), (0, 0, 0.0)]


def test_reference_recipe_steps():
    ref = load_recipe(RECIPES / "llama31-8b-pi1.yaml")
    plan, _ = assign(ref, [example(0, 100)], task="pi1")
    assert [s.steps for s in plan.stages] == [654, 0, 0]  # empty stages get no steps
    plan, _ = assign(ref, [example(0, 100), example(1, 12000), example(2, 25000)], task="pi1")
    assert [s.steps for s in plan.stages] == [654, 818, 818]
    assert [s.global_batch for s in plan.stages] == [64, 64, 64]


def test_overflow_is_reported_never_silent():
    plan, per_stage = assign(recipe(), [example(0, 40), example(1, 5000)], task="pi2")
    assert plan.unplaced == 1 and plan.unplaced_ids == ["pi2:e1"]
    assert sum(len(s) for s in per_stage) == 1
    assert "unplaced 1" in format_table(plan)


def test_overflow_truncate_cuts_the_document_to_fit_the_last_stage():
    r = recipe(buckets={"chars_per_token": 4.0, "bucket_margin": 0.25, "overflow": "truncate"})
    plan, per_stage = assign(r, [example(0, 5000)], task="pi2")
    assert (plan.unplaced, plan.truncated) == (0, 1)
    (ex, tokens), = per_stage[1]
    assert fits(tokens, 400, 0.25, exact=False)
    user = ex.messages[1]["content"]
    assert user.endswith("\n[TASK]\ndo it") and "[DOCUMENT]\nxxx" in user


def test_truncate_document_keeps_the_rest():
    msgs = list(example(0, 100).messages)
    cut = truncate_document(msgs, 0.5)
    assert cut[1]["content"].count("x") == 50
    assert msgs[1]["content"].count("x") == 100  # the input is not changed
    assert truncate_document([{"role": "user", "content": "no blocks"}], 0.5) is None


def test_buckets_off_nests_the_sets():
    r = recipe(buckets={"use_buckets": False})
    plan, _ = assign(r, [example(0, 40), example(1, 800)], task="pi2")
    assert [s.examples for s in plan.stages] == [1, 2]


def test_exact_counter_is_used_without_margin():
    plan, _ = assign(recipe(), [example(0, 10)], task="pi2", count_tokens=lambda msgs: 100)
    assert plan.stages[0].examples == 1 and plan.token_count == "tokenizer"


def test_plan_folder_writes_stage_files(tmp_path):
    data = write_prepared(tmp_path / "data", 6, long_every=3)
    out = tmp_path / "plan"
    r = recipe(stages=[{"name": "a", "max_length": 512, "hours": 1.0, "lr": 1e-4, "warmup_ratio": 0.0,
                        "micro_batch_size": 1, "grad_accum": 1},
                       {"name": "b", "max_length": 4096, "hours": 1.0, "lr": 1e-4, "warmup_ratio": 0.0,
                        "micro_batch_size": 1, "grad_accum": 1}])
    plan = plan_folder(r, data, task="both", out_dir=out)
    assert plan.total_examples == 12 and plan.unplaced == 0
    assert [s.examples for s in plan.stages] == [8, 4]
    table = pq.read_table(out / "b.parquet")
    assert table.column_names == ["id", "task", "messages"]
    rows = table.to_pylist()
    assert {r["task"] for r in rows} == {"pi1", "pi2"}
    assert rows[0]["messages"][-1]["role"] == "assistant"
    lines = (out / "a.jsonl").read_text().splitlines()
    assert len(lines) == 8 and "tokens" in json.loads(lines[0])
    assert json.loads((out / "plan.json").read_text())["stages"][1]["examples"] == 4


def test_plan_folder_missing_file_says_how_to_fix(tmp_path):
    with pytest.raises(InputError, match="text2table prepare"):
        plan_folder(recipe(), tmp_path, task="pi1")


def test_stage_parquet_loads_in_verl_dataset(tmp_path, smollm2_tokenizer_dir):
    pytest.importorskip("verl")
    from omegaconf import OmegaConf
    from transformers import AutoTokenizer
    from verl.utils.dataset.multiturn_sft_dataset import MultiTurnSFTDataset

    data = write_prepared(tmp_path / "data", 3)
    plan_folder(recipe(stages=[{"name": "a", "max_length": 2048, "hours": 1.0, "lr": 1e-4, "warmup_ratio": 0.0,
                                "micro_batch_size": 1, "grad_accum": 1}]), data, task="pi2", out_dir=tmp_path / "p")
    tokenizer = AutoTokenizer.from_pretrained(smollm2_tokenizer_dir)
    config = OmegaConf.create({"messages_key": "messages", "max_length": 2048, "truncation": "error"})
    dataset = MultiTurnSFTDataset(str(tmp_path / "p" / "a.parquet"), tokenizer, config)
    assert len(dataset) == 3
    trained = tokenizer.decode(dataset[0]["input_ids"][dataset[0]["loss_mask"].bool()])
    assert '"name": "The Vaults"' in trained and "[DOCUMENT]" not in trained
