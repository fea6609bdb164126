import json
from pathlib import Path

import pytest

from text2table.layout.explicit_tables import find_explicit_table
from text2table.core.naming import normalize_name
from text2table.pipeline.config import PipelineConfig
from text2table.pipeline.run import run, run_many
from text2table.core.schema import Schema
from text2table.core.table import parse_ndjson_strict

from .pipeline_fakes import ScriptedBackend, is_pi2, table_model

SAMPLE = Path(__file__).resolve().parents[1] / "examples" / "data"

PIPE = ("Standings after round 3.\n\n| Team | Won | Lost |\n|---|---|---|\n| Oslo FK | 3 | 0 |\n| Bergen | 1 | 2 |\n"
        "| Tromsø IL | - | 3 |\n\nThe next round is on Sunday.")
ALIGNED = ("Virryn Technologies\nRECHNUNG Nr. 2024-7978\n\nBezeichnung         Menge  E-Preis  Gesamtpreis\n"
           "Bürostuhl           9      353,68   3.183,12\nDruckerpapier A4    2      4,56     9,12\n"
           "Montage vor Ort     22     66,00    1.452,00\n\nZwischensumme: 4.644,24 €")
CSV = "Quarterly figures.\n\nQuarter;Revenue;Growth %\nQ1;1.234,50 €;3\nQ2;2.000,00 €;5\n"
META = {"missing_value_tokens": ["", "-", "N/A"]}


@pytest.mark.parametrize("document,kind,names,first", [
    (PIPE, "pipe", ["team", "won", "lost"], {"team": "Oslo FK", "won": "3", "lost": "0"}),
    (ALIGNED, "aligned", ["bezeichnung", "menge", "e_preis", "gesamtpreis"],
     {"bezeichnung": "Bürostuhl", "menge": "9", "e_preis": "353,68", "gesamtpreis": "3.183,12"}),
    (CSV, "csv", ["quarter", "revenue", "growth_pct"], {"quarter": "Q1", "revenue": "1.234,50 €", "growth_pct": "3"}),
])
def test_grid_tables_are_read_verbatim(document, kind, names, first):
    table = find_explicit_table(document, META)
    assert table is not None and table.kind == kind
    assert table.schema.names == names and table.schema.structure == "flat_single_row"
    assert table.rows[0] == first
    assert all(list(row) == names for row in table.rows)


def test_missing_value_tokens_become_null_and_headers_are_kept():
    table = find_explicit_table(PIPE, META)
    assert table.rows[2] == {"team": "Tromsø IL", "won": None, "lost": "3"}
    assert [f.source_header for f in table.schema.fields] == ["Team", "Won", "Lost"]
    assert table.diagnostics() == {"kind": "pipe", "rows": 3, "columns": 3}


@pytest.mark.parametrize("document", [
    "Aromi is a coffee shop in the city centre, near the river, and it serves Chinese food.",
    "Name: The Vaults\nFood: Italian\nArea: riverside",  # key: value lines describe one record
    # two columns: a key/value table
    "| Caractéristique | Détail |\n|---|---|\n| Prix | 342 000 € |\n| Pièces | 2 |\n| Chambres | 1 |",
    "| Team | Won | Lost |\n|---|---|---|\n| Oslo FK | 3 | 0 |",  # one data row
    "| Team | Won | Lost |\n|---|---|---|\n| Oslo | - | - |\n| Bergen | - | - |",  # mostly empty
    "We met at noon, as planned.\nThe talks went well, said the chair.\nNothing was signed, though.",  # prose commas
    "",
])
def test_no_grid_table_in_prose_key_value_or_thin_tables(document):
    assert find_explicit_table(document, META) is None


def test_the_richest_of_several_tables_wins():
    small = "| A | B | C |\n|---|---|---|\n| 1 | 2 | 3 |\n| 4 | 5 | 6 |"
    table = find_explicit_table(small + "\n\nText between.\n\n" + PIPE.split("\n\n")[1], META)
    assert table.schema.names == ["team", "won", "lost"]


def test_sample_train_split_tables_match_their_gold_tables():
    """On the bundled train split, every grid table found is the gold table (same cells), and prose has none."""
    found, checked = 0, 0
    for line in (SAMPLE / "train.jsonl").read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        table = find_explicit_table(record["document"], record.get("metadata"))
        if table is None:
            continue
        found += 1
        gold = record["table"]
        names = [normalize_name(h) for h in gold["headers"]]
        gold_cells = {(i, n, v) for i, row in enumerate(gold["rows"]) for n, v in zip(names, row) if v is not None}
        cells = {(i, n, v) for i, row in enumerate(table.rows) for n, v in row.items() if v is not None}
        checked += 2 * len(gold_cells & cells) / (len(gold_cells) + len(cells)) >= 0.9
    assert found >= 40 and checked == found


def _never_called(prompt, constraint):
    raise AssertionError("the model was asked although the document holds a table")


def test_pipeline_answers_a_table_document_without_the_model():
    backend = ScriptedBackend(_never_called)
    result = run(ALIGNED, META, backend)
    assert backend.calls == []
    assert result.schema.names == ["bezeichnung", "menge", "e_preis", "gesamtpreis"]
    assert [r["bezeichnung"] for r in result.rows] == ["Bürostuhl", "Druckerpapier A4", "Montage vor Ort"]
    assert result.diagnostics["parsed_table"] == {"kind": "aligned", "rows": 3, "columns": 4}
    assert result.diagnostics["pi1"]["skipped"] and result.diagnostics["pi1"]["calls"] == 0
    assert result.diagnostics["pi2"]["stop_reasons"] == ["parsed_table"]
    assert result.diagnostics["check_actions"] == []
    assert parse_ndjson_strict(result.raw["pi2"], result.schema.names) == result.rows
    assert json.loads(result.raw["pi1"])["fields"][0]["name"] == "bezeichnung"


def test_pipeline_mixes_parsed_and_generated_documents_in_one_batch():
    schema = Schema.from_dict({"structure": "kv_single", "fields": [{"name": "name"}, {"name": "food"}]})
    backend = ScriptedBackend(table_model(schema, [{"name": "Aromi", "food": "Chinese"}]))
    prose = "Aromi serves Chinese food."
    results = run_many([prose, PIPE, prose], backend, metadatas=[META] * 3)
    assert [r.rows for r in (results[0], results[2])] == [[{"name": "Aromi", "food": "Chinese"}]] * 2
    assert results[1].rows[0] == {"team": "Oslo FK", "won": "3", "lost": "0"}
    assert "parsed_table" not in results[0].diagnostics
    asked = [find for prompts, _, _ in backend.calls for find in prompts]
    assert len(asked) == 4 and not any("Oslo FK" in m["content"] for p in asked for m in p)


def test_parse_tables_off_sends_the_document_to_the_model():
    schema = Schema.from_dict({"structure": "flat_single_row", "fields": [{"name": "team"}, {"name": "won"}]})
    rows = [{"team": "Oslo FK", "won": "3"}]
    off = ScriptedBackend(table_model(schema, rows))
    assert run(PIPE, META, off, PipelineConfig(parse_tables=False)).rows == rows
    assert any(is_pi2(p[0]) for p, _, _ in off.calls)


def test_a_given_schema_is_filled_from_the_table_only_when_every_field_names_a_column():
    columns = Schema.from_dict({"structure": "flat_single_row", "fields": [{"name": "lost"}, {"name": "team"}]})
    backend = ScriptedBackend(_never_called)
    result = run(PIPE, META, backend, schema=columns)
    assert backend.calls == [] and result.schema == columns
    assert result.rows == [{"lost": "0", "team": "Oslo FK"}, {"lost": "2", "team": "Bergen"},
                           {"lost": "3", "team": "Tromsø IL"}]
    assert result.diagnostics["parsed_table"]["kind"] == "pipe" and result.raw["pi1"] is None
    other = Schema.from_dict({"structure": "flat_single_row", "fields": [{"name": "team"}, {"name": "coach"}]})
    rows = [{"team": "Oslo FK", "coach": None}]
    model = ScriptedBackend(table_model(other, rows))
    asked = run(PIPE, META, model, schema=other)
    assert asked.rows == rows and "parsed_table" not in asked.diagnostics and model.calls
    one_record = Schema.from_dict({"structure": "kv_single", "fields": [{"name": "team"}, {"name": "won"}]})
    assert find_explicit_table(PIPE, META).rows_for(one_record) is None
