"""Biographies of invented people: an infobox of one person (kv_single, in English, French or German) and
a career timeline or filmography (flat, 3 to 14 rows), told as prose, a list or a table."""

from __future__ import annotations

import random
from datetime import date

from .common import (CITIES, LAST, DATE_STYLES, Sample, coined, company, flat_sample, fmt_date, kv_document, kv_sample,
                     person, rand_date, sentences, table_block)

DOMAIN = "biography"
GROUPS = 22
JOBS = [("architect", "architecte", "Architektin"), ("marine biologist", "biologiste marine", "Meeresbiologin"),
        ("jazz pianist", "pianiste de jazz", "Jazzpianistin"), ("novelist", "romancière", "Schriftstellerin"),
        ("civil engineer", "ingénieure civile", "Bauingenieurin"), ("film director", "réalisatrice", "Regisseurin"),
        ("cyclist", "cycliste", "Radrennfahrerin"), ("economist", "économiste", "Ökonomin")]
NATIONS = [("Canadian", "canadienne", "kanadisch"), ("Norwegian", "norvégienne", "norwegisch"),
           ("Ghanaian", "ghanéenne", "ghanaisch"), ("Irish", "irlandaise", "irisch"), ("Chilean", "chilienne", "chilenisch"),
           ("Finnish", "finlandaise", "finnisch"), ("Portuguese", "portugaise", "portugiesisch")]
KNOWN = ["the Saltmarsh Library", "a long-running radio series on tides", "the Glass Quarter housing scheme",
         "the novel 'A Harbour of Small Lights'", "three national titles", "work on rural credit markets",
         "the documentary 'North of Nowhere'", "the floating bridge at Kestrel Bay"]
WOMEN = ["Amara", "Priya", "Ingrid", "Lena", "Yuki", "Elif", "Saoirse", "Aiko", "Freya", "Leila", "Zanele",
         "Camille", "Nadia", "Linnea", "Marisol", "Keiko", "Vera", "Ines", "Mirela", "Soraya", "Hana", "Petra",
         "Orla", "Greta", "Talia"]
WORKS = ["Saltmarsh", "Nordlicht", "Glass Quarter", "Les Marées lentes", "Der leise Hafen", "North of Nowhere"]
FILLER_EN = ["She grew up in a household full of books and argument.",
             "Colleagues describe her as exacting but generous with her time.",
             "She has rarely given interviews and keeps no social media accounts.",
             "Much of her early work was self-funded.",
             "She has lectured widely, mostly to students rather than to industry audiences."]
SCHOOLS = ["University of Harrowgate", "Brindlemoor Institute of Technology", "Royal Conservatory of Dunmore",
           "Caldera Springs College", "Oakhaven School of Film"]
LABELS = {
    "en": {"name": ["Name", "Full name"], "born": ["Born", "Date of birth", "Birth date"],
           "place": ["Birthplace", "Place of birth", "Born in"], "nation": ["Nationality", "Citizenship"],
           "job": ["Occupation", "Profession", "Known as"], "known": ["Known for", "Notable work"],
           "school": ["Education", "Alma mater"], "spouse": ["Spouse", "Partner"], "died": ["Died", "Date of death"],
           "active": ["Years active", "Active"], "award": ["Awards", "Honours"]},
    "fr": {"name": ["Nom"], "born": ["Date de naissance", "Naissance"], "place": ["Lieu de naissance"],
           "nation": ["Nationalité"], "job": ["Profession", "Activité"], "known": ["Connue pour", "Œuvre notable"],
           "school": ["Formation"], "spouse": ["Conjoint"], "died": ["Décès"], "active": ["Années d'activité"],
           "award": ["Distinctions"]},
    "de": {"name": ["Name"], "born": ["Geboren", "Geburtsdatum"], "place": ["Geburtsort"],
           "nation": ["Staatsangehörigkeit", "Nationalität"], "job": ["Beruf", "Tätigkeit"],
           "known": ["Bekannt für", "Bekanntestes Werk"], "school": ["Ausbildung", "Studium"], "spouse": ["Ehepartner"],
           "died": ["Gestorben", "Sterbedatum"], "active": ["Aktive Jahre"], "award": ["Auszeichnungen"]},
}
TEMPLATES = {
    "en": {"nation": ["She is {v} by nationality.", "She holds {v} citizenship."],
           "job": ["She has worked as a professional {v} for most of her life.", "By profession she is an accomplished {v}."],
           "known": ["She is best known for {v}.", "Critics still associate her with {v}."],
           "school": ["She studied at the {v}.", "She trained at the {v}."],
           "spouse": ["She is married to {v}.", "Her partner is {v}."],
           "died": ["She died on {v}.", "She passed away on {v}."],
           "active": ["Her working life spans {v}.", "She was active {v}."],
           "award": ["Her honours include the {v}.", "She received the {v}."]},
    "fr": {"nation": ["Elle est de nationalité {v}."], "job": ["Elle exerce comme {v}."],
           "known": ["Elle est surtout connue pour {v}."], "school": ["Elle a étudié à la {v}."],
           "spouse": ["Elle est mariée à {v}."], "died": ["Elle est décédée le {v}."],
           "active": ["Elle a été active de {v}."], "award": ["Elle a reçu le {v}."]},
    "de": {"nation": ["Sie besitzt die {v}e Staatsangehörigkeit."], "job": ["Sie arbeitet als {v}."],
           "known": ["Bekannt wurde sie durch {v}."], "school": ["Sie studierte an der {v}."],
           "spouse": ["Sie ist mit {v} verheiratet."], "died": ["Sie starb am {v}."],
           "active": ["Aktiv war sie {v}."], "award": ["Sie erhielt den {v}."]},
}


def _infobox(rng: random.Random) -> Sample:
    lang = rng.choice(["en", "en", "en", "fr", "de"])
    li = {"en": 0, "fr": 1, "de": 2}[lang]
    name, place = f"{rng.choice(WOMEN)} {rng.choice(LAST)}", rng.choice(CITIES)
    born_d = rand_date(rng, date(1931, 1, 1), 15500)
    born = fmt_date(born_d, rng.choice(DATE_STYLES) if lang == "en" else "long", lang)
    job, nation = rng.choice(JOBS)[li], rng.choice(NATIONS)[li]
    start = born_d.year + rng.randint(20, 28)
    death = rand_date(rng, date(born_d.year + 45, 1, 1), (date(2024, 12, 31) - date(born_d.year + 45, 1, 1)).days)
    dead = rng.random() < 0.3
    end = str(min(death.year, start + rng.randint(12, 40))) if dead else rng.choice(
        [None, {"en": "present", "fr": "aujourd'hui", "de": "heute"}[lang]])
    sep = {"en": "–", "fr": " à ", "de": "–"}[lang]
    known = rng.choice(KNOWN) if lang == "en" else rng.choice(WORKS)
    quoted = {"en": "{}", "fr": "« {} »", "de": "„{}“"}[lang].format(known)
    values = {"place": place, "nation": nation, "job": job, "known": known,
              "school": rng.choice(SCHOOLS), "spouse": person(rng),
              "died": fmt_date(death, "long" if lang != "en" else rng.choice(DATE_STYLES), lang) if dead else None,
              "active": f"{start}{sep}{end}" if end else None,
              "award": f"{coined(rng)} {rng.choice(['Prize', 'Medal', 'Award'])} ({start + rng.randint(5, 15)})"}
    keys = [k for k in ["nation", "job", "known", "school", "spouse", "died", "active", "award"]
            if values[k] is not None and (k in ("job",) or rng.random() < 0.6)]
    lab = LABELS[lang]
    attrs = [(rng.choice(lab[k]), values[k], [t.replace("{v}", quoted) if k == "known" else t
                                              for t in TEMPLATES[lang][k]]) for k in keys]  # type: ignore[misc]
    place_attr = rng.random() < 0.8
    if lang == "en":
        lead = f"{name} (born {born}{' in ' + place if place_attr else ''}) is the subject of this profile."
        lead = rng.choice([lead, f"{name} was born on {born}{' in ' + place if place_attr else ''}."])
        outro = " ".join(rng.sample(FILLER_EN, 2)) + " This article draws on interviews and on published letters."
    elif lang == "fr":
        lead = f"{name}, née le {born}{' à ' + place if place_attr else ''}, fait l'objet de ce portrait."
        outro = ("Son enfance, passée au bord de la mer, a profondément marqué son travail. "
                 "Cet article s'appuie sur des entretiens et sur la correspondance publiée.")
    else:
        lead = f"{name} wurde am {born}{' in ' + place if place_attr else ''} geboren."
        outro = ("Ihre Kindheit am Meer hat ihre Arbeit stark geprägt. "
                 "Dieser Artikel stützt sich auf Interviews und veröffentlichte Briefe.")
    title = {"en": "Profile", "fr": "Portrait", "de": "Porträt"}[lang]
    _, doc = kv_document(rng, lead, attrs, outro=outro, title=f"{title}: {name}",
                         style=rng.choice(["prose", "prose", "lines", "mixed"]),
                         list_intro={"en": "Fact box:", "fr": "En bref :", "de": "Steckbrief:"}[lang])
    pairs = [(rng.choice(lab["name"]), name), (rng.choice(lab["born"]), born)]
    pairs += [(rng.choice(lab["place"]), place)] if place_attr else []
    locale = {"en": rng.choice(["en-GB", "en-US"]), "fr": "fr-FR", "de": rng.choice(["de-DE", "de-AT"])}[lang]
    return kv_sample(doc, pairs + [(k, v) for k, v, _ in attrs], "infobox", language=lang, locale=locale,
                     table_hint=rng.choice([None, "facts about the person"]))


def _career(rng: random.Random, long: bool = False) -> Sample:
    """A timeline; ``long``: 12 to 14 entries told in prose."""
    name = person(rng)
    n = rng.randint(12, 14) if long else rng.randint(3, 11)
    year = rng.randint(1975, 2000)
    film = rng.random() < 0.45
    rows: list[list[str | None]] = []
    if film:
        headers = [rng.choice(["Year", "Released"]), rng.choice(["Title", "Film"]), rng.choice(["Role", "Credit"]),
                   rng.choice(["Notes", "Remarks"])]
        for _ in range(n):
            year += rng.randint(0, 3)
            title = f"The {coined(rng)} {rng.choice(['Affair', 'Winter', 'Crossing', 'Letters', 'Tide', 'House'])}"
            role = rng.choice(["director", "writer", "director, writer", "producer", "editor"])
            note = rng.choice(["short film", "documentary", "festival premiere", "TV film"]) if rng.random() < 0.35 else None
            rows.append([str(year), title, role, note])
        lines = [f"{r[0]}: {r[1]} ({r[2]}{', ' + r[3] if r[3] else ''})" for r in rows]
        first = name.split()[0]
        prose = [rng.choice([f"In {r[0]} came {r[1]}, on which {first} is credited as {r[2]}",
                             f"{r[1]} followed in {r[0]}, with {first} as {r[2]}",
                             f"{first} worked on {r[1]} ({r[0]}) as {r[2]}",
                             f"The {r[0]} release {r[1]} lists {first} as {r[2]}"])
                 + (f" ({r[3]})." if r[3] else ".") for r in rows]
    else:
        headers = [rng.choice(["Years", "Period"]), rng.choice(["Employer", "Organisation", "Club"]),
                   rng.choice(["Role", "Position", "Title"])]
        for _ in range(n):
            stop = year + rng.randint(1, 4)
            org = company(rng) if rng.random() < 0.7 else f"{coined(rng)} {rng.choice(['University', 'Council', 'Trust'])}"
            role = rng.choice(["analyst", "senior engineer", "team lead", "head of research", "adviser",
                               "visiting fellow", "director of operations", "consultant"])
            rows.append([f"{year}–{stop}", org, role])
            year = stop
        lines = [f"{r[0]}: {r[2]}, {r[1]}" for r in rows]
        prose = [rng.choice([f"From {r[0]} {name.split()[0]} was {r[2]} at {r[1]}.",
                             f"{r[0]}: {r[2]} at {r[1]}."]) for r in rows]
    lead = rng.choice([f"{name} has had a varied career. The record below is compiled from public sources.",
                       f"A career in brief: {name}."])
    kind = "prose" if long else rng.choice(["prose", "list", "table"])
    if kind == "prose":
        body = sentences(rng, prose, (2, 3))
    elif kind == "list":
        mark = rng.choice(["- ", "* "])
        body = rng.choice(["Filmography:" if film else "Career:", "Selected works:" if film else "Positions held:"]) + \
            "\n" + "\n".join(mark + line for line in lines)
    else:
        body = table_block(rng, headers, rows, ("markdown", "aligned"))[1]
    doc = "\n\n".join([lead, body, "Dates are given as published; gaps correspond to periods of study or leave."])
    return flat_sample(doc, headers, rows, "filmography" if film else "career",
                       table_hint=rng.choice([None, "one row per film" if film else "one row per position"]),
                       locale=rng.choice(["en-GB", "en-US"]))


def make_group(rng: random.Random, index: int) -> list[Sample]:
    return [_infobox(rng)] if index % 2 == 0 else [_career(rng, long=index % 8 in (3, 7))]
