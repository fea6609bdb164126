"""Test helper: a tiny randomly initialised Llama (hidden 64, 2 layers) with the real SmolLM2 tokenizer,
and small prepared data folders built with the real prompt functions. No weights are downloaded."""

from __future__ import annotations

import json
from pathlib import Path

from text2table.decoding.prompts import pi1_messages, pi2_messages
from text2table.core.schema import build_assistant_schema, schema_answer
from text2table.core.table import dump_rows

DOCS = [
    ("The Vaults is a pub near Café Adriatic in the riverside area. Prices are more than £30.",
     ["name", "eat_type", "near", "area"], [["The Vaults", "pub", "Café Adriatic", "riverside"]]),
    ("Hawks beat the Bulls 101-99. Smith scored 20 points; Jones added 12 points.",
     ["player", "points"], [["Smith", "20"], ["Jones", "12"]]),
    ("Aspirin 500 mg tablets, pack of 20, price 3.99 EUR.", ["product", "dose", "pack", "price"],
     [["Aspirin", "500 mg", "20", "3.99 EUR"]]),
]


def save_tiny_llama(tokenizer_dir: Path, out: Path, *, seed: int = 0) -> Path:
    """Save a tiny LlamaForCausalLM and the tokenizer into ``out`` (an HF model folder)."""
    import torch
    from transformers import AutoTokenizer, LlamaConfig, LlamaForCausalLM

    from text2table.backends.models import fix_gguf_tokenizer

    tokenizer = AutoTokenizer.from_pretrained(str(tokenizer_dir))
    fix_gguf_tokenizer(tokenizer, tokenizer.convert_tokens_to_ids("<|im_end|>"), None)
    config = LlamaConfig(vocab_size=len(tokenizer), hidden_size=64, intermediate_size=128, num_hidden_layers=2,
                         num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=4096,
                         tie_word_embeddings=True, bos_token_id=tokenizer.bos_token_id,
                         eos_token_id=tokenizer.convert_tokens_to_ids("<|im_end|>"))
    torch.manual_seed(seed)
    model = LlamaForCausalLM(config)
    model.save_pretrained(str(out), safe_serialization=True)
    tokenizer.save_pretrained(str(out))
    return out


def chat_records(n: int, *, long_every: int = 0) -> dict[str, list[dict]]:
    """``n`` pi1 and ``n`` pi2 chat records (ids r0..), every ``long_every``-th document made long."""
    out: dict[str, list[dict]] = {"pi1": [], "pi2": []}
    for i in range(n):
        doc, headers, rows = DOCS[i % len(DOCS)]
        if long_every and i % long_every == long_every - 1:
            doc = (doc + " ") * 40
        structure = "kv_single" if len(rows) == 1 else "flat_single_row"
        schema = build_assistant_schema(headers, structure=structure)
        answer_rows = [dict(zip(schema.names, r)) for r in rows]
        pi1 = pi1_messages(doc) + [{"role": "assistant", "content": schema_answer(schema)}]
        pi2 = pi2_messages(doc, schema) + [{"role": "assistant", "content": dump_rows(answer_rows, schema.names)}]
        out["pi1"].append({"id": f"r{i}", "messages": pi1})
        out["pi2"].append({"id": f"r{i}", "messages": pi2})
    return out


def write_prepared(folder: Path, n: int, *, long_every: int = 0) -> Path:
    """A folder shaped like `text2table prepare` output (pi1.jsonl, pi2.jsonl)."""
    folder.mkdir(parents=True, exist_ok=True)
    for task, records in chat_records(n, long_every=long_every).items():
        with (folder / f"{task}.jsonl").open("w", encoding="utf-8") as handle:
            for r in records:
                handle.write(json.dumps(r, ensure_ascii=False) + "\n")
    return folder
