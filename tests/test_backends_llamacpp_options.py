"""backends/llamacpp_options.py: options refused before a model loads; the key type an adapter's card names."""

from __future__ import annotations

import json

import pytest

from text2table.backends.llamacpp_options import card_cache_type_k, card_workers, check_options
from text2table.errors import ConfigError, InputError


def test_options_the_backend_can_serve_pass():
    check_options(n_ctx=4096, parallel=1, parallel_ctx=8192, cache_type_k=None)
    check_options(n_ctx=16, parallel=8, parallel_ctx=16, cache_type_k="q8_0")
    check_options(n_ctx=4096, parallel=1, parallel_ctx=8192, cache_type_k=None, workers=2)


@pytest.mark.parametrize("options, message", [
    ({"n_ctx": 8}, "n_ctx=8; expected at least 16"),
    ({"parallel": 0}, "parallel=0"),
    ({"parallel_ctx": 4}, "parallel_ctx=4"),
    ({"cache_type_k": "q4_0"}, "cache_type_k='q4_0'; expected one of f16, q8_0"),
    ({"workers": 0}, "workers=0, parallel=1; expected workers >= 1"),
    ({"workers": 2, "parallel": 4}, "not both above 1"),
])
def test_options_it_cannot_serve_are_refused_with_the_choices(options, message):
    given = {"n_ctx": 4096, "parallel": 1, "parallel_ctx": 8192, "cache_type_k": None, **options}
    with pytest.raises(ConfigError, match=message):
        check_options(**given)


def test_an_adapters_card_names_its_key_cache_type_and_a_bad_one_names_the_card(tmp_path):
    gguf = tmp_path / "adapter.gguf"
    assert card_cache_type_k(None) == card_cache_type_k(str(gguf)) == "f16"  # no adapter, no card
    (tmp_path / "text2table.json").write_text(json.dumps({"cache_type_k": "q8_0"}))
    assert card_cache_type_k(str(gguf)) == "q8_0"
    (tmp_path / "text2table.json").write_text(json.dumps({"cache_type_k": "q4_0"}))
    with pytest.raises(InputError, match="cache_type_k 'q4_0' is not one of f16, q8_0") as err:
        card_cache_type_k(str(gguf))
    assert "text2table.json" in str(err.value)


@pytest.mark.parametrize("bad", [0, 17, 1.5, "2", True])
def test_an_adapters_card_names_its_workers_and_a_bad_number_names_the_card(tmp_path, bad):
    gguf = tmp_path / "adapter.gguf"
    assert card_workers(None) == card_workers(str(gguf)) == 1  # no adapter, no card
    (tmp_path / "text2table.json").write_text(json.dumps({"workers": 2}))
    assert card_workers(str(gguf)) == 2
    (tmp_path / "text2table.json").write_text(json.dumps({"workers": bad}))
    with pytest.raises(InputError, match="not a whole number from 1 to 16") as err:
        card_workers(str(gguf))
    assert "text2table.json" in str(err.value)
