import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from text2table.pipeline.batch import InputDoc, read_inputs, resume_output, run_batch
from text2table.errors import ConfigError, InputError
from text2table.core.schema import Schema

from .pipeline_fakes import ScriptedBackend, table_model

ROOT = Path(__file__).resolve().parents[1]
FLAT = Schema.from_dict({"structure": "flat_single_row", "fields": [{"name": "player"}, {"name": "points"}]})
ROWS = [{"player": "Smith", "points": "20"}, {"player": "Jones", "points": None}]


def docs(n: int, poison: int | None = None) -> list[InputDoc]:
    return [InputDoc(f"doc-{i}", f"Document {i}: Smith scored 20, Jones played. {'POISON' if i == poison else ''}", {}) for i in range(n)]


def ids_in(path: Path) -> list[str]:
    return [json.loads(line)["id"] for line in path.read_text().splitlines()]


def test_read_inputs_from_text_file_folder_and_gold_jsonl(tmp_path):
    (tmp_path / "one.txt").write_text("Name: A\n")
    folder = tmp_path / "docs"
    (folder / "sub").mkdir(parents=True)
    (folder / "b.md").write_text("B text")
    (folder / "sub" / "a.txt").write_text("A text")
    (folder / "empty.txt").write_text("  \n")
    (folder / "skip.json").write_text("{}")
    gold = tmp_path / "gold.jsonl"
    gold.write_text(json.dumps({"id": "g1", "document": "D1", "metadata": {"locale": "de-DE"},
                                "table": {"headers": ["a"], "rows": [["1"]]}}) + "\n"
                    + json.dumps({"id": "g2", "document": "D2"}) + "\n")
    assert [(d.id, d.document) for d in read_inputs(tmp_path / "one.txt")] == [("one", "Name: A\n")]
    assert [(d.id, d.is_empty) for d in read_inputs(folder)] == [("b", False), ("empty", True), ("sub/a", False)]
    records = read_inputs(gold)
    assert [d.id for d in records] == ["g1", "g2"] and records[0].metadata["locale"] == "de-DE"
    assert [d.id for d in read_inputs(gold, limit=1)] == ["g1"]
    with pytest.raises(InputError, match="not found"):
        read_inputs(tmp_path / "missing.txt")


def test_run_batch_writes_one_line_per_document_in_the_eval_format(tmp_path):
    out = tmp_path / "pred.jsonl"
    progress = []
    summary = run_batch(docs(5), ScriptedBackend(table_model(FLAT, ROWS)), out, batch_size=2,
                        on_progress=lambda n, tokens: progress.append((n, tokens)))
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert [line["id"] for line in lines] == [f"doc-{i}" for i in range(5)]
    first = lines[0]
    assert first["rows"] == ROWS and first["schema"]["fields"][0]["name"] == "player"
    assert set(first) == {"id", "schema", "rows", "raw", "diagnostics"} and set(first["raw"]) >= {"pi1", "pi2"}
    assert summary.written == 5 and summary.failed == 0 and [n for n, _ in progress] == [2, 2, 1]
    assert summary.completion_tokens == sum(t for _, t in progress) > 0


def test_one_failing_document_does_not_stop_the_batch(tmp_path):
    out = tmp_path / "pred.jsonl"
    backend = ScriptedBackend(table_model(FLAT, ROWS), fail_on="POISON")
    summary = run_batch(docs(5, poison=2), backend, out, batch_size=4)
    lines = {line["id"]: line for line in map(json.loads, out.read_text().splitlines())}
    assert list(lines) == [f"doc-{i}" for i in range(5)] and summary.failed == 1
    assert "backend crashed" in lines["doc-2"]["error"] and lines["doc-2"]["rows"] == []
    assert all("error" not in lines[f"doc-{i}"] and lines[f"doc-{i}"]["rows"] == ROWS for i in (0, 1, 3, 4))


def test_resume_cuts_a_torn_line_and_skips_written_ids(tmp_path):
    out = tmp_path / "pred.jsonl"
    run_batch(docs(3), ScriptedBackend(table_model(FLAT, ROWS)), out)
    with out.open("a") as handle:
        handle.write('{"id": "doc-3", "schema": {"struct')  # a write cut by kill -9
    assert resume_output(out) == {"doc-0", "doc-1", "doc-2"}
    assert out.read_text().endswith("}\n")
    backend = ScriptedBackend(table_model(FLAT, ROWS))
    summary = run_batch(docs(5), backend, out)
    assert ids_in(out) == [f"doc-{i}" for i in range(5)]
    assert summary.skipped == 3 and summary.written == 2


def test_resume_refuses_a_file_that_is_not_predictions(tmp_path):
    out = tmp_path / "pred.jsonl"
    out.write_text('{"id": "a"}\nnot json\n{"id": "b"}\n')
    with pytest.raises(InputError, match=":2:"):
        resume_output(out)


KILL_SCRIPT = textwrap.dedent("""
    import sys
    sys.path.insert(0, {root!r})
    from tests.pipeline_fakes import ScriptedBackend, table_model
    from tests.test_batch import FLAT, ROWS, docs
    from text2table.pipeline.batch import run_batch
    run_batch(docs(40), ScriptedBackend(table_model(FLAT, ROWS), delay=0.02), {out!r}, batch_size=2)
""")


def test_kill_9_mid_batch_then_rerun_writes_every_id_exactly_once(tmp_path):
    out = tmp_path / "pred.jsonl"
    script = KILL_SCRIPT.format(root=str(ROOT), out=str(out))
    proc = subprocess.Popen([sys.executable, "-c", script], cwd=ROOT)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and (not out.exists() or out.read_text().count("\n") < 4):
            assert proc.poll() is None, "the batch ended before it could be killed"
            time.sleep(0.02)
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(timeout=30)
    written = out.read_text().count("\n")
    assert 4 <= written < 40
    with out.open("a") as handle:
        handle.write('{"id": "doc-39", "rows": [')  # and a torn last line on top
    summary = run_batch(docs(40), ScriptedBackend(table_model(FLAT, ROWS)), out, batch_size=8)
    assert ids_in(out) == [f"doc-{i}" for i in range(40)]
    assert summary.skipped == written


def test_batch_size_must_be_positive():
    with pytest.raises(ConfigError, match="batch_size"):
        run_batch([], ScriptedBackend(table_model(FLAT, ROWS)), "unused.jsonl", batch_size=0)
