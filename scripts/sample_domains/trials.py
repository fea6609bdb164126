"""Clinical-trial summaries of invented drugs: the trial's key facts (kv_single, abstract-style prose or a
registry record), adverse events by arm (flat, 4 to 14 rows) and efficacy by arm or dose cohort (flat)."""

from __future__ import annotations

import random
from datetime import date

from .common import (DATE_STYLES, Sample, coined, company, flat_sample, fmt_date, kv_document, kv_sample, num,
                     rand_date, sentences, table_block, words)

DOMAIN = "clinical_trial"
GROUPS = 21
CONDITIONS = ["moderate plaque psoriasis", "type 2 diabetes", "treatment-resistant hypertension", "migraine",
              "non-small cell lung cancer", "ulcerative colitis", "chronic kidney disease", "atopic dermatitis",
              "major depressive disorder", "heart failure with preserved ejection fraction"]
ENDPOINTS = ["change in HbA1c at week 26", "PASI 75 response at week 16", "monthly migraine days",
             "progression-free survival", "clinical remission at week 12", "change in systolic blood pressure",
             "eGFR slope over 104 weeks", "EASI 75 at week 16"]
BACKGROUND = ["Current treatments leave many patients with persistent symptoms.",
              "Earlier studies suggested a benefit, but they were small and not blinded.",
              "Participants and investigators did not know who received the active drug.",
              "Randomisation was stratified by region and baseline severity.",
              "The analysis followed the intention-to-treat principle.",
              "An independent data monitoring committee reviewed safety every six months.",
              "Results are summarised here for participants and the public."]
EVENTS = ["Headache", "Nausea", "Diarrhoea", "Fatigue", "Nasopharyngitis", "Dizziness", "Upper respiratory infection",
          "Injection-site reaction", "Rash", "Elevated ALT", "Hypertension", "Back pain", "Insomnia", "Anaemia",
          "Constipation", "Peripheral oedema"]


def _drug(rng: random.Random) -> str:
    stem = coined(rng).lower() + rng.choice(["mab", "tinib", "lisib", "gliptin", "sartan", "cept"])
    return rng.choice([stem, f"{rng.choice(['KX', 'VR', 'TZ', 'ON'])}-{rng.randint(100, 999)} ({stem})"])


def _facts(rng: random.Random) -> Sample:
    drug, condition = _drug(rng), rng.choice(CONDITIONS)
    n = rng.randint(24, 3200)
    start = rand_date(rng, date(2017, 1, 1), 2400)
    hr = rng.uniform(0.55, 0.98)
    lo, hi = hr * rng.uniform(0.75, 0.9), min(1.05, hr * rng.uniform(1.1, 1.25))
    attrs = [
        (rng.choice(["Trial ID", "Registry number", "Identifier"]), f"CTR-{start.year}-{rng.randint(100, 99999):05d}",
         ["The study is registered as {v}.", "Registration: {v}."]),
        (rng.choice(["Phase", "Trial phase"]), rng.choice(["Phase 1", "Phase 2", "Phase 2b", "Phase 3", "phase III"]),
         ["This was a {v} study.", "The trial is a {v}, multicentre study."]),
        (rng.choice(["Indication", "Condition", "Disease"]), condition,
         ["It enrolled adults with {v}.", "Participants had a diagnosis of {v}."]),
        (rng.choice(["Participants", "Enrolment", "Patients (n)", "Sample size"]),
         rng.choice([num(n), str(n)]) if n > 20 else words(n),
         ["In total, {v} participants were randomised.", "{v} patients were enrolled."]),
        (rng.choice(["Randomisation", "Allocation ratio"]), rng.choice(["1:1", "2:1", "1:1:1"]),
         ["Allocation was {v} to active treatment or placebo.", "Patients were randomised {v}."]),
        (rng.choice(["Primary endpoint", "Primary outcome"]), rng.choice(ENDPOINTS),
         ["The primary endpoint was {v}.", "Efficacy was judged on {v}."]),
        (rng.choice(["Duration", "Treatment duration", "Follow-up"]), rng.choice(["12 weeks", "24 weeks", "52 weeks", "18 months"]),
         ["Treatment lasted {v}.", "Patients were followed for {v}."]),
        (rng.choice(["Sponsor", "Funded by"]), company(rng),
         ["The trial was sponsored by {v}.", "Funding came from {v}."]),
        (rng.choice(["Start date", "First patient in"]), fmt_date(start, rng.choice(DATE_STYLES)),
         ["The first patient was dosed on {v}.", "Recruitment opened on {v}."]),
        (rng.choice(["Status", "Recruitment status"]), rng.choice(["completed", "active, not recruiting", "terminated early"]),
         ["Current status: {v}.", "The study is now {v}."]),
        (rng.choice(["Hazard ratio", "HR (95% CI)", "Main result"]), f"{hr:.2f} ({lo:.2f}–{hi:.2f})",
         ["The hazard ratio was {v}.", "The main analysis gave a hazard ratio of {v}."]),
        (rng.choice(["p-value", "P value"]), rng.choice(["p<0.001", "p=0.002", "p=0.04", "p=0.21"]),
         ["The result was reported with {v}.", "Significance: {v}."]),
    ]
    keep = attrs[:1] + [a for a in attrs[1:] if rng.random() < 0.6]
    lead = rng.choice([f"Summary of results: {drug} in {condition}.",
                       f"A randomised study of {drug} versus placebo. Plain-language summary for participants."])
    lead += "\n\n" + " ".join(rng.sample(BACKGROUND, 3))
    outro = rng.choice(["Full results will be submitted to a peer-reviewed journal.",
                        "Safety findings were consistent with earlier studies; no new signals emerged.",
                        "This summary was prepared by the sponsor and checked by an independent reviewer."])
    _, doc = kv_document(rng, lead, keep, outro=outro, list_intro=rng.choice(["Study design", "Key facts:", "Registry record:"]),
                         table_headers=("Field", "Entry"))
    return kv_sample(doc, [(rng.choice(["Drug", "Investigational product", "Intervention"]), drug)] +
                     [(k, v) for k, v, _ in keep], "trial_summary", locale=rng.choice(["en-GB", "en-US"]),
                     table_hint=rng.choice([None, "trial characteristics"]))


def _adverse(rng: random.Random) -> Sample:
    drug = _drug(rng)
    n_drug, n_pbo = rng.randint(60, 900), rng.randint(40, 600)
    events = rng.sample(EVENTS, rng.randint(4, 14))
    short = drug.split(" (")[0]
    headers = [rng.choice(["Adverse event", "Event", "Preferred term"]), f"{short} (n={n_drug})",
               f"Placebo (n={n_pbo})"]
    with_grade = rng.random() < 0.4
    if with_grade:
        headers.append(rng.choice(["Grade ≥3", "Serious (drug arm)"]))
    rows: list[list[str | None]] = []
    for ev in events:
        a, b = rng.uniform(1, 22), rng.uniform(0.5, 15)
        row: list[str | None] = [ev, f"{a:.1f}%", f"{b:.1f}%" if rng.random() < 0.92 else None]
        if with_grade:
            row.append(f"{a * rng.uniform(0, 0.2):.1f}%" if rng.random() < 0.7 else None)
        rows.append(row)
    lead = (f"Treatment-emergent adverse events reported in at least 2% of patients in either arm of the pivotal "
            f"trial of {drug} in {rng.choice(CONDITIONS)}. " + " ".join(rng.sample(BACKGROUND, rng.randint(0, 3))))
    _, block = table_block(rng, headers, rows)
    tail = "Percentages are of patients in each arm; a dash means the event was not collected in that arm."
    doc = "\n\n".join([lead, block, tail])
    return flat_sample(doc, headers, rows, "adverse_events", table_hint=rng.choice([None, "one row per adverse event"]),
                       locale="en-US")


def _arms(rng: random.Random) -> Sample:
    drug = _drug(rng).split(" (")[0]
    cohort = rng.random() < 0.5
    rows: list[list[str | None]] = []
    if cohort:  # phase 1 dose escalation
        headers = [rng.choice(["Cohort", "Dose level"]), rng.choice(["Dose", "Dose (mg)"]), rng.choice(["Patients", "N"]),
                   rng.choice(["DLTs", "Dose-limiting toxicities"])]
        dose = rng.choice([5, 10, 25])
        for i in range(rng.randint(3, 8)):
            unit = " mg" if headers[1] == "Dose" else ""
            rows.append([str(i + 1), f"{dose}{unit}", str(rng.choice([3, 3, 6])), str(rng.choice([0, 0, 0, 1, 2]))])
            dose *= 2
        parts = [f"Cohort {r[0]} received {r[1]}{' mg' if not r[1].endswith('mg') else ''} with {r[2]} patients "
                 f"and {r[3]} dose-limiting toxicities." for r in rows]
        lead = (f"First-in-human dose escalation of {drug}: results by cohort. Doses were doubled between cohorts "
                "until a dose-limiting toxicity was seen in more than one patient of a cohort.")
    else:
        headers = ["Arm", rng.choice(["N", "Patients"]), rng.choice(["Response rate", "ORR", "Responders (%)"]),
                   rng.choice(["Median PFS", "Median PFS (months)"])]
        arms = [f"{drug} {d} mg" for d in sorted(rng.sample([50, 100, 200, 400], rng.randint(1, 3)))] + ["Placebo"]
        for arm in arms:
            pfs = f"{rng.uniform(2.5, 14):.1f}" + ("" if "months" in headers[3] else " months")
            rate = rng.uniform(3, 20) if arm == "Placebo" else rng.uniform(15, 62)
            rows.append([arm, str(rng.randint(40, 300)), f"{rate:.1f}%", pfs if rng.random() < 0.85 else None])
        parts = [f"In the {r[0]} arm ({r[1]} patients) the response rate was {r[2]}" +
                 (f" and median progression-free survival was {r[3]}{'' if r[3].endswith('months') else ' months'}." if r[3]
                  else "; progression-free survival was not yet mature.") for r in rows]
        lead = f"Efficacy by treatment arm in the randomised study of {drug}. " + " ".join(rng.sample(BACKGROUND, 2))
    if rng.random() < 0.5:
        body = sentences(rng, parts, (2, 3))
    else:
        body = table_block(rng, headers, rows)[1]
    doc = "\n\n".join([lead, body, "Data cut-off was six months after the last patient was enrolled."])
    return flat_sample(doc, headers, rows, "dose_cohorts" if cohort else "efficacy_by_arm", locale="en-US",
                       table_hint=None)


def make_group(rng: random.Random, index: int) -> list[Sample]:
    if index % 3 == 0:
        return [_facts(rng)]
    return [_adverse(rng)] if index % 3 == 1 else [_arms(rng)]
