from text2table.metrics.values import header_key, value_key


def test_value_keys_collapse_whitespace_and_fold_case_on_request():
    assert value_key("More  than\t£30") == "More than £30"
    assert value_key("More  than £30", lowercase=True) == "more than £30"


def test_header_keys_follow_the_naming_policy():
    assert header_key("Customer Rating") == "customer_rating"
    assert header_key("  ") == "" and header_key("priceRange") == "price_range"
