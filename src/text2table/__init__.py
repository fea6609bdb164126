"""text2table: documents -> schema (pi1) -> table rows as NDJSON (pi2), with SFT and RL training."""

__version__ = "0.1.0"

from text2table.api import Extraction, Extractions, Pipeline, extract, induce_schema  # noqa: E402

__all__ = ["Extraction", "Extractions", "Pipeline", "__version__", "extract", "induce_schema"]
