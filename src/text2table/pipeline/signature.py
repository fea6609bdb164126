"""The signature of an ``extract`` run (:mod:`text2table.core.signature`), built from the pipeline's config and
the backend it was given, and written next to the prediction file before the first line.

A resumed run must be the same run: when ``PRED`` already holds lines and its sidecar records other settings,
:func:`sign_output` refuses (the file would mix two systems' answers) and names the settings that differ.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from text2table.backends.base import Backend
from text2table.core.schema import Schema
from text2table.core.signature import (differences, make_signature, package_version, read_signature, sidecar_path,
                                       write_signature)
from text2table.errors import ConfigError
from text2table.pipeline.config import PipelineConfig, config_dict


def prediction_signature(config: PipelineConfig, backend: Backend,
                         schema: Schema | Mapping[str, Schema] | None = None) -> dict[str, Any]:
    """Pipeline settings, check settings (``config.checks`` when the config has them, else ``verify``), the
    backend's ``describe()``, the given schema (or schemas per ``table_hint``) and the package version."""
    pipeline = config_dict(config)
    if pipeline.get("pi2_form") == "auto":  # named only when set, so that runs signed before it existed resume
        pipeline.pop("pi2_form")  # (the form an adapter's card gives is in the backend's describe())
    checks = pipeline.pop("checks", None)
    if checks is None and "verify" in pipeline:
        checks = {"verify": pipeline.pop("verify")}
    return make_signature(pipeline=pipeline, checks=checks, backend=backend.describe(),
                          schema=_schema_dict(schema), version=package_version())


def _schema_dict(schema: Schema | Mapping[str, Schema] | None) -> dict[str, Any] | None:
    if schema is None or isinstance(schema, Schema):
        return schema.to_dict() if schema is not None else None
    return {"by_table_hint": {hint: schema[hint].to_dict() for hint in sorted(schema)}}


def sign_output(out: str | Path, signature: dict[str, Any], *, lines_before: int) -> Path:
    """Write ``OUT.meta.json``; ``lines_before``: prediction lines ``OUT`` already holds (a resumed run)."""
    old = read_signature(out) if lines_before else None
    if old is not None and old.get("hash") != signature["hash"]:
        changed = ", ".join(differences(old, signature)) or "settings"
        raise ConfigError(f"{out} already holds {lines_before} predictions made with other settings ({changed}); "
                          f"write to a new --out, or delete {out} and {sidecar_path(out)} to start again")
    if lines_before and old is None:
        signature = {**signature, "unsigned_lines": lines_before}  # written before signatures existed
    elif old is not None and "unsigned_lines" in old:
        signature = {**signature, "unsigned_lines": old["unsigned_lines"]}
    return write_signature(out, signature)
