"""The quick after-stage sanity check: greedy generation on a few dev examples, structural rates and F1.

pi2 (tables): ``json_valid_rate``, ``key_order_pass_rate``, ``type_check_pass_rate`` (over the output's
non-blank lines, :mod:`text2table.metrics.structural`) and the Text-to-Table exact ``cell_f1``
(:mod:`text2table.metrics.wu`, mean over documents). pi1 (schemas): ``json_valid_rate`` (the output holds
a JSON object), ``schema_valid_rate``, exact and soft ``schema_f1`` and structure accuracy; the row rates do
not apply (``None``). Gold answers come from the chat records themselves (the assistant message; the pi2
schema from the prompt's ``[SCHEMA]`` block). Scoring is pure; only :func:`generate` touches a model.
"""

from __future__ import annotations

import json
import time
from typing import Any

from text2table.metrics.schema_match import match_schemas
from text2table.metrics.structural import StructuralCounts, check_schema, count_text
from text2table.metrics.wu import aggregate, document_scores, table_items
from text2table.decoding.parsing import parse_rows_text, parse_schema_text
from text2table.decoding.prompts import find_block
from text2table.core.schema import Schema
from text2table.core.table import parse_ndjson_lenient
from text2table.training.data import ChatExample


def _mean(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None


def score_pi1(examples: list[ChatExample], outputs: list[str]) -> dict[str, Any]:
    """Schema metrics of pi1 outputs against the gold schema answers (mean over examples)."""
    parses, valid, f1, soft, structure = [], [], [], [], []
    for ex, out in zip(examples, outputs):
        gold, _ = parse_schema_text(ex.answer)
        check = check_schema(out)
        parses.append(float(check.parses))
        valid.append(float(check.valid))
        pred, _ = parse_schema_text(out)
        if gold is None:
            continue
        if pred is None:
            f1.append(0.0)
            soft.append(0.0)
            structure.append(0.0)
            continue
        match = match_schemas(pred.names, gold.names, pred_structure=pred.structure,
                              gold_structure=gold.structure)
        f1.append(match.f1)
        soft.append(match.soft_f1)
        structure.append(float(bool(match.structure_ok)))
    return {"examples": len(examples), "json_valid_rate": _mean(parses), "key_order_pass_rate": None,
            "type_check_pass_rate": None, "schema_valid_rate": _mean(valid), "schema_f1": _mean(f1),
            "soft_schema_f1": _mean(soft), "structure_accuracy": _mean(structure)}


def prompt_schema(example: ChatExample) -> Schema | None:
    """The schema given in a pi2 prompt's [SCHEMA] block (None when absent or broken)."""
    block = find_block(list(example.messages), "SCHEMA")
    if block is None:
        return None
    try:
        return Schema.from_dict(json.loads(block))
    except (ValueError, TypeError):
        return None


def score_pi2(examples: list[ChatExample], outputs: list[str]) -> dict[str, Any]:
    """Structural rates (pooled over lines) and the mean Text-to-Table exact cell F1 of pi2 outputs."""
    counts = StructuralCounts()
    docs = []
    for ex, out in zip(examples, outputs):
        schema = prompt_schema(ex)
        counts = counts + count_text(out, schema)
        if schema is None:
            continue
        gold_rows = parse_ndjson_lenient(ex.answer, schema.names, sparse=True).rows  # either answer form
        pred_rows = parse_rows_text(out, schema.names, sparse=True).rows
        gold = table_items(schema.structure, schema.names, gold_rows)
        pred = table_items(schema.structure, schema.names, pred_rows)
        docs.append(document_scores(pred, gold))
    agg = aggregate(docs)
    return {"examples": len(examples), **counts.rates(), "cell_f1": agg.get("cell_f1"),
            "row_header_f1": agg.get("row_header_f1")}


def score(examples: list[ChatExample], outputs: list[str]) -> dict[str, Any]:
    """Scores per task present in ``examples`` (``{"pi1": {...}, "pi2": {...}}``)."""
    out: dict[str, Any] = {}
    for task, scorer in (("pi1", score_pi1), ("pi2", score_pi2)):
        pairs = [(e, o) for e, o in zip(examples, outputs) if e.task == task]
        if pairs:
            out[task] = scorer([e for e, _ in pairs], [o for _, o in pairs])
    return out


def stop_token_ids(tokenizer: Any) -> list[int]:
    """End-of-turn ids: the tokenizer's eos plus ``<|im_end|>`` where the vocabulary has it (ChatML)."""
    ids = [tokenizer.eos_token_id] if tokenizer.eos_token_id is not None else []
    im_end = tokenizer.get_vocab().get("<|im_end|>")
    if im_end is not None and im_end not in ids:
        ids.append(im_end)
    return ids


def generate(model: Any, tokenizer: Any, prompts: list[list[dict[str, str]]], budgets: list[int],
             batch_size: int = 4) -> list[str]:
    """Greedy completions of chat prompts (one token budget each), in the order given.

    Prompts are batched by length (left padding) so that little padding travels through the KV cache;
    each batch generates up to the largest budget in it. The model is left in eval mode.
    """
    import torch

    stops = stop_token_ids(tokenizer)
    pad = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else stops[0]
    side = tokenizer.padding_side
    tokenizer.padding_side = "left"
    model.eval()
    rendered = [tokenizer.apply_chat_template(p, tokenize=False, add_generation_prompt=True) for p in prompts]
    order = sorted(range(len(prompts)), key=lambda i: len(rendered[i]))
    texts: dict[int, str] = {}
    try:
        for start in range(0, len(order), batch_size):
            chunk = order[start:start + batch_size]
            enc = tokenizer([rendered[i] for i in chunk], return_tensors="pt", padding=True, add_special_tokens=False)
            enc = {k: v.to(model.device) for k, v in enc.items()}
            with torch.no_grad():
                out = model.generate(**enc, max_new_tokens=max(budgets[i] for i in chunk), do_sample=False,
                                     eos_token_id=stops, pad_token_id=pad)
            new = out[:, enc["input_ids"].shape[1]:]
            texts.update(zip(chunk, tokenizer.batch_decode(new, skip_special_tokens=True)))
    finally:
        tokenizer.padding_side = side
    return [texts[i] for i in range(len(prompts))]


def answer_budget(tokenizer: Any, example: ChatExample, limit: int) -> int:
    """Token budget of one sanity generation: ``min(limit, 2 x gold answer tokens + 16)``. A model that
    answers like the gold stops well within it; a rambling one is cut (its last line then counts invalid)."""
    gold = len(tokenizer(example.answer, add_special_tokens=False)["input_ids"])
    return max(1, min(limit, 2 * gold + 16))


def run_sanity(model: Any, tokenizer: Any, examples: list[ChatExample], *, max_new_tokens_schema: int,
               max_new_tokens_table: int, batch_size: int = 4) -> dict[str, Any]:
    """Generate for every example (budget by task and gold length) and score; with the seconds it took."""
    start = time.perf_counter()
    limits = {"pi1": max_new_tokens_schema, "pi2": max_new_tokens_table}
    budgets = [answer_budget(tokenizer, e, limits.get(e.task, max_new_tokens_table)) for e in examples]
    outputs = generate(model, tokenizer, [e.prompt for e in examples], budgets, batch_size)
    result = score(examples, outputs)
    result["seconds"] = round(time.perf_counter() - start, 2)
    result["budget"] = "min(max_new_tokens, 2 x gold answer tokens + 16)"
    result["samples"] = [{"id": e.id, "task": e.task, "output": o[:400]} for e, o in zip(examples[:3], outputs)]
    return result


def summary_line(result: dict[str, Any]) -> str:
    """One log line: the rates and F1 of each task."""

    def fmt(v: Any) -> str:
        return "n/a" if v is None else f"{v:.3f}"

    parts = []
    for task in ("pi1", "pi2"):
        r = result.get(task)
        if r:
            f1 = ("schema_f1", r.get("schema_f1")) if task == "pi1" else ("cell_f1", r.get("cell_f1"))
            parts.append(f"{task} (n={r['examples']}): json_valid {fmt(r['json_valid_rate'])}, key_order "
                         f"{fmt(r['key_order_pass_rate'])}, type_check {fmt(r['type_check_pass_rate'])}, "
                         f"{f1[0]} {fmt(f1[1])}")
    return "; ".join(parts) or "no sanity examples"
