import pytest

from text2table.backends import choose
from text2table.backends.choose import default_batch_size, open_backend
from text2table.errors import ConfigError


def test_open_backend_chooses_model_and_default_adapter_in_one_place(monkeypatch):
    made = []
    monkeypatch.setattr(choose, "create_backend", lambda name, **opts: made.append((name, opts)) or name)
    monkeypatch.setitem(choose.DEFAULT_ADAPTERS, "transformers", "/shipped/adapter")
    monkeypatch.setitem(choose.DEFAULT_ADAPTERS, "llamacpp", None)
    monkeypatch.setattr(choose, "DEFAULT_PI2_ADAPTERS", {})
    open_backend("transformers")
    open_backend("transformers", model="m")  # a shipped adapter is for the embedded model only
    open_backend("transformers", adapter="none")
    open_backend("transformers", adapter="/my/adapter", options={"batch_size": 4})
    open_backend("llamacpp")
    open_backend("llamacpp", adapter="/my/lora.gguf")
    assert made == [("transformers", {"adapter": "/shipped/adapter"}), ("transformers", {"model": "m"}),
                    ("transformers", {}),
                    ("transformers", {"batch_size": 4, "adapter": "/my/adapter"}), ("llamacpp", {}),
                    ("llamacpp", {"lora": "/my/lora.gguf"})]
    with pytest.raises(ConfigError, match="rules"):
        open_backend("rules", model="x.gguf")
    with pytest.raises(ConfigError, match="no adapter"):
        open_backend("openai", adapter="/my/adapter")


def test_default_batch_size_is_one_for_llamacpp_and_eight_otherwise():
    assert default_batch_size("llamacpp") == 1
    assert default_batch_size("transformers") == 8


def test_a_pi2_adapter_opens_one_backend_per_stage_with_the_same_model_and_options(monkeypatch):
    from text2table.backends.staged import StagedBackend

    from .pipeline_fakes import ScriptedBackend

    made = []

    def create(name, **opts):
        made.append((name, opts))
        return ScriptedBackend(lambda prompt, constraint: "")

    monkeypatch.setattr(choose, "create_backend", create)
    monkeypatch.setitem(choose.DEFAULT_ADAPTERS, "llamacpp", "/shipped/adapter.gguf")
    monkeypatch.setattr(choose, "DEFAULT_PI2_ADAPTERS", {})
    staged = open_backend("llamacpp", pi2_adapter="/rl/pi2.gguf", options={"threads": 1})
    assert isinstance(staged, StagedBackend)
    assert made == [("llamacpp", {"threads": 1, "lora": "/shipped/adapter.gguf"}),
                    ("llamacpp", {"threads": 1, "lora": "/rl/pi2.gguf"})]
    made.clear()
    open_backend("llamacpp", adapter="/rl/pi1.gguf", pi2_adapter="none")
    assert made == [("llamacpp", {"lora": "/rl/pi1.gguf"}), ("llamacpp", {})]
    made.clear()
    assert not isinstance(open_backend("llamacpp"), StagedBackend)  # no pi2 adapter: one backend, both stages
    assert len(made) == 1


def test_a_shipped_pi2_adapter_serves_pi2_by_default_but_never_beside_a_chosen_adapter_or_model(monkeypatch):
    from text2table.backends.staged import StagedBackend

    from .pipeline_fakes import ScriptedBackend

    made = []

    def create(name, **opts):
        made.append(opts)
        return ScriptedBackend(lambda prompt, constraint: "")

    monkeypatch.setattr(choose, "create_backend", create)
    monkeypatch.setitem(choose.DEFAULT_ADAPTERS, "llamacpp", "/shipped/adapter.gguf")
    monkeypatch.setattr(choose, "DEFAULT_PI2_ADAPTERS", {"llamacpp": "/shipped/pi2/adapter.gguf"})
    assert isinstance(open_backend("llamacpp"), StagedBackend)
    assert made == [{"lora": "/shipped/adapter.gguf"}, {"lora": "/shipped/pi2/adapter.gguf"}]
    made.clear()
    assert not isinstance(open_backend("llamacpp", adapter="/mine.gguf"), StagedBackend)  # the user's, both stages
    assert not isinstance(open_backend("llamacpp", adapter="none"), StagedBackend)  # the base model, both stages
    assert not isinstance(open_backend("llamacpp", model="other.gguf"), StagedBackend)  # never on another model
    assert made == [{"lora": "/mine.gguf"}, {}, {"model": "other.gguf"}]
    made.clear()
    open_backend("llamacpp", pi2_adapter="none")  # the shipped pi1 adapter, the base model as pi2
    assert made == [{"lora": "/shipped/adapter.gguf"}, {}]


def test_a_shipped_adapter_is_chosen_by_name_for_the_embedded_model_only(monkeypatch, tmp_path):
    from text2table import adapters

    made = []
    monkeypatch.setattr(choose, "create_backend", lambda name, **opts: made.append((name, opts)) or name)
    monkeypatch.setitem(choose.DEFAULT_ADAPTERS, "llamacpp", None)
    folder = tmp_path / "box"
    folder.mkdir()
    (folder / "adapter.gguf").write_bytes(b"GGUF")
    monkeypatch.setitem(adapters.NAMED, "box-score", folder)
    open_backend("llamacpp", adapter="box-score")
    open_backend("llamacpp", adapter=str(folder / "adapter.gguf"))  # a path is a path
    assert made == [("llamacpp", {"lora": str(folder / "adapter.gguf")})] * 2
    with pytest.raises(ConfigError, match="no transformers form"):
        open_backend("transformers", adapter="box-score")  # only the GGUF is in this folder
    with pytest.raises(ConfigError, match="embedded model"):
        open_backend("llamacpp", model="other.gguf", adapter="box-score")


def _recording(monkeypatch, made):
    from .pipeline_fakes import ScriptedBackend

    def create(name, **opts):
        made.append(opts)
        return ScriptedBackend(lambda prompt, constraint: "")

    monkeypatch.setattr(choose, "create_backend", create)


def test_a_pi2_adapter_per_table_hint_opens_one_backend_each(monkeypatch):
    made = []
    _recording(monkeypatch, made)
    monkeypatch.setitem(choose.DEFAULT_ADAPTERS, "llamacpp", "/shipped/adapter.gguf")
    monkeypatch.setattr(choose, "DEFAULT_PI2_ADAPTERS", {})
    staged = open_backend("llamacpp", pi2_adapter="/p.gguf", pi2_by_hint={"team": "/t.gguf"}, options={"threads": 1})
    assert made == [{"threads": 1, "lora": "/shipped/adapter.gguf"}, {"threads": 1, "lora": "/p.gguf"},
                    {"threads": 1, "lora": "/t.gguf"}]
    assert staged.for_stage("pi2", "team") is not staged.for_stage("pi2", "player")
    made.clear()
    staged = open_backend("llamacpp", adapter="/mine.gguf", pi2_by_hint={"team": "/t.gguf"})
    assert made == [{"lora": "/mine.gguf"}, {"lora": "/t.gguf"}]  # other hints: --adapter answers both stages
    assert staged.for_stage("pi2", "player") is staged.for_stage("pi1")


def test_a_backend_that_fails_to_open_closes_those_opened_before(monkeypatch):
    from .pipeline_fakes import ScriptedBackend

    closed = []

    class Closing(ScriptedBackend):
        def close(self):
            closed.append(self.lora)

    def create(name, **opts):
        if opts.get("lora") == "/bad.gguf":
            raise ConfigError("bad adapter")
        backend = Closing(lambda prompt, constraint: "")
        backend.lora = opts.get("lora")
        return backend

    monkeypatch.setattr(choose, "create_backend", create)
    monkeypatch.setattr(choose, "DEFAULT_PI2_ADAPTERS", {})
    with pytest.raises(ConfigError, match="bad adapter"):
        open_backend("llamacpp", adapter="/a.gguf", pi2_adapter="/p.gguf", pi2_by_hint={"team": "/bad.gguf"})
    assert closed == ["/a.gguf", "/p.gguf"]

