"""Rows told in sentences of one pattern: which sentences start a row, what an item holds, what is left alone."""

import re

import pytest

from text2table.layout.item_lists import find_item_list
from text2table.pipeline.config import PipelineConfig
from text2table.pipeline.run import run
from text2table.decoding.prompts import find_block
from text2table.core.schema import Schema, schema_answer
from text2table.layout.sentence_lists import find_sentence_list, number_shapes, pattern_words, sentences
from text2table.core.table import dump_rows

from .pipeline_fakes import ScriptedBackend, is_pi2

CAREER = """Ines Okoro has had a long career in public service.

From 1981–1984 Ines was clerk at Harlow Council. From 1984–1990 Ines was analyst at Brenton Water.
1990–1995: director at Coastline Trust. From 1995–2001 Ines was adviser at Merrow Transport.

2001–2010: chair at Merrow Transport.

Dates are as published."""

FORECAST = """Outlook for Penmarsh.

Friday: showers, with a high of 12°C and a low of 5°C. Chance of rain 70%. Wind W 30 km/h.
Saturday: sunny, with a high of 15°C and a low of 6°C. Wind N 10 km/h. Sunday: fog, with a high of 11°C and a
low of 4°C. Chance of rain 10%. Expect a cold night."""

INVOICE = ("Hi Sam, here is what we bill for May. Site visit: 2 at 80.00 each, so 160.00. Report writing: 6 at "
           "55.50 each, so 333.00. Travel: 1 at 42.10 each, so 42.10. Amounts are in GBP. Thanks, Jo")


def test_a_career_in_two_patterns_keeps_every_row():
    items = find_sentence_list(CAREER)
    assert items == ["From 1981–1984 Ines was clerk at Harlow Council.",
                     "From 1984–1990 Ines was analyst at Brenton Water.",
                     "1990–1995: director at Coastline Trust.",
                     "From 1995–2001 Ines was adviser at Merrow Transport.",
                     "2001–2010: chair at Merrow Transport."]


def test_an_item_takes_the_sentences_after_it_and_leaves_a_closing_remark_out():
    items = find_sentence_list(FORECAST)
    assert items is not None and len(items) == 3
    assert items[0] == "Friday: showers, with a high of 12°C and a low of 5°C. Chance of rain 70%. Wind W 30 km/h."
    assert items[2] == "Sunday: fog, with a high of 11°C and a low of 4°C. Chance of rain 10%."  # not "Expect ..."


def test_an_invoice_told_in_an_email_gives_one_item_per_line_item():
    assert find_sentence_list(INVOICE) == ["Site visit: 2 at 80.00 each, so 160.00.",
                                           "Report writing: 6 at 55.50 each, so 333.00.",
                                           "Travel: 1 at 42.10 each, so 42.10."]
    found = find_item_list(INVOICE)
    assert found is not None and (found.kind, len(found.items), found.line) == ("sentences", 3, 1)


@pytest.mark.parametrize("document", [
    "The Punter is a cheap coffee shop near Café Sicilia, rated 1 out of 5.",
    "Cohort 1 received 25 mg with 3 patients. Cohort 2 received 50 mg with 3 patients. Follow-up ended.",
    ("Vera Pell was born on 14 December 1972 in Redmere. She was active 1994–present. She received the "
     "Quinthal Award (1999). Her 2003 book sold 40,000 copies in its first year."),
    "Revenue rose 4% to €812m in 2024. The company hired 120 staff. Net debt fell by €31m over 12 months.",
])
def test_prose_that_is_not_a_list_of_rows_gives_nothing(document):
    assert find_sentence_list(document) is None


@pytest.mark.parametrize("grid", [
    "Day       High  Low\nFriday    12    5\nSaturday  15    6\nSunday    11    4",
    "Day;High;Low\nFriday;12;5\nSaturday;15;6\nSunday;11;4",
    "Day,High,Low,Wind\nFriday,12,5,W 30\nSaturday,15,6,N 10\nSunday,11,4,E 5",
    "| Day | High | Low |\n|---|---|---|\n| Friday | 12 | 5 |\n| Saturday | 15 | 6 |\n| Sunday | 11 | 4 |",
])
def test_grid_and_delimited_rows_are_not_sentences(grid):
    assert sentences(grid) == []
    assert find_sentence_list(grid) is None


def test_thousands_separators_do_not_make_a_sentence_a_csv_row():
    sold = ("2 Elm Road sold for £208,000 on 10 May 2022 (5 bedrooms). 9 Elm Road sold for £482,500 on 2 June "
            "2022 (3 bedrooms). 14 Elm Road sold for £369,500 on 23 June 2022.")
    assert find_sentence_list(sold) == ["2 Elm Road sold for £208,000 on 10 May 2022 (5 bedrooms).",
                                        "9 Elm Road sold for £482,500 on 2 June 2022 (3 bedrooms).",
                                        "14 Elm Road sold for £369,500 on 23 June 2022."]


def test_pattern_words_and_number_shapes():
    assert pattern_words("From 1990–1992 Hana was adviser at Drabri Technologies.") == {"from", "was", "adviser",
                                                                                        "at"}
    assert number_shapes("From 1990–1992, at £1,037.99 and 3 patients") == {"9999–9999", "9,999.99", "9"}


def test_a_marked_list_wins_over_sentences():
    document = "Bring:\n- 2 eggs\n- 100 g flour\n- 1 lemon\n\n" + INVOICE
    found = find_item_list(document)
    assert found is not None and found.kind == "bullets"


def invoice_model(structure: str):
    schema = Schema.from_dict({"structure": structure,
                               "fields": [{"name": "service"}, {"name": "quantity"}, {"name": "total"}]})

    def answer(prompt, constraint):
        if not is_pi2(prompt):
            return schema_answer(schema)
        document = find_block(prompt, "DOCUMENT") or ""
        found = re.findall(r"([A-Z][a-z ]+): (\d+) at [\d.]+ each, so ([\d.]+)\.", document)
        return dump_rows([dict(zip(schema.names, values)) for values in found], schema.names)

    return schema, answer


def test_the_pipeline_reads_a_sentence_list_one_sentence_per_pi2_call():
    _, answer = invoice_model("flat_single_row")
    backend = ScriptedBackend(answer)
    result = run(INVOICE, None, backend, PipelineConfig(max_new_tokens_schema=1000))
    pi2_docs = [find_block(p, "DOCUMENT") for prompts, _, _ in backend.calls for p in prompts if is_pi2(p)]
    assert pi2_docs == find_sentence_list(INVOICE)
    assert result.diagnostics["item_list"]["kind"] == "sentences"
    assert result.rows == [{"service": "Site visit", "quantity": "2", "total": "160.00"},
                           {"service": "Report writing", "quantity": "6", "total": "333.00"},
                           {"service": "Travel", "quantity": "1", "total": "42.10"}]


def test_sentences_are_rows_even_when_pi1_calls_the_document_one_record():
    schema, answer = invoice_model("kv_single")
    result = run(INVOICE, None, ScriptedBackend(answer), PipelineConfig(max_new_tokens_schema=1000))
    assert result.schema.structure == "flat_single_row" and len(result.rows) == 3
    assert result.diagnostics["item_list"]["structure_from"] == "kv_single"
    given = run(INVOICE, None, ScriptedBackend(answer), PipelineConfig(), schema=schema)  # --schema is obeyed
    assert given.schema.structure == "kv_single" and len(given.rows) == 1 and "item_list" not in given.diagnostics


def test_a_record_whose_fields_are_the_sentences_labels_stays_one_record():
    schema = Schema.from_dict({"structure": "kv_single", "fields": [{"name": "site_visit"},
                                                                     {"name": "report_writing"}]})
    row = {"site_visit": "2 at 80.00 each", "report_writing": "6 at 55.50 each"}

    def answer(prompt, constraint):
        return dump_rows([row], schema.names) if is_pi2(prompt) else schema_answer(schema)

    result = run(INVOICE, None, ScriptedBackend(answer), PipelineConfig(max_new_tokens_schema=1000))
    assert result.schema.structure == "kv_single" and result.rows == [row]
    assert "item_list" not in result.diagnostics


def test_a_list_starts_on_the_line_of_its_first_sentence_even_when_an_item_spans_lines():
    found = find_item_list(FORECAST)
    assert found is not None and found.kind == "sentences" and found.line == 3
    assert find_item_list("Note.\n\n" + CAREER).line == 5
