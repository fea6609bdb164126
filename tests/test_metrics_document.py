import pytest

from text2table.errors import ConfigError
from text2table.metrics.document import EvalSettings, Prediction


def test_a_prediction_is_read_leniently():
    p = Prediction.from_dict({"id": 7, "schema": {"structure": "flat_single_row", "fields": [{"name": "a"}]},
                              "rows": [{"a": 1}], "error": None})
    assert (p.id, p.schema.names, p.rows, p.error) == ("7", ["a"], [{"a": 1}], None)
    raw = Prediction.from_dict({"id": "x", "raw": {"pi2": '{"a": "1"}\nnot json'}})
    assert raw.schema is None and raw.rows == [{"a": "1"}] and raw.rows_text.endswith("not json")
    bad = Prediction.from_dict({"id": "y", "schema": "nope", "rows": "nope"})
    assert bad.rows == [] and bad.schema_check is not None and not bad.schema_check.valid
    assert "not a JSON object" in bad.schema_check.reason


def test_eval_settings_are_checked_and_recorded():
    assert EvalSettings(lowercase=True).to_dict()["lowercase"] is True
    with pytest.raises(ConfigError, match="soft_threshold"):
        EvalSettings(soft_threshold=0.0)
    with pytest.raises(ConfigError, match="chrf"):
        EvalSettings(chrf="bleu")
