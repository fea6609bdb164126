"""Constraints for decoding: a :class:`~text2table.decoding.constraint.Constraint` -> llama.cpp GBNF, llguidance
Lark, or an OpenAI/vLLM structured-outputs payload. Pure functions; no model or backend imports.

One JSON-Schema subset is compiled to one small grammar tree (:mod:`text2table.decoding.grammar_tree`), written
out here as GBNF and as Lark, so that both local backends accept exactly the same texts:

- ``kind="schema"`` (pi1): one compact object (``","`` / ``":"`` separators, as ``schema_answer`` writes).
- ``kind="rows"`` (pi2): NDJSON, every line one object with exactly the schema's keys in order, written
  as ``json.dumps(row, ensure_ascii=False)`` writes it (``", "`` / ``": "``), each line ended by ``"\\n"``;
  the table may be empty, ends at end-of-sequence or at an empty line, and has at most ``max_rows`` lines.
  In pi2's sparse form (``rows_constraint(..., form="sparse")``) a line holds only the keys with a value, in
  the schema's order, at least one.

Supported keywords: ``type`` (string, integer, number, boolean, null, object, array, or a list), ``enum``,
``const``, ``anyOf``/``oneOf``, ``properties`` (no extras; keys in their order, those not in ``required`` may be left
out), ``minProperties`` (0 or 1), ``items``, ``minItems``/``maxItems``, ``minLength``/``maxLength``. Strings
without ``maxLength`` get ``default_max_string`` (a small model can otherwise run on inside one value). Strings
never contain raw control characters, U+0085, U+2028 or U+2029 (each would split an NDJSON line), and escapes are
the ones ``json.dumps`` writes. ``pattern`` is honoured only for the naming policy's name pattern (exactly: no
``__``, no trailing ``_``, length capped); other patterns are not enforced (the value is still a valid string).
Validation keywords outside the subset raise :class:`~text2table.errors.ConfigError`.

The Lark side spells out its own terminals instead of llguidance's ``%json``: with ``%json`` (llguidance
1.9) raw U+0085 and U+2028 pass inside strings, and ``str.splitlines`` then cuts the NDJSON line there.
"""

from __future__ import annotations

import json
from typing import Any

from text2table.decoding.constraint import Constraint
from text2table.errors import ConfigError
from text2table.core.naming import MAX_NAME_LENGTH, NAME_PATTERN
from text2table.core.schema import FIELD_TYPES, STRUCTURES, Schema, row_json_schema
from text2table.decoding.compact import PI1_FORMS, compact_answer_json_schema
from text2table.decoding.prompts import PI2_FORMS
from text2table.decoding.grammar_tree import Alt, Lit, Ref, Rep, Seq, Term, compile_tree

DEFAULT_MAX_FIELDS = 40
DEFAULT_MAX_STRING = 200
DEFAULT_MAX_ITEMS = 64
QUOTED_NUMBER_CHARS = 32  # a number quoted or in words ("one hundred and twenty-five thousand")
PAYLOAD_STYLES = ("structured_outputs", "response_format", "grammar", "none")
GRAMMAR_DIALECTS = ("gbnf", "lark")

# Allowed characters as positive ranges: llama.cpp rejects a token that ends inside a multi-byte character
# when the character's possible range touches a *negated* range (so [^...\x85...] would block all of U+0080-00BF).
_STR_CHAR_GBNF = ('[\\x20-\\x21\\x23-\\x5B\\x5D-\\x7E\\xA0-\\u2027\\u202A-\\U0010FFFF] | "\\\\" ["\\\\bfnrt]'
                  ' | "\\\\u00" [01] [0-9a-f]')
_STR_CHAR_RE = r'(?:[^"\\\x00-\x1f\x7f-\x9f\u2028\u2029]|\\["\\bfnrt]|\\u00[01][0-9a-f])'
# Fractions: up to 20 digits, the longest that Python's float repr writes without an exponent (0.000 + 17).
_INT_RE = r"-?(?:0|[1-9][0-9]{0,15})"
_NUM_RE = _INT_RE + r"(?:\.[0-9]{1,20})?(?:[eE][-+]?[0-9]{1,3})?"


# ---------------------------------------------------------------- constraint builders

def schema_answer_json_schema(*, max_fields: int = DEFAULT_MAX_FIELDS, max_name_length: int = MAX_NAME_LENGTH,
                              pin_defaults: bool = False) -> dict[str, Any]:
    """JSON Schema of pi1's answer form: ``{"structure", "fields": [{"name", "type", "required"}],
    "constraints": {}}``, keys in ``schema_answer`` order. ``pin_defaults`` fixes every ``type`` to
    ``"string"`` and every ``required`` to ``false`` (pi1's SFT target is always so): the model then
    chooses only the structure and the names, and the rest is forced text (:mod:`text2table.decoding.forced`)."""
    field = {"type": "object",
             "properties": {"name": {"type": "string", "pattern": NAME_PATTERN.pattern, "minLength": 1,
                                     "maxLength": max_name_length},
                            "type": {"const": "string"} if pin_defaults else {"enum": list(FIELD_TYPES)},
                            "required": {"const": False} if pin_defaults else {"type": "boolean"}},
             "required": ["name", "type", "required"], "additionalProperties": False}
    return {"type": "object",
            "properties": {"structure": {"enum": list(STRUCTURES)},
                           "fields": {"type": "array", "items": field, "minItems": 1, "maxItems": max_fields},
                           "constraints": {"type": "object", "properties": {}, "additionalProperties": False}},
            "required": ["structure", "fields", "constraints"], "additionalProperties": False}


def schema_constraint(*, max_fields: int = DEFAULT_MAX_FIELDS, max_name_length: int = MAX_NAME_LENGTH,
                      list_end_bias: float = 0.0, pin_defaults: bool = False, form: str = "full") -> Constraint:
    """The pi1 constraint: one valid schema object in answer form (``list_end_bias``: see :class:`Constraint`;
    ``pin_defaults``: see :func:`schema_answer_json_schema`; ``form="compact"``: names only, see
    :mod:`text2table.decoding.compact`)."""
    if not 1 <= max_name_length <= MAX_NAME_LENGTH:
        raise ConfigError(f"max_name_length={max_name_length}; expected 1..{MAX_NAME_LENGTH}")
    if form not in PI1_FORMS:
        raise ConfigError(f"pi1 answer form {form!r}; expected one of {PI1_FORMS}")
    if form == "compact":
        answer = compact_answer_json_schema(max_fields=max_fields, max_name_length=max_name_length)
    else:
        answer = schema_answer_json_schema(max_fields=max_fields, max_name_length=max_name_length,
                                           pin_defaults=pin_defaults)
    return Constraint("schema", answer, list_end_bias=list_end_bias)


def rows_constraint(schema: Schema, *, max_rows: int | None = None,
                    max_string_length: int = DEFAULT_MAX_STRING, form: str = "full") -> Constraint:
    """The pi2 constraint: NDJSON rows of ``schema`` (keys in order), string values capped in length.

    ``form="sparse"`` (:data:`~text2table.decoding.prompts.PI2_FORMS`): a row holds only keys with a value, in
    schema order, at least one; ``null`` is not written (a required field's key must still be there).

    An ``integer`` or ``number`` field (without ``enum``) takes its number bare or quoted (a string of at most
    ``QUOTED_NUMBER_CHARS``): adapters trained on string-typed schemas quote every value, and with the quote
    forbidden they write ``null``. The pipeline reads a quoted value as a number or drops it
    (:func:`text2table.text.numbers.numeric_value`), so finished rows fit :func:`row_json_schema`.
    """
    if max_rows is not None and max_rows < 0:
        raise ConfigError(f"max_rows={max_rows}; expected a number >= 0 or None")
    row = row_json_schema(schema, max_string_length=max_string_length)
    for f in schema.fields:
        if f.type in ("integer", "number") and f.enum is None:
            either = {"anyOf": [{"type": f.type}, {"type": "string", "maxLength": QUOTED_NUMBER_CHARS}]}
            row["properties"][f.name] = either if f.required else {"anyOf": [either, {"type": "null"}]}
    if form not in PI2_FORMS:
        raise ConfigError(f"pi2 answer form {form!r}; expected one of {PI2_FORMS}")
    if form == "sparse":
        optional = [f.name for f in schema.fields if not f.required]
        for name in optional:  # the value without its null alternative
            row["properties"][name] = row["properties"][name]["anyOf"][0]
        row["required"] = [f.name for f in schema.fields if f.required]
        row["minProperties"] = 1
    return Constraint("rows", row, max_rows=max_rows)


# ---------------------------------------------------------------- GBNF (llama.cpp)

def _gbnf_lit(text: str) -> str:
    out = []
    for ch in text:
        if ch in '"\\':
            out.append("\\" + ch)
        elif ord(ch) < 0x20 or 0x7F <= ord(ch) <= 0x9F or ch in "\u2028\u2029":
            out.append(f"\\x{ord(ch):02X}" if ord(ch) < 0x100 else f"\\u{ord(ch):04X}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def _rep_suffix(lo: int, hi: int | None) -> str:
    if (lo, hi) == (0, 1):
        return "?"
    if hi is None:
        return "*" if lo == 0 else ("+" if lo == 1 else f"{{{lo},}}")
    return f"{{{lo}}}" if lo == hi else f"{{{lo},{hi}}}"


class _Writer:
    """Writes the compiled rule tree in one grammar syntax: subclasses spell literals and terminals."""

    def lit(self, text: str) -> str:
        raise NotImplementedError

    def term(self, t: Term) -> str:
        raise NotImplementedError

    def expr(self, node: Any) -> str:
        if isinstance(node, Lit):
            return self.lit(node.text)
        if isinstance(node, Ref):
            return node.name
        if isinstance(node, Seq):
            return " ".join(self.expr(i) for i in node.items)
        if isinstance(node, Alt):
            return "(" + " | ".join(self.expr(i) for i in node.items) + ")"
        if isinstance(node, Rep):
            return f"({self.expr(node.item)}){_rep_suffix(node.lo, node.hi)}"
        return self.term(node)


class _GbnfWriter(_Writer):
    def __init__(self) -> None:
        self.extra: dict[str, str] = {}

    def lit(self, text: str) -> str:
        return _gbnf_lit(text)

    def term(self, t: Term) -> str:
        if t.kind == "integer":
            return '("-"? ("0" | [1-9] [0-9]{0,15}))'
        if t.kind == "number":
            return '("-"? ("0" | [1-9] [0-9]{0,15}) ("." [0-9]{1,20})? ([eE] [-+]? [0-9]{1,3})?)'
        if t.kind == "string":
            self.extra["char"] = _STR_CHAR_GBNF
            return f'("\\"" char{_rep_suffix(t.lo, t.hi)} "\\"")' if t.hi else '"\\"\\""'
        # A policy name, exactly: [a-z] then units "x" or "_x", at most t.hi characters. Rule n<k> matches
        # what may follow when k characters of budget are left.
        for k in range(1, t.hi):
            alts = [f"[a-z0-9] n{k - 1}" if k > 1 else "[a-z0-9]"]
            if k >= 2:
                alts.append(f'"_" [a-z0-9] n{k - 2}' if k > 2 else '"_" [a-z0-9]')
            self.extra[f"n{k}"] = "(" + " | ".join(alts) + ")?"
        rest = f" n{t.hi - 1}" if t.hi > 1 else ""
        return f'("\\"" [a-z]{rest} "\\"")'


def to_gbnf(constraint: Constraint, *, default_max_string: int = DEFAULT_MAX_STRING,
            default_max_items: int = DEFAULT_MAX_ITEMS) -> str:
    """The llama.cpp grammar (``root`` rule) for ``constraint``."""
    rules, top = compile_tree(constraint, default_max_string, default_max_items)
    writer = _GbnfWriter()
    lines = [f"root ::= {writer.expr(top)}"] + [f"{n} ::= {writer.expr(r)}" for n, r in rules.items()]
    lines += [f"{n} ::= {body}" for n, body in sorted(writer.extra.items())]
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------- Lark (llguidance)

class _LarkWriter(_Writer):
    def __init__(self) -> None:
        self.terminals: dict[str, str] = {}

    def lit(self, text: str) -> str:
        return json.dumps(text, ensure_ascii=True)

    def term(self, t: Term) -> str:
        if t.kind in ("integer", "number"):
            name = t.kind.upper()
            self.terminals[name] = f"/{_INT_RE if t.kind == 'integer' else _NUM_RE}/"
        elif t.kind == "string":
            name = f"STRING_{t.lo}_{t.hi}"
            self.terminals[name] = f'/"{_STR_CHAR_RE}{_rep_suffix(t.lo, t.hi)}"/' if t.hi else '"\\"\\""'
        else:
            name = f"NAME_{t.lo}_{t.hi}"
            self.terminals[name] = f'/"[a-z](_?[a-z0-9])*"/ & /.{{{t.lo + 2},{t.hi + 2}}}/'
        return name


def to_lark(constraint: Constraint, *, default_max_string: int = DEFAULT_MAX_STRING,
            default_max_items: int = DEFAULT_MAX_ITEMS) -> str:
    """The llguidance Lark grammar (``start`` rule) for ``constraint``; accepts the same texts as GBNF."""
    rules, top = compile_tree(constraint, default_max_string, default_max_items)
    writer = _LarkWriter()
    lines = [f"start: {writer.expr(top)}"] + [f"{n}: {writer.expr(r)}" for n, r in rules.items()]
    lines += [f"{n}: {body}" for n, body in sorted(writer.terminals.items())]
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------- OpenAI-compatible servers

def openai_payload(constraint: Constraint, *, style: str = "structured_outputs",
                   dialect: str = "gbnf") -> dict[str, Any] | None:
    """Request-body fields that ask a server for ``constraint``; ``None`` when ``style`` cannot express it.

    - ``structured_outputs`` (vLLM >= 0.12): ``{"structured_outputs": {"json": schema}}`` for pi1,
      ``{"structured_outputs": {"grammar": ...}}`` for NDJSON rows (``dialect``: ``gbnf`` for xgrammar,
      ``lark`` for the guidance backend);
    - ``response_format``: ``{"type": "json_schema", ...}`` for pi1; rows cannot be expressed (one JSON
      document per answer), so ``None``: the caller decodes unconstrained and parses leniently;
    - ``grammar``: a top-level ``grammar`` field (llama.cpp server), for both kinds;
    - ``none``: ``{}`` (no constraint sent).
    """
    if style not in PAYLOAD_STYLES:
        raise ConfigError(f"payload style {style!r}; expected one of {PAYLOAD_STYLES}")
    if dialect not in GRAMMAR_DIALECTS:
        raise ConfigError(f"grammar dialect {dialect!r}; expected one of {GRAMMAR_DIALECTS}")
    if style == "none":
        return {}
    if style == "grammar":
        return {"grammar": to_gbnf(constraint)}
    if style == "structured_outputs":
        if constraint.kind == "schema":
            return {"structured_outputs": {"json": constraint.json_schema}}
        return {"structured_outputs": {"grammar": (to_lark if dialect == "lark" else to_gbnf)(constraint)}}
    if constraint.kind == "rows":
        return None
    return {"response_format": {"type": "json_schema",
                                "json_schema": {"name": "table_schema", "schema": constraint.json_schema,
                                                "strict": True}}}
