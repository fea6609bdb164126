"""Shared pieces of the sample generator: the Sample record, invented names, number/date/money formatting
and the renderers that lay a table out inside a document (pipe table, CSV block, aligned columns, key lines).

Everything here is a pure function of its arguments and of the ``random.Random`` passed in, so that the
generator is byte-for-byte deterministic. Nothing here knows about a particular domain.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

KV = "kv_single"
FLAT = "flat_single_row"


@dataclass
class Sample:
    """One generated document and its gold table (cells are the exact surface strings, or None)."""

    document: str
    headers: list[str]
    rows: list[list[str | None]]
    structure: str
    name: str
    table_hint: str | None = None
    language: str = "en"
    locale: str | None = "en-US"


def kv_sample(document: str, pairs: list[tuple[str, str]], name: str, **kw: object) -> Sample:
    """A ``kv_single`` sample: one row whose headers are the keys (absent attributes are simply not listed)."""
    return Sample(document, [k for k, _ in pairs], [[v for _, v in pairs]], KV, name, **kw)  # type: ignore[arg-type]


def flat_sample(document: str, headers: list[str], rows: list[list[str | None]], name: str,
                **kw: object) -> Sample:
    """A ``flat_single_row`` sample; columns that are null in every row are dropped (never invented)."""
    keep = [j for j in range(len(headers)) if any(r[j] is not None for r in rows)]
    return Sample(document, [headers[j] for j in keep], [[r[j] for j in keep] for r in rows], FLAT, name,
                  **kw)  # type: ignore[arg-type]


# ---------------------------------------------------------------- invented names
FIRST = ["Amara", "Jonas", "Priya", "Mateo", "Ingrid", "Kwame", "Lena", "Tomasz", "Yuki", "Rafael", "Elif",
         "Noah", "Saoirse", "Dmitri", "Aiko", "Malik", "Freya", "Oskar", "Leila", "Hugo", "Zanele", "Ravi",
         "Camille", "Bastian", "Nadia", "Emeka", "Linnea", "Tariq", "Marisol", "Anton", "Keiko", "Idris",
         "Vera", "Callum", "Ines", "Kofi", "Mirela", "Anders", "Soraya", "Julien", "Hana", "Desmond",
         "Petra", "Arjun", "Orla", "Felipe", "Greta", "Samir", "Talia", "Ezra"]
LAST = ["Okafor", "Lindqvist", "Varga", "Moreau", "Castellanos", "Brennan", "Nakamura", "Oyelaran",
        "Haverkamp", "Delacroix-Wynn", "Sørlie", "Petrakis", "Quenneville", "Adeyemi", "Rasmussen", "Ilunga",
        "Fairweather", "Kowalczyk", "Marchetti", "Thorsdottir", "Abernathy", "Mbeki-Hall", "Vasquez-Orr",
        "Ellery", "Achterberg", "Sandoval", "Kallio", "Osei", "Ferreira", "Ndiaye", "Hollingsworth", "Rautio",
        "Drummond", "Yilmaz", "Ashby", "Castel", "Weatherby", "Kruger", "Lavigne", "Obuya", "Strand", "Pell",
        "Mirza", "Tennant", "Vidal", "Korhonen", "Baptiste", "Halloran", "Szabo", "Quayle"]
SYLL = ["nor", "vel", "kes", "tra", "lum", "ox", "bri", "zan", "cor", "ael", "ven", "dra", "mir", "tal", "quin",
        "sol", "ryn", "ex", "ast", "orb", "pel", "vir", "gan", "thal", "ide", "cas", "mon", "ura"]
CO_SUFFIX = ["Systems", "Holdings", "Technologies", "Labs", "Industries", "Group", "Networks", "Foods",
             "Logistics", "Materials", "Robotics", "Energy", "Analytics", "Mobility"]
CITIES = ["Harrowgate", "Port Elsby", "Marlow Heights", "Kestrel Bay", "Ashford Vale", "Brindlemoor",
          "Caldera Springs", "Dunmore", "Eastwick Falls", "Fenwick", "Glenrowan", "Larkspur", "Northam Quay",
          "Oakhaven", "Redmere", "Stillwater Cross", "Thornbury", "Westbrook"]


def person(rng: random.Random) -> str:
    return f"{rng.choice(FIRST)} {rng.choice(LAST)}"


def coined(rng: random.Random, parts: int = 2) -> str:
    """An invented capitalised word such as 'Korvane'."""
    return "".join(rng.choice(SYLL) for _ in range(parts)).capitalize()


def company(rng: random.Random) -> str:
    return f"{coined(rng)} {rng.choice(CO_SUFFIX)}"


def unique(rng: random.Random, maker, n: int) -> list[str]:  # type: ignore[no-untyped-def]
    """``n`` distinct values from ``maker(rng)`` (order of first appearance)."""
    out: list[str] = []
    while len(out) < n:
        value = maker(rng)
        if value not in out:
            out.append(value)
    return out


# ---------------------------------------------------------------- numbers, money, dates
_ONES = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
         "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"]
_TENS = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]


def words(n: int) -> str:
    """English words for 0..99: ``words(42) == 'forty-two'``."""
    if n < 20:
        return _ONES[n]
    tens, ones = divmod(n, 10)
    return _TENS[tens] + ("" if ones == 0 else "-" + _ONES[ones])


def maybe_words(rng: random.Random, n: int, p: float = 0.3) -> str:
    """``n`` in digits, or (small numbers, with probability ``p``) in words."""
    return words(n) if n <= 20 and rng.random() < p else str(n)


def num(x: float, decimals: int = 0, lang: str = "en") -> str:
    """Group thousands and fix decimals in the conventions of ``lang`` (en 1,234.5; de 1.234,5; fr 1 234,5)."""
    text = f"{x:,.{decimals}f}"
    if lang == "de":
        return text.replace(",", "_").replace(".", ",").replace("_", ".")
    if lang == "fr":
        return text.replace(",", " ").replace(".", ",")
    return text


def money(x: float, currency: str = "USD", decimals: int = 2, lang: str = "en") -> str:
    """Money as written in prices: $1,299.00, £45.50, €12.40, 1.299,00 € (de), 1 299,00 € (fr), CHF 80.00."""
    amount = num(x, decimals, lang)
    if lang in ("de", "fr"):
        return f"{amount} {'€' if currency == 'EUR' else currency}"
    symbol = {"USD": "$", "GBP": "£", "EUR": "€"}.get(currency)
    return f"{symbol}{amount}" if symbol else f"{currency} {amount}"


_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December"]
_MONTHS_FR = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
              "novembre", "décembre"]
_MONTHS_DE = ["Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September", "Oktober",
              "November", "Dezember"]
DATE_STYLES = ("iso", "dmy_long", "mdy_long", "dmy_abbr", "mdy_slash", "dmy_slash")
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
WEEKDAYS_DE = ["Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag"]


def fmt_date(d: date, style: str, lang: str = "en") -> str:
    """One date in one of several written forms (see ``DATE_STYLES``); de/fr use their own conventions."""
    if lang == "de":
        return f"{d.day}. {_MONTHS_DE[d.month - 1]} {d.year}" if style.endswith("long") else d.strftime("%d.%m.%Y")
    if lang == "fr":
        return f"{d.day} {_MONTHS_FR[d.month - 1]} {d.year}" if style.endswith("long") else d.strftime("%d/%m/%Y")
    month = _MONTHS[d.month - 1]
    return {"iso": d.isoformat(), "dmy_long": f"{d.day} {month} {d.year}",
            "mdy_long": f"{month} {d.day}, {d.year}", "dmy_abbr": f"{d.day} {month[:3]} {d.year}",
            "mdy_slash": f"{d.month:02d}/{d.day:02d}/{d.year}", "dmy_slash": f"{d.day:02d}/{d.month:02d}/{d.year}",
            }[style]


def rand_date(rng: random.Random, start: date, span_days: int) -> date:
    return start + timedelta(days=rng.randrange(span_days))


# ---------------------------------------------------------------- renderers for tables inside documents
def _cell(value: str | None, missing: str) -> str:
    return missing if value is None else value


def markdown(headers: list[str], rows: list[list[str | None]], missing: str = "—") -> str:
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    lines += ["| " + " | ".join(_cell(v, missing) for v in row) + " |" for row in rows]
    return "\n".join(lines)


def csv_block(headers: list[str], rows: list[list[str | None]], sep: str = ",") -> str:
    def quote(v: str) -> str:
        return f'"{v}"' if sep in v or '"' in v else v
    lines = [sep.join(quote(h) for h in headers)]
    lines += [sep.join(quote(_cell(v, "")) for v in row) for row in rows]
    return "\n".join(lines)


def aligned(headers: list[str], rows: list[list[str | None]], missing: str = "-") -> str:
    """Fixed-width columns, as pasted from a terminal or a PDF."""
    cells = [headers] + [[_cell(v, missing) for v in row] for row in rows]
    widths = [max(len(r[j]) for r in cells) for j in range(len(headers))]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in cells)


def kv_lines(pairs: list[tuple[str, str]], sep: str = ": ", bullet: str = "") -> str:
    return "\n".join(f"{bullet}{k}{sep}{v}" for k, v in pairs)


def table_block(rng: random.Random, headers: list[str], rows: list[list[str | None]],
                kinds: tuple[str, ...] = ("markdown", "csv", "aligned")) -> tuple[str, str]:
    """Lay a table out in one of ``kinds``; returns (kind, text)."""
    kind = rng.choice(kinds)
    if kind == "markdown":
        return kind, markdown(headers, rows, rng.choice(["—", "-", "n/a", ""]))
    if kind == "csv":
        return kind, csv_block(headers, rows, rng.choice([",", ",", ";"]))
    return kind, aligned(headers, rows)


def sentences(rng: random.Random, parts: list[str], per_paragraph: tuple[int, int] = (2, 4)) -> str:
    """Join sentences into paragraphs of a random size (blank line between paragraphs)."""
    paragraphs, i = [], 0
    while i < len(parts):
        k = rng.randint(*per_paragraph)
        paragraphs.append(" ".join(parts[i:i + k]))
        i += k
    return "\n\n".join(paragraphs)


def kv_prose(rng: random.Random, attrs: list[tuple[str, str, list[str]]], fixed: int = 1) -> str:
    """Prose for key/value attributes: one templated sentence per attribute (``{v}`` is the value).

    The first ``fixed`` attributes keep their place; the others are shuffled, so sentence order varies.
    """
    head, tail = attrs[:fixed], attrs[fixed:]
    rng.shuffle(tail)
    return sentences(rng, [rng.choice(t).format(v=v) for _, v, t in head + tail])


def subset(rng: random.Random, items: list, keep: float, always: int = 1) -> list:  # type: ignore[type-arg]
    """The first ``always`` items, then each other item with probability ``keep`` (order preserved)."""
    return items[:always] + [x for x in items[always:] if rng.random() < keep]


KV_STYLES = ("prose", "prose", "lines", "bullets", "mixed", "table")


def kv_document(rng: random.Random, lead: str, attrs: list[tuple[str, str, list[str]]], *, outro: str = "",
                title: str | None = None, style: str | None = None, list_intro: str = "Specifications:",
                table_headers: tuple[str, str] = ("Specification", "Value")) -> tuple[str, str]:
    """A document describing one entity: a lead paragraph, then the attributes in one of ``KV_STYLES``.

    ``attrs`` are (label, value, prose templates with ``{v}``); returns (style, text).
    """
    style = style or rng.choice(KV_STYLES)
    pairs = [(k, v) for k, v, _ in attrs]
    if style == "prose":
        body = kv_prose(rng, list(attrs), fixed=0)
    elif style == "lines":
        body = list_intro + "\n" + kv_lines(pairs, rng.choice([": ", ": ", " – ", ":  "]))
    elif style == "bullets":
        body = list_intro + "\n" + kv_lines(pairs, ": ", rng.choice(["- ", "* ", "• "]))
    elif style == "mixed":
        cut = max(1, len(attrs) // 2)
        body = kv_prose(rng, list(attrs[:cut]), fixed=0) + "\n\n" + list_intro + "\n" + kv_lines(pairs[cut:])
    else:
        body = markdown(list(table_headers), [[k, v] for k, v in pairs])
    parts = [p for p in (title, lead, body, outro) if p]
    return style, "\n\n".join(parts)
