"""Understand: what one statement says about the sent params it names, as findings.

The statement is taken apart with the fragments of :mod:`._grammar`: suggestions (a new
name, a list of accepted values, a value to set) and conditions are read first and cut
out, so that what remains names only the subjects; then the verdict decides what each
subject's finding is. Nothing here decides a fix against a policy: that is the loop's.
"""

from __future__ import annotations

import functools
import itertools
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from types import EllipsisType
from typing import Any, Final, Literal, TypeAlias

from .._core import ENUM_PARAMS
from .._models import DEFAULT_PROTECTED, Condition, JSONScalar, RepairPolicy
from . import _grammar as g
from ._extract import Statement, _json_prefix, _literal_prefix
from ._ground import CONVERSATION, ITEM_ROOTS, Grounded, Vocabulary, spelled, words

__all__ = ["Finding", "size", "understand"]

FindingKind: TypeAlias = Literal["drop", "rename", "value", "clamp", "role", "instructions", "pair"]
_DEFAULT_POLICY: Final = RepairPolicy()
_REWRITABLE_ROLES: Final = frozenset({"system", "developer"})
# The protected params a bare word names when it opens a statement ("tools is not supported…", e066):
# never the conversation, never the model, and never an English word such as "User location…".
_OPENING_NAMES: Final = DEFAULT_PROTECTED - CONVERSATION - {"model"}
_LITERAL: Final = re.compile(
    r"'([^'\n]{0,64})'|\"([^\"\n]{0,64})\"|`([^`\n]{0,64})`|(\d{1,5}[x*\u00d7]\d{1,5}(?![\w.])|-?\d+(?:\.\d+)?)"
    r"|\b(true|false|null|[A-Za-z_][\w.\-]{0,63})\b"
)
# A list of accepted values is read over at most this many characters.
_MAX_LIST: Final = 512
# A value marked as the default inside a list: "xhigh (default)", "'auto' (the default)".
# In other languages too: "« auto » (par défaut)", "'in-memory' (predeterminado)" (z-066, z-067).
_DEFAULT_WORD: Final = (
    r"(?:(?:the )?default|par défaut|predeterminad[oa]|por defecto|padrão|Standard|默认|デフォルト|기본값)"
)
_MARKED_DEFAULT: Final = re.compile(
    rf"(?P<value>'[^'\n]{{1,64}}'|\"[^\"\n]{{1,64}}\"|`[^`\n]{{1,64}}`|[\w.\-]{{1,64}})\s?\({_DEFAULT_WORD}\)",
    re.IGNORECASE,
)
_DEFAULT_SAID: Final = re.compile(
    r"\s?\((?:the )?default(?: value)?(?: is|:|=)\s?"
    r"(?P<value>'[^'\n]{1,64}'|\"[^\"\n]{1,64}\"|`[^`\n]{1,64}`|[\w.\-]{1,64})\)?",
    re.IGNORECASE,
)
_LIST_END: Final = re.compile(
    r"(?<=[^\d])\.(?:\s|$)|\n|;|\?|(?<!default)\)|,? \(?(?:received|got|but)\b"
    r"|\s(?:are|is) (?:supported|allowed|accepted)\b"
    # A condition after the list is no value of it: 'must be "message" when enable_thinking is true' (r8b-029).
    r"|\s(?:when|if|unless|while)\s"
    # pydantic v2's own suffix: "Input should be 'low' or 'high' [type=literal_error, input_value='xhigh', …]".
    r"|\s\[type="
    # "取值必须为 low、medium 或 high, 收到 minimal" (received, y-018; PLAIN makes the comma plain).
    r"|,?\s?(?:收到|传入|实际为|当前为|但)"
    # zod's 'expected one of "user"|"assistant" at "params.messages[0].role"' (r10b-032): the path is no value.
    r"|\sat\s(?=['\"`])"
)


@dataclass(frozen=True, slots=True)
class Finding:
    """What a statement says of one sent param.

    Attributes:
        kind: drop, rename, value (a refused value), clamp, role (a refused role),
            instructions (no system or developer message at all), pair (two params that
            cannot go together: the first is dropped).
        param: The grounded request path (the role list for ``role``/``instructions``).
        new: The new name (``rename``).
        value: The refused value (``value``, ``role``).
        allowed: The values the body says are accepted (``value``).
        default_only: The body said only the default is accepted (``value``).
        suggested: A value the body names to use instead (``value``); ``...`` when none.
        minimum: A lower bound (``clamp``).
        maximum: An upper bound (``clamp``).
        when: The condition under which the finding holds, if the body states one.
        unknown_role: The body says the API knows no such role ("Unexpected role", "not a valid enum value"),
            not that this model refuses it (``role``).
        default: The accepted value the body marks as the default (``value``); ``...`` when none.
        of_value: The param is left out for the value sent, not for its name (``drop``): no older name of it will do.
    """

    kind: FindingKind
    param: str
    new: str | None = None
    value: Any = ...
    allowed: tuple[JSONScalar, ...] = ()
    default_only: bool = False
    suggested: Any = ...
    minimum: int | float | None = None
    maximum: int | float | None = None
    when: Condition | None = None
    unknown_role: bool = False
    default: Any = ...
    of_value: bool = False


@functools.lru_cache(maxsize=64)
def _said(fragment: re.Pattern[str] | g.Wordings, text: str) -> bool:
    """Whether ``text`` holds ``fragment``: the verdicts asked of one statement many times, searched once each.

    Remembered for the last few texts only (already scrubbed of the request's own text, and never written out).
    """
    return fragment.search(text) is not None


def literal(text: str) -> JSONScalar:
    """A value as a body writes it: ``'low'`` -> "low", ``0.2`` -> 0.2, ``true`` -> True."""
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"`":  # noqa: PLR2004 - a quoted string
        return text[1:-1]
    if text in ("true", "false", "True", "False"):
        return text.lower() == "true"
    if text in ("null", "None"):
        return None
    try:
        number = float(text)
    except ValueError:
        return text
    if not math.isfinite(number):
        return text
    return int(number) if number.is_integer() and "." not in text and abs(number) < 2**53 else number


# An enum member as Python prints it: "<ReasoningEffort.none: 'none'>" (Mistral, r9c-026) is its value.
_ENUM_REPR: Final = re.compile(r"<[A-Za-z_][\w.]{0,64}: (?P<value>'[^'\n]{0,64}'|\"[^\"\n]{0,64}\"|-?\d+(?:\.\d+)?)>")


# An image size ("1024x1536", "832*480") or an aspect ratio ("16:9"): two sides, compared by shape.
_SIZE: Final = re.compile(r"(\d{1,5})\s?[x:*\u00d7]\s?(\d{1,5})")


def size(text: object) -> tuple[int, int] | None:
    """``"1024x1536"`` as (1024, 1536), ``"16:9"`` as (16, 9); None for anything else (or a zero side)."""
    m = _SIZE.fullmatch(text) if isinstance(text, str) else None
    if m is None or not int(m[1]) or not int(m[2]):
        return None
    return int(m[1]), int(m[2])


def _values(text: str) -> tuple[JSONScalar, ...]:
    """The values listed in ``text`` ("'none', 'low', and 'high'", "[a, b]", "`none` or `default`").

    A list that opens with a quoted value holds only quoted values and JSON literals (``"max", true, or false``):
    other words and numbers after it are prose ("must be 'medium' for this model", "`low`, `high` at line 1").
    """
    text = _ENUM_REPR.sub(r"\g<value>", text)
    only_quoted = text.lstrip()[:1] in ("'", '"', "`")
    out: list[JSONScalar] = []
    for m in _LITERAL.finditer(text):
        quoted = m[1] if m[1] is not None else m[2] if m[2] is not None else m[3]
        if quoted is not None:
            out.append(quoted)
        elif only_quoted and m[5] not in ("true", "false", "null"):
            continue
        elif m[4] is not None:
            # A size ("832*480") is text; any other number is a number.
            out.append(m[4] if size(m[4]) is not None else literal(m[4]))
        elif m[5] not in ("and", "or", "are", "is", "the", "of", "values", "value"):
            out.append(literal(m[5]))
    return tuple(out)


def _number(text: str) -> int | float | None:
    value = literal(text)
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return value


@dataclass
class _Parts:
    """A statement taken apart."""

    subject_text: str
    keys: tuple[str, ...] = ()
    new: str | None = None
    allowed: tuple[JSONScalar, ...] = ()
    suggested: tuple[str, JSONScalar] | None = None
    when: tuple[str, bool] | None = None
    used_with: tuple[str, JSONScalar] | None = None
    renamed: bool = False
    explicit: bool = False  # the new name is said to be the param's own ("pass it as X", "this API calls it X")
    moved: bool = False  # the new name is a place ("lives at X"): a rename only to a path ending in the param's name
    akin: bool = False  # said loosely ("is sent as X", "limits output by X"): a rename only to a name of its kin
    sent_only: bool = False  # the condition holds only if the request carries its name ("when images are attached")
    guess: str | None = None  # the name a "did you mean …?" guesses
    list_at: int | None = None  # where the first list of accepted values starts
    default: JSONScalar | EllipsisType = ...
    roles_listed: bool = False
    unconditional: bool = True  # False: the statement holds only under a value condition no fix can hold to


# The name a guess gives: "did you mean 'max_tokens'?".
_GUESSED: Final = re.compile(r"['\"`]([A-Za-z_][\w.]{0,63})['\"`]|\bmean ([A-Za-z_]\w*(?:[_.]\w+)+)\b")


# A deprecation said of the future: "will stop being accepted", "will be removed in a future version".
_WARNS_ONLY: Final = re.compile(
    r"\bwill (?:stop being (?:accepted|supported)|be removed|no longer be (?:accepted|supported|available))\b"
    r"|\bin a (?:future|later|coming) (?:API |api )?(?:version|release)\b",
    re.IGNORECASE,
)
_DEPRECATED: Final = re.compile(r"\b(?:is |are )?deprecated\b", re.IGNORECASE)

# What makes a value to use only a tip: an example, another model's setting, a placeholder ("low|medium|high").
_TIP: Final = re.compile(
    r"(?:\b(?:example|e\.g\.|for instance|such as|like)\b|\bfor [\w\-. ]{1,40}?\b(?:models?|deployments?|endpoints?)\b)"
    r"[^.;:\n]{0,40}$|\bexample:\s*[^.;\n]{0,40}$",
    re.IGNORECASE,
)


def _only_a_tip(text: str, m: re.Match[str]) -> bool:
    """Whether the value ``m`` says to use is an example, advice for other models, or a placeholder."""
    value = m["value"].strip("'\"`")
    placeholder = any(c in value for c in "|<>") or "..." in value
    return placeholder or _TIP.search(text, max(0, m.start() - 80), m.start()) is not None


def _cut(text: str, span: tuple[int, int]) -> str:
    return text[: span[0]] + " " * (span[1] - span[0]) + text[span[1] :]


def _mapping_keys(text: str) -> tuple[str, ...]:
    """The keys of a ``{name: value}`` mapping quoted in a message ("{'max_completion_tokens': 4096}", ll-004).

    An error record quoted the same way (pydantic's ``{'type', 'loc', 'msg', 'input'}``) names no params.
    """
    value = _literal_prefix(text) or _json_prefix(text)
    if not isinstance(value, dict) or {"loc", "msg", "type", "required"} & set(value):
        return ()
    return tuple(k for k, v in value.items() if isinstance(k, str) and not isinstance(v, dict | list))


# Names a condition may be about without quotes: the params whose presence changes what others mean.
_CONDITION_WORDS: Final = frozenset({"stream", "tools", "logprobs", "functions", "store", "reasoning", "thinking"})


def _condition_name(m: re.Match[str]) -> str | None:
    if m["stream"] or m["stream2"] or m["stream3"] or m["stream4"] or m["stream5"] or m["stream6"]:
        return "stream"
    if items := m["name6"] or m["name17"]:
        return {"tool": "tools", "function": "functions", "document": "documents"}.get(items.lower(), items.lower())
    name, quoted = next(
        (m[f"name{i}"], m[f"q{i}"])
        for i in ("", "2", "3", "4", "5", "7", "8", "9", "10", "11", "12", "13", "14", "15", "16")
        if m[f"name{i}"]
    )
    if name.lower() in ("streaming", "streamed"):
        # "only supported for streaming requests", "only be set when streaming".
        return "stream"
    # "requires that…" is prose: only a quoted, snake_case, camelCase or known name is a param here, or a word the
    # statement says is given ("only be used when documents are provided").
    given = _GIVEN.match(m.string, m.end())
    if quoted or "_" in name or re.search(r"[a-z][A-Z]", name) or name.lower() in _CONDITION_WORDS or given:
        return name
    return None


_GIVEN: Final = re.compile(r"\s(?:is|are) (?:provided|given|specified|set|present|passed|included|enabled|sent)\b")


def _skipped(message: str) -> tuple[str, tuple[str, ...]]:
    """``message`` with the spans that are never about the request blanked, and the keys of a mapping it quotes."""
    keys: list[str] = []
    # The bracket depth at each match, counted once over the message (not again from its start for each match).
    seen = [0, 0]  # [position counted up to, depth there]

    def blank(m: re.Match[str]) -> str:
        if m["braces"]:
            segment = message[seen[0] : m.start()]
            seen[1] += segment.count("{") + segment.count("[") - segment.count("}") - segment.count("]")
            seen[0] = m.start()
            if seen[1] == 0 and ":" in m["braces"]:
                keys.extend(_mapping_keys(m["braces"]))
        return " " * len(m[0])

    return g.DOC_POINTER.sub(lambda m: " " * len(m[0]), g.SKIP.sub(blank, message)), tuple(keys)


def _take_apart(message: str) -> _Parts:  # noqa: C901, PLR0912, PLR0915 - one cut per fragment
    text, keys = _skipped(message)
    parts = _Parts(text, keys=keys)
    if (
        (m := g.RENAME.search(text))
        or (m := g.RENAME_SAID.search(text))
        or (m := g.RENAME_WHERE.search(text))
        or (g.CJK.search(text) and (m := g.RENAMED_BEFORE.search(text)))
    ):
        by, parts.new = next((name, v) for name, v in m.groupdict().items() if v and name not in ("of", "of2", "nbox"))
        if m.re is g.RENAME and m["nbox"] and "." not in parts.new:
            # "send it inside the 'reasoning' object as 'effort'": the name inside that object.
            parts.new = f"{m['nbox']}.{parts.new}"
        groups = m.groupdict()
        parts.renamed = m.re is g.RENAMED_BEFORE or any(groups.get(name) for name in g.RENAME_VERDICT)
        parts.akin = m.re is g.RENAME_SAID or by.startswith("wk")
        parts.renamed = parts.renamed or by.startswith("sup")  # "deprecated …; supply X" says both (RENAME_SAID)
        parts.explicit = parts.renamed or parts.akin or by[0] in g.RENAME_EXPLICIT
        parts.moved = by[0] == "q"
        text = _cut(text, m.span())
    for m in g.GUESS.finditer(text):
        if parts.new is None and (named := _GUESSED.search(m[0])) is not None:
            parts.guess = next(v for v in named.groups() if v)
        text = _cut(text, m.span())
    for m in g.NAME_LIST.finditer(text):
        text = _cut(text, m.span())
    for m in g.FIELD_LIST.finditer(text):
        text = _cut(text, m.span("list"))
    for m in g.ONLY_NAMES.finditer(text):
        if re.search(r"[A-Za-z]_[A-Za-z]|[a-z][A-Z]", m["names"]):
            text = _cut(text, m.span())
    if m := g.USED_WITH_VALUE.search(text):
        parts.used_with = (m["name"], literal(m["value"]))
        text = _cut(text, m.span())
    if (m := g.REQUIRED_WITH.search(text)) is not None:
        # Without the first the second is refused: the second goes while the first is not sent (a request that
        # sends it is not changed by such a fix, so none is learned from it). Read before a value to set: "'logprobs'
        # must be set to true when 'top_logprobs' is specified" says when top_logprobs may be sent.
        parts.when = (m["name"] or m["name2"] or m["name3"], False)
        text = _cut(text, m.span())
    elif (m := g.SET_TO.search(text)) and not _only_a_tip(text, m):
        parts.suggested = (m["name"] or m["name2"], literal(m["value"]))
        text = _cut(text, m.span())
    elif (m := g.MUST_BE_SET.search(text)) or (m := g.USE_SETTING.search(text)):
        parts.suggested = (m["name"], literal(m["value"]))
        text = _cut(text, (m.end("name"), m.end()))
    listed = 0  # where the last list read ended: a list inside it is part of it, not read again
    for m in g.LIST_INTRO.finditer(text):
        if m.start() < listed:
            continue
        end = _LIST_END.search(text, m.end(), m.end() + _MAX_LIST)
        stop = end.start() if end else min(len(text), m.end() + _MAX_LIST)
        if text.startswith("[", m.end()) and (close := text.find("]", m.end(), stop)) > 0:
            # A bracketed list ends where it closes: "is not one of ['1024x1024', …] - 'size'" (r10c-015).
            stop = close + 1
        if not g.RANGE_FROM_TO.search(text, m.end(), stop):  # "supported values are integers from 1 to N": a range
            parts.list_at = m.start() if parts.list_at is None else parts.list_at
            listed_text = text[m.end() : stop]
            if (said := _DEFAULT_SAID.search(text, m.end(), stop + 1)) is not None:
                # "low, medium, high (default: medium)": the default is said apart from the list, not listed twice.
                parts.default = literal(said["value"])
                listed_text = text[m.end() : said.start()]
            if parts.default is ... and (marked := _MARKED_DEFAULT.search(listed_text)) is not None:
                # "Supported types are xhigh (default), medium, and low" (r3b-022): the value the body marks.
                parts.default = literal(marked["value"])
            parts.allowed += _values(_MARKED_DEFAULT.sub(r"\g<value>", listed_text))
            parts.roles_listed |= bool(m["roles"])
        text = _cut(text, (m.start(), stop))
        if of := next((name for name in ("listof", "listof2") if m[name]), None):
            # The param a list is of stays a subject: "Supported values for reasoning_effort are: …".
            text = text[: m.start(of)] + m[of] + text[m.end(of) :]
        listed = stop
    # The first condition that names a param: "applies to tool calling and was sent without any 'tools'" (aa-125).
    absent = next(((m, n) for m in g.CONDITION_WHEN_ABSENT.finditer(text) if (n := _condition_name(m))), None)
    if parts.when is None and absent is not None:
        m, name = absent
        parts.when = (name, False)
        text = _cut(text, m.span())
    elif parts.when is None and (m := g.CONDITION_WHEN_PRESENT.search(text)):
        if m["name10"] or m["name17"]:
            group = "name10" if m["name10"] else "name17"
            parts.when = ("stream" if m[group].lower().startswith("stream") else "tools", True)
            text = _cut(text, m.span(group))
        elif m["name16"]:
            parts.when = ("response_format", True)
            text = _cut(text, m.span("name16"))
        elif m["name13"]:
            parts.when = ("stream", True)
            text = _cut(text, m.span())
        elif m["name14"]:
            parts.when = ("stream" if m["name14"].lower().startswith("stream") else m["name14"], True)
            text = _cut(text, m.span())
        elif m["name11"] or m["name12"]:
            group = "name11" if m["name11"] else "name12"
            parts.when = (m[group], True)
            text = _cut(text, (m.start(group), m.end()))

        elif m["name4"] or m["name7"] or m["name9"]:
            # "not supported in streaming mode", "only supported for non-streaming requests": while stream is sent.
            parts.when = ("stream", True)
            text = _cut(text, m.span("name4") if m["name4"] else m.span())
        elif m["name5"] or m["name6"]:
            parts.when = (m["name5"] or m["name6"], True)
            # "when images are attached": a thing the request may not carry as a param; no rule without it.
            parts.sent_only = m[0].rsplit(" ", 1)[-1].lower() in ("attached", "included", "given", "sent")
            text = _cut(text, (m.start(), m.end()))
        elif m["name8"]:
            parts.when = ("stream" if m["name8"].lower() == "streaming" else m["name8"], True)
            text = _cut(text, m.span("name8"))
        elif m["name2"] or m["name3"]:
            name, group = (m["name2"], "name2") if m["name2"] else (m["name3"].rstrip("."), "name3")
            name = "stream" if name.lower() == "streaming" else name
            if m["name2"] or "_" in name or name.lower() in _CONDITION_WORDS:
                parts.when = (name, True)
                text = _cut(text, (m.start(group), m.end(group)))
        else:
            name = m["name"].lower()
            parts.when = ("tools" if name.startswith("tool") else "stream" if name.startswith("stream") else name, True)
            text = _cut(text, (m.start("name"), m.end("name")))
    if parts.when is None and g.CJK.search(text) and (m := g.CONDITION_CJK.search(text)):
        parts.when = (m["absent"], False) if m["absent"] else (m["present"] or m["present2"] or m["present3"], True)
        parts.sent_only = bool(m["present3"])
        text = _cut(text, m.span())
    if parts.when is None and (m := g.VALUE_CONDITION.search(text)) is not None:
        value = m["value"].strip("'\"`").lower()
        if value in _ON:
            parts.when = (m["name"], True)
        elif value in _OFF_WORDS:
            # "when logprobs is false": while it is not sent, or sent off ("carried" is neither).
            parts.when = (m["name"], False)
        else:
            # "when temperature is 0": a value no condition holds to.
            parts.unconditional = False
        text = _cut(text, m.span())
    # What a statement requires is no subject of its refusal: "… and requires store=True" (r12b-007).
    text = _REQUIRED_NAME.sub(lambda m: " " * len(m[0]), text)
    parts.subject_text = text
    return parts


# The names a statement is read for: a real one gives its names sooner (the most a corpus body gives is 111).
_MAX_NAME_TOKENS: Final = 256
_NAME_SHAPED: Final = re.compile(r"[a-z0-9][_.][a-z]|[a-z][A-Z]")
_REQUIRED_NAME: Final = re.compile(
    rf"\b(?:requires?|required)\s+(?:the\s+)?{g.QUOTE}?{g.NAME}{g.QUOTE}?(?:\s?=\s?[\w.\-\"']{{1,32}})?", re.IGNORECASE
)
_ON: Final = frozenset({"enabled", "on", "active", "true", "set", "specified", "provided", "present", "1"})
_OFF_WORDS: Final = frozenset({"false", "disabled", "off", "none", "null", "unset", "0"})


def _subjects(statement: Statement, parts: _Parts, vocabulary: Vocabulary) -> list[Grounded]:  # noqa: C901, PLR0912 - one source of names each
    found: list[Grounded] = []

    def add(grounded: Grounded | None) -> None:
        if grounded is not None and grounded not in found:
            found.append(grounded)

    text = parts.subject_text
    if _about_an_item(statement, vocabulary):
        return []
    # Read on the whole message: a list of accepted roles that runs on to the path must not hide it (r3b-019).
    for m in g.ROLE_PATH.finditer(statement.message):
        add(vocabulary.role_item(m[0] if m[0].endswith("role") else f"{m[0]}.role"))
    for m in g.ADDITIONAL_FIELD.finditer(text):
        add(vocabulary.ground(f"additionalModelRequestFields.{m['name']}"))
        text = _cut(text, m.span())
    for m in g.UNSPECIFIED_KEYS.finditer(text):
        for key in re.findall(r"[A-Za-z_][\w.]{0,63}", m["keys"]):
            add(vocabulary.ground(f"{m['owner']}.{key}" if m["owner"] else key))
        text = _cut(text, m.span())
    for m in g.TAG_FIELD.finditer(text):
        add(vocabulary.ground(f"{m['owner']}.{m['field']}"))
        text = _cut(text, m.span())
    for m in g.LOCATED.finditer(text):
        add(vocabulary.ground(f"{m['at']}.{m['name']}"))
        text = _cut(text, m.span())
    # Names these fragments read are grounded as bare words: a protected param or the conversation is never one
    # of them ("messages: content: Extra inputs…", "#/tools: …" are about items, or not about params at all).
    for m in g.GO_FIELD.finditer(text):
        add(_bare(vocabulary, m["name"] or m["field"]))
        text = _cut(text, m.span())
    for m in g.POINTER.finditer(text):
        add(_bare(vocabulary, m[0]))
        text = _cut(text, m.span())
    for m in g.NESTED_LABEL.finditer(text):
        nested = _bare(vocabulary, f"{m['outer']}.{m['inner']}")
        if nested is not None and "." in nested.path:
            add(nested)
            text = _cut(text, m.span())
    for m in g.LABELLED.finditer(text):
        # A label is a bare word: "type: Value is …" is a schema keyword, not a setting named type (r9d-041).
        if not vocabulary.english(m["name"]):
            add(_bare(vocabulary, m["name"]))
    # The param beside the message names the object a located name sits in (gm-006): not a subject then.
    # Named beside the message, not in it: a bare constraint in the words ("must be valid JSON") is not about it.
    if statement.loc is not None:
        add(_beside(vocabulary.ground_loc(statement.loc)))
    elif statement.param is not None and not found and not _names_an_item_of(statement.param, statement.message):
        add(_beside(vocabulary.ground(statement.param)))
    for key in parts.keys:
        add(vocabulary.ground(key))
    for grounded in _tokens(text, vocabulary):
        add(grounded)
    if not found:
        # Words of prose only: a quoted or dotted name that did not ground is not a phrase of words ("'a.b.c.d'").
        for grounded in vocabulary.ground_phrase(_NAMED.sub(" ", text)):
            add(grounded)
    if all(f.loose for f in found):
        # A capability refused as a word ("does not support thinking"): the sent params that ask for it. A bare
        # word that is also one setting's name ("Logprobs is not enabled") names every param asking for it.
        for m in g.CAPABILITY.finditer(text):
            for grounded in vocabulary.ground_capability(m["a"] or m["b"] or m["c"]):
                add(grounded)
    return _not_locations(found, text, vocabulary)


def _value_not_name(param: str, sent: Any, parts: _Parts, message: str, vocabulary: Vocabulary) -> list[Finding] | None:
    """What a suggested name is when it cannot be the param's new name: a value, or nothing at all.

    - The statement quotes the text value sent ("input_type 'query' is not supported; use search_query"): what it
      says to use is a value of the param (one word, not a path), as "use 'low' instead" is.
    - A rename carries no condition: "When streaming, logprobs is not supported; use top_logprobs" is not read as a
      rename on every call.
    - A count takes a number: a text or a list is never sent under "…_tokens", "…_budget", "…_count".
    - A settings object the request sends ("use inferenceConfig") is where the param goes, not its new name.
    - A bare word (no separator, no camel hump) for a text setting is its new value.
    """
    new = parts.new or ""
    if parts.when is not None:
        return []
    # "task 'query' is not supported; use retrieval.query": a path that ends in the value sent is a value in its family.
    if (
        isinstance(sent, str)
        and not parts.renamed
        and _mentions_value(sent, message)
        and ("." not in new or sent in new.split("."))
    ):
        return [Finding("value", param, value=sent, suggested=new)]
    if _COUNT_NAME.search(new) is not None and (isinstance(sent, bool) or not isinstance(sent, int)):
        return []
    if isinstance(vocabulary.value(new), dict) or _CONTAINER_NAME.search(new):
        return []
    if isinstance(sent, str) and not _IDENTIFIER.search(new):
        # A bare word for a text setting is its new value, not its new name: "reasoning_effort 'minimal' is
        # deprecated in favor of 'low'", "voice 'alloy' was renamed 'ash'" (test_reader_red_team_wordings).
        return [Finding("value", param, value=sent, suggested=new)]
    return None


# A settings object's name: "use inferenceConfig", "use options" say where the param goes, not what it is called.
_CONTAINER_NAME: Final = re.compile(
    r"(?:^|[_.])(?:config|options|settings|parameters|params)$|[a-z](?:Config|Options|Settings|Parameters)$"
)


# The settings whose values are fractions: a temperature, a top_p / min_p / typical_p, a penalty.
_FRACTION_NAME: Final = re.compile(r"temperature|(?:^|[_.])(?:top|min|typical)_?p$|[a-z]P$|[Pp]enalty", re.IGNORECASE)
# A count's name (an image "size" is a text: "1024x1024").
_COUNT_NAME: Final = re.compile(r"(?:^|[_.])\w*(?:tokens|budget|count|length|num)$|[a-z](?:Tokens|Budget|Count)$")


_MAX_VALUE_WORD: Final = 64


def _mentions_value(sent: str, message: str) -> bool:
    """Whether ``message`` gives the text value sent as a word of its own ('query', "en", `alloy`)."""
    return len(sent) <= _MAX_VALUE_WORD and re.search(rf"(?<![\w.\-]){re.escape(sent)}(?![\w.\-])", message) is not None


def _tokens(text: str, vocabulary: Vocabulary) -> list[Grounded]:
    """The sent params the names in ``text`` ground in (quoted, backticked, or bare), each name read once.

    A bare word that opens the statement is its subject ("tools is not supported in this model", e066); elsewhere
    an English word that is also a param name ("messages with role 'tool'…") is not.
    """
    out: list[Grounded] = []
    opening = len(text) - len(text.lstrip())
    settled: set[str] = set()  # names read firmly already: the same name again says nothing new
    for n, m in enumerate(g.NAME_TOKEN.finditer(text)):
        if n >= _MAX_NAME_TOKENS:
            break
        name = m["bare"] or m["q"] or m["dq"] or m["bt"] or m["sq"]
        if name in settled:
            continue
        if m["bare"]:
            called = called_a_param(text, m.start(), m.end())
            # A word the body calls a param is one, even an English word ("Unsupported parameter: type", r12a-008).
            quoted = bool(called) or (m.start() == opening and name in _OPENING_NAMES)
            grounded = vocabulary.ground(name, quoted=quoted)
            # A bare English word ("stop", "seed") is a loose name; an identifier (top_k, topK, a.b) is a firm one.
            firm = bool(_IDENTIFIER.search(name) or called)
            if grounded is not None:
                out.append(grounded if firm else replace(grounded, loose=True))
        else:
            grounded, firm = vocabulary.ground(name), True
            if grounded is not None:
                out.append(grounded)
        if firm:
            settled.add(name)
    return out


# Where a named setting sits: "summary is not supported in reasoning", "the summary field of reasoning".
# "generation_config contains an unsupported field: repetitionPenalty".
_LOCATION: Final = re.compile(
    rf"\b(?:in|inside|within|under|of) (?:the )?{g.QUOTE}?(?P<name>{g.NAME}){g.QUOTE}?(?![\w.])"
    rf"|(?<![\w.]){g.QUOTE}?(?P<owner>{g.NAME}){g.QUOTE}? (?:contains|has|includes)\b"
    # Bedrock's "#/inferenceConfig: extraneous key [max_tokens] is not permitted": the pointer says where.
    r"|#/(?P<pointer>[\w\-]+(?:/[\w\-]+)*): ",
    re.IGNORECASE,
)


def _not_locations(found: list[Grounded], text: str, vocabulary: Vocabulary) -> list[Grounded]:
    """``found`` without the objects named only as where another subject sits (its container is no subject)."""
    if len(found) < 2:  # noqa: PLR2004 - a container and what it holds
        return found
    located = {
        grounded.path
        for m in _LOCATION.finditer(text)
        if (grounded := vocabulary.ground(m["name"] or m["owner"] or m["pointer"].replace("/", ".")))
    }
    return [f for f in found if f.path not in located or not any(o.path.startswith(f"{f.path}.") for o in found)]


_IDENTIFIER: Final = re.compile(r"[A-Za-z0-9][_.][A-Za-z0-9]|[a-z][A-Z]")
# A bare word called a param by the words around it: "the stop parameter", "parameter seed".
_NOUN: Final = r"(?:param(?:eter)?|argument|field|option|property|setting)s?"
# In Chinese, Japanese and Korean the noun may follow without a space: "不支持 logprobs 参数", "seedパラメータ".
_CJK_NOUN: Final = r"(?:参数|字段|パラメータ|パラメーター|フィールド|매개변수|파라미터|필드)"
# Not a place: "在 user 参数中包含个人信息" (personal data in the user param) is about what it holds.
_CALLED_PARAM: Final = re.compile(rf"\s{{1,3}}{_NOUN}\b|\s{{0,3}}{_CJK_NOUN}(?!\s?[中内里])", re.IGNORECASE)
_PARAM_CALLED: Final = re.compile(rf"(?:\b{_NOUN}:?\s{{1,3}}|{_CJK_NOUN}\s{{0,3}})$", re.IGNORECASE)
# Roots that are no settings: what is protected (the instructions among it), the conversation, lists of items.
_NOT_SETTINGS: Final = DEFAULT_PROTECTED | CONVERSATION | ITEM_ROOTS
# Params a bare constraint never drops: those, and the caller's own free-form data.
_NEVER_CONSTRAINED: Final = _NOT_SETTINGS | {"metadata", "user"}
_CONVERSATION_ROOTS: Final = CONVERSATION | ITEM_ROOTS
# Bounded, and tried only where a token starts: a run of 4,096 dashes costs no quadratic backtracking.
_NAMED: Final = re.compile(
    r"'[^'\n]{0,128}'|\"[^\"\n]{0,128}\"|`[^`\n]{0,128}`|(?<![\w\-])[\w\-]{1,64}[._][\w\-][\w.\-]{0,128}"
)


def called_a_param(text: str, start: int, end: int) -> bool:
    """Whether the words around ``text[start:end]`` call it a param ("the stop parameter", "不支持 logprobs 参数")."""
    return bool(_CALLED_PARAM.match(text, end) or _PARAM_CALLED.search(text, max(0, start - 24), start))


def _beside(grounded: Grounded | None) -> Grounded | None:
    return None if grounded is None else replace(grounded, named=False)


def _bare(vocabulary: Vocabulary, name: str) -> Grounded | None:
    """``name`` grounded, unless its root is protected, the conversation or a list of items."""
    grounded = vocabulary.ground(name)
    if grounded is None or grounded.role_list is not None:
        return None
    root = grounded.path.split(".", 1)[0].split("[", 1)[0]
    return None if root in _NOT_SETTINGS else grounded


# At the start, or after a gateway's or SDK's prefix ("The model returned the following errors: messages.1…").
# A role path is no item of the history: "'messages[0].role' does not support 'system'" is about the role.
_ITEM_LABEL: Final = re.compile(
    r"(?:^|: )\W{0,3}(?:messages|input|contents|prompt)\W{1,3}\d{1,6}\W{1,3}"
    # serde's "messages[0]: unknown variant `developer`" is about that message's role.
    r"(?!role\b|unknown variant \W?(?:system|developer)\b)[A-Za-z_]"
)
# A message's own type or place, as validators name it: "#/components/schemas/ChatMessage does not define
# properties: reasoning", "contained in type 'Contoso.Chat.ChatMessage'", "was not expected at messages[1]".
_ITEM_TYPE: Final = re.compile(
    r"schemas/\w*Message\b|\btype '[\w.]*Message'|\b(?:at|in) (?:messages|input|contents)\s?\[\d+\]"
)
_ITEM_PATH: Final = re.compile(r"(?:#?/|body\.)?(?P<root>[A-Za-z_]\w{0,63})(?:$|[./\[])")


def _about_an_item(statement: Statement, vocabulary: Vocabulary) -> bool:
    """Whether the param beside the message is the conversation or an item in a list ("/input", "tools[0].name").

    The statement is then about that request's content, not about a setting: nothing in it is a subject, except a
    role path (``messages[0].role``), which is grounded as a role.
    """
    if _ITEM_LABEL.search(statement.message) or _ITEM_TYPE.search(statement.message):
        # "messages.1.content.0: Invalid `signature` in `thinking` block": about one message of the history.
        return True
    param = statement.param
    if param is None or (m := _ITEM_PATH.match(param)) is None:
        return False
    root, deeper = m["root"], m.end() < len(param)
    if root not in CONVERSATION and not (root in ITEM_ROOTS and deeper):
        return False
    grounded = vocabulary.ground(param)
    return grounded is None or grounded.role_list is None


def _names_an_item_of(param: str, message: str) -> bool:
    """Whether the message names an item inside the list ``param`` ("'input.0.content' is required").

    The statement is then about that item, not about sending ``param`` (r7b-015).
    """
    return bool(re.search(rf"\b{re.escape(param)}(?:\.|\[)\s*\d", message))


def _renamed_pairs(message: str, params: list[str], vocabulary: Vocabulary) -> list[Finding]:
    """The renames a statement gives by both names, of params among ``params``; each param at most once."""
    out: list[Finding] = []
    for m in g.RENAME_PAIR.finditer(message):
        old = m["old"] or m["old2"]
        new = next((v for k, v in m.groupdict().items() if v and k.startswith("pair")), None)
        grounded = vocabulary.ground(old)
        if new is None or grounded is None or grounded.path not in params or not _NAME_SHAPED.search(new):
            continue
        if any(f.param == grounded.path for f in out) or vocabulary.ground(new) is not None:
            continue  # a new name the request already sends is another param of it
        if _PAIR_NOT_A_NAME.match(message, m.end()) or not _fits(grounded.path, vocabulary.value(grounded.path), new):
            # A list of values ("as search_document or search_query"), a key format ("as token_id: bias pairs"),
            # or a name whose values are of another kind (red-team pass seven).
            continue
        new = new if "." in new else _renamed_leaf(grounded.path, new)
        out.append(Finding("rename", grounded.path, new=new))
    return out


# A value refused as the model's: "Invalid value for model:", "Valor no válido para el modelo:".
_OF_THE_MODEL: Final = re.compile(
    r"\b(?:for|para|pour|per|für) (?:the |el |o |le |il |das |den )?(?:model|modelo|modèle|modello|Modell)\s?:",
    re.IGNORECASE,
)
# What follows a new name when it was none: a list of values, a key format.
_PAIR_NOT_A_NAME: Final = re.compile(r"['\"`]?\s*(?:,|/|\||\bor\b|:\s)", re.IGNORECASE)
# Settings that count: a text value is never sent under such a name.
_COUNTS: Final = re.compile(
    r"(?:^|[._])(?:budget|tokens?|count|n|k|p|max_\w+|num_\w+)(?:$|_tokens)|[a-z](?:Tokens|Count|Budget)$"
)
# Names that are the SDK's, never a field of the request body.
_SDK_ONLY: Final = frozenset({"extra_body", "extra_headers", "extra_query", "model_kwargs", "additional_kwargs"})


def _fits(param: str, sent: Any, new: str) -> bool:
    """Whether ``param``'s ``sent`` may go under ``new``: never a number into words, a text into a count.

    Never into the SDK's own fields either, but for a name inside one the request carries, respelled in place.
    """
    root = new.split(".", 1)[0]
    if root in _SDK_ONLY and not param.startswith(f"{root}."):
        return False
    number = isinstance(sent, int | float) and not isinstance(sent, bool)
    if number and new.rsplit(".", 1)[-1] in ENUM_PARAMS:
        return False
    return not (isinstance(sent, str) and _COUNTS.search(new.rsplit(".", 1)[-1]))


def _moved_to(param: str, new: str) -> bool:
    """Whether ``new`` is a path that ends in ``param``'s own name ("text.verbosity" for verbosity)."""
    return "." in new and spelled(new.rsplit(".", 1)[1]) == spelled(param.rsplit(".", 1)[-1])


def _condition_is_subject(parts: _Parts, message: str, vocabulary: Vocabulary) -> str | None:
    """The param a condition names when it is the one whose quoted value the statement refuses, else None."""
    if parts.when is None or not parts.when[1] or (grounded := vocabulary.ground(parts.when[0])) is None:
        return None
    if _DEFAULT_POLICY.blocks(grounded.path):
        # "'auto' is not supported for tool_choice": a protected param is read as before, as a condition.
        return None
    sent = vocabulary.value(grounded.path)
    if not isinstance(sent, str) or not re.search(rf"(['\"`]){re.escape(sent)}\1\s+(?:is|are) not\b", message):
        return None
    name = re.search(rf"['\"`]?{re.escape(parts.when[0])}['\"`]?", message)
    if name is not None and _OTHER_CONDITION.search(message, name.end()):
        # "'flex' is not supported for 'service_tier' when stream is true": that condition stands, unread; nothing.
        return None
    return grounded.path


# Words of a further condition after the one read: when, while, until, unless, if, without, during, or "with" a
# thing other than a model ("with the 'o4-mini' model" names the model).
_OTHER_CONDITION: Final = re.compile(
    r"\b(?:when|while|until|unless|if|without|during)\b"
    r"|\bwith\b(?! (?:the |this )?['\"`]?[\w.\-:/]+['\"`]? (?:model|deployment)\b)",
    re.IGNORECASE,
)


def _condition(parts: _Parts, vocabulary: Vocabulary, subject: str) -> Condition | None:
    if parts.when is None:
        return None
    name, present = parts.when
    grounded = vocabulary.ground(name)
    if present and grounded is None:
        # "…when thinking is enabled" for a request that does not send it: what turns it on is upstream (a
        # gateway's model group, r5a-033), so the refusal holds for every call.
        return None
    param = grounded.path if grounded is not None else name
    if grounded is None and "." in subject and re.fullmatch(r"[a-z]+(?:[A-Z][a-z0-9]*)+", name):
        # A setting the request lacks, named in camelCase beside a nested subject, sits beside it: "logprobs is only
        # valid when responseLogprobs is true" of generationConfig.logprobs is about generationConfig.responseLogprobs
        # (a snake_case name such as max_tokens is a top-level param's).
        param = f"{subject.rsplit('.', 1)[0]}.{name}"
    if param == subject or subject.startswith(f"{param}.") or param.startswith(f"{subject}."):
        return None
    return Condition(param, present=present)


def _refused_role(
    statement: Statement, vocabulary: Vocabulary, target: Grounded, allowed: tuple[JSONScalar, ...] = ()
) -> str | None:
    """The rewritable role a statement about ``target`` (a role path) refuses, if the request sends it."""
    sent = vocabulary.body.get(target.role_list or "")
    if not isinstance(sent, list):
        return None
    carried = {m.get("role") for m in sent if isinstance(m, dict)} & _REWRITABLE_ROLES
    if target.index is not None and isinstance(sent[target.index], dict):
        carried &= {sent[target.index].get("role")}
    # The role the body names as received: quoted, after "role:", or a pydantic input value.
    named = {
        r
        for r in carried
        if re.search(
            rf"['\"`]{r}['\"`]|\brole:\s*{r}\b|^{r}\b|\b{r} is not (?:one of|a valid|an allowed)"
            # serde: "messages[1].role: unknown variant system, expected user or assistant" (r10a-032).
            rf"|\bunknown variant {r}\b"
            # "messages[0].role 不支持 developer" (z-116).
            rf"|(?:不支持|不允许|不能使用)(?:的角色)?\s?:?\s?['\"`]?{r}\b",
            statement.message,
        )
    }
    if statement.value in carried:
        named.add(str(statement.value))
    if not named:
        # In words: "System messages are not supported for o1 deployments" beside messages[0].role (z-124).
        named = {r for r in carried if r in _roles_in_prose(statement.message)}
    if not named and target.index is not None and len(carried) == 1 and _role_list(allowed):
        # "Input should be 'user' or 'assistant'" at messages[1].role (r4-015): the role sent there is not one of them.
        named = carried - set(allowed)
    return next(iter(named)) if len(named) == 1 else None


# A list of accepted values that is a list of roles ("Expected 'system' | 'user' | 'assistant'").
# Gemini's own roles are user and model (r9a-008).
_ROLE_NAMES: Final = frozenset({"user", "assistant", "system", "tool", "function", "developer", "model"})


def _role_list(allowed: tuple[JSONScalar, ...]) -> bool:
    """Whether a list of accepted values is a list of roles that takes user messages."""
    names = {a for a in allowed if isinstance(a, str)}
    return len(names) >= 2 and names <= _ROLE_NAMES and "user" in names  # noqa: PLR2004 - a list


def _only_roles(message: str, vocabulary: Vocabulary) -> list[Finding] | None:
    """The instruction roles a list of accepted roles leaves out ("Only user and assistant roles are supported")."""
    m = g.ONLY_ROLES.search(message)
    if m is None:
        return None
    roles = m["roles"] or m["roles2"] or m["roles3"] or m["roles4"] or m["roles5"] or m["roles6"]
    accepted: tuple[JSONScalar, ...] = tuple(sorted({r.lower() for r in g.ROLE_NAME.findall(roles)}))
    if m["roles2"] and (
        _OPTIONAL_SYSTEM.search(message) or not all(_alternates(vocabulary.body.get(n)) for n in vocabulary.roles())
    ):
        # Turns that do not alternate once the instructions are folded in (two user turns in a row, r22a-044, or an
        # assistant turn first): the conversation is what the template refuses, and no role rule changes it. Nor
        # does one that takes a system message ("After the optional system message, conversation roles must …").
        return []
    return [
        Finding("role", name, value=role, allowed=accepted)
        for name, sent in vocabulary.roles().items()
        for role in sorted(sent & _REWRITABLE_ROLES - set(accepted))
    ]


_OPTIONAL_SYSTEM: Final = re.compile(
    r"\boptional system\b|\bsystem (?:message|prompt|turn) (?:is )?optional", re.IGNORECASE
)


def _alternates(items: object) -> bool:
    """Whether a conversation's turns, its instructions folded in, open with the user and alternate with replies.

    Any other turn (a tool result, a function call without a role) is one the template may not take, so the
    conversation does not count as alternating (red-team pass ten).
    """
    if not isinstance(items, list):
        return True
    turns = [
        i.get("role") if isinstance(i, dict) else None
        for i in items
        if not (isinstance(i, dict) and i.get("role") in _REWRITABLE_ROLES)
    ]
    return (not turns or turns[0] == "user") and all(
        a != b and {a, b} <= {"user", "assistant"} for a, b in itertools.pairwise(turns)
    )


def _unnamed_role(message: str, vocabulary: Vocabulary) -> Finding | None:
    """The one instruction role a request sends, refused without its name ("Unexpected message role.").

    Only when it is the one role that could be meant: the request sends developer, no system, and no tool or
    function turns (a template may refuse those as well).
    """
    if g.ROLE_UNNAMED.search(message) is None:
        return None
    for name, sent in vocabulary.roles().items():
        # Only the newer developer role: a template that refused system would say so, and folding a system
        # prompt into the user message on a guess loses what it means.
        if sent & _REWRITABLE_ROLES == {"developer"} and sent <= {"user", "assistant", "developer"}:
            return Finding("role", name, value="developer")
    return None


def _role_by_value(statement: Statement, parts: _Parts, vocabulary: Vocabulary) -> Finding | None:
    """A refused value that is a role the request sends, against a list of roles it accepts (r3b-021)."""
    allowed = {a for a in parts.allowed if isinstance(a, str)}
    if not _role_list(parts.allowed):
        return None
    # "role must be one of user, assistant, tool": the subject is the role itself, the sent one is not listed.
    about_role = re.search(r"\broles?\b", parts.subject_text, re.IGNORECASE) is not None or parts.roles_listed
    accepted = tuple(sorted(allowed))
    for name, roles in vocabulary.roles().items():
        left_out = sorted(roles & _REWRITABLE_ROLES - allowed)
        # Quoted, or the word the statement opens with ("developer is not one of ['system', 'user']", r17a-020).
        refused = [
            r for r in left_out if f"'{r}'" in statement.message or re.match(rf"\W*{r}\b", statement.message)
        ] or (left_out if about_role else [])
        if len(refused) == 1:
            return Finding("role", name, value=refused[0], allowed=accepted if about_role else ())
    return None


# Numbers as people write them: "128,000", "32k", "1.28e5", "2^32 - 1" (a bound read as 128, 32, 1.28 or 2 would
# clamp every later call). Each is bounded; none backtracks.
# Not inside a list: "[64,128,256,512,768]" and "[1,100]" are lists, "at most 128,000" is one number.
_THOUSANDS: Final = re.compile(r"(?<![\[\d,.])(\d{1,3}(?:,\d{3}){1,4})(?![\d,]*\d)")
# Lowercase only: "1K" and "4K" are image sizes, "32k tokens" is a number.
_KILO: Final = re.compile(r"(?<![\w.\-/:])(\d{1,6}(?:\.\d{1,3})?)\s?k(?![\w\-])")
_EXPONENT: Final = re.compile(r"(?<![\w.])(\d{1,6}(?:\.\d{1,6})?)[eE]([-+]?\d{1,2})(?![\w.])")
_POWER: Final = re.compile(r"(?<![\w.])(\d{1,3})\s?(?:\^|\*\*)\s?(\d{1,2})(?![\d.])(\s?-\s?1(?!\d))?")


def _plain_numbers(message: str) -> str:
    """``message`` with its numbers written out: "at most 128,000" -> "at most 128000", "2^32 - 1" -> "4294967295"."""
    if not any(c.isdigit() for c in message):
        return message
    message = _THOUSANDS.sub(lambda m: m[1].replace(",", ""), message)
    message = _KILO.sub(lambda m: _written(float(m[1]) * 1000), message)
    message = _EXPONENT.sub(lambda m: _written(float(m[1]) * 10 ** int(m[2])), message)
    return _POWER.sub(lambda m: str(int(m[1]) ** int(m[2]) - (1 if m[3] else 0)), message)


def _written(number: float) -> str:
    """A number in plain digits: 100000, 0.00001 (never "1e-05", which would read as 1)."""
    if number.is_integer() and abs(number) < 10**18:
        return str(int(number))
    return f"{number:.12f}".rstrip("0").rstrip(".")


def understand(statement: Statement, vocabulary: Vocabulary) -> list[Finding]:
    """The findings of one statement about the params ``vocabulary``'s request carries."""
    findings = _findings(statement, vocabulary)
    if any(f.kind in ("role", "instructions") for f in findings) and g.ROLE_ORDER.search(statement.message):
        # A role out of place in this conversation ("Unexpected role 'system' after role 'assistant'"): no rule.
        return [f for f in findings if f.kind not in ("role", "instructions")]
    if any(f.kind == "role" for f in findings) and g.ROLE_TO_USER.search(statement.message):
        return [replace(f, kind="instructions") if f.kind == "role" else f for f in findings]
    if any(f.kind == "role" for f in findings) and g.ROLE_UNKNOWN.search(statement.message):
        return [replace(f, unknown_role=True) if f.kind == "role" else f for f in findings]
    return findings


def _findings(statement: Statement, vocabulary: Vocabulary) -> list[Finding]:  # noqa: C901, PLR0911, PLR0912, PLR0915 - one branch per verdict
    message = statement.message
    if statement.quoted is not None:
        # The error record quoted in the message was read as statements of its own: only the prose around it here.
        start, end = statement.quoted
        message = message[:start] + " " * (end - start) + message[end:]
    # Numbers as people write them, once the quoted record is blanked (its span is in the original's offsets).
    message = _plain_numbers(message)
    statement = replace(statement, message=message)
    # A code beside the message says what its words may not: read it as words (structure before prose).
    # A code read by its words only says something where the message says nothing of its own ("E_PARAM_UNSUPPORTED"
    # beside a param, w-039): beside a message, a generic code ("INVALID_PARAMETER_VALUE" on a context-length error)
    # says less than the message (red-team pass six).
    code = statement.code
    says = g.code_says(code) if message.strip() in ("", code) else g.exact_code(code)
    if says == "name":
        message = f"{message} (unsupported)"
    elif says == "value" and not _said(g.VALUE_REFUSED, message):
        message = f"{message} (invalid value)"
    if _WARNS_ONLY.search(message) and not g.NEGATIVE.search(_DEPRECATED.sub(" ", message)):
        # "'max_tokens' is deprecated in favour of 'max_completion_tokens' and will stop being accepted in a future
        # API version" (z-189): a warning about later, beside a request that was taken; nothing is refused now.
        return []
    parts = _take_apart(message)
    # A sent param's own name is no value of the list it opens: "only supports verbosity 'medium'".
    parts.allowed = tuple(a for a in parts.allowed if not (isinstance(a, str) and vocabulary.value(a) is not ...))
    subjects = _subjects(statement, parts, vocabulary)
    roles = [s for s in subjects if s.role_list is not None]
    if roles:
        role = _refused_role(replace(statement, message=message), vocabulary, roles[0], parts.allowed)
        if role is None:
            return []
        accepted = tuple(a for a in parts.allowed if a in _ROLE_NAMES) if _role_list(parts.allowed) else ()
        return [Finding("role", roles[0].role_list or "messages", value=role, allowed=accepted)]
    if (by_value := _role_by_value(statement, parts, vocabulary)) is not None:
        return [by_value]
    if (only := _only_roles(message, vocabulary)) is not None:
        return only
    if not subjects and (unnamed := _unnamed_role(message, vocabulary)) is not None:
        return [unnamed]
    prose = _roles_in_prose(message)
    if len(prose) == 1:
        [word] = prose
        return [Finding("role", name, value=word) for name, sent in vocabulary.roles().items() if word in sent]
    if len(prose) > 1 or g.INSTRUCTIONS_REFUSED.search(message):
        # Both roles refused ("System and developer messages are not supported"), or instructions
        # as such: the text goes into the user message.
        return [
            Finding("instructions", name, value=role)
            for name, sent in vocabulary.roles().items()
            for role in sorted(sent & _REWRITABLE_ROLES)
        ]
    if parts.used_with is not None:
        return _used_with(parts.used_with, vocabulary)
    # Quoted values count in the statement's own words, not in a suggestion it makes ("Use 'agent_reference'
    # instead" about ``agent`` is not about the setting that holds "agent_reference", r9d-034).
    params = [_setting_quoted(s.path, parts.subject_text, vocabulary) for s in subjects]
    firm = {p for p, s in zip(params, subjects, strict=True) if not s.loose and s.named}
    if (about := _condition_is_subject(parts, message, vocabulary)) is not None:
        # "'detailed' is not supported for 'reasoning.summary'" (w-049): what follows "for" holds the value refused.
        parts.when = None
        params, firm = [*params, about] if about not in params else params, firm | {about}
    if not params and (parts.allowed or _said(g.VALUE_REFUSED, message)):
        # "'minimal' is not supported with the 'gpt-5.1' model" names the value, not the param (e026).
        redacted = statement.param.rsplit("*", 1)[-1].lstrip(".") if statement.param and "*" in statement.param else ""
        # Not a value the body says is the model's ("Invalid value for model: 'auto'", red-team pass seven).
        params = [] if _OF_THE_MODEL.search(message) else _params_holding(message, vocabulary, redacted)
    if not params and parts.allowed and (_said(g.NEGATIVE, message) or _said(g.VALUE_REFUSED, message)):
        # "Unexpected reasoning effort high. Supported types are …" (r3b-022): the value sent, bare, beside the list.
        words = {w.rstrip(".") for w in re.findall(r"[\w.\-]{2,64}", parts.subject_text)}
        allowed = parts.allowed
        params = _the_one(vocabulary, lambda sent: isinstance(sent, str) and sent in words and sent not in allowed)
    if not params and parts.allowed and all(size(a) is not None for a in parts.allowed):
        # "Invalid Resolution, Only support 1024x1024, 1024x1792" (r11b-019): the one param sent with a size other
        # than those, whose value the list refuses.
        allowed = parts.allowed
        if sized := _the_one(vocabulary, lambda sent: size(sent) is not None and sent not in allowed):
            return [Finding("value", sized[0], value=vocabulary.value(sized[0]), allowed=allowed)]
    if not params and (constants := _ENUM_CONSTANT.findall(message)):
        # "Thinking level is unsupported: THINKING_LEVEL_MINIMAL" for reasoning_effort "minimal", which a gateway
        # turned into that constant (r11c-011): the one param sent with the constant's last word.
        ends = {c.rsplit("_", 1)[-1].lower() for c in constants}
        params = _the_one(vocabulary, lambda sent: isinstance(sent, str) and sent.lower() in ends)
    if not params and (alias := _alias(message, vocabulary)) is not None:
        # The server's own name for a sent value: "matryoshka_dim=512 is not in a valid range" for dimensions=512.
        params = alias
    if not params and (bound := _unnamed(g.VALUE_BOUND, message)) is not None:
        # "8192 is not less or equal to 8191" names no param: the one number param sent with that value.
        params = _the_one(vocabulary, _number_sent(_number(bound["a"] or bound["a2"])))
    if not params and (item := _unnamed(g.LIST_ITEM_REFUSED, message)) is not None:
        params = _the_one(vocabulary, lambda sent: isinstance(sent, list) and item["item"] in sent)
    if not params and (count := _unnamed(g.ITEM_COUNT, message)) is not None:
        params = _the_one(vocabulary, lambda sent: isinstance(sent, list) and len(sent) == int(count["count"]))
    if not params and (typed := _unnamed(g.TYPE_REFUSED, message)) is not None:
        # "invalid type: integer 1, expected a boolean" names no param either (r6a-031).
        got = _NUMBER_TOKEN.search(message, 0, typed.end())
        params = _the_one(vocabulary, _number_sent(_number(got[0]))) if got is not None else []
    if (counted := _counted(message, vocabulary)) is not None and (not params or params == [counted.param]):
        return [counted]
    if (
        len(params) == 1
        and isinstance(vocabulary.value(params[0]), list | dict)
        and _BARE_INVALID.fullmatch(message.strip())
    ):
        # A list or an object called invalid, and nothing more ("'$.stop' is invalid. Please check the API
        # reference", r16a-050): left out, as a list refused for its length is. Said with more ("string too long",
        # "is not a valid model ID"), it is about an item of it, which no rule can hold.
        return [Finding("drop", params[0], of_value=True)]
    condition = vocabulary.ground(parts.when[0]) if parts.when is not None else None
    if condition is not None and parts.when is not None and not parts.when[1] and params == [condition.path]:
        # "…, or send the request without logit_bias": a condition on the very param refused is the remedy.
        parts.when = condition = None
    if condition is not None:
        # The condition's param is what the statement depends on, not what it refuses ("top_p must be 1 when
        # temperature is 0" says nothing of temperature).
        params = [p for p in params if p != condition.path]
    if not params or not parts.unconditional:
        return []
    if parts.when is not None and parts.sent_only and vocabulary.ground(parts.when[0]) is None:
        return []
    text = parts.subject_text
    if (pair := g.ORDERED_PAIR.search(message)) is not None and _IDENTIFIER.search(pair["b"]):
        # Two sent params in an order ("`max_tokens` must be greater than `thinking.budget_tokens`") is a relation
        # within this request, not a rule of the deployment: a bound learned from it would cap later calls whose
        # own values are in order (test_reader_red_team). Nothing is learned; the error reaches the caller.
        return []
    # A new name that is the pair's other param ("can't be used together with 'temperature'; use 'temperature'
    # instead") is no new name: the pair stands.
    renames = (
        parts.new is not None
        and (parts.renamed or parts.explicit or bool(_said(g.NEGATIVE, text)))
        and message.count(parts.new) == 1
    )
    if g.PAIR.search(text) and not (len(params) == 1 and (parts.when is not None or renames)):
        # (With one param left and the other read as the condition, the condition says which goes, and when; with a
        # new name for it, it is renamed: "'max_tokens' can't be used with reasoning deployments; send
        # 'max_completion_tokens' instead", y-003.)
        # Either may go; the first goes, and only while the second is sent (r2a-010). With one of
        # them left, the statement is about the pair, not that one: nothing (after the fix).
        if len(params) >= 2:  # noqa: PLR2004 - a pair
            first, second = params[0], params[1]
            removed = [
                grounded.path
                for m in g.REMOVE_ONE.finditer(message)
                if (grounded := vocabulary.ground(m["name"] or m["name2"])) is not None
            ]
            if removed and removed[0] == second:
                # The body says which goes: "temperature and topP cannot both be specified. Remove topP and retry."
                first, second = second, first
            elif _DEFAULT_POLICY.blocks(first) and not _DEFAULT_POLICY.blocks(second):
                # Of "'stream' and 'background' together", background goes while stream is sent (r12a-014).
                first, second = second, first
            return [Finding("pair", first, new=second)]
        # One of the two sent, the other the server's own (add_generation_prompt, true by default, r7b-006): the
        # one sent goes, unless it is the one a pair fix kept (then the statement is the pair's, after the fix).
        return [Finding("pair", params[0])]
    guess, sent_one = parts.guess, vocabulary.value(params[0]) if len(params) == 1 else ...
    if len(params) == 1 and guess == params[0]:
        # The body asks for the very name sent ("budget_tokens: Extra inputs … Did you mean thinking.budget_tokens?"
        # read again after that rename): it refuses another spelling, not what this request carries.
        return []
    if guess is not None and len(params) == 1 and vocabulary.value(guess) is ... and _fits(params[0], sent_one, guess):
        # A guess is taken only when it names the very setting sent: its name in another spelling ("Unknown field
        # 'maxTokens'; did you mean 'max_tokens'?"), in an object ("did you mean thinking.budget_tokens?"), or in this
        # API's words for it (_kin); a guess at another name is a guess (Groq's "'store' … did you mean 'stop'?").
        if _moved_to(params[0], guess) and "." not in params[0]:
            return [Finding("rename", params[0], new=guess)]
        if _same_name(guess, params[0]) or _kin(guess, params[0]):
            return [Finding("rename", params[0], new=_renamed_leaf(params[0], guess))]
    # A value to use before a new name: "'minimal' is not supported. Use 'low' instead" quotes the value sent.
    if len(params) == 1 and (use := _value_to_use(params[0], message, vocabulary)) is not None:
        return [Finding("value", params[0], value=vocabulary.value(params[0]), suggested=use)]
    # "'reasoning_effort' is not valid for /v1/responses; pass it as reasoning.effort": a name is refused, by the
    # words that refuse a value, when the statement gives a name (not a word, which may be a value) to use.
    refused = (
        _said(g.NEGATIVE, text)
        or (
            parts.explicit and parts.new is not None and _NAME_SHAPED.search(parts.new) and _said(g.VALUE_REFUSED, text)
        )
        # An error that names the sent param and its kin to use is a rename, whatever words come between ("the
        # parameter max_output_tokens belongs to the v1 ERNIE API; on /v2/chat/completions use max_completion_tokens").
        # Not beside a bound, which the error is about ("max_tokens is too large … at most 4096; use
        # max_completion_tokens for reasoning models").
        or (parts.new is not None and len(params) == 1 and _kin(parts.new, params[0]) and _bounds(message) is None)
    )
    if parts.moved and parts.new is not None and len(params) == 1 and not _moved_to(params[0], parts.new):
        parts.new = None
    if (
        parts.akin
        and parts.new is not None
        and len(params) == 1
        and not _akin(parts.new, params[0], vocabulary.value(params[0]))
    ):
        # Said loosely, another name may be another param ("top_k is expressed as top_p here"): the param goes.
        parts.new = None
    if parts.new is not None and (parts.renamed or refused) and len(params) == 1:
        sent = vocabulary.value(params[0])
        if (value := _value_not_name(params[0], sent, parts, message, vocabulary)) is not None:
            return value
        if _fits(params[0], sent, parts.new) and (parts.new not in ENUM_PARAMS or isinstance(sent, str)):
            # A bare new name for a nested param is its sibling's: "Unknown name "stop" at 'generation_config' …
            # Use "stopSequences"" renames generationConfig.stop to generationConfig.stopSequences. A number is
            # never renamed into a setting whose values are words (temperature into reasoning_effort).
            new = parts.new if "." in parts.new else _renamed_leaf(params[0], parts.new)
            return [Finding("rename", params[0], new=new)]
    out: list[Finding] = []
    # A param renamed by both its names ("…, and max_tokens must be sent as max_completion_tokens"): that one is
    # renamed, any others read as below.
    for renamed in _renamed_pairs(message, params, vocabulary):
        out.append(renamed)
        params = [p for p in params if p != renamed.param]
    if not params:
        return out
    unread_rename = parts.new is None and g.SUGGESTS_NAME.search(text) is not None
    mentions = _mentions(params, message, vocabulary) if len(params) > 1 else {}
    stretches = _stretches(mentions, message, text, parts, vocabulary)
    for param in params:
        scoped, scoped_text = stretches.get(param, (message, text))
        at = mentions.get(param)
        # A list goes to the param named last before it ("With reasoning_effort high, service_tier can only be …").
        owns_list = at is None or parts.list_at is None or _nearest_before(parts.list_at, mentions) == param
        finding = _about(
            param,
            scoped,
            scoped_text,
            parts if owns_list else replace(parts, allowed=()),
            vocabulary,
            firm=param in firm,
        )
        if finding is not None and finding.kind == "clamp" and len(params) > 1 and " respectively" in message:
            # "at most 1 and 40 respectively": which bound is whose is an order no fragment reads.
            finding = None
        if finding is not None and finding.kind == "drop" and not finding.of_value:
            finding = _named_elsewhere(finding, message, vocabulary)
        elif finding is not None and finding.kind == "drop" and finding.when is None:
            # A constraint on where the name goes ("num_ctx must be passed inside the options object
            # (options.num_ctx)") names the place: the value moves there.
            finding = _moved_elsewhere(finding, message, vocabulary)
        if finding is not None and not (unread_rename and finding.kind == "drop"):
            out.append(finding)
    return out


def _named_elsewhere(drop: Finding, message: str, vocabulary: Vocabulary) -> Finding | None:
    """A param refused by its name, read with the other names ``message`` gives it.

    "Unrecognized field 'max_tokens'. Known fields: …, maxTokens" for maxTokens (read again after the rename) refuses
    another spelling and lists the one sent: nothing. The same body for max_tokens spells the setting the server's
    own way, and "the sampling seed is called random_seed" names it: an unconditional drop is a rename there.
    """
    param = drop.param
    if _refuses_a_respelling(param, message):
        return None
    if drop.when is not None:
        return drop
    if (respelled := _respelled(param, message, vocabulary)) is not None and _fits(
        param, vocabulary.value(param), respelled
    ):
        return Finding("rename", param, new=respelled)
    if (called := _called(param, message, vocabulary)) is not None:
        return Finding("rename", param, new=called)
    if (kin := _kin_named(param, message, vocabulary)) is not None:
        return Finding("rename", param, new=kin)
    return drop


def _kin_named(param: str, message: str, vocabulary: Vocabulary) -> str | None:
    """The one name in ``message``, not sent, that is ``param``'s own setting another way, in whatever words.

    "gpt-5.1 measures its output limit in max_completion_tokens; the max_tokens you sent is not read", "takes the
    effort as reasoning.effort …, not as reasoning_effort": the limit's kin, or the name split into an object's path.
    Not a name refused too ("max_output_tokens is not read either"), and only when exactly one such name is given.
    """
    found: set[str] = set()
    sent = vocabulary.value(param)
    for m in _RESPELLING.finditer(message):
        name = m["name"].removeprefix("body.")
        if name == param or vocabulary.value(name) is not ...:
            continue
        if (grounded := vocabulary.ground(name)) is not None and grounded.path != param:
            # Another sent param's name: not a new one for this.
            continue
        if name.startswith(param) and name[len(param)] not in "_.":
            # The name sent glued to the next word ("litellm_session_idNo fallback…", ll-003) is no other name.
            continue
        split = "." in name and "." not in param and spelled(name.replace(".", "")) == spelled(param)
        if not (split or _kin(name, param)) or not _fits(param, sent, name):
            continue
        if _refused_beside(message, m):
            continue
        found.add(name if split or "." in name else _renamed_leaf(param, name))
    if len(found) != 1:
        return None
    (new,) = found
    return None if new.split(".", 1)[0] in _CONVERSATION_ROOTS else new


def _moved_elsewhere(drop: Finding, message: str, vocabulary: Vocabulary) -> Finding:
    """``drop`` as a rename when ``message`` names one object path that ends in the param's own name."""
    param = drop.param
    moved = _respelled(param, message, vocabulary)
    if moved is None or not _moved_to(param, moved) or not _fits(param, vocabulary.value(param), moved):
        return drop
    return Finding("rename", param, new=moved)


def _stretches(
    mentions: dict[str, int], message: str, text: str, parts: _Parts, vocabulary: Vocabulary
) -> dict[str, tuple[str, str]]:
    """The part of ``message`` (and of ``text``, its subject text) each of several params is read with.

    That is what is said before the first of them, when it is a verdict ("Unsupported parameters: a, b") and not a
    bound that belongs to one of them ("Between 0 and 1 for temperature; …"), and the param's own stretch up to the
    next one ("max_tokens must be <= 4096, temperature must be 1"). A name in a list ("top_k, top_p are not
    supported") shares what follows the list; a name a requirement depends on ("X must be V if `Y` is provided"),
    or the param a condition names, is read with the whole; a name in words that say nothing of it ("temperature is
    fine, but top_k is not supported") with nothing of its own. A param missing from the result is read whole.
    """
    opening = min(mentions.values(), default=0)
    shared = opening if _bounds(message[:opening]) is None else 0
    lead = f"{message[:shared].rstrip()} " if message[:shared].strip() else ""
    lead_text = f"{text[:shared].rstrip()} " if message[:shared].strip() else ""
    condition = vocabulary.ground(parts.when[0]) if parts.when is not None else None
    out: dict[str, tuple[str, str]] = {}
    for param, at in mentions.items():
        if condition is not None and condition.path == param:
            continue
        end = min((m for m in mentions.values() if m > at), default=len(message))
        head, head_text, stop = lead, lead_text, at
        if _says_something(message[at:end]) or _says_of(lead + message[at:end]):
            stop = end
        elif _CONDITION_TAIL.match(message, at):
            head, head_text, stop = message[:at], text[:at], len(message)
        elif _LISTED_NAME.fullmatch(message[at:end]):
            stop = len(message)
        out[param] = (head + message[at:stop], head_text + text[at:stop])
    return out


def _mentions(params: list[str], message: str, vocabulary: Vocabulary) -> dict[str, int]:
    """Where ``message`` first names each of ``params``.

    Any spelling grounding takes counts: ``maxTokens``, a Go ``ChatRequest.MaxTokens``, a quoted or dotted path.
    """
    wanted = set(params)
    out: dict[str, int] = {}
    for n, m in enumerate(g.NAME_TOKEN.finditer(message)):
        if len(out) == len(wanted) or n >= _MAX_NAMES:
            break
        name = m["q"] or m["dq"] or m["bt"] or m["sq"] or m["bare"]
        # A Go struct's field ("ChatRequest.MaxTokens") by its own name, which grounding takes in PascalCase.
        grounded = vocabulary.ground(name, quoted=m["bare"] is None) or vocabulary.ground(name.rsplit(".", 1)[-1])
        if grounded is not None and grounded.path in wanted and grounded.path not in out:
            out[grounded.path] = m.start()
    return out


_CONDITION_TAIL: Final = re.compile(
    r"[^\s]{1,128}\s+(?:is|are)\s+(?:provided|set|specified|given|enabled|sent|present|used)\b", re.IGNORECASE
)
# The names looked at for where each param is named: a real message names its params sooner.
_MAX_NAMES: Final = 256
# A param's stretch that is its name and a list's joint: "top_k, ", "temperature and ", "`a` / ".
_LISTED_NAME: Final = re.compile(r"[\w.'\"`\[\]]{1,128}\s*(?:,|and|or|&|/|\+)?\s*(?:and\s+)?", re.IGNORECASE)


def _says_of(text: str) -> bool:
    """Whether ``text`` says what value its param must have ("Only temperature=1 is supported")."""
    return bool(g.ONLY_VALUE.search(text) or g.DEFAULT_ONLY.search(text))


def _says_something(text: str) -> bool:
    """Whether ``text`` holds a verdict, a constraint or a bound of its own."""
    return bool(
        _said(g.NEGATIVE, text)
        or _said(g.VALUE_REFUSED, text)
        or g.CONSTRAINT.search(text)
        or g.TYPE_REFUSED.search(text)
        or _bounds(text) is not None
    )


def _nearest_before(position: int, mentions: dict[str, int]) -> str | None:
    before = [(at, param) for param, at in mentions.items() if at <= position]
    return max(before)[1] if before else None


def _same_name(guess: str, param: str) -> bool:
    """Whether ``guess`` is ``param``'s own name in another spelling (case, underscores, hyphens), and not equal."""
    leaf, guessed = param.rsplit(".", 1)[-1], guess.rsplit(".", 1)[-1]
    return leaf != guessed and spelled(leaf) == spelled(guessed)


# A name as a server writes it: snake_case, camelCase or a dotted path, never part of a longer word or path.
_RESPELLING: Final = re.compile(
    r"(?<![\w.\-])(?P<name>[a-z][A-Za-z0-9]{0,63}(?:[_.][A-Za-z0-9]{1,63}){0,7})(?![\w\-]|\.\w)"
)


# Words that refuse what stands beside them.
_REFUSED_NEAR: Final = re.compile(
    # Not the place it is refused at: "(options.num_ctx), not at the top level".
    r"\b(?:not(?! (?:at |on |in )?(?:the )?top[- ]level\b)|never|no longer|neither|nor|either|also|rejected|refused"
    r"|unsupported|unknown|unrecognized|invalid"
    r"|disallowed|forbidden|extraneous)\b|n't\b",
    re.IGNORECASE,
)


_SENTENCE_END: Final = re.compile(r"[.;!?](?:\s|$)")


def _refused_beside(message: str, name: re.Match[str]) -> bool:
    """Whether words that refuse stand just before the name, or after it as far as its sentence ends.

    "as text.verbosity. (unsupported)" is refused no further than its sentence.
    """
    tail = _SENTENCE_END.search(message, name.end(), name.end() + 40)
    return bool(
        _REFUSED_NEAR.search(message, max(0, name.start() - 30), name.start())
        or _REFUSED_NEAR.search(message, name.end(), tail.start() if tail is not None else name.end() + 40)
    )


def _spellings(param: str, message: str) -> tuple[list[str], bool, list[re.Match[str]]]:
    """How ``message`` spells ``param``'s own name, ``body.`` cut off.

    The other spellings before it first names the one sent, whether it names that one at all, and the other
    spellings after it.
    """
    leaf = param.rsplit(".", 1)[-1]
    before: list[str] = []
    after: list[re.Match[str]] = []
    named = False
    for m in _RESPELLING.finditer(message):
        name = m["name"].removeprefix("body.")
        if name in (param, leaf):
            named = True
        elif spelled(name.rsplit(".", 1)[-1]) != spelled(leaf):
            continue
        elif named:
            after.append(m)
        else:
            before.append(name)
    return before, named, after


def _refuses_a_respelling(param: str, message: str) -> bool:
    """Whether ``message`` first names ``param`` in another spelling, then in the one sent."""
    before, named, _ = _spellings(param, message)
    return named and any("." not in name for name in before)


def _respelled(param: str, message: str, vocabulary: Vocabulary) -> str | None:
    """The one other name ``message`` gives ``param``, beside the name it was sent under.

    A server that refuses ``max_tokens`` by that name and names ``maxTokens`` after it (its list of known fields, a
    hint) spells the same setting its own way; one that refuses ``num_ctx`` and names ``options.num_ctx`` keeps it in
    an object. Either is where the value goes. A server that only echoes the param in its own spelling
    ("Argument not supported: reasoningEffort" for reasoning_effort) names no other place; two other names, or
    none, say nothing.
    """
    before, named, after = _spellings(param, message)
    if before or not named:
        # The other spelling comes first: it is what the body refuses ("Unknown parameter 'reasoningEffort'. Did
        # you mean 'reasoning_effort'?" after the rename), and the name sent is the one it asks for.
        return None
    found: set[str] = set()
    for m in after:
        if _refused_beside(message, m):
            # Refused too: "does not read options.num_ctx either", "(alias 'topK') is not supported" (red-team nine).
            continue
        name = m["name"].removeprefix("body.")
        new = name if "." in name else _renamed_leaf(param, name)
        # Into a protected object ("text.verbosity") the rename is still read: the policy then blocks it, and the
        # caller hears of it, rather than the setting going without a word.
        if vocabulary.value(new) is ... and new.split(".", 1)[0] not in _CONVERSATION_ROOTS:
            found.add(new)
    return next(iter(found)) if len(found) == 1 else None


# "the sampling seed is called random_seed" (aa-133): a name given where a sentence ends, after the words it names.
_CALLED: Final = re.compile(
    r"(?P<before>(?:[A-Za-z][\w\-]{0,31} ){1,4})(?:is|are) (?:called|named) ['\"`]?"
    r"(?P<new>[a-z][a-z0-9]*(?:_[a-z0-9]+)+|[a-z][a-z0-9]*(?:[A-Z][a-z0-9]+)+)['\"`]?(?=\s*(?:$|[.;,()]))"
)


def _called(param: str, message: str, vocabulary: Vocabulary) -> str | None:
    """The name ``message`` says the setting is called, when the words before it are ``param``'s own.

    "the sampling seed is called random_seed" for seed; never "Your deployment is named gpt4o_prod", nor "the nucleus
    sampling threshold is called top_p" for top_k, whose words say it is another setting (red-team pass nine).
    """
    if " called " not in message and " named " not in message:
        return None
    own = set(words(param.rsplit(".", 1)[-1]))
    for m in _CALLED.finditer(message):
        before = {w.lower() for w in re.findall(r"[A-Za-z]+", m["before"])}
        new = _renamed_leaf(param, m["new"])
        if own <= before and vocabulary.value(new) is ... and _fits(param, vocabulary.value(param), new):
            return new
    return None


def _kin(guess: str, param: str) -> bool:
    """Whether ``guess`` names ``param``'s own setting another way: the same words but for the output's.

    "Did you mean 'max_output_tokens'?" for max_tokens, or 'max_completion_tokens' for max_output_tokens, names the
    same limit under this API's name; a guess by spelling alone ("stop" for store, "top_p" for top_k) shares too few.
    """
    mine, theirs = set(words(param.rsplit(".", 1)[-1])), set(words(guess.rsplit(".", 1)[-1]))
    # Only a word that says "of the output" may differ: max_reasoning_tokens and max_completion_tokens, or
    # prompt_cache_retention and prompt_cache_key, share two words and name different settings (red-team nine).
    if len(mine & theirs) < 2 or not mine ^ theirs:  # noqa: PLR2004 - two words at least
        return False
    if (mine ^ theirs) <= _OUTPUT_WORDS:
        return True
    # Or the guess is the name sent and one word more ("search_recency_filter" for search_recency), a word that
    # moves it to no other side or budget (max_input_tokens, max_reasoning_tokens for max_tokens).
    extra = theirs - mine
    return mine < theirs and len(extra) == 1 and not extra & _OTHER_SIDE


# The words by which one API's name for the output's limit differs from another's.
_OUTPUT_WORDS: Final = frozenset({"output", "completion", "new", "generated", "response", "sampled"})
# The words that move a limit to the input, to the reasoning, or from a cap to a floor.
_OTHER_SIDE: Final = frozenset(
    {"input", "prompt", "context", "min", "minimum", "total", "reasoning", "thinking", "thought", "cache", "kwargs"}
)


def _akin(new: str, param: str, sent: Any) -> bool:
    """Whether a name said loosely is ``param``'s own: its kin, fewer of its words, or one word more.

    One word more only for a number or a list sent: "stop_sequences … reads stop strings from 'stop'", "'p' … the API
    takes 'top_p'", but never a boolean into a count ("logprobs" into "top_logprobs") nor a list of strings into
    token ids ("stop" into "stop_token_ids").
    """
    if _kin(new, param) or _same_name(new, param):
        return True
    mine, theirs = set(words(param)), set(words(new))
    if theirs < mine:
        return True
    number_or_list = isinstance(sent, int | float | list) and not isinstance(sent, bool)
    return number_or_list and mine < theirs and len(theirs - mine) == 1


def _renamed_leaf(param: str, guess: str) -> str:
    """``param`` with its last name spelled as ``guess`` spells it (the object it sits in stays)."""
    parent, _, _ = param.rpartition(".")
    leaf = guess.rsplit(".", 1)[-1]
    return f"{parent}.{leaf}" if parent else leaf


def _used_with(named: tuple[str, JSONScalar], vocabulary: Vocabulary) -> list[Finding]:
    """One value of a param refused beside other params: the value moves along its scale, the others stay."""
    name, value = named
    grounded = vocabulary.ground(name)
    if grounded is None or grounded.role_list is not None or vocabulary.value(grounded.path) != value:
        return []
    scale = next((s for s in g.SCALES if value in s), None)
    if scale is None:
        return []
    return [Finding("value", grounded.path, value=value, allowed=tuple(v for v in scale if v != value))]


def _about(  # noqa: C901, PLR0911, PLR0912 - one exit per verdict
    param: str,
    message: str,
    text: str,
    parts: _Parts,
    vocabulary: Vocabulary,
    *,
    firm: bool = True,
) -> Finding | None:
    when = _condition(parts, vocabulary, param)
    sent = vocabulary.value(param)
    if when is not None and not when.present and vocabulary.value(when.param) is ... and _kin(when.param, param):
        # "'max_completion_tokens' was provided but 'max_tokens' is missing": the same limit under this API's name.
        return Finding("rename", param, new=when.param)
    # A whole number's range ("maxOutputTokens … [1, 65537)", "topK … to 41 (exclusive)"); a temperature's is one of
    # fractions, even when 2 was sent.
    whole = (
        (isinstance(sent, int) or (isinstance(sent, float) and math.isfinite(sent) and sent.is_integer()))
        and not isinstance(sent, bool)
        and _FRACTION_NAME.search(param) is None
    )
    bounds = _bounds(message, integral=whole)
    if when is not None and _outside_bounds(sent, bounds) and bounds is not None and not parts.allowed:
        # A bound beside a condition is still a bound: "max_tokens cannot exceed 4096 without streaming".
        return Finding("clamp", param, minimum=bounds[0], maximum=bounds[1])
    if when is not None and not parts.allowed and (cap := _cap_exceeded(sent, text)) is not None:
        # "max_tokens greater than 4096 requires streaming": what the condition allows is the bound; below it the
        # call goes through either way (leaving max_tokens out would ask for a default that may be larger).
        return Finding("clamp", param, maximum=cap)
    if when is not None and isinstance(sent, int | float) and bounds is not None and not _outside_bounds(sent, bounds):
        # Within the bound the statement gives ("…; `max_tokens` must be at most 4096" for 4096, after the clamp):
        # the condition beside it is another clause's.
        return None
    if parts.suggested is not None:
        name, value = parts.suggested
        grounded = vocabulary.ground(name)
        if grounded is not None and grounded.path == param:
            return Finding("value", param, value=sent, suggested=value, when=when)
    if when is not None and not parts.allowed:
        # "X is only allowed when Y": without Y, X has no effect; leave it out then.
        return Finding("drop", param, when=when)
    if isinstance(sent, list) and (
        g.LIST_TOO_LONG.search(message)
        or _length_of(param, message, vocabulary)
        or g.LIST_ITEM_REFUSED.search(message)
        or ((count := g.ITEM_COUNT.search(message)) is not None and int(count["count"]) == len(sent))
    ):
        # A list refused for its length cannot be trimmed by a fix: it is left out; a protected one ("Invalid 'tools':
        # array too long", r18a-067) is the caller's to trim.
        return None if _DEFAULT_POLICY.blocks(param) else Finding("drop", param, when=when, of_value=True)
    if (d := g.DEFAULT_ONLY.search(message)) is not None:
        said = d["value"] or d["value2"] or d["value3"] or d["value4"]
        return Finding("value", param, value=sent, default_only=True, allowed=_values(said), when=when)
    if (o := g.ONLY_VALUE.search(message)) is not None:
        only = next(v for v in (o[f"value{n}"] for n in ("", "2", "3", "4", "5", "6", "7", "8", "9", "10")) if v)
        # The value is the named setting's: "only accepts n=1" says nothing of max_tokens (red-team pass nine).
        named = o["name2"] or o["name4"] or o["name6"]
        if _names(named, param, vocabulary):
            return Finding("value", param, value=sent, allowed=(literal(only),), when=when)
        # "invalid thinking: only type=enabled is allowed": the setting named inside the param (r5b-016).
        inner = f"{param}.{named}"
        if named and vocabulary.value(inner) is not ...:
            return Finding("value", inner, value=vocabulary.value(inner), allowed=(literal(only),), when=when)
        if named and (other := vocabulary.ground(named)) is not None and other.path != param and not other.role_list:
            # "'max_tokens' 8192 is not supported; this model only accepts n=1": the value is n's to change.
            return Finding("value", other.path, value=vocabulary.value(other.path), allowed=(literal(only),))
    # A text value outside the values the statement lists for it is refused by the list itself ("reasoning_effort
    # should be low, medium or high"); one value required is not a list (_required).
    outside = isinstance(sent, str) and len(parts.allowed) > 1 and sent not in parts.allowed
    outside = outside and any(isinstance(a, str) for a in parts.allowed)
    refused = (
        _said(g.VALUE_REFUSED, message) or _said(g.NEGATIVE, text) or _invalid(param, message, vocabulary) or outside
    )
    listed = parts.allowed or _on_its_scale(sent, message)
    if listed and refused and not isinstance(sent, dict | list):
        return Finding("value", param, value=sent, allowed=listed, default=parts.default, when=when)
    if g.OFF_REFUSED.search(text) and _is_off(sent):
        return Finding("drop", param)
    if _outside_bounds(sent, bounds) and bounds is not None:
        # Outside a stated range: clamped, whatever else the statement says of the value's type.
        return Finding("clamp", param, minimum=bounds[0], maximum=bounds[1])
    if (t := g.TYPE_REFUSED.search(text)) is not None:
        return _mistyped(param, sent, t)
    if _outside_open(sent, text):
        # Outside an open bound: leaving the param out asks for its default, which lies inside.
        return Finding("drop", param, of_value=True)
    if (c := _value_bound(param, sent, text) or _compared(param, sent, text, vocabulary)) is not None:
        return c
    if (
        bounds is not None
        and isinstance(sent, list)
        and ((bounds[1] is not None and len(sent) > bounds[1]) or (bounds[0] is not None and len(sent) < bounds[0]))
    ):
        # "stop sequences must be at most 4" for a list of 5: a list is not trimmed by a fix, it is left out.
        return Finding("drop", param, when=when, of_value=True)
    if bounds is not None and isinstance(sent, int | float) and not isinstance(sent, bool):
        low, high = bounds
        if (low is not None and sent < low) or (high is not None and sent > high):
            return Finding("clamp", param, minimum=low, maximum=high)
        # The bounds it states are met already: the statement is not about this value (after a clamp).
        return None
    if (_said(g.VALUE_REFUSED, message) or _invalid(param, message, vocabulary)) and not _said(g.NEGATIVE, text):
        if isinstance(sent, int | float | dict) and not isinstance(sent, bool):
            # No other number or object is named: leaving the param out asks for its default.
            return Finding("drop", param, when=when, of_value=True)
        return Finding("value", param, value=sent, when=when)
    if _said(g.NEGATIVE, text) or when is not None:
        if (required := _required(sent, parts.allowed)) is not None:
            # 'must be "message" when enable_thinking is true' (r8b-029): the one value it requires, then.
            return Finding("value", param, value=sent, suggested=required, when=when)
        return Finding("drop", param, when=when)
    if not firm:
        return None
    return _constrained(param, sent, message=message, text=text, allowed=parts.allowed, when=when)


def _constrained(  # noqa: PLR0911 - one exit per verdict
    param: str, sent: Any, *, message: str, text: str, allowed: tuple[JSONScalar, ...], when: Condition | None
) -> Finding | None:
    """A param named by its own name under a constraint and no other verdict ("must be non-empty").

    A boolean goes to the other value when the text names it; anything else is left out, which asks for the
    default. Never the conversation, the instructions or a protected param; never a string whose accepted
    alternatives the text lists (no order to go by: README, unordered values).
    """
    # "max_tokens should be reduced: your messages resulted in 7000 tokens" is about the conversation's length.
    about_input = g.INPUT_SIDE.search(message) is not None and re.search(r"\btokens?\b", message, re.IGNORECASE)
    if param.split(".", 1)[0] in _NEVER_CONSTRAINED or not g.CONSTRAINT.search(message) or about_input:
        return None
    if isinstance(sent, int | float) and not isinstance(sent, bool) and _UNREAD_BOUND.search(message):
        # A bound in a form no fragment reads ("cannot exceed 32K", "at most 128 000"): leaving the number out
        # would lift the caller's cap altogether; nothing is learned.
        return None
    if isinstance(sent, bool):
        if g.BOOLEAN_NAMED[not sent].search(text):
            return Finding("value", param, value=sent, suggested=not sent, when=when)
        return Finding("drop", param, when=when, of_value=True)
    if isinstance(sent, str) and (len(allowed) > 1 or g.ALTERNATIVES.search(message)):
        return None
    if (required := _required(sent, allowed)) is not None:
        # "The result_format parameter must be "message"": the one value it requires.
        return Finding("value", param, value=sent, suggested=required, when=when)
    return Finding("drop", param, when=when, of_value=True)


_UNREAD_BOUND: Final = re.compile(
    r"\b(?:at (?:most|least)|exceeds?|maximum|minimum|max|min|limit|between|range|less than|greater than|more than)\b"
    r"[^.;\n]{0,24}\d|<=|>=",
    re.IGNORECASE,
)


_LEVELS_NAMED: Final = 2


def _on_its_scale(sent: Any, message: str) -> tuple[str, ...]:
    """The other values of ``sent``'s scale the message names, when it names two or more; else none.

    "o3 thinks at one of three levels (low, medium, high); 'minimal' is below what it offers": the levels are
    listed in no form a list fragment reads, but each is a word of the scale the refused value is on.
    """
    if not isinstance(sent, str):
        return ()
    folded = sent.lower()
    scale = next((s for s in g.SCALES if folded in s), None)
    if scale is None:
        return ()
    named = tuple(
        v for v in scale if v != folded and re.search(rf"(?<![\w\-.]){v}(?![\w\-]|\.\w)", message, re.IGNORECASE)
    )
    return named if len(named) >= _LEVELS_NAMED else ()


def _required(sent: Any, allowed: tuple[JSONScalar, ...]) -> JSONScalar | None:
    """The one accepted value a statement names, when it can stand for the value sent."""
    if len(allowed) != 1 or allowed[0] == sent or allowed[0] is None or not _alike(sent, allowed[0]):
        return None
    return allowed[0]


def _alike(sent: Any, new: JSONScalar) -> bool:
    """Whether ``new`` can stand for ``sent``: text for text, a number for a number."""
    if isinstance(sent, bool) or isinstance(new, bool):
        return isinstance(sent, bool) and isinstance(new, bool)
    number = (int, float)
    return (isinstance(sent, str) and isinstance(new, str)) or (isinstance(sent, number) and isinstance(new, number))


def _outside_bounds(sent: Any, bounds: tuple[int | float | None, int | float | None] | None) -> bool:
    """Whether a number lies outside closed bounds."""
    if bounds is None or isinstance(sent, bool) or not isinstance(sent, int | float):
        return False
    low, high = bounds
    return (low is not None and sent < low) or (high is not None and sent > high)


def _names(name: str | None, param: str, vocabulary: Vocabulary) -> bool:
    """Whether a name a fragment gives beside a value (if it gives one) is ``param``'s."""
    if name is None:
        return True
    grounded = vocabulary.ground(name)
    return grounded is not None and grounded.path == param


def _length_of(param: str, message: str, vocabulary: Vocabulary) -> bool:
    """Whether the message says the length of ``param`` exceeds a limit ("Length of stop ([...]) exceeds")."""
    m = g.LIST_LENGTH.search(message)
    grounded = vocabulary.ground(m["name"]) if m is not None else None
    return grounded is not None and grounded.path == param


# A statement that says only that a named value is invalid, and where to read about it.
_BARE_INVALID: Final = re.compile(
    rf"(?:(?:the )?(?:value (?:of|for) )?{g.QUOTE}?\$?\.?{g.NAME}{g.QUOTE}? (?:is|are) (?:invalid|not valid)"
    rf"|invalid value for {g.QUOTE}?\$?\.?{g.NAME}{g.QUOTE}?)[.!]?(?:\s+please (?:check|see|refer)[^\n]{{0,200}})?",
    re.IGNORECASE,
)
_INVALID: Final = re.compile(rf"\binvalid {g.QUOTE}?(?P<name>{g.NAME})", re.IGNORECASE)


def _invalid(param: str, message: str, vocabulary: Vocabulary) -> bool:
    """Whether the message calls the param itself invalid ("Invalid reasoning_effort: minimal", gm-011).

    The name is grounded like any other ("Invalid reasoningEffort" is reasoning_effort's).
    """
    for m in _INVALID.finditer(message):
        grounded = vocabulary.ground(m["name"].rstrip("."))
        if grounded is not None and grounded.path == param:
            return True
    return False


def _is_off(value: Any) -> bool:
    """Whether a sent value turns something off: false, "none", or an object with enabled false."""
    if value is False or value is None:
        return True
    if isinstance(value, str):
        return value.lower() in ("none", "off", "disabled", "false")
    # {"enabled": false}, or a discriminated object switched off: {"type": "disabled"} (r7c-006).
    return isinstance(value, dict) and (value.get("enabled") is False or _is_off_type(value.get("type")))


def _is_off_type(value: Any) -> bool:
    return isinstance(value, str) and value.lower() in ("none", "off", "disabled")


_TYPES: Final = {"number": float, "double": float, "decimal": float, "boolean": bool, "bool": bool, "string": str}
_ABOVE: Final = frozenset({">", "greater", "larger", "bigger", "higher", "more"})


# The types a text or a number is never converted into.
_CONTAINER_TYPES: Final = frozenset({"jsonarray", "jsonobject", "array", "object"})


def _mistyped(param: str, sent: Any, m: re.Match[str]) -> Finding | None:  # noqa: PLR0911 - one exit per type
    """A value of the wrong type: null is left out, a number sent as a string is sent as the number."""
    name = (m["t1"] or m["t2"] or m["t3"] or m["t4"] or m["t5"]).lower()
    wanted = _TYPES.get(name) or (int if name[0] in "iu" else float if name[0] == "f" else None)
    if sent is None:
        return Finding("drop", param, of_value=True)
    container = name in _CONTAINER_TYPES
    if isinstance(sent, dict) and not container:
        # An object where a text or a number is wanted ("container: Input should be a valid string" for
        # {"id": …}, r18a-015): what it holds is the caller's state, which no fix may leave out.
        return None
    if container or isinstance(sent, list | dict):
        # A string sent for a list or an object, or a list where an item should be: no fix converts it. Of a
        # protected param ("'json_object' is not of type 'object' - 'response_format'", e075), the caller's to mend.
        return None if _DEFAULT_POLICY.blocks(param) else Finding("drop", param, of_value=True)
    if wanted is bool and sent in (0, 1) and not isinstance(sent, bool):
        # 1 for a boolean is true, 0 false (r6a-031).
        return Finding("value", param, value=sent, suggested=bool(sent))
    if wanted is bool and isinstance(sent, str) and sent.strip().lower() in ("true", "false"):
        # "true" as text for a boolean is true (y-069).
        return Finding("value", param, value=sent, suggested=sent.strip().lower() == "true")
    if wanted not in (int, float) or isinstance(sent, bool):
        return None
    value = literal(sent) if isinstance(sent, str) else sent
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if wanted is int:
        # 3.0 for an integer field is 3; 100.5 is sent as 100, for that value only: a drop would lose the cap of
        # every later call (red-team pass nine, r21a-075).
        if not math.isfinite(value):
            return None
        new: int | float = int(value)
    else:
        new = float(value)
    return None if type(new) is type(sent) and new == sent else Finding("value", param, value=sent, suggested=new)


def _outside_open(sent: Any, text: str) -> bool:
    """Whether a number breaks a strict bound the text requires ("> 0.0 and < 1.0", "(0, +inf)")."""
    if isinstance(sent, bool) or not isinstance(sent, int | float):
        return False
    if g.POSITIVE.search(text) and sent <= 0:
        return True
    if not g.REQUIREMENT.search(text):
        return False
    if any(sent <= bound if above else sent >= bound for bound, above in _open_ends(text)):
        return True
    for i in g.INTERVAL.finditer(text):
        low, high = _number(i["lo"]), _number(i["hi"])
        if (i["left"] == "(" and low is not None and sent <= low) or (
            i["right"] == ")" and high is not None and sent >= high
        ):
            return True
    return False


def _cap_exceeded(sent: Any, text: str) -> int | float | None:
    """The one upper bound a sent number is over, as "greater than 4096" or "> 4096" puts it, else None."""
    if isinstance(sent, bool) or not isinstance(sent, int | float):
        return None
    caps = [bound for bound, above in _open_ends(text) if above]
    return caps[0] if len(caps) == 1 and sent > caps[0] else None


def _open_ends(text: str) -> list[tuple[int | float, bool]]:
    """Each strict bound the text states ("> 0", "less than 4095"), and whether it bounds from below."""
    return [
        (bound, m["op"].lower().split()[0] in _ABOVE)
        for m in g.RANGE_OPEN.finditer(text)
        if (bound := _number(m["n"])) is not None
    ]


def _value_bound(param: str, sent: Any, text: str) -> Finding | None:
    """A validator's "8192 is not less or equal to 8191" / "expected maximum: 1, found: 1.5" about the sent value."""
    if isinstance(sent, bool) or not isinstance(sent, int | float):
        return None
    for m in g.VALUE_BOUND.finditer(text):
        if _number(m["a"] or m["a2"]) != sent or (bound := _number(m["b"] or m["b2"])) is None:
            continue
        upper = (m["op"] or m["op2"]).lower() in ("less", "maximum")
        if upper and sent > bound:
            return Finding("clamp", param, maximum=bound)
        if not upper and sent < bound:
            return Finding("clamp", param, minimum=bound)
    return None


def _compared(param: str, sent: Any, text: str, vocabulary: Vocabulary) -> Finding | None:
    """A param compared with a number it must not pass: "max_tokens > 4096 must…" (r2b-030)."""
    if isinstance(sent, bool) or not isinstance(sent, int | float):
        return None
    for m in g.VALUE_COMPARED.finditer(text):
        # The sent value compared with a bound: "100000 > 64000".
        if _number(m["a"]) == sent and (bound := _number(m["b"])) is not None:
            if m["op"] == ">" and sent > bound:
                return Finding("clamp", param, maximum=bound)
            if m["op"] == "<" and sent < bound:
                return Finding("clamp", param, minimum=bound)
    for m in g.COMPARED.finditer(text):
        grounded = vocabulary.ground(m["name"])
        bound = _number(m["n"])
        if grounded is None or grounded.path != param or bound is None:
            continue
        if m["op"].startswith(">") and sent > bound:
            return Finding("clamp", param, maximum=bound)
        if m["op"].startswith("<") and sent < bound:
            return Finding("clamp", param, minimum=bound)
    return None


def _inside(end: float | None, step: int, *, integral: bool) -> float | None:
    """An excluded end as a bound: in a range of whole numbers, the next one inside; else no closed bound."""
    # "(0, 1)", "[0, 1)" bound a probability however it was sent: an end below 2 is never a count's.
    return end + step if integral and end is not None and abs(end) >= 2 else None  # noqa: PLR2004


def _bounds(message: str, *, integral: bool = False) -> tuple[int | float | None, int | float | None] | None:
    """The range ``message`` states, as closed bounds; ``integral`` when the value sent is a whole number.

    An excluded end of whole numbers ("to 65537 (exclusive)", "[1, 65537)") bounds a whole number at the next one
    inside; any other excluded end bounds at no closed value (outside it the param is left out, _outside_open).
    """
    message = g.RECOMMENDED.sub(lambda m: " " * len(m[0]), message)
    if (m := g.RANGE_FROM_TO.search(message)) is not None:
        first, last = _number(m["lo"]), _number(m["hi"])
        whole = integral and isinstance(first, int) and isinstance(last, int)
        if m["lox"] and m["lox"].lower() == "exclusive":
            first = _inside(first, 1, integral=whole)
        if m["hix"] and m["hix"].lower() == "exclusive":
            last = _inside(last, -1, integral=whole)
        return first, last
    if (
        m := g.RANGE_BRACKETS.search(message)
        or g.RANGE_BETWEEN.search(message)
        or g.RANGE_DOTS.search(message)
        or g.RANGE_SPAN.search(message)
    ) is not None:
        return _number(m["lo"] or m.groupdict().get("lo2") or ""), _number(m["hi"] or m.groupdict().get("hi2") or "")
    for i in g.INTERVAL.finditer(message):
        # A half-open interval ("(0, 1]"): its closed end is a bound to clamp to; outside its open end, the
        # param was left out already (_outside_open).
        start, end = _number(i["lo"]), _number(i["hi"])
        # A range of whole numbers ("[1, 65537)" for a count); "(0, 1.0]" is one of fractions, whatever was sent.
        whole = integral and isinstance(start, int) and isinstance(end, int)
        # An open low end stays open: "(0, 1]" is a fraction's range written in whole numbers as often as not.
        closed_low = start if i["left"] == "[" else None
        closed_high = end if i["right"] == "]" else _inside(end, -1, integral=whole)
        if closed_low is not None or closed_high is not None:
            return closed_low, closed_high
    high = g.RANGE_AT_MOST.search(message)
    low = g.RANGE_AT_LEAST.search(message)
    minimum = (0 if low["zero"] is not None else _number(low["n"])) if low else None
    maximum = _number(high["n"]) if high else None
    if integral:
        # Of whole numbers, a strict bound is a closed one a step inside: "must be > 0 and <= 2" is [1, 2],
        # "strictly positive and less than 4095" is [1, 4094].
        # A strict low end alone is no range: below "strictly positive", top_k 0 means off, and is left out
        # (_outside_open), not set to 1.
        open_low, open_high = _strict_bounds(message)
        maximum = open_high if maximum is None else maximum
        minimum = open_low if minimum is None and maximum is not None else minimum
    return None if minimum is None and maximum is None else (minimum, maximum)


def _strict_bounds(message: str) -> tuple[int | None, int | None]:
    """The closed whole-number bounds a message's strict ones make ("> 0" is 1, "less than 4095" is 4094)."""
    low = 1 if g.POSITIVE.search(message) else None
    high = None
    if g.REQUIREMENT.search(message):
        for bound, above in _open_ends(message):
            if not isinstance(bound, int):
                continue
            if above:
                low = bound + 1 if low is None else low
            elif high is None:
                high = _inside(bound, -1, integral=True)
    return low, high if high is None else int(high)


def _roles_in_prose(message: str) -> set[str]:
    """The rewritable roles a message refuses in words ("System messages are not supported").

    A message about a role's *content* ("System message content is not allowed to be empty")
    refuses no role.
    """
    lowered = message.lower()
    if "system" not in lowered and "developer" not in lowered:
        return set()
    message = g.ROLE_SUGGESTED.sub(" ", g.ROLE_SCOPE.sub(" ", message))
    refused = _said(g.NEGATIVE, message) or _said(g.VALUE_REFUSED, message) or g.ROLE_REFUSED.search(message)
    if g.ROLE_CONTENT.search(message) or not refused:
        return set()
    return {next(w[k] for k in "abcdefg" if w[k]).lower() for w in g.ROLE_WORD.finditer(message)}


_QUOTED: Final = re.compile(r"'([^'\n]{2,64})'|\"([^\"\n]{2,64})\"|`([^`\n]{2,64})`")


def _value_to_use(param: str, message: str, vocabulary: Vocabulary) -> JSONScalar | None:
    """The value the message says to use instead of the string sent, which it quotes; not a param's name."""
    sent = vocabulary.value(param)
    if not isinstance(sent, str) or not re.search(rf"['\"`]{re.escape(sent)}['\"`]", message):
        return None
    m = g.USE_VALUE.search(message)
    if m is None:
        return None
    use = literal(m["value"])
    # A dotted name is a param's ("Use 'reasoning.effort' instead"), never a value to send.
    if not isinstance(use, str) or use == sent or "." in use or vocabulary.ground(use) is not None:
        return None
    return use


_NUMBER_TOKEN: Final = re.compile(rf"(?<![\w.]){g.NUMBER}(?![\w.])")


def _setting_quoted(path: str, message: str, vocabulary: Vocabulary) -> str:
    """An object param's one setting whose number the message quotes, else the param itself.

    "The thinking budget -2 is invalid" about ``thinking`` is about ``thinking.budget_tokens``, the one setting
    of it sent as -2 (r6b-004).
    """
    if not isinstance(vocabulary.value(path), dict):
        return path
    for m in _QUOTED.finditer(message) if path.split(".", 1)[0] not in DEFAULT_PROTECTED else ():
        # Or whose text: "'adaptive' is not supported" about thinking is about thinking.type (r7c-031).
        quoted = next(v for v in m.groups() if v is not None)
        inside = [p for p in vocabulary.paths() if p.startswith(f"{path}.") and vocabulary.value(p) == quoted]
        if len(inside) == 1:
            return inside[0]
    for m in _NUMBER_TOKEN.finditer(message):
        number = _number(m[0])
        inside = [
            p
            for p in vocabulary.paths()
            if p.startswith(f"{path}.")
            and isinstance(sent := vocabulary.value(p), int | float)
            and not isinstance(sent, bool)
            and sent == number
        ]
        if len(inside) == 1:
            return inside[0]
    return path


def _unnamed(pattern: re.Pattern[str], message: str) -> re.Match[str] | None:
    """``pattern``'s first match, where nothing before it in its clause names what it is about (g.UNNAMED)."""
    m = pattern.search(message)
    if m is None:
        return None
    # Everything before it counts ("The request contains 4096 tokens; 4096 is not…" is about tokens). "invalid
    # type: …" starts the validator's own words: what comes before those is what it validates.
    before = re.sub(r"\binvalid type\s?:\s*$", "", message[: m.start()])
    return m if g.UNNAMED.search(before) else None


def _the_one(vocabulary: Vocabulary, holds: Callable[[Any], bool]) -> list[str]:
    """The one param whose sent value ``holds``, if exactly one does and it is neither protected nor the conversation.

    The subject of a statement that names no param: the number it quotes, the list item it refuses, the text it
    gives as a word. Items are never the subject: only params are looked at, not what lies inside lists.
    """
    paths = [p for p in vocabulary.paths() if holds(vocabulary.value(p))]
    if len(paths) == 1 and paths[0].split(".", 1)[0] not in DEFAULT_PROTECTED | CONVERSATION:
        return paths
    return []


# A protobuf or Java enum constant: THINKING_LEVEL_MINIMAL, HARM_BLOCK_THRESHOLD_UNSPECIFIED.
_ENUM_CONSTANT: Final = re.compile(r"(?<![\w.])[A-Z][A-Z0-9]{1,31}(?:_[A-Z0-9]{1,31}){1,5}(?![\w.])")
_ASSIGNED: Final = re.compile(rf"(?<![\w.])(?P<name>[A-Za-z_]\w{{0,63}})\s?=\s?(?P<value>{g.NUMBER})(?![\w.])")


# A word and a number: "Budget 0 is invalid" names thinkingBudget by its last word and the value sent.
_WORD_NUMBER: Final = re.compile(rf"(?<![\w.])(?P<word>[A-Za-z]{{3,32}}) (?:of )?(?P<value>{g.NUMBER})(?![\w.])")


def _alias(message: str, vocabulary: Vocabulary) -> list[str] | None:
    """The one sent param whose number a ``name=value`` the request does not carry gives, when the body refuses it.

    A server's own name for a param (Infinity's ``matryoshka_dim`` for ``dimensions``, r10c-022), or the last word
    of the param's name before the number sent ("Budget 0 is invalid" for thinkingConfig.thinkingBudget: 0).
    """
    if _ASSIGNED.search(message) is None and _WORD_NUMBER.search(message) is None:
        return None
    if not (_said(g.VALUE_REFUSED, message) or _said(g.NEGATIVE, message) or _bounds(message) is not None):
        return None
    for m in _ASSIGNED.finditer(message):
        if vocabulary.ground(m["name"]) is None and (found := _the_one(vocabulary, _number_sent(_number(m["value"])))):
            return found
    for m in _WORD_NUMBER.finditer(message):
        word, value = m["word"].lower(), _number(m["value"])
        holds = _number_sent(value)
        named = [p for p in vocabulary.paths() if holds(vocabulary.value(p)) and words(p)[-1:] == (word,)]
        if len(named) == 1 and named[0].split(".", 1)[0] not in DEFAULT_PROTECTED | CONVERSATION:
            return named
    return None


def _number_sent(value: float | None) -> Callable[[Any], bool]:
    """A test for a sent number (not a bool) equal to ``value``."""
    return lambda sent: (
        value is not None and isinstance(sent, int | float) and not isinstance(sent, bool) and sent == value
    )


# What a count param's name says it counts: candidateCount, num_candidates, n_choices (never max_completion_tokens).
_COUNT_WORDS: Final = frozenset({"count", "num", "number", "n"})


def _counted(message: str, vocabulary: Vocabulary) -> Finding | None:
    """A count the server caps, named as a thing: "Only one candidate can be specified" -> candidateCount = 1."""
    m = g.ONLY_COUNT.search(message)
    if m is None:
        return None
    cap = 1 if m["b"] or not m["n"][0].isdigit() else int(m["n"])
    noun = m["a"] or m["b"]
    if noun.lower().startswith("token"):
        return None  # "at most 512 tokens are allowed" is a length, not a count of things
    counts = [
        found.path
        for found in vocabulary.ground_capability(noun)
        if _COUNT_WORDS & set(words(found.path.rsplit(".", 1)[-1]))
        and isinstance(sent := vocabulary.value(found.path), int)
        and not isinstance(sent, bool)
        and sent > cap
    ]
    if len(counts) != 1 or counts[0].split(".", 1)[0] in DEFAULT_PROTECTED:
        return None
    return Finding("value", counts[0], value=vocabulary.value(counts[0]), suggested=cap)


def _params_holding(message: str, vocabulary: Vocabulary, suffix: str = "") -> list[str]:
    """The one path whose sent value the message quotes first, if exactly one holds it and it is not protected.

    Only quoted values count: a bare word ("none", "auto") is prose. ``suffix`` narrows the
    search: a proxy that redacts the param (``***.effort``, e026) keeps its end.
    """
    for m in _QUOTED.finditer(message):
        value = next(v for v in m.groups() if v is not None)
        paths = [
            p
            for p in vocabulary.paths()
            if vocabulary.value(p) == value and (not suffix or p == suffix or p.endswith(f".{suffix}"))
        ]
        # A protected path holding the same value makes it ambiguous, not the other one's.
        if len(paths) == 1 and paths[0].split(".", 1)[0] not in DEFAULT_PROTECTED:
            return paths
        if paths:
            return []
    return []
