"""Options that take one value for every document or ``HINT=VALUE`` per ``metadata.table_hint``.

``-O KEY=VALUE`` backend options (:func:`read_options`) are read here too.

``--schema`` (a schema JSON) and ``--pi2-adapter`` (pi2's LoRA adapter) of ``extract`` and ``bench/quality.py``:
one plain value serves every document; ``HINT=VALUE`` (repeatable) serves the documents with that
``table_hint``. A value holding ``=`` that names an existing file is read as a plain path.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from text2table.errors import ConfigError, InputError, SchemaError


def read_options(pairs: list[str]) -> dict[str, Any]:
    """``KEY=VALUE`` backend options; values are read as JSON when they parse (numbers, true, lists)."""
    out: dict[str, Any] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise ConfigError(f"--option {pair!r} is not KEY=VALUE (e.g. --option base_url=http://127.0.0.1:8000/v1)")
        try:
            out[key.strip()] = json.loads(value)
        except json.JSONDecodeError:
            out[key.strip()] = value
    return out


def read_schema(path: Path | None) -> Any:
    """A schema JSON file -> :class:`~text2table.core.schema.Schema` (``None`` -> ``None``); a bad file raises
    :class:`InputError` naming it."""
    if path is None:
        return None
    from text2table.core.jsonio import read_text
    from text2table.core.schema import Schema

    try:
        return Schema.from_dict(json.loads(read_text(path)))
    except json.JSONDecodeError as exc:
        raise InputError(f"invalid JSON at line {exc.lineno}: {exc.msg}", source=str(path),
                         hint="--schema takes a schema JSON object {\"structure\": ..., \"fields\": [...]}") from None
    except SchemaError as exc:
        raise InputError(str(exc), source=str(path)) from None


def _split(items: list[str], option: str) -> tuple[list[str], dict[str, str]]:
    """(the plain values, ``{hint: value}`` of the ``HINT=VALUE`` items); a hint given twice or an empty side
    raises :class:`InputError`."""
    plain = [item for item in items if "=" not in item or Path(item).exists()]
    by_hint: dict[str, str] = {}
    for item in items:
        if item in plain:
            continue
        hint, _, value = item.partition("=")
        if not hint or not value or hint in by_hint:
            raise InputError(f"{option} {item!r}: expected HINT=PATH, one per table_hint",
                             hint=f"e.g. {option} team=runs/team/file")
        by_hint[hint] = value
    return plain, by_hint


def read_schemas(items: list[str], option: str = "--schema") -> Any:
    """``--schema`` values -> ``None``, one Schema (one ``PATH``), or ``{hint: Schema}`` (``HINT=PATH`` each: the
    schema of the documents with that ``metadata.table_hint``)."""
    if not items:
        return None
    plain, by_hint = _split(items, option)
    if len(plain) == 1 and len(items) == 1:
        return read_schema(Path(plain[0]))
    if plain:
        raise InputError(f"{option} got {', '.join(items)}",
                         hint=f"give one {option} PATH for every document, or {option} HINT=PATH per table_hint"
                              f" (e.g. {option} player=player.json {option} team=team.json)")
    return {hint: read_schema(Path(path)) for hint, path in by_hint.items()}


def read_pi2_adapters(items: list[str]) -> tuple[str | None, dict[str, str]]:
    """``--pi2-adapter`` values -> (the adapter for every document or None, ``{hint: adapter}``).

    At most one plain value (a path, a shipped name such as ``box-score``, or ``none``); ``HINT=VALUE`` items give
    the documents with that ``metadata.table_hint`` their own adapter, the others keep the plain one.

    >>> read_pi2_adapters(["box-score", "team=runs/team/adapter.gguf"])
    ('box-score', {'team': 'runs/team/adapter.gguf'})
    """
    plain, by_hint = _split(items, "--pi2-adapter")
    if len(plain) > 1:
        raise InputError(f"--pi2-adapter got {len(plain)} adapters for every document: {', '.join(plain)}",
                         hint="give one --pi2-adapter PATH, and --pi2-adapter HINT=PATH for each table_hint that"
                              " needs another (e.g. --pi2-adapter team=team.gguf)")
    return (plain[0] if plain else None), by_hint
