"""One schema for a corpus: the per-document schemas of a sample merged into one (pure, deterministic).

The merge rule, in order:

1. **Names.** Every field name is normalised (:func:`text2table.core.naming.normalize_name`); a name a
   document lists twice counts once.
2. **Grouping.** Documents are read in order. A document's fields are matched one-to-one against the groups
   found so far with the soft name matching of the schema metric (:func:`match_names`: equal names first,
   then the Hungarian pairing on :func:`name_similarity`, a pair counting at ``threshold``, default 0.5), each
   field against its group's current name. A matched field joins its group; an unmatched one opens a group.
   So ``rating`` joins ``customer_rating``, and no document puts two of its fields into one group.
3. **Name of a group.** The name its documents use most often; a tie goes to the name seen first.
4. **Support.** A group's support is the share of sampled documents *with a schema* that have one of its
   fields. A group is kept when its support is at least ``min_support`` (default 0.2) and, when two or more
   documents have a schema, when at least two documents have it (one document's invention is no column).
5. **Order.** Kept fields are ordered by their mean relative position in the documents' schemas (0 for a
   document's first field, 1 for its last), ties by first appearance: an entity's name comes first.
6. **Type.** The most common type among the group's fields; a tie, or a mix, is ``string``.
7. **Structure.** The most common structure among the schemas; a tie is ``flat_single_row`` (rows per
   entity; a one-record document is one row of it).

No schema in the sample (every document failed) merges to None.

>>> from text2table.core.schema import Field, Schema
>>> a = Schema("kv_single", (Field("name"), Field("food"), Field("customer_rating")))
>>> b = Schema("kv_single", (Field("name"), Field("rating"), Field("area")))
>>> c = Schema("kv_single", (Field("name"), Field("food"), Field("price_range")))
>>> merged = merge_schemas([a, b, c], min_support=0.5)
>>> merged.schema.names, merged.support["customer_rating"], merged.aliases["customer_rating"]
(['name', 'food', 'customer_rating'], 0.6667, ['rating'])
>>> sorted(merged.dropped)
['area', 'price_range']
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from text2table.core.naming import dedupe_names, normalize_name
from text2table.core.schema import Field, Schema
from text2table.errors import ConfigError
from text2table.metrics.schema_match import DEFAULT_THRESHOLD, match_names

DEFAULT_MIN_SUPPORT = 0.2
ROWS_STRUCTURE = "flat_single_row"


@dataclass(frozen=True)
class MergeConfig:
    """How per-document schemas are merged (see the module docstring for the rule)."""

    min_support: float = DEFAULT_MIN_SUPPORT  # share of sampled documents with a schema that must have a field
    min_documents: int = 2  # ... and at least this many of them (when the sample has that many schemas)
    threshold: float = DEFAULT_THRESHOLD  # soft name similarity at which two names are one field

    def __post_init__(self) -> None:
        if not 0.0 <= self.min_support <= 1.0:
            raise ConfigError(f"min_support must be within [0, 1], got {self.min_support}")
        if self.min_documents < 1:
            raise ConfigError(f"min_documents must be >= 1, got {self.min_documents}")
        if not 0.0 < self.threshold <= 1.0:
            raise ConfigError(f"threshold must be within (0, 1], got {self.threshold}")


@dataclass
class _Group:
    first_seen: int
    names: Counter[str] = field(default_factory=Counter)
    types: Counter[str] = field(default_factory=Counter)
    positions: list[float] = field(default_factory=list)
    documents: int = 0
    order: dict[str, int] = field(default_factory=dict)  # name -> when first seen (ties of the name vote)

    @property
    def name(self) -> str:
        return max(self.names, key=lambda n: (self.names[n], -self.order[n]))

    def add(self, f: Field, position: float, seen: int) -> None:
        self.order.setdefault(f.name, seen)
        self.names[f.name] += 1
        self.types[f.type] += 1
        self.positions.append(position)
        self.documents += 1

    def type(self) -> str:
        common = self.types.most_common(2)
        if len(common) > 1 and common[0][1] == common[1][1]:
            return "string"
        return common[0][0]


@dataclass(frozen=True)
class MergedSchema:
    """The merged schema (None when no sampled document had one) and how it was reached."""

    schema: Schema | None
    documents: int  # sampled documents
    with_schema: int  # ... of which had a schema
    support: dict[str, float]  # kept field -> share of documents with a schema that have it
    aliases: dict[str, list[str]]  # kept field -> the other names documents gave it
    dropped: dict[str, float]  # group below the support rule -> its support
    config: MergeConfig

    def report(self) -> dict[str, Any]:
        """What ``schema induce`` writes next to the schema (``induced_from``), for a reviewer."""
        return {"documents": self.documents, "with_schema": self.with_schema, "support": self.support,
                "aliases": {k: v for k, v in self.aliases.items() if v}, "dropped": self.dropped,
                "rule": {"min_support": self.config.min_support, "min_documents": self.config.min_documents,
                         "threshold": self.config.threshold}}


def _unique_fields(schema: Schema) -> list[Field]:
    seen: set[str] = set()
    out = []
    for f in schema.fields:
        name = normalize_name(f.name)
        if name not in seen:
            seen.add(name)
            out.append(f if name == f.name else Field(name=name, type=f.type))
    return out


def _structure(schemas: list[Schema]) -> str:
    votes = Counter(s.structure for s in schemas).most_common(2)
    if len(votes) > 1 and votes[0][1] == votes[1][1]:
        return ROWS_STRUCTURE
    return votes[0][0]


def merge_schemas(schemas: Sequence[Schema | None], config: MergeConfig | None = None, **overrides: Any) \
        -> MergedSchema:
    """Merge the schemas of sampled documents (``None``: a document without one) by the module's rule."""
    config = config or MergeConfig(**overrides)
    present = [s for s in schemas if s is not None]
    groups: list[_Group] = []
    seen = 0
    for schema in present:
        fields = _unique_fields(schema)
        current = [g.name for g in groups]
        _, pairs, _ = match_names([f.name for f in fields], current, threshold=config.threshold)
        index = {name: k for k, name in enumerate(current)}
        for position, f in enumerate(fields):
            relative = position / (len(fields) - 1) if len(fields) > 1 else 0.0
            if f.name in pairs:
                group = groups[index[pairs[f.name]]]
            else:
                group = _Group(first_seen=len(groups))
                groups.append(group)
            group.add(f, relative, seen)
            seen += 1
    n = len(present)
    need = config.min_documents if n >= config.min_documents else 1
    kept = [g for g in groups if g.documents / n >= config.min_support and g.documents >= need] if n else []
    kept.sort(key=lambda g: (sum(g.positions) / len(g.positions), g.first_seen))
    dropped = {g.name: round(g.documents / n, 4) for g in groups if g not in kept}
    names = dedupe_names([g.name for g in kept])  # a group's vote can land on another group's name
    schema = Schema(_structure(present), tuple(Field(name=m, type=g.type()) for m, g in zip(names, kept))) \
        if kept else None
    return MergedSchema(schema=schema, documents=len(schemas), with_schema=n,
                        support={m: round(g.documents / n, 4) for m, g in zip(names, kept)},
                        aliases={m: sorted(set(g.names) - {m}) for m, g in zip(names, kept)},
                        dropped=dropped, config=config)
