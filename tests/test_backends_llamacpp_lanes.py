"""backends/llamacpp_lanes.py: which lane decodes which prompt (by tokens, not timing), threads shared
out, seconds that add up; and the ``workers`` option of the llamacpp backend on the real embedded model."""

from __future__ import annotations

import threading
import time

import pytest

from text2table.backends.base import Generation
import random

from text2table.backends.llamacpp_lanes import Lane, Lanes, cost, queue_order, scaled


def test_the_queue_puts_the_longest_prompts_first_and_an_evaluation_costs_its_tokens_and_a_step():
    assert queue_order([10, 50, 10, 30]) == [1, 3, 0, 2]
    assert queue_order([7, 7, 7]) == [0, 1, 2] and queue_order([]) == []
    assert (cost(1), cost(6)) == (3, 8)


def simulated(order: list[int], work: dict[int, list[int]], lanes: int) -> dict[int, int]:
    """Each prompt to the lane whose clock is least (ties: the lower lane) when it is taken."""
    clock, out = [0] * lanes, {}
    for i in order:
        k = min(range(lanes), key=lambda j: (clock[j], j))
        out[i] = k
        clock[k] += sum(cost(n) for n in work[i])
    return out


def run_with_timing(lanes: Lanes, order: list[int], work: dict[int, list[int]], rng: random.Random) -> dict[int, int]:
    """Run ``order`` where prompt ``i`` evaluates ``work[i]`` tokens, each evaluation sleeping at random."""
    took: dict[int, int] = {}

    def decode(i: int, lane: Lane) -> Generation:
        took[i] = lane.index
        for n in work[i]:
            lane.before_eval(n)
            time.sleep(rng.random() * 0.004)
        return Generation(str(i), seconds=0.01)

    gens = lanes.run(order, decode)
    assert sorted(gens) == sorted(order)
    return took


def test_which_lane_takes_which_prompt_depends_on_the_tokens_not_on_timing(monkeypatch):
    monkeypatch.setattr(Lane, "sync_threads", lambda lane: None)
    work_rng = random.Random(7)
    work = {i: [work_rng.choice([1, 1, 6, 400]) for _ in range(work_rng.randint(0, 12))] for i in range(30)}
    order = queue_order([sum(work[i]) for i in range(30)])
    for lanes_n in (2, 3):
        expected = simulated(order, work, lanes_n)
        assert len(set(expected.values())) == lanes_n  # every lane works
        for seed in range(4):  # other timings, the same lanes
            lanes = Lanes([Lane(FakeLlm(), None, 1) for _ in range(lanes_n)], threads=lanes_n)
            assert run_with_timing(lanes, order, work, random.Random(seed)) == expected
            assert lanes.busy == 0


def test_a_lane_with_long_answers_takes_fewer_prompts(monkeypatch):
    monkeypatch.setattr(Lane, "sync_threads", lambda lane: None)
    work = {0: [100] * 5, **{i: [100] for i in range(1, 6)}}  # prompt 0 is as long as the five others
    lanes = Lanes([Lane(FakeLlm(), None, 1), Lane(FakeLlm(), None, 1)], threads=2)
    took = run_with_timing(lanes, list(range(6)), work, random.Random(0))
    assert took == {0: 0, 1: 1, 2: 1, 3: 1, 4: 1, 5: 1}


def test_seconds_are_scaled_to_the_calls_wall_and_cpu_seconds():
    gens = {0: Generation("a", seconds=3.0, extra={"cpu_seconds": 2.0}),
            1: Generation("b", seconds=1.0, extra={"cpu_seconds": 2.0, "forced_tokens": 4})}
    out = scaled(gens, wall=2.0, cpu=8.0)
    assert (out[0].seconds, out[1].seconds) == (1.5, 0.5)
    assert (out[0].extra["cpu_seconds"], out[1].extra["cpu_seconds"]) == (4.0, 4.0)
    assert out[1].extra["forced_tokens"] == 4 and gens[0].seconds == 3.0  # the originals are left alone


class FakeLlm:
    """Stands in for a llama_cpp.Llama: nothing is evaluated."""


def test_lanes_decode_at_once_and_a_lane_left_alone_takes_all_threads(monkeypatch):
    lanes = Lanes([Lane(FakeLlm(), None, 4), Lane(FakeLlm(), None, 4)], threads=4)
    both_busy = threading.Barrier(2, timeout=10)
    shares: dict[int, list[int]] = {0: [], 1: []}
    names: dict[int, str] = {}
    monkeypatch.setattr(Lane, "sync_threads", lambda lane: shares[lane.index].append(lane.owner.share()))

    def decode(i: int, lane: Lane) -> Generation:
        names[i] = threading.current_thread().name
        lane.before_eval(10)
        if i in (0, 1):  # the first prompt of each lane: both lanes are decoding now
            both_busy.wait()
            lane.before_eval(1)
            both_busy.wait()  # neither has finished its prompt before both set their threads
        if i == 2:  # the last prompt: lane 1 finished its one prompt long before
            time.sleep(0.05)
            lane.before_eval(1)
        return Generation(str(i), seconds=0.01)

    gens = lanes.run([0, 1, 2], decode)
    assert [gens[i].text for i in range(3)] == ["0", "1", "2"]
    assert lanes.log == [0, 1, 0] and names[0] != names[1]  # prompt 2 on lane 0 (clock 10+ against 11+)
    assert shares[0][1] == 2 and shares[1][1] == 2  # two threads each while both decode
    assert shares[0][-1] == 4  # four for the lane left alone
    assert lanes.busy == 0 and lanes.share() == 4


def test_a_lane_that_fails_raises_in_the_caller():
    lanes = Lanes([Lane(FakeLlm(), None, 1), Lane(FakeLlm(), None, 1)], threads=2)

    def decode(i: int, lane: Lane) -> Generation:
        if i == 1:
            raise RuntimeError("llama_decode returned 1")
        return Generation(str(i))

    with pytest.raises(RuntimeError, match="llama_decode"):
        lanes.run([0, 1, 2, 3], decode)
    assert lanes.busy == 0
    assert lanes.run([], decode) == {}


@pytest.mark.slow
def test_two_workers_write_the_answers_of_one():
    pytest.importorskip("llama_cpp")
    from text2table.backends.choose import DEFAULT_PI2_ADAPTERS
    from text2table.backends.llamacpp import LlamaCppBackend
    from text2table.core.schema import Field, Schema
    from text2table.decoding.constraints import rows_constraint
    from text2table.decoding.prompts import pi2_messages

    schema = Schema("flat_single_row", (Field("player"), Field("points"), Field("rebounds")))
    docs = ["Smith scored 20 points with 5 rebounds; Jones added 12 points.",
            "Brown had 8 rebounds and 14 points off the bench.",
            "Lee led the Hawks with 31 points.", "Green and White scored 9 points each."]
    prompts = [pi2_messages(d, schema) for d in docs]
    texts = {}
    for workers in (1, 2):
        backend = LlamaCppBackend(n_ctx=1024, threads=2, lora=DEFAULT_PI2_ADAPTERS["llamacpp"], workers=workers)
        try:
            gens = backend.generate(prompts, constraint=rows_constraint(schema), max_new_tokens=96)
            assert all(g.error is None and g.finish_reason == "stop" for g in gens)
            texts[workers] = [g.text for g in gens]
            assert backend.describe().get("workers") == (2 if workers == 2 else None)
            if workers == 2:  # the second context decoded some of the prompts
                assert backend._lanes.lanes[1].llm.n_tokens > 0
        finally:
            backend.close()
    assert texts[2] == texts[1]
    assert all('"player"' in t for t in texts[1])
