"""The prompts of one ``generate`` call decoded in several llama.cpp contexts at once (the ``workers`` option).

A step of a small model is short (SmolLM2-135M: about 10 ms a token), and llama.cpp's threads wait for each
other several times within it, so one context on two threads decodes a token only about 1.4x faster than on
one. With ``workers`` contexts ("lanes") on the same weights, each decoding its own prompts on its own Python
thread (llama.cpp runs without the GIL), the cores stay busy instead of waiting: on 2 cores, two contexts at
once evaluate 1.2x the steps a second of one context on both threads (``bench/bench_contexts.py``,
``docs/measurements.md``). Off by default: on whole game summaries it has been timed on 16 only.

- :func:`plan` gives each lane its prompts before decoding starts: the longest prompts first, each onto the
  lane with the fewest prompt tokens so far; a lane decodes its prompts in call order. The plan depends only
  on the prompts, so a lane sees the same prompts in the same order on every run and its answers do not
  depend on timing (a prompt's answer can still differ from a one-context run in a near tie, because the
  KV state it starts from was built in other batches: ``docs/measurements.md``).
- :class:`Lanes` runs the plan. A lane uses ``threads // busy lanes`` threads (at least one), set again
  before each evaluation, so a lane left alone at the end of a call takes the cores the others freed; the
  thread count does not change llama.cpp's answers.
- Seconds: each generation's wall and CPU seconds are its lane's, scaled so that the generations of a call
  add up to the call's wall and process CPU seconds (per-document seconds stay comparable with one lane).
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from typing import Any, Callable

from text2table.backends.base import Generation


def plan(costs: list[int], lanes: int) -> list[list[int]]:
    """Indices of the prompts for each lane: costliest first onto the least loaded lane (ties: the lower
    lane), each lane's indices in call order; lanes with nothing to do are left out.

    >>> plan([10, 50, 10, 30], lanes=2)
    [[1], [0, 2, 3]]
    >>> plan([5, 5, 5], lanes=4)
    [[0], [1], [2]]
    """
    if lanes < 1:
        raise ValueError(f"lanes must be >= 1, got {lanes}")
    load, out = [0] * lanes, [[] for _ in range(lanes)]  # type: list[int], list[list[int]]
    for i in sorted(range(len(costs)), key=lambda k: (-costs[k], k)):
        lane = min(range(lanes), key=lambda k: (load[k], k))
        load[lane] += costs[i]
        out[lane].append(i)
    return [sorted(indices) for indices in out if indices]


@dataclass
class Lane:
    """One llama.cpp context (``llm``) with its prefix snapshots (``prefix``) and its current thread count."""

    llm: Any
    prefix: Any
    threads: int
    owner: Lanes | None = field(default=None, repr=False)

    def sync_threads(self) -> None:
        """Set this lane's threads to its share of the backend's threads (called before each evaluation)."""
        if self.owner is None:
            return
        want = self.owner.share()
        if want != self.threads:
            import llama_cpp

            llama_cpp.llama_set_n_threads(self.llm._ctx.ctx, want, want)
            self.threads = want


class Lanes:
    """Runs a :func:`plan` on its lanes, one Python thread each; ``threads`` is the backend's total."""

    def __init__(self, lanes: list[Lane], threads: int) -> None:
        self.lanes, self.threads = lanes, threads
        self.busy = 0
        self._lock = threading.Lock()
        for lane in lanes:
            lane.owner = self

    def share(self) -> int:
        """Threads for each busy lane now."""
        return max(1, self.threads // max(1, self.busy))

    def run(self, jobs: list[list[int]], decode: Callable[[int, Lane], Generation]) -> dict[int, Generation]:
        """Decode ``jobs[k]`` (prompt indices) on lane ``k``; ``decode(i, lane)`` decodes prompt ``i``."""
        if len(jobs) > len(self.lanes):
            raise ValueError(f"{len(jobs)} jobs for {len(self.lanes)} lanes")
        wall, cpu = time.perf_counter(), time.process_time()
        self.busy = len(jobs)

        def work(k: int) -> dict[int, Generation]:
            try:
                return {i: decode(i, self.lanes[k]) for i in jobs[k]}
            finally:
                with self._lock:
                    self.busy -= 1

        with ThreadPoolExecutor(max_workers=len(jobs), thread_name_prefix="llamacpp-lane") as pool:
            results = [f.result() for f in [pool.submit(work, k) for k in range(len(jobs))]]
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
