"""Invoices: line items (flat, 2 to 20 rows) laid out as text columns, a pipe table, CSV or an e-mail in
prose, some in German; and the invoice header with its totals (kv_single)."""

from __future__ import annotations

import random
from datetime import date, timedelta

from .common import (CITIES, DATE_STYLES, coined, Sample, company, flat_sample, fmt_date, kv_document, kv_sample, money, num,
                     person, rand_date, sentences, table_block)

DOMAIN = "invoice"
GROUPS = 22
FINE_PRINT = ("Terms and conditions: goods remain our property until paid in full. Please quote the invoice number "
              "on all payments. Queries must be raised within 14 days of the invoice date; after that the invoice is "
              "deemed accepted. Interest on late payment is charged at the statutory rate. Hourly work is billed in "
              "quarter-hour increments; travel time is billed at half the hourly rate.")
FINE_PRINT_DE = ("Es gelten unsere Allgemeinen Geschäftsbedingungen. Die Ware bleibt bis zur vollständigen Bezahlung "
                 "unser Eigentum. Bitte geben Sie bei Zahlung die Rechnungsnummer an. Leistungszeitraum entspricht dem "
                 "Rechnungsdatum, sofern nicht anders angegeben.")
ITEMS_EN = [("Consulting", "hrs", 60, 180), ("Site survey", "", 250, 900), ("Cat6 patch cable 2 m", "pcs", 3, 9),
            ("Laptop stand, aluminium", "pcs", 25, 60), ("Annual software licence", "", 120, 1200),
            ("On-site support", "hrs", 70, 140), ("Printer toner, black", "pcs", 40, 95), ("A4 paper, 500 sheets", "box", 4, 9),
            ("Wireless keyboard", "pcs", 20, 70), ("Travel expenses", "", 40, 400), ("Design workshop", "days", 600, 1500),
            ("Server rack rental", "months", 150, 450), ("Cleaning service", "visits", 45, 120),
            ("Office chair, mesh", "pcs", 90, 320), ("USB-C docking station", "pcs", 80, 220),
            ("Copywriting", "words", 0.08, 0.25), ("Hosting, premium tier", "months", 20, 90),
            ("Delivery charge", "", 8, 35), ("Label printer roll", "pcs", 6, 15), ("Training session", "hrs", 80, 150)]
ITEMS_DE = [("Beratung", "Std.", 80, 160), ("Montage vor Ort", "Std.", 55, 95), ("Netzwerkkabel 5 m", "Stk.", 4, 12),
            ("Bürostuhl", "Stk.", 120, 380), ("Softwarelizenz (1 Jahr)", "", 150, 900), ("Anfahrtspauschale", "", 25, 60),
            ("Druckerpapier A4", "Pkt.", 4, 8), ("Wartungsvertrag", "Monate", 40, 120), ("Schulung", "Tage", 500, 1200),
            ("Tastatur, kabellos", "Stk.", 25, 70), ("Versandkosten", "", 6, 20), ("Monitor 27 Zoll", "Stk.", 180, 420)]


def _lines(rng: random.Random, n: int, lang: str) -> list[tuple[str, str, float, float, str]]:
    """``n`` invoice lines: (description, unit, quantity, unit price, article number)."""
    pool = ITEMS_DE if lang == "de" else ITEMS_EN
    chosen = rng.sample(pool, min(n, len(pool)))
    while len(chosen) < n:  # long invoices repeat items with a variant suffix
        name, unit, lo, hi = rng.choice(pool)
        chosen.append((f"{name} ({rng.choice(['batch 2', 'extra', 'replacement', 'Nachlieferung' if lang == 'de' else 'rush'])})",
                       unit, lo, hi))
    lines = []
    for name, unit, lo, hi in chosen:
        qty = 1 if unit == "" else (rng.randint(500, 3000) if unit == "words" else rng.randint(1, 24))
        price = round(rng.uniform(lo, hi), 2 if hi < 1 or rng.random() < 0.5 else 0)
        lines.append((name, unit, float(qty), price, f"{rng.choice(['A', 'B', 'K'])}{rng.randint(1000, 9999)}"))
    return lines


def _items(rng: random.Random, long: bool = False) -> Sample:
    """Line items; ``long``: 17 to 20 lines with article numbers and the fine print."""
    lang = "de" if rng.random() < 0.2 else "en"
    currency = "EUR" if lang == "de" else rng.choice(["USD", "GBP", "EUR"])
    n = rng.randint(17, 20) if long else rng.randint(2, 16)
    lines = _lines(rng, n, lang)
    with_sku, with_unit = long or rng.random() < 0.35, rng.random() < 0.4
    dec = 2
    if lang == "de":
        headers = (["Art.-Nr."] if with_sku else []) + ["Bezeichnung", "Menge"] + (["Einheit"] if with_unit else []) + \
            [rng.choice(["Einzelpreis", "E-Preis"]), rng.choice(["Gesamtpreis", "Betrag"])]
    else:
        headers = ([rng.choice(["SKU", "Item code", "Ref"])] if with_sku else []) + \
            [rng.choice(["Description", "Item", "Service"]), rng.choice(["Qty", "Quantity", "Hours/Qty"])] + \
            (["Unit"] if with_unit else []) + [rng.choice(["Unit price", "Rate", "Price", "Unit cost"]),
                                               rng.choice(["Amount", "Line total", "Total"])]
    rows: list[list[str | None]] = []
    subtotal = 0.0
    for name, unit, qty, price, sku in lines:
        total = qty * price
        subtotal += total
        q = num(qty, 0, lang)
        rows.append(([sku] if with_sku else []) + [name, q] + ([unit or None] if with_unit else []) +
                    [num(price, dec, lang), num(total, dec, lang)])
    vat_rate = 19 if lang == "de" else rng.choice([0, 5, 20])
    vat = subtotal * vat_rate / 100
    seller, buyer = company(rng), company(rng)
    issued = rand_date(rng, date(2024, 1, 1), 600)
    if lang == "de":
        head = (f"{seller}\nRECHNUNG Nr. {issued.year}-{rng.randint(100, 9999)}\nDatum: {fmt_date(issued, 'dot', 'de')}\n"
                f"Kunde: {buyer}\n\nSehr geehrte Damen und Herren, wir berechnen Ihnen folgende Leistungen:")
        foot = (f"Zwischensumme: {money(subtotal, currency, lang='de')}\nMwSt. {vat_rate} %: {money(vat, currency, lang='de')}\n"
                f"Gesamtbetrag: {money(subtotal + vat, currency, lang='de')}\n\nZahlbar innerhalb von 14 Tagen ohne Abzug.")
    else:
        head = (f"{seller}\nINVOICE #{rng.randint(1000, 99999)}\nDate: {fmt_date(issued, rng.choice(DATE_STYLES))}\n"
                f"Bill to: {buyer}\nAttn: {person(rng)}")
        foot = (f"Subtotal: {money(subtotal, currency)}\nVAT ({vat_rate}%): {money(vat, currency)}\n"
                f"Total due: {money(subtotal + vat, currency)}\n\nPayment terms: net 30. Thank you for your business.")
    if lang == "en" and n <= 4 and rng.random() < 0.6:  # an e-mail instead of a layout
        parts = [f"Hi {person(rng).split()[0]}, please find below what we are billing for last month's work."]
        for r in rows:
            d = dict(zip(headers, r))
            qty, desc = d[headers[1 + with_sku]], d[headers[with_sku]]
            unit = (f" {r[2 + with_sku]}" if with_unit and r[2 + with_sku] else "")
            parts.append(f"{desc}: {qty}{unit} at {r[-2]} each, so {r[-1]}.")
        parts.append(f"Amounts are in {currency} and exclude VAT. Let me know if anything looks off.")
        doc = sentences(rng, parts, (2, 3)) + f"\n\nBest regards,\n{person(rng)}, {seller}"
        rows = [[None] + r[1:] if with_sku else r for r in rows]  # an e-mail names no article numbers
    else:
        _, block = table_block(rng, headers, rows, ("aligned", "aligned", "markdown", "csv"))
        doc = "\n\n".join([head, block, foot] + ([FINE_PRINT_DE if lang == "de" else FINE_PRINT] if long or rng.random() < 0.3 else []))
    meta = {"language": "de", "locale": rng.choice(["de-DE", "de-AT"])} if lang == "de" else \
        {"locale": {"USD": "en-US", "GBP": "en-GB", "EUR": "en-IE"}[currency]}
    return flat_sample(doc, headers, rows, "line_items", table_hint=rng.choice([None, "line items"]),
                       **meta)  # type: ignore[arg-type]


def _header(rng: random.Random) -> Sample:
    currency = rng.choice(["USD", "GBP", "EUR"])
    issued = rand_date(rng, date(2024, 1, 1), 600)
    style = rng.choice(DATE_STYLES)
    net = rng.uniform(80, 24000)
    rate = rng.choice([0, 5, 10, 20])
    seller, buyer = company(rng), company(rng)
    attrs = [(rng.choice(["Invoice number", "Invoice no.", "Invoice #"]), f"INV-{issued.year}-{rng.randint(1, 9999):04d}",
              ["This is invoice {v}.", "Please quote {v} with your payment."]),
             (rng.choice(["Invoice date", "Issued", "Date"]), fmt_date(issued, style), ["It was issued on {v}."]),
             (rng.choice(["Due date", "Payment due"]), fmt_date(issued + timedelta(days=rng.choice([14, 30, 45])), style),
              ["Payment is due by {v}.", "Please pay by {v}."]),
             (rng.choice(["Customer", "Bill to", "Client"]), buyer, ["It is addressed to {v}.", "The customer is {v}."]),
             (rng.choice(["PO number", "Purchase order"]), f"PO-{rng.randint(10000, 99999)}",
              ["It refers to purchase order {v}."]),
             (rng.choice(["Subtotal", "Net amount"]), money(net, currency), ["The net amount is {v}."]),
             (rng.choice(["VAT", "Tax"]), money(net * rate / 100, currency),
              ["Tax comes to {v}.", "VAT charged: {v}."]),
             (rng.choice(["Total due", "Amount due", "Total"]), money(net * (1 + rate / 100), currency),
              ["The total due is {v}.", "In total, {v} is payable."]),
             (rng.choice(["Payment terms", "Terms"]), rng.choice(["net 30", "net 14", "due on receipt", "2/10 net 30"]),
              ["Terms are {v}.", "Payment terms: {v}."])]
    keep = attrs[:1] + [a for a in attrs[1:] if rng.random() < 0.65]
    address = f"{rng.randint(2, 240)} {coined(rng)} {rng.choice(['Street', 'Road', 'Lane'])}, {rng.choice(CITIES)}"
    lead = rng.choice([f"{seller}\n{address}\n\nInvoice summary for the accounts team of {buyer}. The full itemised invoice "
                       "is attached as a PDF; the essentials are repeated here for your records.",
                       f"Dear accounts team,\n\nplease find our latest invoice attached. It covers the work agreed in "
                       f"the last quarterly review.\n\nFrom: {seller}, {address}"])
    outro = rng.choice(["Bank details are printed on the PDF.", "Late payments incur interest at 1.5% per month.",
                        "Questions about this invoice? Reply to this message."])
    _, doc = kv_document(rng, lead, keep, outro=outro, list_intro=rng.choice(["Invoice details:", "Summary"]),
                         table_headers=("Field", "Value"))
    return kv_sample(doc, [(rng.choice(["Supplier", "From", "Vendor"]), seller)] + [(k, v) for k, v, _ in keep],
                     "invoice_header", locale={"USD": "en-US", "GBP": "en-GB", "EUR": "en-IE"}[currency])


def make_group(rng: random.Random, index: int) -> list[Sample]:
    return [_header(rng)] if index % 3 == 2 else [_items(rng, long=index % 6 == 3)]
