"""How the pipeline runs: :class:`PipelineConfig`, one typed, validated record of every setting.

It lives apart from :mod:`text2table.pipeline.run` so that the run loop and the pi2 jobs both read it
without importing each other, and so that a prediction file's signature can record it as a plain dict
(:func:`config_dict`).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from text2table.checks.config import CheckConfig
from text2table.decoding.compact import PI1_FORMS
from text2table.decoding.prompts import PI2_FORMS
from text2table.errors import ConfigError

FALLBACKS = ("rules", "empty")
DEFAULT_ROW_CHUNK_CHARS = 500  # passages pi2 reads when neither the config nor the adapter's card names a size


@dataclass(frozen=True)
class PipelineConfig:
    """How the pipeline runs; validated at construction."""

    max_new_tokens_schema: int = 256  # pi1 budget (one schema object)
    # pi2 budget per call; a longer table continues in a further call, which reads the prompt and the rows so far
    # again and redoes the row the budget cut (1024: six rows of a 19-column schema; docs/measurements.md)
    max_new_tokens_table: int = 1024
    max_rows: int = 200  # hard cap on rows per document
    max_continuations: int = 8  # extra pi2 calls per chunk after a "length" stop
    constrained: bool = True  # schema-constrained decoding for both stages
    chunk_chars: int = 6000  # documents longer than this are split (0: never)
    overlap_chars: int = 400  # overlap between consecutive chunks
    # a table with a row per entity (flat): pi2 reads prose in passages of at most this many characters, cut at
    # sentence ends, one call each (lines are read whole), and rows naming one entity are merged (row_merge.py);
    # 0: pi2 reads pi1's chunks; None: the size pi2's adapter's card names for the table's hint, else for all
    # tables (row_passages_by_hint, row_passages), else DEFAULT_ROW_CHUNK_CHARS (:func:`row_chunk_chars`).
    # Rotowire-class summaries: docs/rotowire.md
    row_chunk_chars: int | None = None
    temperature: float = 0.0
    seed: int | None = 0
    max_string_length: int | None = 200  # cap on a string value under constraints (stops run-away values)
    schema_fallback: str = "rules"  # when pi1 output is invalid: "rules" (baseline schema) or "empty"
    verify: bool = True  # run the check chain on the rows (checks/chain.py); False: rows as the model wrote them
    checks: CheckConfig = CheckConfig()  # which checks of the chain run, and the default language
    parse_tables: bool = True  # a grid table in the document is parsed, not generated (explicit_tables.py)
    item_lists: bool = True  # a list's items are read one per pi2 call, one row each (item_lists.py)
    # pi1 (constrained): logit shift of closing the field list; < 0 lists more fields (verify drops the unfounded)
    field_list_end_bias: float = -1.0
    # pi1 (constrained): every type "string", every required false, as in pi1's SFT target (the grammar forces them)
    pin_field_defaults: bool = True
    # pi1's answer form: "full", "compact" (decoding/compact.py), or "auto": the form the backend's adapter was
    # trained on (its text2table.json card, adapters/card.py; "full" without one)
    pi1_form: str = "auto"
    # pi2's answer form: "full" (every key), "sparse" (only keys with a value; core/table.py), or "auto": the form
    # pi2's adapter was trained on (its card; "full" without one)
    pi2_form: str = "auto"

    def __post_init__(self) -> None:
        for name in ("max_new_tokens_schema", "max_new_tokens_table", "max_rows"):
            if not isinstance(getattr(self, name), int) or getattr(self, name) < 1:
                raise ConfigError(f"PipelineConfig.{name} must be a positive integer, got {getattr(self, name)!r}")
        for name in ("max_continuations", "chunk_chars", "overlap_chars", "row_chunk_chars"):
            if name == "row_chunk_chars" and self.row_chunk_chars is None:
                continue
            if not isinstance(getattr(self, name), int) or getattr(self, name) < 0:
                raise ConfigError(f"PipelineConfig.{name} must be an integer >= 0, got {getattr(self, name)!r}")
        if self.chunk_chars and self.overlap_chars * 2 >= self.chunk_chars:
            raise ConfigError(f"overlap_chars={self.overlap_chars} must be below half of chunk_chars="
                              f"{self.chunk_chars}")
        if not 0.0 <= self.temperature <= 5.0:
            raise ConfigError(f"temperature must be within [0, 5], got {self.temperature}")
        if self.max_string_length is not None and self.max_string_length < 1:
            raise ConfigError(f"max_string_length must be positive or None, got {self.max_string_length}")
        if not -10.0 <= self.field_list_end_bias <= 10.0:
            raise ConfigError(f"field_list_end_bias must be within [-10, 10], got {self.field_list_end_bias}")
        if self.pi1_form not in ("auto", *PI1_FORMS):
            raise ConfigError(f"pi1_form {self.pi1_form!r} is not one of {('auto', *PI1_FORMS)}")
        if self.pi2_form not in ("auto", *PI2_FORMS):
            raise ConfigError(f"pi2_form {self.pi2_form!r} is not one of {('auto', *PI2_FORMS)}")
        if self.schema_fallback not in FALLBACKS:
            raise ConfigError(f"schema_fallback {self.schema_fallback!r} is not one of {FALLBACKS}")
        if not isinstance(self.checks, CheckConfig):
            raise ConfigError(f"PipelineConfig.checks must be a CheckConfig, got {type(self.checks).__name__}")


def row_chunk_chars(config: PipelineConfig, backend: Any, hint: Any = None) -> int:
    """The passage size pi2 reads prose in for a table of ``metadata.table_hint`` ``hint``: the configured one;
    with None the size pi2's adapter was trained on (:func:`trained_row_chunk_chars`), else
    :data:`DEFAULT_ROW_CHUNK_CHARS`."""
    if config.row_chunk_chars is not None:
        return config.row_chunk_chars
    trained = trained_row_chunk_chars(backend, hint)
    return DEFAULT_ROW_CHUNK_CHARS if trained is None else trained


def trained_row_chunk_chars(backend: Any, hint: Any = None) -> int | None:
    """The passage size pi2's adapter's card says it was trained to read a table of ``metadata.table_hint``
    ``hint`` in: ``backend.row_passages_by_hint[hint]``, else ``backend.row_passages`` (0: whole chunks); None
    where the card names neither (the shipped default adapters)."""
    by_hint = getattr(backend, "row_passages_by_hint", None)
    if isinstance(by_hint, dict) and isinstance(hint, str) and isinstance(by_hint.get(hint), int):
        return by_hint[hint]
    trained = getattr(backend, "row_passages", None)
    return trained if isinstance(trained, int) and trained >= 0 else None


def pi1_form(config: PipelineConfig, backend: Any) -> str:
    """The pi1 answer form to constrain: the configured one, or with ``"auto"`` the backend's (the form its
    adapter was trained on; ``"full"`` for a backend that does not say)."""
    if config.pi1_form != "auto":
        return config.pi1_form
    return str(getattr(backend, "pi1_form", "full"))


def pi2_form(config: PipelineConfig, backend: Any) -> str:
    """The pi2 answer form to prompt, constrain and parse: the configured one, or with ``"auto"`` the pi2
    backend's (the form its adapter was trained on; ``"full"`` for a backend that does not say)."""
    if config.pi2_form != "auto":
        return config.pi2_form
    return str(getattr(backend, "pi2_form", "full"))


def config_dict(config: PipelineConfig) -> dict[str, Any]:
    """The settings as a JSON-ready dict (for signatures and reports)."""
    return asdict(config)
