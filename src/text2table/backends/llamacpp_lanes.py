"""The prompts of one ``generate`` call decoded in several llama.cpp contexts at once (the ``workers`` option).

A step of a small model is short (SmolLM2-135M: about 10 ms a token), and llama.cpp's threads wait for each
other several times within it, so one context on two threads decodes a token only about 1.4x faster than on
one. With ``workers`` contexts ("lanes") on the same weights, each decoding its own prompts on its own Python
thread (llama.cpp runs without the GIL), the cores stay busy instead of waiting: on 2 cores, two contexts at
once evaluate 1.2x the steps a second of one context on both threads (``bench/bench_contexts.py``,
``docs/measurements.md``).

Which lane decodes which prompt is decided as the call goes, but not by timing, so that a run's answers do
not depend on the load of the machine (a prompt's answer can differ in a near tie with the KV state its lane
starts from, which depends on the prompts that lane decoded before: ``docs/measurements.md``):

- Each lane keeps a **clock** of the work it did in this call, in tokens' worth: an evaluation of ``n``
  tokens costs ``n + STEP_COST`` (:func:`cost`), charged before it runs. The clock counts only tokens, so it
  is the same on every run.
- The prompts wait in one queue, the longest prompts first (ties: call order). A lane takes the next one
  when its clock is the least of the lanes still working (ties: the lower lane): if another lane is behind
  it, it waits until that lane's clock passes its own or that lane asks for a prompt itself. So the prompts
  go where they would go if each lane ran at the speed its clock counts, and the lanes finish close together
  however long each answer turns out; the waits are short because the clocks track the real work.
- A lane uses ``threads // lanes decoding`` threads (at least one), set again before each evaluation, so a
  lane left alone at the end of a call takes the cores the others freed; the thread count does not change
  llama.cpp's answers.
- Seconds: each generation's wall and CPU seconds are its lane's, scaled so that the generations of a call
  add up to the call's wall and process CPU seconds (per-document seconds stay comparable with one lane).
"""

from __future__ import annotations

import threading
import time
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from typing import Any, Callable

from text2table.backends.base import Generation

#: an evaluation's cost beyond its tokens, in tokens' worth (a 1-token step costs about 0.4 of a 6-token one)
STEP_COST = 2


def cost(tokens: int) -> int:
    """What an evaluation of ``tokens`` tokens adds to its lane's clock.

    >>> cost(1), cost(6), cost(400)
    (3, 8, 402)
    """
    return tokens + STEP_COST


def queue_order(prompt_tokens: list[int]) -> list[int]:
    """Prompt indices in the order lanes take them: the longest prompt first (ties: call order).

    >>> queue_order([10, 50, 10, 30])
    [1, 3, 0, 2]
    """
    return sorted(range(len(prompt_tokens)), key=lambda i: (-prompt_tokens[i], i))


@dataclass
class Lane:
    """One llama.cpp context (``llm``) with its prefix snapshots (``prefix``) and its current thread count."""

    llm: Any
    prefix: Any
    threads: int
    owner: Lanes | None = field(default=None, repr=False)
    index: int = 0

    def before_eval(self, tokens: int) -> None:
        """Call before each evaluation of ``tokens`` tokens: charges the lane's clock, sets its threads."""
        if self.owner is not None:
            self.owner.charge(self.index, tokens)
        self.sync_threads()

    def sync_threads(self) -> None:
        """Set this lane's threads to its share of the backend's threads."""
        if self.owner is None:
            return
        want = self.owner.share()
        if want != self.threads:
            import llama_cpp

            llama_cpp.llama_set_n_threads(self.llm._ctx.ctx, want, want)
            self.threads = want


class Lanes:
    """Runs a queue of prompts on its lanes, one Python thread each; ``threads`` is the backend's total."""

    def __init__(self, lanes: list[Lane], threads: int) -> None:
        self.lanes, self.threads = [], threads
        self.busy = 0  # lanes decoding a prompt now
        self.clock: list[int] = []
        self.log: list[int] = []  # the lane that took each prompt of the last call, in queue order
        self._cond = threading.Condition()
        for lane in lanes:
            self.add(lane)

    def add(self, lane: Lane) -> None:
        lane.owner, lane.index = self, len(self.lanes)
        self.lanes.append(lane)

    def share(self) -> int:
        """Threads for each lane decoding now."""
        return max(1, self.threads // max(1, self.busy))

    def charge(self, lane: int, tokens: int) -> None:
        """Add an evaluation of ``tokens`` tokens to ``lane``'s clock (waiting lanes look again)."""
        with self._cond:
            if lane < len(self.clock):
                self.clock[lane] += cost(tokens)
                self._cond.notify_all()

    def run(self, order: list[int], decode: Callable[[int, Lane], Generation]) -> dict[int, Generation]:
        """Decode the prompts ``order`` names (indices, taken in that order; :func:`queue_order`) on the lanes;
        ``decode(i, lane)`` decodes prompt ``i`` in ``lane``'s context."""
        n = min(len(self.lanes), len(order))
        if n == 0:
            return {}
        wall, cpu = time.perf_counter(), time.process_time()
        queue = deque(order)
        working, failed = set(range(n)), []
        with self._cond:
            self.clock, self.log, self.busy = [0] * n, [], 0

        def my_turn(k: int) -> bool:
            return bool(failed) or all((self.clock[j], j) > (self.clock[k], k) for j in working if j != k)

        def work(k: int) -> dict[int, Generation]:
            out: dict[int, Generation] = {}
            while True:
                with self._cond:
                    self._cond.wait_for(lambda: my_turn(k))
                    if failed or not queue:
                        working.discard(k)
                        self._cond.notify_all()
                        return out
                    i = queue.popleft()
                    self.log.append(k)
                    self.busy += 1
                try:
                    out[i] = decode(i, self.lanes[k])
                except BaseException:
                    with self._cond:
                        failed.append(k)
                        working.discard(k)
                        self._cond.notify_all()
                    raise
                finally:
                    with self._cond:
                        self.busy -= 1

        with ThreadPoolExecutor(max_workers=n, thread_name_prefix="llamacpp-lane") as pool:
            futures = [pool.submit(work, k) for k in range(n)]
            results = [f.result() for f in futures]
        gens = {i: g for part in results for i, g in part.items()}
        return scaled(gens, time.perf_counter() - wall, time.process_time() - cpu)


def scaled(gens: dict[int, Generation], wall: float, cpu: float) -> dict[int, Generation]:
    """``gens`` with their seconds (and ``extra["cpu_seconds"]``) scaled to add up to ``wall`` and ``cpu``.

    >>> g = scaled({0: Generation("a", "stop", seconds=3.0), 1: Generation("b", "stop", seconds=1.0)}, 2.0, 4.0)
    >>> g[0].seconds, g[1].seconds
    (1.5, 0.5)
    """
    total = sum(g.seconds or 0.0 for g in gens.values())
    total_cpu = sum(float((g.extra or {}).get("cpu_seconds") or 0.0) for g in gens.values())
    out = {}
    for i, g in gens.items():
        extra = dict(g.extra or {})
        if total_cpu > 0 and "cpu_seconds" in extra:
            extra["cpu_seconds"] = extra["cpu_seconds"] * cpu / total_cpu
        out[i] = replace(g, seconds=(g.seconds or 0.0) * wall / total if total > 0 else 0.0, extra=extra)
    return out
