"""Which E2E slots does a reference text support? A documented, deterministic heuristic (pure functions).

Wu et al. (2022) built their E2E text-to-table data by dropping the MR slots that the reference does not
mention. We do the same with our own rule, slot by slot, on a normalised text (lower-case, accents and
apostrophes removed, hyphens as spaces). A slot is **kept** when:

* ``name`` / ``near``: the value appears (a leading "The" optional, as a word prefix so that "Cotto's" and
  "The Eagles" count), all but one word of a name of three or more words appears ("Crown Plaza Hotel" for
  "Crowne Plaza Hotel"), or the delexicalised placeholder ``XXX`` (name) / ``YYY`` (near) appears in the
  original text.
* any other slot: its value appears as a whole phrase, or one of the value's known paraphrases does
  (``familyFriendly``: "family", "child", "kid", "adult" ...; ``eatType``: "coffee shop", "cafe", "pub",
  "bar", "restaurant" ...; ``area``: "riverside", "river", "city centre/center", "downtown" ...;
  ``priceRange``: "£20-25", "20 to 25", "less than £20", "cheap", "expensive", "more than £30" ...;
  ``customer rating``: "5 out of 5", "5 stars", "five star", "rated 5" ...; ``food``: the cuisine).
  The bare words that are also everyday adjectives (``high``, ``low``, ``average``, ``mid``, ``top``, the
  digits of "N out of 5" ...), values included, count only within :data:`WINDOW` words of a cue word of the slot
  (rating: "rating", "rated", "review", "star", "customer", and "shop", "place" as in "an average coffee shop";
  price: "price", "cost", "£", "pound", "charge" ...).

Before a non-name slot is matched, the ``name`` and ``near`` values are blanked out of the text, so "Raja
Indian Cuisine" (near) does not support ``food[Indian]`` and "Café Sicilia" does not support a coffee shop.
Differences from Wu et al.'s script: they drop ``eatType`` always and keep ``near`` whenever "near" or
"close" appears; we keep both when their value (or paraphrase) is in the text.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

WINDOW = 5
#: values that are everyday adjectives: they count only near a cue word of their slot, never alone.
_AMBIGUOUS = frozenset({"high", "low", "average"})
_DIGIT_WORDS = {"1": "one", "2": "two", "3": "three", "4": "four", "5": "five"}
_RATING_CUES = ("rating", "rated", "rate", "review", "star", "customer", "score", "rank",
                # "an average coffee shop", "a bad place": E2E references rate the venue itself
                "shop", "place", "venue", "establishment")
_PRICE_CUES = ("pric", "cost", "expens", "£", "pound", "spend", "budget", "afford", "value", "charg")
_FAMILY = [r"famil(y|ies)", r"child", r"kid", r"adult", r"grown ?up", r"toddler", r"infant", r"youngster", r"all ages"]

#: value (normalised) -> phrase regexes that count as support, per slot (normalised slot name).
_PHRASES: dict[str, dict[str, list[str]]] = {
    "familyfriendly": {"yes": _FAMILY, "no": _FAMILY},
    "eattype": {
        "coffee shop": [r"coffee ?shops?", r"coffee ?house", r"cafes?\b", r"coffee"],
        "pub": [r"pubs?\b", r"bars?\b", r"tavern", r"ale ?house", r"public house", r"inn\b"],
        "restaurant": [r"restaurants?\b", r"eatery", r"diner\b", r"bistro", r"dining"],
    },
    "area": {
        "riverside": [r"river", r"waterfront", r"water front", r"by the water"],
        "city centre": [r"city", r"cent(re|er|ral)", r"downtown", r"town"],
    },
    "food": {
        "english": [r"english", r"british"], "fast food": [r"fast ?food", r"fast\b"],
        "japanese": [r"japanese", r"sushi"], "indian": [r"indian", r"curr(y|ies)"],
        "italian": [r"italian", r"pasta", r"pizza"], "chinese": [r"chinese"], "french": [r"french"],
    },
    "pricerange": {
        "cheap": [r"cheap", r"inexpensive", r"low ?cost", r"low ?price", r"budget", r"bargain", r"affordabl"],
        "less than £20": [r"(less than|under|below|lower than|cheaper than|up to|no more than) (£? ?20|twenty)\b",
                          r"£ ?20 or (less|under)", r"(less than|under|below) (20|twenty) pounds", r"cheap",
                          r"inexpensive", r"low ?cost", r"low ?price", r"budget", r"affordabl"],
        "£20 25": [r"£ ?20 ?(to|and|or)? ?£? ?25\b", r"\b20 (to|and) 25\b", r"twenty (to )?twenty ?five",
                   r"moderate", r"mid ?(range|price)", r"reasonabl", r"affordabl", r"average price"],
        "moderate": [r"moderate", r"mid ?(range|price)", r"reasonabl", r"affordabl", r"average price",
                     r"fair(ly)? price"],
        "more than £30": [r"(more than|over|above|greater than|higher than|in excess of|upwards of|at least"
                          r"|start(s|ing)? at|from) (£? ?30|thirty)\b", r"£ ?30 ?(or more|plus|\+)", r"\b30 pounds",
                          r"thirty pounds", r"expensive", r"pricey", r"costly", r"high end", r"upscale",
                          r"premium", r"high ?pric", r"above average"],
        "high": [r"expensive", r"pricey", r"costly", r"high(er)? end", r"upscale", r"premium", r"high ?pric",
                 r"above average"],
    },
    "customerrating": {
        "low": [r"(poorly|badly|low|lowly) rated", r"low rat", r"(1|one) ?stars?"],
        "average": [r"(averagely|average) rated", r"average rat", r"(3|three) ?stars?"],
        "high": [r"(highly|well|top) rated", r"high rat", r"(5|five) ?stars?"],
    },
}

#: value -> words that count only near a cue of the slot, per slot.
_CUED: dict[str, dict[str, list[str]]] = {
    "pricerange": {"cheap": ["low", "cheap"], "less than £20": ["low", "cheap"],
                   "£20 25": ["average", "moderate", "medium", "mid"], "moderate": ["average", "moderate",
                                                                         "medium", "mid"],
                   "more than £30": ["high"], "high": ["high"]},
    "customerrating": {"low": ["low", "poor", "bad"], "average": ["average", "mediocre", "middling", "ok",
                                                                   "okay", "decent", "medium"],
                        "high": ["high", "top", "excellent", "great", "best", "good"]},
}


def normalize(text: str) -> str:
    """Lower-case, strip accents and apostrophes, hyphens/dashes/slashes as spaces, single spaces.

    >>> normalize("Café Brazil's kid-friendly £20–25")
    'cafe brazils kid friendly £20 25'
    """
    text = unicodedata.normalize("NFKD", text.lower())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = re.sub(r"['’‘`]", "", text)
    text = re.sub(r"[-–—/_]", " ", text).replace("£", " £")
    return re.sub(r"\s+", " ", text).strip()


def _slot_key(slot: str) -> str:
    return normalize(slot).replace(" ", "")


@lru_cache(maxsize=512)
def _phrase_regex(phrases: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile(r"(?<![a-z0-9])(?:" + "|".join(phrases) + ")")


def _literal(value: str) -> str:
    return re.escape(normalize(value)) + r"(?![a-z0-9])"


def _cued(words: list[str], cues: tuple[str, ...], tokens: list[str]) -> bool:
    hits = [i for i, t in enumerate(tokens) if any(t == w or (w.isalpha() and t.startswith(w)) for w in words)]
    if not hits:
        return False
    cue_at = [i for i, t in enumerate(tokens) if any(t.startswith(c) for c in cues)]
    return any(abs(i - j) <= WINDOW for i in hits for j in cue_at if i != j)


def _rating_score(value: str) -> tuple[list[str], list[str]] | None:
    match = re.fullmatch(r"([1-5]) out of 5", value)
    if not match:
        return None
    n = match.group(1)
    w = _DIGIT_WORDS[n]
    phrases = [rf"({n}|{w}) (out )?of (5|five)\b", rf"{n} ?/ ?5\b", rf"({n}|{w}) ?stars?", rf"{w}\b ?star",
               rf"rat(ed|ing)( of)? ({n}|{w})\b"]
    words = [n, w] + {"1": ["low", "poor", "bad"], "3": ["average", "mediocre", "middling", "decent"],
                      "5": ["high", "top", "excellent", "great", "best"]}.get(n, [])
    return phrases, words


def _name_supported(slot: str, value: str, text: str, norm_text: str) -> bool:
    placeholder = "XXX" if slot == "name" else "YYY"
    if placeholder in text:
        return True
    target = normalize(value)
    target = target[4:] if target.startswith("the ") and len(target) > 4 else target
    if _phrase_regex((re.escape(target),)).search(norm_text):  # a prefix is enough: "Cotto's", "Eagles"
        return True
    words = target.split()
    if len(words) < 3:
        return False
    present = sum(bool(_phrase_regex((re.escape(w),)).search(norm_text)) for w in words)
    return present >= len(words) - 1  # one misspelt word of a long name: "Crown Plaza Hotel"


def supported(slot: str, value: str, text: str, *, names: tuple[str, ...] = ()) -> bool:
    """Whether ``text`` supports ``slot[value]`` (see the module docstring); ``names`` are blanked out first.

    >>> supported("familyFriendly", "no", "It is not kid friendly.")
    True
    >>> supported("priceRange", "£20-25", "Prices range from £20 to £25.")
    True
    >>> supported("customer rating", "high", "It has high prices.")
    False
    >>> supported("food", "Indian", "It is near Raja Indian Cuisine.", names=("Raja Indian Cuisine",))
    False
    """
    if slot in ("name", "near"):
        return _name_supported(slot, value, text, normalize(text))
    norm_text = normalize(text)
    for name in names:
        norm_text = re.sub(_literal(name), " ", norm_text) if name.strip() else norm_text
    key, norm_value = _slot_key(slot), normalize(value)
    literal = [] if norm_value in _AMBIGUOUS and key in _CUED else [_literal(value)]
    phrases = literal + _PHRASES.get(key, {}).get(norm_value, [])
    words = _CUED.get(key, {}).get(norm_value, [])
    if key == "customerrating" and (score := _rating_score(norm_value)):
        phrases, words = phrases + score[0], words + score[1]
    if _phrase_regex(tuple(phrases)).search(norm_text):
        return True
    cues = _RATING_CUES if key == "customerrating" else _PRICE_CUES
    return bool(words) and _cued(words, cues, re.findall(r"[a-z0-9£]+", norm_text))


def filter_slots(slots: list[tuple[str, str]], text: str) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """Split ``slots`` into (kept, dropped) by :func:`supported`, keeping their order.

    >>> filter_slots([("name", "Aromi"), ("area", "riverside"), ("food", "Chinese")], "Aromi is by the river.")
    ([('name', 'Aromi'), ('area', 'riverside')], [('food', 'Chinese')])
    """
    names = tuple(v for s, v in slots if s in ("name", "near"))
    kept, dropped = [], []
    for slot, value in slots:
        (kept if supported(slot, value, text, names=names) else dropped).append((slot, value))
    return kept, dropped
