"""text2table: documents -> schema (pi1) -> table rows as NDJSON (pi2), with SFT and RL training."""

__version__ = "0.1.0"
