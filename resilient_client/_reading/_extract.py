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
from dataclasses import dataclass, replace
from typing import Any, Final

__all__ = ["MAX_MESSAGE", "PLAIN", "Statement", "decode", "statements"]

MAX_MESSAGE: Final = 4096
_MAX_DEPTH: Final = 8
_MAX_STATEMENTS: Final = 32
_MAX_NESTED_TEXT: Final = 16_384
# Structured values are looked for at the first few brackets only: a message of "[" * n must
# not cost a scan from every one of them.
_MAX_EMBEDDED_STARTS: Final = 8
_MAX_CODE: Final = 64

_MESSAGE_FIELDS: Final = (
    "message",
    "msg",
    "detail",
    "error",
    "description",
    "title",
    "raw",
    # Other servers' names for the same: Baidu's error_msg, MiniMax's status_msg, AWS's Message, Lambda's errorMessage.
    "error_msg",
    "error_message",
    "errorMessage",
    "errmsg",
    "status_msg",
    "Message",
    # RFC 7807's invalid-params ({"name": "seed", "reason": "unsupported"}).
    "reason",
    # A gateway's own message, with the upstream's error kept as its cause (JSON quoted in a string: r5c-037).
    "cause",
    # Spring's and Jackson's field errors ({"field": "topK", "rejectedValue": 200, "defaultMessage": "must be …"}).
    "defaultMessage",
    # Elysia's TypeBox errors ({"summary": "Property 'seed' should not be provided", "property": "/seed"}).
    "summary",
)
# Error-like objects nest their inner error under these keys (MiniMax: base_resp; iFlytek: header).
_CHILD_FIELDS: Final = (
    "error",
    "errors",
    "detail",
    "details",
    "fieldViolations",
    "metadata",
    "innererror",
    "raw",
    "base_resp",
    "header",
    "invalid_params",
    "invalid-params",
    "cause",
    # zod's ZodError ({"issues": [{"code": "too_big", "path": ["temperature"], "message": …}]}).
    "issues",
    # Symfony's and Quarkus' constraint violations ({"violations": [{"propertyPath": …, "title": …}]}).
    "violations",
    # Tencent Cloud's API 3.0 ({"Response": {"Error": {"Code": …, "Message": …}}}: Hunyuan).
    "Response",
    "Error",
)
# Children that may map each field to its messages: {"errors": {"temperature": ["must be <= 2"]}} (Rails, Django
# REST, zod's flatten().fieldErrors).
_FIELD_MAPS: Final = ("errors", "fieldErrors", "field_errors", "details", "fields", "_issues")
# Typographic quotes and full-width punctuation, as pages and some servers print them, read as plain ones
# (after the request's own text is scrubbed: an echo is removed as it was sent).
PLAIN: Final = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u201f": '"',
        "\uff1a": ": ",
        "\uff08": " (",
        "\uff09": ") ",
        "\uff3b": "[",
        "\uff3d": "]",
        "\uff0c": ", ",
        # En and em dashes (U+2013, U+2014): a range written with either is a range with a hyphen.
        "\u2013": "-",
        "\u2014": "-",
    }
)


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
    quoted: tuple[int, int] | None = None
    """Where in ``message`` an error record is quoted that was read as statements of its own: the prose
    around it is read, the record's raw text is not read twice."""


def decode(body: str | bytes | object) -> object:
    """A body as JSON where it is JSON; text stays text."""
    if isinstance(body, bytes):
        body = body.decode("utf-8", "replace")
    if isinstance(body, str):
        text = body.strip()
        if text[:1] == '"' and text[-1:] == '"':
            # A body that is one JSON string holding the error as text, as some clients relay it.
            with contextlib.suppress(ValueError, RecursionError):
                inner = json.loads(text)
                if isinstance(inner, str):
                    text = inner.strip()
                    body = inner
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
    for name in ("code", "type", "status", "error_code", "status_code", "__type"):
        value = node.get(name)
        if isinstance(value, str) and value:
            return value[:_MAX_CODE]
    return None


def _loc(value: object) -> tuple[str | int, ...] | None:
    if isinstance(value, list | tuple) and value and all(isinstance(p, str | int) for p in value):
        return tuple(value)
    # valibot's path is a list of objects, each with the key it went through ([{"key": "frequency_penalty", …}]).
    if (
        isinstance(value, list)
        and value
        and all(isinstance(p, dict) and isinstance(p.get("key"), str | int) for p in value)
    ):
        return tuple(p["key"] for p in value)
    return None


# JSON or a Python repr quoted inside a message: "... - {json}", "[{'type': ...}]".
_EMBEDDED: Final = re.compile(r"[\[{]")
# pydantic v1's text form: "body -> frequency_penalty\n  Extra inputs are not permitted (type=extra_forbidden)".
# pydantic v2's: "1 validation error for ChatCompletionRequest\nreasoning_effort\n  Input should be 'low' … [type=…]".
_PYDANTIC_V1: Final = re.compile(r"^(?P<loc>[\w.]+(?: -> [\w.\[\]]+)*)\n {2}(?P<msg>[^\n]+)", re.MULTILINE)


def _embedded(text: str) -> tuple[object, int, int] | None:
    """The first error record quoted inside ``text`` and its span: JSON first, then Python literals.

    A bracket that opens no record ("[400]: {...}", "the allowed values ['a', 'b']") does not hide a record
    after it; with no record, the first structured value is it.
    """
    if len(text) > _MAX_NESTED_TEXT:
        return None
    first: tuple[object, int, int] | None = None
    resume = 0
    for n, match in enumerate(_EMBEDDED.finditer(text)):
        if n >= _MAX_EMBEDDED_STARTS:
            break
        start = match.start()
        if start < resume:
            continue
        tail = text[start:]
        for parse in (_json_span, _escaped_json_span, _literal_span):
            found = parse(tail)
            if found is not None:
                value, length = found
                if _record(value):
                    return value, start, start + length
                first = first or (value, start, start + length)
                resume = start + length
                break
    return first


def _record(value: object) -> bool:
    """Whether a structured value is an error record (an object, or a list holding one), not a list of values."""
    return isinstance(value, dict) or (isinstance(value, list) and any(isinstance(v, dict) for v in value))


def _json_span(text: str) -> tuple[object, int] | None:
    try:
        value, end = json.JSONDecoder().raw_decode(text)
    except (ValueError, RecursionError):
        return None
    return (value, end) if isinstance(value, dict | list) else None


def _escaped_json_span(text: str) -> tuple[object, int] | None:
    r"""JSON printed with its newlines escaped, as a Python bytes repr shows it (``b'{\n  "error": …'``, r6b-004).

    ``\n`` and ``\t`` become two spaces, so the span still measures the text as it is.
    """
    if "\\n" not in text[:_MAX_NESTED_TEXT] and "\\t" not in text[:_MAX_NESTED_TEXT]:
        return None
    return _json_span(text.replace("\\n", "  ").replace("\\t", "  "))


def _json_prefix(text: str) -> object | None:
    found = _json_span(text)
    return found[0] if found is not None else None


def _literal_prefix(text: str) -> object | None:
    found = _literal_span(text)
    return found[0] if found is not None else None


def _literal_span(text: str) -> tuple[object, int] | None:  # noqa: C901 - a small scanner
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
                return (value, i + 1) if isinstance(value, dict | list) else None
    return None


def statements(body: str | bytes | object) -> list[Statement]:
    """Every statement in ``body``, outermost first, bounded in depth and number; never raises."""
    out: list[Statement] = []
    with contextlib.suppress(RecursionError):
        _walk(decode(body), out, 0, envelope=True)
    return out[:_MAX_STATEMENTS]


def _walk(node: object, out: list[Statement], depth: int, *, envelope: bool = False) -> None:  # noqa: C901, PLR0912 - one branch per shape
    """Read ``node`` into ``out``; ``envelope``: it is the body itself, or an object of it outside any message."""
    if depth > _MAX_DEPTH or len(out) >= _MAX_STATEMENTS:
        return
    if isinstance(node, str):
        _text(node, out, depth, param=None, code=None, loc=None)
        return
    if isinstance(node, list):
        for item in node[:_MAX_STATEMENTS]:
            _walk(item, out, depth + 1, envelope=envelope and depth == 0)
        return
    if not isinstance(node, dict):
        return
    before = len(out)
    source = node.get("source")
    param = (
        next((p for name in _PARAM_FIELDS if (p := _str(node.get(name)))), None)
        or _pointer(source.get("pointer") if isinstance(source, dict) else None)
        # Symfony's violations name the field by propertyPath, TypeBox's by a pointer in "property".
        or _str(node.get("propertyPath"))
        or _pointer(node.get("property"))
        # RFC 9457's own example: {"detail": "must be a positive integer", "pointer": "#/age"} (aa-016).
        or _pointer(node.get("pointer"))
    )
    if param is None and isinstance(node.get("reason"), str):
        param = _str(node.get("name"))
    if param is None:
        param = _validator_param(node)
    # pydantic's loc, or zod's path ({"code": "too_big", "path": ["temperature"], "message": ...}).
    loc = _loc(node.get("loc")) or _loc(node.get("path"))
    if param is None and loc is not None:
        param = ".".join(str(p) for p in loc)
    code = _code(node)
    got = node.get("input") if loc is not None else None
    short = isinstance(got, str) and len(got) <= _MAX_CODE
    scalar = got if short or isinstance(got, int | float | bool) else None
    listed = _allowed_values(node)
    for name in _MESSAGE_FIELDS:
        value = node.get(name)
        if isinstance(value, str) and value:
            _text(value + listed, out, depth, param=param, code=code, loc=loc, value=scalar)
    for name in _CHILD_FIELDS:
        value = node.get(name)
        if isinstance(value, dict | list):
            # The body's own error object is an envelope too: {"error": {"mensaje": …, "param": …}} (z-087).
            _walk(value, out, depth + 1, envelope=envelope and depth == 0 and isinstance(value, dict))
        elif isinstance(value, str) and value.lstrip()[:1] in ("{", "[") and name not in _MESSAGE_FIELDS:
            # The upstream's body kept as JSON text: "details": "{\"error\": {…}}" (a gateway's, r12a-026).
            _walk(value, out, depth + 1)
    for name in _FIELD_MAPS:
        value = node.get(name)
        if isinstance(value, dict):
            _field_map(value, out, depth + 1)
    message = node.get("message")
    if isinstance(message, dict | list):
        _walk(message, out, depth + 1)
    if envelope and len(out) == before and depth <= 1 and not any(name in node for name in _MESSAGE_FIELDS):
        # No field this reader knows holds a message: the object's own words are read, each under its key. Django
        # REST framework answers with the field map alone ({"max_tokens": ["Ensure this value is …"]}); other
        # servers name their fields in their own language ({"fehler": …, "details": …}, {"erro": {"mensagem": …}}).
        # What echoes the request ("found", "input", "messages"…) is never read: its text is the caller's.
        words = {k: v for k, v in node.items() if k not in _ECHOES and k not in _PARAM_FIELDS}
        if param is not None:
            # The record names its param ({"mensagem": …, "parametro": "messages[0].role"}): its words are about it.
            for value in list(words.values())[:_MAX_STATEMENTS]:
                if isinstance(value, str) and value:
                    _text(value, out, depth, param=param, code=code, loc=loc)
        else:
            _field_map(words, out, depth + 1)
        for key, value in list(node.items())[:_MAX_STATEMENTS]:
            if isinstance(value, dict) and key not in _ECHOES:
                _walk(value, out, depth + 1, envelope=True)


# Where a record names the param it is about, in English and in the languages servers answer in; ``target`` is the
# Microsoft REST guidelines' name for it (Azure's ``details[]``: {"code": "UnknownProperty", "target": "seed"}).
_PARAM_FIELDS: Final = (
    "param",
    "field",
    "target",
    "parametro",
    "parámetro",
    "paramètre",
    "parameter",
    "campo",
    "champ",
    "alan",
)


def _pointer(pointer: object) -> str | None:
    """A JSON pointer to the param an error is about ("/max_tokens", "#/max_tokens", JSON:API's source.pointer)."""
    if isinstance(pointer, str) and pointer.startswith("#/"):
        pointer = pointer[1:]  # a pointer written as a URI fragment
    if not isinstance(pointer, str) or not pointer.startswith("/") or len(pointer) > _MAX_POINTER:
        return None
    # JSON:API puts a resource's fields under /data/attributes.
    path = pointer.strip("/").replace("/", ".")
    path = path.removeprefix("data.attributes.")
    return path or None


_MAX_POINTER: Final = 256


def _allowed_values(node: dict[str, Any]) -> str:
    """The values an ajv ``enum`` error lists in ``params.allowedValues``, as words to read after its message."""
    params = node.get("params")
    values = params.get("allowedValues") if isinstance(params, dict) else None
    if not isinstance(values, list) or not values or len(values) > _MAX_STATEMENTS:
        return ""
    if not all(isinstance(v, str) and 0 < len(v) <= _MAX_CODE and "'" not in v for v in values):
        return ""
    return ": " + ", ".join(f"'{v}'" for v in values)


def _validator_param(node: dict[str, Any]) -> str | None:
    """The field a JSON-schema or form validator's error is about, where it names one.

    ajv: ``{"instancePath": "/temperature", …}`` or ``{"params": {"additionalProperty": "top_p"}}``;
    express-validator: ``{"path": "reasoning_effort", "location": "body"}`` (a name, not a URL path).
    """
    params = node.get("params")
    if isinstance(params, dict) and isinstance(extra := params.get("additionalProperty"), str):
        pointer = node.get("instancePath")
        prefix = pointer.strip("/").replace("/", ".") if isinstance(pointer, str) else ""
        name = f"{prefix}.{extra}" if prefix else extra
        return name if _FIELD_KEY.fullmatch(name) else None
    for key in ("instancePath", "dataPath"):
        pointer = node.get(key)
        if (
            isinstance(pointer, str)
            and pointer.startswith("/")
            and _FIELD_KEY.fullmatch(name := pointer[1:].replace("/", "."))
        ):
            return name
    path = node.get("path")
    if isinstance(path, str) and node.get("location") in ("body", "query") and _FIELD_KEY.fullmatch(path):
        return path
    return None


def _field_map(node: dict[Any, Any], out: list[Statement], depth: int) -> None:
    """{"temperature": ["must be <= 2"], "seed": "is not supported"}: each message about the field its key names."""
    for key, value in list(node.items())[:_MAX_STATEMENTS]:
        if key in _FIELD_MAP_PLACES and isinstance(value, dict) and depth <= _MAX_DEPTH:
            # marshmallow (webargs) keys the fields by where they came from: {"errors": {"json": {"seed": [...]}}}.
            _field_map(value, out, depth + 1)
            continue
        if not isinstance(key, str) or key in _MESSAGE_FIELDS or key in _CHILD_FIELDS or not _FIELD_KEY.fullmatch(key):
            continue
        texts = [value] if isinstance(value, str) else value if isinstance(value, list) else []
        for text in texts[:_MAX_STATEMENTS]:
            if isinstance(text, str) and text and len(out) < _MAX_STATEMENTS:
                message = text if key in text else f"{key}: {text}"
                _text(message, out, depth, param=key, code=None, loc=None)


_FIELD_KEY: Final = re.compile(r"(?:\$\.)?[A-Za-z_][\w.\-\[\]]{0,63}")  # ASP.NET keys by JSON path: "$.seed"
# Keys under which a server echoes what it was sent, or what it expected: the caller's text, never its verdict.
_ECHOES: Final = frozenset(
    {
        "found",
        "expected",
        "received",
        "request",
        "body",
        "input",
        "prompt",
        "messages",
        "contents",
        "instructions",
        "system",
        "data",
        "params",
        "payload",
        "value",
        "rejectedValue",
        "input_value",
        # pydantic's ctx holds the error object itself, already read as the message.
        "ctx",
    }
)
_FIELD_MAP_PLACES: Final = frozenset({"json", "body", "form", "querystring"})


# Values listed on lines of their own after a colon ("Supported values:\n- low\n- medium\n- high (default)"): one
# word each, as a bullet or a number opens them. A new line ends a sentence and a list; such a list is read inline.
# A bulleted list of errors ("- temperature: must be <= 2") has more than a word to an item and stays as it is.
_BULLET: Final = r"\r?\n[ \t]*(?:[-*\u2022\u00b7]|\d{1,2}[.)])[ \t]+"
_ITEM: Final = r"['\"`]?[\w.\-/]{1,40}['\"`]?(?:[ \t]+\((?:default|recommended)\))?[ \t]*[,;.]?[ \t]*(?=\r?\n|$)"
_BULLETED: Final = re.compile(rf":[ \t]*(?P<items>(?:{_BULLET}{_ITEM}){{2,32}})")


def _inline_lists(text: str) -> str:
    if "\n" not in text:
        return text
    return _BULLETED.sub(
        lambda m: ": " + ", ".join(item.strip().rstrip(",;") for item in re.split(_BULLET, m["items"])[1:]), text
    )


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
    text = _inline_lists(text[:MAX_MESSAGE])
    outer = len(out)
    out.append(Statement(text, param, code, loc, value))
    for match in _PYDANTIC_V1.finditer(text):
        path = tuple(p for p in match["loc"].split(" -> "))
        out.append(Statement(match["msg"].strip(), ".".join(path), code, path))
    if len(out) > outer + 1:
        # Each pydantic block was read with its own loc: the text as a whole is not read again, or one field's
        # bound would reach the others ("temperature\n  … <= 2\nmax_tokens\n  … >= 1").
        out[outer] = replace(out[outer], quoted=(0, len(text)))
    embedded = _embedded(text)
    if embedded is not None:
        before = len(out)
        _walk(embedded[0], out, depth + 1)
        if _record(embedded[0]) and len(out) > before:
            # An error record quoted in the message ("OpenAIException - {...}") was read on its own; a list of
            # values quoted in the prose ("the allowed values ['a', 'b']") stays part of it.
            out[outer] = replace(out[outer], quoted=(embedded[1], embedded[2]))
