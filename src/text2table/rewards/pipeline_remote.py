"""The pipeline-pi1 reward for VERL: an async ``compute_score`` that runs pi1's schema through a served pi2.

VERL loads this file by path (``reward.custom_reward_function.path``, ``name=compute_score``) and passes the
``reward_kwargs`` of that section as keyword arguments: ``pi2_base_url`` (an OpenAI-compatible ``.../v1``
endpoint, e.g. vLLM serving pi2), ``pi2_model`` (its served model name), ``max_tokens``, ``timeout_s``,
``max_concurrency``, ``constrained`` (ask the server for schema-constrained rows through vLLM's
``structured_outputs`` grammar, as the inference pipeline does) and optional reward ``weights``. For ``data_source == "text2table/pipeline_pi1"`` the
schema is parsed, pi2 is asked (greedy, through ``/chat/completions``) to fill it from the document, and
the table is scored with :func:`text2table.rewards.scores.pipeline_score`. pi2's answer is cached per
(document, schema_id) for the life of the worker process, and concurrent requests for the same key share
one call. A pi2 failure (server down, timeout, bad reply) scores as an empty table and is retried the next
time the key comes up. Other data sources are passed to :mod:`text2table.rewards.verl_reward`.

Only the standard library is used for HTTP (``urllib`` in worker threads): nothing is bound to an event
loop, so VERL may call from any loop. Imports are absolute because VERL loads the file outside the package.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import hashlib
import json
import logging
import threading
import urllib.error
import urllib.request
from collections import OrderedDict
from collections.abc import Sequence
from typing import Any, NamedTuple

from text2table.decoding.constraints import openai_payload, rows_constraint
from text2table.errors import ConfigError
from text2table.decoding.parsing import parse_schema_text
from text2table.decoding.prompts import pi2_messages
from text2table.rewards.config import RewardWeights
from text2table.rewards.scores import pipeline_score
from text2table.core.schema import Schema
from text2table.core.table import dedupe_rows, dump_rows, parse_ndjson_lenient

log = logging.getLogger(__name__)

PIPELINE_SOURCE = "text2table/pipeline_pi1"
MAX_REPLY_BYTES = 4 << 20


def document_key(document: str) -> str:
    """A short content hash of a document (the first half of a cache key)."""
    return hashlib.sha256(document.encode("utf-8", "surrogatepass")).hexdigest()[:16]


def table_text(text: str, schema: Schema) -> str:
    """pi2 output as the pipeline keeps it: valid rows (keys re-ordered if needed), duplicates removed.

    >>> from text2table.core.schema import Field
    >>> table_text('{"b": 1, "a": 2}\\nprose\\n{"a": 2, "b": 1}', Schema("kv_single", (Field("a"), Field("b"))))
    '{"a": 2, "b": 1}\\n'
    """
    rows = dedupe_rows(parse_ndjson_lenient(text, schema.names, reorder=True).rows)
    return dump_rows(rows, schema.names)


class Pi2Cache:
    """A bounded, thread-safe LRU cache: (document key, schema_id) -> pi2's table text."""

    def __init__(self, max_entries: int = 50_000) -> None:
        self.max_entries = max_entries
        self._data: OrderedDict[tuple[str, str], str] = OrderedDict()
        self._lock = threading.RLock()  # re-entrant: a finished future runs its callback inside submit()
        self.hits = self.misses = 0

    def get(self, key: tuple[str, str]) -> str | None:
        with self._lock:
            value = self._data.get(key)
            if value is None:
                self.misses += 1
                return None
            self._data.move_to_end(key)
            self.hits += 1
            return value

    def put(self, key: tuple[str, str], text: str) -> None:
        with self._lock:
            self._data[key] = text
            self._data.move_to_end(key)
            while len(self._data) > self.max_entries:
                self._data.popitem(last=False)

    def __len__(self) -> int:
        return len(self._data)


class Pi2Job(NamedTuple):
    """One pi2 call: fill ``schema`` from ``document`` (``metadata`` as in the prompts).

    (A NamedTuple, not a dataclass: VERL executes this file without registering it in ``sys.modules``.)
    """

    document: str
    schema: Schema
    metadata: dict[str, Any] | None = None

    @property
    def key(self) -> tuple[str, str]:
        return document_key(self.document), self.schema.schema_id


class RemotePi2:
    """pi2 behind an OpenAI-compatible server; cached, de-duplicated, at most ``max_concurrency`` requests."""

    def __init__(self, base_url: str, model: str = "pi2", *, max_tokens: int = 512, timeout_s: float = 120.0,
                 max_concurrency: int = 32, constrained: bool = False, cache: Pi2Cache | None = None) -> None:
        if not base_url.startswith(("http://", "https://")):
            raise ConfigError(f"pi2_base_url must start with http:// or https://, got {base_url!r}")
        self.url = base_url.rstrip("/") + "/chat/completions"
        self.model, self.max_tokens, self.timeout_s = model, int(max_tokens), float(timeout_s)
        self.constrained = bool(constrained)
        self.cache = cache or Pi2Cache()
        self._pool = concurrent.futures.ThreadPoolExecutor(max_workers=int(max_concurrency),
                                                           thread_name_prefix="pi2")
        self._inflight: dict[tuple[str, str], concurrent.futures.Future[str | None]] = {}
        self._lock = threading.RLock()  # re-entrant: a finished future runs its callback inside submit()
        self.requests = self.failures = 0

    def _fetch(self, job: Pi2Job) -> str | None:
        body = {"model": self.model, "messages": pi2_messages(job.document, job.schema, job.metadata),
                "max_tokens": self.max_tokens, "temperature": 0.0}
        if self.constrained:
            body.update(openai_payload(rows_constraint(job.schema), style="structured_outputs") or {})
        request = urllib.request.Request(self.url, data=json.dumps(body).encode("utf-8"), method="POST",
                                         headers={"Content-Type": "application/json"})
        self.requests += 1
        try:
            with urllib.request.urlopen(request, timeout=self.timeout_s) as reply:  # noqa: S310 - configured URL
                data = json.loads(reply.read(MAX_REPLY_BYTES))
            content = data["choices"][0]["message"]["content"]
            if not isinstance(content, str):
                raise ValueError(f"content is {type(content).__name__}")
        except (urllib.error.URLError, OSError, ValueError, KeyError, IndexError, TypeError) as exc:
            self.failures += 1
            if self.failures <= 5 or self.failures % 100 == 0:
                log.warning("pi2 request to %s failed (%d so far): %s", self.url, self.failures, exc)
            return None
        return table_text(content, job.schema)

    def _done(self, key: tuple[str, str], future: concurrent.futures.Future[str | None]) -> None:
        text = None if future.cancelled() or future.exception() else future.result()
        with self._lock:  # cache first, then leave the in-flight table: no window where a key is in neither
            if text is not None:
                self.cache.put(key, text)
            self._inflight.pop(key, None)

    def submit(self, job: Pi2Job) -> concurrent.futures.Future[str | None]:
        """A future of the job's table text (None on failure); cached and in-flight keys are not re-sent."""
        key = job.key
        with self._lock:
            cached = self.cache.get(key)
            if cached is not None:
                done: concurrent.futures.Future[str | None] = concurrent.futures.Future()
                done.set_result(cached)
                return done
            future = self._inflight.get(key)
            if future is None:
                future = self._pool.submit(self._fetch, job)
                self._inflight[key] = future
                future.add_done_callback(lambda f, key=key: self._done(key, f))
        return future

    async def table(self, job: Pi2Job) -> str | None:
        return await asyncio.wrap_future(self.submit(job))

    def run(self, jobs: Sequence[Pi2Job]) -> list[str | None]:
        """Synchronous batch (the TRL path): all jobs in flight at once, results in order."""
        return [f.result() for f in [self.submit(j) for j in jobs]]


_CLIENTS: dict[tuple[Any, ...], RemotePi2] = {}
_CLIENTS_LOCK = threading.Lock()


def client_for(base_url: str, model: str, max_tokens: int, timeout_s: float, max_concurrency: int,
               constrained: bool = False) -> RemotePi2:
    """One :class:`RemotePi2` (and cache) per endpoint setting in this process."""
    key = (base_url, model, int(max_tokens), float(timeout_s), int(max_concurrency), bool(constrained))
    with _CLIENTS_LOCK:
        if key not in _CLIENTS:
            _CLIENTS[key] = RemotePi2(base_url, model, max_tokens=max_tokens, timeout_s=timeout_s,
                                      max_concurrency=max_concurrency, constrained=constrained)
        return _CLIENTS[key]


def _metadata(extra_info: dict[str, Any]) -> dict[str, Any] | None:
    raw = extra_info.get("metadata")
    try:
        value = json.loads(raw) if isinstance(raw, str) else raw
    except ValueError:
        return None
    return dict(value) if isinstance(value, dict) else None


async def compute_score(data_source: str, solution_str: str, ground_truth: Any, extra_info: dict[str, Any] | None = None,
                        *, pi2_base_url: str | None = None, pi2_model: str = "pi2", max_tokens: int = 512,
                        timeout_s: float = 120.0, max_concurrency: int = 32, constrained: bool = False,
                        weights: Any = None, **kwargs: Any) -> dict[str, float]:
    """VERL reward: ``{"score", ...sub-metrics, "pi2_failed"}``; a bad configuration raises at once."""
    if data_source != PIPELINE_SOURCE:
        from text2table.rewards.verl_reward import compute_score as local_score

        return local_score(data_source, solution_str, ground_truth, extra_info, weights=weights, **kwargs)
    if not pi2_base_url:
        raise ConfigError(f"data_source {data_source!r} needs reward_kwargs.pi2_base_url (the pi2 endpoint);"
                          " see docs/verl-pipeline-rl.md")
    info = dict(extra_info or {})
    document = info.get("document")
    if not isinstance(document, str):
        raise ConfigError("pipeline_pi1 rows need extra_info.document; build the parquet with"
                          " text2table.training.verl_grpo.write_pipeline_parquet")
    reward_weights = RewardWeights.from_dict(dict(weights)) if weights else RewardWeights()
    schema = parse_schema_text(solution_str)[0] if isinstance(solution_str, str) else None
    text = None
    if schema is not None:
        pi2 = client_for(pi2_base_url, pi2_model, max_tokens, timeout_s, max_concurrency, constrained)
        text = await pi2.table(Pi2Job(document, schema, _metadata(info)))
    result = pipeline_score(solution_str, text if text is not None else "", ground_truth, document, reward_weights)
    out = result.as_verl()
    out["pi2_failed"] = float(schema is not None and text is None)
    return out
