"""The ``llamacpp`` backend: llama-cpp-python on a GGUF file; the default is the embedded SmolLM2-135M.

Prompts are rendered with the chat template stored in the GGUF (ChatML for SmolLM2) in a sandboxed Jinja
environment and tokenised here, so a final assistant message is continued exactly (no end-of-turn).
Constraints become GBNF grammars (:func:`text2table.decoding.constraints.to_gbnf`) checked *lazily*: the decode loop
picks the next token from the raw logits and asks the grammar about that one token; when it is rejected,
the next-best candidates are asked one by one (:class:`~text2table.backends.llamacpp_grammar.LazyGrammar`). The result is the same as masking
every step (greedy: the best allowed token; sampling: the masked distribution), but a step costs
microseconds instead of a full-vocabulary grammar pass (about 12 ms for SmolLM2's 49k tokens).
Three things make it fast (each can be turned off, for comparison):

- ``merge_lora``: a LoRA adapter is folded into the weights once and the merged GGUF is cached
  (:mod:`text2table.backends.lora_merge`), so the adapted model decodes at base-model speed;
- ``prefix_cache``: the KV state of prompt prefixes shared with earlier prompts (a stage's system message,
  policy and metadata) is kept and restored (:mod:`text2table.backends.llamacpp_prefix`);
- ``fast_forward``: text the grammar allows in exactly one way (keys, quotes, separators, pinned defaults:
  :mod:`text2table.decoding.forced`) is appended as one batched evaluation instead of one decode step per
  token, and a schema answer stops at its closing brace. ``extra["forced_tokens"]`` counts those tokens.
llama-cpp-python must be the portable build (see the Makefile): the native build crashes on CPUs with
AMX. It is imported when the backend is created, not before.
"""

from __future__ import annotations

import json
import logging
import os
import time
from pathlib import Path
from typing import Any

from text2table.decoding.constraints import DEFAULT_MAX_STRING, to_gbnf
from text2table.errors import ConfigError, InputError, MissingDependencyError
from text2table.backends.base import Backend, Generation, Prompt, adapter_pi1_form, per_prompt, register_backend
from text2table.decoding.constraint import Constraint
from text2table.backends.llamacpp_grammar import LazyGrammar, pick
from text2table.backends.llamacpp_prefix import PrefixStates
from text2table.decoding.forced import tracker
from text2table.backends.models import is_gguf, resolve_model_path, split_continuation
from text2table.backends.chat_parts import prompt_parts

log = logging.getLogger(__name__)


def check_gbnf(llm: Any, gbnf: str) -> None:
    """Raise :class:`ConfigError` when llama.cpp cannot parse ``gbnf`` (it would otherwise fail later)."""
    import llama_cpp

    sampler = llama_cpp.llama_sampler_init_grammar(llm._model.vocab, gbnf.encode("utf-8"), b"root")
    if not sampler:
        raise ConfigError(f"llama.cpp rejected the grammar (first lines: {gbnf[:200]!r})")
    llama_cpp.llama_sampler_free(sampler)


def default_threads() -> int:
    """All cores but one, fewer when the machine is busy (at least one), chosen when the backend starts.

    llama.cpp's threads wait for each other by spinning: on a busy machine, as many threads as cores made
    decoding 15-50x slower (measured on 2 shared cores), while one thread fewer costs little when the
    machine is idle. The 1-minute load average says how many cores others are using."""
    cores = os.cpu_count() or 2
    try:
        busy = round(os.getloadavg()[0])
    except (AttributeError, OSError):  # not available on every platform
        busy = 0
    return max(1, min(cores - 1, cores - busy))


@register_backend("llamacpp")
class LlamaCppBackend(Backend):
    """Options: ``model`` (a .gguf file; ``None``: embedded), ``n_ctx`` (context tokens), ``threads``
    (default: :func:`default_threads`), ``n_batch`` (prompt batch), ``lora`` (a llama.cpp LoRA adapter in GGUF form),
    ``max_string_length`` (cap for constrained strings without ``maxLength``), ``merge_lora`` and
    ``merge_dtype`` (serve ``lora`` merged into the weights, stored as ``q8_0``, ``f16`` or ``f32``),
    ``prefix_cache``, ``fast_forward`` (see the module docstring), ``verbose``."""

    def __init__(self, *, model: str | None = None, n_ctx: int = 4096, threads: int | None = None,
                 n_batch: int = 512, lora: str | None = None, max_string_length: int = DEFAULT_MAX_STRING,
                 merge_lora: bool = True, merge_dtype: str = "q8_0", prefix_cache: bool = True,
                 fast_forward: bool = True, verbose: bool = False) -> None:
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
        self.pi1_form = adapter_pi1_form(lora)
        served, runtime_lora = path, lora
        if lora is not None and merge_lora:
            from text2table.backends.lora_merge import merged_gguf

            try:
                served, runtime_lora = merged_gguf(path, Path(lora), dtype=merge_dtype), None
            except MissingDependencyError as exc:  # an older install without gguf: slower, same answers
                log.warning("%s; applying the adapter at run time instead of merging it", exc)
        self.llm = llama_cpp.Llama(model_path=str(served), n_ctx=n_ctx, n_batch=n_batch, n_threads=self.threads,
                                   n_threads_batch=self.threads, lora_path=runtime_lora, verbose=verbose)
        self.prefix = PrefixStates(self.llm, enabled=prefix_cache)
        self.fast_forward = fast_forward
        self._forced_tokens: dict[bytes, list[int]] = {}
        template = self.llm.metadata.get("tokenizer.chat_template")
        if not template:
            raise ConfigError(f"{path} has no chat template (tokenizer.chat_template); use an instruct model")
        self._eos = self._piece(self.llm.token_eos())
        self._bos = self._piece(self.llm.token_bos())
        self._formatter = Jinja2ChatFormatter(template, eos_token=self._eos, bos_token=self._bos)
        self.max_string_length = max_string_length
        self._grammars: dict[str, str] = {}
        self._list_end: Any = None
        self.options = {"model": str(path), "n_ctx": n_ctx, "threads": self.threads, "lora": lora,
                        "merged": str(served) if runtime_lora != lora else None, "prefix_cache": prefix_cache,
                        "fast_forward": fast_forward, "pi1_form": self.pi1_form}

    def describe(self) -> dict[str, Any]:
        return {"backend": self.name, **self.options}

    def _piece(self, token: int) -> str:
        return self.llm.detokenize([token], special=True).decode("utf-8", errors="replace") if token >= 0 else ""

    def render(self, messages: Prompt) -> str:
        """The prompt text: chat template + generation prompt (+ the partial assistant answer)."""
        head, partial = split_continuation(messages)
        return self._formatter(messages=head).prompt + (partial or "")

    def tokenize(self, text: str) -> list[int]:
        """Token ids of ``text`` (control-token text parsed) after the model's BOS."""
        return self._with_bos(self.llm.tokenize(text.encode("utf-8"), add_bos=False, special=True))

    def _with_bos(self, tokens: list[int]) -> list[int]:
        bos = self.llm.token_bos()
        if self.llm._model.add_bos_token() and bos >= 0 and tokens[:1] != [bos]:
            tokens.insert(0, bos)
        return tokens

    def prompt_tokens(self, messages: Prompt) -> list[int]:
        """The prompt's token ids: control tokens only where the chat template wrote them; message contents
        (documents, a continued answer) are plain text (:mod:`text2table.backends.chat_parts`)."""
        parts = prompt_parts(messages, lambda marked: self._formatter(messages=marked).prompt)
        return self._with_bos([t for text, template in parts
                               for t in self.llm.tokenize(text.encode("utf-8"), add_bos=False, special=template)])

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
        tokens = self.prompt_tokens(prompt)
        room = self.llm.n_ctx() - len(tokens)
        if room < 1:
            return Generation("", "error", prompt_tokens=len(tokens), error=(
                f"prompt of {len(tokens)} tokens does not fit the context of {self.llm.n_ctx()} (raise n_ctx)"))
        gbnf = self.grammar(constraint) if constraint is not None else None
        bias = constraint.list_end_bias if constraint is not None else 0.0
        forced = tracker(constraint) if constraint is not None and self.fast_forward else None
        if forced is not None and split_continuation(prompt)[1]:
            forced.feed(split_continuation(prompt)[1].encode("utf-8"))  # a continued answer
        try:
            out, finish, stats = self._decode(tokens, min(max_new_tokens, room), temperature, seed, gbnf, bias,
                                              forced)
        except (ValueError, RuntimeError) as exc:
            return Generation("", "error", prompt_tokens=len(tokens), seconds=time.perf_counter() - started,
                              error=f"llama.cpp: {exc}")
        if finish == "length" and max_new_tokens > room:
            stats["context_full"] = True
        text = self.llm.detokenize(out).decode("utf-8", errors="replace")
        return Generation(text, finish, prompt_tokens=len(tokens), completion_tokens=len(out),
                          seconds=time.perf_counter() - started, extra=stats)

    def _prefill(self, tokens: list[int]) -> None:
        """Evaluate the prompt, reusing the KV state of prefixes shared with earlier prompts."""
        self.prefix.prefill(tokens)

    def _forced(self, text: bytes) -> list[int]:
        if text not in self._forced_tokens:
            self._forced_tokens[text] = self.llm.tokenize(text, add_bos=False, special=False)
        return self._forced_tokens[text]

    def list_end_tokens(self) -> Any:
        """Ids of the tokens that hold ``]`` (they close a JSON array), computed once."""
        import numpy as np

        if self._list_end is None:
            pieces = (self.llm.detokenize([i]) for i in range(self.llm.n_vocab()))
            self._list_end = np.array([i for i, piece in enumerate(pieces) if b"]" in piece], dtype=np.int64)
        return self._list_end

    def _decode(self, tokens: list[int], budget: int, temperature: float, seed: int | None,
                gbnf: str | None, list_end_bias: float = 0.0,
                forced: Any = None) -> tuple[list[int], str, dict[str, Any]]:
        import llama_cpp
        import numpy as np

        llm, vocab, n_vocab = self.llm, self.llm._model.vocab, self.llm.n_vocab()
        rng = np.random.default_rng(seed) if temperature > 0 else None
        grammar = LazyGrammar(vocab, gbnf, n_vocab) if gbnf is not None else None
        biased = self.list_end_tokens() if list_end_bias else None
        wall, cpu = time.perf_counter(), time.process_time()
        self._prefill(tokens)
        out: list[int] = []
        stats: dict[str, Any] = {"prefill_seconds": time.perf_counter() - wall,
                                 "prefill_cpu_seconds": time.process_time() - cpu}
        finish = "length"
        stats["forced_tokens"] = 0
        try:
            while len(out) < budget:
                if forced is not None and grammar is not None:
                    if forced.finished():
                        finish = "stop"
                        break
                    if self._fast_forward(forced, grammar, out, budget, stats):
                        continue
                logits = np.ctypeslib.as_array(llama_cpp.llama_get_logits_ith(llm._ctx.ctx, -1), shape=(n_vocab,))
                if biased is not None:
                    logits[biased] += list_end_bias  # llama.cpp's buffer; the next eval overwrites it
                token = pick(logits, temperature, rng)
                if grammar is not None:
                    token = grammar.choose(token, logits, temperature, rng)
                if llama_cpp.llama_vocab_is_eog(vocab, token):
                    finish = "stop"
                    break
                if grammar is not None:
                    grammar.accept(token)
                out.append(token)
                llm.eval([token])
                if forced is not None:
                    forced.feed(llm.detokenize([token]))
        finally:
            if grammar is not None:
                stats.update(grammar.stats)
                grammar.close()
        stats["cpu_seconds"] = time.process_time() - cpu
        return out, finish, stats

    def _fast_forward(self, forced: Any, grammar: LazyGrammar, out: list[int], budget: int,
                      stats: dict[str, Any]) -> bool:
        """Append the text the grammar forces now as one evaluation; False when there is none."""
        text = forced.pending()
        if not text:
            return False
        tokens = self._forced(text)
        if forced.before_choice():
            tokens = tokens[:-1]  # the model picks the branch with a merged token (`},{"`, `}],"`)
        batch = []
        for token in tokens[:budget - len(out)]:
            if not grammar.allows(token):  # the tokens of the forced text must pass the grammar
                break
            grammar.accept(token)
            batch.append(token)
        if not batch:
            if len(tokens) > 0:
                forced.dead = True  # the grammar disagrees: plain decoding for the rest of this answer
            return False
        self.llm.eval(batch)
        out.extend(batch)
        forced.feed(self.llm.detokenize(batch))
        stats["forced_tokens"] += len(batch)
        return True

    def close(self) -> None:
        llm, self.llm = getattr(self, "llm", None), None
        if llm is not None:
            llm.close()
