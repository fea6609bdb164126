"""RL rewards: pure, bounded in [-1, 1], never raising on model output. VERL entry: ``verl_reward.py``;
TRL adapters: ``trl.py``."""

from .config import RewardWeights
from .scores import KEYS, RewardResult, pi1_score, pi2_score, pipeline_score
from .truth import Truth, as_truth

__all__ = ["KEYS", "RewardResult", "RewardWeights", "Truth", "as_truth", "pi1_score", "pi2_score", "pipeline_score"]
