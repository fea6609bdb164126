"""Prompt evaluation for llama-cpp-python that reuses the KV state of prompt prefixes seen before.

The pipeline alternates stages (pi1 of a document, pi2 of it, pi1 of the next...), so the previous prompt
rarely shares more than the chat template's first tokens with the next one, while every pi1 prompt
shares its system message, policy and metadata with the previous pi1 prompt (and so for pi2).
:class:`PrefixStates` keeps the token lists of the last few prompts; when a new prompt shares a longer
prefix with one of them than with anything whose KV state is at hand, that shared prefix is evaluated
first and its KV state (one sequence, no logits) is copied out as a snapshot. The next prompt restores
the snapshot it shares most tokens with, drops the snapshot's tokens past the shared part, and evaluates
only its own tokens. Snapshots are few (LRU) and
small (SmolLM2-135M: about 23 KB per token).
"""

from __future__ import annotations

import ctypes
from collections import deque
from typing import Any, Callable


def common_prefix(a: Any, b: Any) -> int:
    n = 0
    for x, y in zip(a, b):
        if x != y:
            break
        n += 1
    return n


class PrefixStates:
    """Snapshots of shared prompt prefixes for one ``llama_cpp.Llama``; ``enabled=False`` keeps only the
    reuse of the prefix shared with the previous call (llama-cpp-python's own behaviour)."""

    min_gain = 16  # tokens a snapshot must save over what is at hand
    keep = 4  # snapshots and remembered prompts

    def __init__(self, llm: Any, *, enabled: bool = True) -> None:
        self.llm, self.enabled = llm, enabled
        self.recent: deque[tuple[int, ...]] = deque(maxlen=self.keep)
        self.snapshots: list[tuple[tuple[int, ...], Any]] = []  # most recently used last
        self.stats = {"restored_tokens": 0, "evaluated_tokens": 0}
        self._before_eval: Callable[[int], None] | None = None

    def prefill(self, tokens: list[int], before_eval: Callable[[int], None] | None = None) -> None:
        """Evaluate ``tokens`` (KV cache and logits of the last token ready for decoding); ``before_eval(n)`` is
        called before each evaluation of ``n`` tokens."""
        llm = self.llm
        self._before_eval = before_eval
        limit = len(tokens) - 1  # at least one token is evaluated, to get fresh logits
        have = min(common_prefix(llm.input_ids[:llm.n_tokens].tolist(), tokens), limit)
        if self.enabled and self.snapshots:
            reach, snap = max(((min(common_prefix(s[0], tokens), limit), s) for s in self.snapshots),
                              key=lambda pair: pair[0])
            if reach > have:  # restore it and keep the part this prompt shares
                have = reach if self._restore(snap) else 0
                self.stats["restored_tokens"] += have
        self._truncate(have)
        if self.enabled:
            shared = min(max((common_prefix(p, tokens) for p in self.recent), default=0), limit)
            if shared >= have + self.min_gain and not any(len(s[0]) == shared and s[0] == tuple(tokens[:shared])
                                                          for s in self.snapshots):
                self._eval(tokens[have:shared])
                self._save(tuple(tokens[:shared]))
            self.recent.append(tuple(tokens))
        self._eval(tokens[llm.n_tokens:])

    def _eval(self, tokens: list[int]) -> None:
        if tokens:
            if self._before_eval is not None:
                self._before_eval(len(tokens))
            self.llm.eval(tokens)
            self.stats["evaluated_tokens"] += len(tokens)

    def _truncate(self, n: int) -> None:
        """Keep the first ``n`` evaluated tokens (``n <= llm.n_tokens``) and drop the rest."""
        llm = self.llm
        if n > 0 and llm._ctx.kv_cache_seq_rm(-1, n, -1):
            llm.n_tokens = n
        else:
            llm.reset()
            llm._ctx.kv_cache_clear()

    def _save(self, prefix: tuple[int, ...]) -> None:
        import llama_cpp

        ctx = self.llm._ctx.ctx
        size = llama_cpp.llama_state_seq_get_size(ctx, 0)
        buffer = (ctypes.c_uint8 * size)()
        written = llama_cpp.llama_state_seq_get_data(ctx, buffer, size, 0)
        if not written:
            return
        self.snapshots.append((prefix, (buffer, written)))
        del self.snapshots[:-self.keep]

    def _restore(self, snap: tuple[tuple[int, ...], Any]) -> bool:
        import llama_cpp

        prefix, (buffer, size) = snap
        llm = self.llm
        llm.reset()
        llm._ctx.kv_cache_clear()
        self.snapshots.remove(snap)
        if not llama_cpp.llama_state_seq_set_data(llm._ctx.ctx, buffer, size, 0):
            llm._ctx.kv_cache_clear()
            return False
        llm.input_ids[:len(prefix)] = prefix
        llm.n_tokens = len(prefix)
        self.snapshots.append(snap)
        return True
