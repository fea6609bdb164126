"""The async VERL pipeline reward against a local OpenAI-compatible stub of a pi2 server."""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.conftest import FLAT_RECORD
from text2table.errors import ConfigError
from text2table.metrics.end_to_end import map_gold_to_schema
from text2table.decoding.prompts import find_block
from text2table.core.records import gold_rows, gold_schema, record_from_dict
from text2table.rewards import pipeline_remote
from text2table.rewards.pipeline_remote import PIPELINE_SOURCE, Pi2Job, RemotePi2, compute_score
from text2table.rewards.scores import pipeline_score
from text2table.core.schema import Field, Schema, schema_answer
from text2table.core.table import dump_rows

FLAT = record_from_dict(FLAT_RECORD)
GOLD = gold_schema(FLAT)
TRUTH = json.dumps({"schema": GOLD.to_dict(), "rows": gold_rows(FLAT, GOLD)})
PARTIAL = Schema("flat_single_row", (Field("player"), Field("assists")))


class Pi2Stub(BaseHTTPRequestHandler):
    """``POST /v1/chat/completions``: the gold table mapped onto the prompt's schema, after ``delay`` seconds."""

    requests: list[dict] = []
    delay = 0.0

    def do_POST(self) -> None:  # noqa: N802 - http.server API
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        type(self).requests.append(body)
        time.sleep(self.delay)
        schema = Schema.from_dict(json.loads(find_block(body["messages"], "SCHEMA")))
        text = dump_rows(map_gold_to_schema(schema, GOLD, gold_rows(FLAT, GOLD)), schema.names)
        reply = json.dumps({"choices": [{"message": {"role": "assistant", "content": text}}]}).encode()
        self.send_response(200 if self.path == "/v1/chat/completions" else 404)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(reply)))
        self.end_headers()
        self.wfile.write(reply)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server():  # noqa: ANN201
    Pi2Stub.requests, Pi2Stub.delay = [], 0.0
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Pi2Stub)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    pipeline_remote._CLIENTS.clear()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/v1"
    httpd.shutdown()
    pipeline_remote._CLIENTS.clear()


def _extra() -> dict:
    return {"document": FLAT.document, "metadata": json.dumps(FLAT.metadata), "id": FLAT.id}


def test_scores_the_schema_through_the_served_pi2(server: str) -> None:
    good = asyncio.run(compute_score(PIPELINE_SOURCE, schema_answer(GOLD), TRUTH, _extra(), pi2_base_url=server))
    partial = asyncio.run(compute_score(PIPELINE_SOURCE, schema_answer(PARTIAL), TRUTH, _extra(), pi2_base_url=server))
    assert good["score"] == pytest.approx(1.0) and good["pi2_failed"] == 0.0
    assert 0.0 < partial["score"] < good["score"]
    sent = Pi2Stub.requests[0]
    assert sent["model"] == "pi2" and sent["temperature"] == 0.0 and sent["max_tokens"] == 512
    assert '"locale": "en-US"' in sent["messages"][1]["content"]  # metadata from extra_info reaches pi2's prompt


def test_constrained_requests_carry_the_rows_grammar(server: str) -> None:
    for constrained in (False, True):
        pipeline_remote._CLIENTS.clear()
        asyncio.run(compute_score(PIPELINE_SOURCE, schema_answer(GOLD), TRUTH, _extra(), pi2_base_url=server,
                                  constrained=constrained))
    plain, constrained_body = Pi2Stub.requests
    assert "structured_outputs" not in plain
    grammar = constrained_body["structured_outputs"]["grammar"]
    assert all(f'\\"{name}\\"' in grammar for name in GOLD.names)  # every key spelled out


def test_concurrent_equal_schemas_share_one_request_and_the_cache(server: str) -> None:
    Pi2Stub.delay = 0.3
    text = schema_answer(PARTIAL)

    async def group() -> list[dict]:
        return await asyncio.gather(*[compute_score(PIPELINE_SOURCE, text, TRUTH, _extra(), pi2_base_url=server)
                                      for _ in range(4)])

    scores = asyncio.run(group())
    assert len(Pi2Stub.requests) == 1 and len({s["score"] for s in scores}) == 1
    asyncio.run(group())
    assert len(Pi2Stub.requests) == 1  # served from the per-(document, schema_id) cache


def test_invalid_schema_never_calls_pi2(server: str) -> None:
    result = asyncio.run(compute_score(PIPELINE_SOURCE, "no schema here", TRUTH, _extra(), pi2_base_url=server))
    assert result["score"] == -1.0 and result["pi2_failed"] == 0.0 and Pi2Stub.requests == []


def test_unreachable_pi2_scores_as_an_empty_table() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again: nothing listens there
    text = schema_answer(GOLD)
    result = asyncio.run(compute_score(PIPELINE_SOURCE, text, TRUTH, _extra(), pi2_base_url=f"http://127.0.0.1:{port}/v1",
                                       timeout_s=2.0))
    assert result["pi2_failed"] == 1.0 and result["empty"] == 1.0
    assert result["score"] == pytest.approx(pipeline_score(text, "", TRUTH, FLAT.document).score)


def test_other_sources_and_bad_configuration() -> None:
    rows = dump_rows(gold_rows(FLAT, GOLD), GOLD.names)
    local = asyncio.run(compute_score("text2table/pi2", rows, TRUTH, {"document": FLAT.document}))
    assert local["score"] == 1.0
    with pytest.raises(ConfigError, match="pi2_base_url"):
        asyncio.run(compute_score(PIPELINE_SOURCE, schema_answer(GOLD), TRUTH, _extra()))
    with pytest.raises(ConfigError, match="unknown data_source"):
        asyncio.run(compute_score("text2table/nope", "", TRUTH, _extra(), pi2_base_url="http://x/v1"))
    with pytest.raises(ConfigError, match="http"):
        RemotePi2("localhost:8000")


def test_sync_run_for_the_trl_path(server: str) -> None:
    client = RemotePi2(server)
    jobs = [Pi2Job(FLAT.document, GOLD), Pi2Job(FLAT.document, PARTIAL), Pi2Job(FLAT.document, GOLD)]
    out = client.run(jobs)
    assert out[0] == out[2] == dump_rows(gold_rows(FLAT, GOLD), GOLD.names)
    assert len(Pi2Stub.requests) == 2


def test_loaded_through_verls_custom_reward_loader(server: str, tmp_path: Path) -> None:
    """VERL's own loader reads the generated overrides, merges reward_kwargs and awaits the function."""
    pytest.importorskip("verl")
    import dataclasses
    import inspect

    from text2table.data.prepare import prepare
    from text2table.training.recipe import load_recipe
    from text2table.training.verl_grpo import compose_overrides, plan_launch
    from verl.trainer.ppo.reward import get_custom_reward_fn

    prepare([FLAT], tmp_path / "data")
    recipe = load_recipe(Path(__file__).resolve().parents[1] / "recipes" / "llama31-8b-pi1.yaml")
    recipe = recipe.replace(rl=dataclasses.replace(recipe.rl, pipeline=dataclasses.replace(
        recipe.rl.pipeline, pi2_base_url=server, pi2_served_model="pi2-lora")))
    cfg = compose_overrides(plan_launch(recipe, tmp_path / "data", "pipeline-pi1", tmp_path / "run").overrides)
    fn = get_custom_reward_fn(cfg)
    assert inspect.iscoroutinefunction(fn)
    result = asyncio.run(fn(data_source=PIPELINE_SOURCE, solution_str=schema_answer(GOLD), ground_truth=TRUTH,
                            extra_info=_extra()))
    assert result["score"] == pytest.approx(1.0) and Pi2Stub.requests[0]["model"] == "pi2-lora"
