import pytest

from text2table.errors import (BackendError, ConfigError, InputError, MissingDependencyError, ParseError, SchemaError,
                               Text2TableError)


def test_input_errors_name_file_line_and_fix():
    assert str(InputError("bad", source="a.jsonl", line=3, hint="fix it")) == "a.jsonl:3: bad (fix: fix it)"
    assert str(InputError("bad", source="a.jsonl")) == "a.jsonl: bad"
    assert str(InputError("bad")) == "bad"
    assert str(ParseError("no object", line=2)) == "line 2: no object"


def test_missing_dependency_names_the_extra():
    message = str(MissingDependencyError("torch", "hf"))
    assert "pip install 'text2table[hf]'" in message and message.startswith("torch is not installed")


@pytest.mark.parametrize("cls", [InputError, SchemaError, ParseError, ConfigError, BackendError,
                                 MissingDependencyError])
def test_every_error_is_one_of_ours(cls):
    assert issubclass(cls, Text2TableError)
