"""The ``llamacpp`` backend: llama-cpp-python on a GGUF file; the default is the embedded SmolLM2-135M.

Prompts are rendered with the chat template stored in the GGUF (ChatML for SmolLM2) in a sandboxed Jinja
environment and tokenised here, so a final assistant message is continued exactly (no end-of-turn).
Constraints become GBNF grammars (:func:`text2table.decoding.constraints.to_gbnf`) checked *lazily*: the decode loop
picks the next token from the raw logits and asks the grammar about that one token; when it is rejected,
the next-best candidates are asked one by one (:class:`_LazyGrammar`). The result is the same as masking
every step (greedy: the best allowed token; sampling: the masked distribution), but a step costs
microseconds instead of a full-vocabulary grammar pass (about 12 ms for SmolLM2's 49k tokens).
The KV cache of the longest common prompt prefix is reused between calls.
llama-cpp-python must be the portable build (see the Makefile): the native build crashes on CPUs with
AMX. It is imported when the backend is created, not before.
"""

from __future__ import annotations

import json
import os
import time
from typing import Any

from text2table.decoding.constraints import DEFAULT_MAX_STRING, to_gbnf
from text2table.errors import ConfigError, InputError, MissingDependencyError
from text2table.backends.base import Backend, Generation, Prompt, per_prompt, register_backend
from text2table.decoding.constraint import Constraint
from text2table.backends.models import is_gguf, resolve_model_path, split_continuation


def check_gbnf(llm: Any, gbnf: str) -> None:
    """Raise :class:`ConfigError` when llama.cpp cannot parse ``gbnf`` (it would otherwise fail later)."""
    import llama_cpp

    sampler = llama_cpp.llama_sampler_init_grammar(llm._model.vocab, gbnf.encode("utf-8"), b"root")
    if not sampler:
        raise ConfigError(f"llama.cpp rejected the grammar (first lines: {gbnf[:200]!r})")
    llama_cpp.llama_sampler_free(sampler)


def default_threads() -> int:
    """All cores but one (at least one). llama.cpp's threads wait for each other by spinning: on a busy
    machine, as many threads as cores made decoding 15-25x slower (measured on 2 shared cores), while one
    thread fewer costs little when the machine is idle."""
    return max(1, (os.cpu_count() or 2) - 1)


@register_backend("llamacpp")
class LlamaCppBackend(Backend):
    """Options: ``model`` (a .gguf file; ``None``: embedded), ``n_ctx`` (context tokens), ``threads``
    (default: :func:`default_threads`), ``n_batch`` (prompt batch), ``lora`` (a llama.cpp LoRA adapter in GGUF form),
    ``max_string_length`` (cap for constrained strings without ``maxLength``), ``verbose``."""

    def __init__(self, *, model: str | None = None, n_ctx: int = 4096, threads: int | None = None,
                 n_batch: int = 512, lora: str | None = None, max_string_length: int = DEFAULT_MAX_STRING,
                 verbose: bool = False) -> None:
        try:
            import llama_cpp
            from llama_cpp.llama_chat_format import Jinja2ChatFormatter
        except ImportError as exc:
            raise MissingDependencyError("llama-cpp-python", "llamacpp") from exc
        path = resolve_model_path(model)
        if not is_gguf(path):
            raise InputError("the llamacpp backend needs a .gguf file", source=str(path),
                             hint="use --backend transformers for a Hugging Face model folder")
        if n_ctx < 16:
            raise ConfigError(f"n_ctx={n_ctx}; expected at least 16 tokens")
        self.threads = threads or default_threads()
        self.llm = llama_cpp.Llama(model_path=str(path), n_ctx=n_ctx, n_batch=n_batch, n_threads=self.threads,
                                   n_threads_batch=self.threads, lora_path=lora, verbose=verbose)
        template = self.llm.metadata.get("tokenizer.chat_template")
        if not template:
            raise ConfigError(f"{path} has no chat template (tokenizer.chat_template); use an instruct model")
        self._eos = self._piece(self.llm.token_eos())
        self._bos = self._piece(self.llm.token_bos())
        self._formatter = Jinja2ChatFormatter(template, eos_token=self._eos, bos_token=self._bos)
        self.max_string_length = max_string_length
        self._grammars: dict[str, str] = {}
        self._list_end: Any = None
        self.options = {"model": str(path), "n_ctx": n_ctx, "threads": self.threads, "lora": lora}

    def describe(self) -> dict[str, Any]:
        return {"backend": self.name, **self.options}

    def _piece(self, token: int) -> str:
        return self.llm.detokenize([token], special=True).decode("utf-8", errors="replace") if token >= 0 else ""

    def render(self, messages: Prompt) -> str:
        """The prompt text: chat template + generation prompt (+ the partial assistant answer)."""
        head, partial = split_continuation(messages)
        return self._formatter(messages=head).prompt + (partial or "")

    def tokenize(self, text: str) -> list[int]:
        tokens = self.llm.tokenize(text.encode("utf-8"), add_bos=False, special=True)
        bos = self.llm.token_bos()
        if self.llm._model.add_bos_token() and bos >= 0 and tokens[:1] != [bos]:
            tokens.insert(0, bos)
        return tokens

    def grammar(self, constraint: Constraint) -> str:
        """The (cached, validated) GBNF grammar of ``constraint``."""
        key = json.dumps([constraint.kind, constraint.json_schema, constraint.max_rows], sort_keys=True)
        if key not in self._grammars:
            gbnf = to_gbnf(constraint, default_max_string=self.max_string_length)
            check_gbnf(self.llm, gbnf)
            self._grammars[key] = gbnf
        return self._grammars[key]

    def generate(self, prompts: list[Prompt], *, constraint: Constraint | list[Constraint | None] | None = None,
                 max_new_tokens: int = 512, temperature: float = 0.0, seed: int | None = 0) -> list[Generation]:
        constraints = per_prompt(constraint, len(prompts))
        return [self._one(p, c, max_new_tokens, temperature, seed) for p, c in zip(prompts, constraints)]

    def _one(self, prompt: Prompt, constraint: Constraint | None, max_new_tokens: int, temperature: float,
             seed: int | None) -> Generation:
        started = time.perf_counter()
        tokens = self.tokenize(self.render(prompt))
        room = self.llm.n_ctx() - len(tokens)
        if room < 1:
            return Generation("", "error", prompt_tokens=len(tokens), error=(
                f"prompt of {len(tokens)} tokens does not fit the context of {self.llm.n_ctx()} (raise n_ctx)"))
        gbnf = self.grammar(constraint) if constraint is not None else None
        bias = constraint.list_end_bias if constraint is not None else 0.0
        try:
            out, finish, stats = self._decode(tokens, min(max_new_tokens, room), temperature, seed, gbnf, bias)
        except (ValueError, RuntimeError) as exc:
            return Generation("", "error", prompt_tokens=len(tokens), seconds=time.perf_counter() - started,
                              error=f"llama.cpp: {exc}")
        if finish == "length" and max_new_tokens > room:
            stats["context_full"] = True
        text = self.llm.detokenize(out).decode("utf-8", errors="replace")
        return Generation(text, finish, prompt_tokens=len(tokens), completion_tokens=len(out),
                          seconds=time.perf_counter() - started, extra=stats)

    def _prefill(self, tokens: list[int]) -> None:
        """Evaluate the prompt, reusing the KV cache of the prefix it shares with the previous call."""
        llm = self.llm
        same = 0
        for a, b in zip(llm.input_ids[:llm.n_tokens].tolist(), tokens):
            if a != b:
                break
            same += 1
        same = min(same, len(tokens) - 1)  # at least one token is evaluated, to get fresh logits
        if same > 0 and llm._ctx.kv_cache_seq_rm(-1, same, -1):
            llm.n_tokens = same
        else:
            llm.reset()
        llm.eval(tokens[llm.n_tokens:])

    def list_end_tokens(self) -> Any:
        """Ids of the tokens that hold ``]`` (they close a JSON array), computed once."""
        import numpy as np

        if self._list_end is None:
            pieces = (self.llm.detokenize([i]) for i in range(self.llm.n_vocab()))
            self._list_end = np.array([i for i, piece in enumerate(pieces) if b"]" in piece], dtype=np.int64)
        return self._list_end

    def _decode(self, tokens: list[int], budget: int, temperature: float, seed: int | None,
                gbnf: str | None, list_end_bias: float = 0.0) -> tuple[list[int], str, dict[str, Any]]:
        import llama_cpp
        import numpy as np

        llm, vocab, n_vocab = self.llm, self.llm._model.vocab, self.llm.n_vocab()
        rng = np.random.default_rng(seed) if temperature > 0 else None
        grammar = _LazyGrammar(vocab, gbnf, n_vocab) if gbnf is not None else None
        biased = self.list_end_tokens() if list_end_bias else None
        wall, cpu = time.perf_counter(), time.process_time()
        self._prefill(tokens)
        out: list[int] = []
        stats: dict[str, Any] = {"prefill_seconds": time.perf_counter() - wall,
                                 "prefill_cpu_seconds": time.process_time() - cpu}
        finish = "length"
        try:
            for _ in range(budget):
                logits = np.ctypeslib.as_array(llama_cpp.llama_get_logits_ith(llm._ctx.ctx, -1), shape=(n_vocab,))
                if biased is not None:
                    logits[biased] += list_end_bias  # llama.cpp's buffer; the next eval overwrites it
                token = _pick(logits, temperature, rng)
                if grammar is not None:
                    token = grammar.choose(token, logits, temperature, rng)
                if llama_cpp.llama_vocab_is_eog(vocab, token):
                    finish = "stop"
                    break
                if grammar is not None:
                    grammar.accept(token)
                out.append(token)
                llm.eval([token])
        finally:
            if grammar is not None:
                stats.update(grammar.stats)
                grammar.close()
        stats["cpu_seconds"] = time.process_time() - cpu
        return out, finish, stats

    def close(self) -> None:
        llm, self.llm = getattr(self, "llm", None), None
        if llm is not None:
            llm.close()


def _pick(logits: Any, temperature: float, rng: Any) -> int:
    """Greedy (``temperature == 0``) or sampled from ``softmax(logits / temperature)``."""
    import numpy as np

    if rng is None:
        return int(np.argmax(logits))
    z = logits.astype(np.float64) / temperature
    p = np.exp(z - z.max())
    return int(rng.choice(len(p), p=p / p.sum()))


class _LazyGrammar:
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
                candidate = _pick(logits, temperature, rng)
                if self.allows(candidate):
                    return candidate
        self.stats["grammar_full_passes"] += 1
        masked = self.mask(logits)
        if not np.isfinite(masked.max()):  # cannot happen with a consistent grammar
            raise RuntimeError("the grammar allows no next token")
        return _pick(masked, temperature, rng)

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
