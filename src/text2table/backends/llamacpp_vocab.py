"""The model's vocabulary as a decoding answer needs it (:class:`~text2table.backends.llamacpp_answer.Vocabulary`):
the tokens of forced answer text, the bytes of tokens, the end-of-generation tokens and the tokens that close a
JSON array. Tokenising is read-only on the model, so every llama.cpp context on the same weights can use it."""

from __future__ import annotations

from typing import Any


class LlamaVocab:
    """:class:`~text2table.backends.llamacpp_answer.Vocabulary` for a ``llama_cpp.Llama``."""

    def __init__(self, llm: Any) -> None:
        self.llm = llm
        self._forced_tokens: dict[bytes, list[int]] = {}
        self._list_end: Any = None

    def forced_ids(self, text: bytes) -> list[int]:
        """Token ids of forced answer text (cached: the same keys and separators recur)."""
        if text not in self._forced_tokens:
            self._forced_tokens[text] = self.llm.tokenize(text, add_bos=False, special=False)
        return self._forced_tokens[text]

    def piece_bytes(self, tokens: list[int]) -> bytes:
        return self.llm.detokenize(tokens)

    def is_end(self, token: int) -> bool:
        import llama_cpp

        return bool(llama_cpp.llama_vocab_is_eog(self.llm._model.vocab, token))

    def list_end_tokens(self) -> Any:
        """Ids of the tokens that hold ``]`` (they close a JSON array), computed once."""
        import numpy as np

        if self._list_end is None:
            pieces = (self.llm.detokenize([i]) for i in range(self.llm.n_vocab()))
            self._list_end = np.array([i for i, piece in enumerate(pieces) if b"]" in piece], dtype=np.int64)
        return self._list_end
