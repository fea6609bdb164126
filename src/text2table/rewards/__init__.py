"""RL rewards: pure, bounded in [-1, 1], never raising on model output. VERL entry: ``verl_reward.py``;
TRL adapters: ``trl.py``."""

from text2table.rewards.config import RewardWeights
from text2table.rewards.scores import KEYS, RewardResult, pi1_score, pi2_score, pipeline_score
from text2table.rewards.truth import Truth, as_truth

__all__ = ["KEYS", "RewardResult", "RewardWeights", "Truth", "as_truth", "pi1_score", "pi2_score", "pipeline_score"]
