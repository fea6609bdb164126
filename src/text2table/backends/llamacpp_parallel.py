"""Several prompts decoded together: one llama.cpp batch per step, one KV sequence per prompt.

On a CPU a decode step of a small model costs little more for eight tokens than for one (SmolLM2-135M,
Q8_0, one thread: about 11 ms for one token and 40 ms for eight; ``bench/bench_fast_path.py`` prints it),
so answers decoded side by side finish sooner than one after another. :class:`ParallelDecoder` owns a second llama.cpp context on the same weights, with a KV cache
shared by up to ``parallel`` sequences:

1. the prefix that all prompts of a call share (chat template, system message, policy) is evaluated once
   and its KV cells are shared with every sequence (``llama_memory_seq_cp`` on a unified cache);
2. each prompt's own tokens are evaluated in one batch, with logits for each prompt's last token;
3. each step, every unfinished :class:`~text2table.backends.llamacpp_answer.Answer` says what it adds
   (one picked token, or a run of forced tokens), and all of it is evaluated in one batch.

Each answer is chosen by the same rule as in the one-at-a-time loop. The numbers in the logits can differ
in the last bits (llama.cpp sums in another order for a larger batch), which can flip a greedy choice
between two tokens of almost equal score; ``bench/bench_fast_path.py`` counts the answers that differ.
"""

from __future__ import annotations

from typing import Any

from text2table.backends.llamacpp_answer import Answer
from text2table.backends.llamacpp_prefix import common_prefix


def shared_prefix(prompts: list[list[int]]) -> int:
    """Tokens all ``prompts`` start with, leaving each at least its last token to evaluate.

    >>> shared_prefix([[1, 2, 3, 4], [1, 2, 5]])
    2
    >>> shared_prefix([[1, 2], [1, 2]])
    1
    """
    if not prompts:
        return 0
    n = min(len(p) for p in prompts) - 1
    first = prompts[0]
    for other in prompts[1:]:
        k = 0
        while k < n and other[k] == first[k]:
            k += 1
        n = k
    return max(n, 0)


def groups(fits: list[bool], parallel: int) -> list[list[int]]:
    """Indices of the prompts, in order, cut into groups of at most ``parallel``; a prompt that does not fit
    a sequence (``fits[i]`` false) forms a group of its own (the caller decodes it one at a time).

    >>> groups([True] * 5, parallel=2)
    [[0, 1], [2, 3], [4]]
    >>> groups([True, False, True], parallel=4)
    [[0], [1], [2]]
    """
    out: list[list[int]] = []
    for i, ok in enumerate(fits):
        if ok and out and len(out[-1]) < parallel and fits[out[-1][0]]:
            out[-1].append(i)
        else:
            out.append([i])
    return out


class ParallelDecoder:
    """A second llama.cpp context on ``llm``'s weights for up to ``parallel`` answers decoded together.

    It copies the main context's settings (threads, batch size, attention type), with ``n_ctx`` KV cells
    split between ``parallel`` sequences (one KV stream each: attention reads only its own cells). Each
    sequence remembers the tokens it holds, so a later prompt that starts with them (a continuation of
    an answer, the next stage's prompt over the same prefix) evaluates only what is new. Only for weights
    without a LoRA applied at run time (a merged adapter is fine): the adapter would have to be set on this
    context too."""

    def __init__(self, llm: Any, *, parallel: int, n_ctx: int) -> None:
        import llama_cpp
        from llama_cpp import _internals

        params = llama_cpp.llama_context_params.from_buffer_copy(llm.context_params)
        params.n_ctx, params.n_seq_max, params.kv_unified = n_ctx, parallel, False
        self.lib, self.parallel, self.n_batch = llama_cpp, parallel, int(params.n_batch)
        self.context = _internals.LlamaContext(model=llm._model, params=params, verbose=False)
        self.memory = llama_cpp.llama_get_memory(self.context.ctx)
        self.n_ctx = self.context.n_ctx() // parallel  # cells per sequence
        self.batch = _internals.LlamaBatch(n_tokens=max(self.n_batch, parallel), embd=0, n_seq_max=1,
                                           verbose=False)
        self.n_vocab = llm.n_vocab()
        self.held: list[list[int]] = [[] for _ in range(parallel)]  # the tokens in each sequence's cells

    def fits(self, prompt: list[int], budget: int) -> bool:
        return len(prompt) + budget <= self.n_ctx

    def run(self, answers: list[Answer]) -> dict[str, int]:
        """Decode ``answers`` (at most ``parallel``, each fitting a sequence) to the end; token counts."""
        import numpy as np

        if not 0 < len(answers) <= self.parallel:
            raise ValueError(f"{len(answers)} answers for a decoder of {self.parallel} sequences")
        try:
            seqs, reused = self._place([a.tokens for a in answers])
            rows = self._decode([(t, p, seq, p == len(a.tokens) - 1) for a, seq, r in zip(answers, seqs, reused)
                                 for p, t in enumerate(a.tokens) if p >= r])
            for a, seq in zip(answers, seqs):
                self.held[seq] = list(a.tokens)
            counts = {"reused_tokens": sum(reused), "steps": 0}
            ctx = self.context.ctx
            while True:
                entries = []
                for answer, seq in zip(answers, seqs):
                    if answer.done:
                        continue
                    tokens = answer.step(lambda row=rows.get(seq): np.ctypeslib.as_array(
                        self.lib.llama_get_logits_ith(ctx, row), shape=(self.n_vocab,)))
                    if tokens is None:
                        continue
                    start = len(self.held[seq])
                    entries += [(t, start + k, seq, k == len(tokens) - 1) for k, t in enumerate(tokens)]
                    self.held[seq] += tokens
                if not entries:
                    return counts
                rows = self._decode(entries)
                counts["steps"] += 1
        except BaseException:
            self.clear()
            raise

    def _place(self, prompts: list[list[int]]) -> tuple[list[int], list[int]]:
        """A sequence for each prompt and the tokens of it already in that sequence's cells.

        Each prompt takes the free sequence that holds the longest start of it. The prefix all prompts share
        is then evaluated once, in the sequence that holds most of it, and copied to the sequences holding
        less. Cells past what each prompt reuses are dropped."""
        free, seqs, reused = list(range(self.parallel)), [], []
        for prompt in prompts:
            limit = len(prompt) - 1  # the last prompt token is evaluated, for its logits
            seq = max(free, key=lambda s: min(common_prefix(self.held[s], prompt), limit))
            free.remove(seq)
            seqs.append(seq)
            reused.append(min(common_prefix(self.held[seq], prompt), limit))
        shared = shared_prefix(prompts) if len(prompts) > 1 else 0
        if shared and min(reused) < shared:
            donor = max(range(len(prompts)), key=lambda i: reused[i])
            source = seqs[donor]
            self._keep(source, reused[donor])
            if reused[donor] < shared:
                self._decode([(prompts[donor][p], p, source, False) for p in range(reused[donor], shared)])
                self.held[source], reused[donor] = list(prompts[donor][:shared]), shared
            for i, seq in enumerate(seqs):
                if reused[i] < shared:
                    self.lib.llama_memory_seq_rm(self.memory, seq, -1, -1)
                    self.lib.llama_memory_seq_cp(self.memory, source, seq, -1, -1)
                    self.held[seq], reused[i] = list(self.held[source]), shared
        for i, seq in enumerate(seqs):
            self._keep(seq, reused[i])
        return seqs, reused

    def _keep(self, seq: int, n: int) -> None:
        """Keep the first ``n`` tokens of sequence ``seq`` and drop the rest."""
        if len(self.held[seq]) > n:
            self.lib.llama_memory_seq_rm(self.memory, seq, n, -1)
            del self.held[seq][n:]

    def clear(self) -> None:
        """Forget every sequence (after a failure, the cells may not match :attr:`held`)."""
        self.lib.llama_memory_clear(self.memory, True)
        self.held = [[] for _ in range(self.parallel)]

    def _decode(self, entries: list[tuple[int, int, int, bool]]) -> dict[int, int]:
        """Evaluate ``(token, position, sequence, wants_logits)`` entries; the logits row of each sequence.

        Entries without logits go first, in order, in batches of ``n_batch``; the entries that want logits
        (one per sequence, each its sequence's last) go together in the last batch, since each
        ``llama_decode`` replaces the logits of the one before."""
        if not entries:
            return {}
        plain = [e for e in entries if not e[3]]
        last = [e for e in entries if e[3]]
        chunks = [plain[i:i + self.n_batch] for i in range(0, len(plain), self.n_batch)]
        if chunks and len(chunks[-1]) + len(last) <= self.n_batch:
            chunks[-1] = chunks[-1] + last
        elif last:
            chunks.append(last)
        rows: dict[int, int] = {}
        for chunk in chunks:
            batch = self.batch.batch
            batch.n_tokens = len(chunk)
            for i, (token, position, seq, logits) in enumerate(chunk):
                batch.token[i], batch.pos[i], batch.n_seq_id[i] = token, position, 1
                batch.seq_id[i][0], batch.logits[i] = seq, logits
                if logits:
                    rows[seq] = i
            code = self.lib.llama_decode(self.context.ctx, batch)
            if code != 0:
                raise RuntimeError(f"llama_decode returned {code} for a batch of {len(chunk)} tokens")
        return rows

    def close(self) -> None:
        self.batch.close()
        self.context.close()
