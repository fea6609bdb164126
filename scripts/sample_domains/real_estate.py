"""Real-estate listings: one property (kv_single, English or French ad), the units of a new development and
recent comparable sales (flat, 3 to 16 rows)."""

from __future__ import annotations

import random
from datetime import date

from .common import (CITIES, DATE_STYLES, Sample, coined, flat_sample, fmt_date, kv_document, kv_sample, maybe_words,
                     money, num, person, rand_date, sentences, table_block, unique)

DOMAIN = "real_estate"
GROUPS = 22
STREETS = ["Elm Street", "Harbour Road", "Mill Lane", "Station Avenue", "Quarry Hill", "Orchard Close", "Kingsway"]
RUES = ["rue des Tilleuls", "avenue Jean-Moulin", "chemin du Lavoir", "place du Marché", "rue de la Gare"]


def _listing(rng: random.Random) -> Sample:
    fr = rng.random() < 0.3
    beds = rng.randint(1, 5)
    area = 25 + 24 * beds + rng.randint(0, 40)
    built = rng.randint(1890, 2023)
    if fr:
        address = f"{rng.randint(1, 80)} {rng.choice(RUES)}, {rng.choice(['Lyon', 'Rennes', 'Annecy', 'Nantes'])}"
        kind = rng.choice(["appartement", "maison de ville", "maison"])
        attrs = [("Prix", money(rng.randint(120, 900) * 1000, "EUR", 0, "fr"), ["Prix demandé : {v}."]),
                 ("Type de bien", kind, ["Il s'agit d'un(e) {v}."]),
                 ("Surface", f"{area} m²", ["La surface habitable est de {v}."]),
                 (rng.choice(["Pièces", "Nombre de pièces"]), str(beds + 1), ["Le bien compte {v} pièces."]),
                 ("Chambres", str(beds), ["Il dispose de {v} chambres."]),
                 ("Année de construction", str(built), ["Construit en {v}."]),
                 ("Chauffage", rng.choice(["gaz individuel", "pompe à chaleur", "électrique"]), ["Chauffage : {v}."]),
                 ("DPE", rng.choice("ABCDEFG"), ["Classe énergie (DPE) : {v}."]),
                 ("Charges", f"{rng.randint(40, 320)} € par mois", ["Les charges s'élèvent à {v}."])]
        name_label, lead = "Adresse", f"À vendre : {address}. Coup de cœur assuré pour ce bien lumineux et calme."
        outro = "Visites sur rendez-vous uniquement. Honoraires à la charge du vendeur."
        list_intro = "Caractéristiques :"
    else:
        address = f"{rng.randint(1, 300)} {rng.choice(STREETS)}, {rng.choice(CITIES)}"
        kind = rng.choice(["terraced house", "semi-detached house", "flat", "bungalow", "detached house"])
        sq = rng.random() < 0.5
        attrs = [(rng.choice(["Price", "Asking price", "Guide price"]), money(rng.randint(150, 1400) * 1000 + rng.choice([0, 5000]),
                                                                              rng.choice(["GBP", "USD"]), 0),
                  ["Offers are invited around {v}.", "The asking price is {v}."]),
                 (rng.choice(["Property type", "Type"]), kind, ["This is a {v}.", "The property is a well-kept {v}."]),
                 (rng.choice(["Bedrooms", "Beds"]), maybe_words(rng, beds), ["There are {v} bedrooms.", "It has {v} bedrooms."]),
                 (rng.choice(["Bathrooms", "Baths"]), str(rng.randint(1, 3)), ["It has {v} bathrooms.", "Bathrooms: {v}."]),
                 (rng.choice(["Floor area", "Living space", "Internal area"]),
                  f"{num(area * 10.76)} sq ft" if sq else f"{area} m²", ["Internal space totals {v}.", "The floor area is {v}."]),
                 (rng.choice(["Year built", "Built"]), str(built), ["It was built in {v}.", "The house dates from {v}."]),
                 (rng.choice(["Heating", "Heating system"]), rng.choice(["gas-fired", "by heat pump", "electric", "oil-fired"]),
                  ["Heating is {v}.", "The central heating is {v}."]),
                 (rng.choice(["Parking", "Garage"]), rng.choice(["off-street for two cars", "single garage", "permit parking"]),
                  ["Parking: {v}.", "Parking is {v}."]),
                 (rng.choice(["Energy rating", "EPC rating"]), rng.choice("ABCDEFG"), ["The EPC rating is {v}."]),
                 (rng.choice(["Agent", "Listed by"]), f"{coined(rng)} & {rng.choice(['Partners', 'Co', 'Sons'])}",
                  ["The sale is handled by {v}.", "Listed with {v}."])]
        name_label = rng.choice(["Address", "Property", "Location"])
        lead = rng.choice([f"New to the market: {address}.", f"{address} — a rare chance to buy on one of the best roads in town."])
        lead += " " + rng.choice(["Bright rooms, a south-facing garden and good schools nearby.",
                                  "Chain-free and ready to move into.", "Early viewing is strongly recommended."])
        outro = "All measurements are approximate. Viewings by appointment."
        list_intro = rng.choice(["Key features:", "Details", "Property details:"])
    keep = attrs[:1] + [a for a in attrs[1:] if rng.random() < 0.6]
    _, doc = kv_document(rng, lead, keep, outro=outro, list_intro=list_intro,
                         table_headers=("Caractéristique", "Détail") if fr else ("Feature", "Detail"))
    meta = {"language": "fr", "locale": "fr-FR"} if fr else {"locale": rng.choice(["en-GB", "en-US"])}
    return kv_sample(doc, [(name_label, address)] + [(k, v) for k, v, _ in keep], "listing",
                     table_hint=rng.choice([None, "property details"]), **meta)  # type: ignore[arg-type]


def _development(rng: random.Random) -> Sample:
    fr = rng.random() < 0.3
    n = rng.randint(4, 16)
    name = f"{coined(rng)} {'Résidence' if fr else rng.choice(['Court', 'Gardens', 'Wharf', 'House'])}"
    if fr:
        headers = ["Lot", "Étage", "Pièces", "Surface", "Prix", "Statut"]
        status = ["disponible", "disponible", "réservé", "vendu"]
    else:
        headers = [rng.choice(["Unit", "Plot", "Apartment"]), rng.choice(["Floor", "Level"]), rng.choice(["Beds", "Bedrooms"]),
                   rng.choice(["Area", "Size"]), rng.choice(["Price", "From", "Asking price"]), rng.choice(["Status", "Availability"])]
        status = ["available", "available", "reserved", "sold"]
    rows: list[list[str | None]] = []
    for i in range(n):
        floor = str(i // 4 + (0 if fr else 1))
        beds = rng.randint(1, 3)
        area = rng.randint(38, 110)
        st = rng.choice(status)
        price = None if st in ("sold", "vendu") else money(round(area * rng.randint(3800, 7200), -3), "EUR" if fr else "GBP", 0,
                                                          "fr" if fr else "en")
        rows.append([f"{'A' if i < n / 2 else 'B'}{i + 1:02d}", floor, str(beds + (1 if fr else 0)),
                     f"{area} m²" if fr or rng.random() < 0.5 else f"{area} sq m", price, st])
    if fr:
        lead = f"{name} : programme neuf de {n} logements, livraison prévue au printemps. Grille de prix au {fmt_date(rand_date(rng, date(2025, 1, 1), 300), 'long', 'fr')}."
        tail = "Prix des lots vendus non communiqués. Frais de notaire réduits."
    else:
        lead = f"Price list for {name}, a development of {n} new homes. Sold units are listed without a price."
        tail = "Prices may change without notice; parking spaces are sold separately."
    _, block = table_block(rng, headers, rows, ("markdown", "aligned", "csv"))
    doc = "\n\n".join([lead, block, tail])
    meta = {"language": "fr", "locale": "fr-FR"} if fr else {"locale": "en-GB"}
    return flat_sample(doc, headers, rows, "units", table_hint=rng.choice([None, "one row per unit"]),
                       **meta)  # type: ignore[arg-type]


def _comparables(rng: random.Random) -> Sample:
    street = rng.choice(STREETS)
    n = rng.randint(3, 10)
    numbers = unique(rng, lambda r: str(r.randint(1, 160)), n)
    style = rng.choice(DATE_STYLES)
    headers = [rng.choice(["Address", "House"]), rng.choice(["Sold price", "Sale price", "Price paid"]),
               rng.choice(["Date sold", "Sale date", "Completed"]), rng.choice(["Beds", "Bedrooms"])]
    rows: list[list[str | None]] = []
    for no in numbers:
        rows.append([f"{no} {street}", money(rng.randint(180, 900) * 1000 + rng.choice([0, 2500, 7500]), "GBP", 0),
                     fmt_date(rand_date(rng, date(2021, 1, 1), 1400), style),
                     str(rng.randint(2, 5)) if rng.random() < 0.8 else None])
    agent = person(rng)
    if n <= 5 and rng.random() < 0.6:
        parts = [f"{r[0]} sold for {r[1]} on {r[2]}" + (f" ({r[3]} bedrooms)." if r[3] else ".") for r in rows]
        body = sentences(rng, parts, (2, 3))
    else:
        body = table_block(rng, headers, rows)[1]
    doc = "\n\n".join([f"Recent sales on {street}, compiled by {agent} for the valuation of number "
                       f"{rng.randint(161, 200)}.", body, "Source: land registry records; bedroom counts from old "
                       "listings where known."])
    return flat_sample(doc, headers, rows, "comparable_sales", table_hint=None, locale="en-GB")


def make_group(rng: random.Random, index: int) -> list[Sample]:
    if index % 2 == 0:
        return [_listing(rng)]
    return [_development(rng)] if index % 4 == 1 else [_comparables(rng)]
