"""`text2table convert`: the paper's preprocessing by default, --filter evidence, --no-filter, the flags' conflict."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from text2table.cli import app

runner = CliRunner()
E2E = Path(__file__).parent / "fixtures" / "paper" / "e2e_devset.csv"
WTT = Path(__file__).parent / "fixtures" / "paper" / "wtt_dev.tsv"


def _headers(path: Path) -> list[list[str]]:
    return [json.loads(line)["table"]["headers"] for line in path.read_text(encoding="utf-8").splitlines()]


@pytest.mark.parametrize(("flags", "has_eat_type", "note"), [
    ([], False, "e2e filter wu"), (["--filter", "evidence"], True, "e2e filter evidence"),
    (["--no-filter"], True, None),
], ids=["default-wu", "evidence", "no-filter"])
def test_e2e_filters(tmp_path: Path, flags: list[str], has_eat_type: bool, note: str | None) -> None:
    out = tmp_path / "gold.jsonl"
    result = runner.invoke(app, ["convert", "--format", "e2e", str(E2E), "--out", str(out), *flags])
    assert result.exit_code == 0, result.output
    assert ("eatType" in _headers(out)[0]) is has_eat_type
    assert (note in result.output) if note else ("dropped" not in result.output)


def test_wikitabletext_default_and_no_filter(tmp_path: Path) -> None:
    out = tmp_path / "gold.jsonl"
    assert runner.invoke(app, ["convert", "--format", "wikitabletext", str(WTT), "--out", str(out)]).exit_code == 0
    assert _headers(out)[0] == ["title", "subtitle", "name"]
    result = runner.invoke(app, ["convert", "-f", "wikitabletext", str(WTT), "-o", str(out), "--no-filter"])
    assert result.exit_code == 0, result.output
    assert _headers(out)[0] == ["subj_title", "subj_subtitle", "name", "year"]


def test_filter_and_no_filter_conflict(tmp_path: Path) -> None:
    result = runner.invoke(app, ["convert", "-f", "e2e", str(E2E), "-o", str(tmp_path / "g.jsonl"), "--no-filter",
                                 "--filter", "wu"])
    assert result.exit_code != 0 and "not both" in result.output
