"""Deterministic, grouped splits of gold records (so one underlying record never sits on both sides).

A record's group is ``metadata[group_key]`` when present (e.g. the E2E converter stores a hash of the
meaning representation there), else its id. Each group goes to a part by a hash of ``seed`` and the group,
so the assignment is the same on every machine and does not depend on file order.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from text2table.errors import ConfigError
from text2table.core.records import GoldRecord


@dataclass(frozen=True)
class SplitSpec:
    """Part names and fractions (must sum to 1), the metadata key holding the group, and a seed."""

    parts: tuple[tuple[str, float], ...]
    group_key: str = "group"
    seed: str = "text2table"

    def __post_init__(self) -> None:
        if not self.parts:
            raise ConfigError("a split needs at least one part, e.g. 'train=0.8,heldout=0.2'")
        names = [n for n, _ in self.parts]
        if len(set(names)) != len(names):
            raise ConfigError(f"split part names must be unique, got {names}")
        if any(f <= 0 for _, f in self.parts) or abs(sum(f for _, f in self.parts) - 1.0) > 1e-6:
            raise ConfigError(f"split fractions must be positive and sum to 1, got {dict(self.parts)}")

    @classmethod
    def parse(cls, text: str, *, group_key: str = "group", seed: str = "text2table") -> "SplitSpec":
        """Parse ``"train=0.8,heldout=0.2"``."""
        parts = []
        for item in text.split(","):
            name, sep, value = item.partition("=")
            try:
                parts.append((name.strip(), float(value)))
            except ValueError:
                raise ConfigError(f"bad split part {item!r}; expected NAME=FRACTION, e.g. heldout=0.2") from None
            if not sep or not name.strip():
                raise ConfigError(f"bad split part {item!r}; expected NAME=FRACTION, e.g. heldout=0.2")
        return cls(tuple(parts), group_key=group_key, seed=seed)


def group_of(record: GoldRecord, group_key: str) -> str:
    value = record.metadata.get(group_key)
    return str(value) if value not in (None, "") else record.id


def part_of(group: str, spec: SplitSpec) -> str:
    """The part a group falls in: a uniform number from sha256(seed, group) against cumulative fractions."""
    digest = hashlib.sha256(f"{spec.seed}\x00{group}".encode()).digest()
    u = int.from_bytes(digest[:8], "big") / 2**64
    total = 0.0
    for name, fraction in spec.parts:
        total += fraction
        if u < total:
            return name
    return spec.parts[-1][0]


def split_records(records: Iterable[GoldRecord], spec: SplitSpec) -> Iterator[tuple[str, GoldRecord]]:
    """Yield ``(part, record)`` pairs, streaming."""
    for record in records:
        yield part_of(group_of(record, spec.group_key), spec), record
