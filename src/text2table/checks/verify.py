"""Evidence check of extracted rows: every cell must be supported by the document.

pi2 is asked for facts that can be verified in the text, but a small model also fills a column from what it
saw in training (``near: "Shanghai"`` for a pub whose review names no neighbour). :func:`verify_rows` sets
such cells to null, using the same test as the grounding metric
(:meth:`text2table.text.document_index.DocumentIndex.supports`: case, accents, thousands separators and number
words are forgiven; yes/no needs a word of the field name in the text). Rows left with no value at all are
dropped, and so are rows that became copies of an earlier row. A yes/no cell the text contradicts ("not
family friendly" read as ``yes``) is turned to the answer the text gives
(:func:`text2table.checks.polarity.evidence_polarity`) and listed in ``corrected``. A cell that is one English
function word (``near``, ``the``, ``of``) states no fact, though the text holds the word: it is nulled
with ``{"reason": "function word"}``. A one-word cell whose every mention in the text modifies another
column's word ("a very low price" for ``customer_rating: "low"``) is that column's fact, and is nulled with
``{"reason": "describes 'price'"}`` (:mod:`text2table.checks.attribution`). With ``drop_empty_columns`` (only for a
schema the model induced, never a schema the user gave), a column whose every value was unsupported leaves
the schema as an invented column; a column that was null from the start stays. Nothing is lost silently:
each nulled cell is listed, to be kept in the prediction's diagnostics.

With ``null_repeats`` (also only for induced schemas), a single-record table (``kv_single``) states each
fact once: a textual cell that repeats, up to case and spacing, an earlier cell of its row is nulled
(``{"repeats": field}`` in the list). A small model fills a column it should not have written with a value
it already used (``near: "Cocum"`` for the restaurant called Cocum). Gold single-record tables almost never
repeat a textual value: none of 2,371 E2E rows and 49 sample rows, 51 of 2,972 WikiTableText rows (1.7%).
A row read from one list item (``evidence`` given) is held to the same rule for numbers too: none of the
129 gold rows of the sample's item lists repeats a value, while a column the model should not have written
copies one (``serving: "4"`` beside ``quantity: "4"``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from text2table.checks.attribution import modifies_another_column, word_keys
from text2table.layout.item_lists import find_item_list
from text2table.text.document_index import DocumentIndex
from text2table.text.normalise import BOOLEAN_WORDS, cell_text, fold
from text2table.text.variants import word_key
from text2table.checks.polarity import contradicts, evidence_polarity, flipped
from text2table.core.schema import Schema
from text2table.core.table import Row, dedupe_rows


#: Words that are never a cell's whole value (``area: "near"``). Letters that can be a value are left out:
#: ``a`` (a grade), ``in`` (inches).
FUNCTION_WORDS = frozenset(
    "the an of and or nor but with without for from to by at on near into onto than is are was were be been "
    "it its this that these those there here which who whom whose what "
    # French, German and Spanish articles and conjunctions (not "de", "mit": WikiTableText has them as cells)
    "le la les un une des du au aux et ou der das dem ein eine einer und oder von zum zur el los las del y".split())
_FUNCTION_KEYS = frozenset(word_key(w) for w in FUNCTION_WORDS)
_ARTICLE = re.compile(r"^(?:the|a|an) ")  # ignored when comparing cells for repeats


@dataclass
class Verified:
    """The checked table: its schema (fewer columns when empty ones were dropped), rows, and what changed."""

    schema: Schema
    rows: list[Row]
    nulled: list[dict[str, Any]] = field(default_factory=list)  # {"row": i, "field": name, "value": v}
    dropped_columns: list[str] = field(default_factory=list)
    dropped_rows: int = 0
    corrected: list[dict[str, Any]] = field(default_factory=list)  # {"row", "field", "value", "now"}

    def diagnostics(self) -> dict[str, Any]:
        """What a prediction's ``diagnostics["verify"]`` holds."""
        return {"nulled": self.nulled, "corrected": self.corrected, "dropped_columns": self.dropped_columns,
                "dropped_rows": self.dropped_rows}


def _null_repeats(row: Row, missing: frozenset[str], i: int, nulled: list[dict[str, Any]], *,
                  numbers: bool = False) -> None:
    """Null, in place, each textual cell of ``row`` (each cell with ``numbers``) equal, case, spacing and a
    leading article aside, to an earlier cell (``near: "Punter"`` after ``name: "The Punter"``)."""
    first: dict[str, str] = {}
    for name, value in row.items():
        text = cell_text(value, missing)
        if text is None or not (numbers or re.search(r"[^\W\d_]", text)):
            continue
        key = _ARTICLE.sub("", " ".join(text.casefold().split()))
        if key in first:
            row[name] = None
            nulled.append({"row": i, "field": name, "value": value, "repeats": first[key]})
        else:
            first[key] = name


def verify_rows(document: str, schema: Schema, rows: list[Row], *, missing: Iterable[str] = (),
                drop_empty_columns: bool = False, null_repeats: bool = False,
                evidence: Sequence[str] | None = None) -> Verified:
    """Null the cells ``document`` does not support; see the module docstring. ``evidence`` (one text per
    row) checks each row against its own source instead, such as the list item it was read from.

    >>> s = Schema.from_dict({"structure": "kv_single", "fields": [{"name": "name"}, {"name": "near"}]})
    >>> v = verify_rows("The Eagle is a pub.", s, [{"name": "The Eagle", "near": "Shanghai"}], drop_empty_columns=True)
    >>> v.rows, v.schema.names, v.nulled
    ([{'name': 'The Eagle'}], ['name'], [{'row': 0, 'field': 'near', 'value': 'Shanghai'}])
    """
    if evidence is not None and len(evidence) != len(rows):
        raise ValueError(f"evidence has {len(evidence)} texts for {len(rows)} rows")
    indexes = {text: DocumentIndex.build(text) for text in (evidence or [document])}
    missing = frozenset(missing)
    nulled: list[dict[str, Any]] = []
    corrected: list[dict[str, Any]] = []
    polarity: dict[tuple[str, str], bool | None] = {}
    keys: dict[str, list[str]] = {}
    checked: list[Row] = []
    for i, row in enumerate(rows):
        source = evidence[i] if evidence is not None else document
        index = indexes[source]
        out = dict(row)
        for name, value in row.items():
            text = cell_text(value, missing)
            if text is None:
                continue
            if not index.supports(text, name):
                out[name] = None
                nulled.append({"row": i, "field": name, "value": value})
            elif fold(text).strip() in FUNCTION_WORDS:
                out[name] = None
                nulled.append({"row": i, "field": name, "value": value, "reason": "function word"})
            elif fold(text).strip() in BOOLEAN_WORDS:
                if (source, name) not in polarity:
                    polarity[source, name] = evidence_polarity(source, name)
                if contradicts(value, polarity[source, name]):
                    out[name] = flipped(value)
                    corrected.append({"row": i, "field": name, "value": value, "now": out[name]})
            else:
                if source not in keys:
                    keys[source] = word_keys(source)
                word = modifies_another_column(keys[source], text, name, schema.names, _FUNCTION_KEYS)
                if word is not None:
                    out[name] = None
                    nulled.append({"row": i, "field": name, "value": value, "reason": f"describes {word!r}"})
        if null_repeats and (schema.structure == "kv_single" or evidence is not None):
            _null_repeats(out, missing, i, nulled, numbers=evidence is not None)
        checked.append(out)
    kept = [r for r in checked if any(cell_text(v, missing) is not None for v in r.values())]
    unique = dedupe_rows(kept)
    dropped_columns: list[str] = []
    if drop_empty_columns and unique:
        emptied = {c["field"] for c in nulled}  # a column null from the start stays: "not stated" is an answer
        dropped_columns = [n for n in schema.names
                           if n in emptied and all(cell_text(r.get(n), missing) is None for r in unique)]
        if dropped_columns and len(dropped_columns) < len(schema.names):
            schema = _without(schema, set(dropped_columns))
            unique = [{n: r.get(n) for n in schema.names} for r in unique]
        else:
            dropped_columns = []
    return Verified(schema, unique, nulled, dropped_columns, len(rows) - len(unique), corrected)


def _without(schema: Schema, names: set[str]) -> Schema:
    data = schema.to_dict()
    data["fields"] = [f for f in data["fields"] if f["name"] not in names]
    data.pop("schema_id", None)  # recomputed from the remaining fields
    return Schema.from_dict(data)


def _item_evidence(record: dict[str, Any], document: str) -> list[str] | None:
    """Each row's list item, for a prediction read item by item (``diagnostics.item_list.rows_from``)."""
    rows_from = ((record.get("diagnostics") or {}).get("item_list") or {}).get("rows_from")
    found = find_item_list(document) if rows_from else None
    if found is None or len(rows_from) != len(record["rows"]) or max(rows_from) >= len(found.items):
        return None
    return [found.items[k] for k in rows_from]


def verify_record(record: dict[str, Any], document: str, *, missing: Iterable[str] = ()) -> dict[str, Any]:
    """A prediction line (``extract``'s format) from an unverified run, verified as the pipeline would
    (its schema counts as induced; rows read item by item are checked against their items). Lines without
    a schema or rows come back unchanged."""
    if not record.get("schema") or not record.get("rows"):
        return record
    checked = verify_rows(document, Schema.from_dict(record["schema"]), record["rows"], missing=missing,
                          drop_empty_columns=True, null_repeats=True, evidence=_item_evidence(record, document))
    diagnostics = {**(record.get("diagnostics") or {}), "verify": checked.diagnostics()}
    out = {**record, "schema": checked.schema.to_dict(), "rows": checked.rows, "diagnostics": diagnostics}
    if checked.dropped_columns and isinstance(record.get("raw"), dict):  # as the pipeline records it
        out["raw"] = {**record["raw"], "pi2_schema": record["schema"]}
    return out
