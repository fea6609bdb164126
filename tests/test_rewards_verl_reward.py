"""The VERL entry point, loaded through VERL's own custom-reward loading and reward manager (CPU), scoring a
batch that ``prepare`` built from gold records."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import FLAT_RECORD, KV_RECORD
from text2table.errors import ConfigError
from text2table.rewards import verl_reward
from text2table.rewards.scores import KEYS

verl = pytest.importorskip("verl")


class CharTokenizer:
    """Enough of a tokenizer for VERL's reward manager: one id per character."""

    def encode(self, text: str) -> list[int]:
        return [ord(c) for c in text]

    def decode(self, ids, skip_special_tokens: bool = True) -> str:
        return "".join(chr(int(i)) for i in ids if int(i) > 0)


@pytest.fixture(scope="module")
def rl_rows(tmp_path_factory) -> list[dict]:
    """pi1 and pi2 RL records from `prepare`, each with its gold answer (the SFT target) attached."""
    pq = pytest.importorskip("pyarrow.parquet")
    from text2table.data.prepare import prepare
    from text2table.core.records import read_gold

    folder = tmp_path_factory.mktemp("rl")
    gold = folder / "gold.jsonl"
    gold.write_text(json.dumps(KV_RECORD) + "\n" + json.dumps(FLAT_RECORD) + "\n", encoding="utf-8")
    prepare(read_gold(gold), folder / "out")
    rows = []
    for stage in ("pi1", "pi2"):
        table = pq.read_table(folder / "out" / f"{stage}_rl.parquet").to_pylist()
        chats = [json.loads(line) for line in (folder / "out" / f"{stage}.jsonl").read_text().splitlines()]
        for record, chat in zip(table, chats):
            rows.append({**record, "answer": chat["messages"][-1]["content"]})
    return rows


def _config(**reward_kwargs):
    from omegaconf import OmegaConf

    return OmegaConf.create({"reward": {"custom_reward_function": {
        "path": str(Path(verl_reward.__file__)), "name": "compute_score", "reward_kwargs": reward_kwargs}}})


def test_loaded_by_verl_scores_prepared_batch(rl_rows: list[dict]) -> None:
    from verl.trainer.ppo.reward import get_custom_reward_fn

    fn = get_custom_reward_fn(_config())
    assert {r["data_source"] for r in rl_rows} == {"text2table/pi1", "text2table/pi2"}
    for row in rl_rows:
        kwargs = {"data_source": row["data_source"], "ground_truth": row["reward_model"]["ground_truth"],
                  "extra_info": row["extra_info"]}
        good = fn(solution_str=row["answer"], **kwargs)
        bad = fn(solution_str="I don't know.", **kwargs)
        assert good["score"] == 1.0, (row["data_source"], good)
        assert bad["score"] == -1.0
        assert set(good) == {"score", *KEYS} and all(isinstance(v, float) for v in good.values())


def test_reward_manager_batch(rl_rows: list[dict]) -> None:
    import numpy as np
    import torch
    from verl import DataProto
    from verl.experimental.reward_loop.reward_manager.naive import NaiveRewardManager
    from verl.trainer.ppo.reward import get_custom_reward_fn

    config = _config(weights={"copy_penalty": 0.4})
    tokenizer = CharTokenizer()
    responses = [r["answer"] for r in rl_rows] + ["", "```\nnot a table\n```"]
    sources = rl_rows + rl_rows[-2:]
    width, prompt_len = max(len(r) for r in responses) or 1, 4
    ids = torch.zeros((len(responses), width), dtype=torch.long)
    mask = torch.zeros((len(responses), prompt_len + width), dtype=torch.long)
    for i, text in enumerate(responses):
        encoded = tokenizer.encode(text)
        if encoded:
            ids[i, :len(encoded)] = torch.tensor(encoded)
        mask[i, :prompt_len + len(encoded)] = 1
    data = DataProto.from_dict(
        tensors={"responses": ids, "attention_mask": mask, "prompts": torch.ones((len(responses), prompt_len),
                                                                                   dtype=torch.long)},
        non_tensors={"data_source": np.array([r["data_source"] for r in sources], dtype=object),
                     "reward_model": np.array([r["reward_model"] for r in sources], dtype=object),
                     "extra_info": np.array([dict(r["extra_info"]) for r in sources], dtype=object)})
    manager = NaiveRewardManager(config=config, tokenizer=tokenizer, compute_score=get_custom_reward_fn(config))
    scores = [manager.loop.run_until_complete(manager.run_single(data[i:i + 1]))["reward_score"]
              for i in range(len(responses))]
    assert scores == [1.0] * len(rl_rows) + [-1.0, -1.0]


def test_unknown_source_and_bad_weights_raise() -> None:
    truth = json.dumps({"schema": {"structure": "kv_single", "fields": [{"name": "a"}]}, "rows": [{"a": "x"}]})
    with pytest.raises(ConfigError, match="unknown data_source 'gsm8k'"):
        verl_reward.compute_score("gsm8k", "{}", truth)
    with pytest.raises(ConfigError, match="unknown reward weights"):
        verl_reward.compute_score("text2table/pi2", "{}", truth, weights={"typo": 1.0})


def test_pipeline_source_uses_pi2_output() -> None:
    truth = json.dumps({"schema": {"structure": "kv_single", "fields": [{"name": "area"}]}, "rows": [{"area": "x"}]})
    schema = '{"structure": "kv_single", "fields": [{"name": "area"}], "constraints": {}}'
    extra = {"document": "Area x."}
    assert verl_reward.compute_score("text2table/pipeline_pi1", schema, truth, extra)["oracle_pi2"] == 1.0
    out = verl_reward.compute_score("text2table/pipeline_pi1", schema, truth, {**extra, "pi2_output": '{"area": "y"}'})
    assert out["oracle_pi2"] == 0.0 and out["cell_f1"] == 0.0 and out["score"] < 0.5
