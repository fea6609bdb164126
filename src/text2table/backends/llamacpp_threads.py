"""How many threads llama.cpp runs on: chosen from the load when the backend starts, adjusted while it runs.

llama.cpp's threads wait for each other at every step, so a thread that another process keeps off its core
stalls the others. On 2 cores (SmolLM2-135M, E2E documents; ``docs/measurements.md``): on an idle machine
two threads extract 1.5x faster than one; with one other busy process, two threads are 2.5x slower than one.

- :func:`default_threads`: at start, the cores the 1-minute load average leaves free (at least one);
- :class:`ThreadPolicy`: after each ``generate`` call long enough to judge, the process's CPU seconds per
  wall second show whether its threads had their cores (two threads on two free cores: 2.0; with another
  busy process: 1.3). Below ``starved`` x threads, it runs one thread fewer. It runs one more, up to the
  core count, when the load average, less this process's own threads, has left a core free for
  ``recheck_seconds``. It never changes threads the user set.
"""

from __future__ import annotations

import os
import time
from typing import Callable


def free_cores(load: float | None = None, cores: int | None = None, own: int = 0) -> int:
    """Cores that the 1-minute load average, less ``own`` running threads of this process, leaves free.

    >>> free_cores(load=0.2, cores=16), free_cores(load=12.4, cores=16), free_cores(load=2.1, cores=2, own=2)
    (16, 4, 2)
    """
    cores = cores or os.cpu_count() or 1
    if load is None:
        try:
            load = os.getloadavg()[0]
        except (AttributeError, OSError):  # not available on every platform
            load = 0.0
    return max(1, min(cores, cores - round(max(0.0, load - own))))


def default_threads() -> int:
    """Threads for a backend that starts now: the free cores (:func:`free_cores`), at least one."""
    return free_cores()


class ThreadPolicy:
    """Adjusts a running backend's thread count from how much CPU its calls got (see the module docstring)."""

    starved = 0.75  # CPU seconds per wall second per thread below which a thread is dropped
    min_seconds = 0.5  # shorter calls say too little
    recheck_seconds = 30.0

    def __init__(self, threads: int, *, cores: int | None = None, load: Callable[[], float | None] = lambda: None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.threads, self.cores = threads, cores or os.cpu_count() or 1
        self.load, self.clock = load, clock
        self.since = clock()

    def observe(self, cpu_seconds: float, wall_seconds: float) -> int | None:
        """The new thread count after a call that took ``wall_seconds`` and ``cpu_seconds``; None: unchanged.

        >>> p = ThreadPolicy(2, cores=2, load=lambda: 2.0, clock=lambda: 0.0)
        >>> p.observe(cpu_seconds=2.6, wall_seconds=2.0)  # 1.3 CPU seconds per second for 2 threads
        1
        >>> p.observe(cpu_seconds=1.0, wall_seconds=1.0) is None  # the other process still runs
        True
        """
        if wall_seconds >= self.min_seconds and self.threads > 1 and \
                cpu_seconds / wall_seconds < self.starved * self.threads:
            return self._set(self.threads - 1)
        if self.threads < self.cores and self.clock() - self.since >= self.recheck_seconds:
            self.since = self.clock()
            if free_cores(self.load(), self.cores, own=self.threads) > self.threads:
                return self._set(self.threads + 1)
        return None

    def _set(self, threads: int) -> int:
        self.threads, self.since = threads, self.clock()
        return threads
