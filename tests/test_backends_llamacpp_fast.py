"""The llamacpp fast path on the real embedded model: forced text, prefix snapshots, the merged adapter."""

from __future__ import annotations

import pytest

from text2table.core.schema import Field, Schema
from text2table.core.table import parse_ndjson_strict
from text2table.decoding.constraints import rows_constraint, schema_constraint
from text2table.decoding.parsing import parse_schema_text
from text2table.decoding.prompts import pi1_messages, pi2_messages

pytest.importorskip("llama_cpp")

DOCS = ["The Vaults is a pub near Café Adriatic in the riverside area. It is not family-friendly.",
        "Zizzi is a cheap coffee shop in the city centre serving Italian food, rated 5 out of 5."]
KV = Schema("kv_single", (Field("name"), Field("eat_type"), Field("area")))


@pytest.fixture
def backend(shipped_llamacpp):
    """The shipped adapter: the untrained base model can loop on field names until the budget ends."""
    return shipped_llamacpp


@pytest.mark.slow
def test_default_serves_the_merged_adapter(backend):
    assert backend.options["merged"] and backend.options["merged"].endswith(".gguf")
    assert backend.llm.model_path == backend.options["merged"]


@pytest.mark.slow
def test_forced_text_is_appended_and_answers_still_parse(backend):
    c = schema_constraint(pin_defaults=True)
    gen = backend.generate([pi1_messages(DOCS[0])], constraint=c, max_new_tokens=256)[0]
    schema, reason = parse_schema_text(gen.text)
    assert schema is not None, reason
    assert gen.finish_reason == "stop" and gen.text.endswith(',"constraints":{}}')
    # every field's ,"type":"string","required":false} and the frame are forced: most of the answer
    assert gen.extra["forced_tokens"] > gen.completion_tokens / 2
    rows = backend.generate([pi2_messages(DOCS[0], KV)], constraint=rows_constraint(KV), max_new_tokens=128)[0]
    assert rows.extra["forced_tokens"] > 0
    parse_ndjson_strict(rows.text, KV.names)


@pytest.mark.slow
def test_fast_forward_off_decodes_every_token(backend):
    from text2table.backends.llamacpp import LlamaCppBackend

    plain = LlamaCppBackend(n_ctx=1024, fast_forward=False, prefix_cache=False)
    try:
        gen = plain.generate([pi2_messages(DOCS[0], KV)], constraint=rows_constraint(KV), max_new_tokens=96)[0]
    finally:
        plain.close()
    assert gen.extra["forced_tokens"] == 0
    parse_ndjson_strict(gen.text if gen.finish_reason == "stop" else "", KV.names)


@pytest.mark.slow
def test_keys_cached_as_q8_0_answer_in_the_same_form():
    from text2table.backends.llamacpp import LlamaCppBackend

    quantised = LlamaCppBackend(n_ctx=1024, cache_type_k="q8_0", threads=1)
    try:
        import llama_cpp

        assert quantised.options["cache_type_k"] == "q8_0"  # named, so a resumed run signed with f16 keys differs
        assert quantised.llm.context_params.type_k == llama_cpp.GGML_TYPE_Q8_0  # the context llama.cpp runs
        prompts = [pi2_messages(doc, KV) for doc in DOCS]
        for gen in quantised.generate(prompts, constraint=rows_constraint(KV), max_new_tokens=96):
            assert gen.error is None and gen.prompt_tokens > 50
            parse_ndjson_strict(gen.text if gen.finish_reason == "stop" else "", KV.names)
    finally:
        quantised.close()


def test_unknown_cache_type_is_refused_before_loading():
    from text2table.backends.llamacpp import LlamaCppBackend
    from text2table.errors import ConfigError

    with pytest.raises(ConfigError, match="cache_type_k='q4_0'; expected one of f16, q8_0"):
        LlamaCppBackend(cache_type_k="q4_0")


@pytest.mark.slow
def test_second_prompt_of_a_stage_restores_the_shared_prefix(backend):
    c = schema_constraint(pin_defaults=True)
    before = dict(backend.prefix.stats)
    for doc in DOCS:  # pi1, pi2, pi1, pi2: consecutive prompts share only the chat template's first tokens
        backend.generate([pi1_messages(doc)], constraint=c, max_new_tokens=64)
        backend.generate([pi2_messages(doc, KV)], constraint=rows_constraint(KV), max_new_tokens=64)
    again = backend.generate([pi1_messages(DOCS[0])], constraint=c, max_new_tokens=64)[0]
    restored = backend.prefix.stats["restored_tokens"] - before["restored_tokens"]
    assert restored > 60  # system message and policy of pi1 and pi2 were not evaluated again
    assert again.error is None


def test_threads_take_the_free_cores_at_start(monkeypatch):
    from text2table.backends import llamacpp_threads

    monkeypatch.setattr(llamacpp_threads.os, "cpu_count", lambda: 16)
    monkeypatch.setattr(llamacpp_threads.os, "getloadavg", lambda: (0.2, 0.0, 0.0))
    assert llamacpp_threads.default_threads() == 16
    monkeypatch.setattr(llamacpp_threads.os, "getloadavg", lambda: (12.4, 0.0, 0.0))
    assert llamacpp_threads.default_threads() == 4
    monkeypatch.setattr(llamacpp_threads.os, "cpu_count", lambda: 2)
    assert llamacpp_threads.default_threads() == 1  # never zero
