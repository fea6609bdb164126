"""GRPO's log-probabilities with each prompt run once per group: the same numbers for fewer tokens.

A GRPO step scores every completion of a group against the same prompt. TRL's scorer runs the model over
``prompt + completion`` for every completion, so with 4 generations of a 260-token prompt and 40-token answers
it runs 1,200 tokens forward and backward where 420 carry new information. :func:`shared_prefix_logps` runs
each distinct prompt of a micro-batch once (keeping its key/value cache *with* its autograd graph), repeats
that cache for the completions of the prompt, and runs only the completion tokens on top. The result is the
same log-probabilities and, because the gradient flows back through the repeated cache into the one prompt
pass, the same gradient (the tests check both against the full pass on a tiny Llama).

It pays when a micro-batch holds several completions of one prompt: TRL shuffles a step's completions
before cutting micro-batches, so ``train grpo`` uses it with one micro-batch per optimiser step
(``rl.shared_prefix``). Positions are those of the full pass (left padding counted, as TRL's pass does);
models whose forward does not take ``past_key_values`` cannot use it.
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


def shared_prefix_logps(model: Any, input_ids: Any, attention_mask: Any, logits_to_keep: int,
                        temperature: float = 1.0, *, entropy: bool = False) -> Any:
    """Per-token log-probabilities ``[batch, logits_to_keep]`` of the last ``logits_to_keep`` tokens of each row
    (the completion), at ``temperature``, with each distinct prompt run once (see the module docstring).
    ``entropy=True`` returns ``(log_probs, entropies)``, the entropy of each predicted distribution."""
    import torch

    prompt_len = input_ids.size(1) - logits_to_keep
    if prompt_len < 1:
        raise ValueError(f"logits_to_keep={logits_to_keep} leaves no prompt in rows of {input_ids.size(1)} tokens")
    prompts, prompt_mask = input_ids[:, :prompt_len], attention_mask[:, :prompt_len]
    first, index = prompt_groups(prompts, prompt_mask)
    rows = torch.tensor(index, device=input_ids.device)
    head = model(input_ids=prompts[first], attention_mask=prompt_mask[first], use_cache=True, logits_to_keep=1)
    cache = head.past_key_values
    cache.batch_select_indices(rows)  # every row gets its prompt's keys and values (differentiable indexing)
    completion = input_ids[:, prompt_len:]
    tail = model(input_ids=completion, attention_mask=attention_mask, past_key_values=cache, use_cache=True)
    # the logit that predicts completion token t sits at position t - 1: the prompt's last one, then the tail's
    logits = torch.cat([head.logits[rows][:, -1:], tail.logits[:, :-1]], dim=1).float() / temperature
    all_logps = torch.log_softmax(logits, dim=-1)
    logps = all_logps.gather(-1, completion.unsqueeze(-1)).squeeze(-1)
    if not entropy:
        return logps
    return logps, -(all_logps.exp() * all_logps).sum(-1)


def with_shared_prefix(trainer_class: Any) -> Any:
    """A subclass of TRL's ``GRPOTrainer`` (``trainer_class``) whose log-probabilities come from
    :func:`shared_prefix_logps`; calls it cannot serve (MoE aux loss, images) go to TRL's own pass."""
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
                                                  self.temperature, entropy=True)
                logps.append(lp)
                entropies.append(ent)
            return torch.cat(logps), torch.cat(entropies) if compute_entropy else None, None

    return SharedPrefixGRPOTrainer
