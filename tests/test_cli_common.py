import pytest
import typer

from text2table.cli.common import friendly_errors
from text2table.errors import InputError


def test_our_errors_exit_2_and_others_propagate():
    with pytest.raises(typer.Exit) as exit_info:
        with friendly_errors():
            raise InputError("bad line", source="x.jsonl", line=2)
    assert exit_info.value.exit_code == 2
    with pytest.raises(KeyError):
        with friendly_errors():
            raise KeyError("a bug stays a traceback")
