"""The ``openai`` backend: any OpenAI-compatible chat-completions server (vLLM, SGLang, llama.cpp, Ollama).

Prompts are sent concurrently from a thread pool; timeouts, connection errors, bodies cut short or not
JSON, 429 and 5xx answers are retried with exponential backoff (``Retry-After`` honoured up to
``max_backoff``); a prompt that still fails becomes ``Generation(finish_reason="error")`` instead of
stopping the batch. The API key is read from the environment variable named by ``api_key_env`` and never
logged, stored in errors or described.

Constraints use the server's structured outputs (:func:`text2table.decoding.constraints.openai_payload`):
``payload_style="structured_outputs"`` (vLLM >= 0.12, default), ``"response_format"`` (JSON schema;
NDJSON rows cannot be expressed there, so rows are decoded unconstrained and ``extra["constraint"]``
says so: parse them leniently), ``"grammar"`` (llama.cpp server) or ``"none"``. A final assistant
message is continued with vLLM's ``continue_final_message`` (``continue_style="vllm"``); servers
without it may answer a fresh turn (``continue_style="none"`` sends the messages as they are).
Uses ``httpx`` when installed, else ``urllib``.
"""

from __future__ import annotations

import http.client
import json
import logging
import os
import random
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from text2table.decoding.constraints import GRAMMAR_DIALECTS, PAYLOAD_STYLES, openai_payload
from text2table.errors import ConfigError
from text2table.backends.base import Backend, Generation, Prompt, per_prompt, register_backend
from text2table.decoding.constraint import Constraint

log = logging.getLogger(__name__)
_RETRY_STATUS = {408, 409, 425, 429, 500, 502, 503, 504}


class _HttpError(Exception):
    def __init__(self, status: int | None, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.status, self.retry_after = status, retry_after


def _retry_after(value: str | None) -> float | None:
    try:
        return max(0.0, float(value)) if value is not None else None
    except ValueError:
        return None


@register_backend("openai")
class OpenAIBackend(Backend):
    """Options: ``base_url`` (e.g. ``http://127.0.0.1:8000/v1``), ``model``, ``api_key_env``,
    ``concurrency``, ``timeout`` (seconds per request), ``retries``, ``backoff`` (first wait, doubled
    each retry), ``max_backoff``, ``payload_style``, ``grammar_dialect`` (``gbnf`` or ``lark``),
    ``continue_style`` (``vllm`` or ``none``), ``extra_body`` (merged into every request)."""

    def __init__(self, *, base_url: str = "http://127.0.0.1:8000/v1", model: str = "default",
                 api_key_env: str = "OPENAI_API_KEY", concurrency: int = 4, timeout: float = 120.0,
                 retries: int = 3, backoff: float = 1.0, max_backoff: float = 30.0,
                 payload_style: str = "structured_outputs", grammar_dialect: str = "gbnf",
                 continue_style: str = "vllm", extra_body: dict[str, Any] | None = None) -> None:
        if payload_style not in PAYLOAD_STYLES:
            raise ConfigError(f"payload_style {payload_style!r}; expected one of {PAYLOAD_STYLES}")
        if grammar_dialect not in GRAMMAR_DIALECTS:
            raise ConfigError(f"grammar_dialect {grammar_dialect!r}; expected one of {GRAMMAR_DIALECTS}")
        if continue_style not in ("vllm", "none"):
            raise ConfigError(f"continue_style {continue_style!r}; expected 'vllm' or 'none'")
        if concurrency < 1 or retries < 0 or timeout <= 0 or backoff < 0:
            raise ConfigError("concurrency >= 1, retries >= 0, timeout > 0 and backoff >= 0 are required"
                              f" (got {concurrency}, {retries}, {timeout}, {backoff})")
        if not base_url.startswith(("http://", "https://")):
            raise ConfigError(f"base_url {base_url!r} must start with http:// or https://")
        self.url = base_url.rstrip("/") + "/chat/completions"
        self.base_url, self.model, self.api_key_env = base_url.rstrip("/"), model, api_key_env
        self.concurrency, self.timeout, self.retries = concurrency, timeout, retries
        self.backoff, self.max_backoff = backoff, max_backoff
        self.payload_style, self.grammar_dialect, self.continue_style = payload_style, grammar_dialect, continue_style
        self.extra_body = dict(extra_body or {})
        self._client: Any = None
        try:
            import httpx

            self._client = httpx.Client(timeout=timeout)
        except ImportError:  # pragma: no cover - httpx comes with the dependencies
            self._client = None

    def describe(self) -> dict[str, Any]:
        return {"backend": self.name, "base_url": self.base_url, "model": self.model,
                "api_key_env": self.api_key_env, "api_key_set": bool(os.environ.get(self.api_key_env)),
                "concurrency": self.concurrency, "timeout": self.timeout, "retries": self.retries,
                "payload_style": self.payload_style, "grammar_dialect": self.grammar_dialect}

    # ------------------------------------------------------------ requests
    def request_body(self, prompt: Prompt, constraint: Constraint | None, max_new_tokens: int,
                     temperature: float, seed: int | None) -> tuple[dict[str, Any], str | None]:
        """The JSON body for one prompt, and a note when the constraint could not be sent."""
        body: dict[str, Any] = {"model": self.model, "messages": prompt, "max_tokens": max_new_tokens,
                                "temperature": temperature}
        if seed is not None:
            body["seed"] = seed
        if prompt and prompt[-1].get("role") == "assistant" and self.continue_style == "vllm":
            body.update({"continue_final_message": True, "add_generation_prompt": False})
        note = None
        if constraint is not None:
            fields = openai_payload(constraint, style=self.payload_style, dialect=self.grammar_dialect)
            if fields is None:
                note = f"{constraint.kind} constraint not expressible with payload_style={self.payload_style}"
            else:
                body.update(fields)
            if constraint.list_end_bias:  # logit_bias needs the server's token ids
                note = "; ".join(filter(None, [note, "list_end_bias not applied (a server backend has no token ids)"]))
        body.update(self.extra_body)
        return body, note

    def _headers(self) -> dict[str, str]:
        headers = {"Content-Type": "application/json"}
        key = os.environ.get(self.api_key_env)
        if key:
            headers["Authorization"] = f"Bearer {key}"
        return headers

    def _post(self, body: dict[str, Any]) -> dict[str, Any]:
        data = json.dumps(body, ensure_ascii=False).encode("utf-8")
        if self._client is not None:
            import httpx

            try:
                resp = self._client.post(self.url, content=data, headers=self._headers())
            except httpx.TimeoutException as exc:
                raise _HttpError(None, f"timeout after {self.timeout} s ({type(exc).__name__})") from None
            except httpx.TransportError as exc:
                raise _HttpError(None, f"connection error: {type(exc).__name__}: {exc}") from None
            status, text, retry = resp.status_code, resp.text, resp.headers.get("retry-after")
        else:
            request = urllib.request.Request(self.url, data=data, headers=self._headers(), method="POST")
            try:
                with urllib.request.urlopen(request, timeout=self.timeout) as resp:  # noqa: S310 - user URL
                    status, text, retry = resp.status, resp.read().decode("utf-8", "replace"), None
            except urllib.error.HTTPError as exc:
                status, text = exc.code, exc.read().decode("utf-8", "replace")
                retry = exc.headers.get("retry-after") if exc.headers else None
            except (TimeoutError, urllib.error.URLError, OSError, http.client.HTTPException) as exc:
                # HTTPException: a dropped connection or a body cut short (IncompleteRead)
                raise _HttpError(None, f"connection error or timeout: {type(exc).__name__}") from None
        if status != 200:
            raise _HttpError(status, f"HTTP {status}: {text[:300]}", _retry_after(retry))
        try:
            return json.loads(text)
        except ValueError:  # a body cut on the way (a proxy, a restart) is retried like a dropped connection
            raise _HttpError(None, f"HTTP {status} answer is not JSON: {text[:200]!r}") from None

    def _one(self, body: dict[str, Any], note: str | None) -> Generation:
        started = time.perf_counter()
        last = ""
        for attempt in range(self.retries + 1):
            try:
                answer = self._post(body)
                return self._to_generation(answer, note, attempt, time.perf_counter() - started)
            except _HttpError as exc:
                last = str(exc)
                retryable = exc.status is None or exc.status in _RETRY_STATUS or exc.status >= 500
                if not retryable or attempt == self.retries:
                    break
                wait = min(self.max_backoff, self.backoff * 2 ** attempt) * (1 + 0.1 * random.random())
                if exc.retry_after is not None:
                    wait = min(self.max_backoff, max(wait, exc.retry_after))
                log.warning("%s: attempt %d failed (%s); retrying in %.1f s", self.url, attempt + 1, last[:120],
                            wait)
                time.sleep(wait)
        return Generation("", "error", seconds=time.perf_counter() - started,
                          error=f"{self.url}: {last}", extra={"attempts": attempt + 1})

    @staticmethod
    def _to_generation(answer: dict[str, Any], note: str | None, attempt: int, seconds: float) -> Generation:
        try:
            choice = answer["choices"][0]
            text = choice["message"].get("content") or ""
        except (KeyError, IndexError, TypeError, AttributeError):
            return Generation("", "error", seconds=seconds, error=f"unexpected answer shape: {str(answer)[:200]}")
        usage = answer.get("usage") or {}
        reason = choice.get("finish_reason") or "stop"
        extra: dict[str, Any] = {"attempts": attempt + 1}
        if reason not in ("stop", "length"):
            extra["server_finish_reason"] = reason
        if note:
            extra["constraint"] = note
        return Generation(text, "length" if reason == "length" else "stop",
                          prompt_tokens=int(usage.get("prompt_tokens") or 0),
                          completion_tokens=int(usage.get("completion_tokens") or 0), seconds=seconds, extra=extra)

    def generate(self, prompts: list[Prompt], *, constraint: Constraint | list[Constraint | None] | None = None,
                 max_new_tokens: int = 512, temperature: float = 0.0, seed: int | None = 0) -> list[Generation]:
        constraints = per_prompt(constraint, len(prompts))
        bodies = [self.request_body(p, c, max_new_tokens, temperature, seed) for p, c in zip(prompts, constraints)]
        if len(bodies) == 1 or self.concurrency == 1:
            return [self._one(b, n) for b, n in bodies]
        with ThreadPoolExecutor(max_workers=min(self.concurrency, len(bodies))) as pool:
            return list(pool.map(lambda bn: self._one(*bn), bodies))

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
