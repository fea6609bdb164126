import pytest

from text2table.core.schema import Schema
from text2table.errors import SchemaError
from text2table.pipeline.row_merge import merge_chunk_rows


def test_merge_flat_removes_duplicates_and_rows_seen_more_completely_elsewhere():
    names = ["player", "points"]
    chunks = [[{"player": "A", "points": "1"}, {"player": "B", "points": None}],
              [{"player": "B", "points": "2"}, {"player": "A", "points": "1"}, {"player": "C", "points": None}]]
    rows, removed = merge_chunk_rows("flat_single_row", chunks, names)
    assert rows == [{"player": "A", "points": "1"}, {"player": "B", "points": "2"}, {"player": "C", "points": None}]
    assert removed == 2


def test_merge_flat_keeps_same_chunk_rows_that_differ():
    rows, removed = merge_chunk_rows("flat_single_row", [[{"a": "x", "b": None}, {"a": "x", "b": "1"}]], ["a", "b"])
    assert len(rows) == 2 and removed == 0


def test_merge_kv_first_non_null_wins():
    rows, _ = merge_chunk_rows("kv_single", [[{"a": None, "b": "1"}], [{"a": "x", "b": "2"}], []], ["a", "b"])
    assert rows == [{"a": "x", "b": "1"}]
    assert merge_chunk_rows("kv_single", [[], []], ["a"]) == ([], 0)


def test_merge_flat_joins_one_entity_seen_in_two_chunks():
    names = ["player", "points", "assists"]
    chunks = [[{"player": "Kyle Lowry", "points": "24", "assists": None}],
              [{"player": "kyle lowry", "points": None, "assists": "8"}, {"player": "Ross", "points": "22", "assists": None}]]
    rows, removed = merge_chunk_rows("flat_single_row", chunks, names)
    assert rows == [{"player": "Kyle Lowry", "points": "24", "assists": "8"},
                    {"player": "Ross", "points": "22", "assists": None}]
    assert removed == 1


@pytest.mark.parametrize("chunks", [
    # one chunk: the model wrote the two rows apart
    [[{"date": "May 1", "event": "opening", "place": None}, {"date": "May 1", "event": None, "place": "Hall B"}]],
    # two chunks whose values disagree: two events on one date
    [[{"date": "May 1", "event": "opening", "place": None}], [{"date": "May 1", "event": "closing", "place": "Hall B"}]],
    # no row header
    [[{"date": None, "event": "opening", "place": None}], [{"date": None, "event": None, "place": "Hall B"}]],
])
def test_merge_flat_keeps_rows_apart_unless_two_chunks_agree_on_one_entity(chunks):
    rows, removed = merge_chunk_rows("flat_single_row", chunks, ["date", "event", "place"])
    assert len(rows) == 2 and removed == 0


def test_merge_flat_joins_a_short_form_of_a_header_only_when_it_names_one_entity():
    names = ["team", "points"]
    rows, _ = merge_chunk_rows("flat_single_row", [[{"team": "Raptors", "points": None}],
                                                    [{"team": "Toronto Raptors", "points": "122"}]], names)
    assert rows == [{"team": "Toronto Raptors", "points": "122"}]
    two = [[{"team": "Johnson", "points": "9"}],
           [{"team": "Magic Johnson", "points": None}, {"team": "Dennis Johnson", "points": None}]]
    assert len(merge_chunk_rows("flat_single_row", two, names)[0]) == 3
    named_apart = [[{"team": "Raptors", "points": "95"}], [{"team": "Toronto Raptors", "points": "122"}]]
    assert merge_chunk_rows("flat_single_row", named_apart, names)[0] == [{"team": "Toronto Raptors", "points": "122"}]


def test_merge_flat_joins_a_family_name_that_disagrees_and_keeps_the_full_names_values():
    names = ["player", "points", "rebounds", "assists"]
    chunks = [[{"player": "Kevin Durant", "points": "32", "rebounds": "6", "assists": None}],
              [{"player": "Durant", "points": "7", "rebounds": None, "assists": "3"}]]
    rows, removed = merge_chunk_rows("flat_single_row", chunks, names)
    assert rows == [{"player": "Kevin Durant", "points": "32", "rebounds": "6", "assists": "3"}] and removed == 1
    later = [list(reversed(chunks[1])), chunks[0]]  # the short form read first
    assert merge_chunk_rows("flat_single_row", later, names)[0] == rows


@pytest.mark.parametrize("chunks", [
    # a first-word form at another price: two products ("The iPhone costs $799." / "The iPhone Pro costs $999.")
    [[{"name": "iPhone", "price": "$799"}], [{"name": "iPhone Pro", "price": "$999"}]],
    # equal headers that disagree: two events of one name
    [[{"name": "Board meeting", "price": "$20"}], [{"name": "board meeting", "price": "$25"}]],
    # a short form with a digit: a number, not a name ("Game 3" and "3")
    [[{"name": "3", "price": "$5"}], [{"name": "Game 3", "price": "$8"}]],
    # a family name two full names share
    [[{"name": "Johnson", "price": "$1"}], [{"name": "Magic Johnson", "price": "$2"}, {"name": "Dennis Johnson", "price": "$3"}]],
])
def test_merge_flat_keeps_disagreeing_rows_apart_unless_one_refers_back_to_the_other(chunks):
    rows, removed = merge_chunk_rows("flat_single_row", chunks, ["name", "price"])
    assert len(rows) == sum(len(c) for c in chunks) and removed == 0



def test_a_declared_row_key_makes_rows_with_one_key_one_row_even_from_one_chunk():
    names = ["player", "points", "rebounds"]
    chunks = [[{"player": "Zaza Pachulia", "points": "4", "rebounds": None}],
              [{"player": "zaza pachulia", "points": "9", "rebounds": "10"}, {"player": "Ish Smith", "points": "9",
                                                                             "rebounds": None}]]
    rows, removed = merge_chunk_rows("flat_single_row", chunks, names, row_key="player")
    # the row with more values gives the disagreeing ones, in the first row's place
    assert rows == [{"player": "zaza pachulia", "points": "9", "rebounds": "10"},
                    {"player": "Ish Smith", "points": "9", "rebounds": None}] and removed == 1
    one_chunk = [[{"player": "Ann", "points": "3", "rebounds": None}, {"player": "ANN", "points": None, "rebounds": "2"}]]
    assert merge_chunk_rows("flat_single_row", one_chunk, names, row_key="player")[0] == [
        {"player": "Ann", "points": "3", "rebounds": "2"}]
    # without the key the same rows stay apart (two events on one date, a row the model wrote twice on purpose)
    assert len(merge_chunk_rows("flat_single_row", chunks, names)[0]) == 3
    assert len(merge_chunk_rows("flat_single_row", one_chunk, names)[0]) == 2


def test_a_row_key_other_than_the_first_field_and_rows_without_a_key():
    names = ["date", "company", "revenue"]
    chunks = [[{"date": "2024", "company": "Acme", "revenue": "5"}, {"date": "2023", "company": None, "revenue": "4"}],
              [{"date": None, "company": "acme", "revenue": None}, {"date": "2022", "company": None, "revenue": "3"}]]
    rows, _ = merge_chunk_rows("flat_single_row", chunks, names, row_key="company")
    assert rows == [{"date": "2024", "company": "Acme", "revenue": "5"}, {"date": "2023", "company": None, "revenue": "4"},
                    {"date": "2022", "company": None, "revenue": "3"}]


def test_a_row_key_must_name_a_field_of_a_table_with_rows():
    fields = [{"name": "player"}, {"name": "points"}]
    assert Schema.from_dict({"structure": "flat_single_row", "fields": fields,
                             "constraints": {"row_key": "player"}}).row_key == "player"
    assert Schema.from_dict({"structure": "flat_single_row", "fields": fields}).row_key is None
    with pytest.raises(SchemaError, match="row_key 'name' must name one of the fields"):
        Schema.from_dict({"structure": "flat_single_row", "fields": fields, "constraints": {"row_key": "name"}})
    with pytest.raises(SchemaError, match="not kv_single"):
        Schema.from_dict({"structure": "kv_single", "fields": fields, "constraints": {"row_key": "player"}})
