"""The check chain: its order, the switches, and language-dependent checks left out without a lexicon."""

from __future__ import annotations

import pytest

from text2table.checks.chain import CHAIN, enabled
from text2table.checks.config import CheckConfig
from text2table.errors import ConfigError


def test_support_runs_first_and_the_table_checks_last() -> None:
    names = [c.name for c in CHAIN]
    assert names[0] == "support" and names[-2:] == ["rows", "columns"]
    assert len(set(names)) == len(names)


def test_every_check_has_a_rule_in_its_docstring() -> None:
    import importlib

    for check in CHAIN:
        module = importlib.import_module(check.run.__module__)
        assert module.__doc__ and "must not fire" in module.__doc__, check.name


def test_switches_and_language() -> None:
    assert [c.name for c in enabled(CheckConfig(), with_language=True)] == [c.name for c in CHAIN][:-1]
    every = CheckConfig(drop_invented_columns=True)
    assert [c.name for c in enabled(every, with_language=True)] == [c.name for c in CHAIN]
    assert "polarity" not in [c.name for c in enabled(CheckConfig(), with_language=False)]
    off = CheckConfig(support=False, function_words=False, polarity=False, repeats=False, family_names=False,
                      drop_invented_columns=False)
    assert [c.name for c in enabled(off, with_language=True)] == ["rows"]


@pytest.mark.parametrize("bad", [{"support": 1}, {"default_language": "English"}, {"default_language": None}])
def test_check_config_is_validated(bad: dict) -> None:
    with pytest.raises(ConfigError):
        CheckConfig(**bad)


def test_pipeline_config_holds_a_check_config() -> None:
    from text2table.pipeline.config import PipelineConfig, config_dict

    assert PipelineConfig().checks == CheckConfig()
    assert config_dict(PipelineConfig(checks=CheckConfig(polarity=False)))["checks"]["polarity"] is False
