"""Extract: every (message, param, code) an error body holds, at any nesting, bounded, never raising.

Bodies come in many envelopes: OpenAI's ``{"error": {...}}``; Gemini's top-level array with
``details[].fieldViolations``; FastAPI's ``{"detail": "..."}`` and pydantic's
``{"detail": [{"loc": [...], "msg": ...}]}`` lists, as objects or as Python reprs inside a
message; vLLM's flat ``{"object": "error", "message": ...}``; xAI's ``{"code", "error"}``;
an upstream body quoted as JSON inside a proxy's message (LiteLLM) or in
``metadata.raw`` (OpenRouter). The extractor walks all of them and returns flat statements.
"""

from __future__ import annotations

import ast
import contextlib
import json
import re
import warnings
from dataclasses import dataclass
from typing import Any, Final

__all__ = ["MAX_MESSAGE", "Statement", "decode", "statements"]

MAX_MESSAGE: Final = 4096
_MAX_DEPTH: Final = 8
_MAX_STATEMENTS: Final = 32
_MAX_NESTED_TEXT: Final = 16_384
# Structured values are looked for at the first few brackets only: a message of "[" * n must
# not cost a scan from every one of them.
_MAX_EMBEDDED_STARTS: Final = 8
_MAX_CODE: Final = 64

_MESSAGE_FIELDS: Final = ("message", "msg", "detail", "error", "description", "title", "raw")
# Error-like objects nest their inner error under these keys.
_CHILD_FIELDS: Final = ("error", "errors", "detail", "details", "fieldViolations", "metadata", "innererror", "raw")


@dataclass(frozen=True, slots=True)
class Statement:
    """One message found in a body, with the param and code that stood beside it.

    Attributes:
        message: The text.
        param: The ``param``/``field`` beside it, or the dotted form of a pydantic ``loc``.
        code: The ``code`` (or ``type``) beside it.
        loc: A pydantic ``loc`` beside it, as a tuple (``("body", "stream_options")``).
        value: The scalar ``input`` beside a ``loc`` (pydantic's rejected value).
    """

    message: str
    param: str | None = None
    code: str | None = None
    loc: tuple[str | int, ...] | None = None
    value: object = None
    """The value a pydantic error reports it got (``input``), when it is a scalar."""


def decode(body: str | bytes | object) -> object:
    """A body as JSON where it is JSON; text stays text."""
    if isinstance(body, bytes):
        body = body.decode("utf-8", "replace")
    if isinstance(body, str):
        text = body.strip()
        if text[:1] in ("{", "["):
            try:
                return json.loads(text)
            except (ValueError, RecursionError):
                pass
        return body[:MAX_MESSAGE]
    return body


def _str(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def _code(node: dict[str, Any]) -> str | None:
    for name in ("code", "type", "status"):
        value = node.get(name)
        if isinstance(value, str) and value:
            return value[:_MAX_CODE]
    return None


def _loc(value: object) -> tuple[str | int, ...] | None:
    if isinstance(value, list | tuple) and value and all(isinstance(p, str | int) for p in value):
        return tuple(value)
    return None


# JSON or a Python repr quoted inside a message: "... - {json}", "[{'type': ...}]".
_EMBEDDED: Final = re.compile(r"[\[{]")
# pydantic v1's text form: "body -> frequency_penalty\n  Extra inputs are not permitted (type=extra_forbidden)".
_PYDANTIC_V1: Final = re.compile(r"^(?P<loc>[\w.]+(?: -> [\w.\[\]]+)+)\n {2}(?P<msg>[^\n]+)", re.MULTILINE)


def _embedded(text: str) -> list[object]:
    """Structured values quoted inside ``text``: JSON first, then Python literals (pydantic reprs)."""
    found: list[object] = []
    if len(text) > _MAX_NESTED_TEXT:
        return found
    for n, match in enumerate(_EMBEDDED.finditer(text)):
        if n >= _MAX_EMBEDDED_STARTS:
            break
        start = match.start()
        tail = text[start:]
        for parse in (_json_prefix, _literal_prefix):
            value = parse(tail)
            if value is not None:
                found.append(value)
                break
        if found:
            break
    return found


def _json_prefix(text: str) -> object | None:
    try:
        value, _ = json.JSONDecoder().raw_decode(text)
    except (ValueError, RecursionError):
        return None
    return value if isinstance(value, dict | list) else None


def _literal_prefix(text: str) -> object | None:  # noqa: C901 - a small scanner
    # The repr ends at the bracket that closes the first one; find it by depth.
    opening = text[0]
    closing = "]" if opening == "[" else "}"
    depth = 0
    quote: str | None = None
    for i, ch in enumerate(text[:_MAX_NESTED_TEXT]):
        if quote:
            if ch == quote and text[i - 1] != "\\":
                quote = None
        elif ch in "'\"":
            quote = ch
        elif ch in "[{(":
            depth += 1
            if depth > _MAX_DEPTH * 4:
                return None
        elif ch in "]})":
            depth -= 1
            if depth == 0:
                if ch != closing:
                    return None
                try:
                    with warnings.catch_warnings():
                        # An odd escape in a hostile repr ("['\\d']") warns; it is data, not code.
                        warnings.simplefilter("ignore")
                        value = ast.literal_eval(text[: i + 1])
                except (ValueError, SyntaxError, RecursionError, MemoryError, TypeError):
                    return None
                return value if isinstance(value, dict | list) else None
    return None


def statements(body: str | bytes | object) -> list[Statement]:
    """Every statement in ``body``, outermost first, bounded in depth and number; never raises."""
    out: list[Statement] = []
    with contextlib.suppress(RecursionError):
        _walk(decode(body), out, 0)
    return out[:_MAX_STATEMENTS]


def _walk(node: object, out: list[Statement], depth: int) -> None:  # noqa: C901 - one branch per shape
    if depth > _MAX_DEPTH or len(out) >= _MAX_STATEMENTS:
        return
    if isinstance(node, str):
        _text(node, out, depth, param=None, code=None, loc=None)
        return
    if isinstance(node, list):
        for item in node[:_MAX_STATEMENTS]:
            _walk(item, out, depth + 1)
        return
    if not isinstance(node, dict):
        return
    param = _str(node.get("param")) or _str(node.get("field"))
    loc = _loc(node.get("loc"))
    if param is None and loc is not None:
        param = ".".join(str(p) for p in loc)
    code = _code(node)
    got = node.get("input") if loc is not None else None
    short = isinstance(got, str) and len(got) <= _MAX_CODE
    scalar = got if short or isinstance(got, int | float | bool) else None
    for name in _MESSAGE_FIELDS:
        value = node.get(name)
        if isinstance(value, str) and value:
            _text(value, out, depth, param=param, code=code, loc=loc, value=scalar)
    for name in _CHILD_FIELDS:
        value = node.get(name)
        if isinstance(value, dict | list):
            _walk(value, out, depth + 1)
    message = node.get("message")
    if isinstance(message, dict | list):
        _walk(message, out, depth + 1)


def _text(
    text: str,
    out: list[Statement],
    depth: int,
    *,
    param: str | None,
    code: str | None,
    loc: tuple[str | int, ...] | None,
    value: object = None,
) -> None:
    text = text[:MAX_MESSAGE]
    out.append(Statement(text, param, code, loc, value))
    for match in _PYDANTIC_V1.finditer(text):
        path = tuple(p for p in match["loc"].split(" -> "))
        out.append(Statement(match["msg"].strip(), ".".join(path), code, path))
    for embedded in _embedded(text):
        _walk(embedded, out, depth + 1)
