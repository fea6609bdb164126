"""Prepared chat records -> training examples: loading and checking, task mixtures, prompt/completion form.

A chat record (written by ``text2table prepare``) is ``{"id", "messages": [system, user, assistant]}``; the
last message is the answer the loss is computed on. Examples carry their task (``pi1`` or ``pi2``) because
the same record id appears in both tasks. Nothing here loads a model.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from text2table.errors import InputError
from text2table.core.jsonio import iter_jsonl

Message = dict[str, str]
SINGLE_TASKS = ("pi1", "pi2")


@dataclass(frozen=True)
class ChatExample:
    """One training conversation; ``messages[-1]`` is the assistant answer."""

    id: str
    task: str
    messages: tuple[Message, ...]

    @property
    def prompt(self) -> list[Message]:
        return [dict(m) for m in self.messages[:-1]]

    @property
    def answer(self) -> str:
        return self.messages[-1]["content"]

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "task": self.task, "messages": [dict(m) for m in self.messages]}


def example_from_dict(obj: Any, task: str, *, source: str = "records", line: int | None = None) -> ChatExample:
    """Validate one chat record: string id, messages with string role/content, ending with the assistant."""

    def fail(message: str) -> InputError:
        return InputError(message, source=source, line=line,
                          hint="chat records look like {\"id\", \"messages\": [system, user, assistant]};"
                               " rebuild them with `text2table prepare`")

    if not isinstance(obj, dict):
        raise fail(f"expected a JSON object, got {type(obj).__name__}")
    messages = obj.get("messages")
    if not isinstance(messages, list) or len(messages) < 2:
        raise fail("'messages' must be a list of at least two messages")
    clean = []
    for i, m in enumerate(messages):
        if not isinstance(m, dict) or not isinstance(m.get("role"), str) or not isinstance(m.get("content"), str):
            raise fail(f"messages[{i}] must have string 'role' and 'content'")
        clean.append({"role": m["role"], "content": m["content"]})
    if clean[-1]["role"] != "assistant":
        raise fail(f"the last message must be the assistant answer, got role {clean[-1]['role']!r}")
    rid = obj.get("id", line)
    return ChatExample(id=str(rid), task=str(obj.get("task", task)), messages=tuple(clean))


def load_chat_records(path: str | Path, task: str) -> list[ChatExample]:
    """Read a chat-record JSONL file (``pi1.jsonl``, ``pi2.jsonl`` or a planned stage file)."""
    return [example_from_dict(obj, task, source=str(path), line=line) for line, obj in iter_jsonl(path)]


def task_file(data_dir: str | Path, task: str) -> Path:
    """``DIR/pi1.jsonl`` or ``DIR/pi2.jsonl``, with an error that says how to create it."""
    if task not in SINGLE_TASKS:
        raise InputError(f"unknown task {task!r}", hint=f"use one of {SINGLE_TASKS} (or 'both')")
    path = Path(data_dir) / f"{task}.jsonl"
    if not path.is_file():
        raise InputError(f"{task}.jsonl not found in the data folder", source=str(data_dir),
                         hint="create it with `text2table prepare gold.jsonl --out DIR`")
    return path


def load_task(data_dir: str | Path, task: str, *, seed: int = 0, limit: int | None = None) -> list[ChatExample]:
    """The examples of ``task`` (``pi1``, ``pi2`` or ``both``) in a prepared folder.

    ``both`` is a shuffled mixture of the two tasks (one adapter learns both); the shuffle is seeded.
    ``limit`` keeps the first ``limit`` examples after mixing (for quick runs).
    """
    tasks = SINGLE_TASKS if task == "both" else (task,)
    examples: list[ChatExample] = []
    for t in tasks:
        examples.extend(load_chat_records(task_file(data_dir, t), t))
    if task == "both":
        random.Random(seed).shuffle(examples)
    if limit is not None:
        examples = examples[:max(0, limit)]
    return examples


def prompt_completion(example: ChatExample) -> dict[str, list[Message]]:
    """TRL's conversational prompt/completion form: the loss covers only ``completion`` (the answer)."""
    return {"prompt": example.prompt, "completion": [dict(example.messages[-1])]}


def to_dataset(examples: list[ChatExample]) -> Any:
    """A ``datasets.Dataset`` with ``prompt`` and ``completion`` columns (nothing else, so TRL keeps it)."""
    from datasets import Dataset

    rows = [prompt_completion(e) for e in examples]
    return Dataset.from_list(rows) if rows else Dataset.from_dict({"prompt": [], "completion": []})


def sample_examples(examples: list[ChatExample], n: int, *, seed: int = 0) -> list[ChatExample]:
    """``n`` examples chosen with a seeded shuffle (all of them when ``n`` >= their number), in a stable order."""
    if n >= len(examples):
        return list(examples)
    order = list(range(len(examples)))
    random.Random(seed).shuffle(order)
    return [examples[i] for i in sorted(order[:n])]
