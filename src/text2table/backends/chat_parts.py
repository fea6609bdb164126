"""A chat prompt rendered in parts: the template's own text apart from the messages' contents.

A chat template writes control tokens (``<|im_start|>``, ``<|im_end|>``, ``<|eot_id|>``) around each message.
Documents and model answers are untrusted: a document that contains the text ``<|im_end|>`` must stay text,
or it closes the user's turn and can open a new one with its own instructions. Tokenising the rendered
prompt as one string with special tokens parsed would do exactly that, so a backend tokenises the parts
that :func:`prompt_parts` returns: template text with special tokens parsed, contents as plain text.

The contents are found by rendering the template with a marker in place of each message's content. A
template that does not copy a content verbatim and once (one that trims it, say) gives no parts
(:func:`render_parts` returns ``None``); :func:`prompt_parts` then warns once and returns the whole
rendered prompt as template text.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from text2table.backends.models import split_continuation

log = logging.getLogger(__name__)
_warned = False

Part = tuple[str, bool]  # (text, is template text: special tokens are parsed in it)


def _marker(i: int) -> str:
    return f"\ue000t2t-content-{i}\ue001"  # private-use characters: no template writes them


def render_parts(messages: list[dict[str, str]], render: Callable[[list[dict[str, str]]], str]) -> list[Part] | None:
    """``messages`` rendered by ``render`` (chat template + generation prompt) as template and content parts.

    A final assistant message is continued: its text is the last, plain part. Empty parts are left out.
    ``None`` when the template does not copy each content exactly once, in order.
    """
    head, partial = split_continuation(messages)
    marks = [_marker(i) for i in range(len(head))]
    text = render([{**m, "content": mark} for m, mark in zip(head, marks)])
    parts: list[Part] = []
    pos = 0
    for message, mark in zip(head, marks):
        at = text.find(mark, pos)
        if at < 0 or text.count(mark) != 1:
            return None
        parts += [(text[pos:at], True), (message["content"], False)]
        pos = at + len(mark)
    parts.append((text[pos:], True))
    if partial:
        parts.append((partial, False))
    return [p for p in parts if p[0]]


def prompt_parts(messages: list[dict[str, str]], render: Callable[[list[dict[str, str]]], str]) -> list[Part]:
    """:func:`render_parts`, or, for a template that changes contents, the whole prompt as one template part
    (rendered by ``render`` plus a continued answer), with a warning the first time."""
    parts = render_parts(messages, render)
    if parts is not None:
        return parts
    global _warned
    if not _warned:
        log.warning("the chat template does not copy message contents verbatim: the prompt is tokenised whole, "
                    "and control-token text inside a document acts as a control token")
        _warned = True
    head, partial = split_continuation(messages)
    return [(render(head) + (partial or ""), True)]
