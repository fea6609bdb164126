"""One answer being decoded by llama.cpp: what to evaluate next, shared by the ``llamacpp`` backend's two loops.

An :class:`Answer` holds a prompt's tokens, its token budget, its grammar (:class:`LazyGrammar`) and its
forced-text tracker (:mod:`text2table.decoding.forced`). :meth:`Answer.step` returns the tokens to evaluate
next and updates the answer:

- the text the grammar allows in exactly one way, when there is some (several tokens, no decode step; the
  last token before a fork is left to the model, which learned the merged punctuation tokens);
- otherwise the one token picked from the logits of the last evaluated token (greedy or sampled, the grammar
  asked lazily, ``]`` tokens nudged by ``list_end_bias``), followed by the forced text that this token makes
  pending (``join_forced``: a value's closing quote or a ``null`` and the next key, evaluated together);
- ``None`` when the answer is complete (end of sequence, the tracker's end, or the budget).

The caller evaluates the returned tokens and calls ``step`` again: the one-at-a-time loop evaluates them
alone, the parallel loop (:mod:`text2table.backends.llamacpp_parallel`) in one batch with other answers'
tokens. Both loops therefore make the same choices from the same logits.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Protocol

from text2table.backends.llamacpp_grammar import LazyGrammar, pick


class Vocabulary(Protocol):
    """What an answer needs from the model's tokenizer (:class:`~text2table.backends.llamacpp_vocab.LlamaVocab`)."""

    def piece_bytes(self, tokens: list[int]) -> bytes: ...

    def forced_ids(self, text: bytes) -> list[int]: ...

    def is_end(self, token: int) -> bool: ...

    def list_end_tokens(self) -> Any: ...


@dataclass
class Answer:
    """The decoding state of one prompt's answer; ``finish`` is ``"length"`` until it ends by itself."""

    tokens: list[int]  # the prompt, BOS included
    budget: int  # new tokens allowed
    vocab: Vocabulary
    temperature: float = 0.0
    rng: Any = None  # numpy Generator when sampling
    grammar: LazyGrammar | None = None
    forced: Any = None  # decoding.forced.ForcedText, or None
    list_end_bias: float = 0.0
    join_forced: bool = True  # evaluate a chosen token and the forced text it makes pending in one batch
    out: list[int] = field(default_factory=list)
    finish: str = "length"
    done: bool = False
    stats: dict[str, Any] = field(default_factory=lambda: {"forced_tokens": 0})

    def step(self, logits: Callable[[], Any]) -> list[int] | None:
        """The tokens to evaluate next (already added to :attr:`out`), or ``None`` when the answer is complete.

        ``logits()`` returns the logits after the last evaluated token; it is called only when the model
        must choose, and the array may be changed (the list-end nudge is added in place)."""
        if self.done:
            return None
        if len(self.out) >= self.budget:
            return self._end("length")
        if self.forced is not None and self.grammar is not None:
            if self.forced.finished():
                return self._end("stop")
            batch = self._forced_batch()
            if batch:
                return batch
        scores = logits()
        if self.list_end_bias:
            scores[self.vocab.list_end_tokens()] += self.list_end_bias
        token = pick(scores, self.temperature, self.rng)
        if self.grammar is not None:
            token = self.grammar.choose(token, scores, self.temperature, self.rng)
        if self.vocab.is_end(token):
            return self._end("stop")
        if self.grammar is not None:
            self.grammar.accept(token)
        self.out.append(token)
        if self.forced is None:
            return [token]
        self.forced.feed(self.vocab.piece_bytes([token]))
        if self.join_forced and self.grammar is not None and not self.forced.finished():
            return [token, *self._forced_batch()]  # the same tokens, one evaluation fewer
        return [token]

    def _end(self, finish: str) -> None:
        self.finish, self.done = finish, True
        return None

    def _forced_batch(self) -> list[int]:
        """The forced text's tokens that the grammar accepts (empty when nothing is forced now)."""
        text = self.forced.pending()
        if not text:
            return []
        tokens = self.vocab.forced_ids(text)
        if self.forced.before_choice():
            tokens = tokens[:-1]  # the model picks the branch with a merged token (`},{"`, `}],"`)
        batch = []
        for token in tokens[:self.budget - len(self.out)]:
            if not self.grammar.allows(token):  # the tokens of the forced text must pass the grammar
                break
            self.grammar.accept(token)
            batch.append(token)
        if not batch:
            if tokens:
                self.forced.dead = True  # the grammar disagrees: plain decoding for the rest of this answer
            return []
        self.out.extend(batch)
        self.forced.feed(self.vocab.piece_bytes(batch))
        self.stats["forced_tokens"] += len(batch)
        return batch

    def close(self) -> dict[str, Any]:
        """Free the grammar; the answer's counters (forced tokens, grammar rejections and CPU seconds)."""
        if self.grammar is not None:
            self.stats.update(self.grammar.stats)
            self.grammar.close()
            self.grammar = None
        return self.stats
