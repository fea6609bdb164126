"""Padding-free micro-batches (``trl.padding_free``) on a tiny Llama: attention stays within each example.

Each example's loss in a packed micro-batch (examples concatenated, position ids restarting at 0, no attention
mask) must equal its loss when it is run alone, for the attention kernels a CPU run uses (sdpa, eager)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.tiny_llama import chat_records, save_tiny_llama
from text2table.training.data import example_from_dict
from text2table.training.recipe import recipe_from_dict

pytest.importorskip("trl")


@pytest.fixture(scope="module")
def tiny_model_dir(tmp_path_factory, smollm2_tokenizer_dir) -> Path:
    return save_tiny_llama(smollm2_tokenizer_dir, tmp_path_factory.mktemp("tiny_llama_packing"))


def packed_recipe(model_dir: Path, *, padding_free: bool, micro_batch_size: int = 3):
    return recipe_from_dict({
        "name": "tiny", "base_model": str(model_dir), "task": "both",
        "lora": {"rank": 4, "alpha": 8, "dropout": 0.0},
        "stages": [{"name": "s1", "max_length": 2048, "hours": 1.0, "lr": 1e-3, "warmup_ratio": 0.0,
                    "micro_batch_size": micro_batch_size, "grad_accum": 1, "max_steps": 1}],
        "loader": {"num_workers": 0},
        "trl": {"group_by_length": False, "padding_free": padding_free, "save_steps": 1},
    })


def _examples():
    records = chat_records(4, long_every=2)
    return [example_from_dict(records["pi2"][i], "pi2") for i in range(3)] + [
        example_from_dict(records["pi1"][1], "pi1")]


def _token_losses(model, input_ids, labels, position_ids=None):
    """Per-token cross-entropy of next-token prediction (0 where the label is -100) and the label mask."""
    import torch
    import torch.nn.functional as F

    with torch.no_grad():
        logits = model(input_ids=input_ids, position_ids=position_ids).logits.float()
    target = labels[:, 1:]
    losses = F.cross_entropy(logits[:, :-1].transpose(1, 2), target.clamp(min=0), reduction="none")
    mask = target != -100
    return losses * mask, mask


@pytest.mark.slow
@pytest.mark.parametrize("attn", ["sdpa", "eager"])
def test_packed_loss_equals_each_example_alone(tiny_model_dir, tmp_path, attn):
    import torch

    from text2table.training import sft

    recipe = packed_recipe(tiny_model_dir, padding_free=True)
    model, tokenizer = sft.load_base_model(recipe.base_model)
    model.set_attn_implementation(attn)
    model.eval()
    trainer = sft.build_trainer(recipe, 0, 1, model, tokenizer, _examples(), [], tmp_path, [])
    batch = next(iter(trainer.get_train_dataloader()))
    assert "attention_mask" not in batch and batch["input_ids"].shape[0] == 1  # one flat sequence
    position_ids, input_ids, labels = batch["position_ids"], batch["input_ids"], batch["labels"]
    starts = (position_ids[0] == 0).nonzero().flatten().tolist() + [input_ids.shape[1]]
    assert len(starts) - 1 == 3  # three examples in the micro-batch, positions restart at each one
    packed, packed_mask = _token_losses(model, input_ids, labels, position_ids)
    for a, b in zip(starts, starts[1:]):
        alone, alone_mask = _token_losses(model, input_ids[:, a:b], labels[:, a:b])
        assert torch.equal(packed_mask[:, a:b - 1], alone_mask)
        assert alone_mask.sum() > 0
        assert torch.allclose(packed[:, a:b - 1], alone, atol=1e-5), (a, b)
    # Without restarting positions, the later examples would see the earlier ones: the test can fail.
    leaky, _ = _token_losses(model, input_ids, labels, torch.arange(input_ids.shape[1])[None])
    assert not torch.allclose(leaky[:, starts[1]:], packed[:, starts[1]:], atol=1e-3)


@pytest.mark.slow
def test_packed_and_padded_micro_batches_give_the_same_training_loss(tiny_model_dir, tmp_path):
    import torch

    from text2table.training import sft

    losses = []
    for padding_free in (False, True):
        recipe = packed_recipe(tiny_model_dir, padding_free=padding_free)
        model, tokenizer = sft.load_base_model(recipe.base_model)
        trainer = sft.build_trainer(recipe, 0, 1, model.eval(), tokenizer, _examples(), [], tmp_path / str(
            padding_free), [])
        batch = next(iter(trainer.get_train_dataloader()))
        assert ("attention_mask" in batch) != padding_free
        with torch.no_grad():
            losses.append(float(trainer.compute_loss(model, batch)))
    assert losses[0] == pytest.approx(losses[1], rel=1e-5)


def test_padding_free_reaches_the_trl_config(tmp_path):
    from text2table.training import sft

    assert sft._sft_config(packed_recipe(tmp_path, padding_free=True), 0, 2, tmp_path, False).padding_free
    assert not sft._sft_config(packed_recipe(tmp_path, padding_free=False), 0, 2, tmp_path, False).padding_free



def test_fingerprint_ignores_threads_and_an_unset_padding_free(tmp_path):
    import dataclasses
    import hashlib
    import json

    from text2table.errors import ConfigError
    from text2table.training import sft

    recipe = packed_recipe(tmp_path, padding_free=False)
    options = sft.SftOptions()
    before = {k: v for k, v in recipe.to_dict().items() if k != "rl"}  # the recipe as hashed before both options
    del before["trl"]["threads"], before["trl"]["padding_free"]
    old = hashlib.sha256(json.dumps({"recipe": before, "limit": None, "seed": 0}, sort_keys=True).encode())
    assert sft.fingerprint(recipe, options) == old.hexdigest()[:16]  # runs started earlier can still --resume
    one_thread = recipe.replace(trl=dataclasses.replace(recipe.trl, threads=1))
    assert sft.fingerprint(one_thread, options) == sft.fingerprint(recipe, options)
    assert sft.fingerprint(packed_recipe(tmp_path, padding_free=True), options) != sft.fingerprint(recipe, options)
    with pytest.raises(ConfigError, match="trl.threads"):
        recipe_from_dict({**recipe.to_dict(), "trl": {"threads": 0}})
