"""The reader: an error body and the request that drew it -> what the body says about that request.

Pure and I/O-free, in three steps:

1. :mod:`._extract` takes every (message, param, code) out of any envelope;
2. :mod:`._ground` matches the names they give against the request that was sent: a body
   can only be about params the request carries;
3. :mod:`._understand` reads each statement from small named fragments (:mod:`._grammar`)
   into findings, which :func:`read` turns into fixes.

The reader returns data; whether a fix may be made is the decision loop's call
(:mod:`resilient_client._attempts`), under the client's policy.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field, replace
from typing import Any, Final

from .._core import changes, is_valid_fix, storable_value
from .._models import ChangeRole, Clamp, Condition, Drop, Fix, JSONScalar, Rename, RepairPolicy, SetValue
from . import _grammar as g
from ._extract import PLAIN, Statement, statements
from ._ground import CONVERSATION, Vocabulary, spelled
from ._understand import Finding, called_a_param, literal, understand
from ._understand import size as _size

__all__ = ["REPAIRABLE_STATUSES", "Finding", "Reading", "read"]

MAX_EVIDENCE: Final = 240
# The most message text one body is read for, over all its statements (two messages of MAX_MESSAGE).
_MAX_TEXT: Final = 8_192
# Some repairable rejections come as 403 ("You are not allowed to request logprobs from this
# model", e080), 404 ("tools is not supported in this model", e066) or 422 (pydantic servers:
# m015, mi-002). Others (401, 429, 5xx) are never about params.
# Some servers send a param rejection as 500 ("Unsupported param: echo", llama.cpp, r2c-006; Ollama, r2c-018;
# Cerebras, r2b-012): read after the SDK's own retries, with the same grammar, since no retry fixes it. Other 5xx
# (502, 503, 504: gateways, overload) never are, and neither is a 500 that quotes an upstream's 4xx: the server's
# own call upstream was refused (g.UPSTREAM_REFUSED).
REPAIRABLE_STATUSES: Final = frozenset({400, 403, 404, 422, 500})
_SERVER_ERROR: Final = 500
_DEFAULT_POLICY: Final = RepairPolicy()
# A param refused under its newer name goes back to the older one it replaced, which older
# servers know: Azure api-versions before 2024-09-01-preview (e027, az-003).
_PREDECESSORS: Final = {"max_completion_tokens": "max_tokens"}
_OFF: Final = frozenset({"none", "null", "off", "disabled", "false", "disable"})
# Ordered value scales: the nearest allowed value keeps a request closest to what was asked.
_SCALES: Final = g.SCALES
# The request's own text: the conversation, and the free-form values a server may quote
# back (a user id, metadata, tool and schema descriptions). Never kept, logged or read.
_TEXT_FIELDS: Final = (
    "messages",
    "input",
    "prompt",
    "instructions",
    "system",
    "suffix",
    "prediction",
    "user",
    "metadata",
    "prompt_cache_key",
    "safety_identifier",
    "stop",
    "tools",
    "functions",
    "response_format",
)
_REDACTED: Final = "[request text]"
# An echo may be cut (a pydantic "'abc...xyz'" repr, a message truncated to its first 4 KB):
# wherever a text's first or last 16 characters appear, as much of the text as follows (or
# precedes) them is scrubbed too.
_EDGE: Final = 16


@dataclass(frozen=True, slots=True)
class Reading:
    """What the reader made of one error response.

    Attributes:
        status: HTTP status.
        code: The first error code the body gave.
        message: The first message, truncated and scrubbed of the request's own text.
        findings: What the body says about sent params, in the order it says it.
        fixes: The fixes those findings give for the request that was sent.
        final: The body is not about params at all (content filter, context length,
            quota, auth, not found…): nothing may be changed.
        why: Why there are no fixes, when there are none.
    """

    status: int
    code: str | None
    message: str
    findings: tuple[Finding, ...] = ()
    fixes: tuple[Fix, ...] = ()
    final: bool = False
    why: str = ""
    statements: tuple[Statement, ...] = field(default=(), repr=False, compare=False)


def _texts(node: object, out: list[str], depth: int = 0) -> None:
    """The free text in a request field (messages[i].content[j].text and the like)."""
    if depth > 6:  # noqa: PLR2004 - messages[i].content[j].text
        return
    if isinstance(node, str) and len(node) >= 4:  # noqa: PLR2004 - shorter strings are words, not text
        out.append(node)
    elif isinstance(node, list):
        for item in node:
            _texts(item, out, depth + 1)
    elif isinstance(node, dict):
        for name, value in node.items():
            if name not in ("role", "type"):
                _texts(value, out, depth + 1)


class Scrubber:
    """Removes a request's own free text from what a server said (an echo of the prompt is never kept or read).

    Each text is removed as it is, JSON-escaped, and, when long, by its first and last 40
    characters, so that a cut or truncated echo goes too.
    """

    __slots__ = ("_texts",)

    def __init__(self, body: dict[str, Any]) -> None:
        texts: list[str] = []
        for name in _TEXT_FIELDS:
            _texts(body.get(name), texts)
        # A word that is also a setting's value elsewhere ("minimal" in metadata and in
        # reasoning.effort) stays readable: the reader needs it, and it is not text.
        settings: list[str] = []
        for name, value in body.items():
            if name not in _TEXT_FIELDS:
                _texts(value, settings)
        # Nor does a text that is a param's own name ("stop": ["stop"], r18a-077): the body names the param by it.
        texts = [t for t in texts if t not in settings and t not in body]
        variants = {v for t in texts for v in (t, json.dumps(t, ensure_ascii=False)[1:-1], repr(t)[1:-1])}
        self._texts = sorted(variants, key=len, reverse=True)

    def __call__(self, text: str) -> str:
        """``text`` with every piece of request text replaced by ``[request text]``."""
        for secret in self._texts:
            if secret in text:
                text = text.replace(secret, _REDACTED)
            if len(secret) > _EDGE:
                text = _cut_runs(text, secret)
        return text


def _cut_runs(text: str, secret: str) -> str:
    """``text`` without the runs of ``secret`` that start with its first, or end with its last, 16 characters."""
    head = text.find(secret[:_EDGE])
    while head >= 0:
        n = _EDGE
        while head + n < len(text) and n < len(secret) and text[head + n] == secret[n]:
            n += 1
        text = text[:head] + _REDACTED + text[head + n :]
        head = text.find(secret[:_EDGE], head + len(_REDACTED))
    tail = text.find(secret[-_EDGE:])
    while tail >= 0:
        end, n = tail + _EDGE, _EDGE
        while tail > 0 and n < len(secret) and text[tail - 1] == secret[-n - 1]:
            tail, n = tail - 1, n + 1
        text = text[:tail] + _REDACTED + text[end:]
        tail = text.find(secret[-_EDGE:], tail + len(_REDACTED))
    return text


def _nearest(value: JSONScalar, allowed: tuple[JSONScalar, ...], default: Any = ...) -> Any:
    """The allowed value closest to ``value``; else the one marked as the default; ``...`` when neither."""
    if len(allowed) == 1:
        return allowed[0]
    if isinstance(value, int | float) and not isinstance(value, bool):
        numbers = [a for a in allowed if isinstance(a, int | float) and not isinstance(a, bool)]
        if numbers:
            try:
                return min(numbers, key=lambda a: (abs(a - value), -a))
            except OverflowError:
                return ...
    if isinstance(value, str) and (text := _nearest_text(value, allowed)) is not None:
        return text
    # Unordered values: the one the body marks as the default ("xhigh (default)", or a value named "default"),
    # else nothing to go by.
    if default is not ... and default in allowed:
        return default
    return "default" if "default" in allowed else ...


def _nearest_text(value: str, allowed: tuple[JSONScalar, ...]) -> str | None:
    """The allowed text that is ``value`` in another spelling, its neighbour on a scale, or the nearest image size."""
    # The same value in another spelling: "g711-ulaw" for "g711_ulaw", "HIGH" for "high" (r9d-042).
    same = [a for a in allowed if isinstance(a, str) and spelled(a) == spelled(value)]
    if len(same) == 1:
        return same[0]
    # A scale's values in any case: a server that names its enum constants ("valid values are MINIMAL, LOW, MEDIUM",
    # Jackson's "[HIGH, LOW, MEDIUM]") for "high" is answered with the one it lists, "MEDIUM", as it spells it: a
    # case-sensitive validator (zod's "Expected 'LOW' | 'MEDIUM' | 'HIGH'") takes nothing else (red-team pass nine).
    folded = value.lower()
    for scale in _SCALES:
        ranks = {a: scale.index(a.lower()) for a in allowed if isinstance(a, str) and a.lower() in scale}
        texts = sum(isinstance(a, str) for a in allowed)
        # Most of the allowed text values on the scale ("high", "medium", "low", "max", "none", r2c-009); true and
        # false beside them are another kind ("must be "high", "medium", "low", true, or false).
        if folded in scale and len(ranks) >= max(2, texts - 1):
            rank = scale.index(folded)
            # Ties go up: asked for "minimal", "low" is closer in spirit than "none".
            return min(ranks, key=lambda a: (abs(ranks[a] - rank), -ranks[a]))
    size = _size(value)
    sizes = {a: s for a in allowed if isinstance(a, str) and (s := _size(a)) is not None}
    if size is None or not sizes:
        return None
    # An image size or aspect ratio: the allowed one of the nearest shape, then of the nearest area (r9d-029,
    # r10d-020: 7:3 is 21:9).
    width, height = size
    return min(
        sizes,
        key=lambda a: (
            abs(math.log(sizes[a][0] * height / (sizes[a][1] * width))),
            abs(sizes[a][0] * sizes[a][1] - width * height),
        ),
    )


def _role_target(role: str, param: str, known: tuple[Fix, ...], accepted: tuple[JSONScalar, ...] = ()) -> str:
    """Where a refused role goes: system -> developer, developer -> system; to user once both are refused.

    When the body lists the roles it accepts and the other instruction role is not among them, to user at once.
    """
    rewritten = {(f.role, f.new) for f in known if isinstance(f, ChangeRole) and f.param == param}
    if role == "system":
        # developer -> system, or developer refused as such: developer is no way out.
        target = "user" if any(r == "developer" for r, _ in rewritten) else "developer"
    else:
        target = "user" if ("system", "developer") in rewritten else "system"
    return "user" if accepted and target not in accepted else target


def _fix(finding: Finding, body: dict[str, Any], known: tuple[Fix, ...]) -> Fix | None:  # noqa: C901, PLR0911, PLR0912 - one exit per finding kind
    param, when = finding.param, finding.when
    if (
        finding.kind == "drop"
        and when is None
        and not finding.of_value
        and param in _PREDECESSORS
        and _PREDECESSORS[param] not in body
    ):
        return Rename(param, _PREDECESSORS[param])
    if finding.kind == "pair":
        if finding.new is not None:
            return Drop(param, when=Condition(finding.new, present=True))
        kept = any(isinstance(f, Drop) and f.when is not None and f.when.param == param for f in known)
        # Only an unprotected param goes this way: of "tools and response_format are incompatible", the tools stay.
        protected = _DEFAULT_POLICY.blocks(param)
        return None if kept or protected else Drop(param)
    if finding.kind == "drop":
        # Without its discriminator an object is no valid value: {"thinking": {"type": "adaptive"}} goes whole.
        return Drop(_switch_owner(param, body), when=when)
    if finding.kind == "rename":
        return Rename(param, finding.new or "")
    if finding.kind == "clamp":
        return Clamp(param, finding.minimum, finding.maximum)
    if finding.kind == "role":
        # An API that knows no system role knows no developer role either: the instructions go into the user message.
        unknown = finding.unknown_role and finding.value == "system"
        target = "user" if unknown else _role_target(finding.value, param, known, finding.allowed)
        return ChangeRole(finding.value, target, param=param)  # type: ignore[arg-type]  # checked by is_valid_fix
    if finding.kind == "instructions":
        return ChangeRole(finding.value, "user", param=param)
    sent = finding.value
    if sent is ... or not isinstance(sent, str | int | float | bool | type(None)):
        return None
    if isinstance(sent, float) and not math.isfinite(sent):
        return None
    if not storable_value(param, sent, declared=finding.suggested is not ... or bool(finding.allowed)):
        # A free-form value (a user id, metadata) is never stored: the param is left out instead.
        return Drop(param, when=when)
    if finding.suggested is not ... and _same_kind(sent, finding.suggested):
        return SetValue(param, sent, finding.suggested, when=when)
    if finding.default_only or sent is None or (isinstance(sent, str) and sent.lower() in _OFF):
        # Leaving the param out asks for the default; a refused "off" value means the same. An object's "off"
        # discriminator that is all it holds ({"thinking": {"type": "disabled"}}) goes with its object: an object
        # without its type is no valid value (r5b-016).
        return Drop(_switch_owner(param, body), when=when)
    if not finding.allowed:
        # A string value refused with no other value named: leaving the param out asks for its default, as for a
        # number ("#/truncate: LEFT is not a valid enum value", r7a-027). With values named, see below.
        return Drop(_switch_owner(param, body), when=when) if isinstance(sent, str) else None
    typed = literal(sent) if isinstance(sent, str) else sent
    if typed != sent and any(type(a) is type(typed) and a == typed for a in finding.allowed):
        # "true" where true is accepted: the same value in its own type (r8a-001).
        return SetValue(param, sent, typed, when=when)
    new = _nearest(sent, finding.allowed, finding.default)
    if new is ... or new == sent or not _same_kind(sent, new):
        return None
    return SetValue(param, sent, new, when=when)


def _switch_owner(param: str, body: dict[str, Any]) -> str:
    """``param``'s object when ``param`` is its ``type`` and the only key it holds, else ``param``."""
    parent, _, leaf = param.rpartition(".")
    if leaf != "type":
        return param
    node: Any = body
    for part in parent.split(".") if parent else ():
        node = node.get(part) if isinstance(node, dict) else None
    return parent if parent and isinstance(node, dict) and len(node) == 1 else param


def _same_kind(sent: JSONScalar, new: object) -> bool:
    """A number is only ever replaced by a number, or 0 and 1 by false and true.

    "Supported values are: nan" sets no text on temperature.
    """
    if isinstance(sent, bool):
        return isinstance(new, bool) or new is None  # a boolean is only replaced by a boolean
    number = isinstance(sent, int | float) and not isinstance(sent, bool)
    if number and isinstance(new, bool):
        return sent == new  # 1 for true and 0 for false are the same value in another type
    return not number or (isinstance(new, int | float) and not isinstance(new, bool)) or new is None


def _no_swaps(fixes: list[Fix]) -> list[Fix]:
    """One reading that moves system to developer *and* developer to system refuses both: fold both into user."""
    moves = {(f.param, f.role, f.new) for f in fixes if isinstance(f, ChangeRole)}
    swapped = {(p, a) for p, a, b in moves if (p, b, a) in moves}
    if not swapped:
        return fixes
    out: list[Fix] = []
    for fix in fixes:
        kept = _folded(fix, swapped)
        if kept not in out:
            out.append(kept)
    return out


def _folded(fix: Fix, swapped: set[tuple[str, str]]) -> Fix:
    if isinstance(fix, ChangeRole) and (fix.param, fix.role) in swapped:
        return ChangeRole(fix.role, "user", param=fix.param)
    return fix


def _understood(
    found: list[Statement], vocabulary: Vocabulary, known: tuple[Fix, ...]
) -> tuple[list[Finding], list[Fix]]:
    """The findings of every statement, and the valid fixes they give that change the request."""
    request = vocabulary.body
    findings: list[Finding] = []
    for statement in found:
        for part in _sentences(statement, vocabulary):
            for finding in understand(part, vocabulary):
                if finding not in findings:
                    findings.append(finding)
    if any(f.kind in ("drop", "rename") and f.param in CONVERSATION for f in findings) or any(
        _refuses_the_conversation(s) for s in found
    ):
        # The conversation itself refused by name ("json: unknown field \"messages\"", "Unknown name \"messages\":
        # Cannot find field", r10b-033, r16a-045): the request went to an endpoint of another API, and what else the
        # body names is refused for the same reason. Nothing is changed.
        return findings, []
    fixes: list[Fix] = []
    for finding in findings:
        # Nothing inside the conversation is dropped or renamed either; only its roles change.
        if finding.kind not in ("role", "instructions") and finding.param.split(".", 1)[0] in CONVERSATION:
            continue
        fix = _fix(finding, request, known)
        if (
            fix is not None
            and fix not in fixes
            and is_valid_fix(fix)
            and changes(fix, request)
            and not _opts_in(fix, finding, request)
        ):
            fixes.append(fix)
    return findings, _no_swaps(_outermost_drops(_kept_over_dropped(_one_value_each(fixes))))


def _one_value_each(fixes: list[Fix]) -> list[Fix]:
    """No new value for a param the body gives several for: a union's branches each say what they take (r16a-016)."""
    values: dict[tuple[str, Condition | None], set[object]] = {}
    for f in fixes:
        if isinstance(f, SetValue):
            values.setdefault((f.param, f.when), set()).add(repr(f.new))
    return [f for f in fixes if not (isinstance(f, SetValue) and len(values[f.param, f.when]) > 1)]


# A name refused as such, not a value or a role of it: "Extra inputs are not permitted", "unknown field".
_NAME_REFUSED: Final = re.compile(
    r"\bextra (?:inputs?|fields?|keys?|properties)\b|\bunknown (?:field|name|parameter|argument|key)\b"
    r"|\bunrecogni[sz]ed\b|\badditional propert(?:y|ies)\b|\bnot (?:a )?(?:permitted|known) (?:field|key|param)",
    re.IGNORECASE,
)


def _refuses_the_conversation(statement: Statement) -> bool:
    """Whether a record beside ``messages`` or ``input`` refuses that name: the request went to another API.

    ``"loc": ["body", "messages"], "msg": "Extra inputs are not permitted"`` (z-192): a chat request to embeddings.
    """
    if statement.loc is not None:
        name = ".".join(str(part) for part in statement.loc if part != "body")
    else:
        name = (statement.param or "").removeprefix("body.")
    refused = statement.code in g.NEGATIVE_CODES or _NAME_REFUSED.search(statement.message) is not None
    return name in CONVERSATION and refused


def _kept_over_dropped(fixes: list[Fix]) -> list[Fix]:
    """A param one record bounds, sets or renames and another refuses is kept: that says what the server takes.

    A JSON:API error's title ("Out of range") refuses what its detail bounds ("must be less than or equal to 8192");
    Laravel's message ("The max tokens field is prohibited.") what its field's record renames (z-031).
    """
    kept = {f.param for f in fixes if isinstance(f, Clamp | Rename) or (isinstance(f, SetValue) and f.when is None)}
    return [f for f in fixes if not (isinstance(f, Drop) and f.when is None and f.param in kept)]


# A caller's opt-out is never turned off by a fix: ``store: false`` keeps responses out of the provider's storage.
_OPT_OUTS: Final = {"store": False}


def _opts_in(fix: Fix, finding: Finding, request: dict[str, Any]) -> bool:
    """Whether ``fix`` would turn a caller's opt-out off ("store must be true for background responses").

    Leaving ``store: false`` out turns it off too where the server knows the param (its default is to store): a
    drop is refused when the body refuses the value or states a condition. A server that does not know the param
    at all ("Unrecognized request argument supplied: store") stores nothing either way: that drop stands.
    """
    if fix.param not in _OPT_OUTS or request.get(fix.param) is not _OPT_OUTS[fix.param]:
        return False
    if isinstance(fix, SetValue):
        return fix.new is not _OPT_OUTS[fix.param]
    return finding.kind != "drop" or finding.when is not None


def _outermost_drops(fixes: list[Fix]) -> list[Fix]:
    """A drop of a param makes the fixes of its own settings moot: ``thinking`` goes, ``thinking.type`` with it."""
    dropped = {f.param for f in fixes if isinstance(f, Drop) and f.when is None}
    return [f for f in fixes if not any(f.param.startswith(f"{d}.") for d in dropped)]


# Where one sentence ends and the next begins: a full stop, then a word or a quote ('"top_k" is not allowed.
# "temperature" must be …'), a new line, a " | " between joined errors; "e.g." and "1.5" run on (a semicolon does
# not end one: "rejected value [3.0]; default message [must be …]").
_SENTENCE_END: Final = re.compile(
    r"(?<=[a-z0-9)'\"`][.!?])\s+(?=[A-Za-z'\"`])|\n\s*|(?<=\s)\|\s+"
    # Clauses of their own: "…; metadata.session_id: Extra inputs are not permitted", a CJK semicolon (U+FF1B).
    r"|;\s+(?=[A-Za-z_][\w.\[\]]{0,63}: )|\uff1b\s*"
)


def _sentences(statement: Statement, vocabulary: Vocabulary) -> list[Statement]:
    """``statement`` read sentence by sentence where each sentence names sent params of its own.

    'top_k is not allowed. temperature must be less than or equal to 1': the bound is the second sentence's
    and says nothing of top_k. A sentence that names no sent param ("Use 'max_completion_tokens' instead.") goes with
    the one before it. A statement with a param beside it, or a quoted record, is read whole.
    """
    if statement.param is not None or statement.loc is not None or statement.quoted is not None:
        return [statement]
    pieces = _SENTENCE_END.split(statement.message)
    if len(pieces) < 2:  # noqa: PLR2004 - one sentence
        return [statement]
    groups: list[tuple[list[str], set[str]]] = []
    for piece in pieces:
        named = _named(piece, vocabulary)
        if groups and not named and g.RENAME.search(piece):
            # "max_tokens is not supported. temperature must be 1. Use max_completion_tokens instead.": a new name
            # goes with the last sentence that refuses a name, not with the one just before it.
            refusing = [group for group in groups if g.NEGATIVE.search(" ".join(group[0]))]
            (refusing[-1] if refusing else groups[-1])[0].append(piece)
        elif groups and (not named or not groups[-1][1] or named & groups[-1][1]):
            groups[-1][0].append(piece)
            groups[-1][1].update(named)
        else:
            groups.append(([piece], named))
    if len(groups) < 2:  # noqa: PLR2004 - one group
        return [statement]
    return [replace(statement, message=" ".join(texts)) for texts, _ in groups]


# The names a sentence is looked at for: a real sentence names its params sooner.
_MAX_NAMED: Final = 64


def _named(text: str, vocabulary: Vocabulary) -> set[str]:
    """The sent params ``text`` names by a quoted or identifier-shaped name, outside a new name it suggests."""
    out: set[str] = set()
    opening = len(text) - len(text.lstrip())
    text = g.RENAME.sub(" ", text)
    for n, m in enumerate(g.NAME_TOKEN.finditer(text)):
        if n >= _MAX_NAMED:
            break
        name = m["q"] or m["dq"] or m["bt"] or m["sq"] or m["bare"]
        # A bare English word ("temperature") names a param only as the sentence's first word, or where the words
        # beside it call it one ("不支持 logprobs 参数").
        plain = m["bare"] is not None and not re.search(r"[A-Za-z0-9][_.][A-Za-z0-9]|[a-z][A-Z]", name)
        if plain and m.start() != opening and not called_a_param(text, m.start(), m.end()):
            continue
        grounded = vocabulary.ground(name, quoted=m["bare"] is None)
        if grounded is not None and grounded.role_list is None:
            out.add(grounded.path)
    return out


def _names_a_param(text: str, vocabulary: Vocabulary) -> bool:
    """Whether ``text`` names a param the request carries (quoted, or as a bare snake_case name)."""
    for m in g.NAME_TOKEN.finditer(text):
        name = m["q"] or m["dq"] or m["bt"] or m["sq"] or m["bare"]
        grounded = vocabulary.ground(name, quoted=m["bare"] is None)
        if grounded is not None and grounded.role_list is None:
            return True
    # Or in words: "The maximum tokens you requested exceeds the model limit of 32768" (r5a-024).
    return bool(vocabulary.ground_phrase(text))


def _final(statement: Statement, vocabulary: Vocabulary) -> bool:
    if statement.code in g.FINAL_CODES and not _pinned(statement, vocabulary):
        return True
    # A param that "does not exist" is a name verdict, not a missing model or deployment.
    text = g.PARAM_MISSING.sub(" ", g.SKIP.sub(" ", statement.message))
    if g.TOKEN_LIMIT.search(text) and (g.INPUT_SIDE.search(text) or not _names_a_param(text, vocabulary)):
        return True
    if not g.FINAL_WORDS.search(text):
        return False
    # The length of a sent list ("Length of stop ([...]) exceeds the limit max_model_len(5)", r3b-013) is about
    # that list, whatever limit the server names.
    m = g.LIST_LENGTH.search(statement.message)
    grounded = vocabulary.ground(m["name"]) if m is not None else None
    return grounded is None or not isinstance(vocabulary.value(grounded.path), list)


def _pinned(statement: Statement, vocabulary: Vocabulary) -> bool:
    """Whether the statement's own ``param`` field names a sent setting the default policy lets change.

    Beside a code about what the request asks of the model, such a field says what the error is about:
    "OperationNotSupported" with ``param`` "max_tokens" is about that param, not about the deployment's model
    ("The chatCompletion operation does not work with the specified model" carries no param).
    """
    if statement.code not in g.PINNABLE_CODES or not statement.param:
        return False
    grounded = vocabulary.ground(statement.param)
    return (
        grounded is not None
        and grounded.role_list is None
        and grounded.path.split(".", 1)[0] not in CONVERSATION
        and not _DEFAULT_POLICY.blocks(grounded.path)
    )


# Guillemets around a name or a value ("« top_p »"): read as double quotes, without the spaces inside them.
_GUILLEMETS: Final = re.compile(r"«\s?([^«»\n]{1,128}?)\s?»")


def _plain(message: str) -> str:
    """``message`` with its typographic quotes, dashes and full-width signs in plain ASCII."""
    message = message.translate(PLAIN)
    return _GUILLEMETS.sub(r'"\1"', message) if "«" in message else message


def _read_part(found: list[Statement]) -> list[Statement]:
    """The statements read: each once, as far as the first 8 KB of their text.

    The same error once per candidate or per item says nothing new the second time. The longest real bodies
    hold about 1 KB of messages; a body of 32 messages of 4 KB each is read as far as its first two.
    """
    seen: set[tuple[object, ...]] = set()
    out: list[Statement] = []
    budget = _MAX_TEXT
    for s in found:
        key = (s.message, s.param, s.code, s.loc, repr(s.value), s.quoted)
        if key in seen:
            continue
        budget -= len(s.message)
        if budget < 0:
            break
        seen.add(key)
        out.append(s)
    return out


def read(status: int, body: str | bytes | object, request: dict[str, Any], known: tuple[Fix, ...] = ()) -> Reading:
    """Read an error response against the request that drew it.

    Args:
        status: HTTP status of the response.
        body: The raw body text or bytes, or decoded JSON, in any provider's envelope.
        request: The JSON body that was sent and rejected.
        known: Fixes already applied to that request (a refused role then goes on to
            ``user`` rather than back where it came from).

    Returns:
        The reading. Never raises: garbage, hostile and unknown bodies read as no fixes.
    """
    scrub = Scrubber(request)
    if isinstance(body, bytes):
        body = body.decode("utf-8", "replace")
    if isinstance(body, str):
        # Before anything is cut or parsed: a prompt echoed back is never read, and never kept.
        body = scrub(body)
    try:
        found = [replace(s, message=_plain(scrub(s.message))) for s in statements(body)]
    except (RecursionError, MemoryError, ValueError):
        found = []
    code = next((s.code for s in found if s.code), None)
    message = found[0].message[:MAX_EVIDENCE] if found else ""
    base = Reading(status, code, message, statements=tuple(found))
    if status not in REPAIRABLE_STATUSES:
        return replace(base, final=True, why=f"status {status} is never about params")
    if not found:
        return replace(base, why="the body holds no message")
    if status == _SERVER_ERROR and any(g.UPSTREAM_REFUSED.search(s.message) for s in found):
        return replace(base, final=True, why="a server error about the server's own call upstream")
    if status == _SERVER_ERROR and any(g.SERVER_CRASH.search(s.message) for s in found):
        return replace(base, final=True, why="a server error: the server failed, whatever it names")
    vocabulary = Vocabulary(request)
    found = _read_part(found)
    if any(_final(s, vocabulary) for s in found):
        return replace(base, final=True, why="the body is about something else than params (limits, access, policy)")
    try:
        findings, fixes = _understood(found, vocabulary, known)
        why = "" if fixes else ("no sent param fits what the body says" if findings else "the body names no sent param")
    except ValueError:
        # A number past Python's digit limit in a hostile body: nothing is read, nothing raises.
        findings, fixes, why = [], [], "the body holds a number too long to read"
    return replace(base, findings=tuple(findings), fixes=tuple(fixes), why=why)
