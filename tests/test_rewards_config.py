import pytest

from text2table.errors import ConfigError
from text2table.rewards.config import RewardWeights


def test_weights_round_trip_and_unknown_keys_are_named():
    weights = RewardWeights.from_dict({"schema_f1": 0.5})
    assert RewardWeights.from_dict(weights.to_dict()) == weights
    with pytest.raises(ConfigError, match=r"unknown reward weights \['schema_f2'\]"):
        RewardWeights.from_dict({"schema_f2": 0.5})
    assert set(RewardWeights.help()) <= set(weights.to_dict())


@pytest.mark.parametrize("kwargs,message", [({"invalid_score": 0.5}, "invalid_score must be in"),
                                            ({"bloat_penalty": 2.0}, "bloat_penalty must be in"),
                                            ({"schema_f1": True}, "must be a number"),
                                            ({"schema_f1": 0, "soft_schema_f1": 0, "structure": 0}, "positive")])
def test_bad_weights_are_refused(kwargs, message):
    with pytest.raises(ConfigError, match=message):
        RewardWeights(**kwargs)
