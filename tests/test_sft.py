"""TRL path on a tiny random Llama with the real SmolLM2 tokenizer: labels, stages, resume, outputs, sanity."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.tiny_llama import chat_records, save_tiny_llama, write_prepared
from text2table.errors import ConfigError
from text2table.training.data import example_from_dict, load_task, prompt_completion
from text2table.training.recipe import recipe_from_dict
from text2table.training.sanity import score, score_pi1, score_pi2

pytest.importorskip("trl")


@pytest.fixture(scope="module")
def tiny_model_dir(tmp_path_factory, smollm2_tokenizer_dir) -> Path:
    return save_tiny_llama(smollm2_tokenizer_dir, tmp_path_factory.mktemp("tiny_llama"))


def tiny_recipe(model_dir: Path, **changes):
    data = {
        "name": "tiny", "base_model": str(model_dir), "task": "both",
        "lora": {"rank": 4, "alpha": 8, "dropout": 0.05},
        "stages": [{"name": "s1", "max_length": 640, "hours": 1.0, "lr": 1e-3, "warmup_ratio": 0.1,
                    "micro_batch_size": 2, "grad_accum": 1, "max_steps": 3},
                   {"name": "s2", "max_length": 2048, "hours": 1.0, "lr": 5e-4, "warmup_ratio": 0.0,
                    "micro_batch_size": 1, "grad_accum": 1, "max_steps": 2}],
        "eval": {"per_step_eval_samples": 2, "max_new_tokens_schema": 4, "max_new_tokens_table": 4, "log_freq": 1},
        "loader": {"num_workers": 0}, "trl": {"save_steps": 2, "save_total_limit": 3},
    }
    data.update(changes)
    return recipe_from_dict(data)


def test_prompt_completion_form():
    ex = example_from_dict(chat_records(1)["pi2"][0], "pi2")
    pc = prompt_completion(ex)
    assert [m["role"] for m in pc["prompt"]] == ["system", "user"]
    assert pc["completion"] == [{"role": "assistant", "content": ex.answer}]


@pytest.mark.slow
def test_labels_cover_only_the_assistant_answer(tiny_model_dir, tmp_path):
    from text2table.training import sft

    recipe = tiny_recipe(tiny_model_dir, trl={"group_by_length": False})
    examples = [example_from_dict(r, "pi2") for r in chat_records(3)["pi2"]]
    examples += [example_from_dict(r, "pi1") for r in chat_records(1)["pi1"]]
    model, tokenizer = sft.load_base_model(recipe.base_model)
    model = sft.new_adapter(model, recipe.lora)
    dropouts = {m.p for name, m in model.named_modules() if "lora_dropout" in name and hasattr(m, "p")}
    assert dropouts == {0.05}  # the recipe's LoRA dropout is honoured
    trainer = sft.build_trainer(recipe, 0, 1, model, tokenizer, examples, [], tmp_path, [])
    loader = trainer.get_train_dataloader()
    answers = {ex.answer for ex in examples}
    seen = set()
    for batch in loader:
        for ids, labels in zip(batch["input_ids"], batch["labels"]):
            trained = tokenizer.decode(ids[labels != -100])
            assert trained.endswith("<|im_end|>\n")
            answer = trained[: -len("<|im_end|>\n")]
            assert answer in answers, trained
            assert "[DOCUMENT]" not in trained
            seen.add(answer)
    assert seen == answers


@pytest.mark.slow
def test_two_stages_chain_resume_and_outputs(tiny_model_dir, tmp_path):
    from safetensors.torch import load_file
    from transformers import TrainerCallback

    from text2table.training.sft import SftOptions, train_sft

    data = write_prepared(tmp_path / "data", 6, long_every=3)
    run = tmp_path / "run"
    recipe = tiny_recipe(tiny_model_dir)
    logs: list[str] = []

    class Interrupt(TrainerCallback):
        def on_step_end(self, args, state, control, **kwargs):
            if state.global_step == 3 and not (run / "stages" / "s1" / "adapter").exists():
                raise KeyboardInterrupt  # a crash after checkpoint-2 of stage s1

    with pytest.raises(KeyboardInterrupt):
        train_sft(recipe, data, run, SftOptions(), log=logs.append, callbacks=[Interrupt()])
    assert (run / "stages" / "s1" / "checkpoint-2").is_dir()
    with pytest.raises(ConfigError, match="--resume"):
        (run / "state.json").write_text(json.dumps({"fingerprint": "x", "stages": {}}))
        train_sft(recipe, data, run, SftOptions(), log=logs.append)
    (run / "state.json").unlink()

    summary = train_sft(recipe, data, run, SftOptions(resume=True), log=logs.append)
    assert any("resuming from" in line and "checkpoint-2" in line for line in logs)
    state = json.loads((run / "state.json").read_text())
    assert state["stages"]["s1"]["steps"] == 3 and state["stages"]["s2"]["steps"] == 2
    assert state["stages"]["s1"]["resumed_from"].endswith("checkpoint-2")
    # the second stage started from the first stage's adapter, and the final adapter is the last stage's
    s1 = load_file(run / "stages" / "s1" / "adapter" / "adapter_model.safetensors")
    final = load_file(run / "adapter" / "adapter_model.safetensors")
    key = next(k for k in final if "lora_B" in k)
    assert final[key].abs().sum() > 0 and not (final[key] == s1[key]).all()
    assert json.loads((run / "adapter" / "adapter_config.json").read_text())["lora_dropout"] == 0.05
    # no stats.json in the data folder: the card says the full form
    assert json.loads((run / "adapter" / "text2table.json").read_text())["pi1_form"] == "full"
    assert summary["steps"] == 5 and summary["seconds_per_step"] > 0
    assert set(summary["losses"]) == {"s1", "s2"} and summary["recipe"]["name"] == "tiny"
    assert json.loads((run / "train_summary.json").read_text())["steps"] == 5
    sanity = json.loads((run / "sanity.json").read_text())
    assert set(sanity) == {"s1", "s2"} and sanity["s2"]["split"] == "train"
    assert any((run / "tensorboard" / "s1").glob("events.out.tfevents.*"))

    logs.clear()  # a finished run resumes instantly: every stage is skipped
    again = train_sft(recipe, data, run, SftOptions(resume=True), log=logs.append)
    assert sum("already done" in line for line in logs) == 2 and again["steps"] == 5
    with pytest.raises(ConfigError, match="another recipe"):
        train_sft(tiny_recipe(tiny_model_dir, name="other"), data, run, SftOptions(resume=True), log=logs.append)


@pytest.mark.slow
def test_max_steps_limit_and_single_task(tiny_model_dir, tmp_path):
    from text2table.training.sft import SftOptions, train_sft

    data = write_prepared(tmp_path / "data", 8)
    dev = write_prepared(tmp_path / "dev", 2)
    options = SftOptions(task="pi1", max_steps=1, limit_examples=4, dev_dir=dev, baseline=True)
    summary = train_sft(tiny_recipe(tiny_model_dir), data, tmp_path / "run", options, log=lambda _: None)
    assert summary["task"] == "pi1" and summary["steps"] == 1
    assert summary["plan"]["examples"] == 4 and summary["plan"]["stages"][1]["examples"] == 0
    sanity = json.loads((tmp_path / "run" / "sanity.json").read_text())
    assert sanity["s1"]["split"] == "dev" and set(sanity["s1"]) >= {"pi1"} and "pi2" not in sanity["s1"]
    assert sanity["base"]["pi1"]["examples"] == 2  # the untrained model, checked on the same examples


def test_sanity_scores_gold_answers_perfectly(tmp_path):
    data = write_prepared(tmp_path / "d", 3)
    examples = load_task(data, "both")
    result = score(examples, [ex.answer for ex in examples])
    assert result["pi2"]["json_valid_rate"] == 1.0 and result["pi2"]["key_order_pass_rate"] == 1.0
    assert result["pi2"]["type_check_pass_rate"] == 1.0 and result["pi2"]["cell_f1"] == 1.0
    assert result["pi1"]["json_valid_rate"] == 1.0 and result["pi1"]["schema_f1"] == 1.0


def test_sanity_scores_broken_output_low(tmp_path):
    data = write_prepared(tmp_path / "d", 3)
    pi2 = load_task(data, "pi2")
    bad = ["sorry, I cannot", '{"player": "Smith"}\n{"points": "20", "player": "Smith"}', "```json\n{\"x\": 1"]
    result = score_pi2(pi2, bad)
    assert result["json_valid_rate"] < 0.5 and result["cell_f1"] < 0.5
    assert result["key_order_pass_rate"] == 0.0
    pi1 = load_task(data, "pi1")
    assert score_pi1(pi1, ["no json", "{", "[]"])["json_valid_rate"] == 0.0


@pytest.mark.slow
def test_stages_option_trains_a_subset_now_and_the_rest_on_resume(tiny_model_dir, tmp_path):
    from text2table.training.sft import SftOptions, train_sft

    data = write_prepared(tmp_path / "data", 3, long_every=3)
    run = tmp_path / "run"
    recipe = tiny_recipe(tiny_model_dir, buckets={"exact_tokens": True})
    quiet = SftOptions(task="pi2", max_steps=1, sanity=False)
    first = train_sft(recipe, data, run, SftOptions(**{**quiet.__dict__, "stages": ("s1",)}), log=lambda _: None)
    assert set(first["stages"]) == {"s1"} and first["plan"]["token_count"] == "tokenizer"
    rest = train_sft(recipe, data, run, SftOptions(**{**quiet.__dict__, "resume": True}), log=lambda _: None)
    assert set(rest["losses"]) == {"s1", "s2"} and rest["steps"] == 2
    with pytest.raises(ConfigError, match="unknown stage"):
        train_sft(recipe, data, run, SftOptions(**{**quiet.__dict__, "resume": True, "stages": ("s9",)}))


def test_sanity_budget_follows_the_gold_answer(smollm2_tokenizer_dir, tmp_path):
    from transformers import AutoTokenizer

    from text2table.training.sanity import answer_budget

    tokenizer = AutoTokenizer.from_pretrained(smollm2_tokenizer_dir)
    ex = load_task(write_prepared(tmp_path / "d", 1), "pi2")[0]
    gold = len(tokenizer(ex.answer, add_special_tokens=False)["input_ids"])
    assert answer_budget(tokenizer, ex, 512) == 2 * gold + 16
    assert answer_budget(tokenizer, ex, 10) == 10


def test_init_adapter_must_be_a_peft_folder(tmp_path):
    from text2table.training.sft import SftOptions

    with pytest.raises(ConfigError, match="adapter_config.json"):
        SftOptions(init_adapter=tmp_path)


@pytest.mark.slow
def test_init_adapter_warm_starts_the_first_stage(tiny_model_dir, tmp_path):
    from transformers import TrainerCallback

    from text2table.training.sft import SftOptions, train_sft

    class LoraBNorm(TrainerCallback):
        """The summed |lora_B| when training begins: 0 for a fresh adapter (PEFT zero-initialises B)."""

        def __init__(self) -> None:
            self.norms: list[float] = []

        def on_train_begin(self, args, state, control, model=None, **kwargs):
            self.norms.append(sum(float(p.detach().abs().sum()) for n, p in model.named_parameters() if "lora_B" in n))

    data = write_prepared(tmp_path / "data", 4)
    recipe = tiny_recipe(tiny_model_dir, stages=[{"name": "s1", "max_length": 640, "hours": 1.0, "lr": 1e-3,
                                                  "warmup_ratio": 0.0, "micro_batch_size": 2, "grad_accum": 1}])
    probe = LoraBNorm()
    train_sft(recipe, data, tmp_path / "first", SftOptions(task="pi1", max_steps=2, sanity=False),
              log=lambda _: None, callbacks=[probe])
    options = SftOptions(task="pi1", max_steps=1, sanity=False, init_adapter=tmp_path / "first" / "adapter")
    summary = train_sft(recipe, data, tmp_path / "second", options, log=lambda _: None, callbacks=[probe])
    assert probe.norms[0] == 0.0 and probe.norms[1] > 0.0  # the second run starts from the first's weights
    assert summary["init_adapter"] == str(tmp_path / "first" / "adapter")
    card = json.loads((tmp_path / "second" / "adapter" / "text2table.json").read_text())
    assert card["task"] == "pi1" and card["started_from"] == "tiny"  # what it learned, and from which adapter
    assert "started_from" not in json.loads((tmp_path / "first" / "adapter" / "text2table.json").read_text())
    with pytest.raises(ConfigError, match="fingerprint"):  # a run folder is tied to the adapter it started from
        train_sft(recipe, data, tmp_path / "second", SftOptions(task="pi1", max_steps=1, sanity=False, resume=True),
                  log=lambda _: None)


def test_bf16_recipe_runs_autocast_on_a_cpu(tmp_path):
    from text2table.training import sft

    recipe = tiny_recipe(tmp_path, trl={"dtype": "bfloat16"})
    config = sft._sft_config(recipe, 0, 2, tmp_path / "out", has_eval=False)
    assert config.bf16 and config.use_cpu == (not sft._has_cuda())  # transformers refuses bf16 on CPU otherwise
    assert not sft._sft_config(tiny_recipe(tmp_path), 0, 2, tmp_path / "out", has_eval=False).use_cpu


def test_the_data_folder_says_which_pi1_form_the_adapter_learns(tmp_path):
    from text2table.training.sft import data_card

    assert data_card(tmp_path)["pi1_form"] == "full"
    (tmp_path / "stats.json").write_text(json.dumps({"records": 3, "pi1_form": "compact"}))
    assert data_card(tmp_path)["pi1_form"] == "compact" and "pi2_form" not in data_card(tmp_path)
    (tmp_path / "stats.json").write_text(json.dumps({"pi2_form": "sparse"}))
    assert data_card(tmp_path) == {"pi1_form": "full", "pi2_form": "sparse"}


def test_passage_examples_put_their_size_on_the_card(tmp_path):
    from text2table.training.sft import data_card

    assert data_card("/nonexistent") == {"pi1_form": "full"}  # whole-document examples name no size
    (tmp_path / "stats.json").write_text(json.dumps({"pi1_form": "compact", "row_passages": 250}))
    assert data_card(tmp_path) == {"pi1_form": "compact", "row_passages": 250}
    (tmp_path / "stats.json").write_text(json.dumps({"row_passages": 250, "row_passages_by_hint": {"team": 0}}))
    assert data_card(tmp_path) == {"pi1_form": "full", "row_passages": 250, "row_passages_by_hint": {"team": 0}}
    (tmp_path / "stats.json").write_text(json.dumps({"row_passages_by_hint": {"player": 250}}))
    assert data_card(tmp_path)["row_passages"] == 0  # other hints were trained whole, so they are read whole
