"""The corpus schema merge rule (pipeline/schema_merge.py): grouping, support, order, types, structure."""

import pytest

from text2table.core.schema import Field, Schema
from text2table.errors import ConfigError
from text2table.pipeline.schema_merge import MergeConfig, merge_schemas


def kv(*names, structure="kv_single", types=None):
    types = types or {}
    return Schema(structure, tuple(Field(name=n, type=types.get(n, "string")) for n in names))


def test_soft_names_group_and_the_most_used_name_wins():
    schemas = [kv("name", "customer_rating"), kv("name", "rating"), kv("name", "customer_rating"),
               kv("name", "rating_2")]
    merged = merge_schemas(schemas)
    assert merged.schema.names == ["name", "customer_rating"]
    assert merged.support == {"name": 1.0, "customer_rating": 1.0}
    assert merged.aliases["customer_rating"] == ["rating", "rating_2"]


def test_a_document_never_puts_two_fields_into_one_group():
    merged = merge_schemas([kv("price", "price_range"), kv("price", "price_range")])
    assert merged.schema.names == ["price", "price_range"]


@pytest.mark.parametrize("min_support, kept", [(0.2, ["name", "area", "food"]), (0.5, ["name", "area"]),
                                               (1.0, ["name"])], ids=["low", "half", "all"])
def test_support_threshold(min_support, kept):
    schemas = [kv("name", "area", "food"), kv("name", "area"), kv("name", "food"), kv("name"), kv("name", "area")]
    merged = merge_schemas(schemas, min_support=min_support)
    assert merged.schema.names == kept
    assert set(merged.dropped) == {"name", "area", "food"} - set(kept)


def test_one_documents_invention_is_no_column_but_a_sample_of_one_keeps_its_fields():
    merged = merge_schemas([kv("name", "area"), kv("name", "invented_thing")], min_support=0.1)
    assert merged.schema.names == ["name"]
    assert set(merged.dropped) == {"area", "invented_thing"}
    assert merge_schemas([kv("name", "area")]).schema.names == ["name", "area"]


def test_documents_without_schema_do_not_count_against_support():
    merged = merge_schemas([kv("name", "area"), None, kv("name", "area"), None])
    assert merged.documents == 4 and merged.with_schema == 2 and merged.support["area"] == 1.0


def test_nothing_to_merge_gives_none():
    merged = merge_schemas([None, None])
    assert merged.schema is None and merged.with_schema == 0
    assert merge_schemas([]).schema is None


def test_order_follows_mean_relative_position():
    schemas = [kv("food", "name", "area"), kv("name", "area", "food"), kv("name", "food", "area")]
    assert merge_schemas(schemas).schema.names == ["name", "food", "area"]


def test_type_vote_and_tie_is_string():
    a = kv("name", "age", types={"age": "integer"})
    b = kv("name", "age", types={"age": "integer"})
    c = kv("name", "age", types={"age": "number"})
    assert merge_schemas([a, b, c]).schema.fields[1].type == "integer"
    assert merge_schemas([a, c]).schema.fields[1].type == "string"


def test_structure_majority_and_tie_goes_to_rows():
    flat = kv("item", "qty", structure="flat_single_row")
    assert merge_schemas([flat, flat, kv("item", "qty")]).schema.structure == "flat_single_row"
    assert merge_schemas([kv("item", "qty"), kv("item", "qty"), flat]).schema.structure == "kv_single"
    assert merge_schemas([kv("item", "qty"), flat]).schema.structure == "flat_single_row"


def test_merge_is_deterministic_and_its_report_is_plain_json():
    schemas = [kv("name", "area", "near"), kv("name", "location", "near"), kv("title", "area")]
    first, second = merge_schemas(schemas), merge_schemas(list(schemas))
    assert first.schema.to_dict() == second.schema.to_dict()
    report = first.report()
    assert report["rule"] == {"min_support": 0.2, "min_documents": 2, "threshold": 0.5}
    assert set(report["support"]) == set(first.schema.names)


@pytest.mark.parametrize("kwargs", [{"min_support": 1.5}, {"min_documents": 0}, {"threshold": 0.0}],
                         ids=["support", "documents", "threshold"])
def test_bad_config_raises(kwargs):
    with pytest.raises(ConfigError):
        MergeConfig(**kwargs)
