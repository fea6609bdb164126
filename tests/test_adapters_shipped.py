"""The adapters shipped in the package: pi1's and pi2's folders fit together (same base, both forms, cards)."""

from __future__ import annotations

import json

import pytest

from text2table.adapters import (NAMED, SMOLLM2_DIR, SMOLLM2_PI2_DIR, default_adapter_paths, default_pi2_adapter_paths,
                                 named_adapter_paths)
from text2table.adapters.card import cache_type_k_of, read_card, row_passages_of, workers_of


@pytest.mark.parametrize("folder", [SMOLLM2_DIR, SMOLLM2_PI2_DIR, *NAMED.values()], ids=["pi1", "pi2", *NAMED])
def test_each_shipped_folder_holds_both_forms_a_card_and_a_model_card(folder):
    for name in ("adapter.gguf", "adapter_model.safetensors", "adapter_config.json", "text2table.json",
                 "MODEL_CARD.md"):
        assert (folder / name).is_file(), f"{folder.name}/{name} missing"
    assert (folder / "adapter.gguf").read_bytes()[:4] == b"GGUF"


def test_the_pi2_adapter_continues_the_pi1_adapter_on_the_same_base():
    pi1, pi2 = read_card(SMOLLM2_DIR), read_card(SMOLLM2_PI2_DIR)
    assert pi2["task"] == "pi2"
    assert pi2["started_from"] == pi1["recipe"]
    assert pi2["base_model"] == pi1["base_model"] == "embedded:smollm2-135m-instruct"
    configs = [json.loads((folder / "adapter_config.json").read_text()) for folder in (SMOLLM2_DIR, SMOLLM2_PI2_DIR)]
    assert configs[0]["r"] == configs[1]["r"] and configs[0]["lora_alpha"] == configs[1]["lora_alpha"]
    assert sorted(configs[0]["target_modules"]) == sorted(configs[1]["target_modules"])


def test_the_default_paths_name_the_shipped_files_for_each_backend():
    assert default_adapter_paths() == {"llamacpp": str(SMOLLM2_DIR / "adapter.gguf"),
                                       "transformers": str(SMOLLM2_DIR)}
    assert default_pi2_adapter_paths() == {"llamacpp": str(SMOLLM2_PI2_DIR / "adapter.gguf"),
                                           "transformers": str(SMOLLM2_PI2_DIR)}


def test_the_box_score_adapter_continues_the_pi2_adapter_and_is_found_by_name():
    box, pi2 = read_card(NAMED["box-score"]), read_card(SMOLLM2_PI2_DIR)
    # its fifteenth stage started from the fourteenth (recipes/smollm2-135m-box-score{,3,...,9,11,...,15}-pi2.yaml)
    assert box["task"] == "pi2" and box["started_from"] == "smollm2-135m-box-score14-pi2" != pi2["recipe"]
    assert box["recipe"] == "smollm2-135m-box-score15-pi2"
    assert box["base_model"] == pi2["base_model"] and box["pi1_form"] == pi2["pi1_form"]
    # read in passages of 200 characters, whole sentences (chosen on nba_data valid games), as its last stage trained
    assert row_passages_of(NAMED["box-score"]) == 200 and row_passages_of(SMOLLM2_PI2_DIR) is None
    assert box["row_passages_by_hint"] == {"team": 0} and "row_passages_by_hint" not in pi2  # team tables whole
    # served with the KV cache's keys at 8 bits (measured so on 200 valid games), the other adapters with f16
    assert cache_type_k_of(NAMED["box-score"]) == "q8_0" and cache_type_k_of(SMOLLM2_PI2_DIR) is None
    # decoded in two llama.cpp contexts at once (measured so on 200 valid games), the other adapters in one
    assert workers_of(NAMED["box-score"]) == 2 and workers_of(SMOLLM2_PI2_DIR) is None
    assert named_adapter_paths("box-score") == {"llamacpp": str(NAMED["box-score"] / "adapter.gguf"),
                                               "transformers": str(NAMED["box-score"])}
    assert named_adapter_paths("no-such-adapter") is None
