"""Decoding with guessed ``null`` values: several value choices checked in one llama.cpp evaluation.

Rows of a wide schema are mostly ``null``: a Rotowire player row states 3-5 of its 19 columns, and each
``null`` costs a decode step that evaluates the token and the next key (about 6 tokens). On a CPU one
evaluation of 40 tokens costs far less than seven of 6 (SmolLM2-135M, Q8_0, 2 threads: about 420 tokens a
second in large batches, 190 in batches of 5), so :func:`decode_guessing` evaluates, after the tokens
:meth:`~text2table.backends.llamacpp_answer.Answer.step` returned, up to ``limit`` guessed steps
(:meth:`~text2table.backends.llamacpp_answer.Answer.guess`: ``null`` and the next key, again and again),
with the logits after each. The answer then takes its steps one by one from those logits, by the same rule
as without guesses: a step that returns exactly the guessed tokens is already evaluated; at the first that
does not, the guessed tokens past the shared part are dropped from the KV cache and the step's own tokens
are evaluated next. A guess not kept costs its tokens' share of the evaluation, so the number of guesses
adapts: one after a guess was not kept, twice as many (up to ``limit``) after an evaluation whose guesses
were all kept (a row's first values are often stated, its last columns seldom). Greedy decoding only (a sampled choice cannot be repeated); the answers are those of
the one-step loop, up to the last bits of the logits (llama.cpp sums a larger batch in another order, which
can flip a choice between two tokens of nearly equal score). ``answer.stats`` counts the guessed steps
(``guessed_steps``) and those kept (``guesses_kept``).
"""

from __future__ import annotations

from typing import Any

from text2table.backends.llamacpp_answer import Answer
from text2table.backends.llamacpp_prefix import common_prefix


def evaluate(llm: Any, tokens: list[int], marks: list[int]) -> list[Any]:
    """Evaluate ``tokens`` after the ``llm.n_tokens`` already in the KV cache, in one batch (at most
    ``llm.n_batch`` tokens); copies of the logits after each index in ``marks``."""
    import llama_cpp
    import numpy as np

    n_past, n_vocab = llm.n_tokens, llm.n_vocab()
    llm._ctx.kv_cache_seq_rm(-1, n_past, -1)
    batch = llm._batch.batch
    batch.n_tokens = len(tokens)
    for i, token in enumerate(tokens):
        batch.token[i], batch.pos[i], batch.n_seq_id[i] = token, n_past + i, 1
        batch.seq_id[i][0], batch.logits[i] = 0, False
    for mark in marks:
        batch.logits[mark] = True
    llm._ctx.decode(llm._batch)
    llm.input_ids[n_past:n_past + len(tokens)] = tokens
    llm.n_tokens = n_past + len(tokens)
    return [np.ctypeslib.as_array(llama_cpp.llama_get_logits_ith(llm._ctx.ctx, m), shape=(n_vocab,)).copy()
            for m in marks]


def keep(llm: Any, n: int) -> None:
    """Drop the KV cells (and remembered tokens) past the first ``n``."""
    llm._ctx.kv_cache_seq_rm(-1, n, -1)
    llm.n_tokens = n


def decode_guessing(llm: Any, answer: Answer, logits: Any, limit: int) -> None:
    """Decode ``answer`` to its end (prompt already evaluated; ``logits()`` gives the logits after it), each
    evaluation carrying up to ``limit`` guessed steps (see the module docstring)."""
    tokens = answer.step(logits)
    stats = answer.stats
    stats.setdefault("guessed_steps", 0)
    stats.setdefault("guesses_kept", 0)
    depth = 1
    while tokens is not None:
        guesses = answer.guess(depth)
        while guesses and len(tokens) + sum(map(len, guesses)) > llm.n_batch:
            guesses.pop()
        batch, marks = list(tokens), [len(tokens) - 1]
        for chunk in guesses:
            batch.extend(chunk)
            marks.append(len(batch) - 1)
        start = llm.n_tokens
        rows = evaluate(llm, batch, marks)
        stats["guessed_steps"] += len(guesses)
        kept, after, following = len(tokens), rows[0], None
        for i, chunk in enumerate(guesses):
            step = answer.step(lambda row=after: row)
            if step == chunk:
                kept, after = kept + len(chunk), rows[i + 1]
                stats["guesses_kept"] += 1
                continue
            if step is not None:  # evaluate what the step chose, past what it shares with the guess
                shared = min(common_prefix(step, chunk), len(step) - 1)
                kept, following = kept + shared, step[shared:]
            else:
                kept, following = kept, None
            break
        else:
            if guesses:
                depth = min(limit, depth * 2)
            keep(llm, start + kept)
            tokens = answer.step(lambda row=after: row)
            continue
        depth = 1
        keep(llm, start + kept)
        tokens = following
