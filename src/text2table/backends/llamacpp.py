"""The ``llamacpp`` backend: llama-cpp-python on a GGUF file; the default is the embedded SmolLM2-135M.

Prompts are rendered with the chat template stored in the GGUF (ChatML for SmolLM2) in a sandboxed Jinja
environment and tokenised here, so a final assistant message is continued exactly (no end-of-turn).
Constraints become GBNF grammars (:func:`text2table.decoding.constraints.to_gbnf`) checked *lazily*: the decode loop
picks the next token from the raw logits and asks the grammar about that one token; when it is rejected,
the next-best candidates are asked one by one (:class:`~text2table.backends.llamacpp_grammar.LazyGrammar`). The result is the same as masking
every step (greedy: the best allowed token; sampling: the masked distribution), but a step costs
microseconds instead of a full-vocabulary grammar pass (about 12 ms for SmolLM2's 49k tokens).
Four things make it fast (each can be turned off, for comparison; ``threads`` given stay fixed):

- ``merge_lora``: a LoRA adapter is folded into the weights once and the merged GGUF is cached
  (:mod:`text2table.backends.lora_merge`), so the adapted model decodes at base-model speed;
- ``prefix_cache``: the KV state of prompt prefixes shared with earlier prompts (a stage's system message,
  policy and metadata) is kept and restored (:mod:`text2table.backends.llamacpp_prefix`);
- ``fast_forward``: text the grammar allows in exactly one way (keys, quotes, separators, pinned defaults:
  :mod:`text2table.decoding.forced`) is appended as one batched evaluation instead of one decode step per
  token, and a schema answer stops at its closing brace. ``extra["forced_tokens"]`` counts those tokens.
  ``join_forced`` evaluates such text in the same batch as the chosen token before it (a ``null`` and the
  next key: one evaluation instead of two);
- ``threads`` (when not given): the cores the load leaves free at start, then one fewer when a call got
  too little CPU and one more when a core stays free (:mod:`text2table.backends.llamacpp_threads`).
``parallel`` (off by default: it paid 3-8% on E2E documents and cost up to 12% on the sample's, measured on
2 cores) decodes the prompts of one ``generate`` call side by side, one llama.cpp batch per step, each in a
KV sequence that keeps its tokens for the next prompt that starts with them
(:mod:`text2table.backends.llamacpp_parallel`). ``workers`` (1 by default; an adapter's card may name more:
the box-score adapter's names 2) decodes the prompts of one call in that many contexts on the same weights at
once, each on its own share of the threads (:mod:`text2table.backends.llamacpp_lanes`). All loops choose each token by the same rule
(:class:`~text2table.backends.llamacpp_answer.Answer`).
llama-cpp-python must be the portable build (see the Makefile): the native build crashes on CPUs with
AMX. It is imported when the backend is created, not before.
"""

from __future__ import annotations

import json
import logging
import time
from pathlib import Path
from typing import Any

from text2table.decoding.constraints import DEFAULT_MAX_STRING, to_gbnf
from text2table.errors import ConfigError, InputError, MissingDependencyError
from text2table.backends.base import (Backend, Generation, Prompt, adapter_pi1_form, adapter_pi2_form,
                                      adapter_row_passages,
                                      adapter_row_passages_by_hint, per_prompt,
                                      register_backend)
from text2table.decoding.constraint import Constraint
from text2table.backends.llamacpp_answer import Answer
from text2table.backends.llamacpp_grammar import LazyGrammar, check_gbnf
from text2table.backends.llamacpp_lanes import Lane, Lanes, queue_order
from text2table.backends.llamacpp_options import CACHE_TYPES, card_cache_type_k, card_workers, check_options
from text2table.backends.llamacpp_parallel import ParallelDecoder, groups
from text2table.backends.llamacpp_prefix import PrefixStates
from text2table.backends.llamacpp_vocab import LlamaVocab
from text2table.backends.llamacpp_threads import ThreadPolicy, default_threads
from text2table.decoding.forced import tracker
from text2table.backends.models import is_gguf, resolve_model_path, split_continuation
from text2table.backends.chat_parts import prompt_parts

log = logging.getLogger(__name__)

@register_backend("llamacpp")
class LlamaCppBackend(Backend):
    """Options: ``model`` (a .gguf file; ``None``: embedded), ``n_ctx`` (context tokens), ``threads``
    (default: :func:`~text2table.backends.llamacpp_threads.default_threads`, then adjusted), ``n_batch`` (prompt batch), ``lora`` (a llama.cpp LoRA adapter in GGUF form),
    ``max_string_length`` (cap for constrained strings without ``maxLength``), ``merge_lora`` and
    ``merge_dtype`` (serve ``lora`` merged into the weights, stored as ``q8_0``, ``f16`` or ``f32``),
    ``prefix_cache``, ``fast_forward``, ``join_forced``, ``parallel`` (see the module docstring),
    ``parallel_ctx`` (KV cells shared by the answers decoded side by side), ``cache_type_k`` (the KV cache's
    keys stored as ``f16`` or ``q8_0``: llama.cpp's ``--cache-type-k``; None: the one ``lora``'s card names, else
    f16), ``workers`` (llama.cpp contexts decoding a call's prompts at once; see the module docstring; None: the
    number ``lora``'s card names, else 1),
    ``verbose``."""

    def __init__(self, *, model: str | None = None, n_ctx: int = 4096, threads: int | None = None,
                 n_batch: int = 512, lora: str | None = None, max_string_length: int = DEFAULT_MAX_STRING,
                 merge_lora: bool = True, merge_dtype: str = "q8_0", prefix_cache: bool = True,
                 fast_forward: bool = True, join_forced: bool = True, parallel: int = 1, parallel_ctx: int = 8192,
                 cache_type_k: str | None = None, workers: int | None = None, verbose: bool = False) -> None:
        try:
            import llama_cpp
            from llama_cpp.llama_chat_format import Jinja2ChatFormatter
        except ImportError as exc:
            raise MissingDependencyError("llama-cpp-python", "llamacpp") from exc
        path = resolve_model_path(model)
        if not is_gguf(path):
            raise InputError("the llamacpp backend needs a .gguf file", source=str(path),
                             hint="use --backend transformers for a Hugging Face model folder")
        check_options(n_ctx=n_ctx, parallel=parallel, parallel_ctx=parallel_ctx, cache_type_k=cache_type_k,
                      workers=1 if workers is None else workers)
        cache_type_k = cache_type_k or card_cache_type_k(lora)
        if workers is None:  # the card's, unless parallel (side by side in one context) was asked for
            workers = 1 if parallel > 1 else card_workers(lora)
        self.threads = threads or default_threads()
        self.thread_policy = ThreadPolicy(self.threads) if threads is None else None
        self.pi1_form, self.pi2_form = adapter_pi1_form(lora), adapter_pi2_form(lora)
        self.row_passages = adapter_row_passages(lora)
        self.row_passages_by_hint = adapter_row_passages_by_hint(lora)
        served, runtime_lora = path, lora
        if lora is not None and merge_lora:
            from text2table.backends.lora_merge import merged_gguf

            try:
                served, runtime_lora = merged_gguf(path, Path(lora), dtype=merge_dtype), None
            except MissingDependencyError as exc:  # an older install without gguf: slower, same answers
                log.warning("%s; applying the adapter at run time instead of merging it", exc)
        context = lambda: llama_cpp.Llama(  # noqa: E731 - one llama.cpp context (and model) per lane
            model_path=str(served), n_ctx=n_ctx, n_batch=n_batch, n_threads=self.threads,
            n_threads_batch=self.threads, lora_path=runtime_lora, verbose=verbose,
            type_k=getattr(llama_cpp, CACHE_TYPES[cache_type_k]))
        self.llm = context()
        self.prefix = PrefixStates(self.llm, enabled=prefix_cache)
        self.workers = workers
        self._lanes = Lanes([Lane(self.llm, self.prefix, self.threads)], self.threads)
        for _ in range(workers - 1):
            llm = context()
            self._lanes.add(Lane(llm, PrefixStates(llm, enabled=prefix_cache), self.threads))
        self.fast_forward, self.join_forced = fast_forward, join_forced
        self.parallel, self.parallel_ctx = parallel, parallel_ctx
        self._decoder: ParallelDecoder | None = None
        self.vocab = LlamaVocab(self.llm)  # what an answer asks of the tokenizer
        template = self.llm.metadata.get("tokenizer.chat_template")
        if not template:
            raise ConfigError(f"{path} has no chat template (tokenizer.chat_template); use an instruct model")
        self._eos = self._piece(self.llm.token_eos())
        self._bos = self._piece(self.llm.token_bos())
        self._formatter = Jinja2ChatFormatter(template, eos_token=self._eos, bos_token=self._bos)
        self.max_string_length = max_string_length
        self._grammars: dict[str, str] = {}
        self.options = {"model": str(path), "n_ctx": n_ctx, "threads": self.threads, "lora": lora,
                        "merged": str(served) if runtime_lora != lora else None, "prefix_cache": prefix_cache,
                        "fast_forward": fast_forward, "pi1_form": self.pi1_form,
                        "row_passages": self.row_passages}
        if parallel > 1:  # named only when on, so that runs signed before the option existed still resume
            self.options["parallel"] = parallel
        if not join_forced:  # likewise, named only when off
            self.options["join_forced"] = False
        if cache_type_k != "f16":  # likewise
            self.options["cache_type_k"] = cache_type_k
        if workers > 1:  # likewise
            self.options["workers"] = workers
        if self.row_passages_by_hint:  # likewise
            self.options["row_passages_by_hint"] = self.row_passages_by_hint
        if self.pi2_form != "full":  # likewise
            self.options["pi2_form"] = self.pi2_form

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
        wall, cpu = time.perf_counter(), time.process_time()
        gens = self._generate(prompts, constraint, max_new_tokens, temperature, seed)
        if self.thread_policy is not None:
            threads = self.thread_policy.observe(time.process_time() - cpu, time.perf_counter() - wall)
            if threads is not None:
                self._set_threads(threads)
        return gens

    def _set_threads(self, threads: int) -> None:
        import llama_cpp

        log.info("llama.cpp threads: %d -> %d (CPU share of the last call, load average)", self.threads, threads)
        self.threads = self._lanes.threads = threads  # each lane sets its share before its next evaluation
        if self._decoder is not None:
            llama_cpp.llama_set_n_threads(self._decoder.context.ctx, threads, threads)

    def _generate(self, prompts: list[Prompt], constraint: Constraint | list[Constraint | None] | None,
                  max_new_tokens: int, temperature: float, seed: int | None) -> list[Generation]:
        constraints = per_prompt(constraint, len(prompts))
        start = lambda i: self._answer(prompts[i], constraints[i], max_new_tokens, temperature, seed)  # noqa: E731
        answers = [start(i) for i in range(len(prompts))]
        gens: dict[int, Generation] = {i: a for i, a in enumerate(answers) if isinstance(a, Generation)}
        todo = [i for i in range(len(prompts)) if i not in gens]
        if self.parallel > 1 and self._parallel_decoder() is not None:
            fits = [self._decoder.fits(answers[i].tokens, answers[i].budget) for i in todo]
            for group in groups(fits, self.parallel):
                members = [todo[k] for k in group]
                if fits[group[0]]:  # else too long for a sequence: decoded below, in the main context
                    done = self._decode_parallel([answers[i] for i in members])
                    if done is None:  # failed: decoded again from the prompt, one at a time
                        for i in members:
                            answers[i] = start(i)
                    else:
                        gens.update(zip(members, done))
        lanes = min(self.workers, self.threads, len(todo))
        if lanes > 1:
            order = [todo[k] for k in queue_order([len(answers[i].tokens) for i in todo])]
            gens.update(self._lanes.run(order, lambda i, lane: self._decode_one(answers[i], lane)))
        for i in todo:
            if i not in gens:
                gens[i] = self._decode_one(answers[i])
        return [gens[i] for i in range(len(prompts))]

    def _answer(self, prompt: Prompt, constraint: Constraint | None, max_new_tokens: int, temperature: float,
                seed: int | None) -> Answer | Generation:
        """A prompt's decoding state (tokens, budget, grammar, forced text), or an error when it cannot start."""
        import numpy as np

        tokens = self.prompt_tokens(prompt)
        room = self.llm.n_ctx() - len(tokens)
        if room < 1:
            return Generation("", "error", prompt_tokens=len(tokens), error=(
                f"prompt of {len(tokens)} tokens does not fit the context of {self.llm.n_ctx()} (raise n_ctx)"))
        grammar = None
        if constraint is not None:
            grammar = LazyGrammar(self.llm._model.vocab, self.grammar(constraint), self.llm.n_vocab())
        forced = tracker(constraint) if constraint is not None and self.fast_forward else None
        partial = split_continuation(prompt)[1]
        if forced is not None and partial:
            forced.feed(partial.encode("utf-8"))  # a continued answer
        answer = Answer(tokens, min(max_new_tokens, room), self.vocab, temperature=temperature,
                        rng=np.random.default_rng(seed) if temperature > 0 else None, grammar=grammar,
                        forced=forced, list_end_bias=constraint.list_end_bias if constraint is not None else 0.0,
                        join_forced=self.join_forced)
        answer.stats["requested"] = max_new_tokens
        return answer

    def _generation(self, answer: Answer, seconds: float, extra: dict[str, Any]) -> Generation:
        stats = {**answer.close(), **extra}
        stats.pop("requested", None)
        if answer.finish == "length" and answer.budget < answer.stats.get("requested", answer.budget):
            stats["context_full"] = True
        text = self.llm.detokenize(answer.out).decode("utf-8", errors="replace")
        return Generation(text, answer.finish, prompt_tokens=len(answer.tokens), completion_tokens=len(answer.out),
                          seconds=seconds, extra=stats)

    def _decode_one(self, answer: Answer, lane: Lane | None = None) -> Generation:
        """Decode one answer in ``lane``'s context (default: the main one), one evaluation per step."""
        import llama_cpp
        import numpy as np

        lane = lane or self._lanes.lanes[0]
        llm, n_vocab = lane.llm, lane.llm.n_vocab()
        wall, cpu = time.perf_counter(), time.process_time()
        try:
            lane.prefix.prefill(answer.tokens, before_eval=lane.before_eval)
            stats: dict[str, Any] = {"prefill_seconds": time.perf_counter() - wall,
                                     "prefill_cpu_seconds": time.process_time() - cpu}
            logits = lambda: np.ctypeslib.as_array(llama_cpp.llama_get_logits_ith(llm._ctx.ctx, -1),  # noqa: E731
                                                   shape=(n_vocab,))
            while (tokens := answer.step(logits)) is not None:
                lane.before_eval(len(tokens))
                llm.eval(tokens)
        except (ValueError, RuntimeError) as exc:
            answer.close()
            return Generation("", "error", prompt_tokens=len(answer.tokens), seconds=time.perf_counter() - wall,
                              error=f"llama.cpp: {exc}")
        stats["cpu_seconds"] = time.process_time() - cpu
        return self._generation(answer, time.perf_counter() - wall, stats)

    def _decode_parallel(self, answers: list[Answer]) -> list[Generation] | None:
        """Decode ``answers`` side by side (:mod:`~text2table.backends.llamacpp_parallel`), wall and CPU
        seconds shared out equally; None when llama.cpp fails (the answers are then spent)."""
        wall, cpu = time.perf_counter(), time.process_time()
        try:
            counts = self._decoder.run(answers)
        except (ValueError, RuntimeError) as exc:
            log.warning("parallel decoding failed (%s); decoding these %d prompts one at a time", exc, len(answers))
            for answer in answers:
                answer.close()
            return None
        n = len(answers)
        share = {"parallel": n, "cpu_seconds": (time.process_time() - cpu) / n, **counts}
        return [self._generation(a, (time.perf_counter() - wall) / n, share) for a in answers]

    def _parallel_decoder(self) -> ParallelDecoder | None:
        """The parallel decoder, created on first use (None where the adapter is applied at run time)."""
        if self._decoder is None and self.options["lora"] is not None and self.options["merged"] is None:
            return None
        if self._decoder is None:
            self._decoder = ParallelDecoder(self.llm, parallel=self.parallel, n_ctx=self.parallel_ctx)
        return self._decoder

    def close(self) -> None:
        decoder, self._decoder = getattr(self, "_decoder", None), None
        if decoder is not None:
            decoder.close()
        lanes = getattr(self, "_lanes", None)
        extra = [lane.llm for lane in lanes.lanes[1:]] if lanes is not None else []
        llm, self.llm = getattr(self, "llm", None), None
        for context in [llm, *extra]:
            if context is not None:
                context.close()
