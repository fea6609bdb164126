"""WikiTableText (msra-nlc/Table2Text) tab-separated files -> one ``kv_single`` gold record per line.

Real shape (four tab-separated columns, CRLF line endings in the released files)::

    4<TAB>subj_title_||_subj_subtitle_||_name_||_year<TAB>central_$$_bank_$$_of_$$_russia_||_chairmen_||_...<TAB>text

Column 1 is the number of key/value pairs (checked), column 2 the keys and column 3 the values, both
separated by ``_||_`` (a bare ``||`` is accepted too), column 4 the sentence. In keys, values and text
``_$$_`` stands for a space. Record ids are ``wtt-<file stem>-<line>`` (option ``id_prefix`` replaces
``wtt-<stem>``).

Option ``filter`` (default ``"wu"``) reproduces the Text-to-Table paper's preprocessing
(:mod:`.wikitabletext_wu`): ``title``/``subtitle`` keys, empty and unsupported values dropped, a repeated
key merged, text and cells detokenised. The report counts ``cells_total``, ``cells_dropped`` and the
reasons. ``"none"`` keeps the line as released: keys as written (``subj_title``, ``subj_subtitle``,
repeated keys too: the schema builder suffixes them), empty values ``null``, the text tokenised and
lower-cased.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from text2table.errors import ConfigError, InputError
from text2table.core.records import GoldRecord
from text2table.data.formats._common import (Context, FormatSpec, cell, decode_line, iter_raw_lines, make_record,
                                             note_dropped, require_files)
from text2table.data.formats.wikitabletext_wu import detokenize, paper_table

_SEPARATOR = re.compile(r"_\|\|_|\|\|")
_HINT = "each line is: count<TAB>key_||_key...<TAB>value_||_value...<TAB>sentence"


def unescape(text: str) -> str:
    """Turn the ``_$$_`` space marker back into spaces.

    >>> unescape("central_$$_bank_$$_of_$$_russia")
    'central bank of russia'
    """
    return text.replace("_$$_", " ")


def split_field(text: str) -> list[str]:
    """Split a keys or values column on ``_||_`` (or ``||``) and unescape each part.

    >>> split_field("subj_title_||_subj_subtitle_||_year")
    ['subj_title', 'subj_subtitle', 'year']
    """
    return [unescape(part) for part in _SEPARATOR.split(text)]


def split_line(text: str) -> tuple[list[str], list[str], str]:
    """``(keys, values, sentence)`` of one line with ``_$$_`` as spaces, nothing else changed; a malformed
    line raises ``ValueError``."""
    parts = text.split("\t")
    if len(parts) != 4:
        raise ValueError(f"{len(parts)} tab-separated columns, expected 4")
    count, keys_text, values_text, sentence = parts
    keys, values = split_field(keys_text), split_field(values_text)
    if len(keys) != len(values):
        raise ValueError(f"{len(keys)} keys but {len(values)} values")
    if count.strip() and (not count.strip().isdigit() or int(count) != len(keys)):
        raise ValueError(f"column 1 says {count.strip()!r} pairs but there are {len(keys)}")
    keys = [k.strip() for k in keys]
    if not all(keys):
        raise ValueError(f"empty key at position {keys.index('') + 1}")
    sentence = unescape(sentence).strip()
    if not sentence:
        raise ValueError("empty sentence (column 4)")
    return keys, values, sentence


def parse_line(text: str) -> tuple[list[str], list[str | None], str]:
    """``(keys, values, sentence)`` of one line as released (``filter="none"``); empty values are None."""
    keys, values, sentence = split_line(text)
    return keys, [cell(v) for v in values], " ".join(sentence.split())


def paper_line(text: str, ctx: Context) -> tuple[list[str], list[str | None], str]:
    """``(keys, values, sentence)`` of one line after the paper's preprocessing; drops are counted."""
    keys, values, sentence = split_line(text)
    table, counts = paper_table(keys, values, sentence)
    ctx.count("cells_total", counts["cells"])
    ctx.count("cells_dropped", counts["cells"] - len(table))
    for reason in ("empty", "unsupported", "title_dropped", "repeated_keys"):
        if counts[reason]:
            ctx.count(f"dropped.{reason}", counts[reason])
    return [k for k, _ in table], [cell(v) for _, v in table], detokenize(sentence).strip()


def _records(path: Path, ctx: Context) -> Iterator[GoldRecord]:
    prefix = ctx.options["id_prefix"] or f"wtt-{path.stem}"
    for number, raw in iter_raw_lines(path):
        try:
            text = decode_line(raw, str(path), number)
            if not text.strip():
                continue
            try:
                wu = ctx.options["filter"] == "wu"
                keys, values, sentence = paper_line(text, ctx) if wu else parse_line(text)
            except ValueError as exc:
                raise InputError(str(exc), source=str(path), line=number, hint=_HINT) from None
        except InputError as exc:
            ctx.fail(exc)
            continue
        yield make_record(f"{prefix}-{number}", sentence, keys, [values], structure="kv_single",
                          metadata={"dataset": "wikitabletext"})


def open_wikitabletext(inputs: list[Path], ctx: Context) -> Iterator[GoldRecord]:
    """Check the inputs now; return the lazy record iterator over every file."""
    if ctx.options["filter"] not in ("wu", "none"):
        raise ConfigError(f"wikitabletext: option 'filter' must be 'wu' or 'none', got {ctx.options['filter']!r}")
    paths = require_files(inputs, "the WikiTableText file", ctx)

    def generate() -> Iterator[GoldRecord]:
        for path in paths:
            yield from _records(path, ctx)
        note_dropped(ctx, "wikitabletext filter wu", "cell")

    return generate()


SPEC = FormatSpec(name="wikitabletext", summary="WikiTableText TSV (count, keys, values, sentence) -> key/value"
                  " tables", options={"filter": "wu", "id_prefix": None}, open=open_wikitabletext)
