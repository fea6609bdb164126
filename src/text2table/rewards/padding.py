"""How much of a model answer lies outside the one answer the policy asked for: the padding share.

pi1 must write one schema object; pi2 one JSON row per line. Any other text (the same schema again, a
second schema, prose, code fences, lines that are not rows) is padding. The share is measured in
non-whitespace characters, so a long paragraph costs more than a short one and a gold answer written
three times costs two thirds (code-fence lines around a schema are left to the format penalty). Inside
the schema object, whatever goes beyond the shortest answer stating the same fields (names, types,
required) is padding too: the policy asks for no descriptions, enums, patterns or constraints, and the
reward cannot check them.
Pure functions; they never raise on model text.

>>> one = '{"structure": "kv_single", "fields": [{"name": "area"}]}'
>>> schema_padding(one), round(schema_padding(one * 3), 3), schema_padding("no json")
(0.0, 0.667, 1.0)
>>> rows_padding('{"a": "1"}\\nThats all.', [True, False])
0.5
"""

from __future__ import annotations

import json
import re

_SPACE = re.compile(r"\s+")
_DECODER = json.JSONDecoder()


def _solid(text: str) -> int:
    """Non-whitespace characters in ``text``."""
    return len(_SPACE.sub("", text))


def object_span(text: str) -> tuple[int, int] | None:
    """``(start, end)`` of the first complete JSON object in ``text`` (at its first ``{`` or at a later
    line that starts with ``{``), else ``None``."""
    starts = []
    pos = text.find("{")
    while pos >= 0 and len(starts) < 9:
        starts.append(pos)
        pos = text.find("\n{", pos + 1)
        pos = pos + 1 if pos >= 0 else -1
    for start in starts:
        try:
            obj, end = _DECODER.raw_decode(text, start)
        except (ValueError, RecursionError):
            continue
        if isinstance(obj, dict):
            return start, end
    return None


def schema_padding(text: str, minimal: str | None = None) -> float:
    """Share of ``text``'s non-whitespace characters outside its first JSON object (1.0 when there is none).

    With ``minimal`` (the shortest answer that states the same schema, see :func:`minimal_answer`), what
    the object holds beyond it counts too: keys the schema ignores, long descriptions, stuffed enums.
    Code-fence lines are not counted: a fenced answer pays ``format_penalty`` once, not padding."""
    text = "\n".join(line for line in text.split("\n") if not line.strip().startswith("```"))
    total = _solid(text)
    if total == 0:
        return 0.0
    span = object_span(text)
    if span is None:
        return 1.0
    kept = _solid(text[span[0]:span[1]])
    if minimal is not None:
        kept = min(kept, _solid(minimal))
    return 1.0 - kept / total


def minimal_answer(structure: str, fields: list[tuple[str, str, bool]]) -> str:
    """The shortest pi1 answer for a structure and ``(name, type, required)`` fields: what the policy asks
    for, without descriptions, enums, patterns, constraints or other keys.

    >>> minimal_answer("kv_single", [("area", "string", False)])
    '{"structure":"kv_single","fields":[{"name":"area","type":"string","required":false}],"constraints":{}}'
    """
    data = {"structure": structure, "fields": [{"name": n, "type": t, "required": r} for n, t, r in fields],
            "constraints": {}}
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def rows_padding(text: str, is_row: list[bool]) -> float:
    """Share of non-whitespace characters on non-empty lines that are not rows; ``is_row`` has one flag per
    non-empty line of ``text`` in order (as :func:`text2table.rewards.scores.read_rows` reads them)."""
    lines = [line for line in text.split("\n") if line.strip()]
    total = sum(_solid(line) for line in lines)
    if total == 0:
        return 0.0
    outside = sum(_solid(line) for line, row in zip(lines, is_row) if not row)
    outside += sum(_solid(line) for line in lines[len(is_row):])
    return outside / total
