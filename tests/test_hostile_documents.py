"""Hostile documents through `extract`: every one answered, each row valid against its schema, no injected key;
on the rules backend, and through a server whose "model" obeys the injection (extra keys, an extra row)."""

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from text2table.cli import app

from .fake_openai import FaultyOpenAIServer
from .hostile_documents import HOSTILE, INJECTED, problems, write_jsonl

runner = CliRunner()
GIVEN = ["name", "area"]
SERVER_OPTIONS = ["-O", "retries=0", "-O", "timeout=30", "-O", "concurrency=2"]


def run_extract(tmp_path: Path, *args: str, names: list[str] | None = None) -> dict[str, dict]:
    inputs = write_jsonl(tmp_path / "hostile.jsonl", names)
    out = tmp_path / "pred.jsonl"
    result = runner.invoke(app, ["extract", str(inputs), "-o", str(out), *args])
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["id"] for r in records] == [n for n in HOSTILE if names is None or n in names]
    return {r["id"]: r for r in records}


def assert_clean(records: dict[str, dict], given: list[str] | None = None) -> None:
    found = {doc_id: problems(r, given) for doc_id, r in records.items()}
    assert {k: v for k, v in found.items() if v} == {}


def test_rules_backend_answers_every_hostile_document(tmp_path):
    records = run_extract(tmp_path, "--backend", "rules")
    assert_clean(records)
    assert records["big-repeat"]["diagnostics"].get("input") is None  # 1 MB is under the 2 MB default
    assert any(r["rows"] for r in records.values())


def test_rules_backend_keeps_a_given_schema(tmp_path):
    schema = tmp_path / "schema.json"
    schema.write_text(json.dumps({"structure": "kv_single", "fields": [{"name": n} for n in GIVEN]}))
    assert_clean(run_extract(tmp_path, "--backend", "rules", "--schema", str(schema)), GIVEN)


@pytest.mark.parametrize("given", [False, True], ids=["induced-schema", "given-schema"])
def test_a_model_that_obeys_the_injection_cannot_add_keys(tmp_path, given):
    server = FaultyOpenAIServer(faults_per_prompt=0, obey_injection=True)
    args = ["--backend", "openai", "-O", f"base_url={server.url}", *SERVER_OPTIONS]
    if given:
        schema = tmp_path / "schema.json"
        schema.write_text(json.dumps({"structure": "kv_single", "fields": [{"name": n} for n in GIVEN]}))
        args += ["--schema", str(schema)]
    names = [n for n in HOSTILE if n != "big-repeat"]  # the 1 MB document is covered on the rules backend
    try:
        records = run_extract(tmp_path, *args, names=names)
    finally:
        server.close()
    assert_clean(records, GIVEN if given else None)
    raw = " ".join(str(r["raw"]) for r in records.values())
    assert INJECTED in raw  # the "model" did write the injected key; the pipeline kept it out of the rows
