"""backends/llamacpp_lanes.py: which lane decodes which prompt, threads shared out, seconds that add up; and the
``workers`` option of the llamacpp backend on the real embedded model."""

from __future__ import annotations

import threading
import time

import pytest

from text2table.backends.base import Generation
from text2table.backends.llamacpp_lanes import Lane, Lanes, plan, scaled


def test_the_plan_puts_the_longest_prompts_first_on_the_least_loaded_lane():
    # 50 -> lane 0; 30 -> lane 1; 10 (index 0) -> lane 1 (30 < 50); 10 (index 2) -> lane 1 (40 < 50)
    assert plan([10, 50, 10, 30], 2) == [[1], [0, 2, 3]]
    assert plan([7] * 5, 2) == [[0, 2, 4], [1, 3]]  # equal costs: in turn, each lane in call order
    assert plan([3, 1], 4) == [[0], [1]]  # no empty lanes
    assert plan([], 2) == []
    with pytest.raises(ValueError):
        plan([1], 0)


def test_the_plan_depends_only_on_the_costs():
    costs = [120, 80, 80, 400, 95, 80, 130, 80]
    first = plan(costs, 3)
    assert all(plan(list(costs), 3) == first for _ in range(5))
    assert sorted(i for lane in first for i in lane) == list(range(len(costs)))


def test_seconds_are_scaled_to_the_calls_wall_and_cpu_seconds():
    gens = {0: Generation("a", seconds=3.0, extra={"cpu_seconds": 2.0}),
            1: Generation("b", seconds=1.0, extra={"cpu_seconds": 2.0, "forced_tokens": 4})}
    out = scaled(gens, wall=2.0, cpu=8.0)
    assert (out[0].seconds, out[1].seconds) == (1.5, 0.5)
    assert (out[0].extra["cpu_seconds"], out[1].extra["cpu_seconds"]) == (4.0, 4.0)
    assert out[1].extra["forced_tokens"] == 4 and gens[0].seconds == 3.0  # the originals are left alone


class FakeLlm:
    """Stands in for a llama_cpp.Llama: nothing is evaluated."""


def test_lanes_decode_their_own_prompts_at_once_and_share_the_threads(monkeypatch):
    lanes = Lanes([Lane(FakeLlm(), None, 4), Lane(FakeLlm(), None, 4)], threads=4)
    seen: dict[int, tuple[str, int]] = {}
    both_busy = threading.Barrier(2, timeout=10)
    set_to: list[int] = []
    monkeypatch.setattr(Lane, "sync_threads", lambda lane: set_to.append(lane.owner.share()))

    def decode(i: int, lane: Lane) -> Generation:
        lane.sync_threads()
        if i in (0, 1):  # the first prompt of each lane: both lanes are running now
            both_busy.wait()
        seen[i] = (threading.current_thread().name, lanes.lanes.index(lane))
        if i != 1:  # lane 1 is done long before lane 0 starts its last prompt
            time.sleep(0.05)
        return Generation(str(i), seconds=0.01)

    gens = lanes.run([[0, 2, 3], [1]], decode)
    assert [gens[i].text for i in range(4)] == ["0", "1", "2", "3"]
    assert [seen[i][1] for i in range(4)] == [0, 1, 0, 0]
    assert seen[0][0] != seen[1][0]  # two threads
    assert set_to[:2] == [2, 2] and set_to[-1] == 4  # 4 threads: 2 each while both run, 4 for the last one
    assert lanes.busy == 0 and lanes.share() == 4


def test_a_lane_that_fails_raises_in_the_caller():
    lanes = Lanes([Lane(FakeLlm(), None, 1), Lane(FakeLlm(), None, 1)], threads=2)

    def decode(i: int, lane: Lane) -> Generation:
        if i == 1:
            raise RuntimeError("llama_decode returned 1")
        return Generation(str(i))

    with pytest.raises(RuntimeError, match="llama_decode"):
        lanes.run([[0], [1]], decode)
    assert lanes.busy == 0
    with pytest.raises(ValueError, match="3 jobs for 2 lanes"):
        lanes.run([[0], [1], [2]], decode)


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
