import json

import pytest

from text2table.cli.hint_options import read_options, read_pi2_adapters, read_schema, read_schemas
from text2table.errors import ConfigError, InputError


def test_backend_options_read_json_values_and_keep_other_text():
    assert read_options(["threads=1", "cache_type_k=q8_0", "join_forced=false", "url=http://h:1/v1?a=b"]) == {
        "threads": 1, "cache_type_k": "q8_0", "join_forced": False, "url": "http://h:1/v1?a=b"}


@pytest.mark.parametrize("bad", ["threads", "=1", " =q8_0"])
def test_a_backend_option_without_key_or_equals_sign_is_refused_with_an_example(bad):
    with pytest.raises(ConfigError, match="KEY=VALUE"):
        read_options([bad])


def test_pi2_adapters_one_for_all_plus_one_per_hint():
    assert read_pi2_adapters([]) == (None, {})
    assert read_pi2_adapters(["box-score"]) == ("box-score", {})
    assert read_pi2_adapters(["team=t.gguf", "player=p.gguf"]) == (None, {"team": "t.gguf", "player": "p.gguf"})
    assert read_pi2_adapters(["none", "team=t.gguf"]) == ("none", {"team": "t.gguf"})


def test_a_path_holding_an_equals_sign_is_a_path_when_it_exists(tmp_path):
    odd = tmp_path / "lr=1e-4.gguf"
    odd.write_bytes(b"GGUF")
    assert read_pi2_adapters([str(odd)]) == (str(odd), {})


@pytest.mark.parametrize(("items", "message"), [
    (["a.gguf", "b.gguf"], "2 adapters for every document"),
    (["team=a.gguf", "team=b.gguf"], "one per table_hint"),
    (["=a.gguf"], "expected HINT=PATH"),
    (["team="], "expected HINT=PATH"),
])
def test_pi2_adapter_mistakes_say_how_to_write_them(items, message):
    with pytest.raises(InputError, match=message):
        read_pi2_adapters(items)


def test_schemas_one_for_all_or_one_per_hint(tmp_path):
    path = tmp_path / "s.json"
    path.write_text(json.dumps({"structure": "kv_single", "fields": [{"name": "name"}]}))
    assert read_schemas([]) is None and read_schema(None) is None
    assert read_schemas([str(path)]).names == ["name"]
    assert {h: s.names for h, s in read_schemas([f"a={path}", f"b={path}"]).items()} == {"a": ["name"], "b": ["name"]}
    (tmp_path / "bad.json").write_text("{\n  oops")
    with pytest.raises(InputError, match="line 2") as caught:
        read_schemas([str(tmp_path / "bad.json")])
    assert "bad.json" in str(caught.value)
