"""chrF (Popović 2015) as sacrebleu's ``CHRF()`` computes a sentence score, divided by 100, but faster.

sacrebleu's defaults: character n-grams of order 1..6, whitespace removed, no word n-grams, beta 2, and
"effective order" averaging (orders where both sides have n-grams). :class:`ChrF` extracts each string's
n-grams once and reuses them for every pair; the tests check it equals sacrebleu to 1e-9. Its memo lives
in the instance, so one instance per metric call keeps no global state.
"""

from __future__ import annotations

from collections import Counter

CHAR_ORDER = 6
BETA = 2


def char_ngrams(text: str, order: int = CHAR_ORDER) -> tuple[Counter[str], ...]:
    """Counters of character n-grams, n = 1..order, whitespace removed (as sacrebleu does)."""
    line = "".join(text.split())
    return tuple(Counter(line[i:i + n] for i in range(len(line) - n + 1)) for n in range(1, order + 1))


def _f_score(stats: list[tuple[int, int, int]], beta: int = BETA) -> float:
    factor = beta ** 2
    avg_prec = avg_rec = 0.0
    effective = 0
    for n_hyp, n_ref, n_match in stats:
        if n_hyp > 0 and n_ref > 0:
            avg_prec += n_match / n_hyp
            avg_rec += n_match / n_ref
            effective += 1
    if effective == 0:
        return 0.0
    avg_prec /= effective
    avg_rec /= effective
    if avg_prec + avg_rec == 0:
        return 0.0
    return (1 + factor) * avg_prec * avg_rec / (factor * avg_prec + avg_rec)


class ChrF:
    """Sentence chrF / 100 with per-instance memos of n-grams and pair scores."""

    def __init__(self) -> None:
        self._ngrams: dict[str, tuple[Counter[str], ...]] = {}
        self._pairs: dict[tuple[str, str], float] = {}

    def _grams(self, text: str) -> tuple[Counter[str], ...]:
        grams = self._ngrams.get(text)
        if grams is None:
            grams = self._ngrams[text] = char_ngrams(text)
        return grams

    def __call__(self, hyp: str, ref: str) -> float:
        """chrF of hypothesis ``hyp`` against reference ``ref``, in [0, 1].

        >>> scorer = ChrF()
        >>> scorer("Hawks", "Hawks"), round(scorer("Hawk", "Hawks"), 4)
        (1.0, 0.7257)
        """
        key = (hyp, ref)
        score = self._pairs.get(key)
        if score is not None:
            return score
        stats = []
        for h, r in zip(self._grams(hyp), self._grams(ref)):
            n_hyp = sum(h.values())
            n_ref = sum(r.values())
            if len(h) <= len(r):
                match = sum(min(c, r[g]) for g, c in h.items() if g in r)
            else:
                match = sum(min(c, h[g]) for g, c in r.items() if g in h)
            stats.append((n_hyp if r else 0, n_ref, match))
        score = self._pairs[key] = _f_score(stats)
        return score


def sacrebleu_chrf(hyp: str, ref: str) -> float:
    """The reference implementation: ``sacrebleu.metrics.CHRF().sentence_score(hyp, [ref]).score / 100``."""
    from sacrebleu.metrics import CHRF

    return CHRF().sentence_score(hyp, [ref]).score / 100
