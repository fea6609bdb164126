"""Converters from public dataset files to native gold records, one module per format, behind one call.

>>> sorted(FORMATS)
['dart', 'e2e', 'rotowire', 'text2table', 'webnlg', 'wikitabletext']

:func:`convert` checks the format, the options and the input files at once, then streams records; its
:class:`ConvertReport` fills as the iterator is consumed (skipped lines, counters, a summary in ``notes``).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from text2table.errors import ConfigError, InputError
from text2table.core.records import GoldRecord
from text2table.data.formats import dart, e2e, rotowire, text2table, webnlg, wikitabletext
from text2table.data.formats._common import ON_ERROR, Context, ConvertReport, FormatSpec, resolve_options

__all__ = ["FORMATS", "ConvertReport", "FormatSpec", "convert"]

#: name -> format (summary, options with their defaults, and the opener the CLI reaches through convert).
FORMATS: dict[str, FormatSpec] = {spec.name: spec for spec in
                                  (text2table.SPEC, e2e.SPEC, rotowire.SPEC, wikitabletext.SPEC,
                                   webnlg.SPEC, dart.SPEC)}


def convert(fmt: str, inputs: list[Path], *, on_error: str = "raise",
            options: dict[str, Any] | None = None) -> tuple[Iterator[GoldRecord], ConvertReport]:
    """Convert ``inputs`` of format ``fmt`` to gold records: ``(record iterator, report)``.

    ``on_error="raise"`` stops at the first bad line with an :class:`InputError` naming file:line;
    ``"skip"`` leaves the line out and lists it in ``report.skipped``. ``options`` override the format's
    defaults (``FORMATS[fmt].options``), e.g. ``{"filter": "none"}`` for ``e2e``.
    Unknown formats, options or error policies raise :class:`ConfigError`.
    """
    spec = FORMATS.get(fmt)
    if spec is None:
        raise ConfigError(f"unknown format {fmt!r}; known formats: {', '.join(sorted(FORMATS))}")
    if on_error not in ON_ERROR:
        raise ConfigError(f"on_error must be one of {ON_ERROR}, got {on_error!r}")
    paths = [Path(p) for p in inputs]
    if not paths:
        raise InputError(f"no input files given for format {fmt!r}", hint="pass at least one file")
    report = ConvertReport()
    ctx = Context(options=resolve_options(spec, options), on_error=on_error, report=report)
    records = spec.open(paths, ctx)

    def counted() -> Iterator[GoldRecord]:
        for record in records:
            report.records += 1
            yield record

    return counted(), report
