import pytest

from text2table.backends.staged import StagedBackend
from text2table.core.schema import Schema
from text2table.errors import ConfigError
from text2table.pipeline.config import PipelineConfig
from text2table.pipeline.run import run, run_many

from .pipeline_fakes import ScriptedBackend, is_pi2, table_model

KV = Schema.from_dict({"structure": "kv_single", "fields": [{"name": "name"}, {"name": "area"}]})
ROW = {"name": "The Vaults", "area": "riverside"}
DOC = "The Vaults is in the riverside area."


def test_each_stage_goes_to_its_own_backend():
    pi1, pi2 = ScriptedBackend(table_model(KV, [ROW])), ScriptedBackend(table_model(KV, [ROW]))
    result = run(DOC, None, StagedBackend(pi1, pi2), PipelineConfig(max_new_tokens_schema=1000))
    assert result.rows == [ROW]
    assert [is_pi2(p) for prompts, _, _ in pi1.calls for p in prompts] == [False]
    assert [is_pi2(p) for prompts, _, _ in pi2.calls for p in prompts] == [True]


def test_a_given_schema_never_reaches_the_pi1_backend():
    pi1, pi2 = ScriptedBackend(table_model(KV, [ROW])), ScriptedBackend(table_model(KV, [ROW]))
    results = run_many([DOC, DOC], StagedBackend(pi1, pi2), schemas=KV)
    assert [r.rows for r in results] == [[ROW], [ROW]]
    assert pi1.calls == [] and len(pi2.calls) == 1


def test_pi1_is_constrained_to_the_pi1_adapters_form_not_pi2s():
    pi1, pi2 = ScriptedBackend(table_model(KV, [ROW])), ScriptedBackend(table_model(KV, [ROW]))
    pi1.pi1_form, pi2.pi1_form = "compact", "full"
    staged = StagedBackend(pi1, pi2)
    run(DOC, None, staged, PipelineConfig(max_new_tokens_schema=1000))
    assert staged.pi1_form == "compact"
    assert pi1.calls[0][1][0].json_schema["properties"]["fields"]["items"]["type"] == "string"


class Closing(ScriptedBackend):
    """Records its closing in ``closed``."""

    def __init__(self, closed):
        super().__init__(table_model(KV, [ROW]))
        self.closed = closed

    def close(self):
        self.closed.append(self)


def test_describe_names_both_stages_and_close_closes_both():
    closed = []
    pi1, pi2 = Closing(closed), Closing(closed)
    staged = StagedBackend(pi1, pi2)
    assert staged.describe() == {"backend": "staged", "pi1": {"backend": "scripted"}, "pi2": {"backend": "scripted"}}
    staged.close()
    assert closed == [pi1, pi2]


def test_generate_without_a_stage_and_an_unknown_stage_are_refused():
    staged = StagedBackend(ScriptedBackend(table_model(KV, [ROW])), ScriptedBackend(table_model(KV, [ROW])))
    with pytest.raises(ConfigError, match="for_stage"):
        staged.generate([[{"role": "user", "content": DOC}]])
    with pytest.raises(ConfigError, match="pi3"):
        staged.for_stage("pi3")


def test_a_plain_backend_answers_every_stage():
    backend = ScriptedBackend(table_model(KV, [ROW]))
    assert backend.for_stage("pi1") is backend and backend.for_stage("pi2") is backend


def test_adapters_in_use_names_each_stage_or_one_for_both():
    from text2table.backends.staged import adapters_in_use

    staged = {"backend": "staged", "pi1": {"backend": "llamacpp", "lora": "a/pi1.gguf"},
              "pi2": {"backend": "llamacpp", "lora": "b/pi2.gguf"}}
    assert adapters_in_use(staged) == "adapters: pi1 a/pi1.gguf, pi2 b/pi2.gguf"
    assert adapters_in_use({"backend": "llamacpp", "lora": None}) == "adapter: none (both stages)"
    assert adapters_in_use({"backend": "transformers", "adapter": "x"}) == "adapter: x (both stages)"
    assert adapters_in_use({"backend": "rules"}) == ""


def _hinted(hint):
    return {"table_hint": hint}


def test_pi2_answers_each_table_hint_with_its_own_backend_one_call_each():
    pi1, pi2, team = (ScriptedBackend(table_model(KV, [ROW])) for _ in range(3))
    staged = StagedBackend(pi1, pi2, {"team": team})
    assert staged.for_stage("pi2", "team") is team and staged.for_stage("pi2", "player") is pi2
    assert staged.for_stage("pi1", "team") is pi1  # the hint chooses pi2's backend only
    results = run_many([DOC, DOC, DOC], staged, schemas=KV,
                       metadatas=[_hinted("team"), _hinted("player"), None])
    assert [r.rows for r in results] == [[ROW]] * 3
    assert [len(prompts) for prompts, _, _ in team.calls] == [1]  # the team document, in one call
    assert [len(prompts) for prompts, _, _ in pi2.calls] == [2]  # the player and the unhinted documents
    assert pi1.calls == []


def test_a_hint_backend_may_be_pi1s_own_and_is_closed_once():
    closed = []
    one, team = Closing(closed), Closing(closed)
    staged = StagedBackend(one, one, {"team": team})
    assert staged.describe() == {"backend": "staged", "pi1": {"backend": "scripted"},
                                 "pi2": {"backend": "scripted"}, "pi2_by_hint": {"team": {"backend": "scripted"}}}
    staged.close()
    assert closed == [one, team]


def test_adapters_in_use_names_the_pi2_adapter_of_each_hint():
    from text2table.backends.staged import adapters_in_use

    described = {"backend": "staged", "pi1": {"backend": "llamacpp", "lora": "a.gguf"},
                 "pi2": {"backend": "llamacpp", "lora": "b.gguf"},
                 "pi2_by_hint": {"team": {"backend": "llamacpp", "lora": "t.gguf"}}}
    assert adapters_in_use(described) == "adapters: pi1 a.gguf, pi2 b.gguf, pi2 for team t.gguf"
