from text2table.core.schema import Schema
from text2table.layout.blocks import extract_rows, find_blocks_in, induce_schema, match_headers, richest

PIPE = "| City | Country | Pop |\n|---|---|---|\n| Oslo | Norway | 0.7M |\n| Bergen | Norway | n/a |"


def test_each_kind_of_block_is_found_with_missing_tokens_as_none():
    kinds = {b.kind: b for b in find_blocks_in(PIPE + "\n\nName: Blue Spice\nArea: riverside",
                                                {"missing_value_tokens": ["n/a"]})}
    assert set(kinds) == {"pipe", "kv"}
    assert kinds["pipe"].rows == [["Oslo", "Norway", "0.7M"], ["Bergen", "Norway", None]]
    assert kinds["kv"].headers == ["Name", "Area"] and kinds["kv"].filled == 2
    assert [b.kind for b in find_blocks_in("a;b;c\n1;2;3\n4;5;6")] == ["csv"]
    assert [b.kind for b in find_blocks_in("City    Pop\nOslo    0.7M\nBergen  0.3M")] == ["aligned"]


def test_prose_has_no_block_and_no_schema():
    text = "She drives a red car, a Fiat Panda. It is not only family friendly but also cheap."
    assert find_blocks_in(text) == [] and induce_schema(text) is None


def test_the_richest_block_gives_the_schema():
    blocks = find_blocks_in(PIPE + "\n\nName: Blue Spice")
    assert richest(blocks).kind == "pipe"
    assert induce_schema(PIPE).names == ["city", "country", "pop"]


def test_headers_match_fields_by_name_then_by_unique_tokens():
    schema = Schema.from_dict({"structure": "flat_single_row",
                               "fields": [{"name": "city"}, {"name": "population"}, {"name": "country_name"}]})
    assert match_headers(["City", "Pop", "Country"], schema) == {"city": 0, "country_name": 2}
    assert extract_rows(PIPE, schema)[0] == {"city": "Oslo", "population": None, "country_name": "Norway"}
