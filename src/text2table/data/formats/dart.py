"""DART JSON (Yale-LILY/dart: triple sets and their sentences) -> one gold record per sentence.

Input: the release's ``dart-v1.1.1-full-{train,dev}.json``, a JSON list of ``{"tripleset": [[subject,
property, object], ...], "annotations": [{"source": ..., "text": ...}, ...]}``. Licence of the data: MIT.

Mapping (one record per annotation, the document is its text):

* sources ``webnlg`` (DBpedia triples): as :mod:`.webnlg` maps an entry: one subject -> ``kv_single``, several
  -> ``flat_single_row``, both with the subject in a ``name`` column;
* sources from Wikipedia tables (``WikiTableQuestions_*``, ``WikiSQL_*``): a triple set is one table row
  (a cell linked to its neighbours' columns), so it becomes one ``kv_single`` row whose fields are the
  properties (``core.naming``: ``OFFICIAL_POPULATION`` -> ``official_population``); the table's title
  (``[TABLECONTEXT] [TITLE] ...``) is left out, and ``[TABLECONTEXT] COLUMN value`` gives field ``column``;
  a subject that is no column's value (the row's key cell, whose column DART does not name) is the first
  field, ``name``;
* source ``e2e`` is skipped by default (option ``sources``): DART's E2E part is E2E's own splits, which
  ``convert --format e2e`` reads with the Text-to-Table paper's preprocessing, and whose dev split holds our
  held-back part.

A property repeated in one row joins its objects with ``"; "``. Option ``filter``: ``"stated"`` (default)
keeps only the cells the sentence states (case aside; each part of a joined value), as the Text-to-Table
paper's preprocessing does for its data sets: a column left empty is dropped, and a sentence left with no
cell yields no record (``values_not_stated``, ``records_without_cells``); ``"text"`` keeps every label and
counts those not in the sentence (``values_not_in_text``); ``"none"`` keeps every label. Ids are
``<file stem>-<set>-<annotation>`` (``dart-`` put in front of a stem without it); ``metadata.group`` is the triple set (all its sentences belong to
one split part), ``metadata.source`` the annotation's source.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from text2table.errors import ConfigError, InputError
from text2table.core.naming import normalize_name
from text2table.core.records import GoldRecord
from text2table.data.formats._common import Context, FormatSpec, make_record
from text2table.data.formats.webnlg import SUBJECT_FIELD, entry_table, label

FILTERS = ("stated", "text", "none")
DEFAULT_SOURCES = "webnlg,WikiTableQuestions_lily,WikiTableQuestions_mturk,WikiSQL_lily,WikiSQL_decl_sents"
CONTEXT = "[TABLECONTEXT]"


def row_table(triples: list[tuple[str, str, str]], document: str, mode: str,
              ctx: Context) -> tuple[str, list[str], list[list[str | None]]]:
    """One ``kv_single`` row from a Wikipedia-table triple set (the title triple left out).

    >>> from text2table.data.formats._common import Context
    >>> row_table([("[TABLECONTEXT]", "[TITLE]", "Eardrum (album)"), ("[TABLECONTEXT]", "NUMBER", "2"),
    ...            ("2", "TITLE", "NY Weather Report")], "NY Weather Report is song 2.", "text",
    ...           Context(options={}))
    ('kv_single', ['number', 'title'], [['2', 'NY Weather Report']])
    >>> row_table([("Newberry College", "NICKNAME", "Wolves")], "Newberry College's nickname is the wolves.",
    ...           "text", Context(options={}))
    ('kv_single', ['name', 'nickname'], [['Newberry College', 'Wolves']])
    """
    fields: dict[str, list[str]] = {}
    column_values = {label(obj) for subject, _, obj in triples if subject == CONTEXT}
    keys = [label(s) for s, _, _ in triples if s != CONTEXT and label(s) not in column_values]
    if keys and all(normalize_name(prop) != SUBJECT_FIELD for _, prop, _ in triples):
        fields[SUBJECT_FIELD] = [keys[0]]
    for subject, prop, obj in triples:
        if subject == CONTEXT and prop == "[TITLE]":
            continue
        values = fields.setdefault(normalize_name(prop), [])
        value = label(obj)
        if mode == "text" and value.lower() not in document.lower():
            ctx.count("values_not_in_text")
        if value not in values:
            values.append(value)
    names = list(fields)
    return "kv_single", names, [["; ".join(fields[n]) for n in names]]


def keep_stated(headers: list[str], rows: list[list[str | None]], document: str,
                ctx: Context) -> tuple[list[str], list[list[str | None]]]:
    """The cells ``document`` states (every ``"; "`` part of a value, case aside); empty columns and rows dropped.

    >>> keep_stated(["name", "genus", "ingredient"], [["Lemon", "Citrus", None], ["Pie", None, "Lime"]],
    ...             "Lemon (genus citrus) ...", Context(options={}))
    (['name', 'genus'], [['Lemon', 'Citrus']])
    """
    text = document.lower()
    stated = [[v if v is None or all(p.lower() in text for p in v.split("; ")) else None for v in row] for row in rows]
    ctx.count("values_not_stated", sum(v is not None for row in rows for v in row)
              - sum(v is not None for row in stated for v in row))
    keep = [j for j in range(len(headers)) if any(row[j] is not None for row in stated)]
    out = [[row[j] for j in keep] for row in stated]
    return [headers[j] for j in keep], [row for row in out if any(v is not None for v in row)]


def _triples(item: Any) -> list[tuple[str, str, str]] | None:
    raw = item.get("tripleset") if isinstance(item, dict) else None
    if not isinstance(raw, list) or not raw:
        return None
    out = []
    for triple in raw:
        if not (isinstance(triple, list) and len(triple) == 3 and all(isinstance(x, str) and x.strip() for x in triple)):
            return None
        out.append((triple[0].strip(), triple[1].strip(), triple[2].strip()))
    return out


def _records(path: Path, sources: set[str], ctx: Context) -> Iterator[GoldRecord]:
    try:
        items = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        ctx.fail(InputError(f"not a DART JSON file: {exc}", source=str(path), line=getattr(exc, "lineno", None),
                            hint="pass dart-v1.1.1-full-train.json or -dev.json from Yale-LILY/dart"))
        return
    if not isinstance(items, list):
        ctx.fail(InputError("expected a JSON list of triple sets", source=str(path), hint="pass a DART release file"))
        return
    mode = ctx.options["filter"]
    stem = path.stem if path.stem.startswith("dart") else f"dart-{path.stem}"
    for k, item in enumerate(items):
        triples = _triples(item)
        if triples is None:
            ctx.fail(InputError(f"triple set {k}: 'tripleset' is not a list of [subject, property, object]",
                                source=str(path), hint="pass a DART release file"))
            continue
        for a, note in enumerate(item.get("annotations") or []):
            source, document = str(note.get("source", "")), " ".join(str(note.get("text", "")).split())
            if source not in sources:
                ctx.count(f"skipped_source.{source}")
                continue
            if not document:
                ctx.count("annotations_without_text")
                continue
            label_mode = "none" if mode == "stated" else mode
            if source == "webnlg":
                structure, headers, rows = entry_table(triples, document, {}, label_mode, ctx)
            else:
                structure, headers, rows = row_table(triples, document, label_mode, ctx)
            if mode == "stated":
                headers, rows = keep_stated(headers, rows, document, ctx)
                if not rows or headers == [SUBJECT_FIELD]:
                    ctx.count("records_without_cells")
                    continue
            group = f"{stem}-{k}"
            yield make_record(f"{group}-{a}", document, headers, rows, structure=structure,
                              metadata={"dataset": "dart", "group": group, "source": source})


def open_dart(inputs: list[Path], ctx: Context) -> Iterator[GoldRecord]:
    """Check the inputs and options now; return the lazy record iterator."""
    if ctx.options["filter"] not in FILTERS:
        raise ConfigError(f"dart filter must be one of {FILTERS}, got {ctx.options['filter']!r}")
    sources = {s.strip() for s in str(ctx.options["sources"]).split(",") if s.strip()}
    if not sources:
        raise ConfigError("dart sources is empty; name at least one annotation source, e.g. webnlg")
    for path in inputs:
        if not path.is_file():
            raise InputError("the DART file not found", source=str(path), hint="check the path")

    def generate() -> Iterator[GoldRecord]:
        for path in inputs:
            yield from _records(path, sources, ctx)
        counters = ctx.report.counters
        skipped = {k.split(".", 1)[1]: v for k, v in counters.items() if k.startswith("skipped_source.")}
        if skipped:
            ctx.note("annotations skipped by source: " + ", ".join(f"{k} {v}" for k, v in sorted(skipped.items())))
        if counters.get("values_not_stated") or counters.get("records_without_cells"):
            ctx.note(f"{counters.get('values_not_stated', 0)} values the sentence does not state dropped,"
                     f" {counters.get('records_without_cells', 0)} sentences left without a cell")
        if counters.get("values_not_in_text"):
            ctx.note(f"{counters['values_not_in_text']} values not found in their sentence (kept as labelled)")

    return generate()


SPEC = FormatSpec(name="dart", summary="DART JSON (triple sets + sentences; MIT) -> kv_single rows (Wikipedia tables)"
                  " or WebNLG-style tables, stated cells only; E2E annotations skipped", options={"filter": "stated",
                                                                               "sources": DEFAULT_SOURCES},
                  open=open_dart)
