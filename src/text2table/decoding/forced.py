"""Forced text: the part of a constrained answer that the grammar allows in exactly one way.

Keys, quotes, separators and ``const`` values leave the model no choice: ``{"name": `` comes before the
first value of every pi2 row, ``,"type":"string","required":false}`` after each field name of a pi1
answer whose defaults are pinned. A backend can append such text without a decode step (one batched
evaluation instead of one step per token).

:func:`tracker` compiles a :class:`~text2table.decoding.constraint.Constraint` (the same JSON-Schema subset
and separators as :mod:`text2table.decoding.constraints`) into a small graph of literals, values and
forks. :class:`ForcedText` follows the answer byte by byte (:meth:`ForcedText.feed`) and says which bytes
must come next (:meth:`ForcedText.pending`) and whether the answer is complete
(:meth:`ForcedText.finished`). A value (string, number, ``null``, ``true``/``false``, enum) is the model's
choice, and so is the branch at a fork (another array item or ``]``; another row or the end), and in a row whose
keys may be left out (pi2's sparse form) the next key or the row's end: at such a choice the bytes all remaining
keys share are forced, and the rest of a key once its first bytes tell it apart. The opening
quote of a value that is always a string is forced; a space before any other value is not (BPE merges it
with the value's first token, and the model was trained on that merged form). A bare ``null``, ``true`` or
``false`` is complete once written (nothing in JSON extends it), so the text after it is pending at once; a
number stays open until a byte that is not part of it. Output that
leaves the graph (possible only without the grammar) turns the tracker off: ``pending`` is then empty.
Pure Python; no model or backend imports.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from text2table.decoding.constraint import Constraint
from text2table.decoding.grammar_tree import separators

_BARE = frozenset(b"0123456789+-.eEtruefalsn")
_LITERALS = frozenset((b"null", b"true", b"false"))


@dataclass
class _Node:
    kind: str  # "lit" | "value" | "fork" | "choice" | "end"
    text: bytes = b""  # a literal's bytes; b'"' for a value that is always a string
    next: int = -1
    options: list[int] = field(default_factory=list)  # a fork's branches (each begins with its own byte)
    texts: list[tuple[bytes, int]] = field(default_factory=list)  # a choice's literals and where each goes


class _Unsupported(Exception):
    pass


class _Graph:
    def __init__(self, item_sep: str, key_sep: str) -> None:
        self.nodes: list[_Node] = []
        self.item_sep, self.key_sep = item_sep.encode(), key_sep.encode()

    def add(self, kind: str, text: bytes = b"", nxt: int = -1) -> int:
        self.nodes.append(_Node(kind, text, nxt))
        return len(self.nodes) - 1

    def lit(self, text: bytes, nxt: int) -> int:
        return self.add("lit", text, nxt) if text else nxt

    def value(self, node: Any, nxt: int) -> int:
        """The start of ``node``'s graph, continuing at ``nxt``."""
        if not isinstance(node, dict):
            raise _Unsupported(node)
        if "const" in node:
            return self.lit(json.dumps(node["const"], ensure_ascii=False).encode(), nxt)
        if "enum" in node:
            if not all(isinstance(v, (str, int, float, bool)) or v is None for v in node["enum"]):
                raise _Unsupported(node)
            if len(node["enum"]) == 1:
                return self.lit(json.dumps(node["enum"][0], ensure_ascii=False).encode(), nxt)
            strings = all(isinstance(v, str) for v in node["enum"])
            return self.add("value", b'"' if strings else b"", nxt)
        alternatives = node.get("anyOf") or node.get("oneOf")
        kind = node.get("type")
        if alternatives is not None or isinstance(kind, list):
            subs = alternatives or [{**node, "type": t} for t in kind]
            if any(s.get("type") in ("object", "array") or "properties" in s or "items" in s for s in subs):
                raise _Unsupported(node)
            return self.add("value", nxt=nxt)
        if kind == "null":
            return self.lit(b"null", nxt)
        if kind in ("string", "integer", "number", "boolean"):
            return self.add("value", b'"' if kind == "string" else b"", nxt)
        if kind == "object":
            return self.object(node, nxt)
        if kind == "array":
            return self.array(node, nxt)
        raise _Unsupported(node)

    def object(self, node: dict[str, Any], nxt: int) -> int:
        props = list(node.get("properties", {}).items())
        if set(node.get("required", [])) != {k for k, _ in props}:
            return self.optional_keys(node, props, nxt)
        start = self.lit(b"}", nxt)
        for i in range(len(props) - 1, -1, -1):
            key, sub = props[i]
            start = self.value(sub, start)
            prefix = (self.item_sep if i else b"") + json.dumps(key, ensure_ascii=False).encode() + self.key_sep
            start = self.lit(prefix, start)
        return self.lit(b"{", start) if props else self.lit(b"{}", nxt)

    def optional_keys(self, node: dict[str, Any], props: list[tuple[str, Any]], nxt: int) -> int:
        """An object whose optional keys may be left out (keys in order): after ``{`` and after each value, a
        choice among the literals that may come next (the next keys with their separator, or ``}``)."""
        required = set(node.get("required", []))
        key = lambda i, sep: sep + json.dumps(props[i][0], ensure_ascii=False).encode() + self.key_sep  # noqa: E731
        after: list[tuple[bytes, int]] = [(b"}", nxt)]  # what may follow key i's value, from i = n - 1 down
        firsts: list[tuple[bytes, int]] = [(b"}", nxt)] if int(node.get("minProperties", 0)) == 0 else []
        for i in range(len(props) - 1, -1, -1):
            value = self.value(props[i][1], self.choice(after))
            firsts = [(key(i, b""), value)] + ([] if props[i][0] in required else firsts)
            if i:
                after = [(key(i, self.item_sep), value)] + ([] if props[i][0] in required else after)
        return self.lit(b"{", self.choice(firsts))

    def choice(self, texts: list[tuple[bytes, int]]) -> int:
        if len(texts) == 1:
            return self.lit(*texts[0])
        prefix = any(a != b and b.startswith(a) for a, _ in texts for b, _ in texts)
        if prefix or len({t for t, _ in texts}) < len(texts):
            raise _Unsupported(texts)  # one literal the prefix of another: the byte stream cannot tell them apart
        node = self.add("choice")
        self.nodes[node].texts = texts
        return node

    def array(self, node: dict[str, Any], nxt: int) -> int:
        if int(node.get("minItems", 0)) < 1:
            raise _Unsupported(node)
        fork = self.add("fork")
        item = self.value(node.get("items", {}), fork)
        self.nodes[fork].options = [self.lit(self.item_sep, item), self.lit(b"]", nxt)]
        return self.lit(b"[", item)


@dataclass
class ForcedText:
    """Where an answer stands in its graph; see the module docstring."""

    nodes: list[_Node]
    at: int
    offset: int = 0  # bytes of the current literal already written
    state: str = ""  # inside a value: "" (not begun), "str", "esc", "bare"
    dead: bool = False
    bare: bytes = b""  # the bytes of the bare value being written
    cands: list[int] | None = None  # at a choice: its literals that the bytes written so far still match

    def feed(self, data: bytes) -> None:
        for byte in data:
            if not self.dead:
                self._step(byte)

    def _step(self, byte: int) -> None:
        while True:
            node = self.nodes[self.at]
            if node.kind == "lit":
                if node.text[self.offset] != byte:
                    self.dead = True
                    return
                self.offset += 1
                if self.offset == len(node.text):
                    self.at, self.offset = node.next, 0
                return
            if node.kind == "fork":
                branch = next((o for o in node.options if self.nodes[o].text[:1] == bytes([byte])), None)
                if branch is None:
                    self.dead = True
                    return
                self.at, self.offset = branch, 0
                continue
            if node.kind == "end":
                self.dead = True
                return
            if node.kind == "choice":
                self._choose(node, byte)
                return
            if self.state == "":  # a value begins
                if byte == 0x22:
                    self.state = "str"
                elif byte in _BARE:
                    self.state, self.bare = "bare", bytes([byte])
                else:
                    self.dead = True
                return
            if self.state == "str":
                if byte == 0x5C:
                    self.state = "esc"
                elif byte == 0x22:
                    self.at, self.state = node.next, ""
                return
            if self.state == "esc":
                self.state = "str"
                return
            if byte in _BARE:  # "bare": a number or literal goes on
                self.bare += bytes([byte])
                if self.bare in _LITERALS:  # complete: what follows is pending now
                    self.at, self.state = node.next, ""
                return
            self.at, self.state = node.next, ""  # the byte belongs to what follows the value

    def _choose(self, node: _Node, byte: int) -> None:
        """One byte at a choice: keep the literals it matches; once one is left and written whole, go on."""
        cands = [c for c in (self.cands if self.cands is not None else range(len(node.texts)))
                 if node.texts[c][0][self.offset] == byte]
        if not cands:
            self.dead = True
            return
        self.cands, self.offset = cands, self.offset + 1
        text, nxt = node.texts[cands[0]]
        if len(cands) == 1 and self.offset == len(text):
            self.at, self.offset, self.cands = nxt, 0, None

    def _walk(self) -> tuple[bytes, _Node]:
        """The forced bytes from here, and the node where the model chooses next."""
        out, at, offset, cands = b"", self.at, self.offset, self.cands
        while True:
            node = self.nodes[at]
            if node.kind == "lit":
                out += node.text[offset:]
                at, offset = node.next, 0
                continue
            if node.kind != "choice":
                return out, node
            texts = [node.texts[c] for c in (cands if cands is not None else range(len(node.texts)))]
            if len(texts) > 1:
                rests = [t[offset:] for t, _ in texts]
                common = 0
                while all(len(r) > common and r[common] == rests[0][common] for r in rests):
                    common += 1
                return out + rests[0][:common], node
            out += texts[0][0][offset:]
            at, offset, cands = texts[0][1], 0, None

    def pending(self) -> bytes:
        """The bytes the grammar forces next (empty when the model has a choice or the tracker is off)."""
        if self.dead:
            return b""
        out, node = self._walk()
        if node.kind == "value" and self.state == "":
            if node.text:
                return out + node.text  # a string value's opening quote
            # the value's first token may merge with a trailing space (` "`, ` null`): leave it to the model
            return out.rstrip(b" ")
        return out

    def before_choice(self) -> bool:
        """True when the pending bytes run up to a fork or a choice (the model then picks a branch, e.g. ``,`` or
        ``]``, or the next key of a sparse row).

        A backend leaves the last token of such text to the model: the tokenizer merges punctuation runs
        (``},{"``, ``}],"``, `` "name``), and the model learned the merged tokens."""
        return not self.dead and self._walk()[1].kind in ("fork", "choice")

    def finished(self) -> bool:
        """True when the answer is complete (only end-of-sequence may follow)."""
        return not self.dead and self.nodes[self.at].kind == "end"


def tracker(constraint: Constraint) -> ForcedText | None:
    """A fresh :class:`ForcedText` for ``constraint``, or None when its schema is outside the handled subset."""
    graph = _Graph(*separators(constraint))
    end = graph.add("end")
    try:
        if constraint.kind == "schema":
            start = graph.value(constraint.json_schema, end)
        else:
            if constraint.max_rows == 0:
                return None
            fork = graph.add("fork")
            # one row at most (kv_single, a list item): the table is complete after it
            row = graph.value(constraint.json_schema, graph.lit(b"\n", end if constraint.max_rows == 1 else fork))
            if graph.nodes[row].kind != "lit":
                return None
            graph.nodes[fork].options = [row, graph.lit(b"\n", end)]
            start = fork
    except _Unsupported:
        return None
    return ForcedText(graph.nodes, start)
