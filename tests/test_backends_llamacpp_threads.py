"""The thread policy of the llamacpp backend: pure logic, clock and load injected."""

from __future__ import annotations

from text2table.backends.llamacpp_threads import ThreadPolicy, free_cores


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_free_cores_discount_this_process_and_never_reach_zero():
    assert free_cores(load=0.0, cores=2) == 2
    assert free_cores(load=1.1, cores=2) == 1
    assert free_cores(load=2.0, cores=2, own=2) == 2  # our own two threads are the load
    assert free_cores(load=9.0, cores=2) == 1


def test_a_starved_call_drops_a_thread_and_a_well_fed_one_does_not():
    policy = ThreadPolicy(2, cores=2, load=lambda: 2.0, clock=Clock())
    assert policy.observe(cpu_seconds=3.9, wall_seconds=2.0) is None  # two cores' worth: fine
    assert policy.observe(cpu_seconds=2.5, wall_seconds=2.0) == 1  # 1.25 per second for 2 threads
    assert policy.threads == 1
    assert policy.observe(cpu_seconds=0.5, wall_seconds=2.0) is None  # one thread is the floor


def test_short_calls_are_not_judged():
    policy = ThreadPolicy(2, cores=2, load=lambda: 2.0, clock=Clock())
    assert policy.observe(cpu_seconds=0.1, wall_seconds=0.2) is None
    assert policy.threads == 2


def test_a_thread_comes_back_only_after_a_core_stayed_free():
    clock = Clock()
    load = {"now": 2.0}
    policy = ThreadPolicy(2, cores=2, load=lambda: load["now"], clock=clock)
    assert policy.observe(cpu_seconds=2.6, wall_seconds=2.0) == 1
    clock.now += 10
    load["now"] = 1.0  # only our own thread is left
    assert policy.observe(cpu_seconds=1.0, wall_seconds=1.0) is None  # too soon
    clock.now += ThreadPolicy.recheck_seconds
    load["now"] = 2.0  # the other process still runs: no core is free
    assert policy.observe(cpu_seconds=1.0, wall_seconds=1.0) is None
    clock.now += ThreadPolicy.recheck_seconds
    load["now"] = 1.0
    assert policy.observe(cpu_seconds=1.0, wall_seconds=1.0) == 2
    clock.now += ThreadPolicy.recheck_seconds
    assert policy.observe(cpu_seconds=2.0, wall_seconds=1.0) is None  # never more than the cores
    assert policy.threads == 2
