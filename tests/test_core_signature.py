import json

import pytest

from text2table.core.signature import (differences, make_signature, read_signature, sidecar_path, signature_string,
                                       write_signature)
from text2table.errors import InputError

LLAMA = {"backend": "llamacpp", "model": "/models/smollm2.gguf", "lora": "/pkg/adapters/a.gguf", "threads": 2}


def sig(**changes):
    parts = {"pipeline": {"constrained": True, "max_rows": 200, "parse_tables": True}, "checks": {"verify": True},
             "backend": dict(LLAMA), "schema": None, "version": "0.1.0"}
    parts.update(changes)
    return make_signature(**parts)


def test_the_hash_covers_answers_not_speed_or_version():
    base = sig()
    assert sig(backend={**LLAMA, "threads": 16})["hash"] == base["hash"]  # execution detail
    assert sig(version="9.9")["hash"] == base["hash"]  # recorded, shown, not hashed
    assert sig(backend={**LLAMA, "model": "/models/other.gguf"})["hash"] != base["hash"]
    assert sig(pipeline={"constrained": False, "max_rows": 200, "parse_tables": True})["hash"] != base["hash"]
    assert sig(checks={"verify": False})["hash"] != base["hash"]
    assert sig(schema={"structure": "kv_single", "fields": [{"name": "a"}]})["hash"] != base["hash"]


def test_the_readable_line_names_backend_model_adapter_switches_and_hash():
    line = sig()["signature"]
    assert line.startswith("backend:llamacpp|model:smollm2.gguf|adapter:a.gguf|constrained:yes|tables:yes|checks:")
    assert line.endswith(f"|schema:induced|version:0.1.0|hash:{sig()['hash']}")
    assert signature_string(sig(schema={"fields": []})).count("schema:given") == 1


def test_differences_name_the_changed_settings_only():
    old, new = sig(), sig(backend={**LLAMA, "threads": 8, "lora": None}, checks={"verify": False})
    assert differences(old, new) == ["checks.verify", "backend.lora"]


def test_sidecar_round_trip_and_bad_sidecars_name_the_file(tmp_path):
    pred = tmp_path / "pred.jsonl"
    assert read_signature(pred) is None
    path = write_signature(pred, sig())
    assert path == sidecar_path(pred) == tmp_path / "pred.jsonl.meta.json"
    assert read_signature(pred) == json.loads(path.read_text())
    path.write_text("{not json")
    with pytest.raises(InputError, match="pred.jsonl.meta.json"):
        read_signature(pred)
    path.write_text("[1]")
    with pytest.raises(InputError, match="not a prediction signature"):
        read_signature(pred)
