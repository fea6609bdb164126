"""Which checks run after extraction, and how: :class:`CheckConfig`, held by ``PipelineConfig.checks``.

``PipelineConfig.verify`` switches the whole chain on or off; this record switches single checks and says
which language a document without ``metadata.language`` is read in. The chain and its order are in
:mod:`text2table.checks.chain`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from text2table.errors import ConfigError

_LANGUAGE = re.compile(r"^[a-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})*$")


@dataclass(frozen=True)
class CheckConfig:
    """Switches of the check chain; every check but ``drop_invented_columns`` is on by default. Validated at
    construction. ``bench/ablate_checks.py`` measures what each is worth (docs/measurements.md)."""

    support: bool = True  # null a cell the text (its row's source) does not mention; record each cell's span
    function_words: bool = True  # null a cell that is one function word of the document's language
    polarity: bool = True  # turn a yes/no cell the text contradicts ("not family friendly" read as yes)
    repeats: bool = True  # two cells of a row with one value need two mentions of it
    family_names: bool = True  # a header written as a family name alone takes the one full name the text writes
    # an induced schema loses a column whose every value was nulled; off by default: it moved no cell and cost
    # WikiTableText 7.8 schema F1 points with the compact adapter (docs/measurements.md)
    drop_invented_columns: bool = False
    # the language of a document whose metadata names none: "en", as records.default_metadata assumes;
    # "" reads such documents with the language-neutral checks only
    default_language: str = "en"

    def __post_init__(self) -> None:
        for name in ("support", "function_words", "polarity", "repeats", "family_names", "drop_invented_columns"):
            if not isinstance(getattr(self, name), bool):
                raise ConfigError(f"CheckConfig.{name} must be true or false, got {getattr(self, name)!r}")
        if not isinstance(self.default_language, str) or (
                self.default_language and not _LANGUAGE.match(self.default_language)):
            raise ConfigError(f"CheckConfig.default_language must be a language code such as 'en' or '' (none), "
                              f"got {self.default_language!r}")
