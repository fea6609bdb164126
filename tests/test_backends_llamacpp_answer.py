"""One answer's step rule (shared by the llamacpp backend's loops), with a fake vocabulary and no model."""

from __future__ import annotations

import numpy as np

from text2table.backends.llamacpp_answer import Answer

END = 0


class Vocab:
    def piece_bytes(self, tokens):
        return b"".join(bytes([64 + t]) for t in tokens)

    def forced_ids(self, text):
        return [b - 64 for b in text]

    def is_end(self, token):
        return token == END

    def list_end_tokens(self):
        return np.array([3])


def logits_for(token, n=8):
    def make():
        out = np.zeros(n, dtype=np.float32)
        out[token] = 1.0
        return out
    return make


def test_picks_the_best_token_until_the_end_token():
    answer = Answer([1, 2], budget=10, vocab=Vocab())
    assert answer.step(logits_for(5)) == [5]
    assert answer.step(logits_for(6)) == [6]
    assert answer.step(logits_for(END)) is None
    assert (answer.out, answer.finish, answer.done) == ([5, 6], "stop", True)
    assert answer.step(logits_for(5)) is None  # finished answers add nothing


def test_the_budget_ends_an_answer_as_length():
    answer = Answer([1], budget=2, vocab=Vocab())
    answer.step(logits_for(5))
    answer.step(logits_for(5))
    assert answer.step(logits_for(5)) is None
    assert answer.finish == "length" and len(answer.out) == 2


def test_the_list_end_nudge_is_added_to_the_logits():
    answer = Answer([1], budget=5, vocab=Vocab(), list_end_bias=2.0)
    assert answer.step(logits_for(5)) == [3]  # token 3 holds `]`: 0 + 2 beats 1


def test_logits_are_not_read_when_nothing_is_chosen():
    answer = Answer([1], budget=0, vocab=Vocab())

    def fail():
        raise AssertionError("logits read")
    assert answer.step(fail) is None


class Bytes:
    """One token per byte; token 256 ends the answer."""

    def piece_bytes(self, tokens):
        return bytes(tokens)

    def forced_ids(self, text):
        return list(text)

    def is_end(self, token):
        return token == 256

    def list_end_tokens(self):
        return np.array([ord("]")])


class AnyGrammar:
    """Allows every token (the forced-text tracker alone shapes the answer)."""

    stats: dict = {}

    def allows(self, token):
        return True

    def choose(self, token, logits, temperature, rng):
        return token

    def accept(self, token):
        pass

    def close(self):
        pass


def written(join_forced: bool) -> list[list[int]]:
    """The evaluations of a one-row answer ``{"name": null, "rank": 7}`` written byte by byte."""
    from text2table.core.schema import Field, Schema
    from text2table.decoding.constraints import rows_constraint
    from text2table.decoding.forced import tracker

    schema = Schema("kv_single", (Field("name"), Field("rank", type="integer")))
    answer = Answer([1], budget=64, vocab=Bytes(), grammar=AnyGrammar(),
                    forced=tracker(rows_constraint(schema, max_rows=1)), join_forced=join_forced)
    chosen, evaluations = iter(b'{ null 7}'), []
    while (tokens := answer.step(lambda: logits_for(next(chosen, 256), 257)())) is not None:
        evaluations.append(tokens)
    assert bytes(answer.out) == b'{"name": null, "rank": 7}\n' and answer.finish == "stop"
    return evaluations


def test_a_chosen_token_and_the_forced_text_after_it_are_evaluated_together():
    joined, apart = written(True), written(False)
    assert [bytes(t) for t in joined] == [b'{"name":', b" ", b"n", b"u", b"l", b'l, "rank":', b" ", b"7", b"}\n"]
    assert [bytes(t) for t in apart] == [b"{", b'"name":', b" ", b"n", b"u", b"l", b"l", b', "rank":', b" ", b"7",
                                         b"}", b"\n"]
    assert sum(joined, []) == sum(apart, [])  # the same tokens, three evaluations fewer
