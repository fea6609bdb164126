import json
import struct

import numpy as np
import pytest

from text2table.errors import InputError
from text2table.export.readers import read_gguf_header, read_peft_adapter, read_safetensors


def _safetensors(path, tensors):
    header, body = {}, b""
    for name, (dtype, array) in tensors.items():
        raw = array.tobytes()
        header[name] = {"dtype": dtype, "shape": list(array.shape), "data_offsets": [len(body), len(body) + len(raw)]}
        body += raw
    blob = json.dumps(header).encode()
    path.write_bytes(struct.pack("<Q", len(blob)) + blob + body)


def test_safetensors_are_read_as_float32_without_torch(tmp_path):
    a = np.arange(6, dtype=np.float16).reshape(2, 3)
    bf16 = (np.array([1.5, -2.0], dtype=np.float32).view(np.uint32) >> 16).astype(np.uint16)
    _safetensors(tmp_path / "w.safetensors", {"a": ("F16", a), "b": ("BF16", bf16)})
    tensors = read_safetensors(tmp_path / "w.safetensors")
    assert tensors["a"].dtype == np.float32 and tensors["a"].tolist() == a.astype(np.float32).tolist()
    assert tensors["b"].tolist() == [1.5, -2.0]
    (tmp_path / "bad.safetensors").write_bytes(b"\x01")
    with pytest.raises(InputError, match="bad.safetensors: not a safetensors file"):
        read_safetensors(tmp_path / "bad.safetensors")


def test_a_peft_folder_needs_a_lora_config_and_safetensors(tmp_path):
    with pytest.raises(InputError, match="adapter_config.json not found"):
        read_peft_adapter(tmp_path)
    _safetensors(tmp_path / "adapter_model.safetensors", {"x": ("F32", np.zeros(2, dtype=np.float32))})
    (tmp_path / "adapter_config.json").write_text(json.dumps({"peft_type": "IA3"}))
    with pytest.raises(InputError, match="expected 'LORA'"):
        read_peft_adapter(tmp_path)


def test_a_truncated_gguf_header_names_the_file(tmp_path):
    (tmp_path / "cut.gguf").write_bytes(b"GGUF\x03\x00")
    with pytest.raises(InputError, match="cut.gguf: truncated GGUF header"):
        read_gguf_header(tmp_path / "cut.gguf")
