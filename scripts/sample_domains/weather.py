"""Weather reports: a multi-day forecast (flat, 3 to 14 rows, English or German), an hourly forecast (flat,
8 to 20 rows) and a station observation (kv_single)."""

from __future__ import annotations

import random
from datetime import date, timedelta

from .common import (CITIES, WEEKDAYS, WEEKDAYS_DE, Sample, coined, flat_sample, fmt_date, kv_document, kv_sample,
                     rand_date, sentences, table_block)

DOMAIN = "weather"
GROUPS = 22
SKIES = ["sunny", "partly cloudy", "overcast", "light rain", "showers", "thunderstorms", "fog early, then sunny",
         "sleet", "clear", "windy with sunny spells"]
SKIES_DE = ["sonnig", "heiter bis wolkig", "bedeckt", "leichter Regen", "Schauer", "Gewitter", "Nebel, später sonnig",
            "Schneeregen", "klar"]
WINDS = ["N", "NE", "E", "SE", "S", "SW", "W", "NW"]
SEASON = [2, 3, 8, 13, 17, 21, 24, 23, 19, 13, 7, 3]  # typical daily high (°C) per month
DE_CITIES = ["Kassel", "Rostock", "Freiburg", "Augsburg", "Bielefeld", "Linz", "Graz"]


def _daily(rng: random.Random) -> Sample:
    de = rng.random() < 0.3
    n = rng.randint(3, 14)
    start = rand_date(rng, date(2025, 1, 1), 330)
    fahrenheit = not de and rng.random() < 0.3
    unit = "°F" if fahrenheit else "°C"
    base = SEASON[start.month - 1] + rng.randint(-4, 4)
    date_style = rng.choice(["weekday", "weekday_date", "date"])
    if de:
        headers = [rng.choice(["Tag", "Datum"]), rng.choice(["Höchstwert", "Max."]), rng.choice(["Tiefstwert", "Min."]),
                   "Wetter", rng.choice(["Niederschlag", "Regenrisiko"]), "Wind"]
    else:
        headers = [rng.choice(["Day", "Date"]), rng.choice(["High", "Max", "High (°C)" if not fahrenheit else "High (°F)"]),
                   rng.choice(["Low", "Min"]), rng.choice(["Conditions", "Sky", "Outlook"]),
                   rng.choice(["Chance of rain", "Precip.", "Rain"]), rng.choice(["Wind", "Wind (km/h)"])]
    show_unit = "(" not in headers[1]
    rows: list[list[str | None]] = []
    for i in range(n):
        d = start + timedelta(days=i)
        wd = (WEEKDAYS_DE if de else WEEKDAYS)[d.weekday()]
        label = {"weekday": wd, "date": fmt_date(d, "dot" if de else rng.choice(["iso", "dmy_abbr"]), "de" if de else "en"),
                 "weekday_date": f"{wd[:2] if de else wd[:3]} {d.day:02d}.{d.month:02d}." if de else f"{wd[:3]} {d.day}"}[date_style]
        if n > 7 and date_style == "weekday":
            label = f"{wd} {d.day}"
        hi_c = base + rng.randint(-3, 4)
        lo_c = hi_c - rng.randint(3, 10)
        hi, lo = (round(hi_c * 9 / 5 + 32), round(lo_c * 9 / 5 + 32)) if fahrenheit else (hi_c, lo_c)
        k = rng.randrange(len(SKIES_DE))
        sky = (SKIES_DE if de else SKIES)[k]
        wet = k in (3, 4, 5, 7)
        chance = rng.choice([40, 60, 70, 80, 90] if wet else [0, 0, 5, 10, 20])
        rain = f"{chance}%" if headers[4] != "Rain" else f"{rng.randint(1, 18) if wet else 0} mm"
        wind_speed = rng.randint(5, 45)
        wind = f"{rng.choice(WINDS)} {wind_speed}" + ("" if "km/h" in headers[5] else " km/h")
        rows.append([label, f"{hi}{unit}" if show_unit else str(hi), f"{lo}{unit}" if show_unit else str(lo), sky,
                     rain if rng.random() < 0.9 else None, wind if rng.random() < 0.9 else None])
    place = rng.choice(DE_CITIES if de else CITIES)
    if de:
        lead = f"Wetter für {place}: die Aussichten für die nächsten {n} Tage. Stand: {fmt_date(start, 'long', 'de')}."
        tail = "Alle Angaben ohne Gewähr. Die Werte beziehen sich auf die Messstation am Flughafen."
    else:
        lead = rng.choice([f"{n}-day forecast for {place}, issued {fmt_date(start - timedelta(days=1), 'dmy_long')}.",
                           f"Here is the outlook for {place} over the coming days."])
        tail = rng.choice(["A weather warning may be issued if the storm track shifts north.",
                           "Temperatures near the coast will be a degree or two lower."])
        if rng.random() < 0.5:
            tail = ("Synopsis: a slow-moving area of low pressure sits to the west and will drift east through the "
                    "period, bringing bands of cloud and rain at times. High pressure should build towards the end, "
                    "giving drier and brighter weather, although nights may turn chilly under clear skies. "
                    "Confidence in the details beyond day five is low. ") + tail
    if n <= 5 and not de and rng.random() < 0.6:
        parts = []
        for r in rows:
            s = f"{r[0]}: {r[3]}, with a high of {r[1]}{'' if show_unit else unit} and a low of {r[2]}{'' if show_unit else unit}."
            if r[4]:
                s += f" Rain: {r[4]}." if r[4].endswith("mm") else f" Chance of rain {r[4]}."
            if r[5]:
                s += f" Wind {r[5]}{'' if r[5].endswith('km/h') else ' km/h'}."
            parts.append(s)
        body = sentences(rng, parts, (1, 2))
    else:
        body = table_block(rng, headers, rows, ("markdown", "aligned", "csv"))[1]
    doc = "\n\n".join([lead, body, tail])
    meta = {"language": "de", "locale": rng.choice(["de-DE", "de-AT"])} if de else \
        {"locale": "en-US" if fahrenheit else rng.choice(["en-GB", "en-AU"])}
    return flat_sample(doc, headers, rows, "daily_forecast", table_hint=rng.choice([None, "one row per day"]),
                       **meta)  # type: ignore[arg-type]


def _hourly(rng: random.Random) -> Sample:
    n = rng.randint(8, 20)
    step = 1 if n > 12 else rng.choice([1, 2])
    hour = rng.randint(0, 23 - (n - 1) * step)
    wind = rng.randint(5, 40)
    temp = rng.randint(-4, 24)  # an hourly forecast names no date: any season
    headers = [rng.choice(["Time", "Hour"]), rng.choice(["Temp", "Temperature"]), rng.choice(["Feels like", "Wind chill"]),
               rng.choice(["Precip.", "Rain chance"]), rng.choice(["Wind", "Gusts"])]
    rows: list[list[str | None]] = []
    for i in range(n):
        h = (hour + i * step) % 24
        temp += rng.choice([-1, 0, 0, 1, 2]) if h < 15 else rng.choice([-2, -1, 0])
        feels = temp - rng.randint(0, 5)
        wind = max(0, wind + rng.randint(-6, 6))
        rows.append([f"{h:02d}:00", f"{temp}°C", f"{feels}°C" if rng.random() < 0.85 else None,
                     f"{rng.choice([0, 0, 10, 20, 30, 50, 70])}%", f"{wind} km/h"])
    place = rng.choice(CITIES)
    lead = f"Hour-by-hour forecast for {place} ({rng.choice(['valley floor', 'city centre', 'airport'])})."
    tail = rng.choice(["Feels-like values are blank where the model run did not provide them.",
                       "Updated every three hours."])
    doc = "\n\n".join([lead, table_block(rng, headers, rows)[1], tail])
    return flat_sample(doc, headers, rows, "hourly_forecast", table_hint=None, locale=rng.choice(["en-GB", "en-AU"]))


def _observation(rng: random.Random) -> Sample:
    station = f"{rng.choice(CITIES)} {rng.choice(['Airport', 'Harbour', 'Observatory', 'AWS'])}"
    when = rand_date(rng, date(2025, 1, 1), 330)
    hour = rng.randint(0, 23)
    t = SEASON[when.month - 1] - (6 if hour < 7 or hour > 20 else 0) + rng.randint(-5, 3)
    attrs = [(rng.choice(["Observed", "Time of observation"]), f"{fmt_date(when, rng.choice(['iso', 'dmy_long']))} {hour:02d}:{rng.choice(['00', '30'])}",
              ["The observation was made at {v}.", "Readings taken {v}."]),
             (rng.choice(["Temperature", "Air temperature", "Temp"]), f"{t}°C", ["The temperature was {v}.", "It was {v}."]),
             (rng.choice(["Humidity", "Relative humidity"]), f"{rng.randint(25, 99)}%", ["Relative humidity stood at {v}."]),
             (rng.choice(["Dew point", "Dewpoint"]), f"{t - rng.randint(1, 12)}°C", ["The dew point was {v}."]),
             ("Wind", f"{rng.choice(WINDS)} at {rng.randint(0, 60)} km/h", ["Wind: {v}.", "The wind blew from the {v}."]),
             (rng.choice(["Pressure", "Barometric pressure"]), f"{rng.randint(985, 1038)} hPa",
              ["Pressure read {v} and was falling slowly.", "Barometric pressure: {v}."]),
             (rng.choice(["Visibility", "Vis."]), rng.choice(["10 km", "more than 10 km", "4 km", "800 m"]), ["Visibility was {v}."]),
             (rng.choice(["UV index", "UV"]), str(rng.randint(1, 9) if 8 <= hour <= 17 else 0), ["The UV index reached {v}."]),
             (rng.choice(["Weather", "Present weather"]), rng.choice(SKIES), ["Conditions: {v}.", "Present weather: {v}."])]
    keep = attrs[:2] + [a for a in attrs[2:] if rng.random() < 0.65]
    lead = rng.choice([f"Latest observation from {station}.", f"Automatic weather station report — {station} ({coined(rng).upper()[:4]})."])
    lead += " " + " ".join(rng.sample(["Values are ten-minute averages unless stated otherwise.",
                                       "The sensors stand 12 m above sea level.",
                                       "Data are provisional and have not been quality-controlled.",
                                       "Sensors were recalibrated last month after the storm damage.",
                                       "The report is generated automatically and sent every half hour."], 3))
    outro = rng.choice(["Next report in 30 minutes.", "Gust data are unavailable due to a sensor fault."])
    _, doc = kv_document(rng, lead, keep, outro=outro, list_intro="Current conditions:", table_headers=("Element", "Value"))
    return kv_sample(doc, [(rng.choice(["Station", "Location"]), station)] + [(k, v) for k, v, _ in keep],
                     "observation", locale=rng.choice(["en-GB", "en-AU", "en-CA"]))


def make_group(rng: random.Random, index: int) -> list[Sample]:
    if index % 2 == 0:
        return [_daily(rng)]
    return [_hourly(rng)] if index % 4 == 1 else [_observation(rng)]
