"""`extract --one-table` and `schema induce` through the CLI, with the rules backend."""

import csv
import json

import pytest
from typer.testing import CliRunner

from text2table.cli import app

runner = CliRunner()


@pytest.fixture
def docs(tmp_path):
    folder = tmp_path / "docs"
    folder.mkdir()
    for k in range(1, 6):
        (folder / f"inv{k}.txt").write_text(f"Invoice number: INV-{k}\nCustomer: Firm {k}\nTotal: {k}00 EUR\n")
    (folder / "inv6.txt").write_text("Invoice number: INV-6\nTotal: 600 EUR\nNotes: paid by card\n")
    return folder


def rows_of(path):
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.reader(handle))


def test_one_table_csv_then_resume_and_other_formats(docs, tmp_path):
    out = tmp_path / "table.csv"
    result = runner.invoke(app, ["extract", str(docs), "--backend", "rules", "--one-table", "--out", str(out),
                                 "--schema-sample", "6"])
    assert result.exit_code == 0, result.output
    table = rows_of(out)
    assert table[0] == ["doc_id", "invoice_number", "customer", "total"]
    assert table[1] == ["inv1", "INV-1", "Firm 1", "100 EUR"] and table[6] == ["inv6", "INV-6", "", "600 EUR"]
    induced = json.loads((tmp_path / "table.schema.json").read_text())
    assert induced["induced_from"]["dropped"] == {"notes": pytest.approx(1 / 6, abs=1e-4)}
    preds = (tmp_path / "table.pred.jsonl").read_text().splitlines()
    again = runner.invoke(app, ["extract", str(docs), "--backend", "rules", "--one-table", "--out",
                                str(tmp_path / "table.parquet")])
    assert again.exit_code == 0, again.output
    assert "resuming with the schema" in again.output and "6 already there" in " ".join(again.output.split())
    assert (tmp_path / "table.pred.jsonl").read_text().splitlines() == preds
    import pyarrow.parquet as pq

    assert pq.read_table(tmp_path / "table.parquet").to_pylist()[0]["customer"] == "Firm 1"


def test_schema_induce_then_extract_with_the_edited_schema(docs, tmp_path):
    schema_path = tmp_path / "schema.json"
    result = runner.invoke(app, ["schema", "induce", str(docs), "--sample", "3", "--backend", "rules",
                                 "--out", str(schema_path)])
    assert result.exit_code == 0, result.output
    data = json.loads(schema_path.read_text())
    assert [f["name"] for f in data["fields"]] == ["invoice_number", "customer", "total"]
    assert data["induced_from"]["sampled_ids"] == ["inv1", "inv3", "inv6"]
    data["fields"] = [f for f in data["fields"] if f["name"] != "customer"]
    schema_path.write_text(json.dumps(data))
    out = tmp_path / "t.jsonl"
    result = runner.invoke(app, ["extract", str(docs), "--backend", "rules", "--one-table", "--schema",
                                 str(schema_path), "--out", str(out)])
    assert result.exit_code == 0, result.output
    first = json.loads(out.read_text().splitlines()[0])
    assert first == {"doc_id": "inv1", "invoice_number": "INV-1", "total": "100 EUR"}
    # the same --out with another schema would mix columns: refused, with the fix
    data["fields"] = data["fields"][:1]
    schema_path.write_text(json.dumps(data))
    clash = runner.invoke(app, ["extract", str(docs), "--backend", "rules", "--one-table", "--schema",
                                str(schema_path), "--out", str(out)])
    assert clash.exit_code == 2 and "t.pred.jsonl" in clash.output  # the batch's signature check or ours names it


def test_a_wrong_table_suffix_fails_before_any_work(docs, tmp_path):
    result = runner.invoke(app, ["extract", str(docs), "--backend", "rules", "--one-table", "--out",
                                 str(tmp_path / "t.xlsx")])
    assert result.exit_code == 2 and ".parquet" in result.output
    assert list(tmp_path.iterdir()) == [docs]
