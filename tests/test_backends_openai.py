"""The ``openai`` backend against a real HTTP server on 127.0.0.1 that speaks the chat-completions API."""

from __future__ import annotations

import json
import logging
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from text2table.backends.base import create_backend
from text2table.backends.openai import OpenAIBackend
from text2table.decoding.constraints import rows_constraint, schema_constraint, to_gbnf, to_lark
from text2table.errors import ConfigError
from text2table.core.schema import Field, Schema

SCHEMA = Schema("flat_single_row", (Field("player"), Field("points")))
SECRET = "sk-test-DO-NOT-LEAK-4242"


class FakeServer:
    """Answers POST /v1/chat/completions; ``script`` gives the first answers (status, delay, headers)."""

    def __init__(self, script: list[dict] | None = None) -> None:
        self.script = list(script or [])
        self.requests: list[dict] = []
        self.lock = threading.Lock()
        self.active = self.max_active = 0
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # keep test output quiet
                pass

            def do_POST(self):  # noqa: N802 - http.server's naming
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                with server.lock:
                    server.requests.append({"path": self.path, "headers": dict(self.headers), "body": body})
                    action = server.script.pop(0) if server.script else {}
                    server.active += 1
                    server.max_active = max(server.max_active, server.active)
                try:
                    time.sleep(action.get("delay", 0))
                    status = action.get("status", 200)
                    if status == 200:
                        user = [m["content"] for m in body["messages"] if m["role"] == "user"][-1]
                        payload = {"choices": [{"index": 0, "finish_reason": action.get("finish", "stop"),
                                                "message": {"role": "assistant", "content": f"echo:{user}"}}],
                                   "usage": {"prompt_tokens": 11, "completion_tokens": 7}}
                    else:
                        payload = {"error": {"message": f"scripted {status}"}}
                    data = json.dumps(payload).encode()
                    self.send_response(status)
                    for key, value in action.get("headers", {}).items():
                        self.send_header(key, value)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):  # the client timed out and left
                    pass
                finally:
                    with server.lock:
                        server.active -= 1

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server():
    s = FakeServer()
    yield s
    s.close()


def _prompt(text: str) -> list[dict[str, str]]:
    return [{"role": "system", "content": "s"}, {"role": "user", "content": text}]


def _backend(server: FakeServer, **options) -> OpenAIBackend:
    options = {"model": "smol", "backoff": 0.01, "timeout": 5.0, **options}
    return OpenAIBackend(base_url=server.url, **options)


def test_structured_outputs_payload(server):
    rows, schema = rows_constraint(SCHEMA, max_rows=5), schema_constraint()
    outs = _backend(server).generate([_prompt("a"), _prompt("b")], constraint=[rows, schema], max_new_tokens=64,
                                     seed=3)
    assert [o.text for o in outs] == ["echo:a", "echo:b"]
    assert outs[0].prompt_tokens == 11 and outs[0].completion_tokens == 7 and outs[0].finish_reason == "stop"
    bodies = {r["body"]["messages"][-1]["content"]: r["body"] for r in server.requests}
    assert all(r["path"] == "/v1/chat/completions" for r in server.requests)
    assert bodies["a"]["model"] == "smol" and bodies["a"]["max_tokens"] == 64 and bodies["a"]["temperature"] == 0.0
    assert bodies["a"]["seed"] == 3
    assert bodies["a"]["structured_outputs"] == {"grammar": to_gbnf(rows)}
    assert bodies["b"]["structured_outputs"] == {"json": schema.json_schema}
    assert "guided_json" not in json.dumps(bodies)


def test_lark_dialect_and_grammar_style(server):
    rows = rows_constraint(SCHEMA)
    _backend(server, grammar_dialect="lark").generate([_prompt("a")], constraint=rows)
    _backend(server, payload_style="grammar").generate([_prompt("b")], constraint=rows)
    assert server.requests[0]["body"]["structured_outputs"] == {"grammar": to_lark(rows)}
    assert server.requests[1]["body"]["grammar"] == to_gbnf(rows)


def test_response_format_style_and_its_rows_fallback(server):
    backend = _backend(server, payload_style="response_format")
    rows_out, schema_out = backend.generate([_prompt("a"), _prompt("b")],
                                            constraint=[rows_constraint(SCHEMA), schema_constraint()])
    bodies = {r["body"]["messages"][-1]["content"]: r["body"] for r in server.requests}
    assert bodies["b"]["response_format"]["type"] == "json_schema"
    assert bodies["b"]["response_format"]["json_schema"]["schema"] == schema_constraint().json_schema
    assert "response_format" not in bodies["a"] and "structured_outputs" not in bodies["a"]
    assert "not expressible" in rows_out.extra["constraint"] and "constraint" not in schema_out.extra


def test_a_list_end_bias_is_noted_as_not_applied(server):
    out = _backend(server).generate([_prompt("a")], constraint=schema_constraint(list_end_bias=-1.0))[0]
    assert "list_end_bias not applied" in out.extra["constraint"]
    assert "logit_bias" not in server.requests[-1]["body"]


def test_continuation_asks_vllm_to_continue_the_final_message(server):
    prompt = _prompt("a") + [{"role": "assistant", "content": '{"player": "x", "points": null}\n'}]
    _backend(server).generate([prompt])
    _backend(server, continue_style="none").generate([prompt])
    first, second = (r["body"] for r in server.requests)
    assert first["continue_final_message"] is True and first["add_generation_prompt"] is False
    assert first["messages"][-1] == prompt[-1]
    assert "continue_final_message" not in second


def test_retries_after_a_server_error(server):
    server.script = [{"status": 500}, {"status": 503}]
    out = _backend(server, retries=3).generate([_prompt("a")])[0]
    assert out.text == "echo:a" and out.extra["attempts"] == 3 and len(server.requests) == 3


def test_retries_after_a_timeout(server):
    server.script = [{"delay": 2.0}]
    started = time.perf_counter()
    out = _backend(server, timeout=0.3, retries=2).generate([_prompt("a")])[0]
    assert out.text == "echo:a" and out.extra["attempts"] == 2
    assert time.perf_counter() - started < 1.8  # the slow answer was not waited for


def test_429_waits_for_retry_after(server):
    server.script = [{"status": 429, "headers": {"Retry-After": "0.4"}}]
    started = time.perf_counter()
    out = _backend(server, backoff=0.0).generate([_prompt("a")])[0]
    assert out.text == "echo:a" and time.perf_counter() - started >= 0.4


def test_a_failing_prompt_becomes_an_error_and_the_batch_goes_on(server):
    server.script = [{"status": 500}] * 3
    outs = _backend(server, retries=2, concurrency=1).generate([_prompt("a"), _prompt("b")])
    assert outs[0].finish_reason == "error" and "HTTP 500" in outs[0].error and outs[0].text == ""
    assert outs[0].extra["attempts"] == 3
    assert outs[1].text == "echo:b"


def test_client_errors_are_not_retried(server):
    server.script = [{"status": 400}]
    out = _backend(server, retries=3).generate([_prompt("a")])[0]
    assert out.finish_reason == "error" and "HTTP 400" in out.error and len(server.requests) == 1


def test_unreachable_server_is_an_error():
    import socket

    with socket.socket() as sock:  # a port that was free a moment ago: nothing listens there
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    backend = OpenAIBackend(base_url=f"http://127.0.0.1:{port}/v1", retries=1, backoff=0.0, timeout=2.0)
    out = backend.generate([_prompt("a")])[0]
    assert out.finish_reason == "error" and "connection" in out.error and out.extra["attempts"] == 2


def test_concurrency_keeps_prompt_order(server):
    server.script = [{"delay": 0.3}] * 6
    outs = _backend(server, concurrency=3).generate([_prompt(str(i)) for i in range(6)])
    assert [o.text for o in outs] == [f"echo:{i}" for i in range(6)]
    assert server.max_active >= 2


def test_api_key_is_sent_but_never_logged_or_described(server, monkeypatch, caplog):
    monkeypatch.setenv("T2T_TEST_KEY", SECRET)
    caplog.set_level(logging.DEBUG)
    server.script = [{"status": 500}, {"status": 401}]
    backend = _backend(server, api_key_env="T2T_TEST_KEY", retries=1)
    outs = backend.generate([_prompt("a"), _prompt("b")])
    assert server.requests[0]["headers"]["Authorization"] == f"Bearer {SECRET}"
    described = json.dumps(backend.describe())
    assert backend.describe()["api_key_set"] is True and "T2T_TEST_KEY" in described
    for text in (described, caplog.text, repr(outs), repr(vars(backend))):
        assert SECRET not in text


def test_no_key_no_authorization_header(server, monkeypatch):
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    _backend(server).generate([_prompt("a")])
    assert "Authorization" not in server.requests[0]["headers"]


def test_urllib_fallback(server):
    server.script = [{"status": 502}]
    backend = _backend(server, retries=1)
    backend._client = None  # as if httpx were not installed
    assert backend.generate([_prompt("a")])[0].text == "echo:a" and len(server.requests) == 2


def test_length_finish_and_registry(server):
    server.script = [{"finish": "length"}]
    backend = create_backend("openai", base_url=server.url, model="m")
    assert backend.generate([_prompt("a")])[0].finish_reason == "length"
    backend.close()


@pytest.mark.parametrize("options, match", [({"payload_style": "guided_json"}, "payload_style"),
                                            ({"grammar_dialect": "ebnf"}, "grammar_dialect"),
                                            ({"base_url": "localhost:8000"}, "http"),
                                            ({"concurrency": 0}, "concurrency")])
def test_bad_options_raise(options, match):
    with pytest.raises(ConfigError, match=match):
        OpenAIBackend(**options)
