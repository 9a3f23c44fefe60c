"""The pure core: read a rejection, derive a fix, apply learned fixes to a request body.

Nothing here does I/O or imports an HTTP client. Every function takes plain data
(status codes, decoded JSON, dicts) and returns plain data, so the behaviour is
tested without a network, an event loop or mocks.

The wordings recognised below are the ones Azure OpenAI and OpenAI really send;
``tests/data/azure_errors.jsonl`` holds each body with the public page it was
copied from.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, replace
from typing import Any, Final, Literal, TypeAlias

from ._models import (
    DEFAULT_PROTECTED,
    ChangeRole,
    Clamp,
    DeploymentMapping,
    Drop,
    Evidence,
    Fix,
    JSONScalar,
    LearnedRule,
    Rename,
    RepairPolicy,
    SetValue,
)

__all__ = [
    "REPAIRABLE_STATUSES",
    "Rejection",
    "accept",
    "apply",
    "blocked_param",
    "expire",
    "is_valid_fix",
    "merge",
    "observe_model",
    "parse_rejection",
    "resolve",
    "revoke",
    "signature",
    "undoes",
    "undone",
]

Body: TypeAlias = dict[str, Any]

# Some repairable rejections come as 403 ("You are not allowed to request logprobs
# from this model", e080), 404 ("tools is not supported in this model", e066;
# "Unrecognized request argument supplied: tools", e069) or 422 (Azure AI model
# inference's pydantic errors, m015). Others (401, 429, 5xx) are never about params.
REPAIRABLE_STATUSES: Final = frozenset({400, 403, 404, 422})

# Error codes that say the request is fine but something else is wrong; they are
# never turned into a parameter fix, whatever the message says (e070 carries
# ``param: "prompt"`` on a content-filter block).
_FINAL_CODES: Final = frozenset(
    {
        "content_filter",
        "context_length_exceeded",
        "DeploymentNotFound",
        "invalid_json_schema",
        "OperationNotSupported",
        "ResponsibleAIPolicyViolation",
        "sanitizer_server_error",
    }
)

_MAX_MESSAGE: Final = 4096
_MAX_EVIDENCE: Final = 240
_MAX_DEPTH: Final = 4

# A name Azure asks us to *send* must look like an API parameter: lowercase
# snake_case segments, not underscore-led (no "__class__"), at most three deep.
_NEW_NAME: Final = re.compile(r"[a-z][a-z0-9_]{0,63}(?:\.[a-z][a-z0-9_]{0,63}){0,2}")
# A name we *remove or change* must be one the caller sent; it may be camelCase
# ("apiMode", e085) but nothing stranger.
_SENT_NAME: Final = re.compile(r"[A-Za-z_][A-Za-z0-9_-]{0,63}(?:\.[A-Za-z_][A-Za-z0-9_-]{0,63}){0,2}")
_ROLE_PATH: Final = re.compile(r"(messages|input)\[\d{1,6}\]\.role")
_REWRITABLE_ROLES: Final = frozenset({"system", "developer"})

_REQUEST_ID: Final = re.compile(r"\s*\(request id: [^)]{0,200}\)")
# Messages re-shown by SDKs or proxies ("400 Unsupported value: …", e010/e022;
# "Error code: 400 - …"); a legacy wording that starts with a rejected value of 400
# ("400 is greater than the maximum of 256 - 'max_tokens'") is left alone.
_SDK_PREFIX: Final = re.compile(r"^(?:Error code: )?4\d\d (?:- )?(?=[A-Z'{])")
_Q: Final = r"'([^'\n]{1,128})'"
_V: Final = r"('[^'\n]{0,128}'|-?\d+(?:\.\d+)?|true|false|null)"

# Reverse renames for "Unrecognized request argument supplied: X" on api-versions
# that predate X: older Azure api-versions only know max_tokens.
_REVERSE_RENAMES: Final = {"max_completion_tokens": "max_tokens"}

# Ordered value scales, for "Supported values are: …": the nearest allowed value
# keeps a request closest to what the caller asked for.
_SCALES: Final = (
    ("none", "minimal", "low", "medium", "high", "xhigh"),
    ("concise", "auto", "detailed"),
)

RejectionKind: TypeAlias = Literal["rename", "drop", "value", "role", "clamp", "pair"]


@dataclass(frozen=True, slots=True)
class Rejection:
    """What a 4xx body says about the request, before it is matched to the request.

    Attributes:
        kind: Which family of rejection this is.
        param: The parameter path as Azure named it; ``None`` when the message names
            only the rejected value.
        status: HTTP status.
        code: The body's ``code``, if any.
        message: The message, with proxy suffixes removed and truncated.
        new: The replacement name Azure suggests (``rename``).
        value: The rejected value (``value``, ``role``); ``...`` when not stated.
        allowed: The values Azure says it supports (``value``).
        default_only: Azure said only the default value is supported (``value``).
        minimum: Lower bound stated in the message (``clamp``).
        maximum: Upper bound stated in the message (``clamp``).
        other: The second name of a ``pair`` rejection.
    """

    kind: RejectionKind
    param: str | None
    status: int
    code: str | None
    message: str
    new: str | None = None
    value: Any = ...
    allowed: tuple[JSONScalar, ...] = ()
    default_only: bool = False
    minimum: int | float | None = None
    maximum: int | float | None = None
    other: str | None = None


def _literal(text: str) -> JSONScalar:
    if text.startswith("'") and text.endswith("'") and len(text) >= 2:  # noqa: PLR2004 - a quoted string
        return text[1:-1]
    if text in ("true", "false"):
        return text == "true"
    if text == "null":
        return None
    number = float(text)
    return int(number) if number.is_integer() and "." not in text else number


def _number(text: str) -> int | float:
    value = _literal(text)
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ValueError(text)
    return value


def _values(text: str) -> tuple[JSONScalar, ...]:
    # "'none', 'low', 'medium', and 'high'" or "false"
    parts = re.split(r",\s*(?:and\s+)?|\s+and\s+", text.strip().rstrip("."))
    return tuple(_literal(part.strip()) for part in parts if part.strip())


def _error_fields(data: object, depth: int = 0) -> tuple[str, str | None, str | None] | None:
    """Find (message, param, code) in the shapes Azure, OpenAI and proxies send."""
    if depth > _MAX_DEPTH or not isinstance(data, dict):
        return None
    inner = data.get("error")
    if isinstance(inner, dict):
        found = _error_fields(inner, depth + 1)
        if found is not None:
            return found
    for field in ("message", "detail", "error"):
        message = data.get(field)
        if isinstance(message, str) and message:
            param = data.get("param")
            code = data.get("code")
            return (
                message,
                param if isinstance(param, str) else None,
                code if isinstance(code, str) else None,
            )
    return None


def _decode(body: str | bytes | object) -> object:
    if isinstance(body, bytes):
        body = body.decode("utf-8", "replace")
    if isinstance(body, str):
        try:
            return json.loads(body)
        except ValueError:
            return {"message": body[:_MAX_MESSAGE]}
    return body


def _pydantic_extra(message: str) -> str | None:
    # Azure AI model inference nests a pydantic error list inside error.message as a
    # JSON string (m015): {"detail":[{"type":"extra_forbidden","loc":["body","stream_options",…]}]}.
    if not message.startswith("{"):
        return None
    try:
        detail = json.loads(message).get("detail")
    except (ValueError, AttributeError):
        return None
    if not isinstance(detail, list):
        return None
    for item in detail:
        if isinstance(item, dict) and item.get("type") == "extra_forbidden":
            loc = item.get("loc")
            if isinstance(loc, list) and len(loc) >= 2 and loc[0] == "body" and isinstance(loc[1], str):  # noqa: PLR2004 - ["body", name, …]
                return loc[1]
    return None


def _snake(words: str) -> str:
    return "_".join(words.lower().split())


def _match(status: int, code: str | None, message: str, param: str | None) -> Rejection | None:  # noqa: C901, PLR0911, PLR0912 - one branch per wording, kept flat on purpose
    def rej(kind: RejectionKind, name: str | None, **extra: Any) -> Rejection:
        return Rejection(kind, name, status, code, message[:_MAX_EVIDENCE], **extra)

    # e001/e004/e016/m019: "Unsupported parameter: 'X' is not supported with this model. [Use 'Y' instead.]"
    m = re.match(
        rf"Unsupported parameter: {_Q} is not supported with (?:this model|the '[^'\n]{{0,128}}' model)\."
        # Anchored: a suggestion in a form we cannot read must not turn a rename into a drop.
        rf"(?: Use {_Q} instead\.?)?\s*",
        message,
    )
    if m and m.end() == len(message):
        return rej("rename", m[1], new=m[2]) if m[2] else rej("drop", m[1])
    # e078/m058: "Unsupported parameter: 'X'. In the Responses API, this parameter has moved to 'Y'."
    m = re.match(rf"Unsupported parameter: {_Q}\. In the Responses API, this parameter has moved to {_Q}", message)
    if m:
        return rej("rename", m[1], new=m[2])
    # e021/m029/m072 (FastAPI-style {"detail": …}): "Unsupported parameter: X"
    m = re.fullmatch(r"Unsupported parameter: ([A-Za-z_][\w.]{0,127})\.?", message)
    if m:
        return rej("drop", m[1])
    # e005/e011/e022/e044/e061: "Unsupported value: 'X' does not support V with this model. …"
    m = re.match(rf"Unsupported value: {_Q} does not support {_V} with this model\.(.*)", message, re.DOTALL)
    if m:
        name, value, rest = m[1], _literal(m[2]), m[3].strip()
        if _ROLE_PATH.fullmatch(name):
            return rej("role", name, value=value)
        if d := re.match(r"Only the default \(([^)]{0,64})\) value is supported", rest):
            return rej("value", name, value=value, default_only=True, allowed=_values(d[1]))
        if a := re.match(r"Supported values are: (.{1,512})", rest):
            return rej("value", name, value=value, allowed=_values(a[1]))
        return rej("value", name, value=value)
    # e026/m022: "Unsupported value: 'minimal' is not supported with the 'gpt-5.1' model. Supported values are: …"
    m = re.match(
        rf"(?:Unsupported|Invalid) value: {_Q} is not supported with (?:this model|the '[^'\n]{{0,128}}' model)\."
        r" Supported values are: (.{1,512})",
        message,
    )
    if m:
        return rej("value", param, value=m[1], allowed=_values(m[2]))
    # e027/e079/e069: "Unrecognized request argument supplied: X" (older Azure api-versions)
    m = re.fullmatch(r"Unrecognized request argument supplied: ([A-Za-z_][\w.]{0,127})", message)
    if m:
        reverse = _REVERSE_RENAMES.get(m[1])
        return rej("rename", m[1], new=reverse) if reverse else rej("drop", m[1])
    # e046/m024/e085: "Unknown parameter: 'X'."
    m = re.fullmatch(rf"Unknown parameter: {_Q}\.?", message)
    if m:
        return rej("drop", m[1])
    # "Setting 'max_tokens' and 'max_completion_tokens' at the same time is not supported."
    m = re.match(rf"Setting {_Q} and {_Q} at the same time is not supported", message)
    if m:
        return rej("pair", m[1], other=m[2])
    # e047: "max_tokens is too large: 8192. This model supports at most 4096 completion tokens, …"
    m = re.match(r"([a-z_]{1,64}) is too large: -?\d+(?:\.\d+)?\. This model supports at most (\d{1,12}) ", message)
    if m:
        return rej("clamp", m[1], maximum=_number(m[2]))
    # e063: "Invalid 'max_tokens': integer below minimum value. Expected a value >= 1, but got -678 instead."
    m = re.match(
        rf"Invalid {_Q}: (?:integer|number) (below minimum|above maximum) value\. "
        r"Expected a value [<>]= (-?\d{1,12}(?:\.\d{1,12})?)",
        message,
    )
    if m:
        bound = _number(m[3])
        return rej("clamp", m[1], minimum=bound) if m[2] == "below minimum" else rej("clamp", m[1], maximum=bound)
    # e064: "0 is less than the minimum of 1 - 'max_tokens'"
    m = re.match(
        rf"-?[\d.]{{1,24}} is (less|greater) than the (?:minimum|maximum) of (-?\d{{1,12}}(?:\.\d{{1,12}})?) - {_Q}",
        message,
    )
    if m:
        bound = _number(m[2])
        return rej("clamp", m[3], minimum=bound) if m[1] == "less" else rej("clamp", m[3], maximum=bound)
    # e080 (403): "You are not allowed to request logprobs from this model"
    m = re.match(r"You are not allowed to request ([a-z_]{1,64}) from this model", message)
    if m:
        return rej("drop", m[1])
    # e066/e067 (404): "tools is not supported in this model. …"
    m = re.match(r"([a-z_]{1,64}) is not supported in this model\.", message)
    if m:
        return rej("drop", m[1])
    # m025: "Web search options not supported with this model."
    m = re.fullmatch(r"([A-Z][a-z]{1,32}(?: [a-z]{1,32}){0,4}) not supported with this model\.?", message)
    if m:
        return rej("drop", _snake(m[1]))
    # m015 (422): pydantic "extra_forbidden" list nested as a JSON string in error.message
    extra = _pydantic_extra(message)
    if extra is not None:
        return rej("drop", extra)
    return None


def parse_rejection(status: int, body: str | bytes | object) -> Rejection | None:
    """Read an error response into a :class:`Rejection`, or ``None`` if it is not about params.

    Args:
        status: HTTP status of the response.
        body: The raw body text (or bytes), or already-decoded JSON. Proxy wrappings
            (``error.error``, ``{"detail": …}``, ``"(request id: …)"`` suffixes) are
            looked through.

    Returns:
        The rejection, or ``None`` for anything that is not a recognised
        parameter/value/role rejection (content filter, context length, deployment
        not found, unknown wordings, garbage). Never raises.
    """
    if status not in REPAIRABLE_STATUSES:
        return None
    try:
        fields = _error_fields(_decode(body))
    except RecursionError:
        return None
    if fields is None:
        return None
    message, param, code = fields
    if code in _FINAL_CODES:
        return None
    message = _SDK_PREFIX.sub("", _REQUEST_ID.sub("", message[:_MAX_MESSAGE]).strip())
    try:
        return _match(status, code, message, param)
    except (ValueError, RecursionError):
        return None


_MISSING: Final = object()


def _get(body: Body, path: str) -> Any:
    node: Any = body
    for part in path.split("."):
        if not isinstance(node, dict) or part not in node:
            return _MISSING
        node = node[part]
    return node


def _set(body: Body, path: str, value: Any) -> Body:
    head, _, rest = path.partition(".")
    out = dict(body)
    if rest:
        child = out.get(head)
        out[head] = _set(child if isinstance(child, dict) else {}, rest, value)
    else:
        out[head] = value
    return out


def _delete(body: Body, path: str) -> Body:
    head, _, rest = path.partition(".")
    if head not in body:
        return body
    out = dict(body)
    if rest:
        child = out[head]
        if not isinstance(child, dict):
            return body
        out[head] = _delete(child, rest)
    else:
        del out[head]
    return out


def _same(a: Any, b: Any) -> bool:
    # 1 == True in Python; a rule about temperature 1 must not fire on stream=True.
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    return bool(a == b)


def _text_of(content: Any) -> str | None:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        texts = [p["text"] for p in content if isinstance(p, dict) and isinstance(p.get("text"), str)]
        if len(texts) == len(content):
            return "\n".join(texts)
    return None


def _change_role(body: Body, fix: ChangeRole) -> Body:
    messages = body.get(fix.param)
    if not isinstance(messages, list) or not any(isinstance(m, dict) and m.get("role") == fix.role for m in messages):
        return body
    if fix.new == "developer":
        changed = [
            {**m, "role": "developer"} if isinstance(m, dict) and m.get("role") == fix.role else m for m in messages
        ]
        return {**body, fix.param: changed}
    folded: list[str] = []
    kept: list[Any] = []
    for m in messages:
        text = _text_of(m.get("content")) if isinstance(m, dict) and m.get("role") == fix.role else None
        if text is None:
            kept.append({**m, "role": "user"} if isinstance(m, dict) and m.get("role") == fix.role else m)
        else:
            folded.append(text)
    first_user = next((i for i, m in enumerate(kept) if isinstance(m, dict) and m.get("role") == "user"), None)
    prefix = "\n\n".join(folded)
    if first_user is None:
        kept.insert(0, {"role": "user", "content": prefix})
    elif folded:
        user = kept[first_user]
        content = user.get("content")
        if isinstance(content, list):
            part_type = (
                "input_text" if any(isinstance(p, dict) and p.get("type") == "input_text" for p in content) else "text"
            )
            content = [{"type": part_type, "text": prefix}, *content]
        else:
            content = f"{prefix}\n\n{content}" if content else prefix
        kept[first_user] = {**user, "content": content}
    return {**body, fix.param: kept}


def _apply_one(body: Body, fix: Fix) -> Body:  # noqa: PLR0911 - one return per fix kind
    if isinstance(fix, ChangeRole):
        return _change_role(body, fix)
    value = _get(body, fix.param)
    if value is _MISSING:
        return body
    if isinstance(fix, Drop):
        return _delete(body, fix.param)
    if isinstance(fix, Rename):
        trimmed = _delete(body, fix.param)
        # Both names at once is itself rejected; the caller's explicit new name wins.
        return trimmed if _get(trimmed, fix.new) is not _MISSING else _set(trimmed, fix.new, value)
    if isinstance(fix, SetValue):
        if not _same(value, fix.old) or (fix.new is not None and _same(value, fix.new)):
            return body
        return _delete(body, fix.param) if fix.new is None else _set(body, fix.param, fix.new)
    if isinstance(value, bool) or not isinstance(value, int | float):
        return body
    clamped = value
    if fix.minimum is not None and clamped < fix.minimum:
        clamped = fix.minimum
    if fix.maximum is not None and clamped > fix.maximum:
        clamped = fix.maximum
    return body if clamped == value else _set(body, fix.param, clamped)


def apply(fixes: tuple[Fix, ...], body: Body) -> tuple[Body, tuple[Fix, ...]]:
    """Apply learned fixes, in order, to a request body.

    The input is never mutated: changed levels are copied, untouched ones shared.

    Args:
        fixes: The fixes learned for the request's deployment key.
        body: The JSON body the caller built.

    Returns:
        The body to send, and the fixes that changed something.
    """
    applied: list[Fix] = []
    for fix in fixes:
        changed = _apply_one(body, fix)
        if changed is not body:
            applied.append(fix)
            body = changed
    return body, tuple(applied)


def _nearest(value: JSONScalar, allowed: tuple[JSONScalar, ...]) -> JSONScalar:
    """The allowed value closest to ``value``; ``None`` (leave the param out) when there is no order."""
    if value is None:
        return None
    if len(allowed) == 1:
        return allowed[0]
    if isinstance(value, int | float) and not isinstance(value, bool):
        numbers = [a for a in allowed if isinstance(a, int | float) and not isinstance(a, bool)]
        if numbers:
            try:
                return min(numbers, key=lambda a: (abs(a - value), -a))
            except OverflowError:  # an int beyond float range against a float
                return None
    for scale in _SCALES:
        ranks = {a: scale.index(a) for a in allowed if isinstance(a, str) and a in scale}
        if isinstance(value, str) and value in scale and len(ranks) == len(allowed):
            rank = scale.index(value)
            # Ties go up: asked for "minimal", "low" is closer in spirit than "none".
            return min(ranks, key=lambda a: (abs(ranks[a] - rank), -ranks[a]))
    return None


def _find_by_value(body: Body, value: JSONScalar, suffix: str | None) -> str | None:
    # Only tuning params are searched: a quoted value must never be matched against
    # the conversation or the prompt (and so never end up in a rule or an event).
    found: list[str] = []

    def walk(node: Body, prefix: str, depth: int) -> None:
        for name, child in node.items():
            if not prefix and name in DEFAULT_PROTECTED:
                continue
            path = f"{prefix}{name}"
            if isinstance(child, dict) and depth < 2:  # noqa: PLR2004 - reasoning.effort is two deep
                walk(child, f"{path}.", depth + 1)
            elif _same(child, value) and (suffix is None or path == suffix or path.endswith(f".{suffix}")):
                found.append(path)

    walk(body, "", 0)
    return found[0] if len(found) == 1 else None


def resolve(rejection: Rejection, body: Body) -> Fix | None:  # noqa: C901 - one branch per family
    """Turn a rejection into the fix for the body that was sent, or ``None``.

    Only params the request actually carries are ever changed, and every name is
    checked against the parameter grammar, so a hostile or garbled message cannot
    make the library touch anything else.

    Args:
        rejection: What Azure said.
        body: The exact body that was sent and rejected.

    Returns:
        The fix, or ``None`` if the rejection does not fit the request.
    """
    param = rejection.param
    if rejection.kind == "role":
        root = param.split("[", 1)[0] if param else "messages"
        if not isinstance(rejection.value, str) or rejection.value not in _REWRITABLE_ROLES:
            return None
        new: Literal["developer", "user"] = "developer" if rejection.value == "system" else "user"
        fix: Fix = ChangeRole(rejection.value, new, param=root)
        return fix if _apply_one(body, fix) is not body else None
    if rejection.kind == "value" and (param is None or "*" in param):
        suffix = param.rsplit("*", 1)[-1].lstrip(".") if param else None
        param = _find_by_value(body, rejection.value, suffix or None)
    if param is None or not _SENT_NAME.fullmatch(param) or _get(body, param) is _MISSING:
        return None
    if rejection.kind == "drop":
        fix = Drop(param)
    elif rejection.kind == "rename":
        fix = Rename(param, rejection.new or "")
        if not is_valid_fix(fix):
            return None
    elif rejection.kind == "pair":
        fix = Drop(param)
    elif rejection.kind == "clamp":
        fix = Clamp(param, rejection.minimum, rejection.maximum)
    else:
        sent = _get(body, param)
        if not isinstance(sent, str | int | float | bool | type(None)):
            return None
        # "Only the default value is supported": leaving it out *is* the default.
        fix = Drop(param) if rejection.default_only else SetValue(param, sent, _nearest(sent, rejection.allowed))
    return fix if _apply_one(body, fix) is not body else None


def touched(fix: Fix) -> tuple[str, ...]:
    """The request params a fix removes, renames or rewrites."""
    if isinstance(fix, Rename):
        return (fix.param, fix.new)
    return (fix.param,)


def blocked_param(fix: Fix, policy: RepairPolicy) -> str | None:
    """The protected param ``fix`` would change without the policy's consent, if any."""
    if isinstance(fix, ChangeRole):
        return None if policy.change_roles else fix.param
    return next((p for p in touched(fix) if policy.blocks(p)), None)


def is_valid_fix(fix: Fix) -> bool:
    """Whether a fix (e.g. one read back from a shared cache) obeys the parameter grammar."""
    if isinstance(fix, ChangeRole):
        return fix.role in _REWRITABLE_ROLES and fix.new in ("developer", "user") and fix.param in ("messages", "input")
    if not _SENT_NAME.fullmatch(fix.param):
        return False
    if isinstance(fix, Rename):
        # Neither name may lie under the other: Rename('text', 'text.format') would nest forever.
        nested = fix.new.startswith(f"{fix.param}.") or fix.param.startswith(f"{fix.new}.")
        return bool(_NEW_NAME.fullmatch(fix.new)) and fix.new != fix.param and not nested
    if isinstance(fix, Clamp):
        bounds = [b for b in (fix.minimum, fix.maximum) if b is not None]
        return bool(bounds) and all(type(b) in (int, float) and math.isfinite(b) for b in bounds)
    return True


def undone(fix: Fix, fixes: tuple[Fix, ...]) -> Fix | None:
    """The one of ``fixes`` that ``fix`` reverses (A→B after B→A), if any."""
    for other in fixes:
        if isinstance(fix, Rename) and isinstance(other, Rename) and (fix.param, fix.new) == (other.new, other.param):
            return other
        if (
            isinstance(fix, SetValue)
            and isinstance(other, SetValue)
            and fix.param == other.param
            and _same(fix.old, other.new)
            and _same(fix.new, other.old)
        ):
            return other
        if (
            isinstance(fix, ChangeRole)
            and isinstance(other, ChangeRole)
            and (fix.role, fix.new) == (other.new, other.role)
        ):
            return other
    return None


def undoes(fix: Fix, fixes: tuple[Fix, ...]) -> bool:
    """Whether ``fix`` reverses one of ``fixes``: learning it would oscillate."""
    return undone(fix, fixes) is not None


def _slot(fix: Fix) -> tuple[Any, ...]:
    if isinstance(fix, SetValue):
        return (fix.kind, fix.param, type(fix.old).__name__, fix.old)
    if isinstance(fix, ChangeRole):
        return (fix.kind, fix.param, fix.role)
    return (fix.kind, fix.param)


def merge(mapping: DeploymentMapping, rule: LearnedRule) -> DeploymentMapping:
    """Add a learned rule to a mapping.

    A rule for the same slot (same kind and param; same old value or role) replaces
    the older one in place and adds up the evidence; anything else is appended.
    Merging is a union: two processes that learn different fixes keep both.

    Args:
        mapping: The rules known so far.
        rule: The new rule.

    Returns:
        The new mapping.
    """
    slot = _slot(rule.fix)
    rules = list(mapping.rules)
    for i, old in enumerate(rules):
        if _slot(old.fix) == slot:
            rules[i] = _combine(old, rule)
            return replace(mapping, rules=tuple(rules))
    return replace(mapping, rules=(*rules, rule))


def _combine(old: LearnedRule, new: LearnedRule) -> LearnedRule:
    if isinstance(old.fix, Clamp) and isinstance(new.fix, Clamp):
        # A minimum learned from one rejection and a maximum from another both hold.
        bounds = Clamp(
            new.fix.param,
            new.fix.minimum if new.fix.minimum is not None else old.fix.minimum,
            new.fix.maximum if new.fix.maximum is not None else old.fix.maximum,
        )
        new = LearnedRule(bounds, new.evidence)
        old = LearnedRule(bounds, old.evidence)
    a, b = old.evidence, new.evidence
    newest = b if b.last_seen >= a.last_seen else a
    evidence = replace(
        newest,
        first_seen=min(a.first_seen, b.first_seen),
        hits=a.hits + b.hits if old.fix == new.fix else newest.hits,
    )
    return LearnedRule(new.fix if newest is b else old.fix, evidence)


def evidence_for(rejection: Rejection, now: float) -> Evidence:
    """The evidence to store for a rejection seen at ``now`` (message already truncated)."""
    return Evidence(rejection.status, rejection.code, rejection.message, now, now)


# Params whose *value* decides whether a model takes them (an effort level, a
# tier, a flag); for every other param only its name counts. Values of free-form
# params (user ids, metadata, prompts) never enter a signature.
_ENUM_PARAMS: Final = frozenset(
    {
        "reasoning_effort",
        "verbosity",
        "service_tier",
        "truncation",
        "reasoning.effort",
        "reasoning.summary",
        "reasoning.generate_summary",
        "text.verbosity",
    }
)
_ROLE_LISTS: Final = ("messages", "input")
_ENUM_SIZE: Final = 32


def _sig(name: str, value: Any) -> str:
    if isinstance(value, bool):
        return f"{name}={'true' if value else 'false'}"
    if value is None:
        return f"{name}=null"
    if name in _ENUM_PARAMS and isinstance(value, str) and len(value) <= _ENUM_SIZE:
        return f"{name}={value}"
    return name


def signature(body: Body) -> frozenset[str]:
    """What about a body decides whether a deployment accepts it: param names, roles, enum values.

    ``{"model": …, "messages": [{"role": "system"…}], "max_tokens": 5, "reasoning_effort": "low"}``
    -> ``{"model", "messages", "messages.role=system", "max_tokens", "reasoning_effort=low"}``.
    Never a prompt: message contents and free-form values are not part of it.
    """
    out: set[str] = set()
    for name, value in body.items():
        if name in _ROLE_LISTS and isinstance(value, list):
            out.add(name)
            out.update(
                f"{name}.role={m['role']}"
                for m in value
                if isinstance(m, dict) and isinstance(m.get("role"), str) and len(m["role"]) <= _ENUM_SIZE
            )
        elif isinstance(value, dict) and name not in DEFAULT_PROTECTED:
            out.add(name)
            out.update(_sig(f"{name}.{sub}", child) for sub, child in value.items() if isinstance(sub, str))
        else:
            out.add(_sig(name, value))
    return frozenset(out)


def accept(mapping: DeploymentMapping, signatures: frozenset[str]) -> DeploymentMapping:
    """Record that Azure accepted a body with these signatures."""
    if signatures <= mapping.accepted:
        return mapping
    return replace(mapping, accepted=mapping.accepted | signatures)


def revoke(mapping: DeploymentMapping, fix: Fix) -> DeploymentMapping:
    """Drop a rule a later rejection contradicted (and what was accepted under it)."""
    rules = tuple(rule for rule in mapping.rules if rule.fix != fix)
    if len(rules) == len(mapping.rules):
        return mapping
    return replace(mapping, rules=rules, accepted=frozenset())


def observe_model(mapping: DeploymentMapping, model: str) -> DeploymentMapping:
    """Note the model a deployment reported; a different one than before starts the key afresh.

    Azure upgrades the model behind a deployment in place: what the old model
    rejected says nothing about the new one, so its rules are relearned.
    """
    if mapping.model == model:
        return mapping
    if mapping.model is None:
        return replace(mapping, model=model)
    return DeploymentMapping(model=model)


def expire(mapping: DeploymentMapping, ttl: float, now: float) -> DeploymentMapping:
    """Leave out rules not seen for ``ttl`` seconds.

    A rule last seen "in the future" (the clock went backwards) counts as fresh.
    """
    rules = tuple(rule for rule in mapping.rules if now - rule.evidence.last_seen <= ttl)
    return mapping if len(rules) == len(mapping.rules) else replace(mapping, rules=rules, accepted=frozenset())
