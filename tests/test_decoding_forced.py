"""Forced text of constrained answers: what the grammar allows in one way only, and what is the model's choice."""

from __future__ import annotations

import json

from text2table.core.schema import Field, Schema
from text2table.decoding.constraints import rows_constraint, schema_constraint
from text2table.decoding.forced import tracker

KV = Schema("kv_single", (Field("name"), Field("eat_type"), Field("rank", type="integer", required=True)))


def walk(constraint, answer: str) -> tuple[list[bytes], int, object]:
    """Write ``answer`` as a backend would: forced text in one piece, every other byte one at a time."""
    t = tracker(constraint)
    data, i, forced, chosen = answer.encode(), 0, [], 0
    while i < len(data):
        pending = t.pending()
        if pending:
            assert data[i:i + len(pending)] == pending, (data[i:], pending)
            forced.append(pending)
            t.feed(pending)
            i += len(pending)
        else:
            t.feed(data[i:i + 1])
            i += 1
            chosen += 1
    return forced, chosen, t


def test_pinned_schema_answer_leaves_only_structure_and_names_to_the_model():
    answer = json.dumps({"structure": "kv_single", "fields": [
        {"name": "name", "type": "string", "required": False},
        {"name": "food", "type": "string", "required": False}], "constraints": {}}, separators=(",", ":"))
    forced, chosen, t = walk(schema_constraint(pin_defaults=True), answer)
    assert forced[0] == b'{"structure":"'
    assert b',"type":"string","required":false}' in forced
    assert forced[-1] == b',"constraints":{}}'
    # chosen: kv_single" (10), name" (5), the comma, food" (5), the closing bracket
    assert chosen == len('kv_single"') + len('name"') + 1 + len('food"') + 1
    assert t.finished() and not t.dead


def test_unpinned_types_are_the_models_choice():
    answer = '{"structure":"kv_single","fields":[{"name":"n","type":"integer","required":true}],"constraints":{}}'
    forced, _, t = walk(schema_constraint(), answer)
    assert b',"type":"' in forced and b"integer" not in b"".join(forced)  # an enum of strings: only its quote
    assert b',"required":' in forced and b"true" not in b"".join(forced)
    assert t.finished()


def test_rows_keys_are_forced_values_and_row_ends_are_not():
    text = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in (
        {"name": "Aromi", "eat_type": None, "rank": 3}, {"name": "Zizzi \"Z\"", "eat_type": "pub", "rank": -1}))
    forced, _, t = walk(rows_constraint(KV), text + "\n")
    assert b'"name":' in forced and b', "eat_type":' in forced and b', "rank":' in forced
    assert not any(b"Aromi" in f or b"null" in f for f in forced)  # values are the model's
    assert t.finished()


def test_space_before_a_nullable_value_is_left_to_the_model():
    t = tracker(rows_constraint(KV))
    t.feed(b"{")
    assert t.pending() == b'"name":'  # not b'"name": ' (BPE merges the space with `"` or `null`)
    t.feed(b'"name": "A", "eat_type": null, "rank": 7')
    assert t.pending() == b""  # a number may go on
    t.feed(b"}")
    assert t.pending() == b"\n" and t.before_choice()


def test_a_required_string_gets_its_opening_quote_forced():
    schema = Schema("kv_single", (Field("name", required=True),))
    t = tracker(rows_constraint(schema))
    t.feed(b"{")
    assert t.pending() == b'"name": "'


def test_output_off_the_grammar_turns_the_tracker_off():
    t = tracker(schema_constraint(pin_defaults=True))
    t.feed(b"[1, 2]")
    assert t.dead and t.pending() == b"" and not t.finished()


def test_continued_answer_resumes_at_a_row_boundary():
    t = tracker(rows_constraint(KV))
    t.feed(b'{"name": "A", "eat_type": "pub", "rank": 1}\n')
    assert not t.dead and t.pending() == b""  # another row or the end: the model's choice
    t.feed(b"{")
    assert t.pending() == b'"name":'


def test_no_tracker_for_an_empty_table_budget():
    assert tracker(rows_constraint(KV, max_rows=0)) is None


def test_a_one_row_table_is_complete_after_its_row():
    t = tracker(rows_constraint(KV, max_rows=1))
    t.feed(b'{"name": "A", "eat_type": "pub", "rank": 1}')
    assert t.pending() == b"\n" and not t.before_choice()
    t.feed(b"\n")
    assert t.finished()  # the grammar allows nothing but the end: no decode step is spent on it
    many = tracker(rows_constraint(KV, max_rows=2))
    many.feed(b'{"name": "A", "eat_type": "pub", "rank": 1}\n')
    assert not many.finished()


def test_a_written_null_or_boolean_makes_the_next_key_pending_at_once():
    schema = Schema("kv_single", (Field("name"), Field("open", type="boolean"), Field("rank", type="integer")))
    t = tracker(rows_constraint(schema))
    t.feed(b'{"name": null')
    assert t.pending() == b', "open":'  # nothing in JSON extends `null`: no decode step waits for the comma
    t.feed(b', "open": true')
    assert t.pending() == b', "rank":'
    t.feed(b', "rank": 1')
    assert t.pending() == b""  # `1` may become `12`: the model decides
    t.feed(b"2}")
    assert t.pending() == b"\n" and not t.dead


def test_sparse_rows_force_the_rest_of_a_key_once_the_model_has_told_it_apart():
    schema = Schema("flat_single_row", (Field("name"), Field("points"), Field("points_in_4th"), Field("team")))
    rows = [{"name": "Ann", "points": "3", "team": "Reds"}, {"points_in_4th": "9"}]
    text = "".join(json.dumps(r) + "\n" for r in rows)
    forced, _, t = walk(rows_constraint(schema, form="sparse"), text + "\n")
    assert b'ame": "' in forced  # `"n` tells "name" apart: the rest of the key and the value's quote
    assert b'eam": "' in forced
    assert not any(b"null" in f for f in forced)
    assert b"oints" in forced  # what "points" and "points_in_4th" share, then the model's `"` or `_`
    assert b'oints": "' not in forced and b'in_4th": "' in forced
    assert t.finished() and not t.dead


def test_a_sparse_row_leaves_the_next_key_or_its_end_to_the_model():
    schema = Schema("flat_single_row", (Field("name"), Field("team")))
    t = tracker(rows_constraint(schema, form="sparse"))
    t.feed(b'{"name": "Ann"')
    assert t.pending() == b"" and t.before_choice()  # `, "team"` or `}`
    t.feed(b",")
    assert t.pending() == b' "team": "' and not t.before_choice()  # one key left: forced whole
    t.feed(b' "team": "Reds"}')
    assert t.pending() == b"\n"
    t.feed(b'\n{"team": "Blue"}\n\n')
    assert t.finished()
