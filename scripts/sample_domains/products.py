"""Product specifications: one product described by its attributes (kv_single), a model line-up compared
in a small table, or a retailer's price list of 8 to 16 items (flat_single_row)."""

from __future__ import annotations

import random
from datetime import date

from .common import (Sample, coined, flat_sample, fmt_date, kv_document, kv_sample, maybe_words, money, rand_date,
                     sentences, subset, table_block, DATE_STYLES)

DOMAIN = "product_specs"
GROUPS = 20

Attr = tuple[list[str], object, list[str]]  # (header synonyms, value maker, prose templates)

KINDS: dict[str, list[Attr]] = {
    "wireless headset": [
        (["Battery life", "Battery", "Playback time"], lambda r: f"{r.choice([20, 24, 30, 36, 40, 50])} hours",
         ["A full charge lasts {v}.", "Battery life is rated at {v} with noise cancelling switched on."]),
        (["Weight", "Mass"], lambda r: f"{r.randint(180, 320)} g",
         ["They weigh {v}.", "At {v}, they are light enough for a long flight."]),
        (["Driver size", "Drivers"], lambda r: f"{r.choice([30, 40, 45, 50])} mm",
         ["Sound comes from {v} dynamic drivers.", "Each earcup holds a {v} driver."]),
        (["Bluetooth", "Bluetooth version"], lambda r: r.choice(["5.0", "5.2", "5.3", "5.4"]),
         ["Pairing uses Bluetooth {v}.", "The radio supports Bluetooth {v} with multipoint."]),
        (["Noise cancelling", "ANC"], lambda r: r.choice(["hybrid", "adaptive", "feed-forward"]),
         ["Noise cancelling is {v}.", "The ANC system is {v}, with a transparency mode."]),
        (["Colour", "Color", "Finish"], lambda r: r.choice(["matte black", "sand", "midnight blue", "sage green"]),
         ["The review pair came in {v}.", "It ships in {v}."]),
    ],
    "laptop": [
        (["Processor", "CPU", "Chip"], lambda r: f"{coined(r)} {r.choice('KRX')}{r.randint(3, 9)}-{r.randint(1000, 9999)}",
         ["Under the hood is a {v} processor.", "It runs on the {v} chip."]),
        (["RAM", "Memory"], lambda r: f"{r.choice([8, 16, 32, 64])} GB",
         ["Memory is fixed at {v}.", "The configuration we tested had {v} of RAM."]),
        (["Storage", "SSD"], lambda r: r.choice(["256 GB", "512 GB", "1 TB", "2 TB"]),
         ["Storage is a {v} NVMe drive.", "You get {v} of solid-state storage."]),
        (["Screen size", "Display", "Screen"], lambda r: f"{r.choice(['13.3', '14', '15.6', '16'])} inches",
         ["The display measures {v} across.", "Its screen is {v} with a matte coating."]),
        (["Weight"], lambda r: f"{r.uniform(1.05, 2.3):.2f} kg",
         ["The chassis weighs {v}.", "At {v} it slips easily into a backpack."]),
        (["Battery life", "Battery"], lambda r: f"{r.randint(7, 22)} hours",
         ["The maker claims {v} of video playback.", "In our loop test the battery lasted {v}."]),
        (["Operating system", "OS"], lambda r: r.choice(["Windows 11 Home", "Ubuntu 24.04", "ChromeOS"]),
         ["It ships with {v}.", "The installed operating system is {v}."]),
    ],
    "coffee grinder": [
        (["Burr type", "Burrs"], lambda r: r.choice(["58 mm flat steel", "conical ceramic", "64 mm flat titanium-coated"]),
         ["Grinding is handled by {v} burrs.", "The burr set is {v}."]),
        (["Grind settings", "Settings"], lambda r: r.choice([f"{r.randint(30, 60)} steps", "stepless"]),
         ["Adjustment is {v}.", "There are {v} of adjustment from espresso to cold brew."]),
        (["Hopper capacity", "Bean hopper"], lambda r: f"{r.choice([250, 300, 350, 400, 500])} g",
         ["The hopper holds {v} of beans.", "Bean capacity is {v}."]),
        (["Power", "Motor power", "Wattage"], lambda r: f"{r.choice([150, 200, 250, 300])} W",
         ["A {v} motor drives the burrs.", "The motor is rated at {v}."]),
        (["Dimensions", "Size"], lambda r: f"{r.randint(12, 18)} x {r.randint(18, 26)} x {r.randint(30, 42)} cm",
         ["It measures {v}.", "The footprint is {v}, so it fits under most cabinets."]),
        (["Weight"], lambda r: f"{r.uniform(2.1, 6.5):.1f} kg",
         ["It weighs {v}.", "At {v} it does not slide around the counter."]),
    ],
    "e-bike": [
        (["Motor"], lambda r: f"{r.choice([250, 350, 500])} W {r.choice(['rear hub', 'mid-drive'])}",
         ["Assistance comes from a {v} motor.", "The {v} motor is quiet even on climbs."]),
        (["Battery", "Battery capacity"], lambda r: f"{r.choice([360, 418, 500, 625, 720])} Wh",
         ["A {v} battery sits in the down tube.", "Battery capacity is {v}."]),
        (["Range", "Max range", "Range (claimed)"], lambda r: f"{r.randint(45, 140)} km",
         ["The claimed range is {v}.", "Expect up to {v} on the lowest assist level."]),
        (["Top speed", "Assisted speed"], lambda r: r.choice(["25 km/h", "32 km/h", "45 km/h"]),
         ["Assistance cuts out at {v}.", "Top assisted speed is {v}."]),
        (["Frame", "Frame material"], lambda r: r.choice(["aluminium", "steel", "carbon fibre"]),
         ["The frame is {v}.", "It is built around an {v} frame."]),
        (["Weight"], lambda r: f"{r.uniform(16, 28):.1f} kg",
         ["The complete bike weighs {v}.", "At {v} it is manageable on stairs."]),
        (["Wheel size", "Wheels"], lambda r: r.choice(['27.5"', "700c", "20 inch", '29"']),
         ["It rolls on {v} wheels.", "Wheel size is {v}."]),
    ],
    "smartwatch": [
        (["Display", "Screen"], lambda r: f'{r.choice(["1.2", "1.4", "1.43", "1.9"])}" AMOLED',
         ["The face is a {v} panel.", "A {v} display stays readable in sunlight."]),
        (["Battery life", "Battery"], lambda r: f"{r.randint(2, 14)} days",
         ["Battery life is quoted at {v}.", "It lasts {v} between charges."]),
        (["Water resistance", "Waterproof rating"], lambda r: r.choice(["5 ATM", "10 ATM", "IP68"]),
         ["It is rated {v} for swimming.", "Water resistance is {v}."]),
        (["Sensors"], lambda r: r.choice(["heart rate, SpO2", "heart rate, SpO2, skin temperature", "optical heart rate"]),
         ["Sensors include {v}.", "On the back you find {v} sensors."]),
        (["Weight"], lambda r: f"{r.randint(28, 62)} g",
         ["The watch weighs {v} without the strap.", "It weighs just {v}."]),
    ],
}
PRICE_RANGE = {"wireless headset": (59, 449), "laptop": (499, 2899), "coffee grinder": (89, 1199),
               "e-bike": (999, 5499), "smartwatch": (79, 699)}
PRICE = ["Price", "Unit price", "Cost", "MSRP", "Retail price", "List price"]
FILLERS = ["Setup takes a few minutes through the companion app.", "Reviewers praised the build quality.",
           "The box includes a short cable and a quick-start leaflet, nothing more.",
           "Our verdict: a sensible buy if the price drops a little after launch.",
           "Rivals offer more features, but few feel this well made.",
           "The companion app is optional; everything works without an account.",
           "Spare parts can be ordered directly from the manufacturer for five years.",
           "The packaging is plastic-free.", "Firmware updates arrive over the air.",
           "Availability may vary by region.", "A carrying case is sold separately."]


def _product_name(rng: random.Random) -> tuple[str, str]:
    brand = coined(rng)
    model = rng.choice([f"{coined(rng, 1)} {rng.randint(2, 9)}", f"{rng.choice('AQXZV')}{rng.randint(10, 99)}",
                        f"{coined(rng)} {rng.choice(['Pro', 'Air', 'Lite', 'Max'])}"])
    return brand, f"{brand} {model}"


def _pool(rng: random.Random, kind: str, brand: str) -> tuple[list, list]:  # type: ignore[type-arg]
    """All facts about one product: (kind-specific attributes, common attributes)."""
    currency = rng.choice(["USD", "USD", "GBP", "EUR"])
    common: list[tuple[str, str, list[str]]] = [
        (rng.choice(["Brand", "Manufacturer", "Make"]), brand, ["It is designed by {v}.", "{v} makes it in-house."]),
        (rng.choice(PRICE), money(rng.randint(*PRICE_RANGE[kind]) - 0.01 * rng.choice([0, 1]), currency),
         ["It retails for {v}.", "Expect to pay {v}.", "The recommended price is {v}."]),
        (rng.choice(["Release date", "Launch date", "Available from"]),
         fmt_date(rand_date(rng, date(2023, 1, 1), 900), rng.choice(DATE_STYLES)),
         ["It goes on sale on {v}.", "Shipping starts on {v}."]),
        (rng.choice(["Warranty", "Guarantee"]), f"{maybe_words(rng, rng.choice([1, 2, 3]))} years",
         ["The warranty runs for {v}.", "Buyers get {v} of warranty cover."]),
        (rng.choice(["Customer rating", "Rating", "Avg. rating"]),
         rng.choice(["{:.1f}/5", "{:.1f} out of 5"]).format(rng.uniform(3.1, 4.9)),
         ["Buyers rate it {v}.", "It holds a customer rating of {v}."]),
    ]
    specific = [(rng.choice(labels), maker(rng), t) for labels, maker, t in KINDS[kind]]  # type: ignore[operator]
    return specific, common


def _kv(rng: random.Random, kind: str, name: str, pool: tuple[list, list],  # type: ignore[type-arg]
        style: str | None = None) -> Sample:
    specific, common = pool
    attrs = subset(rng, specific, 0.75, always=2) + subset(rng, common, 0.6, always=1)
    name_label = rng.choice(["Product", "Product name", "Model", "Name"])
    lead = rng.choice([f"The {name} is a {kind} aimed at people who want more for less.",
                       f"We spent two weeks with the {name}, a new {kind}.",
                       f"Meet the {name}: the latest {kind} in a crowded field.",
                       f"{name} — {kind}, full specification sheet."])
    outro = " ".join(rng.sample(FILLERS, rng.randint(2, 5)))
    _, doc = kv_document(rng, lead, attrs, outro=outro, style=style, list_intro=rng.choice(
        ["Specifications:", "Key specs", "Tech specs:", "At a glance:"]))
    return kv_sample(doc, [(name_label, name)] + [(k, v) for k, v, _ in attrs], "product_specs",
                     table_hint=rng.choice([None, "product specifications"]))


def _lineup(rng: random.Random) -> Sample:
    kind = rng.choice(["laptop", "e-bike", "wireless headset"])
    brand, series = coined(rng), coined(rng, 1)
    main = {"laptop": (["Storage", "SSD"], ["256 GB", "512 GB", "1 TB", "2 TB"]),
            "e-bike": (["Battery", "Battery capacity"], ["360 Wh", "500 Wh", "625 Wh", "720 Wh"]),
            "wireless headset": (["Battery life", "Playback time"], ["20 hours", "30 hours", "40 hours"])}[kind]
    n = rng.randint(2, 6)
    models = [f"{series} {s}" for s in ["S", "M", "L", "XL", "Plus", "Ultra"][:n]]
    currency = rng.choice(["USD", "GBP", "EUR"])
    price0 = rng.randint(300, 1500)
    headers = [rng.choice(["Model", "Variant", "Version"]), rng.choice(main[0]), rng.choice(PRICE),
               "Weight", rng.choice(["Colours", "Colour options"])]
    rows: list[list[str | None]] = []
    for i, m in enumerate(models):
        lo, hi = {"laptop": (1.1, 2.4), "e-bike": (17.0, 27.0), "wireless headset": (0.18, 0.35)}[kind]
        weight = f"{rng.uniform(lo, hi):.2f} kg"
        colours = rng.choice(["black", "black, silver", "grey, blue, red", "white"]) if rng.random() < 0.7 else None
        rows.append([m, rng.choice(main[1]), money(price0 + 150 * i - 0.01, currency), weight, colours])
    lead = (f"{brand} has refreshed its {series} {kind} line-up. There are {maybe_words(rng, n, 0.0)} versions, "
            f"and the differences come down to a handful of numbers.")
    if rng.random() < 0.5:
        _, block = table_block(rng, headers, rows, ("markdown", "aligned"))
        doc = "\n\n".join([lead, block, "Prices include VAT where applicable. Colour options differ by market."])
    else:
        parts = []
        for r in rows:
            s = f"The {r[0]} comes with {r[1]} and costs {r[2]}; it weighs {r[3]}."
            parts.append(s + (f" It is offered in {r[4]}." if r[4] else ""))
        doc = lead + "\n\n" + sentences(rng, parts, (1, 3)) + "\n\nAll versions share the same chassis and charger."
    return flat_sample(doc, headers, rows, "model_lineup", table_hint=rng.choice([None, "one row per model"]))


def _catalogue(rng: random.Random) -> Sample:
    shop = f"{coined(rng)} {rng.choice(['Electronics', 'Outfitters', 'Home & Tech', 'Direct'])}"
    n = rng.randint(8, 20)
    currency = rng.choice(["USD", "GBP"])
    headers = [rng.choice(["Product", "Item"]), rng.choice(["SKU", "Item no.", "Part number"]),
               rng.choice(PRICE), rng.choice(["Stock", "Availability"]), rng.choice(["Rating", "Customer rating"])]
    rows: list[list[str | None]] = []
    for _ in range(n):
        kind = rng.choice(list(KINDS))
        _, name = _product_name(rng)
        sku = f"{rng.choice(['HX', 'KT', 'QB', 'ZR'])}-{rng.randint(10000, 99999)}"
        stock = rng.choice(["in stock", "in stock", "low stock", "backorder", f"{rng.randint(2, 9)} left"])
        rating = f"{rng.uniform(3.0, 5.0):.1f}" if rng.random() < 0.75 else None
        rows.append([f"{name} {kind}", sku, money(rng.randint(19, 900) - 0.01, currency), stock, rating])
    lead = rng.choice([f"{shop} weekly deals — prices valid until Sunday while stocks last.",
                       f"Price list exported from the {shop} back office."])
    if rng.random() < 0.5:
        lead += (" Free delivery on orders over 50, click-and-collect in every store, and a 30-day no-quibble "
                 "return policy on everything below. Members get an extra 5% off at checkout; the discount is not "
                 "shown in the prices listed here. Items on backorder ship within three weeks.")
    _, block = table_block(rng, headers, rows)
    doc = "\n\n".join([lead, block, "Ratings are the average of verified reviews; new items have none yet."])
    return flat_sample(doc, headers, rows, "price_list", table_hint="one row per product")


def make_group(rng: random.Random, index: int) -> list[Sample]:
    if index % 4 == 1:
        return [_lineup(rng)]
    if index % 4 == 3:
        return [_catalogue(rng)]
    kind = rng.choice(list(KINDS))
    brand, name = _product_name(rng)
    pool = _pool(rng, kind, brand)
    first = _kv(rng, kind, name, pool)
    if rng.random() < 0.25:  # a second listing of the same product (near-duplicate: same group)
        return [first, _kv(rng, kind, name, pool, style=rng.choice(["lines", "bullets", "table"]))]
    return [first]
