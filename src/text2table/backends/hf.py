"""The ``transformers`` backend: any local model folder or GGUF file (+ optional PEFT adapter), batched.

Prompts are rendered with the tokenizer's chat template, grouped by length into batches, left-padded and
decoded greedily by default. Constraints are enforced with llguidance: the grammar of
:func:`text2table.decoding.constraints.to_lark` masks the logits of every step (no torch.compile, no extra
dependencies). torch and transformers are imported when the backend is created, not before.
"""

from __future__ import annotations

import json
import time
from typing import Any

from text2table.decoding.constraints import DEFAULT_MAX_STRING, to_lark
from text2table.errors import ConfigError, MissingDependencyError
from text2table.backends.base import (Backend, Generation, Prompt, adapter_pi1_form, adapter_pi2_form,
                                      adapter_row_passages,
                                      adapter_row_passages_by_hint, per_prompt,
                                      register_backend)
from text2table.decoding.constraint import Constraint
from text2table.backends.chat_parts import prompt_parts
from text2table.backends.models import load_causal_lm


def _grammar_key(constraint: Constraint) -> str:
    return json.dumps([constraint.kind, constraint.json_schema, constraint.max_rows], sort_keys=True)


class _GrammarMask:
    """A transformers logits processor: one llguidance matcher per batch row (``None``: unconstrained).

    A row is masked until it has produced an end-of-sequence token; once its grammar is complete the
    matcher allows only end-of-sequence, so a constrained row always ends where its grammar ends.
    """

    def __init__(self, matchers: list[Any], vocab_size: int, eos_ids: list[int]) -> None:
        from llguidance.torch import allocate_token_bitmask

        self.matchers = matchers
        self.eos_ids = set(eos_ids)
        self.eos = eos_ids[0]
        self.finished = [m is None for m in matchers]
        self.errors: list[str | None] = [None] * len(matchers)
        self.started = False
        self.bitmask = allocate_token_bitmask(len(matchers), vocab_size)
        self.cpu_seconds = 0.0  # spent here: the constraint's whole cost

    def __call__(self, input_ids: Any, scores: Any) -> Any:
        started = time.process_time()
        try:
            return self._mask(input_ids, scores)
        finally:
            self.cpu_seconds += time.process_time() - started

    def _mask(self, input_ids: Any, scores: Any) -> Any:
        import numpy as np
        import torch
        from llguidance.torch import fill_next_token_bitmask

        if self.started:
            for i, matcher in enumerate(self.matchers):
                if self.finished[i]:
                    continue
                token = int(input_ids[i, -1])
                if token in self.eos_ids:
                    self.finished[i] = True
                elif not matcher.consume_token(token) and self.errors[i] is None:
                    self.errors[i] = matcher.get_error()[:300]
        self.started = True
        rows = [i for i, done in enumerate(self.finished) if not done]
        if not rows:
            return scores
        for i in rows:
            if self.matchers[i].is_error():  # cannot happen with a correct mask; end the row cleanly
                row = self.bitmask[i].numpy().view(np.uint8)
                row[:] = 0
                row[self.eos // 8] = 1 << (self.eos % 8)
            else:
                fill_next_token_bitmask(self.matchers[i], self.bitmask, i)
        vocab = scores.shape[1]
        bits = min(vocab, self.bitmask.shape[1] * 32)
        words = self.bitmask[rows].numpy().view(np.uint8)
        banned = np.unpackbits(words, axis=1, bitorder="little", count=bits) == 0
        if bits < vocab:  # ids beyond the tokenizer's vocabulary are never allowed
            banned = np.pad(banned, ((0, 0), (0, vocab - bits)), constant_values=True)
        if scores.device.type == "cpu" and scores.dtype == torch.float32 and scores.is_contiguous():
            view = scores.numpy()  # shares memory: numpy masks in place, without torch's per-op overhead
            for j, i in enumerate(rows):
                np.putmask(view[i], banned[j], -np.inf)
        else:
            index = torch.tensor(rows, device=scores.device)
            scores[index] = scores[index].masked_fill(torch.from_numpy(banned).to(scores.device), float("-inf"))
        return scores


class _ListEndBias:
    """A logits processor adding each row's ``Constraint.list_end_bias`` to the tokens that hold ``]``."""

    def __init__(self, token_ids: list[int], biases: list[float]) -> None:
        self.token_ids, self.biases = token_ids, biases

    def __call__(self, input_ids: Any, scores: Any) -> Any:
        for row, bias in enumerate(self.biases):
            if bias:
                scores[row, self.token_ids] += bias
        return scores


class _Clock:
    """A logits processor that only notes when the first step starts (the prompt has been evaluated)."""

    def __init__(self) -> None:
        self.first: tuple[float, float] | None = None

    def __call__(self, input_ids: Any, scores: Any) -> Any:
        if self.first is None:
            self.first = (time.perf_counter(), time.process_time())
        return scores


@register_backend("transformers")
class TransformersBackend(Backend):
    """Options: ``model`` (folder or .gguf; ``None``: the embedded model), ``adapter`` (PEFT folder),
    ``dtype`` (default float32 on CPU), ``device``, ``batch_size``, ``threads`` (torch CPU threads),
    ``max_string_length`` (cap for constrained strings without ``maxLength``)."""

    def __init__(self, *, model: str | None = None, adapter: str | None = None, dtype: str | None = None,
                 device: str = "cpu", batch_size: int = 8, threads: int | None = None,
                 max_string_length: int = DEFAULT_MAX_STRING, lm: Any = None, tokenizer: Any = None) -> None:
        if batch_size < 1:
            raise ConfigError(f"batch_size={batch_size}; expected >= 1")
        try:
            import torch
        except ImportError as exc:  # pragma: no cover - depends on the environment
            raise MissingDependencyError("torch", "hf") from exc
        if threads:
            torch.set_num_threads(threads)
        label = str(model) if model is not None else ("in-memory" if lm is not None else "embedded")
        self.pi1_form, self.pi2_form = adapter_pi1_form(adapter), adapter_pi2_form(adapter)
        self.row_passages = adapter_row_passages(adapter)
        self.row_passages_by_hint = adapter_row_passages_by_hint(adapter)
        if lm is None:
            lm, tokenizer = load_causal_lm(model, adapter=adapter, dtype=dtype, device=device, merge_adapter=True)
        elif tokenizer is None:
            raise ConfigError("pass `tokenizer` together with a preloaded `lm`")
        self.lm, self.tokenizer = lm, tokenizer
        self.options = {"model": label,
                        "adapter": str(adapter) if adapter else None, "device": device,
                        "dtype": str(next(lm.parameters()).dtype).replace("torch.", ""),
                        "batch_size": batch_size, "threads": threads or torch.get_num_threads(),
                        "pi1_form": self.pi1_form, "row_passages": self.row_passages}
        if self.row_passages_by_hint:  # named only when set, so that runs signed before the key existed resume
            self.options["row_passages_by_hint"] = self.row_passages_by_hint
        if self.pi2_form != "full":  # likewise
            self.options["pi2_form"] = self.pi2_form
        self.batch_size, self.device, self.max_string_length = batch_size, device, max_string_length
        self.eos_ids = self._eos_ids()
        self._llg_tokenizer: Any = None
        self._grammars: dict[str, str] = {}
        self._list_end: list[int] | None = None

    @classmethod
    def from_objects(cls, lm: Any, tokenizer: Any, **options: Any) -> "TransformersBackend":
        """Wrap a model and tokenizer already in memory (tests, evaluation inside training)."""
        return cls(lm=lm, tokenizer=tokenizer, **options)

    def describe(self) -> dict[str, Any]:
        return {"backend": self.name, **self.options}

    def _eos_ids(self) -> list[int]:
        ids = getattr(self.lm.generation_config, "eos_token_id", None) or self.tokenizer.eos_token_id
        ids = [ids] if isinstance(ids, int) else list(ids)
        if self.tokenizer.eos_token_id is not None and self.tokenizer.eos_token_id not in ids:
            ids.insert(0, self.tokenizer.eos_token_id)
        return ids

    # ------------------------------------------------------------ constraints
    def _matcher(self, constraint: Constraint) -> Any:
        try:
            import llguidance
            import llguidance.hf
        except ImportError as exc:  # pragma: no cover - depends on the environment
            raise MissingDependencyError("llguidance", "hf") from exc
        if self._llg_tokenizer is None:
            self._llg_tokenizer = llguidance.hf.from_tokenizer(
                self.tokenizer, n_vocab=self.lm.config.vocab_size, eos_token=self.eos_ids[0])
        key = _grammar_key(constraint)
        if key not in self._grammars:
            lark = to_lark(constraint, default_max_string=self.max_string_length)
            self._grammars[key] = llguidance.LLMatcher.grammar_from_lark(lark)
        matcher = llguidance.LLMatcher(self._llg_tokenizer, self._grammars[key], log_level=0)
        if matcher.is_error():
            raise ConfigError(f"llguidance rejected the {constraint.kind} grammar: {matcher.get_error()[:300]}")
        return matcher

    # ------------------------------------------------------------ generation
    def generate(self, prompts: list[Prompt], *, constraint: Constraint | list[Constraint | None] | None = None,
                 max_new_tokens: int = 512, temperature: float = 0.0, seed: int | None = 0) -> list[Generation]:
        constraints = per_prompt(constraint, len(prompts))
        ids = [self.prompt_ids(p) for p in prompts]
        lengths = [len(x) for x in ids]
        limit = getattr(self.lm.config, "max_position_embeddings", None)
        results: list[Generation | None] = [None] * len(prompts)
        runnable = []
        for i, n in enumerate(lengths):
            if limit is not None and n + max_new_tokens > limit:
                results[i] = Generation("", "error", prompt_tokens=n, error=(
                    f"prompt of {n} tokens + max_new_tokens {max_new_tokens} exceeds the context of {limit}"))
            else:
                runnable.append(i)
        runnable.sort(key=lambda i: lengths[i])  # similar lengths share a batch: less padding
        for start in range(0, len(runnable), self.batch_size):
            batch = runnable[start:start + self.batch_size]
            outs = self._generate_batch([ids[i] for i in batch], [constraints[i] for i in batch],
                                        max_new_tokens, temperature, seed)
            for i, out in zip(batch, outs):
                results[i] = out
        return [r for r in results if r is not None]

    def prompt_ids(self, messages: Prompt) -> list[int]:
        """The prompt's token ids: control tokens only where the chat template wrote them; message contents
        (documents, a continued answer) are plain text (:mod:`text2table.backends.chat_parts`)."""
        tok = self.tokenizer
        parts = prompt_parts(messages, lambda marked: tok.apply_chat_template(
            marked, tokenize=False, add_generation_prompt=True))
        return [t for text, template in parts
                for t in tok(text, add_special_tokens=False, split_special_tokens=not template)["input_ids"]]

    def _generate_batch(self, ids: list[list[int]], constraints: list[Constraint | None], max_new_tokens: int,
                        temperature: float, seed: int | None) -> list[Generation]:
        import torch

        started, cpu = time.perf_counter(), time.process_time()
        enc = self.tokenizer.pad({"input_ids": ids}, padding=True, padding_side="left",
                                 return_tensors="pt").to(self.device)
        matchers = [self._matcher(c) if c is not None else None for c in constraints]
        clock = _Clock()
        processors: list[Any] = [clock]
        mask = None
        biases = [c.list_end_bias if c is not None else 0.0 for c in constraints]
        if any(biases):  # before the mask, so that a banned token stays banned
            if self._list_end is None:
                vocab = self.tokenizer.convert_ids_to_tokens(list(range(len(self.tokenizer))))
                self._list_end = [i for i, piece in enumerate(vocab) if piece and "]" in piece]
            processors.append(_ListEndBias(self._list_end, biases))
        if any(m is not None for m in matchers):
            mask = _GrammarMask(matchers, self.lm.config.vocab_size, self.eos_ids)
            processors.append(mask)
        sampling: dict[str, Any] = {"do_sample": False}
        if temperature > 0:
            if seed is not None:
                torch.manual_seed(seed)
            sampling = {"do_sample": True, "temperature": temperature, "top_k": 0, "top_p": 1.0}
        from transformers import LogitsProcessorList

        with torch.inference_mode():
            out = self.lm.generate(**enc, max_new_tokens=max_new_tokens, eos_token_id=self.eos_ids,
                                   pad_token_id=self.tokenizer.pad_token_id,
                                   logits_processor=LogitsProcessorList(processors), **sampling)
        n = len(ids)
        seconds, cpu_seconds = (time.perf_counter() - started) / n, (time.process_time() - cpu) / n
        first = clock.first or (time.perf_counter(), time.process_time())
        timing = {"batch_size": n, "cpu_seconds": cpu_seconds, "prefill_seconds": (first[0] - started) / n,
                  "prefill_cpu_seconds": (first[1] - cpu) / n,  # per prompt: the batch's time shared out
                  "constraint_cpu_seconds": mask.cpu_seconds / n if mask is not None else 0.0}
        prompt_lens = enc["attention_mask"].sum(dim=1).tolist()
        results = []
        for row, tokens in enumerate(out[:, enc["input_ids"].shape[1]:].tolist()):
            cut = next((k for k, t in enumerate(tokens) if t in self.eos_ids), None)
            kept = tokens if cut is None else tokens[:cut]
            error = mask.errors[row] if mask is not None else None
            results.append(Generation(
                self.tokenizer.decode(kept, skip_special_tokens=True), "stop" if cut is not None else "length",
                prompt_tokens=int(prompt_lens[row]), completion_tokens=len(kept), seconds=seconds,
                error=error, extra=dict(timing)))
        return results

    def close(self) -> None:
        self._grammars.clear()
