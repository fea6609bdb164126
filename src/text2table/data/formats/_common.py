"""Shared plumbing of the converters: the conversion report, error policy, line reading and small cell helpers.

Nothing here knows a dataset; each format module builds on these helpers and on :mod:`text2table.core.records`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from text2table.errors import ConfigError, InputError
from text2table.core.records import GoldRecord, GoldTable, default_metadata

ON_ERROR = ("raise", "skip")


@dataclass
class ConvertReport:
    """What a conversion did; it fills while the record iterator is consumed.

    ``skipped`` holds ``(file, line, reason)`` for every input line left out with ``on_error="skip"``
    (line 0 when the problem is not tied to a line). ``counters`` holds named counts (e.g. e2e slots
    dropped by the filter, empty tables); ``notes`` is a human summary, written when the iterator ends.
    """

    records: int = 0
    skipped: list[tuple[str, int, str]] = field(default_factory=list)
    counters: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


@dataclass
class Context:
    """Per-conversion state handed to a converter: resolved options, the error policy and the report."""

    options: dict[str, Any]
    on_error: str = "raise"
    report: ConvertReport = field(default_factory=ConvertReport)

    def __post_init__(self) -> None:
        if self.on_error not in ON_ERROR:
            raise ConfigError(f"on_error must be one of {ON_ERROR}, got {self.on_error!r}")

    def fail(self, exc: InputError) -> None:
        """Raise ``exc`` (``on_error="raise"``) or record the line as skipped and return (``"skip"``)."""
        if self.on_error == "raise":
            raise exc
        self.report.skipped.append((exc.source or "?", exc.line or 0, bare_message(exc)))

    def count(self, key: str, n: int = 1) -> None:
        self.report.counters[key] = self.report.counters.get(key, 0) + n

    def note(self, text: str) -> None:
        self.report.notes.append(text)


@dataclass(frozen=True)
class FormatSpec:
    """One registered format: ``open(inputs, ctx)`` checks the inputs at once and returns a lazy iterator."""

    name: str
    summary: str
    options: dict[str, Any]
    open: Callable[[list[Path], Context], Iterator[GoldRecord]]


def bare_message(exc: InputError) -> str:
    """The message of ``exc`` without its ``file:line:`` prefix."""
    text = str(exc)
    prefix = f"{exc.source}:{exc.line}: " if exc.line is not None else f"{exc.source}: "
    return text[len(prefix):] if exc.source is not None and text.startswith(prefix) else text


def resolve_options(spec: FormatSpec, options: dict[str, Any] | None) -> dict[str, Any]:
    """Defaults of ``spec`` overridden by ``options``; unknown keys and wrong types raise :class:`ConfigError`."""
    resolved = dict(spec.options)
    for key, value in (options or {}).items():
        if key not in spec.options:
            known = ", ".join(sorted(spec.options)) or "none"
            raise ConfigError(f"format {spec.name!r} has no option {key!r}; its options: {known}")
        default = spec.options[key]
        if default is not None and not isinstance(value, type(default)):
            raise ConfigError(f"format {spec.name!r}: option {key!r} must be {type(default).__name__},"
                              f" got {value!r}")
        if default is None and value is not None and not isinstance(value, str):
            raise ConfigError(f"format {spec.name!r}: option {key!r} must be a string or null, got {value!r}")
        resolved[key] = value
    return resolved


def require_file(path: Path, what: str) -> Path:
    """``path`` if it is an existing file, else an :class:`InputError` saying what was expected there."""
    if not path.is_file():
        reason = "is a folder" if path.is_dir() else "not found"
        raise InputError(f"{what} {reason}", source=str(path), hint="check the path")
    return path


def require_files(inputs: list[Path], what: str, ctx: Context) -> list[Path]:
    """Every input checked (:func:`require_file`); a set ``id_prefix`` with several files is refused."""
    paths = [require_file(p, what) for p in inputs]
    if ctx.options.get("id_prefix") and len(paths) > 1:
        raise InputError(f"id_prefix is set but {len(paths)} files are given; ids would collide",
                         source=str(paths[1]), hint="convert one file at a time or leave id_prefix unset")
    return paths


def note_dropped(ctx: Context, label: str, unit: str) -> None:
    """Note ``<label>: dropped D of T <unit>s (P%): <reason> N, ...`` from the counters ``<unit>s_total``,
    ``<unit>s_dropped`` and ``dropped.<reason>``; nothing when no unit was counted."""
    counters = ctx.report.counters
    total, dropped = counters.get(f"{unit}s_total", 0), counters.get(f"{unit}s_dropped", 0)
    if not total:
        return
    reasons = ", ".join(f"{k[8:]} {v}" for k, v in sorted(counters.items()) if k.startswith("dropped."))
    ctx.note(f"{label}: dropped {dropped} of {total} {unit}s ({100 * dropped / total:.1f}%)"
             + (f": {reasons}" if reasons else ""))


def iter_raw_lines(path: Path) -> Iterator[tuple[int, bytes]]:
    """Yield ``(line_number, bytes)`` for every line (1-based), without the line ending (LF or CRLF)."""
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, start=1):
            yield number, raw.rstrip(b"\r\n")


def decode_line(raw: bytes, source: str, line: int) -> str:
    """UTF-8 text of one line (a BOM on line 1 is dropped); bad bytes raise :class:`InputError`."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"not valid UTF-8 at column {exc.start + 1}", source=source, line=line,
                         hint="re-encode the file as UTF-8") from None
    return text[1:] if line == 1 and text.startswith("\ufeff") else text


def iter_json_lines(path: Path, ctx: Context) -> Iterator[tuple[int, Any]]:
    """``(line, object)`` for each non-blank JSON line; a bad line goes through ``ctx.fail`` (raise or skip)."""
    for number, raw in iter_raw_lines(path):
        try:
            text = decode_line(raw, str(path), number)
            if not text.strip():
                continue
            try:
                obj = json.loads(text)
            except json.JSONDecodeError as exc:
                raise InputError(f"invalid JSON at column {exc.colno}: {exc.msg}", source=str(path), line=number,
                                 hint="each line must be one complete JSON object") from None
        except InputError as exc:
            ctx.fail(exc)
            continue
        yield number, obj


def cell(value: str) -> str | None:
    """A gold cell: surrounding spaces removed, empty text means no value (``None``).

    >>> cell("  46 "), cell("")
    ('46', None)
    """
    value = value.strip()
    return value or None


def short_hash(text: str, length: int = 12) -> str:
    """A stable short hex digest of ``text`` (SHA-1 prefix), e.g. to group records by their source.

    >>> short_hash("name[Aromi]")
    '74f0b28780ce'
    """
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:length]


def make_record(rid: str, document: str, headers: list[str], rows: list[list[str | None]], *, structure: str,
                metadata: dict[str, Any]) -> GoldRecord:
    """A gold record with the metadata defaults filled in and the structure declared explicitly."""
    table = GoldTable(headers=headers, rows=rows, structure=structure)
    return GoldRecord(id=rid, document=document, metadata=default_metadata(metadata), table=table)
