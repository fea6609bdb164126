"""Check on the real model: one global batch of 8 gives the same loss and LoRA gradient whether it is trained as
micro-batch 1 x accumulation 8 in fp32 (the shipped recipes) or in another configuration of bench_train.py
(default: one padding-free micro-batch of 8; ``--fast mb8-pad-bf16``: a padded micro-batch of 8 under bf16
autocast, where the gradient is expected to differ by bf16 rounding only).

Run: ``.venv/bin/python bench/check_packed_grads.py [--fast CONFIG] [--batch 0] [--threads 1]``. LoRA dropout is
set to 0 so the two passes are deterministic; the loss of each pass is normalised by the answer tokens of the whole
global batch, as the trainer does under gradient accumulation. Same gradient, same optimiser update: the two
configurations follow the same training curve up to float rounding. Prints the loss of both passes, the largest
gradient difference relative to the largest gradient entry, and the cosine of the two gradients.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_train as bt  # noqa: E402


def global_batch_gradient(config: bt.Config, examples, out: Path):
    import torch

    from text2table.training import sft

    recipe = bt.recipe_for(config, 1)
    recipe = recipe.replace(lora=replace(recipe.lora, dropout=0.0))
    model, tokenizer = sft.load_base_model(recipe.base_model, dtype=recipe.trl.dtype)
    torch.manual_seed(0)
    model = sft.new_adapter(model, recipe.lora)
    trainer = sft.build_trainer(recipe, 0, 1, model, tokenizer, examples, [], out, [])
    trainer.args.train_sampling_strategy = "sequential"
    batches = list(trainer.get_train_dataloader())
    answer_tokens = sum(int((b["labels"][:, 1:] != -100).sum()) for b in batches)
    total = 0.0
    for batch in batches:
        with trainer.accelerator.autocast():  # bf16 configurations: the autocast the trainer runs the forward in
            loss = trainer.compute_loss(model, batch, num_items_in_batch=torch.tensor(answer_tokens))
        loss.backward()
        total += float(loss.detach())
    grads = torch.cat([p.grad.flatten() for p in model.parameters() if p.requires_grad])
    return total, answer_tokens, len(batches), grads


def main() -> None:
    import torch

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch", type=int, default=0, help="which global batch of the bench set")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--fast", default="mb8-free", help="the configuration compared with 1 x 8 fp32 (bench_train)")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    from text2table.backends.models import load_tokenizer

    bt.build_sets()
    examples = bt.bench_examples(load_tokenizer(None))[args.batch * 8:(args.batch + 1) * 8]
    ref = global_batch_gradient(bt.CONFIGS["base"], examples, Path("/tmp/check_packed_grads/ref"))
    fast = global_batch_gradient(bt.CONFIGS[args.fast], examples, Path("/tmp/check_packed_grads/fast"))
    diff = float((ref[3] - fast[3]).abs().max() / ref[3].abs().max())
    for name, r in (("1 x 8 (reference)", ref), (args.fast, fast)):
        print(f"{name}: {r[2]} micro-batches, {r[1]} answer tokens, loss {r[0]:.6f}, grad norm {r[3].norm():.6f}")
    print(f"max |grad difference| / max |grad| = {diff:.2e}; cosine = "
          f"{float(torch.nn.functional.cosine_similarity(ref[3].double(), fast[3].double(), dim=0)):.8f}")


if __name__ == "__main__":
    main()
