"""backends/llamacpp_vocab.py: forced text tokenised once, the tokens that close a JSON array."""

from __future__ import annotations

from text2table.backends.llamacpp_vocab import LlamaVocab


class FakeLlm:
    """A vocabulary of four tokens: 0 "a", 1 "]", 2 "],", 3 "b"; tokenize counts its calls."""

    pieces = [b"a", b"]", b"],", b"b"]

    def __init__(self) -> None:
        self.calls = 0

    def tokenize(self, text: bytes, add_bos: bool, special: bool) -> list[int]:
        self.calls += 1
        return [self.pieces.index(bytes([c])) for c in text]

    def detokenize(self, tokens: list[int]) -> bytes:
        return b"".join(self.pieces[t] for t in tokens)

    def n_vocab(self) -> int:
        return len(self.pieces)


def test_forced_text_is_tokenised_once_and_pieces_join_back():
    llm = FakeLlm()
    vocab = LlamaVocab(llm)
    assert vocab.forced_ids(b"ab") == [0, 3] and vocab.forced_ids(b"ab") == [0, 3]
    assert llm.calls == 1
    assert vocab.piece_bytes([0, 2, 3]) == b"a],b"


def test_the_tokens_that_close_an_array_are_every_token_holding_a_bracket():
    vocab = LlamaVocab(FakeLlm())
    assert vocab.list_end_tokens().tolist() == [1, 2]
    assert vocab.list_end_tokens() is vocab.list_end_tokens()  # computed once
