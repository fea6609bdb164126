"""Merging a llama.cpp LoRA GGUF into its base: W + alpha/r * B @ A, cached, and the real model agrees."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

gguf = pytest.importorskip("gguf")

from text2table.backends.lora_merge import merge_lora, merged_gguf, merged_path  # noqa: E402
from text2table.errors import InputError  # noqa: E402

RNG = np.random.default_rng(0)
W = RNG.standard_normal((8, 32)).astype(np.float32)  # out x in
A = RNG.standard_normal((4, 32)).astype(np.float32)  # r x in
B = RNG.standard_normal((8, 4)).astype(np.float32)  # out x r


def write_base(path: Path) -> None:
    writer = gguf.GGUFWriter(str(path), "llama")
    writer.add_uint32("llama.block_count", 1)
    writer.add_string("tokenizer.chat_template", "{{ messages }}")
    writer.add_array("tokenizer.ggml.tokens", ["a", "b"])
    writer.add_tensor("blk.0.attn_q.weight", W)
    writer.add_tensor("blk.0.attn_norm.weight", np.ones(32, dtype=np.float32))
    for step in (writer.write_header_to_file, writer.write_kv_data_to_file, writer.write_tensors_to_file):
        step()
    writer.close()


def write_lora(path: Path, name: str = "blk.0.attn_q.weight", alpha: float = 8.0) -> None:
    writer = gguf.GGUFWriter(str(path), "llama")
    writer.add_string("general.type", "adapter")
    writer.add_string("adapter.type", "lora")
    writer.add_float32("adapter.lora.alpha", alpha)
    writer.add_tensor(f"{name}.lora_a", A.astype(np.float16))
    writer.add_tensor(f"{name}.lora_b", B.astype(np.float16))
    for step in (writer.write_header_to_file, writer.write_kv_data_to_file, writer.write_tensors_to_file):
        step()
    writer.close()


def test_merge_adds_the_scaled_delta_and_copies_the_rest(tmp_path):
    base, lora, out = tmp_path / "base.gguf", tmp_path / "lora.gguf", tmp_path / "merged.gguf"
    write_base(base)
    write_lora(lora, alpha=8.0)
    assert merge_lora(base, lora, out, dtype="f32") == {"merged": 1, "copied": 1}
    reader = gguf.GGUFReader(str(out))
    tensors = {t.name: t for t in reader.tensors}
    a16, b16 = A.astype(np.float16).astype(np.float32), B.astype(np.float16).astype(np.float32)
    expected = W + (8.0 / 4) * (b16 @ a16)
    np.testing.assert_allclose(tensors["blk.0.attn_q.weight"].data.reshape(8, 32), expected, rtol=1e-5, atol=1e-5)
    np.testing.assert_array_equal(tensors["blk.0.attn_norm.weight"].data, np.ones(32, dtype=np.float32))
    assert reader.fields["tokenizer.ggml.tokens"].contents() == ["a", "b"]
    assert reader.fields["tokenizer.chat_template"].contents() == "{{ messages }}"
    assert reader.fields["general.architecture"].contents() == "llama"


def test_q8_0_merge_is_close(tmp_path):
    base, lora, out = tmp_path / "base.gguf", tmp_path / "lora.gguf", tmp_path / "merged.gguf"
    write_base(base)
    write_lora(lora)
    merge_lora(base, lora, out, dtype="q8_0")
    t = gguf.GGUFReader(str(out)).tensors[0]
    got = gguf.dequantize(t.data, t.tensor_type).reshape(8, 32)
    assert np.abs(got - (W + 2 * B @ A)).max() < 0.2


def test_adapter_for_another_model_is_refused(tmp_path):
    base, lora = tmp_path / "base.gguf", tmp_path / "lora.gguf"
    write_base(base)
    write_lora(lora, name="blk.7.attn_q.weight")
    with pytest.raises(InputError, match="no weight 'blk.7.attn_q.weight'"):
        merge_lora(base, lora, tmp_path / "m.gguf", dtype="f32")
    with pytest.raises(InputError, match="not a llama.cpp LoRA"):
        merge_lora(base, base, tmp_path / "m.gguf", dtype="f32")


def test_cached_merge_is_built_once_and_keyed_by_both_files(tmp_path, monkeypatch):
    monkeypatch.setenv("TEXT2TABLE_CACHE", str(tmp_path / "cache"))
    base, lora = tmp_path / "base.gguf", tmp_path / "lora.gguf"
    write_base(base)
    write_lora(lora)
    first = merged_gguf(base, lora, dtype="f32")
    assert first == merged_path(base, lora, "f32") and first.parent == tmp_path / "cache" / "merged"
    stamp = first.stat().st_mtime_ns
    assert merged_gguf(base, lora, dtype="f32").stat().st_mtime_ns == stamp  # not rebuilt
    assert not [p for p in first.parent.iterdir() if p.name.startswith(".merge-")]  # no temporary left
    write_lora(lora, alpha=4.0)
    assert merged_path(base, lora, "f32") != first  # another adapter, another file


@pytest.mark.slow
def test_merged_embedded_model_matches_the_runtime_adapter(tmp_path):
    llama_cpp = pytest.importorskip("llama_cpp")
    from text2table.adapters import default_adapter_paths
    from text2table.backends.models import embedded_gguf_path

    lora = default_adapter_paths()["llamacpp"]
    if lora is None:
        pytest.skip("no shipped adapter")
    merged = tmp_path / "merged.gguf"
    merge_lora(embedded_gguf_path(), Path(lora), merged, dtype="q8_0")

    def last_logits(path: Path, lora_path: str | None) -> np.ndarray:
        llm = llama_cpp.Llama(model_path=str(path), n_ctx=256, n_threads=1, lora_path=lora_path, verbose=False)
        tokens = llm.tokenize(b"<|im_start|>user\nThe Vaults is a pub.<|im_end|>\n<|im_start|>assistant\n{\"",
                              special=True)
        llm.eval(tokens)
        out = np.ctypeslib.as_array(llama_cpp.llama_get_logits_ith(llm._ctx.ctx, -1), shape=(llm.n_vocab(),)).copy()
        llm.close()
        return out

    runtime, plain = last_logits(embedded_gguf_path(), lora), last_logits(embedded_gguf_path(), None)
    got = last_logits(merged, None)
    assert np.abs(got - runtime).max() < 0.25 * np.abs(plain - runtime).max()  # the adapter's effect is there
    assert set(np.argsort(-got)[:5]) == set(np.argsort(-runtime)[:5])
