"""WikiTableText (msra-nlc/Table2Text) tab-separated files -> one ``kv_single`` gold record per line.

Real shape (four tab-separated columns, CRLF line endings in the released files)::

    4<TAB>subj_title_||_subj_subtitle_||_name_||_year<TAB>central_$$_bank_$$_of_$$_russia_||_chairmen_||_...<TAB>text

Column 1 is the number of key/value pairs (checked), column 2 the keys and column 3 the values, both
separated by ``_||_`` (a bare ``||`` is accepted too), column 4 the sentence. In keys, values and text
``_$$_`` stands for a space. Keys are kept as written (``subj_title``, ``subj_subtitle``, repeated keys too:
the schema builder suffixes them); empty values are ``null``; the text stays tokenised and lower-cased as
released. Record ids are ``wtt-<file stem>-<line>`` (option ``id_prefix`` replaces ``wtt-<stem>``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from text2table.errors import InputError
from text2table.core.records import GoldRecord
from text2table.data.formats._common import Context, FormatSpec, cell, decode_line, iter_raw_lines, make_record, require_file

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


def parse_line(text: str) -> tuple[list[str], list[str | None], str]:
    """``(keys, values, sentence)`` of one line; a malformed line raises ``ValueError``."""
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
    sentence = " ".join(unescape(sentence).split())
    if not sentence:
        raise ValueError("empty sentence (column 4)")
    return keys, [cell(v) for v in values], sentence


def _records(path: Path, ctx: Context) -> Iterator[GoldRecord]:
    prefix = ctx.options["id_prefix"] or f"wtt-{path.stem}"
    for number, raw in iter_raw_lines(path):
        try:
            text = decode_line(raw, str(path), number)
            if not text.strip():
                continue
            try:
                keys, values, sentence = parse_line(text)
            except ValueError as exc:
                raise InputError(str(exc), source=str(path), line=number, hint=_HINT) from None
        except InputError as exc:
            ctx.fail(exc)
            continue
        yield make_record(f"{prefix}-{number}", sentence, keys, [values], structure="kv_single",
                          metadata={"dataset": "wikitabletext"})


def open_wikitabletext(inputs: list[Path], ctx: Context) -> Iterator[GoldRecord]:
    """Check the inputs now; return the lazy record iterator over every file."""
    paths = [require_file(p, "the WikiTableText file") for p in inputs]
    if ctx.options["id_prefix"] and len(paths) > 1:
        raise InputError(f"id_prefix is set but {len(paths)} files are given; ids would collide",
                         source=str(paths[1]), hint="convert one file at a time or leave id_prefix unset")

    def generate() -> Iterator[GoldRecord]:
        for path in paths:
            yield from _records(path, ctx)

    return generate()


SPEC = FormatSpec(name="wikitabletext", summary="WikiTableText TSV (count, keys, values, sentence) -> key/value"
                  " tables", options={"id_prefix": None}, open=open_wikitabletext)
