"""What an adapter was trained to answer: ``text2table.json`` beside its weights.

An adapter trained by ``train sft`` carries ``text2table.json`` in its folder, e.g.
``{"pi1_form": "compact"}``: the pi1 answer form of its SFT targets (``prepare --pi1-form``), and
``"pi2_form": "sparse"``: pi2's answer form (``prepare --pi2-form``: rows without their ``null`` cells), and
``"row_passages": 250``: the passage size (characters) in which ``extract`` reads prose for pi2 with this adapter,
and ``"row_passages_by_hint": {"team": 0}``: another size for the tables of one ``metadata.table_hint`` (0: pi2
reads them whole, e.g. a two-row team table whose facts are spread over a report), and ``"cache_type_k": "q8_0"``:
the KV-cache key type the ``llamacpp`` backend serves the adapter with (measured with it; ``-O cache_type_k``
overrides it; other backends ignore it), and ``"workers": 2``: the llama.cpp contexts that backend decodes a call's
prompts in (measured with it on the reports the adapter is for; ``-O workers`` overrides it).
``train sft`` writes the sizes its pi2 examples were cut at (``prepare --row-passages``, ``--row-passages-hint``);
a card may name another size chosen on a dev split (the shipped box-score adapter: trained on 500, read at 250;
its MODEL_CARD.md).
A backend that loads the adapter reads the card so that the pipeline constrains pi1 to the form the adapter
writes and cuts prose for pi2 into the adapter's passages. For a
GGUF adapter file the card is the ``text2table.json`` in the file's folder. No card (an adapter trained
elsewhere, or before the card existed): the full form.

This module sits in the lowest layer, so it reads and writes plain JSON with the standard library only.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

CARD_NAME = "text2table.json"
DEFAULT_PI1_FORM = "full"
DEFAULT_PI2_FORM = "full"


def card_path(adapter: str | Path) -> Path:
    """The card of a PEFT folder (inside it) or of an adapter file (beside it)."""
    path = Path(adapter)
    return path / CARD_NAME if path.is_dir() else path.parent / CARD_NAME


def read_card(adapter: str | Path | None) -> dict[str, Any]:
    """The card's contents, ``{}`` when the adapter has none. A card that is not a JSON object raises
    ``ValueError`` naming the file."""
    if adapter is None:
        return {}
    path = card_path(adapter)
    if not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"{path}: not a readable JSON object ({exc}); fix or delete the file "
                         f"(without it the adapter is read as answering pi1 in the full form)") from exc
    if not isinstance(data, dict):
        raise ValueError(f"{path}: expected a JSON object such as {{\"pi1_form\": \"compact\"}}")
    return data


def pi1_form_of(adapter: str | Path | None) -> str:
    """The pi1 answer form the adapter was trained on (``"full"`` without a card)."""
    return str(read_card(adapter).get("pi1_form", DEFAULT_PI1_FORM))


def pi2_form_of(adapter: str | Path | None) -> str:
    """The pi2 answer form the adapter was trained on (``"full"`` without a card or the key)."""
    return str(read_card(adapter).get("pi2_form", DEFAULT_PI2_FORM))


def row_passages_of(adapter: str | Path | None) -> Any:
    """The passage size (characters) in which prose is read for pi2 with this adapter, as the card writes it;
    None without a card or the key (pi2 reads whole chunks, or the pipeline's default)."""
    return read_card(adapter).get("row_passages")


def row_passages_by_hint_of(adapter: str | Path | None) -> Any:
    """The card's passage sizes per ``metadata.table_hint`` as it writes them; None without a card or the key."""
    return read_card(adapter).get("row_passages_by_hint")


def cache_type_k_of(adapter: str | Path | None) -> Any:
    """The llama.cpp KV-cache key type the card names (``"q8_0"``) as it writes it; None without a card or key."""
    return read_card(adapter).get("cache_type_k")


def workers_of(adapter: str | Path | None) -> Any:
    """The llama.cpp contexts the card names for decoding (``2``) as it writes it; None without a card or key."""
    return read_card(adapter).get("workers")


def started_from(adapter: str | Path) -> str:
    """What a continued adapter's card names as its start: the start's recipe, else the start's path."""
    return str(read_card(adapter).get("recipe", str(adapter)))


def write_card(folder: str | Path, card: dict[str, Any]) -> Path:
    """Write ``folder/text2table.json`` atomically (the folder made if need be); returns its path."""
    path = Path(folder) / CARD_NAME
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{CARD_NAME}.tmp")
    tmp.write_text(json.dumps(card, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    os.replace(tmp, path)
    return path


def copy_card(source: str | Path, folder: str | Path) -> Path | None:
    """Copy ``source``'s card (if it has one) into ``folder``; returns the written path or None."""
    card = read_card(source)
    return write_card(folder, card) if card else None
