"""GRPO with each prompt run once per group, when sampling and when scoring: the same numbers, fewer tokens.

A GRPO step samples several completions of each prompt and scores each against that prompt. TRL runs the
model over ``prompt + completion`` for every completion, so with 4 generations of a 260-token prompt and
40-token answers it runs 1,200 tokens forward and backward where 420 carry new information.

- :func:`shared_prefix_logps` (scoring) runs each distinct prompt of a micro-batch once, keeping its
  key/value cache *with* its autograd graph, repeats that cache for the prompt's completions and runs only
  their tokens on top. The log-probabilities are the same, and so is the gradient: it flows back through the
  repeated cache into the one prompt pass (the tests check both against the full pass on a tiny Llama).
- :func:`shared_prefix_sample` (sampling) computes each prompt's cache once, repeats it for its
  generations, and lets a generation that has ended leave the batch.
- :func:`with_shared_prefix` puts both into TRL's ``GRPOTrainer`` (``rl.shared_prefix`` in a recipe).

Scoring pays when a micro-batch holds several completions of one prompt. TRL shuffles a step's completions
before cutting micro-batches, so a recipe that turns it on sets ``micro_batch_size`` to the whole step
(``recipes/smollm2-135m-cpu.yaml``). Positions are those of the full pass (left padding counted, as TRL's
pass does); a model whose forward does not take ``past_key_values`` cannot use it. With LoRA dropout the
prompt pass draws one dropout mask for its whole group (the full pass draws one per completion): the same
gradient in expectation, with noise shared inside a group. Measurements:
``docs/training-cpu.md`` (``bench/bench_grpo.py``).
"""

from __future__ import annotations

from typing import Any


def prompt_groups(prompt_ids: Any, prompt_mask: Any) -> tuple[list[int], list[int]]:
    """``(first, index)``: the row of each distinct prompt (its first occurrence) and, for every row, the
    position of its prompt in ``first``. Two rows share a prompt when their tokens and padding are equal."""
    first: list[int] = []
    index: list[int] = []
    seen: dict[bytes, int] = {}
    for row in range(prompt_ids.size(0)):
        key = (prompt_ids[row] * prompt_mask[row]).cpu().numpy().tobytes() + prompt_mask[row].cpu().numpy().tobytes()
        if key not in seen:
            seen[key] = len(first)
            first.append(row)
        index.append(seen[key])
    return first, index


def _rows_cache(cache: Any, rows: Any) -> Any:
    """A new cache holding ``rows`` of ``cache`` (indexing keeps the autograd graph to the prompt pass)."""
    from transformers import DynamicCache

    return DynamicCache([(layer.keys[rows], layer.values[rows]) for layer in cache.layers])


def shared_prefix_logps(model: Any, input_ids: Any, attention_mask: Any, logits_to_keep: int,
                        temperature: float = 1.0, *, entropy: bool = False, fused: bool = False,
                        tail_rows: int = 4) -> Any:
    """Per-token log-probabilities ``[batch, logits_to_keep]`` of the last ``logits_to_keep`` tokens of each row
    (the completion), at ``temperature``, with each distinct prompt run once (see the module docstring).
    ``entropy=True`` returns ``(log_probs, entropies)``, the entropy of each predicted distribution. Positions
    after a completion's end (padding) hold 0.

    The prompts' tokens but the last are run once and cached. The rows are then sorted by completion length and
    run ``tail_rows`` at a time, each its prompt's last token and its completion (cut at the longest in its
    group, so a long completion does not pad the others) on top of its prompt's cache. ``fused=True`` scores
    them with the model's fused LM head (TRL's ``add_fused_lm_head``: log-probabilities in tiles at the
    temperature it was patched with, never the whole ``batch x tokens x vocabulary`` logits in memory)."""
    import torch
    import torch.nn.functional as F

    prompt_len = input_ids.size(1) - logits_to_keep
    if prompt_len < 1:
        raise ValueError(f"logits_to_keep={logits_to_keep} leaves no prompt in rows of {input_ids.size(1)} tokens")
    prompts, prompt_mask = input_ids[:, :prompt_len], attention_mask[:, :prompt_len]
    first, index = prompt_groups(prompts, prompt_mask)
    cache = None
    if prompt_len > 1:
        cache = model(input_ids=prompts[first, :-1], attention_mask=prompt_mask[first, :-1], use_cache=True,
                      logits_to_keep=1).past_key_values
    lengths = attention_mask[:, prompt_len:].sum(1).tolist()
    order = sorted(range(input_ids.size(0)), key=lambda r: lengths[r])
    parts: list[tuple[Any, Any]] = []
    for start in range(0, len(order), max(1, tail_rows)):
        rows = order[start:start + max(1, tail_rows)]
        width = max(1, max(lengths[r] for r in rows))
        tail = input_ids[rows, prompt_len - 1:prompt_len + width]  # the prompt's last token predicts the first
        mask = attention_mask[rows, :prompt_len + width]
        kwargs = {} if cache is None else {
            "past_key_values": _rows_cache(cache, torch.tensor([index[r] for r in rows], device=input_ids.device))}
        if fused:
            labels = tail.masked_fill(mask[:, prompt_len - 1:] == 0, -100)
            labels[:, 0] = -100
            out = model(input_ids=tail, attention_mask=mask, labels=labels, fused_lm_head=True, **kwargs)
            lp, ent = out.log_probs, out.entropy
        else:
            out = model(input_ids=tail, attention_mask=mask, use_cache=True, **kwargs)
            all_logps = torch.log_softmax(out.logits[:, :-1].float() / temperature, dim=-1)
            lp = all_logps.gather(-1, tail[:, 1:].unsqueeze(-1)).squeeze(-1)
            ent = -(all_logps.exp() * all_logps).sum(-1) if entropy else None
        on = mask[:, prompt_len:].to(lp.dtype)
        pad = logits_to_keep - lp.size(1)
        parts.append((F.pad(lp * on, (0, pad)), F.pad(ent * on, (0, pad)) if entropy else None))
    back = torch.tensor(sorted(range(len(order)), key=lambda i: order[i]), device=input_ids.device)
    logps = torch.cat([p[0] for p in parts])[back]
    if not entropy:
        return logps
    return logps, torch.cat([p[1] for p in parts])[back]


def left_pad(rows: list[list[int]], pad_id: int) -> tuple[Any, Any]:
    """``(ids, mask)``: token lists left-padded to one length (as TRL pads prompts for generation)."""
    import torch

    width = max(len(r) for r in rows)
    ids = torch.tensor([[pad_id] * (width - len(r)) + list(r) for r in rows])
    mask = torch.tensor([[0] * (width - len(r)) + [1] * len(r) for r in rows])
    return ids, mask


def _next_tokens(logits: Any, temperature: float, top_p: float) -> Any:
    """One token per row: greedy at temperature 0, else sampled at ``temperature`` from the top-``top_p`` mass
    (the order of ``generate``'s warpers: temperature, then nucleus)."""
    import torch

    if temperature <= 0:
        return logits.argmax(-1)
    probs = torch.softmax(logits.float() / temperature, dim=-1)
    if top_p < 1.0:
        sorted_probs, order = probs.sort(dim=-1, descending=True)
        outside = sorted_probs.cumsum(-1) - sorted_probs > top_p  # tokens after the mass is reached
        sorted_probs = sorted_probs.masked_fill(outside, 0.0)
        probs = torch.zeros_like(probs).scatter(-1, order, sorted_probs)
    return torch.multinomial(probs, 1).squeeze(-1)


def shared_prefix_sample(model: Any, prompt_ids: list[list[int]], *, max_new_tokens: int, eos: list[int],
                         pad_id: int, temperature: float = 1.0, top_p: float = 1.0) -> list[list[int]]:
    """One completion per row of ``prompt_ids`` (each ending at its first ``eos`` token, or after
    ``max_new_tokens``). Each distinct prompt is run once and its key/value cache repeated for its rows; a row
    that has ended leaves the batch, so the decode steps cost what the unfinished rows need rather than
    ``rows x longest``. Positions count from the padded start, as the training pass does (for rotary models a
    constant shift per row changes nothing). Call it under ``torch.no_grad()``."""
    import torch

    distinct: dict[tuple[int, ...], int] = {}
    index = [distinct.setdefault(tuple(r), len(distinct)) for r in prompt_ids]
    ids, mask = left_pad([list(k) for k in distinct], pad_id)
    rows = torch.tensor(index)
    out = model(input_ids=ids, attention_mask=mask, use_cache=True, logits_to_keep=1)
    cache, logits, mask = _rows_cache(out.past_key_values, rows), out.logits[rows, -1], mask[rows]
    stops = set(eos)
    completions: list[list[int]] = [[] for _ in prompt_ids]
    active = list(range(len(prompt_ids)))
    for step in range(max_new_tokens):
        tokens = _next_tokens(logits, temperature, top_p)
        keep = []
        for j, (row, token) in enumerate(zip(active, tokens.tolist())):
            completions[row].append(token)
            if token not in stops:
                keep.append(j)
        if not keep or step == max_new_tokens - 1:
            break
        if len(keep) < len(active):
            kept = torch.tensor(keep)
            cache.batch_select_indices(kept)
            mask, tokens, active = mask[kept], tokens[kept], [active[j] for j in keep]
        mask = torch.cat([mask, mask.new_ones(len(active), 1)], dim=1)
        out = model(input_ids=tokens.unsqueeze(-1), attention_mask=mask, past_key_values=cache, use_cache=True)
        logits = out.logits[:, -1]
    return completions


def with_shared_prefix(trainer_class: Any, *, generation: bool = True) -> Any:
    """A subclass of TRL's ``GRPOTrainer`` (``trainer_class``) whose log-probabilities come from
    :func:`shared_prefix_logps` and (``generation``) whose groups are sampled by :func:`shared_prefix_sample`;
    calls they cannot serve (MoE aux loss, images, tools, vLLM, top-k, min-p, repetition penalty) go to TRL's
    own code."""
    import torch

    class SharedPrefixGRPOTrainer(trainer_class):  # type: ignore[misc, valid-type]
        def _get_per_token_logps_and_entropies(self, model: Any, input_ids: Any, attention_mask: Any,
                                               logits_to_keep: int, batch_size: int | None = None,
                                               compute_entropy: bool = False, compute_aux_loss: bool = False,
                                               **extra: Any) -> tuple[Any, Any, Any]:
            if compute_aux_loss or any(v is not None for v in extra.values()):
                return super()._get_per_token_logps_and_entropies(
                    model, input_ids, attention_mask, logits_to_keep, batch_size, compute_entropy, compute_aux_loss,
                    **extra)
            size = batch_size or input_ids.size(0)
            logps, entropies = [], []
            for start in range(0, input_ids.size(0), size):
                with self.accelerator.autocast():
                    lp, ent = shared_prefix_logps(model, input_ids[start:start + size],
                                                  attention_mask[start:start + size], logits_to_keep,
                                                  self.temperature, entropy=True, fused=True)
                logps.append(lp)
                entropies.append(ent)
            return torch.cat(logps), torch.cat(entropies) if compute_entropy else None, None

        def _generate_single_turn(self, prompt_ids: Any, images: Any, multimodal_fields: Any, num_generations: int,
                                  has_tool_images: bool = False) -> tuple[Any, Any]:
            if not generation or self.use_vllm or self.use_transformers_continuous_batching or images is not None \
                    or multimodal_fields or self.tools or self.top_k or self.min_p \
                    or self.repetition_penalty != 1.0:
                return super()._generate_single_turn(prompt_ids, images, multimodal_fields, num_generations,
                                                     has_tool_images)
            from trl.models import unwrap_model_for_generation

            with unwrap_model_for_generation(self.model_wrapped, self.accelerator,
                                             gather_deepspeed3_params=self.args.ds3_gather_for_generation,
                                             generation_kwargs=self.generation_kwargs,
                                             gradient_checkpointing_kwargs=self.args.gradient_checkpointing_kwargs
                                             ) as unwrapped, torch.no_grad():
                completions = shared_prefix_sample(unwrapped, prompt_ids, max_new_tokens=self.max_completion_length,
                                                   eos=list(self.eos_token_ids), pad_id=self._tokenizer.pad_token_id,
                                                   temperature=self.temperature, top_p=self.top_p)
            return completions, None

    return SharedPrefixGRPOTrainer

