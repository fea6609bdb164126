"""The Text-to-Table benchmark files (Wu et al., ACL 2022): ``<split>.text`` + ``<split>.data``, one example a line.

Shape (as written by the benchmark's preprocessing scripts, shirley-wu/text_to_table)::

    valid.text   Alimentum is not a family-friendly place, located in city centre.
    valid.data   | Name | Alimentum | <NEWLINE> | Area | City centre | <NEWLINE> | Family friendly | No |

Rows are ``| a | b |`` joined by `` <NEWLINE> ``; cells never contain ``|``. Two layouts, told apart by content:

* **key/value** (E2E, WikiBio, WikiTableText): every row is ``| key | value |`` with no header row; it becomes
  one ``kv_single`` record, headers = keys, one row of values.
* **sections** (Rotowire): ``Team:`` and ``Player:`` lines open tables whose header row has an empty
  top-left cell (``|  | Wins | Losses |``, then ``| Hawks | 46 | 12 |``). Each section with data rows becomes
  one ``flat_single_row`` record ``<prefix>-<n>-team`` / ``-player`` with ``metadata.table_hint`` ``team`` /
  ``player``; the empty top-left header is named after the section (``Team`` / ``Player``). An empty
  section (no data rows, e.g. ``Player: <NEWLINE> |  |``) yields no record and is counted in the report.

Ids are ``<prefix>-<n>`` where ``n`` is the 1-based line number and the prefix defaults to ``t2t-<stem>``
(option ``id_prefix``); ``metadata.group`` is ``<prefix>-<n>`` for every table of one document. Empty cells
become ``null``; `` <NEWLINE> `` in the text becomes a line break.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from itertools import zip_longest
from pathlib import Path

from text2table.errors import InputError
from text2table.core.records import GoldRecord
from text2table.data.formats._common import Context, FormatSpec, cell, decode_line, iter_raw_lines, make_record, require_file

NEWLINE = "<NEWLINE>"
_NEWLINE_SPLIT = re.compile(r"\s*<NEWLINE>\s*")
_ROW_HINT = "write rows as '| cell | cell |' joined by ' <NEWLINE> '"


def split_lines(data: str) -> list[str]:
    """The non-empty row and section lines of one ``.data`` line.

    >>> split_lines("Team: <NEWLINE> |  | Wins | <NEWLINE> | Hawks | 46 |")
    ['Team:', '|  | Wins |', '| Hawks | 46 |']
    """
    return [part.strip() for part in _NEWLINE_SPLIT.split(data) if part.strip()]


def parse_row(line: str) -> list[str]:
    """Cells of one ``| a | b |`` row, stripped (empty cells stay ``""``); anything else raises ``ValueError``.

    >>> parse_row("| Name | The Vaults |"), parse_row("|  | Wins |")
    (['Name', 'The Vaults'], ['', 'Wins'])
    """
    if len(line) < 2 or not (line.startswith("|") and line.endswith("|")):
        raise ValueError(f"expected a table row like '| a | b |', got {line[:60]!r}")
    return [part.strip() for part in line[1:-1].split("|")]


def format_data_line(rows: list[list[str | None]]) -> str:
    """Render rows in the benchmark's one-line form (the inverse of :func:`split_lines` + :func:`parse_row`).

    >>> format_data_line([["Name", "Aromi"], ["Area", None]])
    '| Name | Aromi | <NEWLINE> | Area |  |'
    """
    for row in rows:
        for value in row:
            if value is not None and ("|" in value or NEWLINE in value or "\n" in value):
                raise ValueError(f"cell {value!r} contains '|', a line break or {NEWLINE}")
    return f" {NEWLINE} ".join("| " + " | ".join(v or "" for v in row) + " |" for row in rows)


def _is_section(line: str) -> bool:
    return not line.startswith("|") and line.endswith(":")


def parse_kv(lines: list[str]) -> tuple[list[str], list[str | None]]:
    """Keys and values of a key/value table; a row without exactly two cells or an empty key raises."""
    keys, values = [], []
    for i, line in enumerate(lines, start=1):
        cells = parse_row(line)
        if len(cells) != 2:
            raise ValueError(f"row {i} has {len(cells)} cells, expected 2 (| key | value |): {line[:60]!r}")
        if not cells[0]:
            raise ValueError(f"row {i} has an empty key: {line[:60]!r}")
        keys.append(cells[0])
        values.append(cell(cells[1]))
    return keys, values


def parse_sections(lines: list[str]) -> list[tuple[str, list[str], list[list[str | None]]]]:
    """``(section, headers, rows)`` per ``Name:`` section, in order; rows may be empty (an empty table)."""
    if not _is_section(lines[0]):
        raise ValueError(f"rows before the first section line ('Team:'): {lines[0][:60]!r}")
    blocks: list[tuple[str, list[str]]] = []
    for line in lines:
        if not _is_section(line):
            blocks[-1][1].append(line)
            continue
        name = line[:-1].strip()
        if not name:
            raise ValueError("a section line ':' without a name")
        if any(b[0] == name for b in blocks):
            raise ValueError(f"section {name!r} appears twice")
        blocks.append((name, []))
    return [(name, *_section_table(name, body)) for name, body in blocks]


def _section_table(name: str, body: list[str]) -> tuple[list[str], list[list[str | None]]]:
    if not body:
        return [name], []
    header = parse_row(body[0])
    if header == [""]:  # the benchmark writes an empty table as one empty header cell
        header = []
    headers = [header[0] or name] + header[1:] if header else [name]
    for j, h in enumerate(headers[1:], start=2):
        if not h:
            raise ValueError(f"section {name!r}: column {j} has an empty header")
    rows = []
    for i, line in enumerate(body[1:], start=1):
        cells = parse_row(line)
        if len(cells) != len(headers):
            raise ValueError(f"section {name!r}: row {i} has {len(cells)} cells, expected {len(headers)}"
                             f" (one per header): {line[:60]!r}")
        rows.append([cell(v) for v in cells])
    return headers, rows


def pair_inputs(inputs: list[Path]) -> list[tuple[Path, Path]]:
    """``(text, data)`` file pairs for the given ``.text`` / ``.data`` files (each finds its sibling)."""
    pairs: list[tuple[Path, Path]] = []
    for path in inputs:
        if path.suffix not in (".text", ".data"):
            raise InputError(f"expected a .text or .data file, got {path.name!r}", source=str(path),
                             hint="pass the benchmark's <split>.text (its <split>.data is found next to it)")
        pair = (path.with_suffix(".text"), path.with_suffix(".data"))
        if pair not in pairs:
            require_file(pair[0], "the documents file (.text)")
            require_file(pair[1], "the tables file (.data)")
            pairs.append(pair)
    return pairs


def _records(text_file: Path, data_file: Path, ctx: Context) -> Iterator[GoldRecord]:
    prefix = ctx.options["id_prefix"] or f"t2t-{text_file.stem}"
    text_lines = iter_raw_lines(text_file)
    data_lines = iter_raw_lines(data_file)
    for text_item, data_item in zip_longest(text_lines, data_lines):
        if text_item is None or data_item is None:
            short, line = (text_file, data_item[0]) if text_item is None else (data_file, text_item[0])
            ctx.fail(InputError(f"{short.name} ends before line {line}: the .text and .data files must have"
                                " the same number of lines", source=str(short), line=line,
                                hint="use the two files of one split, unmodified"))
            return
        n = text_item[0]
        try:
            yield from _line_records(prefix, n, text_item[1], data_item[1], text_file, data_file, ctx)
        except InputError as exc:
            ctx.fail(exc)


def _line_records(prefix: str, n: int, text_raw: bytes, data_raw: bytes, text_file: Path, data_file: Path,
                  ctx: Context) -> Iterator[GoldRecord]:
    document = "\n".join(split_lines(decode_line(text_raw, str(text_file), n)))
    if not document:
        raise InputError("empty document", source=str(text_file), line=n, hint="every line needs a text")
    lines = split_lines(decode_line(data_raw, str(data_file), n))
    group = f"{prefix}-{n}"
    try:
        if not lines:
            ctx.count("empty_tables")
            return
        if not any(_is_section(line) for line in lines):
            keys, values = parse_kv(lines)
            yield make_record(group, document, keys, [values], structure="kv_single",
                              metadata={"dataset": "text2table", "group": group})
            return
        sections = parse_sections(lines)
    except ValueError as exc:
        raise InputError(str(exc), source=str(data_file), line=n, hint=_ROW_HINT) from None
    for name, headers, rows in sections:
        if not rows:
            ctx.count("empty_tables")
            continue
        hint = name.lower()
        yield make_record(f"{group}-{hint}", document, headers, rows, structure="flat_single_row",
                          metadata={"dataset": "text2table", "group": group, "table_hint": hint})


def open_text2table(inputs: list[Path], ctx: Context) -> Iterator[GoldRecord]:
    """Check the inputs now; return the lazy record iterator over every (text, data) pair."""
    pairs = pair_inputs(inputs)
    if ctx.options["id_prefix"] and len(pairs) > 1:
        raise InputError(f"id_prefix is set but {len(pairs)} splits are given; ids would collide",
                         source=str(pairs[1][0]), hint="convert one split at a time or leave id_prefix unset")

    def generate() -> Iterator[GoldRecord]:
        for text_file, data_file in pairs:
            yield from _records(text_file, data_file, ctx)
        empty = ctx.report.counters.get("empty_tables", 0)
        if empty:
            ctx.note(f"{empty} empty tables (no rows) left out")

    return generate()


SPEC = FormatSpec(name="text2table", summary="Text-to-Table benchmark .text/.data files (E2E, WikiBio,"
                  " WikiTableText key/value tables; Rotowire Team/Player tables)",
                  options={"id_prefix": None}, open=open_text2table)
