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


NULL = 300  # one token for ` null`, as in a BPE vocabulary


class BytesWithNull(Bytes):
    def piece_bytes(self, tokens):
        return b"".join(b" null" if t == NULL else bytes([t]) for t in tokens)

    def forced_ids(self, text):
        return [NULL] if text == b" null" else list(text)


class NoNull(AnyGrammar):
    def allows(self, token):
        return token != NULL


def rows_answer(**options) -> Answer:
    """A fresh answer for rows of ``name``, ``rank`` (integer) and ``city``, one token per byte but `` null``."""
    from text2table.core.schema import Field, Schema
    from text2table.decoding.constraints import rows_constraint
    from text2table.decoding.forced import tracker

    schema = Schema("flat_single_row", (Field("name"), Field("rank", type="integer"), Field("city")))
    options = {"budget": 64, "grammar": AnyGrammar(), **options}
    return Answer([1], vocab=BytesWithNull(), forced=tracker(rows_constraint(schema)), **options)


def row_answer(**options) -> Answer:
    """:func:`rows_answer` with its first row begun: ``{"name":``."""
    answer = rows_answer(**options)
    sure = np.full(301, -1e9, dtype=np.float32)
    sure[ord("{")] = 0.0  # the first row, sampled or not
    assert bytes(answer.step(lambda: sure)) == b'{"name":'
    return answer


def test_guesses_are_the_steps_the_answer_takes_when_the_model_writes_null():
    answer = row_answer()
    guesses = answer.guess(5)
    assert [answer.vocab.piece_bytes(g) for g in guesses] == [b' null, "rank":', b' null, "city":', b" null}"]
    assert answer.out == list(b'{"name":')  # guessing leaves the answer as it was
    taken = [answer.step(lambda: logits_for(NULL, 301)()) for _ in guesses]
    assert taken == guesses
    assert answer.guess(5) == []  # after `}` the model chooses: another row or the end


def test_guesses_stop_at_the_limit_a_value_and_the_budget():
    assert len(row_answer().guess(2)) == 2
    answer = row_answer()
    answer.step(lambda: logits_for(ord(" "), 301)())  # a string value begins
    assert answer.guess(5) == []
    assert len(row_answer(budget=8 + 8 + 7).guess(5)) == 1  # `{"name":` and one guess fit, not two


def test_no_guesses_when_sampling_or_where_the_grammar_forbids_null():
    assert row_answer(rng=np.random.default_rng(0), temperature=1.0).guess(5) == []
    assert row_answer(grammar=NoNull()).guess(5) == []
