import json

import numpy as np
import pytest
from safetensors.numpy import load_file

from text2table.errors import InputError
from text2table.export.peft_adapter import export_adapter

from .test_export_lora_gguf import write_adapter


def test_f16_export_keeps_config_and_values_at_half_the_size(tmp_path):
    tensors = write_adapter(tmp_path / "ckpt", extra_config={"base_model_name_or_path": "embedded"})
    (tmp_path / "ckpt" / "optimizer.pt").write_bytes(b"x" * 1000)  # training state is not copied
    report = export_adapter(tmp_path / "ckpt", tmp_path / "ship", dtype="f16")
    assert sorted(p.name for p in (tmp_path / "ship").iterdir()) == ["adapter_config.json",
                                                                    "adapter_model.safetensors"]
    out = load_file(str(tmp_path / "ship" / "adapter_model.safetensors"))
    assert out.keys() == tensors.keys() and report.n_tensors == len(tensors)
    for name, value in tensors.items():
        assert out[name].dtype == np.float16
        np.testing.assert_allclose(out[name].astype(np.float32), value, rtol=1e-3, atol=1e-3)
    assert json.loads((tmp_path / "ship" / "adapter_config.json").read_text())["base_model_name_or_path"] == "embedded"
    full = (tmp_path / "ckpt" / "adapter_model.safetensors").stat().st_size
    # tiny tensors: the header is a third of the file, so f16 saves less than half here
    assert report.bytes == (tmp_path / "ship" / "adapter_model.safetensors").stat().st_size < 0.7 * full


def test_bad_dtype_and_missing_files_are_clear_errors(tmp_path):
    write_adapter(tmp_path / "ckpt")
    with pytest.raises(InputError, match="dtype 'bf16'"):
        export_adapter(tmp_path / "ckpt", tmp_path / "ship", dtype="bf16")
    with pytest.raises(InputError, match="adapter_config.json not found"):
        export_adapter(tmp_path / "nope", tmp_path / "ship")
    assert not (tmp_path / "ship").exists()


def test_the_adapter_card_travels_with_the_export(tmp_path):
    from text2table.adapters.card import pi1_form_of, write_card

    write_adapter(tmp_path / "ckpt")
    write_card(tmp_path / "ckpt", {"pi1_form": "compact"})
    export_adapter(tmp_path / "ckpt", tmp_path / "ship")
    assert pi1_form_of(tmp_path / "ship") == "compact"
