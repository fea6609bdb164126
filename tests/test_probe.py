"""Probe loss (training/probe.py) on a tiny Llama: answer tokens only, the same number the model's own loss gives."""

from __future__ import annotations

import pytest

from tests.tiny_llama import chat_records, save_tiny_llama
from text2table.training.data import example_from_dict

pytest.importorskip("transformers")


@pytest.fixture(scope="module")
def tiny(tmp_path_factory, smollm2_tokenizer_dir):
    from text2table.backends.models import load_causal_lm

    folder = save_tiny_llama(smollm2_tokenizer_dir, tmp_path_factory.mktemp("tiny_llama_probe"))
    return load_causal_lm(str(folder))


def test_answer_tokens_start_at_the_answer(tiny):
    from text2table.training.probe import answer_tokens

    _, tokenizer = tiny
    ex = example_from_dict(chat_records(1)["pi2"][0], "pi2")
    ids, start = answer_tokens(tokenizer, ex)
    assert tokenizer.decode(ids[start:]).startswith(ex.answer)
    assert ex.answer not in tokenizer.decode(ids[:start])


def test_probe_loss_is_the_answer_token_cross_entropy(tiny):
    import torch

    from text2table.training.probe import answer_tokens, probe_loss

    model, tokenizer = tiny
    examples = [example_from_dict(r, "pi1") for r in chat_records(2)["pi1"]]
    encoded = [answer_tokens(tokenizer, e) for e in examples]
    total, count = 0.0, 0
    for ids, start in encoded:
        labels = torch.tensor([[-100] * start + ids[start:]])
        with torch.no_grad():
            loss = float(model(input_ids=torch.tensor([ids]), labels=labels).loss)
        total, count = total + loss * (len(ids) - start), count + len(ids) - start
    model.train()  # probe_loss runs in eval mode and gives the mode back
    assert probe_loss(model, encoded) == pytest.approx(total / count, rel=1e-5)
    assert model.training
