"""The evidence viewer: one self-contained HTML page showing where each predicted cell came from.

Per document: its text with every cell's evidence span highlighted in its column's colour, the table beside
it; hovering a cell lights its span up (and a span its cells). Cells the checks nulled or corrected are
marked, with the reason on hover and in a list under the table. No network: styles and the few lines of
script are inline, and every string from a document or a model is escaped.

Spans come from ``diagnostics["evidence"]`` (one ``{field: [start, end] | null}`` per row) when a prediction
has it; otherwise :func:`find_span` looks for the cell's text in the document (case and spacing aside).
Check actions come from ``diagnostics["check_actions"]`` or, in older files, ``diagnostics["verify"]``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from html import escape
from typing import Any

Span = tuple[int, int]
MIN_PART_OF_WORD = 4  # a shorter value is only looked for as a whole word
COLOURS = ("#ffd166", "#8ecae6", "#b5e48c", "#f4a3c0", "#cdb4db", "#ffb997", "#a0e7e5", "#e9c46a", "#bde0fe",
           "#d8f3dc")

_CSS = """
body{font:14px/1.45 system-ui,sans-serif;margin:1.5em;color:#222}h1{font-size:1.3em}
.docview{display:flex;gap:1.5em;align-items:flex-start;border-top:1px solid #ddd;padding:1em 0}
.text{flex:1 1 45%;white-space:pre-wrap;background:#fafafa;padding:.7em;max-height:40em;overflow:auto}
.side{flex:1 1 55%;overflow:auto}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 6px}
th{background:#f3f3f3}mark{border-radius:2px;padding:0 1px}td.cell{cursor:default}
.lit{outline:2px solid #d00;box-shadow:0 0 0 3px rgba(221,0,0,.25)}td.null{color:#aaa}
td.nulled{text-decoration:line-through;color:#a33}td.corrected{font-style:italic;color:#236}
.note{font-size:.9em;color:#555}.error{color:#b00}
"""
_SCRIPT = """
function cellsOf(el){return (el.getAttribute('data-cells')||'').split(' ').filter(Boolean)}
function light(el,on){cellsOf(el).forEach(function(c){
  document.querySelectorAll('[data-cells~="'+c+'"]').forEach(function(x){x.classList.toggle('lit',on)})})}
document.querySelectorAll('[data-cells]').forEach(function(el){
  el.addEventListener('mouseenter',function(){light(el,true)});
  el.addEventListener('mouseleave',function(){light(el,false)})});
"""


def _value_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value).strip()


def find_span(document: str, value: Any, start: int = 0) -> Span | None:
    """Where ``value``'s text occurs in ``document`` (case and runs of spaces aside), searching from ``start``
    and then from the beginning; a whole-word match is preferred, and a value shorter than
    :data:`MIN_PART_OF_WORD` characters must be a whole word (``no`` is not found in "not", nor ``1`` in
    "1.452,00"). None when absent.

    >>> doc = "The Eagle is a pub. Its rating: 5 out of 5. the eagle is cheap."
    >>> find_span(doc, "the eagle"), find_span(doc, "THE  EAGLE", start=10), find_span(doc, 5)
    ((0, 9), (44, 53), (32, 33))
    >>> find_span(doc, "Eagl"), find_span(doc, "pu"), find_span(doc, "Wrestlers"), find_span(doc, None)
    ((4, 8), None, None, None)
    """
    text = _value_text(value)
    if not text:
        return None
    body = r"\s+".join(re.escape(token) for token in text.split())
    # a whole word: no letter or digit on either side, nor a number going on ("1" is not in "1.452,00")
    patterns = [rf"(?<!\w)(?<!\d[.,]){body}(?!\w)(?![.,]\d)"] + ([body] if len(text) >= MIN_PART_OF_WORD else [])
    for pattern in patterns:
        compiled = re.compile(pattern, re.IGNORECASE)
        for origin in dict.fromkeys((start, 0)):
            match = compiled.search(document, origin)
            if match:
                return match.start(), match.end()
    return None


def _given_span(entry: Any, name: str, size: int) -> Span | None:
    if not isinstance(entry, dict):
        return None
    span = entry.get(name)
    if (isinstance(span, (list, tuple)) and len(span) == 2 and all(isinstance(v, int) for v in span)
            and 0 <= span[0] < span[1] <= size):
        return span[0], span[1]
    return None


def cell_spans(document: str, names: Sequence[str], rows: Sequence[dict[str, Any]],
               evidence: Sequence[Any] | None = None) -> list[dict[str, Span | None]]:
    """One ``{field: span}`` per row: the given evidence where valid, else a search (a later row searches
    from where the row before it ended, then from the start, so a repeated value binds to the later mention).

    >>> cell_spans("Pens: 2. Ink: 2.", ["item", "qty"], [{"item": "pens", "qty": "2"}, {"item": "ink", "qty": "2"}])
    [{'item': (0, 4), 'qty': (6, 7)}, {'item': (9, 12), 'qty': (14, 15)}]
    >>> cell_spans("abc", ["x"], [{"x": "zzz"}], evidence=[{"x": [1, 3]}])
    [{'x': (1, 3)}]
    """
    out: list[dict[str, Span | None]] = []
    anchor = 0
    for k, row in enumerate(rows):
        given = evidence[k] if evidence is not None and k < len(evidence) else None
        spans: dict[str, Span | None] = {}
        for name in names:
            value = row.get(name) if isinstance(row, dict) else None
            if isinstance(given, dict) and name in given:  # the checks' word, null ("no span") included
                spans[name] = _given_span(given, name, len(document))
            else:
                spans[name] = find_span(document, value, anchor) if value is not None else None
        ends = [s[1] for s in spans.values() if s is not None]
        anchor = max(ends) if ends else anchor
        out.append(spans)
    return out


def check_notes(diagnostics: dict[str, Any] | None) -> dict[tuple[int, str], dict[str, Any]]:
    """``(row, field) -> {"action", "old", "new", "reason"}`` from ``check_actions`` or the older ``verify``.

    >>> check_notes({"verify": {"nulled": [{"row": 0, "field": "near", "value": "Cocum", "repeats": "name"}]}})
    {(0, 'near'): {'action': 'nulled', 'old': 'Cocum', 'new': None, 'reason': "repeats column 'name'"}}
    """
    diagnostics = diagnostics or {}
    notes: dict[tuple[int, str], dict[str, Any]] = {}
    actions = diagnostics.get("check_actions")
    if isinstance(actions, list):
        for a in actions:
            if isinstance(a, dict) and isinstance(a.get("row"), int) and isinstance(a.get("field"), str):
                notes[(a["row"], a["field"])] = {"action": str(a.get("action", "nulled")), "old": a.get("old"),
                                                 "new": a.get("new"),
                                                 "reason": str(a.get("reason") or a.get("check") or "")}
        return notes
    verify = diagnostics.get("verify") if isinstance(diagnostics.get("verify"), dict) else {}
    for entry in verify.get("nulled") or []:
        if isinstance(entry, dict) and isinstance(entry.get("row"), int):
            reason = entry.get("reason") or (f"repeats column {entry['repeats']!r}" if entry.get("repeats")
                                             else "not found in the text")
            notes[(entry["row"], str(entry.get("field")))] = {"action": "nulled", "old": entry.get("value"),
                                                              "new": None, "reason": reason}
    for entry in verify.get("corrected") or []:
        if isinstance(entry, dict) and isinstance(entry.get("row"), int):
            reason = entry.get("reason") or "the text says otherwise"
            notes[(entry["row"], str(entry.get("field")))] = {"action": "corrected", "old": entry.get("value"),
                                                              "new": entry.get("now"), "reason": reason}
    return notes


def highlight(document: str, marks: Iterable[tuple[int, int, str, int]]) -> str:
    """The document as HTML with ``(start, end, cell id, colour)`` spans as ``<mark>``; overlaps are split into
    pieces that list every covering cell (``data-cells``) and take the first one's colour.

    >>> highlight("a <b> c", [(2, 5, "d0-0-1", 1)])
    'a <mark class="c1" data-cells="d0-0-1">&lt;b&gt;</mark> c'
    """
    marks = sorted(marks)
    cuts = sorted({0, len(document), *[m[0] for m in marks], *[m[1] for m in marks]})
    parts = []
    for left, right in zip(cuts, cuts[1:]):
        piece = escape(document[left:right])
        covering = [m for m in marks if m[0] <= left and right <= m[1]]
        if covering:
            ids = " ".join(dict.fromkeys(m[2] for m in covering))
            piece = f'<mark class="c{covering[0][3]}" data-cells="{escape(ids)}">{piece}</mark>'
        parts.append(piece)
    return "".join(parts)


def _note_title(note: dict[str, Any]) -> str:
    if note["action"] == "corrected":
        return f"corrected from {_value_text(note['old'])!r} to {_value_text(note['new'])!r}: {note['reason']}"
    return f"nulled (was {_value_text(note['old'])!r}): {note['reason']}"


def document_section(k: int, record: dict[str, Any], document: str | None) -> str:
    """One document's text and table, as an HTML ``<section>``."""
    doc_id = str(record.get("id", k))
    schema = record.get("schema") or {}
    names = [f.get("name") for f in schema.get("fields", []) if isinstance(f, dict)]
    rows = [r for r in record.get("rows") or [] if isinstance(r, dict)]
    diagnostics = record.get("diagnostics") if isinstance(record.get("diagnostics"), dict) else {}
    evidence = diagnostics.get("evidence") if isinstance(diagnostics.get("evidence"), list) else None
    spans = cell_spans(document or "", names, rows, evidence) if document is not None else [{} for _ in rows]
    notes = check_notes(diagnostics)
    marks = [(s[0], s[1], f"d{k}-{i}-{j}", j % len(COLOURS)) for i, row in enumerate(spans)
             for j, name in enumerate(names) if (s := row.get(name)) is not None]
    head = "".join(f'<th><mark class="c{j % len(COLOURS)}">{escape(str(n))}</mark></th>' for j, n in enumerate(names))
    body = []
    for i, row in enumerate(rows):
        cells = []
        for j, name in enumerate(names):
            note = notes.get((i, name))
            value = row.get(name)
            classes = ["cell"] + (["null"] if value is None else []) + ([note["action"]] if note else [])
            title = f' title="{escape(_note_title(note))}"' if note else ""
            shown = escape(_value_text(note["old"] if note and value is None else value)) or "null"
            cells.append(f'<td class="{" ".join(classes)}" data-cells="d{k}-{i}-{j}"{title}>{shown}</td>')
        body.append("<tr>" + "".join(cells) + "</tr>")
    listed = "".join(f"<li>row {i}, {escape(name)}: {escape(_note_title(n))}</li>" for (i, name), n in notes.items())
    text = highlight(document, marks) if document is not None else '<span class="error">document text not given' \
        ' (pass --docs INPUT)</span>'
    error = f'<p class="error">{escape(str(record["error"]))}</p>' if record.get("error") else ""
    return (f'<section class="docview" id="doc-{k}"><div class="text">{text}</div><div class="side">'
            f'<h2>{escape(doc_id)}</h2><p class="note">{escape(str(schema.get("structure", "no schema")))}, '
            f'{len(rows)} rows</p>{error}<table><tr>{head}</tr>{"".join(body)}</table>'
            f'{f"<ul class=note>{listed}</ul>" if listed else ""}</div></section>')


def render_view(records: Iterable[dict[str, Any]], documents: dict[str, str], title: str = "text2table") -> str:
    """The whole page: one section per prediction record; ``documents`` maps id -> text."""
    colours = "".join(f".c{j}{{background:{c}}}" for j, c in enumerate(COLOURS))
    sections = "".join(document_section(k, r, documents.get(str(r.get("id")), r.get("document")))
                       for k, r in enumerate(records))
    return (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{escape(title)}</title>'
            f'<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; style-src \'unsafe-inline\';'
            f' script-src \'unsafe-inline\'"><style>{_CSS}{colours}</style></head><body><h1>{escape(title)}</h1>'
            f'<p class="note">Hover a cell to light up its evidence in the text; struck-through cells were nulled'
            f' by a check, italic ones corrected (hover for the reason).</p>{sections}<script>{_SCRIPT}</script>'
            f'</body></html>\n')
