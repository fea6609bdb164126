"""Token choice for the ``llamacpp`` backend: greedy or sampled picks, and a llama.cpp grammar asked lazily.

:func:`check_gbnf` asks llama.cpp to parse a grammar once, when it is built, so that a bad one fails there.

:class:`LazyGrammar` asks the GBNF grammar sampler about the one token the model picked; when it is
rejected, the next-best candidates are asked one by one, and only as a last resort is the whole vocabulary
masked (about 12 ms for SmolLM2's 49k tokens). The result is the same as masking every step.
"""

from __future__ import annotations

import time
from typing import Any

from text2table.errors import ConfigError


def check_gbnf(llm: Any, gbnf: str) -> None:
    """Raise :class:`ConfigError` when llama.cpp cannot parse ``gbnf`` (it would otherwise fail later)."""
    import llama_cpp

    sampler = llama_cpp.llama_sampler_init_grammar(llm._model.vocab, gbnf.encode("utf-8"), b"root")
    if not sampler:
        raise ConfigError(f"llama.cpp rejected the grammar (first lines: {gbnf[:200]!r})")
    llama_cpp.llama_sampler_free(sampler)


def pick(logits: Any, temperature: float, rng: Any) -> int:
    """Greedy (``temperature == 0``) or sampled from ``softmax(logits / temperature)``."""
    import numpy as np

    if rng is None:
        return int(np.argmax(logits))
    z = logits.astype(np.float64) / temperature
    p = np.exp(z - z.max())
    return int(rng.choice(len(p), p=p / p.sum()))


class LazyGrammar:
    """A llama.cpp grammar sampler asked about single tokens; the whole vocabulary is masked only as a last resort.

    :meth:`choose` keeps the picked token when the grammar allows it. Otherwise, greedy: the best of the
    ``top`` highest logits that the grammar allows (the same token full masking would give); sampling:
    draws again from the full distribution until an allowed token comes (exactly the masked distribution);
    only when that fails is the grammar applied to every token (about 12 ms for SmolLM2's 49k tokens).
    ``stats`` counts rejections and full passes and the CPU seconds spent in the grammar.
    """

    top = 64
    redraws = 16

    def __init__(self, vocab: Any, gbnf: str, n_vocab: int) -> None:
        import ctypes

        import llama_cpp
        import numpy as np

        self.lib, self.ctypes, self.np = llama_cpp, ctypes, np
        self.sampler = llama_cpp.llama_sampler_init_grammar(vocab, gbnf.encode("utf-8"), b"root")
        if not self.sampler:
            raise ConfigError("llama.cpp rejected the grammar")
        self.one = (llama_cpp.llama_token_data * 1)()
        self.one_array = llama_cpp.llama_token_data_array(self.one, 1, -1, False)
        dtype = np.dtype([("id", np.int32), ("logit", np.float32), ("p", np.float32)], align=True)
        self.all = np.zeros(n_vocab, dtype=dtype)
        self.all_array = llama_cpp.llama_token_data_array(
            self.all.ctypes.data_as(ctypes.POINTER(llama_cpp.llama_token_data)), n_vocab, -1, False)
        self.stats: dict[str, Any] = {"grammar_rejections": 0, "grammar_full_passes": 0,
                                      "constraint_cpu_seconds": 0.0}

    def allows(self, token: int) -> bool:
        self.one[0].id, self.one[0].logit, self.one[0].p = token, 0.0, 0.0
        self.one_array.size, self.one_array.selected, self.one_array.sorted = 1, -1, False
        self.lib.llama_sampler_apply(self.sampler, self.ctypes.byref(self.one_array))
        return self.one[0].logit != float("-inf")

    def choose(self, token: int, logits: Any, temperature: float, rng: Any) -> int:
        started = time.process_time()
        try:
            if self.allows(token):
                return token
            self.stats["grammar_rejections"] += 1
            return self._replace(logits, temperature, rng)
        finally:
            self.stats["constraint_cpu_seconds"] += time.process_time() - started

    def _replace(self, logits: Any, temperature: float, rng: Any) -> int:
        np = self.np
        if rng is None:
            top = np.argpartition(-logits, self.top)[:self.top]
            for candidate in top[np.lexsort((top, -logits[top]))]:  # best first, lower id on ties
                if self.allows(int(candidate)):
                    return int(candidate)
        else:
            for _ in range(self.redraws):
                candidate = pick(logits, temperature, rng)
                if self.allows(candidate):
                    return candidate
        self.stats["grammar_full_passes"] += 1
        masked = self.mask(logits)
        if not np.isfinite(masked.max()):  # cannot happen with a consistent grammar
            raise RuntimeError("the grammar allows no next token")
        return pick(masked, temperature, rng)

    def mask(self, logits: Any) -> Any:
        """``logits`` with every token the grammar rejects set to -inf."""
        self.all["id"] = self.np.arange(len(self.all), dtype=self.np.int32)
        self.all["logit"] = logits
        self.all_array.size, self.all_array.selected, self.all_array.sorted = len(self.all), -1, False
        self.lib.llama_sampler_apply(self.sampler, self.ctypes.byref(self.all_array))
        return self.all["logit"].copy()

    def accept(self, token: int) -> None:
        started = time.process_time()
        self.lib.llama_sampler_accept(self.sampler, token)
        self.stats["constraint_cpu_seconds"] += time.process_time() - started

    def close(self) -> None:
        if self.sampler:
            self.lib.llama_sampler_free(self.sampler)
            self.sampler = None
