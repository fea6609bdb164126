"""PEFT LoRA -> llama.cpp LoRA GGUF: layout, scaling, q/k permutation, errors, CLI; and the real model end to end.

The fast tests use a synthetic Llama-shaped base GGUF (hidden 16, 4 heads, 2 kv heads, 2 layers). The slow test
runs the embedded SmolLM2 Q4_1 in llama.cpp with an exported adapter and compares the adapter-induced logit
change with transformers + PEFT on the dequantised fp32 model.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from text2table.errors import InputError
from text2table.export import cached_lora_gguf, convert_lora, peft_scaling, read_base_spec, rope_permute_rows
from text2table.export.readers import read_gguf_header, read_safetensors

gguf = pytest.importorskip("gguf")
safetensors_numpy = pytest.importorskip("safetensors.numpy")

HIDDEN, N_HEAD, N_KV, FFN, LAYERS = 16, 4, 2, 24, 2
OUT_IN = {"self_attn.q_proj": (HIDDEN, HIDDEN), "self_attn.k_proj": (HIDDEN * N_KV // N_HEAD, HIDDEN),
          "self_attn.v_proj": (HIDDEN * N_KV // N_HEAD, HIDDEN), "self_attn.o_proj": (HIDDEN, HIDDEN),
          "mlp.gate_proj": (FFN, HIDDEN), "mlp.up_proj": (FFN, HIDDEN), "mlp.down_proj": (HIDDEN, FFN)}
GGUF_NAME = {"self_attn.q_proj": "attn_q", "self_attn.k_proj": "attn_k", "self_attn.v_proj": "attn_v",
             "self_attn.o_proj": "attn_output", "mlp.gate_proj": "ffn_gate", "mlp.up_proj": "ffn_up",
             "mlp.down_proj": "ffn_down"}


def expected_rope_rows(n_rows: int, n_head: int) -> list[int]:
    """Written out independently: GGUF row 2i of a head is HF row i, row 2i+1 is HF row d/2 + i."""
    d = n_rows // n_head
    return [h * d + (j // 2 if j % 2 == 0 else d // 2 + j // 2) for h in range(n_head) for j in range(d)]


def write_base(path: Path, *, arch: str = "llama", hidden: int = HIDDEN) -> Path:
    writer = gguf.GGUFWriter(str(path), arch=arch)
    writer.add_block_count(LAYERS)
    writer.add_head_count(N_HEAD)
    writer.add_head_count_kv(N_KV)
    writer.add_embedding_length(hidden)
    writer.add_token_list([f"tok{i}" for i in range(10)])  # an array the fast header reader must skip
    writer.add_tensor("token_embd.weight", np.zeros((10, hidden), np.float32))
    for layer in range(LAYERS):
        for proj, (out, inp) in OUT_IN.items():
            scale = hidden / HIDDEN
            shape = (int(out * scale), int(inp * scale))
            writer.add_tensor(f"blk.{layer}.{GGUF_NAME[proj]}.weight", np.zeros(shape, np.float32))
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return path


def write_adapter(folder: Path, *, rank: int = 4, alpha: float = 8.0, extra_config: dict | None = None,
                  extra_tensors: dict | None = None, seed: int = 0) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    tensors = {}
    for layer in range(LAYERS):
        for proj, (out, inp) in OUT_IN.items():
            prefix = f"base_model.model.model.layers.{layer}.{proj}"
            tensors[f"{prefix}.lora_A.weight"] = rng.normal(size=(rank, inp)).astype(np.float32)
            tensors[f"{prefix}.lora_B.weight"] = rng.normal(size=(out, rank)).astype(np.float32)
    tensors.update(extra_tensors or {})
    folder.mkdir(parents=True, exist_ok=True)
    safetensors_numpy.save_file(tensors, str(folder / "adapter_model.safetensors"))
    config = {"peft_type": "LORA", "r": rank, "lora_alpha": alpha, "target_modules": ["q_proj", "k_proj"],
              **(extra_config or {})}
    (folder / "adapter_config.json").write_text(json.dumps(config))
    return tensors


def llama_deltas(path: Path) -> dict[str, np.ndarray]:
    """What llama.cpp adds to each base weight (lora_scale 1): alpha / rank * B @ A, keyed by base tensor name."""
    reader = gguf.GGUFReader(path)
    alpha = float(reader.fields["adapter.lora.alpha"].contents())
    data = {t.name: np.asarray(t.data, dtype=np.float32) for t in reader.tensors}
    deltas = {}
    for name, lora_a in data.items():
        if name.endswith(".lora_a"):
            lora_b = data[name.replace(".lora_a", ".lora_b")]
            deltas[name.removesuffix(".lora_a")] = alpha / lora_a.shape[0] * lora_b @ lora_a
    return deltas


@pytest.fixture
def base_gguf(tmp_path) -> Path:
    return write_base(tmp_path / "base.gguf")


# ---------------------------------------------------------------- pure pieces

@settings(max_examples=40, deadline=None)
@given(n_head=st.integers(1, 6), half=st.integers(1, 8), rank=st.integers(1, 5))
def test_rope_permutation_matches_formula_and_commutes_with_lora(n_head, half, rank):
    rows = n_head * 2 * half
    permuted = rope_permute_rows(np.arange(rows).reshape(rows, 1), n_head)[:, 0].tolist()
    assert permuted == expected_rope_rows(rows, n_head)
    rng = np.random.default_rng(rows)
    lora_b, lora_a = rng.normal(size=(rows, rank)), rng.normal(size=(rank, 7))
    np.testing.assert_allclose(rope_permute_rows(lora_b, n_head) @ lora_a, rope_permute_rows(lora_b @ lora_a, n_head))


def test_rope_permutation_rejects_rows_that_do_not_split_into_heads():
    with pytest.raises(InputError, match="cannot split 6 rows into 4 heads"):
        rope_permute_rows(np.zeros((6, 2)), 4)


@pytest.mark.parametrize(("config", "module", "rank", "expected"), [
    ({"lora_alpha": 32}, "model.layers.0.self_attn.q_proj", 16, 2.0),
    ({"lora_alpha": 32, "use_rslora": True}, "model.layers.0.self_attn.q_proj", 16, 8.0),
    ({"lora_alpha": 32, "alpha_pattern": {"v_proj": 8}}, "model.layers.3.self_attn.v_proj", 16, 0.5),
    ({"lora_alpha": 32, "alpha_pattern": {"v_proj": 8}}, "model.layers.3.self_attn.q_proj", 16, 2.0),
], ids=["plain", "rslora", "alpha-pattern-hit", "alpha-pattern-miss"])
def test_peft_scaling(config, module, rank, expected):
    assert peft_scaling(config, module, rank) == pytest.approx(expected)


def test_fast_header_reader_agrees_with_gguf_reader(base_gguf):
    meta, shapes = read_gguf_header(base_gguf)
    reader = gguf.GGUFReader(base_gguf)
    assert meta["llama.block_count"] == LAYERS and meta["llama.attention.head_count_kv"] == N_KV
    assert "tokenizer.ggml.tokens" not in meta  # arrays are skipped
    assert shapes == {t.name: tuple(int(x) for x in t.shape) for t in reader.tensors}
    spec = read_base_spec(base_gguf)
    assert (spec.n_layers, spec.n_head, spec.n_head_kv) == (LAYERS, N_HEAD, N_KV)
    assert spec.shapes["blk.1.attn_k.weight"] == (8, 16) and spec.shapes["blk.0.ffn_down.weight"] == (16, 24)


def test_read_safetensors_decodes_bf16_and_f16(tmp_path):
    values = np.array([[1.5, -2.0], [0.25, 3.0]], np.float32)
    bf16 = (values.view(np.uint32) >> 16).astype(np.uint16)
    header = {"a": {"dtype": "BF16", "shape": [2, 2], "data_offsets": [0, 8]},
              "b": {"dtype": "F16", "shape": [2, 2], "data_offsets": [8, 16]}}
    raw = json.dumps(header).encode()
    path = tmp_path / "x.safetensors"
    path.write_bytes(len(raw).to_bytes(8, "little") + raw + bf16.tobytes() + values.astype(np.float16).tobytes())
    got = read_safetensors(path)
    np.testing.assert_array_equal(got["a"], values)
    np.testing.assert_array_equal(got["b"], values)


# ---------------------------------------------------------------- conversion

@pytest.mark.parametrize("extra", [{}, {"use_rslora": True}, {"alpha_pattern": {"o_proj": 2.0}}],
                         ids=["plain", "rslora", "alpha-pattern"])
def test_convert_reproduces_peft_deltas_in_llama_layout(tmp_path, base_gguf, extra):
    tensors = write_adapter(tmp_path / "adapter", rank=4, alpha=8.0, extra_config=extra)
    config = {"lora_alpha": 8.0, **extra}
    report = convert_lora(tmp_path / "adapter", base_gguf, tmp_path / "out.gguf")
    assert (report.n_weights, report.ranks, report.alpha) == (LAYERS * 7, (4,), 8.0)
    reader = gguf.GGUFReader(tmp_path / "out.gguf")
    assert reader.fields["general.type"].contents() == "adapter"
    assert reader.fields["adapter.type"].contents() == "lora"
    assert reader.fields["general.architecture"].contents() == "llama"
    # ggml shapes (ne0 first): lora_a = (in, rank), lora_b = (rank, out), as llama.cpp checks them
    shapes = {t.name: tuple(int(x) for x in t.shape) for t in reader.tensors}
    assert shapes["blk.0.attn_k.weight.lora_a"] == (16, 4) and shapes["blk.0.attn_k.weight.lora_b"] == (4, 8)
    deltas = llama_deltas(tmp_path / "out.gguf")
    assert len(deltas) == LAYERS * 7
    for layer in range(LAYERS):
        for proj in OUT_IN:
            module = f"model.layers.{layer}.{proj}"
            a = tensors[f"base_model.{module.replace('model.', 'model.model.', 1)}.lora_A.weight"]
            b = tensors[f"base_model.{module.replace('model.', 'model.model.', 1)}.lora_B.weight"]
            want = peft_scaling(config, module, 4) * b @ a
            if proj in ("self_attn.q_proj", "self_attn.k_proj"):
                want = want[expected_rope_rows(want.shape[0], N_HEAD if "q_proj" in proj else N_KV)]
            np.testing.assert_allclose(deltas[f"blk.{layer}.{GGUF_NAME[proj]}.weight"], want, rtol=1e-5, atol=1e-5)


def test_without_permutation_q_and_k_come_out_wrong(tmp_path, base_gguf):
    write_adapter(tmp_path / "adapter")
    right = llama_deltas(convert_lora(tmp_path / "adapter", base_gguf, tmp_path / "a.gguf").out)
    wrong = llama_deltas(convert_lora(tmp_path / "adapter", base_gguf, tmp_path / "b.gguf", permute_qk=False).out)
    assert not np.allclose(right["blk.0.attn_q.weight"], wrong["blk.0.attn_q.weight"])
    assert not np.allclose(right["blk.1.attn_k.weight"], wrong["blk.1.attn_k.weight"])
    np.testing.assert_array_equal(right["blk.0.attn_v.weight"], wrong["blk.0.attn_v.weight"])


def test_f16_halves_the_file_and_keeps_the_values(tmp_path, base_gguf):
    write_adapter(tmp_path / "adapter")
    f32 = convert_lora(tmp_path / "adapter", base_gguf, tmp_path / "a.gguf")
    f16 = convert_lora(tmp_path / "adapter", base_gguf, tmp_path / "b.gguf", dtype="f16")
    assert f16.bytes < 0.75 * f32.bytes
    a, b = llama_deltas(f32.out), llama_deltas(f16.out)
    np.testing.assert_allclose(a["blk.1.ffn_up.weight"], b["blk.1.ffn_up.weight"], rtol=0.02, atol=0.02)


def test_the_adapter_card_is_written_beside_the_gguf(tmp_path, base_gguf):
    from text2table.adapters.card import pi1_form_of, write_card

    write_adapter(tmp_path / "adapter")
    convert_lora(tmp_path / "adapter", base_gguf, tmp_path / "plain" / "a.gguf")
    assert not (tmp_path / "plain" / "text2table.json").exists()  # no card, none written
    write_card(tmp_path / "adapter", {"pi1_form": "compact"})
    convert_lora(tmp_path / "adapter", base_gguf, tmp_path / "out" / "a.gguf")
    assert pi1_form_of(tmp_path / "out" / "a.gguf") == "compact"
    convert_lora(tmp_path / "adapter", base_gguf, tmp_path / "cache" / "a.gguf", card=False)
    assert not (tmp_path / "cache" / "text2table.json").exists()  # a folder shared by many adapters


@pytest.mark.parametrize(("setup", "message"), [
    ("missing", "adapter_config.json not found"),
    ("dora", "DoRA cannot be expressed"),
    ("not-lora", "expected 'LORA'"),
    ("lm_head", "embeddings and lm_head are tied"),
    ("half-pair", "lora_A or lora_B is missing"),
    ("other-base", "do not fit the base weight"),
    ("not-llama", "architecture 'gpt2' is not supported"),
    ("safetensors-as-base", "not a GGUF"),
    ("truncated-base", "truncated GGUF header"),
    ("adapter-gguf-as-base", "general.type is 'adapter'"),
    ("dtype", "dtype 'q4' is not supported"),
])
def test_errors_name_the_problem_and_leave_no_file(tmp_path, base_gguf, setup, message):
    folder, base, kwargs = tmp_path / "adapter", base_gguf, {}
    if setup != "missing":
        extra_config = {"dora": {"use_dora": True}, "not-lora": {"peft_type": "PROMPT_TUNING"}}.get(setup)
        extra_tensors = {"lm_head": {"base_model.model.lm_head.lora_A.weight": np.zeros((4, 16), np.float32)},
                         "half-pair": {"base_model.model.model.layers.9.mlp.up_proj.lora_A.weight":
                                       np.zeros((4, 16), np.float32)}}.get(setup)
        write_adapter(folder, extra_config=extra_config, extra_tensors=extra_tensors)
    if setup == "other-base":
        base = write_base(tmp_path / "wide.gguf", hidden=32)
    elif setup == "not-llama":
        base = write_base(tmp_path / "gpt2.gguf", arch="gpt2")
    elif setup == "safetensors-as-base":
        base = folder / "adapter_model.safetensors"
    elif setup == "truncated-base":
        base = tmp_path / "cut.gguf"
        base.write_bytes(base_gguf.read_bytes()[:200])
    elif setup == "adapter-gguf-as-base":
        base = convert_lora(folder, base_gguf, tmp_path / "adapter.gguf").out
    elif setup == "dtype":
        kwargs = {"dtype": "q4"}
    with pytest.raises(InputError, match=message):
        convert_lora(folder, base, tmp_path / "out" / "x.gguf", **kwargs)
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())  # no half-written file


def test_cached_conversion_is_reused_and_tracks_the_adapter(tmp_path, base_gguf):
    write_adapter(tmp_path / "adapter", seed=1)
    first = cached_lora_gguf(tmp_path / "adapter", base_gguf, cache_dir=tmp_path / "cache")
    stamp = first.stat().st_mtime_ns
    assert cached_lora_gguf(tmp_path / "adapter", base_gguf, cache_dir=tmp_path / "cache") == first
    assert first.stat().st_mtime_ns == stamp
    write_adapter(tmp_path / "adapter", seed=2)  # retrained: new content, new file
    assert cached_lora_gguf(tmp_path / "adapter", base_gguf, cache_dir=tmp_path / "cache") != first


def test_cli_export_gguf(tmp_path, base_gguf):
    typer = pytest.importorskip("typer")
    from typer.testing import CliRunner

    from text2table.cli import export

    app = typer.Typer()
    export.register(app)
    app.command("other")(lambda: None)  # a second command keeps typer in multi-command mode
    write_adapter(tmp_path / "adapter")
    runner = CliRunner()
    ok = runner.invoke(app, ["export-gguf", str(tmp_path / "adapter"), "--out", str(tmp_path / "x.gguf"),
                             "--base", str(base_gguf), "--dtype", "f16"])
    assert ok.exit_code == 0, ok.output
    assert "14 adapted" in ok.output and (tmp_path / "x.gguf").is_file()
    bad = runner.invoke(app, ["export-gguf", str(tmp_path / "nope"), "--out", str(tmp_path / "y.gguf"),
                              "--base", str(base_gguf)])
    assert bad.exit_code == 2 and "adapter_config.json not found" in bad.output


# ---------------------------------------------------------------- the real model, end to end

PROMPT = "The Eagle is a coffee shop near Burger King in the riverside area. It serves Japanese food at low prices."
ALL_PROJ = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]


def _pearson(x: np.ndarray, y: np.ndarray) -> float:
    return float(np.corrcoef(x.ravel(), y.ravel())[0, 1])


@pytest.mark.slow
def test_llamacpp_applies_the_exported_adapter_like_peft(tmp_path):
    """Adapter-induced logit change: llama.cpp (Q4_1 + exported GGUF) against transformers + PEFT (fp32).

    llama.cpp's Q4_1 arithmetic adds a noise floor to any perturbation (about 0.2 mean |logit| change even for an
    adapter 1000x too small to matter), so the random adapters are made strong enough to stand above it:
    lora_B ~ N(0, 0.1) on all projections, and N(0, 0.3) on q/k alone for the permutation check.
    """
    llama_cpp = pytest.importorskip("llama_cpp")
    torch = pytest.importorskip("torch")
    peft = pytest.importorskip("peft")
    from text2table.backends.models import load_causal_lm, resolve_model_path
    from text2table.errors import BackendError

    try:
        base = resolve_model_path("embedded")
    except BackendError as exc:
        pytest.skip(str(exc))
    model, tokenizer = load_causal_lm(None)
    ids = tokenizer(PROMPT)["input_ids"][:20]
    torch.manual_seed(0)  # lora_A's initialisation: unseeded, the permutation check failed about 1 run in 3
    lm = peft.get_peft_model(model, peft.LoraConfig(r=8, lora_alpha=16, target_modules=ALL_PROJ, lora_dropout=0.0))
    lm.eval()

    def hf_logits() -> np.ndarray:
        with torch.no_grad():
            return lm(torch.tensor([ids])).logits[0].float().numpy()

    def llama_logits(lora: Path | None = None) -> np.ndarray:
        llm = llama_cpp.Llama(model_path=str(base), lora_path=str(lora) if lora else None, logits_all=True,
                              n_ctx=64, n_threads=1, verbose=False)  # 1: robust on a busy shared CPU
        try:
            llm.eval(ids)
            return np.array(llm.scores[:len(ids)], dtype=np.float32)
        finally:
            llm.close()

    def set_lora_b(std: float, modules: list[str]) -> None:
        generator = torch.Generator().manual_seed(0)
        with torch.no_grad():
            for name, param in lm.named_parameters():
                if "lora_B" in name:
                    hit = any(f".{m}." in name for m in modules)
                    param.copy_(torch.randn(param.shape, generator=generator) * std if hit else param * 0)

    with lm.disable_adapter():
        hf_base = hf_logits()
    llama_base = llama_logits()
    base_agree = float((hf_base.argmax(-1) == llama_base.argmax(-1)).mean())
    rows = [("base (no adapter)", _pearson(hf_base, llama_base), base_agree)]

    def run(label: str, std: float, modules: list[str], **kwargs) -> tuple[float, float]:
        set_lora_b(std, modules)
        lm.save_pretrained(tmp_path / label)
        hf = hf_logits()
        out = convert_lora(tmp_path / label, base, tmp_path / f"{label}.gguf", **kwargs).out
        llama = llama_logits(out)
        corr = _pearson(hf - hf_base, llama - llama_base)
        agree = float((hf.argmax(-1) == llama.argmax(-1)).mean())
        rows.append((f"{label} {kwargs or ''}".strip(), corr, agree))
        return corr, agree

    all_corr, all_agree = run("all-proj", 0.1, ALL_PROJ)
    f16_corr, _ = run("all-proj", 0.1, ALL_PROJ, dtype="f16")
    qk_corr, _ = run("qk-only", 0.3, ["q_proj", "k_proj"])
    wrong_corr, _ = run("qk-only", 0.3, ["q_proj", "k_proj"], permute_qk=False)
    print("\n" + "\n".join(f"{label:40s} delta-pearson {c:7.4f}  greedy-agree {a:.2f}" for label, c, a in rows))

    assert rows[0][1] > 0.99 and rows[0][2] >= 0.9  # (c) the Q4_1 base matches the dequantised fp32 base
    assert all_corr > 0.9 and all_agree >= 0.8 and f16_corr > 0.9
    assert qk_corr > 0.9
    assert wrong_corr < 0.5  # a converter that forgets the q/k permutation is caught
