"""Model text -> schema or rows, leniently and with a reason: never raises on model output.

Schema text (pi1's answer form) may come wrapped in code fences or preceded by prose; the first JSON object
in it is taken. Row text (pi2's NDJSON) is read with :func:`text2table.core.table.parse_ndjson_lenient`.
"""

from __future__ import annotations

import json
import re
from typing import Any

from text2table.errors import SchemaError
from text2table.core.naming import MAX_NAME_LENGTH, normalize_name, normalize_names
from text2table.core.schema import Schema
from text2table.core.table import LenientResult, parse_ndjson_lenient
from text2table.decoding.compact import expand_answer

_DECODER = json.JSONDecoder()
MAX_SCHEMA_CHARS = 200_000


def strip_code_fences(text: str) -> str:
    """Drop Markdown code-fence lines (```json ... ```), keep everything else.

    >>> strip_code_fences("```json\\n{\\"a\\": 1}\\n```")
    '{"a": 1}'
    """
    return "\n".join(line for line in text.split("\n") if not line.strip().startswith("```"))


def extract_json_object(text: Any) -> tuple[Any, str]:
    """The first JSON object in ``text`` as ``(object, "")``, or ``(None, reason)``.

    Code fences and prose before the object are skipped; text after it is ignored. NaN/Infinity and
    duplicate keys are rejected (they are not valid for our contract).

    >>> extract_json_object('Here it is: {"a": [1, 2]} done')
    ({'a': [1, 2]}, '')
    >>> extract_json_object('{"a": 1, "a": 2}')[1]
    "duplicate key 'a'"
    """
    if not isinstance(text, str):
        return None, f"output is {type(text).__name__}, not text"
    if len(text) > MAX_SCHEMA_CHARS:
        return None, f"output is longer than {MAX_SCHEMA_CHARS} characters"
    body = strip_code_fences(text)
    start = body.find("{")
    if start < 0:
        return None, "no JSON object in the output" if body.strip() else "empty output"
    first_reason = ""
    for pos in [start] + [i + 1 for i in _line_starts(body, start)]:
        try:
            return _raw_decode_checked(body, pos)[0], ""
        except (ValueError, RecursionError) as exc:
            reason = str(exc).split(":")[0] if isinstance(exc, json.JSONDecodeError) else str(exc)
            first_reason = first_reason or reason
    if first_reason.startswith(("Expecting", "Unterminated")):
        first_reason = f"incomplete or invalid JSON ({first_reason})"
    return None, first_reason or "no complete JSON object in the output"


def _line_starts(body: str, after: int) -> list[int]:
    """Positions just before a later line that starts with ``{`` (another candidate object)."""
    out = []
    pos = body.find("\n{", after)
    while pos >= 0 and len(out) < 8:
        out.append(pos)
        pos = body.find("\n{", pos + 1)
    return out


def _raw_decode_checked(body: str, start: int) -> tuple[Any, int]:
    seen_dupe: list[str] = []

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, value in items:
            if key in out and not seen_dupe:
                seen_dupe.append(key)
            out[key] = value
        return out

    def reject(token: str) -> Any:
        raise ValueError(f"{token} is not valid JSON")

    decoder = json.JSONDecoder(object_pairs_hook=pairs, parse_constant=reject)
    obj, end = decoder.raw_decode(body, start)
    if seen_dupe:
        raise ValueError(f"duplicate key {seen_dupe[0]!r}")
    return obj, end


def parse_schema_text(text: Any, *, normalize: bool = False) -> tuple[Schema | None, str]:
    """pi1 output -> ``(Schema, "")`` or ``(None, reason)``; never raises on ``text``.

    With ``normalize=True`` field names that break the naming policy are normalised (and de-duplicated)
    instead of rejected: the inference pipeline's forgiving mode. A field listed again under the very same
    name is a model repeating itself, and only its first listing is kept (the raw answer keeps all of
    them); different names that normalise alike get ``_2``, ``_3``; a name with a word twice in a row
    (``cohort_cohort_duration``, a decoding loop) is dropped unless it is the only one. Metrics and rewards
    use the default. Both answer forms are read: the full one and the compact one, whose fields may be bare
    names (:mod:`text2table.decoding.compact`).

    >>> parse_schema_text('{"structure":"kv_single","fields":["name","food"]}')[0].names
    ['name', 'food']
    >>> schema, reason = parse_schema_text('```json\\n{"structure": "kv_single", "fields": [{"name": "area"}]}\\n```')
    >>> schema.names, reason
    (['area'], '')
    >>> parse_schema_text('{"structure": "kv_single", "fields": [{"name": "Area"}]}')[1][:26]
    "field name 'Area' breaks t"
    >>> text = '{"structure": "kv_single", "fields": [{"name": "rain"}, {"name": "Rain"}, {"name": "rain"}]}'
    >>> parse_schema_text(text, normalize=True)[0].names
    ['rain', 'rain_2']
    """
    obj, reason = extract_json_object(text)
    if obj is None:
        return None, reason
    if not isinstance(obj, dict):
        return None, f"expected a JSON object, got {type(obj).__name__}"
    obj = expand_answer(obj)
    if normalize:
        obj = _normalized_copy(obj)
    try:
        return Schema.from_dict(obj), ""
    except (SchemaError, TypeError, ValueError, RecursionError) as exc:
        return None, str(exc)[:300]


def _normalized_copy(obj: dict[str, Any]) -> dict[str, Any]:
    fields = obj.get("fields")
    if not isinstance(fields, list) or not all(isinstance(f, dict) and isinstance(f.get("name"), str)
                                               for f in fields):
        return obj
    unique: list[dict[str, Any]] = []
    for f in fields:
        if all(f["name"] != u["name"] for u in unique):
            unique.append(f)
    # a name with a word twice in a row (subj_subj_title) is a decoding loop, not a header (docs/measurements.md),
    # so its cells can only be wrong (kept when no other name is left)
    fields = [f for f in unique if not stutters(normalize_name(f["name"]))] or unique[:1]
    names = normalize_names([f["name"] for f in fields])
    out = dict(obj)
    out["fields"] = [{**f, "name": n} for f, n in zip(fields, names)]
    return out


def parse_rows_text(text: Any, names: list[str] | None = None, *, reorder: bool = False,
                    sparse: bool = False) -> LenientResult:
    """pi2 output -> valid rows plus what was dropped and why (see :func:`parse_ndjson_lenient`)."""
    return parse_ndjson_lenient(text, names, reorder=reorder, sparse=sparse)


_STRUCTURE = re.compile(r'"structure"\s*:\s*"([a-z_]+)"')
_FIELD_START = re.compile(r'\{\s*"name"\s*:')


def salvage_schema(text: str, *, before_loop: bool = False) -> Schema | None:
    """The complete fields of a pi1 answer that the token budget cut, or None.

    A cut answer whose field names repeat, or run to the maximum name length, is a model stuck in a
    loop: by default nothing is salvaged from it. With ``before_loop=True`` the fields before the loop
    are kept: those up to the first repeated name, name with a word twice in a row (``team_team``) or
    name of the maximum length. The pipeline uses that only when no other schema is left.

    >>> salvage_schema('{"structure":"kv_single","fields":[{"name":"a","type":"string","required":false},{"na').names
    ['a']
    >>> text = '{"structure":"kv_single","fields":[{"name":"a"},{"name":"b"},{"name":"a"},{"name":"c"},{"na'
    >>> salvage_schema(text) is None, salvage_schema(text, before_loop=True).names
    (True, ['a', 'b'])
    """
    structure = _STRUCTURE.search(text)
    if structure is None:
        return None
    decoder, fields = json.JSONDecoder(), []
    for match in _FIELD_START.finditer(text, structure.end()):
        try:
            fields.append(decoder.raw_decode(text, match.start())[0])
        except ValueError:
            break
    kept = _before_loop(fields)
    if not kept or (len(kept) < len(fields) and not before_loop):
        return None
    try:
        return Schema.from_dict({"structure": structure.group(1), "fields": kept})
    except SchemaError:
        return None


def stutters(name: str) -> bool:
    """A snake_case name with a word twice in a row: ``team_team``, ``cohort_cohort_duration``."""
    words = name.split("_")
    return any(a == b for a, b in zip(words, words[1:]))


def _before_loop(fields: list[Any]) -> list[dict[str, Any]]:
    """Field objects up to the first sign of a generation loop (see :func:`salvage_schema`)."""
    kept: list[dict[str, Any]] = []
    seen: set[str] = set()
    for f in fields:
        name = f.get("name") if isinstance(f, dict) else None
        if not isinstance(name, str) or name in seen or len(name) >= MAX_NAME_LENGTH:
            break
        if stutters(name):
            break
        kept.append(f)
        seen.add(name)
    return kept
