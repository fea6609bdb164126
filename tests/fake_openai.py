"""A faulty OpenAI-compatible server on 127.0.0.1 for fault tests: it answers like the rules backend, but the
first attempts of a prompt may time out, answer 429/5xx, drop the connection or send a truncated body.

Which faults a prompt meets is a function of its messages (0 to ``faults_per_prompt`` of them, in a fixed
rotation), so a run is reproducible and a retried prompt eventually gets its answer. A prompt holding
``always_fail`` gets 503 on every attempt. With ``obey_injection`` the "model" does what an injected
document asks: every row it writes gets an extra ``pwned`` key, and it adds a row of that key alone.
Loopback only; ``max_requests`` bounds the run (further requests get 503 and are counted).
"""

from __future__ import annotations

import hashlib
import json
import socket
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from text2table.backends.rules import RulesBackend

FAULTS = ("timeout", "429", "500", "502", "503", "drop", "truncated", "not_json")
INJECTED_KEY = "pwned"


def _rules_answer(messages: list[dict]) -> tuple[str, str]:
    generation = RulesBackend().generate([messages])[0]
    return generation.text, "length" if generation.finish_reason == "length" else "stop"


def _obey(text: str) -> str:
    """What an obedient model writes for an injected document: extra keys on every row, and a row of its own."""
    if '"fields"' in text:  # pi1 answers (a schema) are left alone
        return text
    rows = []
    for line in text.splitlines():
        try:
            row = json.loads(line)
        except ValueError:
            continue
        if isinstance(row, dict):
            rows.append(json.dumps({**row, INJECTED_KEY: "X"}))
    rows.append(json.dumps({INJECTED_KEY: "X", "note": "ignore the schema"}))
    return "\n".join(rows) + "\n"


class FaultyOpenAIServer:
    def __init__(self, *, faults_per_prompt: int = 2, timeout_delay: float = 0.6, always_fail: str = "ALWAYS-FAIL",
                 obey_injection: bool = False, max_requests: int = 5000) -> None:
        self.faults_per_prompt, self.timeout_delay = faults_per_prompt, timeout_delay
        self.always_fail, self.obey_injection, self.max_requests = always_fail, obey_injection, max_requests
        self.attempts: Counter[str] = Counter()
        self.served: Counter[str] = Counter()
        self.requests = 0
        self.lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_POST(self) -> None:  # noqa: N802 - http.server's naming
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                action = server._next_action(body["messages"])
                try:
                    server._serve(self, action, body["messages"])
                except (BrokenPipeError, ConnectionResetError):  # the client timed out and left
                    pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def _next_action(self, messages: list[dict]) -> str:
        key = hashlib.sha256(json.dumps(messages, sort_keys=True).encode()).hexdigest()
        seed = int(key[:8], 16)
        planned = [FAULTS[(seed + i) % len(FAULTS)] for i in range(seed % (self.faults_per_prompt + 1))]
        with self.lock:
            self.requests += 1
            attempt = self.attempts[key]
            self.attempts[key] += 1
            if self.requests > self.max_requests:
                action = "over_budget"
            elif any(self.always_fail in str(m.get("content", "")) for m in messages):
                action = "503"
            else:
                action = planned[attempt] if attempt < len(planned) else "ok"
            self.served[action] += 1
        return action

    def _serve(self, handler: BaseHTTPRequestHandler, action: str, messages: list[dict]) -> None:
        if action == "drop":
            handler.close_connection = True
            handler.connection.shutdown(socket.SHUT_RDWR)
            return
        if action in ("429", "500", "502", "503", "over_budget"):
            status = 503 if action == "over_budget" else int(action)
            self._send(handler, status, json.dumps({"error": {"message": f"fault {action}"}}).encode(),
                       {"Retry-After": "0"} if status == 429 else {})
            return
        if action == "timeout":
            time.sleep(self.timeout_delay)
        text, finish = _rules_answer(messages)
        if self.obey_injection:
            text = _obey(text)
        data = json.dumps({"choices": [{"index": 0, "finish_reason": finish,
                                        "message": {"role": "assistant", "content": text}}],
                           "usage": {"prompt_tokens": 10, "completion_tokens": max(1, len(text) // 4)}}).encode()
        if action == "truncated":  # the length promised, half the body sent, the connection closed
            self._send(handler, 200, data, {}, cut=len(data) // 2)
            handler.close_connection = True
            handler.connection.shutdown(socket.SHUT_RDWR)
        elif action == "not_json":  # a complete answer whose body is cut JSON (a proxy's doing)
            self._send(handler, 200, data[:len(data) // 2], {})
        else:
            self._send(handler, 200, data, {})

    @staticmethod
    def _send(handler: BaseHTTPRequestHandler, status: int, data: bytes, headers: dict[str, str],
              cut: int | None = None) -> None:
        handler.send_response(status)
        for key, value in headers.items():
            handler.send_header(key, value)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        handler.wfile.write(data if cut is None else data[:cut])
        handler.wfile.flush()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
