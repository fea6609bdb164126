import pytest

from text2table.decoding.constraint import Constraint
from text2table.errors import ConfigError


def test_a_constraint_is_schema_or_rows_with_a_bounded_bias():
    c = Constraint("rows", {"type": "object"}, max_rows=3, list_end_bias=-1.5)
    assert (c.kind, c.max_rows, c.list_end_bias) == ("rows", 3, -1.5)
    with pytest.raises(ConfigError, match="'table' is not 'schema' or 'rows'"):
        Constraint("table", {})  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match=r"within \[-10, 10\]"):
        Constraint("schema", {}, list_end_bias=11.0)


def test_a_constraint_is_hashable_and_frozen():
    c = Constraint("schema", {"type": "object"})
    with pytest.raises(AttributeError):
        c.kind = "rows"  # type: ignore[misc]
