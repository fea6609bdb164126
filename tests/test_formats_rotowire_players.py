"""Player headers of rebuilt Rotowire games: the full name the summary writes, and where it must not be taken."""

from text2table.data.formats.rotowire_players import add_suffixes, merge_short_names, written_names

COMMON = frozenset({"with", "despite", "like", "out", "the", "rookie", "guard", "added", "scored"})


def test_a_first_name_written_before_the_family_name_is_taken():
    sentences = ["Reigning MVP and scoring champ Steph Curry had 8 points .", "Curry shot 3 - of - 14 ."]
    assert merge_short_names({"Curry": {"Points": "8"}}, set(), sentences, COMMON) == {"Steph Curry": {"Points": "8"}}


def test_sentence_words_and_team_names_before_a_family_name_are_not_first_names():
    for sentence in ("With Parker out , the Bucks lost .", "Despite Drummond 's 20 rebounds , they lost .",
                     "Rookie Brown scored 12 .", "Boston Smart added 9 ."):
        word = sentence.split()[1]
        assert written_names([sentence], word, COMMON) == [], sentence


def test_initials_that_end_the_release_sentence_before_still_start_the_name():
    sentences = ["Damian_Lillard 's 22 points paced the Blazers , while backcourt mate C.J .",
                 "McCollum followed with 16 points ."]
    assert written_names(sentences, "McCollum", COMMON) == ["C.J. McCollum"]


def test_a_family_name_after_the_first_name_may_hold_an_inner_capital():
    assert written_names(["Caris LaVert turned in 9 points ."], "Caris", COMMON) == ["Caris LaVert"]


def test_a_suffix_is_not_a_family_name():
    assert written_names(["Hardaway Jr scored 20 ."], "Hardaway", COMMON) == []


def test_two_first_names_for_one_family_name_leave_the_row_as_it_is():
    sentences = ["Marcus Morris scored 10 .", "Markieff Morris added 12 .", "Morris had 4 steals ."]
    assert merge_short_names({"Morris": {"Steals": "4"}}, set(), sentences, COMMON) == {"Morris": {"Steals": "4"}}


def test_a_suffix_the_text_writes_joins_the_full_name_once():
    rows = {"Tim Hardaway": {"Points": "20"}, "Larry Nance": {"Points": "4"}, "Kelly Oubre": {"Points": "9"}}
    sentences = ["Tim_Hardaway Jr. scored 20 .", "Larry_Nance Jr. and Larry_Nance Sr. met .", "Kelly_Oubre had 9 ."]
    assert list(add_suffixes(rows, sentences)) == ["Tim Hardaway Jr.", "Larry Nance", "Kelly Oubre"]


def test_a_suffixed_name_another_row_already_has_keeps_both_rows_apart():
    rows = {"Tim Hardaway": {"Points": "20"}, "Tim Hardaway Jr.": {"Assists": "3"}}
    assert add_suffixes(rows, ["Tim_Hardaway Jr. scored 20 ."]) == rows
