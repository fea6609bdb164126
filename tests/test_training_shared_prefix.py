"""shared_prefix_logps: each prompt run once per group gives the full pass's log-probabilities and gradient."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")


def _lora_llama(seed: int = 0, fused_temperature: float | None = None):
    """A tiny LoRA Llama; ``fused_temperature``: patched with TRL's fused LM head first, as GRPOTrainer does."""
    from peft import LoraConfig, get_peft_model
    from transformers import LlamaConfig, LlamaForCausalLM

    torch.manual_seed(seed)
    config = LlamaConfig(vocab_size=96, hidden_size=32, intermediate_size=64, num_hidden_layers=2,
                         num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=256,
                         tie_word_embeddings=True)
    base = LlamaForCausalLM(config)
    if fused_temperature is not None:
        from trl.trainer.utils import add_fused_lm_head

        add_fused_lm_head(base, temperature=fused_temperature, outputs=("log_probs", "entropy"))
    model = get_peft_model(base, LoraConfig(r=4, lora_alpha=8, target_modules=["q_proj", "v_proj"],
                                                                lora_dropout=0.0, init_lora_weights=False))
    return model.float()


def _batch():
    """Two prompts (the second left-padded) x two completions each (right-padded), rows interleaved."""
    pad = 0
    p1, p2 = [5, 6, 7, 8, 9], [pad, pad, 11, 12, 13]
    m1, m2 = [1] * 5, [0, 0, 1, 1, 1]
    completions = [([20, 21, 22], [1, 1, 1]), ([23, 24, pad], [1, 1, 0]), ([25, pad, pad], [1, 0, 0]),
                   ([26, 27, 28], [1, 1, 1])]
    prompts = [(p1, m1), (p2, m2), (p1, m1), (p2, m2)]
    ids = torch.tensor([p + c for (p, _), (c, _) in zip(prompts, completions)])
    mask = torch.tensor([pm + cm for (_, pm), (_, cm) in zip(prompts, completions)])
    return ids, mask, 3


def _full_logps(model, ids, mask, keep, temperature):
    logits = model(input_ids=ids, attention_mask=mask).logits[:, -keep - 1:-1].float() / temperature
    return torch.log_softmax(logits, dim=-1).gather(-1, ids[:, -keep:].unsqueeze(-1)).squeeze(-1)


def test_rows_of_one_prompt_are_grouped_padding_included():
    from text2table.training.shared_prefix import prompt_groups

    ids, mask, keep = _batch()
    first, index = prompt_groups(ids[:, :-keep], mask[:, :-keep])
    assert first == [0, 1] and index == [0, 1, 0, 1]
    same_tokens_other_padding = torch.tensor([[0, 5, 6], [5, 5, 6]]), torch.tensor([[0, 1, 1], [1, 1, 1]])
    assert prompt_groups(*same_tokens_other_padding) == ([0, 1], [0, 1])


@pytest.mark.parametrize("temperature,fused,tail_rows", [(1.0, False, 4), (0.7, False, 2), (0.7, True, 4),
                                                         (1.0, True, 1)])
def test_same_log_probs_and_gradient_as_the_full_pass(temperature, fused, tail_rows):
    from text2table.training.shared_prefix import shared_prefix_logps

    ids, mask, keep = _batch()
    completion_mask = mask[:, -keep:].float()
    grads = []
    values = []
    for fn in (lambda m: _full_logps(m, ids, mask, keep, temperature),
               lambda m: shared_prefix_logps(m, ids, mask, keep, temperature, fused=fused, tail_rows=tail_rows)):
        model = _lora_llama(fused_temperature=temperature if fused else None)
        logps = fn(model)
        values.append(logps.detach() * completion_mask)
        ((logps * completion_mask).sum() / completion_mask.sum()).backward()
        grads.append({n: p.grad.clone() for n, p in model.named_parameters() if p.requires_grad})
    torch.testing.assert_close(values[0], values[1], rtol=1e-5, atol=1e-5)
    assert grads[0].keys() == grads[1].keys() and grads[0]
    for name in grads[0]:
        torch.testing.assert_close(grads[0][name], grads[1][name], rtol=1e-4, atol=1e-6, msg=name)
    assert any(g.abs().sum() > 0 for n, g in grads[1].items() if "lora_A" in n)


def test_a_batch_with_no_prompt_left_is_refused():
    from text2table.training.shared_prefix import shared_prefix_logps

    ids, mask, _ = _batch()
    with pytest.raises(ValueError, match="leaves no prompt"):
        shared_prefix_logps(_lora_llama(), ids, mask, ids.size(1))


def test_entropies_are_those_of_the_full_pass():
    from text2table.training.shared_prefix import shared_prefix_logps

    ids, mask, keep = _batch()
    model = _lora_llama()
    with torch.no_grad():
        logits = model(input_ids=ids, attention_mask=mask).logits[:, -keep - 1:-1].float()
        logps, entropies = shared_prefix_logps(model, ids, mask, keep, entropy=True)
    want = torch.distributions.Categorical(logits=logits).entropy()
    on = mask[:, -keep:].bool()
    torch.testing.assert_close(entropies[on], want[on], rtol=1e-5, atol=1e-5)
    torch.testing.assert_close(logps, shared_prefix_logps(model, ids, mask, keep))
    fused = _lora_llama(fused_temperature=1.0)
    with torch.no_grad():
        fused_logps, fused_entropies = shared_prefix_logps(fused, ids, mask, keep, entropy=True, fused=True)
    torch.testing.assert_close(fused_logps[on], logps[on], rtol=1e-5, atol=1e-5)
    torch.testing.assert_close(fused_entropies[on], want[on], rtol=1e-5, atol=1e-5)


def test_greedy_sampling_from_the_shared_cache_matches_generate():
    from transformers import GenerationConfig

    from text2table.training.shared_prefix import left_pad, shared_prefix_sample

    model = _lora_llama().eval()
    prompts = [[5, 6, 7, 8, 9], [11, 12, 13], [5, 6, 7, 8, 9], [11, 12, 13], [40]]
    ids, mask = left_pad(prompts, 0)
    with torch.no_grad():
        plain = model.generate(input_ids=ids, attention_mask=mask, generation_config=GenerationConfig(
            max_new_tokens=8, do_sample=False, pad_token_id=0, eos_token_id=None))[:, ids.size(1):].tolist()
        # an end token that rows reach at different steps: the sampler drops them from the batch as they end
        eos = next(t for row in plain for t in row[1:] if t not in (row[0],))  # a token some row reaches late
        want = [row[:row.index(eos) + 1] if eos in row else row for row in plain]
        got = shared_prefix_sample(model, prompts, max_new_tokens=8, eos=[eos], pad_id=0, temperature=0.0)
    assert got == want
    assert len({len(row) for row in got}) > 1, plain


def test_sampling_keeps_to_the_nucleus():
    from text2table.training.shared_prefix import _next_tokens

    torch.manual_seed(0)
    logits = torch.tensor([[4.0, 3.0, 0.0, -1.0]]).repeat(400, 1)
    top = _next_tokens(logits, 1.0, 0.5)
    assert set(top.tolist()) == {0}  # the first token alone holds over half the mass
    wide = _next_tokens(logits, 1.0, 1.0)
    assert {0, 1} <= set(wide.tolist())
    assert _next_tokens(logits[:1], 0.0, 1.0).tolist() == [0]
