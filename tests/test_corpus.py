"""One table for a corpus (pipeline/corpus.py): sampling, induction with the rules backend, the table, paths."""

from dataclasses import dataclass, field

import pytest

from text2table.backends.choose import open_backend
from text2table.core.schema import Field, Schema
from text2table.errors import InputError
from text2table.pipeline.corpus import (check_predictions, corpus_table, induce_corpus_schema, one_table_paths,
                                        spread_sample)


@dataclass(frozen=True)
class Doc:
    id: str
    document: str
    metadata: dict = field(default_factory=dict)
    problem: str | None = None


INVOICES = [Doc(f"inv-{k}", f"Invoice number: INV-{k}\nCustomer: Firm {k}\nTotal: {k}00 EUR\n"
                + ("Notes: urgent\n" if k == 3 else "")) for k in range(1, 7)]


@pytest.mark.parametrize("size, n", [(10, 3), (7, 7), (100, 20), (5, 1), (3, 10)])
def test_spread_sample_is_ordered_unique_and_spans_the_input(size, n):
    items = list(range(size))
    chosen = spread_sample(items, n)
    assert len(chosen) == min(size, n) and chosen == sorted(set(chosen))
    assert chosen[0] == 0 and (n == 1 or chosen[-1] == size - 1)


def test_induce_with_rules_merges_the_sample():
    backend = open_backend("rules")
    merged, ids = induce_corpus_schema(INVOICES, backend, sample=4)
    assert ids == ["inv-1", "inv-3", "inv-4", "inv-6"]
    assert merged.schema.names == ["invoice_number", "customer", "total"]
    assert merged.dropped == {"notes": 0.25}


def test_empty_and_unreadable_documents_are_not_sampled():
    docs = [Doc("e", "   "), Doc("bad", "", problem="x.txt: not UTF-8"), *INVOICES[:2]]
    _, ids = induce_corpus_schema(docs, open_backend("rules"), sample=5)
    assert ids == ["inv-1", "inv-2"]
    with pytest.raises(InputError, match="no readable"):
        induce_corpus_schema(docs[:2], open_backend("rules"))


def test_a_failing_backend_counts_as_a_document_without_schema():
    class Broken:
        name = "broken"

        def generate(self, *args, **kwargs):
            raise RuntimeError("down")

    merged, ids = induce_corpus_schema(INVOICES[:2], Broken(), sample=2)
    assert merged.schema is None and merged.documents == 2 and ids == ["inv-1", "inv-2"]


def test_corpus_table_one_row_per_entity_and_a_doc_id_that_never_collides():
    schema = Schema("flat_single_row", (Field("doc_id"), Field("qty")))
    columns, rows = corpus_table([{"id": "a", "rows": [{"doc_id": "X1", "qty": "2"}]}, {"id": "b", "rows": []},
                                  {"id": "c", "rows": [{"doc_id": None, "qty": "1"}, {"doc_id": "Z", "qty": None}],
                                   "error": None}], schema)
    assert columns == ["doc_id", "doc_id_2", "qty"]
    assert rows == [["a", "X1", "2"], ["b", None, None], ["c", None, "1"], ["c", "Z", None]]


def test_one_table_paths_sit_next_to_the_table(tmp_path):
    schema_path, pred_path = one_table_paths(tmp_path / "x" / "table.parquet")
    assert schema_path == tmp_path / "x" / "table.schema.json" and pred_path == tmp_path / "x" / "table.pred.jsonl"


def test_predictions_under_another_schema_are_refused():
    schema = Schema("kv_single", (Field("a"),))
    other = Schema("kv_single", (Field("b"),))
    ok = {"id": "1", "schema": schema.to_dict(), "rows": []}
    failed = {"id": "2", "schema": None, "rows": [], "error": "boom"}
    assert len(check_predictions([ok, failed], schema, "p.jsonl")) == 2
    with pytest.raises(InputError, match=r"p\.jsonl:2: .*delete this prediction file"):
        check_predictions([ok, {"id": "3", "schema": other.to_dict(), "rows": []}], schema, "p.jsonl")
