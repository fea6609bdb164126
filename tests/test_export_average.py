"""average_adapters: the average of two LoRA adapters' deltas, exactly, as one adapter of the summed rank."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from text2table.errors import InputError
from text2table.export.average import average_adapters

safetensors_numpy = pytest.importorskip("safetensors.numpy")
PREFIX = "base_model.model.model.layers.0.self_attn.q_proj"


def _adapter(folder: Path, rank: int, alpha: float, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    a, b = rng.normal(size=(rank, 6)).astype(np.float32), rng.normal(size=(5, rank)).astype(np.float32)
    folder.mkdir()
    safetensors_numpy.save_file({f"{PREFIX}.lora_A.weight": a, f"{PREFIX}.lora_B.weight": b},
                                str(folder / "adapter_model.safetensors"))
    (folder / "adapter_config.json").write_text(json.dumps(
        {"peft_type": "LORA", "r": rank, "lora_alpha": alpha, "target_modules": ["q_proj"]}))
    return alpha / rank * b @ a


def _delta(folder: Path) -> np.ndarray:
    config = json.loads((folder / "adapter_config.json").read_text())
    t = safetensors_numpy.load_file(str(folder / "adapter_model.safetensors"))
    return config["lora_alpha"] / config["r"] * t[f"{PREFIX}.lora_B.weight"] @ t[f"{PREFIX}.lora_A.weight"]


@pytest.mark.parametrize("weight", [0.0, 0.3, 0.5, 1.0])
def test_the_average_adds_the_weighted_deltas(tmp_path, weight):
    d1 = _adapter(tmp_path / "one", rank=2, alpha=4.0, seed=1)
    d2 = _adapter(tmp_path / "two", rank=3, alpha=3.0, seed=2)
    report = average_adapters(tmp_path / "one", tmp_path / "two", tmp_path / "avg", weight=weight, dtype="f32")
    assert report.n_tensors == 2
    config = json.loads((tmp_path / "avg" / "adapter_config.json").read_text())
    assert config["r"] == 5 and config["target_modules"] == ["q_proj"]
    np.testing.assert_allclose(_delta(tmp_path / "avg"), weight * d1 + (1 - weight) * d2, rtol=1e-5, atol=1e-6)


def test_adapters_of_different_weights_are_refused(tmp_path):
    _adapter(tmp_path / "one", rank=2, alpha=4.0, seed=1)
    _adapter(tmp_path / "two", rank=2, alpha=4.0, seed=2)
    tensors = safetensors_numpy.load_file(str(tmp_path / "two" / "adapter_model.safetensors"))
    renamed = {k.replace("q_proj", "k_proj"): v for k, v in tensors.items()}
    safetensors_numpy.save_file(renamed, str(tmp_path / "two" / "adapter_model.safetensors"))
    with pytest.raises(InputError, match="different weights"):
        average_adapters(tmp_path / "one", tmp_path / "two", tmp_path / "avg")
    with pytest.raises(InputError, match="outside"):
        average_adapters(tmp_path / "one", tmp_path / "one", tmp_path / "avg", weight=1.5)


@pytest.mark.parametrize("weight,want", [(0.5, "compact"), (0.7, "compact"), (0.3, "full")])
def test_the_average_answers_in_the_form_of_the_larger_share(tmp_path, weight, want):
    from text2table.adapters.card import pi1_form_of, read_card, write_card

    _adapter(tmp_path / "one", rank=2, alpha=4.0, seed=1)
    _adapter(tmp_path / "two", rank=2, alpha=4.0, seed=2)
    write_card(tmp_path / "one", {"pi1_form": "compact"})
    average_adapters(tmp_path / "one", tmp_path / "two", tmp_path / "avg", weight=weight)
    assert pi1_form_of(tmp_path / "avg") == want
    assert [a["card"] for a in read_card(tmp_path / "avg")["averaged"]] == [{"pi1_form": "compact"}, {}]


def test_two_adapters_without_cards_average_to_one_without(tmp_path):
    _adapter(tmp_path / "one", rank=2, alpha=4.0, seed=1)
    _adapter(tmp_path / "two", rank=2, alpha=4.0, seed=2)
    average_adapters(tmp_path / "one", tmp_path / "two", tmp_path / "avg")
    assert not (tmp_path / "avg" / "text2table.json").exists()
