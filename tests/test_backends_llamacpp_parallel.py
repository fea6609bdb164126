"""Answers decoded side by side (``parallel``) on the real embedded model with the shipped adapter."""

from __future__ import annotations

import pytest

from text2table.core.schema import Field, Schema
from text2table.decoding.constraints import rows_constraint, schema_constraint
from text2table.decoding.parsing import parse_schema_text
from text2table.decoding.prompts import pi1_messages, pi2_messages

pytest.importorskip("llama_cpp")

DOCS = ["The Vaults is a pub near Café Adriatic in the riverside area. It is not family-friendly.",
        "Zizzi is a cheap coffee shop in the city centre serving Italian food, rated 5 out of 5.",
        "The Golden Curry serves Indian food near the river; families are welcome."]
KV = Schema("kv_single", (Field("name"), Field("area")))


@pytest.fixture(scope="module")
def backend():
    from text2table.backends.choose import DEFAULT_ADAPTERS
    from text2table.backends.llamacpp import LlamaCppBackend

    engine = LlamaCppBackend(n_ctx=2048, lora=DEFAULT_ADAPTERS["llamacpp"], parallel=4, parallel_ctx=4096)
    yield engine
    engine.close()


@pytest.mark.slow
def test_side_by_side_answers_parse_and_share_the_prompt_prefix(backend):
    gens = backend.generate([pi1_messages(d) for d in DOCS], constraint=schema_constraint(pin_defaults=True),
                            max_new_tokens=256)
    for gen in gens:
        assert gen.error is None and gen.extra["parallel"] == len(DOCS)
        schema, reason = parse_schema_text(gen.text)
        assert schema is not None, reason
    # the system message and policy were evaluated once and copied to the other sequences
    assert gens[0].extra["reused_tokens"] >= 2 * 60


@pytest.mark.slow
def test_a_continued_answer_reuses_its_sequence(backend):
    c = rows_constraint(KV)
    first = backend.generate([pi2_messages(d, KV) for d in DOCS[:2]], constraint=c, max_new_tokens=6)
    assert all(g.finish_reason == "length" for g in first)
    again = [pi2_messages(d, KV) + [{"role": "assistant", "content": g.text}] for d, g in zip(DOCS[:2], first)]
    gens = backend.generate(again, constraint=c, max_new_tokens=128)
    prompt = backend.prompt_tokens(pi2_messages(DOCS[0], KV))
    assert gens[0].extra["reused_tokens"] >= 2 * len(prompt)  # both prompts and their first 6 tokens
    assert all(g.error is None for g in gens)


@pytest.mark.slow
def test_a_failed_batch_is_decoded_again_one_at_a_time(backend, monkeypatch):
    def broken(answers):
        raise RuntimeError("llama_decode returned 1")
    monkeypatch.setattr(backend._parallel_decoder(), "run", broken)
    gens = backend.generate([pi1_messages(d) for d in DOCS[:2]], constraint=schema_constraint(pin_defaults=True),
                            max_new_tokens=256)
    assert all(g.error is None and "parallel" not in g.extra for g in gens)
    assert all(parse_schema_text(g.text)[0] is not None for g in gens)
