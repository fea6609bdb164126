import pytest

from text2table.errors import ConfigError
from text2table.rewards.truth import Truth, as_truth

GT = {"schema": {"structure": "kv_single", "fields": [{"name": "name"}, {"name": "area"}]},
      "rows": [{"name": "Blue Spice", "area": "-"}]}


def test_a_truth_reads_dicts_and_strings_and_leaves_missing_cells_out():
    truth = as_truth(GT)
    assert as_truth(truth.to_json()).rows == truth.rows and as_truth(truth) is truth
    assert truth.names == ["name", "area"] and truth.n_cells == 1  # "-" is a missing-value token
    assert truth.keyed == [{"name": "blue spice"}]


def test_a_bad_truth_is_a_data_error():
    with pytest.raises(ConfigError, match="not valid JSON"):
        as_truth("{")
    with pytest.raises(ConfigError):
        as_truth({"rows": []})
    assert isinstance(as_truth(GT), Truth)
