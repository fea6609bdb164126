from text2table.text.normalise import canonical_tokens, cell_text, drop_thousands_commas, fold, raw_words


def test_fold_strips_accents_and_case():
    assert fold("Café ZÜRICH") == "cafe zurich" and fold("plain") == "plain"


def test_canonical_tokens_turn_number_words_into_digits():
    assert canonical_tokens("Twenty-three points, 1,000 fans") == ["23", "points", "1000", "fans"]
    assert canonical_tokens("one hundred and five, two three") == ["105", "2", "3"]
    assert canonical_tokens("vingt-trois") == ["vingt", "trois"]  # other languages' number words stay words


def test_thousands_commas_only_between_a_digit_and_three_digits():
    assert drop_thousands_commas("1,000 and 1,5 and 12,3456") == "1000 and 1,5 and 12,3456"
    assert raw_words("a-b_c 3") == ["a", "b", "c", "3"]


def test_cell_text_gives_json_values_one_text():
    assert [cell_text(v) for v in (" x ", None, 7, 7.0, True, "", float("nan"))] == [
        "x", None, "7", "7", "true", None, None]
    assert cell_text("n/a", {"n/a"}) is None and cell_text({"a": 1}) == '{"a": 1}'
