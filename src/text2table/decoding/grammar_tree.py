"""A JSON-Schema subset compiled to a small grammar tree: literals, rule references, sequences, alternatives,
repeats and lexical terms, with one named rule per distinct sub-schema. :mod:`text2table.decoding.constraints`
writes the tree out as llama.cpp GBNF and as llguidance Lark, so that both accept exactly the same texts.

:func:`compile_tree` adds, for pi2's rows, the NDJSON frame: ``row`` is one object and a newline, the table at
most ``max_rows`` rows and an optional empty line. Objects write their keys in the properties' order; keys not in
``required`` may be left out (pi2's sparse form). Pure functions; no model or backend imports.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from text2table.core.naming import MAX_NAME_LENGTH, NAME_PATTERN
from text2table.decoding.constraint import Constraint
from text2table.errors import ConfigError

_IGNORED = {"title", "description", "examples", "default", "$schema", "$id", "format", "$comment"}
_HANDLED = {"type", "enum", "const", "anyOf", "oneOf", "properties", "required", "additionalProperties",
            "minProperties", "items", "minItems", "maxItems", "minLength", "maxLength", "pattern"}


def separators(constraint: Constraint) -> tuple[str, str]:
    """(item, key) separators: compact for a schema answer, ``json.dumps`` defaults for rows."""
    return (",", ":") if constraint.kind == "schema" else (", ", ": ")



@dataclass(frozen=True)
class Lit:
    text: str


@dataclass(frozen=True)
class Ref:
    name: str


@dataclass(frozen=True)
class Seq:
    items: tuple[Any, ...]


@dataclass(frozen=True)
class Alt:
    items: tuple[Any, ...]


@dataclass(frozen=True)
class Rep:
    item: Any
    lo: int
    hi: int | None  # None: unbounded


@dataclass(frozen=True)
class Term:
    """A lexical token: a JSON string (``name=True``: a policy name), an integer or a number."""

    kind: str  # "string" | "name" | "integer" | "number"
    lo: int = 0
    hi: int = 0


class Compiler:
    """JSON-Schema subset -> named rules of the grammar tree (identical sub-schemas share one rule)."""

    def __init__(self, item_sep: str, key_sep: str, max_string: int, max_items: int) -> None:
        self.item_sep, self.key_sep = item_sep, key_sep
        self.max_string, self.max_items = max_string, max_items
        self.rules: dict[str, Any] = {}
        self._names: dict[str, str] = {}

    def rule(self, node: dict[str, Any], path: str) -> Ref:
        key = json.dumps(node, sort_keys=True)
        if key not in self._names:
            name = f"v{len(self._names)}"
            self._names[key] = name
            self.rules[name] = self.value(node, path)
        return Ref(self._names[key])

    def value(self, node: Any, path: str) -> Any:
        if node is True or node == {}:
            raise ConfigError(f"{path}: an unconstrained value is not supported; give it a type")
        if not isinstance(node, dict):
            raise ConfigError(f"{path}: expected a JSON Schema object, got {node!r:.60}")
        unknown = set(node) - _HANDLED - _IGNORED
        unknown = {k for k in unknown if not k.startswith("x-")}
        if unknown:
            raise ConfigError(f"{path}: JSON Schema keywords {sorted(unknown)} are not supported by the grammar"
                              f" compiler; supported: {sorted(_HANDLED)}")
        if "const" in node:
            return Lit(json.dumps(node["const"], ensure_ascii=False))
        if "enum" in node:
            if not node["enum"]:
                raise ConfigError(f"{path}: an empty enum matches nothing")
            return Alt(tuple(Lit(json.dumps(v, ensure_ascii=False)) for v in node["enum"]))
        for key in ("anyOf", "oneOf"):
            if key in node:
                return Alt(tuple(self.rule(sub, f"{path}.{key}[{i}]") for i, sub in enumerate(node[key])))
        kind = node.get("type")
        if isinstance(kind, list):
            return Alt(tuple(self.rule({**node, "type": t}, f"{path}.type[{t}]") for t in kind))
        if kind == "string":
            lo, hi = int(node.get("minLength", 0)), int(node.get("maxLength", self.max_string))
            if lo > hi:
                raise ConfigError(f"{path}: minLength {lo} > maxLength {hi}")
            if node.get("pattern") == NAME_PATTERN.pattern:
                return Term("name", max(lo, 1), min(hi, MAX_NAME_LENGTH))
            return Term("string", lo, hi)
        if kind in ("integer", "number"):
            return Term(kind)
        if kind == "boolean":
            return Alt((Lit("true"), Lit("false")))
        if kind == "null":
            return Lit("null")
        if kind == "object":
            return self.object(node, path)
        if kind == "array":
            return self.array(node, path)
        raise ConfigError(f"{path}: type {kind!r} is not supported; expected string, integer, number,"
                          " boolean, null, object or array")

    def object(self, node: dict[str, Any], path: str) -> Any:
        props = node.get("properties", {})
        required = set(node.get("required", []))
        if node.get("additionalProperties", False) is not False or not required <= set(props):
            raise ConfigError(f"{path}: additionalProperties must be false and every required key a property;"
                              " the grammar writes keys in a fixed order")
        if required != set(props):
            return self.optional_keys(node, path)
        parts: list[Any] = [Lit("{")]
        for i, (key, sub) in enumerate(props.items()):
            prefix = (self.item_sep if i else "") + json.dumps(key, ensure_ascii=False) + self.key_sep
            parts += [Lit(prefix), self.rule(sub, f"{path}.{key}")]
        parts.append(Lit("}"))
        return Seq(tuple(parts))

    def optional_keys(self, node: dict[str, Any], path: str) -> Any:
        """An object whose keys not in ``required`` may be left out: the keys written keep the properties'
        order; ``minProperties`` 1 forbids ``{}``. Rule ``<id>t<i>`` is what may follow once key ``i`` is next
        (a separator first), ``<id>h<i>`` what may open the object from key ``i`` on."""
        props = list(node.get("properties", {}).items())
        required = set(node.get("required", []))
        least = int(node.get("minProperties", 0))
        if least > 1:
            raise ConfigError(f"{path}: minProperties {least} is not supported (0 or 1)")
        values = [self.rule(sub, f"{path}.{key}") for key, sub in props]
        tag = f"o{len(self.rules)}"  # after the values: a nested object's rules are already in
        key_lit = lambda i: Lit(json.dumps(props[i][0], ensure_ascii=False) + self.key_sep)  # noqa: E731
        n = len(props)
        self.rules[f"{tag}t{n}"] = Lit("}")
        for i in range(n - 1, 0, -1):
            write = Seq((Lit(self.item_sep), key_lit(i), values[i], Ref(f"{tag}t{i + 1}")))
            self.rules[f"{tag}t{i}"] = write if props[i][0] in required else Alt((write, Ref(f"{tag}t{i + 1}")))
        if least == 0:
            self.rules[f"{tag}h{n}"] = Lit("}")
        for i in range(n - 1, -1, -1):
            write = Seq((key_lit(i), values[i], Ref(f"{tag}t{i + 1}")))
            skip = i + 1 < n or least == 0
            self.rules[f"{tag}h{i}"] = (write if props[i][0] in required or not skip
                                        else Alt((write, Ref(f"{tag}h{i + 1}"))))
        return Seq((Lit("{"), Ref(f"{tag}h0")))

    def array(self, node: dict[str, Any], path: str) -> Any:
        lo, hi = int(node.get("minItems", 0)), int(node.get("maxItems", self.max_items))
        if lo > hi or hi < 1:
            raise ConfigError(f"{path}: minItems {lo} / maxItems {hi} leave no valid array")
        item = self.rule(node.get("items", {}), f"{path}[]")
        more = Rep(Seq((Lit(self.item_sep), item)), max(lo - 1, 0), hi - 1)
        body: Any = Seq((item, more))
        if lo == 0:
            body = Rep(body, 0, 1)
        return Seq((Lit("["), body, Lit("]")))


def compile_tree(constraint: Constraint, max_string: int, max_items: int) -> tuple[dict[str, Any], Any]:
    item_sep, key_sep = separators(constraint)
    compiler = Compiler(item_sep, key_sep, max_string, max_items)
    top = compiler.rule(constraint.json_schema, "$")
    if constraint.kind == "schema":
        return compiler.rules, top
    compiler.rules["row"] = Seq((top, Lit("\n")))
    end = Rep(Lit("\n"), 0, 1)
    if constraint.max_rows == 0:
        return compiler.rules, end
    return compiler.rules, Seq((Rep(Ref("row"), 0, constraint.max_rows), end))
