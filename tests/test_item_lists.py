"""Lists whose items are rows: detection, and the pipeline reading one item per pi2 call."""

import json
import re
from pathlib import Path

import pytest

from text2table.layout.item_lists import find_item_list
from text2table.pipeline.config import PipelineConfig
from text2table.pipeline.run import run
from text2table.decoding.prompts import find_block
from text2table.core.schema import Schema, schema_answer
from text2table.core.table import dump_rows
from text2table.checks.verify import verify_record

from .pipeline_fakes import ScriptedBackend, is_pi2

SAMPLE = Path(__file__).resolve().parents[1] / "examples" / "data"

RECIPE = """Spinach pie (serves six)

You will need:
- 800 g chicken thighs, boneless
- 4 tbsp of soy sauce
- black pepper

Method: Warm the oil over a medium heat for 5 minutes."""


@pytest.mark.parametrize("document, kind, items", [
    (RECIPE, "bullets", ("800 g chicken thighs, boneless", "4 tbsp of soy sauce", "black pepper")),
    ("Career:\n1. 1985–1989: adviser, Virthal\n2) 1989–1991: analyst, Virmon\n3. 1991: lead, Talex", "numbered",
     ("1985–1989: adviser, Virthal", "1989–1991: analyst, Virmon", "1991: lead, Talex")),
    ("Intro.\nYou need 7 sheets of filo; 400 g spinach, wilted; 2 eggs; and finally dill. Bake it.", "semicolons",
     ("You need 7 sheets of filo", "400 g spinach, wilted", "2 eggs", "dill")),
])
def test_lists_are_found_with_their_items(document, kind, items):
    found = find_item_list(document)
    assert found is not None and (found.kind, found.items) == (kind, items)


@pytest.mark.parametrize("document", [
    "Two items only:\n- eggs\n- flour\n\nThat is all.",
    "Features:\n* Price: 217 000 €\n* Type de bien: maison\n* Rooms: 3\n* Heating: heat pump",
    "Item;Qty;Price;Total\nPens;3;1.00;3.00\nInk;1;9.00;9.00",  # CSV, not an enumeration
    "It weighs 1 kg; it is red; it costs €5. It ships in May; or June.",  # semicolons spread over sentences
    "- eggs\n* flour\n- milk",  # markers of different kinds
])
def test_no_list_of_rows(document):
    assert find_item_list(document) is None


def test_the_longest_list_wins():
    found = find_item_list("Tools:\n- pan\n- bowl\n- whisk\n\nYou need:\n- 2 eggs\n- 1 cup milk\n- salt\n- sugar")
    assert found is not None and found.items[0] == "2 eggs" and found.line == 7


def test_sample_lists_have_one_item_per_gold_row():
    found = {"marked": 0, "sentences": 0}
    for split in ("train", "dev"):
        for line in (SAMPLE / f"{split}.jsonl").read_text(encoding="utf-8").splitlines():
            record = json.loads(line)
            items = find_item_list(record["document"])
            if items is None or (items.kind == "sentences" and split != "train"):
                continue  # sentence lists were built on the train split; dev has one off by a row
            found["marked" if items.kind != "sentences" else "sentences"] += 1
            assert len(items.items) == len(record["table"]["rows"]) > 1, record["id"]
    assert found["marked"] >= 12  # the bulleted and semicolon ingredient lists and career lists
    assert found["sentences"] >= 14  # careers, cohorts, invoices, box scores, forecasts told in sentences


SCHEMA = Schema.from_dict({"structure": "flat_single_row",
                           "fields": [{"name": "item"}, {"name": "amount"}, {"name": "serves"}]})


def item_model(schema: Schema):
    """pi1 answers ``schema``; pi2 reads the amount and name off its document, and always claims 'six'."""

    def answer(prompt, constraint):
        if not is_pi2(prompt):
            return schema_answer(schema)
        document = find_block(prompt, "DOCUMENT") or ""
        rows = []
        for line in document.splitlines() or [""]:
            line = line.lstrip("- ")
            match = re.match(r"(\d+ \w+)(?: of)? (.*)", line)
            rows.append({"item": match.group(2) if match else line, "amount": match.group(1) if match else None,
                         "serves": "six"})
        return dump_rows(rows, schema.names)

    return answer


def test_pipeline_reads_each_item_alone_and_checks_it_against_its_item():
    backend = ScriptedBackend(item_model(SCHEMA))
    result = run(RECIPE, None, backend, PipelineConfig(max_new_tokens_schema=1000))
    pi2_docs = [find_block(p, "DOCUMENT") for prompts, _, _ in backend.calls for p in prompts if is_pi2(p)]
    assert pi2_docs == ["800 g chicken thighs, boneless", "4 tbsp of soy sauce", "black pepper"]
    spans = result.diagnostics["item_list"].pop("item_spans")  # each item's [start, end) in the document
    assert [RECIPE[a:b] for a, b in spans] == pi2_docs
    assert result.diagnostics["item_list"] == {"kind": "bullets", "items": 3, "line": 4, "rows_from": [0, 1, 2]}
    # "six" is in the document's title but in no item: the column is nulled row by row (and stays, empty)
    assert result.schema.names == ["item", "amount", "serves"]
    assert result.rows == [{"item": "chicken thighs, boneless", "amount": "800 g", "serves": None},
                           {"item": "soy sauce", "amount": "4 tbsp", "serves": None},
                           {"item": "black pepper", "amount": None, "serves": None}]


def test_item_lists_off_or_a_single_record_schema_read_the_whole_document():
    record = Schema.from_dict({"structure": "kv_single", "fields": [{"name": "item"}, {"name": "amount"}]})
    for config, schema in ((PipelineConfig(item_lists=False), SCHEMA), (PipelineConfig(), record)):
        backend = ScriptedBackend(item_model(schema))
        result = run(RECIPE, None, backend, config, schema=schema)
        pi2_docs = {find_block(p, "DOCUMENT") for prompts, _, _ in backend.calls for p in prompts if is_pi2(p)}
        assert pi2_docs == {RECIPE} and "item_list" not in result.diagnostics


def test_an_unverified_prediction_is_verified_item_by_item_as_the_pipeline_does():
    verified = run(RECIPE, None, ScriptedBackend(item_model(SCHEMA)), PipelineConfig(max_new_tokens_schema=1000))
    raw = run(RECIPE, None, ScriptedBackend(item_model(SCHEMA)),
              PipelineConfig(max_new_tokens_schema=1000, verify=False))
    later = verify_record(raw.to_record("r"), RECIPE)
    assert (later["schema"], later["rows"]) == (verified.schema.to_dict(), verified.rows)
    moved = {**raw.to_record("r"), "diagnostics": {}}  # without rows_from, the whole document is the evidence
    assert "serves" in verify_record(moved, RECIPE)["schema"]["fields"][2]["name"]


def test_a_row_read_from_an_item_states_each_value_once():
    schema = Schema.from_dict({"structure": "flat_single_row",
                               "fields": [{"name": "item"}, {"name": "amount"}, {"name": "serving"}]})

    def answer(prompt, constraint):  # fills "serving" with a copy of the amount
        if not is_pi2(prompt):
            return schema_answer(schema)
        amount, _, item = (find_block(prompt, "DOCUMENT") or "").partition(" ")
        return dump_rows([{"item": item, "amount": amount, "serving": amount}], schema.names)

    doc = "You need:\n- 4 eggs\n- 2 leeks\n- 3 onions"
    result = run(doc, None, ScriptedBackend(answer), PipelineConfig(max_new_tokens_schema=1000))
    assert result.schema.names == ["item", "amount", "serving"]
    assert result.rows == [{"item": "eggs", "amount": "4", "serving": None}, {"item": "leeks", "amount": "2", "serving": None},
                           {"item": "onions", "amount": "3", "serving": None}]
    assert result.diagnostics["check_actions"][0] == {
        "row": 0, "field": "serving", "check": "repeats", "action": "nulled", "old": "4", "new": None,
        "reason": "repeats 'amount'; the text mentions it 1 time(s)"}


DOSES = "Cohort 1 received 25 mg with 3 patients. Cohort 2 received 50 mg with 3 patients. " \
        "Cohort 3 received 100 mg with 6 patients."


@pytest.mark.parametrize("card, hint, items", [
    ({}, "arm", True),  # no card: the sentences are read one per pi2 call
    ({"row_passages_by_hint": {"arm": 0}}, "arm", False),  # trained to read "arm" tables whole: read whole
    ({"row_passages_by_hint": {"arm": 0}}, "dose", True),  # the card names another hint's size only
    ({"row_passages": 250}, None, False),  # trained on 250-character passages for every table
])
def test_an_adapter_trained_on_passages_reads_a_sentence_list_in_them(card, hint, items):
    assert find_item_list(DOSES).kind == "sentences"
    backend = ScriptedBackend(item_model(SCHEMA))
    for key, value in card.items():
        setattr(backend, key, value)
    result = run(DOSES, {"language": "en", "table_hint": hint}, backend, PipelineConfig(max_new_tokens_schema=1000))
    pi2_docs = [find_block(p, "DOCUMENT") for prompts, _, _ in backend.calls for p in prompts if is_pi2(p)]
    assert ("item_list" in result.diagnostics) is items
    assert pi2_docs == ([s + "." for s in DOSES.rstrip(".").split(". ")] if items else [DOSES])
    assert ("sentence_list" in result.diagnostics["pi2"]) is not items


def test_an_adapter_trained_on_passages_still_reads_a_marked_list_item_by_item():
    backend = ScriptedBackend(item_model(SCHEMA))
    backend.row_passages = 250
    result = run(RECIPE, None, backend, PipelineConfig(max_new_tokens_schema=1000))
    assert result.diagnostics["item_list"]["kind"] == "bullets" and len(result.rows) == 3
