import importlib
import subprocess
import sys

import pytest

from text2table.backends.base import BUILTIN_MODULES, available_backends, create_backend, per_prompt
from text2table.decoding.constraint import Constraint
from text2table.errors import ConfigError


def test_every_builtin_module_registers_the_name_the_table_gives_it():
    for name, module in BUILTIN_MODULES.items():
        registered = importlib.import_module(module)
        assert any(getattr(obj, "name", None) == name for obj in vars(registered).values() if isinstance(obj, type))
    assert set(BUILTIN_MODULES) <= set(available_backends())
    assert create_backend("rules").name == "rules"


def test_creating_the_rules_backend_imports_no_other_backend():
    code = ("import sys; from text2table.backends.base import create_backend; create_backend('rules');"
            "print(sorted(m for m in sys.modules if m.startswith('text2table.backends.')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "['text2table.backends.base', 'text2table.backends.rules']"


def test_an_unknown_backend_names_the_known_ones():
    with pytest.raises(ConfigError, match="available: .*llamacpp.*rules"):
        create_backend("nope")


def test_per_prompt_expands_one_constraint_and_checks_a_list():
    c = Constraint("rows", {"type": "object"})
    assert per_prompt(c, 2) == [c, c]
    assert per_prompt([c, None], 2) == [c, None]
    with pytest.raises(ConfigError, match="2 constraints for 3 prompts"):
        per_prompt([c, None], 3)


def test_an_adapter_card_with_an_unknown_form_is_a_clear_error(tmp_path):
    from text2table.adapters.card import write_card
    from text2table.backends.base import adapter_pi1_form
    from text2table.errors import InputError

    assert adapter_pi1_form(None) == "full" and adapter_pi1_form(str(tmp_path)) == "full"
    write_card(tmp_path, {"pi1_form": "compact"})
    assert adapter_pi1_form(str(tmp_path / "adapter.gguf")) == "compact"
    write_card(tmp_path, {"pi1_form": "short"})
    with pytest.raises(InputError, match="text2table.json"):
        adapter_pi1_form(str(tmp_path))
    (tmp_path / "text2table.json").write_text("{")
    with pytest.raises(InputError, match="not a readable JSON object"):
        adapter_pi1_form(str(tmp_path))


def test_an_adapter_card_names_the_passage_size_of_its_pi2_examples(tmp_path):
    from text2table.adapters.card import write_card
    from text2table.backends.base import adapter_row_passages
    from text2table.errors import InputError

    assert adapter_row_passages(None) is None and adapter_row_passages(str(tmp_path)) is None
    write_card(tmp_path, {"pi1_form": "full", "row_passages": 250})
    assert adapter_row_passages(str(tmp_path / "adapter.gguf")) == 250
    write_card(tmp_path, {"row_passages": 0})
    assert adapter_row_passages(str(tmp_path)) == 0  # 0: pi2 reads whole chunks
    for bad in (-1, "250", 2.5, True):
        write_card(tmp_path, {"row_passages": bad})
        with pytest.raises(InputError, match="row_passages"):
            adapter_row_passages(str(tmp_path))


def test_an_adapter_card_may_name_a_passage_size_per_table_hint(tmp_path):
    from text2table.adapters.card import write_card
    from text2table.backends.base import adapter_row_passages_by_hint
    from text2table.errors import InputError

    assert adapter_row_passages_by_hint(None) is None and adapter_row_passages_by_hint(str(tmp_path)) is None
    write_card(tmp_path, {"row_passages": 250, "row_passages_by_hint": {"team": 0, "arm": 400}})
    assert adapter_row_passages_by_hint(str(tmp_path / "adapter.gguf")) == {"team": 0, "arm": 400}
    for bad in ([0], {"team": -1}, {"team": "0"}, {"team": True}, {"": 0}):
        write_card(tmp_path, {"row_passages_by_hint": bad})
        with pytest.raises(InputError, match="row_passages_by_hint"):
            adapter_row_passages_by_hint(str(tmp_path))
