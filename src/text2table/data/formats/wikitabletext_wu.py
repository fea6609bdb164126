"""The WikiTableText preprocessing of the Text-to-Table paper (Wu et al., 2022), rule for rule (pure functions).

Their script (``data_preprocessing/preprocess_wikitabletext.py`` in shirley-wu/text_to_table) turns one
released line into a key/value table:

* the first two keys, ``subj_title`` and ``subj_subtitle``, become ``title`` and ``subtitle``;
* the other pairs become a mapping (a repeated key keeps its first position and its last value);
* a value is *empty* when, spaces removed, it is ``n/a`` or it has no ASCII letter or digit: dropped;
* a value is *unsupported* when one of its content tokens is not a substring of the (tokenised,
  case-sensitive) sentence: dropped. Content tokens are the space-separated tokens made only of ASCII
  letters, digits and dots, except single letters and NLTK's English stop words; a value without any is
  checked on all its tokens;
* the table is ``[title] + [subtitle] + the rest``: ``subtitle`` always, ``title`` only when supported;
* keys, values and the sentence are detokenised: the quote and bracket escapes (`````, ``''``, ``-lrb-``,
  ``-rrb-``) restored, then the Moses detokenizer (``sacremoses``, English).
"""

from __future__ import annotations

import string
from functools import lru_cache

from text2table.text.stopwords_en import NLTK_ENGLISH_STOPWORDS

_ALNUM = frozenset(string.ascii_letters + string.digits)
_TOKEN_CHARS = _ALNUM | {"."}
_LETTERS = frozenset(string.ascii_letters)
_ESCAPES = (("``", '"'), ("''", '"'), ("-lrb-", "("), ("-LRB-", "("), ("-rrb-", ")"), ("-RRB-", ")"))


def is_empty(value: str) -> bool:
    """``n/a`` (spaces ignored) or no ASCII letter or digit.

    >>> is_empty(" n / a"), is_empty("--"), is_empty("—"), is_empty("1996")
    (True, True, True, False)
    """
    return value.strip().replace(" ", "") == "n/a" or not any(c in _ALNUM for c in value)


def is_content_token(token: str) -> bool:
    """Letters, digits and dots only; not a single letter; not a stop word (case-sensitive).

    >>> [t for t in "the jdk 1.0 of a . ( bank )".split() if is_content_token(t)]
    ['jdk', '1.0', '.', 'bank']
    """
    if not token or not all(c in _TOKEN_CHARS for c in token):
        return False
    if len(token) == 1 and token in _LETTERS:
        return False
    return token not in NLTK_ENGLISH_STOPWORDS


def is_unsupported(value: str, sentence: str) -> bool:
    """A content token of ``value`` (or any token, when it has none) is not a substring of ``sentence``.

    >>> is_unsupported("central bank of russia", "the central bank of russia ."), is_unsupported("jdk 1.0", "jdk 1.1")
    (False, True)
    """
    tokens = [t for t in value.split() if is_content_token(t)] or value.split()
    return any(t not in sentence for t in tokens)


@lru_cache(maxsize=1)
def _moses():  # noqa: ANN202 - sacremoses has no type stubs
    from sacremoses import MosesDetokenizer

    return MosesDetokenizer(lang="en")


def detokenize(text: str) -> str:
    """The paper's detokenisation: escapes restored, then Moses (English) on the space-separated tokens.

    >>> detokenize("nicholas rowe -lrb- actor -rrb- , `` hi '' .")
    'nicholas rowe (actor), "hi".'
    """
    for escaped, plain in _ESCAPES:
        text = text.replace(escaped, plain)
    return _moses().detokenize(text.split(" "))


def paper_table(keys: list[str], values: list[str], sentence: str) -> tuple[list[tuple[str, str]], dict[str, int]]:
    """The paper's ``[(key, value), ...]`` for one line (tokenised, ``_$$_`` already spaces) and drop counts.

    ``keys[0]``/``keys[1]`` must be ``subj_title``/``subj_subtitle`` (else ``ValueError``). Counts: ``cells``
    (pairs in the line), ``empty``, ``unsupported``, ``title_dropped``, ``repeated_keys`` (pairs merged).
    """
    if len(keys) < 2 or keys[0].strip() != "subj_title" or keys[1].strip() != "subj_subtitle":
        raise ValueError(f"the first two keys are {keys[:2]!r}; expected 'subj_title' and 'subj_subtitle'")
    counts = {"cells": len(keys), "empty": 0, "unsupported": 0, "title_dropped": 0, "repeated_keys": 0}
    rest: dict[str, str] = {}
    for key, value in zip(keys[2:], values[2:]):
        counts["repeated_keys"] += key in rest
        rest[key] = value
    kept: list[tuple[str, str]] = []
    for key, value in rest.items():
        if is_empty(value):
            counts["empty"] += 1
        elif is_unsupported(value, sentence):
            counts["unsupported"] += 1
        else:
            kept.append((key, value))
    table = [("subtitle", values[1])] + kept
    if is_unsupported(values[0], sentence):
        counts["title_dropped"] = 1
    else:
        table.insert(0, ("title", values[0]))
    return [(detokenize(k), detokenize(v)) for k, v in table], counts
