"""Word lists per language, chosen by a document's ``metadata.language``: what language-dependent checks read.

A :class:`Lexicon` holds the few closed word classes the checks need: function words (a cell that is one of
them states no fact), articles (ignored when two cells are compared), negators and the words that cancel one
("not only"), and the words that end a clause. :func:`lexicon_for` gives the lexicon of a language code
(``"en"``, ``"en-GB"``, ``"fr"``, ``"de"``, ``"es"``; case and region aside) or None for a language without one,
in which case only the language-neutral checks run.
"""

from __future__ import annotations

from text2table.text.lexicons import de, en, es, fr
from text2table.text.lexicons.base import Lexicon

__all__ = ["LANGUAGES", "Lexicon", "lexicon_for"]


_BY_CODE: dict[str, Lexicon] = {m.LEXICON.language: m.LEXICON for m in (en, fr, de, es)}
LANGUAGES = tuple(_BY_CODE)


def lexicon_for(language: str | None) -> Lexicon | None:
    """The lexicon of a language code, or None (unknown or empty code).

    >>> lexicon_for("en-GB").language, lexicon_for("FR").language, lexicon_for("ja"), lexicon_for(None)
    ('en', 'fr', None, None)
    """
    if not language or not isinstance(language, str):
        return None
    return _BY_CODE.get(language.strip().casefold().replace("_", "-").split("-")[0])
