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
