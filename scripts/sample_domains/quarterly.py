"""Company quarterly results: headline figures of one quarter (kv_single, with a press-release and a news
version of the same quarter in one group), a segment or region breakdown, and a multi-quarter trend (flat)."""

from __future__ import annotations

import random
from datetime import date

from .common import (DATE_STYLES, Sample, company, flat_sample, fmt_date, kv_document, kv_sample, person,
                     sentences, subset, table_block)

DOMAIN = "quarterly_results"
GROUPS = 21
ORDINAL = {1: "first", 2: "second", 3: "third", 4: "fourth"}
COMMENTARY = ["Demand held up better than management had feared in the spring.",
              "Currency movements reduced reported growth by about two points.",
              "The company repeated its full-year targets and announced a new buyback.",
              "Analysts had expected weaker margins after a difficult previous quarter.",
              "Inventory fell for the third consecutive quarter.",
              "Management flagged higher logistics costs as the main risk for the rest of the year.",
              "Capital expenditure was lower than planned because two projects were delayed."]
SEGMENTS = ["Cloud Services", "Hardware", "Consumer", "Enterprise Software", "Payments", "Advertising",
            "Industrial", "Healthcare", "Licensing", "Professional Services", "Logistics", "Retail"]
REGIONS = ["North America", "Europe", "Asia-Pacific", "Latin America", "Middle East & Africa", "Nordics",
           "United Kingdom", "Japan"]


def _millions(rng: random.Random, x: float, currency: str) -> str:
    sym = {"USD": "$", "EUR": "€", "GBP": "£"}[currency]
    if x >= 1000 and rng.random() < 0.6:
        return f"{sym}{x / 1000:.2f} billion"
    return rng.choice([f"{sym}{x:,.1f} million", f"{sym}{x:,.1f}m", f"{currency} {x:,.1f} million"])


def _facts(rng: random.Random) -> dict[str, tuple[str, str, list[str]]]:
    """All headline facts of one quarter, keyed by concept: (header, value, templates)."""
    currency = rng.choice(["USD", "USD", "EUR", "GBP"])
    revenue = rng.uniform(40, 6000)
    margin = rng.uniform(-8, 28)
    q, year = rng.randint(1, 4), rng.randint(2022, 2025)
    quarter = rng.choice([f"Q{q} {year}", f"Q{q} FY{year % 100}", f"{ORDINAL[q]} quarter of {year}"])
    net = revenue * margin / 100 * 0.8
    eps = net / rng.uniform(50, 400)
    facts = {
        "company": (rng.choice(["Company", "Issuer"]), company(rng), []),
        "quarter": (rng.choice(["Quarter", "Period", "Fiscal quarter"]), quarter, []),
        "revenue": (rng.choice(["Revenue", "Net sales", "Total revenue", "Turnover"]), _millions(rng, revenue, currency),
                    ["Revenue came in at {v}.", "Net sales reached {v} for the period.", "Sales totalled {v}."]),
        "growth": (rng.choice(["Revenue growth", "YoY growth", "Growth (YoY)"]), f"{rng.uniform(-9, 35):.1f}%",
                   ["That is a change of {v} from the same quarter a year earlier.", "Year-over-year growth was {v}."]),
        "net": (rng.choice(["Net income", "Net profit"]), _millions(rng, net, currency),
                ["Net income was {v}.", "The bottom line showed a profit of {v}."]) if net > 0 else
               (rng.choice(["Net loss", "Loss for the period"]), _millions(rng, -net, currency),
                ["The net loss narrowed to {v}.", "It booked a net loss of {v}."]),
        "eps": (rng.choice(["EPS", "Diluted EPS", "Earnings per share"]),
                f"{'-' if eps < 0 else ''}{ {'USD': '$', 'EUR': '€', 'GBP': '£'}[currency]}{abs(eps):.2f}",
                ["Diluted earnings per share were {v}.", "EPS came to {v} against a consensus estimate of less."]),
        "margin": (rng.choice(["Operating margin", "EBIT margin"]), f"{margin:.1f}%",
                   ["The operating margin stood at {v}.", "Operating margin landed at {v}."]),
        "gross": (rng.choice(["Gross margin", "Gross margin (%)"]), f"{rng.uniform(22, 74):.1f}%",
                  ["Gross margin was {v}.", "Gross margin moved to {v}."]),
        "fcf": (rng.choice(["Free cash flow", "FCF"]), _millions(rng, revenue * rng.uniform(0.02, 0.2), currency),
                ["Free cash flow amounted to {v}.", "The company generated {v} of free cash flow."]),
        "guidance": (rng.choice(["Guidance", "Next-quarter outlook", "Outlook"]),
                     f"{_millions(rng, revenue * 1.01, currency)} to {_millions(rng, revenue * 1.07, currency)}",
                     ["For the next quarter it expects revenue of {v}.", "Guidance for the coming quarter is {v}."]),
        "staff": (rng.choice(["Employees", "Headcount"]), f"{rng.randint(180, 42000):,}",
                  ["Headcount ended the quarter at {v}.", "The group employed {v} people at quarter end."]),
        "ceo": (rng.choice(["CEO", "Chief executive"]), person(rng),
                ["\"We delivered another disciplined quarter,\" said chief executive {v}.",
                 "Chief executive {v} called the result \"a solid step\"."]),
        "date": (rng.choice(["Report date", "Published"]),
                 fmt_date(date(year + (q == 4), 3 * q + 1 if q < 4 else 1, rng.randint(2, 28)), rng.choice(DATE_STYLES)),
                 ["The figures were published on {v}.", "Results were released on {v}."]),
    }
    return facts


def _headline(rng: random.Random, facts: dict, style: str | None = None) -> Sample:  # type: ignore[type-arg]
    optional = [k for k in facts if k not in ("company", "quarter")]
    rng.shuffle(optional)
    keys = ["revenue"] + subset(rng, [k for k in optional if k != "revenue"], 0.55, always=2)
    attrs = [facts[k] for k in keys]
    (cl, co, _), (ql, qu, _) = facts["company"], facts["quarter"]
    lead = rng.choice([f"{co} today reported results for the {qu}.",
                       f"{co} ({co.split()[0][:4].upper()}) released its numbers for the {qu} after the market closed.",
                       f"Results for the {qu}: {co} beats on revenue."])
    outro = " ".join(rng.sample(COMMENTARY, rng.randint(1, 4))) + " " + rng.choice([
                        "A conference call for analysts follows at 5 p.m. Eastern.",
                        "Forward-looking statements are subject to risks described in the annual report.",
                        "Shares moved in after-hours trading as investors digested the figures."])
    _, doc = kv_document(rng, lead, attrs, outro=outro, style=style, list_intro=rng.choice(
        ["Highlights:", "Key figures", "Financial highlights:"]), table_headers=("Metric", rng.choice(["Value", qu])))
    return kv_sample(doc, [(cl, co), (ql, qu)] + [(k, v) for k, v, _ in attrs], "quarterly_results",
                     table_hint=rng.choice([None, "headline figures of the quarter"]))


def _breakdown(rng: random.Random) -> Sample:
    co = company(rng)
    by_region = rng.random() < 0.4
    names = rng.sample(REGIONS if by_region else SEGMENTS, rng.randint(3, 8))
    unit = rng.choice(["$m", "€m", "USD million"])
    headers = [rng.choice(["Region", "Geography"] if by_region else ["Segment", "Division", "Business unit"]),
               rng.choice([f"Revenue ({unit})", f"Sales ({unit})", f"Net sales ({unit})"]),
               rng.choice(["YoY change", "Growth", "Change vs prior year"]),
               rng.choice([f"Operating income ({unit})", f"Segment profit ({unit})", "Operating margin"])]
    rows: list[list[str | None]] = []
    for name in names:
        rev = rng.uniform(8, 2400)
        profit = rev * rng.uniform(-0.1, 0.3)
        last = f"{profit:,.1f}" if profit >= 0 else f"({-profit:,.1f})"
        if headers[3] == "Operating margin":
            last = f"{profit / rev * 100:.1f}%"
        growth = f"{rng.uniform(-15, 40):+.1f}%" if rng.random() < 0.9 else None
        rows.append([name, f"{rev:,.1f}", growth, last])
    quarter = f"Q{rng.randint(1, 4)} {rng.randint(2022, 2025)}"
    lead = (f"{co} breaks its {quarter} revenue down by {'region' if by_region else 'segment'} below. "
            f"Figures are unaudited; amounts in parentheses are losses.")
    _, block = table_block(rng, headers, rows)
    tail = rng.choice(["Growth rates compare with the same quarter of the prior year; n/a marks units that did"
                       " not exist then.", "Segment figures exclude corporate costs and eliminations."])
    doc = "\n\n".join([lead, block, tail])
    return flat_sample(doc, headers, rows, "revenue_breakdown", table_hint="one row per segment or region")


def _trend(rng: random.Random) -> Sample:
    co = company(rng)
    n = rng.randint(4, 12)
    year, q = rng.randint(2020, 2022), rng.randint(1, 4)
    label_style = rng.choice(["Q{q} {y}", "{y} Q{q}", "Q{q}/{yy}"])
    headers = [rng.choice(["Quarter", "Period"]), rng.choice(["Revenue ($m)", "Revenue (€m)", "Sales (m)"]),
               rng.choice(["Net income ($m)", "Net result (m)", "Net profit (m)"]),
               rng.choice(["EPS", "Diluted EPS"]), rng.choice(["Headcount", "Employees"])]
    rows: list[list[str | None]] = []
    rev = rng.uniform(60, 900)
    for _ in range(n):
        rev *= rng.uniform(0.94, 1.12)
        net = rev * rng.uniform(-0.06, 0.18)
        label = label_style.format(q=q, y=year, yy=f"{year % 100:02d}")
        staff = f"{rng.randint(300, 9000):,}" if rng.random() < 0.8 else None
        rows.append([label, f"{rev:,.1f}", f"{net:,.1f}" if net >= 0 else f"-{-net:,.1f}",
                     f"{net / rng.uniform(40, 120):.2f}", staff])
        q, year = (1, year + 1) if q == 4 else (q + 1, year)
    if rng.random() < 0.3:
        headers, rows = headers[:4], [r[:4] for r in rows]
    lead = rng.choice([f"Quarterly figures of {co} since {rows[0][0]}, as restated in the latest filing.",
                       f"Here is how {co} has done over the last {n} quarters."])
    parts = ["Revenue has been volatile but the trend is up.", "Headcount is reported at period end.",
             "Negative net income means a loss for the quarter."]
    _, block = table_block(rng, headers, rows)
    doc = "\n\n".join([lead, block, sentences(rng, rng.sample(parts, 2), (2, 2))])
    return flat_sample(doc, headers, rows, "quarterly_trend", table_hint=rng.choice([None, "one row per quarter"]))


def make_group(rng: random.Random, index: int) -> list[Sample]:
    if index % 3 == 1:
        return [_breakdown(rng)]
    if index % 3 == 2:
        return [_trend(rng)]
    facts = _facts(rng)
    first = _headline(rng, facts)
    if rng.random() < 0.3:  # the same quarter written up twice: near-duplicates share a group
        return [first, _headline(rng, facts, style=rng.choice(["prose", "bullets", "lines"]))]
    return [first]
