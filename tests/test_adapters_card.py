"""adapters/card.py: the text2table.json beside an adapter says which pi1 form it answers."""

from __future__ import annotations

import pytest

from text2table.adapters.card import card_path, copy_card, pi1_form_of, pi2_form_of, read_card, write_card


def test_a_folder_carries_its_card_inside_and_a_file_beside_it(tmp_path):
    folder = tmp_path / "adapter"
    folder.mkdir()
    gguf = folder / "adapter.gguf"
    gguf.write_bytes(b"GGUF")
    assert card_path(folder) == card_path(gguf) == folder / "text2table.json"


def test_no_adapter_or_no_card_reads_as_the_full_form(tmp_path):
    assert pi1_form_of(None) == "full" and read_card(None) == {}
    assert pi2_form_of(None) == "full" and pi2_form_of(tmp_path) == "full"
    assert pi1_form_of(tmp_path) == "full" and read_card(tmp_path) == {}


def test_written_card_is_read_back_and_copied(tmp_path):
    source, target = tmp_path / "a", tmp_path / "b"
    source.mkdir(), target.mkdir()
    write_card(source, {"pi1_form": "compact", "recipe": "r"})
    assert pi1_form_of(source) == "compact" and pi1_form_of(source / "adapter.gguf") == "compact"
    assert copy_card(source, target) == target / "text2table.json"
    assert read_card(target) == {"pi1_form": "compact", "recipe": "r"}
    assert copy_card(tmp_path / "none", target) is None  # nothing to copy: the target's card stays
    assert pi1_form_of(target) == "compact"
    write_card(source, {"pi2_form": "sparse"})
    assert pi2_form_of(source / "adapter.gguf") == "sparse"
    assert not list(target.glob(".*.tmp"))


@pytest.mark.parametrize("text", ["{not json", "[\"compact\"]"])
def test_a_broken_card_names_its_file(tmp_path, text):
    (tmp_path / "text2table.json").write_text(text)
    with pytest.raises(ValueError, match="text2table.json"):
        pi1_form_of(tmp_path)



def test_shipped_adapter_paths_name_only_the_forms_present(tmp_path):
    from text2table.adapters import _paths

    assert _paths(tmp_path) == {"llamacpp": None, "transformers": None}
    (tmp_path / "adapter.gguf").write_bytes(b"GGUF")
    assert _paths(tmp_path) == {"llamacpp": str(tmp_path / "adapter.gguf"), "transformers": None}
    (tmp_path / "adapter_model.safetensors").write_bytes(b"{}")
    assert _paths(tmp_path)["transformers"] == str(tmp_path)
