"""pi1's compact answer form: field defaults left out, a field with no other key written as its bare name.

Full form (what the shipped adapter was trained on)::

    {"structure":"kv_single","fields":[{"name":"name","type":"string","required":false},...],"constraints":{}}

Compact form (about a third of the tokens for a schema of strings)::

    {"structure":"kv_single","fields":["name","food",{"name":"price","type":"integer"}]}

``type`` is written only when it is not ``"string"``, ``required`` only when true, ``enum``/``pattern``/
``description`` when set, ``constraints`` only when not empty. :func:`expand_answer` turns either form into
the full object (the parser reads both); the schema that ``extract`` outputs and pi2 reads is the same.
:func:`compact_answer_json_schema` is the grammar's view for serving a model trained on the compact form:
names only (every type ``string``, every ``required`` false, as in pi1's SFT target).
"""

from __future__ import annotations

import json
from typing import Any

from text2table.core.naming import MAX_NAME_LENGTH, NAME_PATTERN
from text2table.core.schema import STRUCTURES, Schema

PI1_FORMS = ("full", "compact")


def compact_answer(schema: Schema) -> str:
    """The pi1 answer text in compact form (the SFT target when training on it)."""
    fields: list[Any] = []
    for f in schema.fields:
        entry = f.to_dict(answer=True, defaults=False)
        fields.append(entry["name"] if list(entry) == ["name"] else entry)
    data: dict[str, Any] = {"structure": schema.structure, "fields": fields}
    if schema.constraints:
        data["constraints"] = dict(schema.constraints)
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def expand_answer(obj: Any) -> Any:
    """A pi1 answer object with bare-name fields written as ``{"name": ...}`` (anything else unchanged)."""
    if not isinstance(obj, dict) or not isinstance(obj.get("fields"), list):
        return obj
    if not any(isinstance(f, str) for f in obj["fields"]):
        return obj
    return {**obj, "fields": [{"name": f} if isinstance(f, str) else f for f in obj["fields"]]}


def compact_answer_json_schema(*, max_fields: int, max_name_length: int = MAX_NAME_LENGTH) -> dict[str, Any]:
    """JSON Schema of a compact answer of names only: ``{"structure", "fields": ["name", ...]}``."""
    name = {"type": "string", "pattern": NAME_PATTERN.pattern, "minLength": 1, "maxLength": max_name_length}
    return {"type": "object",
            "properties": {"structure": {"enum": list(STRUCTURES)},
                           "fields": {"type": "array", "items": name, "minItems": 1, "maxItems": max_fields}},
            "required": ["structure", "fields"], "additionalProperties": False}
