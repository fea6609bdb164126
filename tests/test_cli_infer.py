import json

import pytest
from typer.testing import CliRunner

from text2table.cli import app

runner = CliRunner()

KV_DOC = "Hotel review\n\nName: The Vaults\nArea: riverside\nPrice range: N/A\n"
TABLE_DOC = "Race results.\n\n| Rank | Driver |\n|---|---|\n| 1 | Ann Lee |\n| 2 | Bob Quayle |\n"


@pytest.fixture
def docs(tmp_path):
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "a.txt").write_text(KV_DOC)
    (folder / "b.txt").write_text(TABLE_DOC)
    return folder


def flat(text):
    return " ".join(text.split())


def lines(path):
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_extract_folder_with_rules_then_resume(docs, tmp_path):
    out = tmp_path / "pred.jsonl"
    result = runner.invoke(app, ["extract", str(docs), "--out", str(out), "--backend", "rules"])
    assert result.exit_code == 0, result.output
    preds = lines(out)
    assert [p["id"] for p in preds] == ["a", "b"]
    assert preds[0]["rows"] == [{"name": "The Vaults", "area": "riverside", "price_range": None}]
    assert preds[1]["schema"]["structure"] == "flat_single_row" and len(preds[1]["rows"]) == 2
    assert "wrote 2 predictions" in flat(result.output) and "docs/s" in result.output
    again = runner.invoke(app, ["extract", str(docs), "--out", str(out), "--backend", "rules"])
    assert again.exit_code == 0 and "2 already there" in flat(again.output)
    assert len(lines(out)) == 2


def test_extract_with_a_pi2_adapter_runs_one_backend_per_stage_and_signs_both(docs, tmp_path):
    one, staged = tmp_path / "one.jsonl", tmp_path / "staged.jsonl"
    assert runner.invoke(app, ["extract", str(docs), "--out", str(one), "--backend", "rules"]).exit_code == 0
    result = runner.invoke(app, ["extract", str(docs), "--out", str(staged), "--backend", "rules",
                                 "--pi2-adapter", "none"])
    assert result.exit_code == 0, result.output
    assert [p["rows"] for p in lines(staged)] == [p["rows"] for p in lines(one)]
    backend = json.loads((tmp_path / "staged.jsonl.meta.json").read_text())["backend"]
    assert backend == {"backend": "staged", "pi1": {"backend": "rules"}, "pi2": {"backend": "rules"}}
    # a resumed run must be the same run: one backend for both stages is another system
    mixed = runner.invoke(app, ["extract", str(docs), "--out", str(staged), "--backend", "rules"])
    assert mixed.exit_code == 2 and "other settings" in flat(mixed.output)


def test_extract_ndjson_prints_only_rows(docs):
    result = runner.invoke(app, ["extract", str(docs / "b.txt"), "--ndjson", "--backend", "rules"])
    assert result.exit_code == 0, result.output
    assert result.stdout == '{"rank": "1", "driver": "Ann Lee"}\n{"rank": "2", "driver": "Bob Quayle"}\n'


def test_extract_with_a_schema_file_skips_pi1(docs, tmp_path):
    schema = tmp_path / "schema.json"
    schema.write_text(json.dumps({"structure": "flat_single_row", "fields": [{"name": "driver"}, {"name": "team"}]}))
    out = tmp_path / "pred.jsonl"
    result = runner.invoke(app, ["extract", str(docs / "b.txt"), "-o", str(out), "--backend", "rules",
                                 "--schema", str(schema)])
    assert result.exit_code == 0, result.output
    pred, = lines(out)
    assert pred["diagnostics"]["pi1"]["skipped"] is True and pred["raw"]["pi1"] is None
    assert pred["rows"] == [{"driver": "Ann Lee", "team": None}, {"driver": "Bob Quayle", "team": None}]


def test_extract_with_a_schema_per_table_hint(docs, tmp_path):
    schema = tmp_path / "schema.json"
    schema.write_text(json.dumps({"structure": "flat_single_row", "fields": [{"name": "driver"}, {"name": "team"}]}))
    gold = tmp_path / "gold.jsonl"
    gold.write_text("".join(json.dumps({"id": hint, "document": TABLE_DOC, "metadata": {"table_hint": hint}}) + "\n"
                            for hint in ("driver", "race")))
    out = tmp_path / "pred.jsonl"
    result = runner.invoke(app, ["extract", str(gold), "-o", str(out), "--backend", "rules",
                                 "--schema", f"driver={schema}"])
    assert result.exit_code == 0, result.output
    preds = {p["id"]: p for p in lines(out)}
    assert preds["driver"]["diagnostics"]["pi1"]["skipped"] is True
    assert [f["name"] for f in preds["driver"]["schema"]["fields"]] == ["driver", "team"]
    assert preds["race"]["diagnostics"]["pi1"]["skipped"] is False  # no schema for its hint: pi1 induces one
    for args, message in ((["--schema", str(schema), "--schema", f"race={schema}"], "HINT=PATH per table_hint"),
                          (["--schema", f"driver={schema}", "--schema", f"driver={schema}"], "one per table_hint"),
                          (["--schema", f"driver={schema}", "--ndjson", "--limit", "1"], "goes with --out")):
        failed = runner.invoke(app, ["extract", str(gold), "-o", str(tmp_path / "p.jsonl"), "--backend", "rules",
                                     *args])
        assert failed.exit_code == 2 and message in flat(failed.output), failed.output


def test_extract_gold_jsonl_with_limit(tmp_path):
    gold = tmp_path / "gold.jsonl"
    gold.write_text("".join(json.dumps({"id": f"g{i}", "document": TABLE_DOC,
                                        "table": {"headers": ["x"], "rows": [["1"]]}}) + "\n" for i in range(5)))
    out = tmp_path / "pred.jsonl"
    result = runner.invoke(app, ["extract", str(gold), "-o", str(out), "--backend", "rules", "--limit", "3",
                                 "--batch-size", "2", "--no-constrain"])
    assert result.exit_code == 0, result.output
    assert [p["id"] for p in lines(out)] == ["g0", "g1", "g2"]


@pytest.mark.parametrize(("args", "message"), [
    (["--backend", "rules"], "--out"),
    (["--ndjson", "--backend", "rules"], "one document"),
    (["-o", "x.jsonl", "--backend", "rules", "--model", "m.gguf"], "no model"),
    (["-o", "x.jsonl", "--backend", "nope"], "unknown backend"),
    (["-o", "x.jsonl", "--backend", "rules", "--schema", "SCHEMA"], "schema.json"),
    (["-o", "x.jsonl", "--backend", "rules", "--option", "novalue"], "KEY=VALUE"),
    (["-o", "x.jsonl", "--backend", "rules", "--pi2-adapter", "pi2.gguf"], "no adapter"),
], ids=["no-out", "ndjson-many", "rules-model", "unknown", "bad-schema", "bad-option", "rules-pi2-adapter"])
def test_extract_errors_are_one_clear_line(docs, tmp_path, monkeypatch, args, message):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "schema.json").write_text('{"structure": "kv_single", "fields": []}')
    args = [a.replace("SCHEMA", str(tmp_path / "schema.json")) for a in args]
    result = runner.invoke(app, ["extract", str(docs), *args])
    assert result.exit_code == 2, result.output
    assert message in flat(result.output) and "Traceback" not in result.output


def test_demo_runs_rules_on_a_gold_file_and_prints_tables_and_metrics(tmp_path):
    gold = tmp_path / "test.jsonl"
    records = [{"id": "kv", "document": KV_DOC,
                "table": {"structure": "kv_single", "headers": ["Name", "Area"],
                          "rows": [["The Vaults", "riverside"]]}},
               {"id": "flat", "document": TABLE_DOC,
                "table": {"headers": ["Rank", "Driver"], "rows": [["1", "Ann Lee"], ["2", "Bob Quayle"]]}},
               {"id": "unused", "document": TABLE_DOC, "table": {"headers": ["Rank"], "rows": [["1"], ["2"]]}}]
    gold.write_text("".join(json.dumps(r) + "\n" for r in records))
    out_dir = tmp_path / "demo"
    result = runner.invoke(app, ["demo", "--backend", "rules", "--data", str(gold), "--limit", "2",
                                 "--out-dir", str(out_dir)])
    assert result.exit_code == 0, result.output
    assert [p["id"] for p in lines(out_dir / "pred.jsonl")] == ["kv", "flat"]
    assert [r["id"] for r in lines(out_dir / "gold.jsonl")] == ["kv", "flat"]
    assert "Ann Lee" in result.output and "The Vaults" in result.output
    pytest.importorskip("text2table.metrics.evaluate")
    metrics = json.loads((out_dir / "metrics.json").read_text())
    assert metrics["n_documents"] == 2 and metrics["wu.exact.cell_f1"] > 0.9
    assert "wu.exact.cell_f1" in flat(result.output)


def test_demo_takes_documents_in_turn_from_each_kind(tmp_path):
    gold = tmp_path / "test.jsonl"
    ids = ["invoice-001", "invoice-002", "invoice-003", "weather-004", "recipe-010", "recipe-011"]
    gold.write_text("".join(json.dumps({"id": i, "document": KV_DOC, "table": {
        "structure": "kv_single", "headers": ["Name"], "rows": [["The Vaults"]]}}) + "\n" for i in ids))
    result = runner.invoke(app, ["demo", "--backend", "rules", "--data", str(gold), "--limit", "4",
                                 "--out-dir", str(tmp_path / "demo"), "--show", "0"])
    assert result.exit_code == 0, result.output
    assert [p["id"] for p in lines(tmp_path / "demo" / "pred.jsonl")] == [
        "invoice-001", "weather-004", "recipe-010", "invoice-002"]


def test_extract_parses_grid_tables_unless_told_not_to(tmp_path):
    doc = tmp_path / "race.txt"
    doc.write_text("Race results.\n\n| Rank | Driver | Team |\n|---|---|---|\n| 1 | Ann Lee | Red |\n"
                   "| 2 | Bob Quayle | Blue |\n")
    parsed, model = tmp_path / "parsed.jsonl", tmp_path / "model.jsonl"
    for out, extra in ((parsed, []), (model, ["--no-parse-tables"])):
        result = runner.invoke(app, ["extract", str(doc), "--out", str(out), "--backend", "rules", *extra])
        assert result.exit_code == 0, result.output
    (with_table,), (without,) = lines(parsed), lines(model)
    assert with_table["diagnostics"]["parsed_table"] == {"kind": "pipe", "rows": 2, "columns": 3}
    assert "parsed_table" not in without["diagnostics"] and without["diagnostics"]["pi1"]["calls"] == 1
    assert with_table["rows"] == without["rows"]  # the rules backend reads the same table
    bad = runner.invoke(app, ["extract", str(doc), "--out", str(model), "--backend", "rules",
                              "--field-list-end-bias", "20"])
    assert bad.exit_code != 0 and "field-list-end-bias" in flat(bad.output)


def test_extract_reads_a_list_item_by_item_unless_told_not_to(tmp_path):
    doc = tmp_path / "career.txt"
    doc.write_text("Career:\n- 1985: adviser, Virthal\n- 1989: analyst, Virmon\n- 1991: lead, Talex\n")
    schema = tmp_path / "schema.json"
    schema.write_text(json.dumps({"structure": "flat_single_row", "fields": [{"name": "year"}, {"name": "role"}]}))
    items, whole = tmp_path / "items.jsonl", tmp_path / "whole.jsonl"
    for out, extra in ((items, []), (whole, ["--no-item-lists"])):
        result = runner.invoke(app, ["extract", str(doc), "--out", str(out), "--backend", "rules",
                                     "--schema", str(schema), *extra])
        assert result.exit_code == 0, result.output
    (by_item,), (at_once,) = lines(items), lines(whole)
    listed = by_item["diagnostics"]["item_list"]
    assert (listed["kind"], listed["items"], listed["line"]) == ("bullets", 3, 2)
    assert "item_list" not in at_once["diagnostics"]


def test_extract_with_a_pi2_adapter_per_table_hint_records_each(tmp_path):
    gold = tmp_path / "gold.jsonl"
    gold.write_text("".join(json.dumps({"id": hint, "document": TABLE_DOC, "metadata": {"table_hint": hint}}) + "\n"
                            for hint in ("driver", "race")))
    out = tmp_path / "pred.jsonl"
    result = runner.invoke(app, ["extract", str(gold), "-o", str(out), "--backend", "rules",
                                 "--pi2-adapter", "driver=none"])
    assert result.exit_code == 0, result.output
    assert len(lines(out)) == 2
    backend = json.loads((tmp_path / "pred.jsonl.meta.json").read_text())["backend"]
    assert backend["pi2_by_hint"] == {"driver": {"backend": "rules"}}
    twice = runner.invoke(app, ["extract", str(gold), "-o", str(tmp_path / "p.jsonl"), "--backend", "rules",
                                "--pi2-adapter", "a.gguf", "--pi2-adapter", "b.gguf"])
    assert twice.exit_code == 2 and "2 adapters for every document" in flat(twice.output)
