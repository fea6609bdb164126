import pytest

from text2table.errors import ConfigError
from text2table.pipeline.config import PipelineConfig, config_dict


def test_defaults_are_valid_and_serialise_to_plain_json():
    import json

    settings = config_dict(PipelineConfig())
    assert settings["constrained"] is True and settings["schema_fallback"] == "rules"
    assert json.loads(json.dumps(settings)) == settings  # nested configs become plain dicts


@pytest.mark.parametrize("kwargs,message", [
    ({"max_rows": 0}, "max_rows must be a positive integer"),
    ({"chunk_chars": -1}, "chunk_chars must be an integer >= 0"),
    ({"chunk_chars": 600, "overlap_chars": 300}, "below half of chunk_chars"),
    ({"temperature": 6.0}, "temperature"),
    ({"schema_fallback": "model"}, "schema_fallback"),
    ({"field_list_end_bias": 20.0}, "field_list_end_bias"),
])
def test_bad_settings_are_refused_with_the_setting_named(kwargs, message):
    with pytest.raises(ConfigError, match=message):
        PipelineConfig(**kwargs)
