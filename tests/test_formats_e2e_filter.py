"""The E2E slot filter: hand-checked support decisions on real-style references."""

from __future__ import annotations

import pytest

from text2table.data.formats.e2e_filter import filter_slots, normalize, supported

CASES = [
    # (slot, value, text, expected)
    ("name", "The Eagle", "The Eagles serves Chinese food.", True),
    ("name", "Cotto", "Cotto's coffee shop is near the river.", True),
    ("name", "Aromi", "XXX is a coffee shop.", True),
    ("name", "Aromi", "A coffee shop by the river.", False),
    ("near", "Crowne Plaza Hotel", "It is near Crown Plaza Hotel.", True),
    ("near", "Burger King", "It is near the King's head.", False),
    ("near", "Café Sicilia", "It is near YYY.", True),
    ("familyFriendly", "no", "Alimentum is not a family-friendly place.", True),
    ("familyFriendly", "yes", "It is kid friendly.", True),
    ("familyFriendly", "yes", "Children are welcome.", True),
    ("familyFriendly", "no", "It is an adults only venue.", True),
    ("familyFriendly", "yes", "It has friendly staff.", False),
    ("eatType", "coffee shop", "Cotto is a café.", True),
    ("eatType", "pub", "The Vaults is a pub.", True),
    ("eatType", "pub", "The Vaults is a public space.", False),
    ("eatType", "coffee shop", "The Mill is a restaurant.", False),
    ("area", "riverside", "It is by the river.", True),
    ("area", "city centre", "It is in the city center.", True),
    ("area", "riverside", "It is outside the city centre.", False),
    ("food", "Fast food", "It serves fast-food.", True),
    ("food", "English", "It serves British food.", True),
    ("food", "Chinese", "Good food.", False),
    ("priceRange", "£20-25", "Prices range from £20 to £25.", True),
    ("priceRange", "£20-25", "It costs £20-£25.", True),
    ("priceRange", "£20-25", "It is moderately priced.", True),
    ("priceRange", "more than £30", "Meals cost more than 30 pounds.", True),
    ("priceRange", "more than £30", "It is expensive.", True),
    ("priceRange", "less than £20", "Meals are under £20.", True),
    ("priceRange", "cheap", "It is inexpensive.", True),
    ("priceRange", "high", "Its prices are high.", True),
    ("priceRange", "high", "It has a high customer rating.", False),
    ("priceRange", "moderate", "It has a 5 star rating.", False),
    ("customer rating", "5 out of 5", "It has a customer rating of 5 out of 5.", True),
    ("customer rating", "5 out of 5", "A five star coffee shop.", True),
    ("customer rating", "5 out of 5", "It is highly rated.", True),
    ("customer rating", "1 out of 5", "It was rated one out of five.", True),
    ("customer rating", "3 out of 5", "It serves 3 kinds of soup.", False),
    ("customer rating", "high", "It is highly rated by customers.", True),
    ("customer rating", "high", "It has high prices.", False),
    ("customer rating", "average", "Its customer rating is average.", True),
    ("customer rating", "low", "It gets poor reviews.", True),
]


@pytest.mark.parametrize(("slot", "value", "text", "expected"), CASES,
                         ids=[f"{s}-{v}-{'keep' if e else 'drop'}-{i}" for i, (s, v, _, e) in enumerate(CASES)])
def test_supported(slot, value, text, expected):
    assert supported(slot, value, text) is expected


def test_names_are_blanked_before_other_slots():
    slots = [("name", "Blue Spice"), ("food", "Indian"), ("near", "Raja Indian Cuisine"), ("eatType", "coffee shop"),
             ("near", "Café Sicilia")]
    kept, dropped = filter_slots(slots[:3], "Blue Spice is near Raja Indian Cuisine.")
    assert kept == [("name", "Blue Spice"), ("near", "Raja Indian Cuisine")] and dropped == [("food", "Indian")]
    kept, dropped = filter_slots([slots[0], slots[3], slots[4]], "Blue Spice is near Café Sicilia.")
    assert dropped == [("eatType", "coffee shop")]


def test_filter_keeps_order():
    slots = [("name", "Aromi"), ("area", "riverside"), ("food", "Chinese"), ("familyFriendly", "yes")]
    kept, dropped = filter_slots(slots, "Aromi serves Chinese food. Families love it.")
    assert kept == [("name", "Aromi"), ("food", "Chinese"), ("familyFriendly", "yes")]
    assert dropped == [("area", "riverside")]


def test_normalize_is_idempotent():
    text = "Café Brazil’s KID-friendly £20–25 place"
    assert normalize(normalize(text)) == normalize(text) == "cafe brazils kid friendly £20 25 place"


@pytest.mark.parametrize(("slot", "value", "text"), [
    ("priceRange", "less than £20", "For less than twenty dollars, you get Chinese food."),
    ("priceRange", "more than £30", "Its prices are above average."),
    ("priceRange", "£20-25", "The price range is£20-25 and it is not kids friendly."),
    ("customer rating", "average", "The customer rating for this establishment is average."),
])
def test_supported_spot_checks_from_the_dev_set(slot, value, text):
    assert supported(slot, value, text)
