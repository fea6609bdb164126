"""`extract --backend openai` against a faulty server on 127.0.0.1 (timeouts, 429, 5xx, dropped connections,
truncated bodies): every document is answered or reported, nothing is lost, a rerun duplicates nothing, and
the answers are the ones a fault-free run gives. Bounded: fast retries, a request cap, a wall-clock check."""

import json
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from text2table.cli import app

from .fake_openai import FAULTS, FaultyOpenAIServer

ROOT = Path(__file__).resolve().parents[1]
runner = CliRunner()
N_DOCS = 10
FAST_RETRIES = ["-O", "timeout=0.3", "-O", "retries=3", "-O", "backoff=0.01", "-O", "max_backoff=0.05",
                "-O", "concurrency=3"]


def lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()]


@pytest.fixture
def inputs(tmp_path: Path) -> Path:
    """Ten documents of the bundled sample and one the server always refuses."""
    sample = [json.loads(line) for line in (ROOT / "examples" / "data" / "test.jsonl").read_text().splitlines()]
    docs = [{"id": r["id"], "document": r["document"]} for r in sample[:N_DOCS]]
    docs.insert(4, {"id": "refused", "document": "Name: ALWAYS-FAIL\nArea: nowhere\n"})
    path = tmp_path / "docs.jsonl"
    path.write_text("".join(json.dumps(d) + "\n" for d in docs))
    return path


@pytest.fixture
def server():
    s = FaultyOpenAIServer(faults_per_prompt=3, timeout_delay=0.6, max_requests=3000)
    yield s
    s.close()


def answers(records: list[dict]) -> dict[str, tuple]:
    return {r["id"]: (r["schema"], r["rows"]) for r in records}


@pytest.mark.parametrize("client", ["httpx", "urllib"])
def test_extract_through_faults_loses_nothing_and_a_rerun_duplicates_nothing(inputs, server, tmp_path, client,
                                                                             monkeypatch):
    if client == "urllib":
        monkeypatch.setitem(sys.modules, "httpx", None)  # as after a light install without httpx
    out = tmp_path / "pred.jsonl"
    began = time.monotonic()
    result = runner.invoke(app, ["extract", str(inputs), "-o", str(out), "--backend", "openai", "-O",
                                 f"base_url={server.url}", *FAST_RETRIES, "--batch-size", "4"])
    seconds = time.monotonic() - began
    assert result.exit_code == 1, result.output  # one document failed unexpectedly: said, and exit 1
    assert "--retry-failed" in result.output
    assert "1 document(s) failed unexpectedly: refused" in " ".join(result.output.split())
    records = lines(out)
    ids = [r["id"] for r in records]
    assert sorted(ids) == sorted(json.loads(line)["id"] for line in inputs.read_text().splitlines())
    assert len(ids) == len(set(ids)) == N_DOCS + 1
    by_id = {r["id"]: r for r in records}
    assert "503" in by_id["refused"]["error"] and by_id["refused"]["rows"] == []
    assert [i for i, r in by_id.items() if "error" in r] == ["refused"]
    assert {f for f in FAULTS if server.served[f] == 0} == set(), server.served  # every fault was met
    assert server.served["over_budget"] == 0 and seconds < 120, (server.requests, seconds)

    clean = FaultyOpenAIServer(faults_per_prompt=0)
    try:
        ref = tmp_path / "ref.jsonl"
        runner.invoke(app, ["extract", str(inputs), "-o", str(ref), "--backend", "openai", "-O",
                            f"base_url={clean.url}", *FAST_RETRIES, "--batch-size", "4"])
    finally:
        clean.close()
    assert answers(records) == answers(lines(ref))  # the faults changed no answer

    before = server.requests
    again = runner.invoke(app, ["extract", str(inputs), "-o", str(out), "--backend", "openai", "-O",
                                f"base_url={server.url}", *FAST_RETRIES])
    assert again.exit_code == 0, again.output
    assert f"{N_DOCS + 1} already there" in " ".join(again.output.split())
    assert lines(out) == records and server.requests == before

    server.always_fail = "NO-LONGER-FAILS"  # the server recovered: --retry-failed runs the failed document again
    retry = runner.invoke(app, ["extract", str(inputs), "-o", str(out), "--backend", "openai", "-O",
                                f"base_url={server.url}", *FAST_RETRIES, "--retry-failed"])
    assert retry.exit_code == 0, retry.output
    assert f"{N_DOCS} already there" in " ".join(retry.output.split())
    after = lines(out)
    assert sorted(r["id"] for r in after) == sorted(ids) and not any("error" in r for r in after)
    assert after[:N_DOCS] == [r for r in records if r["id"] != "refused"]
