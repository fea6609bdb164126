"""Word forms that state the same fact: British/American spelling, plurals, a compound written in two words.

Support (:class:`text2table.text.document_index.DocumentIndex`) is verbatim first. These forms are its second chance, so
that a value the document states in another spelling is not called invented: ``city centre`` in a review
that says "city center", ``riverside`` for "river side", ``yes`` for a ``family_friendly`` column in a
text about "families". Each rule rewrites both the value and the document the same way, so it can only
make two spellings meet, never change which words a text contains. The rules are deliberately few:

- ``-tre``/``-bre``/``-gre`` (a consonant before ``re``) -> ``-ter`` (centre, theatre, metre, fibre);
- ``-our`` -> ``-or`` in words of six letters or more (colour, favour, neighbour; not four, hour, flour);
- ``-ise``, ``-ised``, ``-ises``, ``-ising``, ``-isation`` -> ``-iz...`` in words of seven letters or more
  (organise, recognised; not rise, wise, noise);
- ``-ies`` -> ``-y`` and a final ``s`` dropped (not ``-ss``, ``-us``, ``-is``) for plurals of four letters
  or more (families, ratings; not bus, this, glass). Only a yes/no column's words are matched in the
  plural: a value's plural is another value (``Vault`` is not grounded by "The Vaults");
- two adjacent words written as one (``river side`` -> ``riverside``), for values of six letters or more.

:func:`derived_forms` is the one rule that reads a language (its lexicon's ``derivations``): the adverb that
states a one-word adjective (``moderate`` by "moderately priced").
"""

from __future__ import annotations

import re

_RE_END = re.compile(r"(?<=[^aeiouy])re$")
_OUR_END = re.compile(r"our$")
_ISE_END = re.compile(r"is(e|ed|es|ing|ation|ations)$")


def spelling_key(word: str) -> str:
    """One spelling for British and American forms of a lower-case word.

    >>> [spelling_key(w) for w in ("centre", "center", "colour", "organised", "four", "here", "rise")]
    ['center', 'center', 'color', 'organized', 'four', 'here', 'rise']
    """
    if len(word) < 5 or not word.isalpha():
        return word
    if _RE_END.search(word):
        return word[:-2] + "er"
    if len(word) >= 6 and _OUR_END.search(word):
        return word[:-3] + "or"
    if len(word) >= 7:
        return _ISE_END.sub(r"iz\1", word)
    return word


def singular(word: str) -> str:
    """A lower-case English plural reduced to its singular, roughly; other words unchanged.

    >>> [singular(w) for w in ("families", "ratings", "kids", "glass", "bus", "this", "is")]
    ['family', 'rating', 'kid', 'glass', 'bus', 'this', 'is']
    """
    if len(word) < 4 or not word.isalpha():
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def word_key(word: str) -> str:
    """The key under which two forms of a word meet: singular, then one spelling."""
    return spelling_key(singular(word))


def compounds(tokens: list[str]) -> frozenset[str]:
    """Each pair of adjacent letter tokens written as one word (``river side`` -> ``riverside``).

    >>> sorted(compounds(["by", "the", "river", "side"]))
    ['bythe', 'riverside', 'theriver']
    """
    return frozenset(a + b for a, b in zip(tokens, tokens[1:]) if a.isalpha() and b.isalpha())


def derived_forms(word: str, derivations: tuple[tuple[str, str], ...], false: frozenset[str]) -> frozenset[str]:
    """The forms a lower-case word of four letters or more takes under a language's (ending, replacement) rules,
    less the forms in ``false`` (adverbs that mean something else, such as "hardly"); nothing for other words.

    >>> en = (("", "ly"), ("y", "ily"), ("le", "ly"))
    >>> sorted(derived_forms("moderate", en, frozenset())), sorted(derived_forms("simple", en, frozenset()))
    (['moderately'], ['simplely', 'simply'])
    >>> derived_forms("hard", en, frozenset({"hardly"})), derived_forms("red", en, frozenset())
    (frozenset(), frozenset())
    """
    if len(word) < 4 or not word.isalpha():
        return frozenset()
    forms = {word[:len(word) - len(end)] + new for end, new in derivations if word.endswith(end)}
    return frozenset(forms - false)


def field_words(field_name: str) -> frozenset[str]:
    """The word keys of a column name's words of three letters or more (``family_friendly`` ->
    ``{"family", "friendly"}``): what grounds, and signs, a yes/no cell of that column."""
    return frozenset(word_key(w) for w in field_name.casefold().split("_") if len(w) > 2)
