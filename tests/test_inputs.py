"""Per-document isolation of bad input: read_inputs marks, run_batch answers or skips, `extract` goes on."""

import json

import pytest
from typer.testing import CliRunner

from text2table.cli import app
from text2table.errors import ConfigError, InputError
from text2table.pipeline import batch
from text2table.pipeline.batch import run_batch
from text2table.pipeline.inputs import InputPolicy, read_inputs

from .pipeline_fakes import ScriptedBackend, table_model
from .test_batch import FLAT, ROWS

runner = CliRunner()
GOOD = "Document: Smith scored 20, Jones played."


def jsonl(path, lines):
    path.write_bytes(b"".join((line if isinstance(line, bytes) else json.dumps(line).encode()) + b"\n"
                              for line in lines))
    return path


@pytest.fixture
def messy(tmp_path):
    """Seven JSONL lines: three good, one empty, one whitespace-only, one not an object, one not JSON."""
    return jsonl(tmp_path / "docs.jsonl", [
        {"id": "a", "document": GOOD}, {"id": "empty", "document": ""}, {"id": "blank", "document": " \n\t"},
        [1, 2], b'{"id": "torn", "document": "cut', {"id": "b", "document": GOOD}, {"id": "c", "document": GOOD}])


def test_read_inputs_marks_bad_lines_instead_of_raising(messy):
    docs = read_inputs(messy)
    assert [d.id for d in docs] == ["a", "empty", "blank", "docs.jsonl:4", "docs.jsonl:5", "b", "c"]
    assert [d.is_empty for d in docs] == [False, True, True, False, False, False, False]
    assert "docs.jsonl:4: expected a JSON object, got list" in docs[3].problem
    assert "docs.jsonl:5: invalid JSON" in docs[4].problem
    assert [d.id for d in read_inputs(messy, limit=2)] == ["a", "empty"]


@pytest.mark.parametrize(("line", "reason"), [
    ({"document": GOOD}, "missing or empty 'id'"),
    ({"id": True, "document": GOOD}, "missing or empty 'id'"),
    ({"id": "x", "document": 5}, "'document' must be a string"),
    ({"id": "x", "document": GOOD, "metadata": [1]}, "'metadata' must be an object"),
    (b"\xff\xfe", "not valid UTF-8"),
], ids=["no-id", "bool-id", "number-document", "list-metadata", "latin1"])
def test_each_kind_of_bad_record_is_named(tmp_path, line, reason):
    doc, = read_inputs(jsonl(tmp_path / "in.jsonl", [line]))
    assert reason in doc.problem and doc.problem.startswith(str(tmp_path / "in.jsonl") + ":1:")


def test_duplicate_ids_oversize_and_a_bad_table_that_extract_ignores(tmp_path):
    path = jsonl(tmp_path / "in.jsonl", [{"id": "a", "document": GOOD, "table": {"headers": "broken"}},
                                         {"id": "a", "document": GOOD}, {"id": "big", "document": "x" * 101}])
    docs = read_inputs(path, policy=InputPolicy(max_doc_bytes=100))
    assert docs[0].problem is None and docs[0].document == GOOD
    assert docs[1].id == "in.jsonl:2" and "duplicate id 'a' (first at line 1)" in docs[1].problem
    assert docs[2].id == "big" and "101 bytes is over the limit of 100" in docs[2].problem


def test_folder_with_an_undecodable_and_an_oversize_file(tmp_path):
    (tmp_path / "good.txt").write_text(GOOD)
    (tmp_path / "latin1.txt").write_bytes("Café\nprix: 5 €".encode("latin-1", "replace"))
    (tmp_path / "huge.txt").write_text("y" * 500)
    docs = {d.id: d for d in read_inputs(tmp_path, policy=InputPolicy(max_doc_bytes=400))}
    assert docs["good"].problem is None
    assert "latin1.txt:1: not valid UTF-8 at byte 3" in docs["latin1"].problem
    assert "500 bytes is over the limit of 400" in docs["huge"].problem and docs["huge"].document == ""


def test_on_error_fail_stops_at_the_first_bad_or_empty_document(messy):
    with pytest.raises(InputError, match="'empty' is empty"):
        read_inputs(messy, policy=InputPolicy(on_error="fail"))
    with pytest.raises(ConfigError, match="on_error"):
        InputPolicy(on_error="ignore")


def test_run_batch_answers_empty_skips_bad_and_makes_no_model_call_for_them(messy, tmp_path, monkeypatch):
    out = tmp_path / "pred.jsonl"
    backend = ScriptedBackend(table_model(FLAT, ROWS))
    seen = []
    real = batch.run_many
    monkeypatch.setattr(batch, "run_many", lambda docs, *a, **k: seen.extend(docs) or real(docs, *a, **k))
    summary = run_batch(read_inputs(messy), backend, out, batch_size=3)
    lines = {p["id"]: p for p in map(json.loads, out.read_text().splitlines())}
    assert list(lines) == ["a", "empty", "blank", "docs.jsonl:4", "docs.jsonl:5", "b", "c"]
    assert all(lines[i]["rows"] == ROWS for i in "abc")
    assert lines["empty"]["rows"] == [] and lines["empty"]["diagnostics"]["input"]["status"] == "empty"
    assert "error" not in lines["empty"] and "skipped" not in lines["empty"]
    assert lines["docs.jsonl:4"]["diagnostics"]["input"]["status"] == "skipped"
    assert "expected a JSON object" in lines["docs.jsonl:4"]["skipped"]
    assert (summary.written, summary.empty, summary.rejected, summary.failed) == (7, 2, 2, 0)
    assert seen == [GOOD] * 3  # the pipeline saw only the three good documents
    again = run_batch(read_inputs(messy), ScriptedBackend(table_model(FLAT, ROWS)), out)
    assert again.skipped == 7 and again.written == 0 and len(out.read_text().splitlines()) == 7


def test_extract_goes_on_past_bad_documents_and_says_so(messy, tmp_path):
    out = tmp_path / "pred.jsonl"
    result = runner.invoke(app, ["extract", str(messy), "-o", str(out), "--backend", "rules"])
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert "wrote 7 predictions" in text and "2 empty, 2 skipped as unreadable, 0 failed" in text
    assert "skipped " in text and "docs.jsonl:4" in text
    strict = runner.invoke(app, ["extract", str(messy), "-o", str(tmp_path / "p2.jsonl"), "--backend", "rules",
                                 "--on-error", "fail"])
    assert strict.exit_code == 2 and "'empty' is empty" in " ".join(strict.output.split())


def test_extract_max_doc_mb_and_exit_1_when_a_document_fails(tmp_path, monkeypatch):
    path = jsonl(tmp_path / "in.jsonl", [{"id": "a", "document": GOOD}, {"id": "big", "document": "z" * 3000}])
    out = tmp_path / "pred.jsonl"
    result = runner.invoke(app, ["extract", str(path), "-o", str(out), "--backend", "rules", "--max-doc-mb", "0.002"])
    assert result.exit_code == 0 and "1 skipped as unreadable" in " ".join(result.output.split())
    from text2table.backends.rules import RulesBackend

    def crash(self, prompts, **kwargs):
        raise RuntimeError("backend crashed")

    monkeypatch.setattr(RulesBackend, "generate", crash)
    failed = runner.invoke(app, ["extract", str(path), "-o", str(tmp_path / "p2.jsonl"), "--backend", "rules"])
    assert failed.exit_code == 1, failed.output
    assert "2 document(s) failed unexpectedly: a, big" in " ".join(failed.output.split())


def test_extract_ndjson_of_an_empty_file_prints_nothing_and_loads_no_model(tmp_path, monkeypatch):
    from text2table.backends import choose

    monkeypatch.setattr(choose, "create_backend", lambda *a, **k: pytest.fail("a backend was created"))
    (tmp_path / "blank.txt").write_text(" \n\n")
    result = runner.invoke(app, ["extract", str(tmp_path / "blank.txt"), "--ndjson"])
    assert result.exit_code == 0 and result.stdout == ""
