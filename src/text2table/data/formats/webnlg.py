"""WebNLG XML (DBpedia triples and their verbalisations) -> one gold record per entry and lexicalisation.

Inputs are XML files in the WebNLG benchmark form (``<entry category eid size>`` with a
``<modifiedtripleset>`` of ``subject | property | object`` triples and ``<lex>`` verbalisations; the
enriched release keeps the sentence in ``<lex><text>``, the challenge release as the ``<lex>`` text), or
folders searched for ``*.xml`` (sorted). Licence of the data: CC BY-NC-SA 4.0 (record it with any model
trained on it).

Mapping (one record per lexicalisation whose ``comment`` is not ``bad``/``toFix``; the document is its
sentence(s)):

* one subject -> ``kv_single``: a ``name`` field with the subject (as E2E's restaurant tables have one),
  then the subject's property names (``core.naming``: ``eatType`` -> ``eat_type``), values the objects; a
  subject that has a ``name`` property keeps it and gets no second one;
* several subjects (chains such as ``Airport | location | Tirstrup``, ``Tirstrup | country | Denmark``) ->
  ``flat_single_row``: one row per subject in order of first appearance, a ``name`` column with the
  subject, then the union of the properties; a property a subject lacks is ``null``.

A property repeated for one subject joins its objects with ``"; "``. Labels lose DBpedia's underscores and
quotes (``Adams_County,_Pennsylvania`` -> ``Adams County, Pennsylvania``). Option ``filter`` ``"text"``
(default) writes a value as this lexicalisation states it when the label is not in the sentence but the
entity's ``<reference>`` surface form is (``Danish_language`` -> ``Danish``), counting
``values_from_reference`` and ``values_not_in_text``; ``"none"`` keeps every label. Ids are
``webnlg-<split>-<size>triples-<category>-<eid>-<lid>`` (the file's two folders and stem, so train and dev
never share an id); ``metadata.group`` is the entry
(all its lexicalisations belong to one split part), ``metadata.category`` the DBpedia category.

The XML is read with the standard library parser (no external entities, no DTD fetch).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

from text2table.errors import ConfigError, InputError
from text2table.core.naming import normalize_name
from text2table.core.records import GoldRecord
from text2table.data.formats._common import Context, FormatSpec, make_record

FILTERS = ("text", "none")
SKIPPED_COMMENTS = frozenset({"bad", "toFix"})
SUBJECT_FIELD = "name"
_SPACE_BEFORE = re.compile(r"\s+([,.;:!?%)])")
_SPACE_AFTER = re.compile(r"([($])\s+")


def label(value: str) -> str:
    """A DBpedia label as text: underscores to spaces, surrounding quotes dropped.

    >>> label('Adams_County,_Pennsylvania'), label('"Bread, almonds"'), label('"1.8"^^xsd:double')
    ('Adams County, Pennsylvania', 'Bread, almonds', '1.8')
    """
    value = value.strip()
    if value.startswith('"') and '"' in value[1:]:
        value = value[1:value.rindex('"')]
    return " ".join(value.replace("_", " ").split())


def detokenize(text: str) -> str:
    """Undo the corpus tokenisation of a reference (``Adams County , Pennsylvania``).

    >>> detokenize("Adams County , Pennsylvania ( US )")
    'Adams County, Pennsylvania (US)'
    """
    return _SPACE_AFTER.sub(r"\1", _SPACE_BEFORE.sub(r"\1", " ".join(text.split())))


def parse_triple(text: str) -> tuple[str, str, str] | None:
    """``(subject, property, object)`` of ``a | b | c``, else ``None``."""
    parts = [p.strip() for p in (text or "").split(" | ")]
    return (parts[0], parts[1], parts[2]) if len(parts) == 3 and all(parts) else None


def _lex_text(lex: ET.Element) -> str:
    node = lex.find("text")
    text = node.text if node is not None else lex.text
    return " ".join((text or "").split())


def _surface_forms(lex: ET.Element) -> dict[str, list[str]]:
    """Entity key -> the reference surface forms of this lexicalisation (names first)."""
    forms: dict[str, list[str]] = {}
    refs = lex.findall("references/reference")
    for ref in sorted(refs, key=lambda r: r.get("type") != "name"):
        entity, text = ref.get("entity"), detokenize(ref.text or "")
        if entity and text and ref.get("type") != "pronoun":
            forms.setdefault(entity, []).append(text)
    return forms


def _value(obj: str, document: str, forms: dict[str, list[str]], mode: str, ctx: Context) -> str:
    text = label(obj)
    if mode == "none" or text.lower() in document.lower():
        return text
    for form in forms.get(obj, []):
        if form.lower() in document.lower():
            ctx.count("values_from_reference")
            return form
    ctx.count("values_not_in_text")
    return text


def entry_table(triples: list[tuple[str, str, str]], document: str, forms: dict[str, list[str]], mode: str,
                ctx: Context) -> tuple[str, list[str], list[list[str | None]]]:
    """``(structure, headers, rows)`` of one entry's triples for one lexicalisation (see the module doc)."""
    by_subject: dict[str, dict[str, list[str]]] = {}
    for subject, prop, obj in triples:
        values = by_subject.setdefault(subject, {}).setdefault(normalize_name(prop), [])
        value = _value(obj, document, forms, mode, ctx)
        if value not in values:
            values.append(value)
    props: list[str] = []
    for fields in by_subject.values():
        props.extend(p for p in fields if p not in props)
    if len(by_subject) == 1:
        subject, fields = next(iter(by_subject.items()))
        values = ["; ".join(fields[p]) for p in props]
        if SUBJECT_FIELD in props:
            return "kv_single", props, [values]
        return "kv_single", [SUBJECT_FIELD] + props, [[_value(subject, document, forms, mode, ctx)] + values]
    props = [p for p in props if p != SUBJECT_FIELD]
    rows: list[list[str | None]] = []
    for subject, fields in by_subject.items():
        name = "; ".join(fields[SUBJECT_FIELD]) if SUBJECT_FIELD in fields else None
        name = name or _value(subject, document, forms, mode, ctx)
        rows.append([name] + ["; ".join(fields[p]) if p in fields else None for p in props])
    return "flat_single_row", [SUBJECT_FIELD] + props, rows


def expand_inputs(inputs: list[Path]) -> list[Path]:
    """Files as given; a folder becomes its ``*.xml`` files (recursively, sorted)."""
    files: list[Path] = []
    for path in inputs:
        if path.is_dir():
            found = sorted(path.rglob("*.xml"))
            if not found:
                raise InputError("folder has no .xml file", source=str(path), hint="pass WebNLG XML files")
            files.extend(found)
        elif path.is_file():
            files.append(path)
        else:
            raise InputError("the WebNLG file not found", source=str(path), hint="check the path")
    return files


def _records(path: Path, ctx: Context) -> Iterator[GoldRecord]:
    try:
        root = ET.parse(path).getroot()
    except ET.ParseError as exc:
        ctx.fail(InputError(f"invalid XML: {exc}", source=str(path), line=exc.position[0],
                            hint="pass the WebNLG benchmark XML files"))
        return
    mode = ctx.options["filter"]
    stem = "-".join(p for p in (path.parent.parent.name, path.parent.name, path.stem) if p)
    for entry in root.iter("entry"):
        eid = entry.get("eid") or "?"
        triples = [parse_triple(t.text or "") for t in entry.findall("modifiedtripleset/mtriple")]
        if not triples or any(t is None for t in triples):
            ctx.fail(InputError(f"entry {eid}: a triple is not 'subject | property | object'", source=str(path),
                                hint="mtriple elements hold three parts separated by ' | '"))
            continue
        for lex in entry.findall("lex"):
            if lex.get("comment") in SKIPPED_COMMENTS:
                ctx.count("lex_skipped_comment")
                continue
            document = _lex_text(lex)
            if not document:
                ctx.count("lex_without_text")
                continue
            structure, headers, rows = entry_table([t for t in triples if t], document, _surface_forms(lex), mode,
                                                   ctx)
            group = f"webnlg-{stem}-{eid}"
            yield make_record(f"{group}-{lex.get('lid') or '?'}", document, headers, rows, structure=structure,
                              metadata={"dataset": "webnlg", "group": group,
                                        "category": entry.get("category") or path.stem})


def open_webnlg(inputs: list[Path], ctx: Context) -> Iterator[GoldRecord]:
    """Check the inputs and the option now; return the lazy record iterator."""
    if ctx.options["filter"] not in FILTERS:
        raise ConfigError(f"webnlg filter must be one of {FILTERS}, got {ctx.options['filter']!r}")
    files = expand_inputs(inputs)

    def generate() -> Iterator[GoldRecord]:
        for path in files:
            yield from _records(path, ctx)
        counters = ctx.report.counters
        if counters.get("values_from_reference") or counters.get("values_not_in_text"):
            ctx.note(f"{counters.get('values_from_reference', 0)} values written as the text states them,"
                     f" {counters.get('values_not_in_text', 0)} labels not found in the text kept")

    return generate()


SPEC = FormatSpec(name="webnlg", summary="WebNLG XML (DBpedia triples + verbalisations) -> kv_single (one"
                  " subject) or flat_single_row (one row per subject) tables", options={"filter": "text"},
                  open=open_webnlg)
