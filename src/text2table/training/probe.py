"""Loss on a fixed probe set during training: a transformers callback that records ``(step, loss)`` points.

The probe loss is the answer-token cross-entropy, averaged over all answer tokens of the probe examples, each
example run alone (no padding, no packing) in eval mode (no dropout), so that two training configurations
(micro-batch sizes, packing, dtypes) are compared on exactly the same measure.
"""

from __future__ import annotations

from typing import Any

from text2table.errors import InputError
from text2table.training.data import ChatExample


def answer_tokens(tokenizer: Any, example: ChatExample) -> tuple[list[int], int]:
    """``(token ids of the whole conversation, index of the first answer token)``."""
    prompt = tokenizer.apply_chat_template(example.prompt, tokenize=True, add_generation_prompt=True,
                                           return_dict=False)
    full = tokenizer.apply_chat_template(list(example.messages), tokenize=True, return_dict=False)
    if list(full[:len(prompt)]) != list(prompt):
        raise InputError(f"example {example.id}: the chat template renders the prompt differently when the answer"
                         " follows; the probe loss needs a template whose prompt is a prefix of the conversation")
    return list(full), len(prompt)


def probe_loss(model: Any, encoded: list[tuple[list[int], int]]) -> float:
    """Mean answer-token cross-entropy of ``encoded`` examples (from :func:`answer_tokens`)."""
    import torch
    import torch.nn.functional as F

    was_training = model.training
    model.eval()
    total, count = 0.0, 0
    device = next(model.parameters()).device
    with torch.no_grad():
        for ids, start in encoded:
            input_ids = torch.tensor([ids], device=device)
            logits = model(input_ids=input_ids).logits[0, start - 1:-1].float()
            total += float(F.cross_entropy(logits, input_ids[0, start:], reduction="sum"))
            count += len(ids) - start
    if was_training:
        model.train()
    return total / max(count, 1)


def probe_callback(examples: list[ChatExample], tokenizer: Any, *, every: int) -> Any:
    """A ``TrainerCallback`` that measures the probe loss before training and every ``every`` steps
    (its ``points`` list holds ``(step, loss)``)."""
    from transformers import TrainerCallback

    encoded = [answer_tokens(tokenizer, e) for e in examples]

    class ProbeLoss(TrainerCallback):
        def __init__(self) -> None:
            self.points: list[tuple[int, float]] = []

        def on_train_begin(self, args: Any, state: Any, control: Any, model: Any = None, **kwargs: Any) -> None:
            self.points.append((state.global_step, probe_loss(model, encoded)))

        def on_step_end(self, args: Any, state: Any, control: Any, model: Any = None, **kwargs: Any) -> None:
            if state.global_step % every == 0:
                self.points.append((state.global_step, probe_loss(model, encoded)))

    return ProbeLoss()
