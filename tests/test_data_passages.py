"""text2table.data.passages: the gold rows of each passage pi2 reads, as the pipeline cuts a prose document."""

import pytest

from text2table.data.passages import passage_rows
from text2table.pipeline.chunking import row_passages, split_document

NAMES = ["player", "points", "rebounds"]
ROWS = [{"player": "Kyle Lowry", "points": "24", "rebounds": "4"},
        {"player": "Terrence Ross", "points": "22", "rebounds": None},
        {"player": "Jonas Valanciunas", "points": "12", "rebounds": "11"}]
FILLER = "The crowd in Toronto stayed loud through the fourth quarter of a long night. "
DOCUMENT = (FILLER * 3 + "Kyle Lowry carried the load with 24 points. " + FILLER * 3
            + "Terrence Ross scored 22 points off the bench, and Lowry added 4 rebounds. " + FILLER * 4)


def test_rows_follow_the_passages_the_pipeline_reads():
    parts = passage_rows(DOCUMENT, "flat_single_row", NAMES, ROWS, 300)
    expected = row_passages(split_document(DOCUMENT, 6000, 400), "flat_single_row", 300)
    assert [text for text, _ in parts] == expected and len(parts) >= 3
    by_player = [[row["player"] for row in rows] for _, rows in parts]
    assert ["Kyle Lowry"] in by_player and [] in by_player  # filler passages name nobody
    assert not any("Jonas Valanciunas" in names for names in by_player)  # the text never names him


def test_a_cell_stated_in_another_passage_is_null():
    parts = passage_rows(DOCUMENT, "flat_single_row", NAMES, ROWS, 300)
    lowry = [row for text, rows in parts for row in rows if row["player"] == "Kyle Lowry"]
    first = next(row for row in lowry if row["points"] == "24")
    assert first["rebounds"] is None  # the 4 rebounds come in a later passage
    ross = next(row for _, rows in parts for row in rows if row["player"] == "Terrence Ross")
    assert ross == {"player": "Terrence Ross", "points": "22", "rebounds": None}


def test_facts_only_leaves_out_a_row_the_passage_only_names():
    doc = (FILLER * 3 + "Kyle Lowry carried the load with 24 points. " + FILLER * 3
           + "Kyle Lowry sat out the fourth quarter. " + FILLER * 3)
    rows = [{"player": "Kyle Lowry", "points": "24", "rebounds": None}]

    def kept(table, **kw):
        return [rows_ for _, rows_ in passage_rows(doc, "flat_single_row", NAMES, table, 300, **kw) if rows_]

    named = kept(rows)  # by default the passage that only names him keeps his row, every cell null
    assert {"player": "Kyle Lowry", "points": None, "rebounds": None} in [r for rs in named for r in rs]
    assert kept(rows, facts_only=True) == [[rows[0]]]  # only the passage stating his 24 points
    header_only = [{"player": "Kyle Lowry", "points": None, "rebounds": None}]  # the gold states nothing else
    assert len(kept(header_only, facts_only=True)) == len(kept(header_only)) == 2


def test_family_names_keeps_a_row_the_passage_names_by_family_name_alone():
    def by_passage(**kw):
        return [rows for _, rows in passage_rows(DOCUMENT, "flat_single_row", NAMES, ROWS, 300, **kw) if rows]

    ross = {"player": "Terrence Ross", "points": "22", "rebounds": None}
    assert [ross] in by_passage(facts_only=True)  # "Lowry added 4 rebounds": no row for him by default
    assert [{"player": "Lowry", "points": None, "rebounds": "4"}, ross] in by_passage(facts_only=True,
                                                                                     family_names=True)
    twins = ROWS + [{"player": "Anna Lowry", "points": "3", "rebounds": None}]  # two Lowrys: no telling which
    later = [rows for _, rows in passage_rows(DOCUMENT, "flat_single_row", NAMES, twins, 300, facts_only=True,
                                              family_names=True) if rows]
    assert [ross] in later and not any(r["player"] == "Lowry" for rows in later for r in rows)
    one_word = ROWS + [{"player": "Lowry", "points": "3", "rebounds": None}]  # a gold row of that one word
    heads = [[r["player"] for r in rows] for _, rows in passage_rows(DOCUMENT, "flat_single_row", NAMES, one_word,
                                                                      300, family_names=True)]
    assert all(h.count("Lowry") <= 1 for h in heads)  # the word is that row's, not Kyle Lowry's second header


def test_read_whole_gives_nothing():
    assert passage_rows(DOCUMENT, "kv_single", NAMES, ROWS[:1], 300) == []  # one entity
    assert passage_rows(DOCUMENT, "flat_single_row", NAMES, [], 300) == []  # no rows
    assert passage_rows(DOCUMENT, "flat_single_row", NAMES, ROWS, 0) == []  # passages off
    assert passage_rows("Kyle Lowry scored 24 points.", "flat_single_row", NAMES, ROWS, 300) == []  # short
    grid = "\n".join(f"{r['player']} | {r['points']}" for r in ROWS) + "\n" + FILLER * 8
    assert passage_rows(grid, "flat_single_row", NAMES, ROWS, 300) == []  # lines belong together


def test_passages_kept_caps_the_share_of_empty_passages():
    from text2table.data.passages import passages_kept

    row = [{"player": "Ann Lee"}]
    parts = [("a", []), ("b", row), ("c", []), ("d", []), ("e", row), ("f", [])]
    assert passages_kept(parts, 1.0) == [0, 1, 2, 3, 4, 5]
    assert passages_kept(parts, 0.0) == [1, 4]
    assert passages_kept(parts, 0.5) == [0, 1, 3, 4]  # two of four empties, spread over the text
    assert passages_kept(parts, 0.2) == [1, 4]  # a quarter of an empty passage rounds down to none
    assert passages_kept([("a", []), ("b", [])], 0.1) == [0]  # all empty: the table still gives one example
    assert passages_kept([("a", row)], 0.0) == [0]
    with pytest.raises(ValueError, match="within"):
        passages_kept(parts, 1.5)
