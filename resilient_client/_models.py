"""Value objects: deployment keys, fixes, learned rules and the repair policy.

Everything here is a frozen dataclass so that rules can be shared between threads
and tasks without copies or locks; change them with :func:`dataclasses.replace`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Final, Literal, TypeAlias

JSONScalar: TypeAlias = str | int | float | bool | None

# Request fields that carry the meaning of a request: the conversation, the model,
# what the model may call, the shape of the answer, and whether it streams. The
# library never drops, renames or rewrites them unless a RepairPolicy allows it.
DEFAULT_PROTECTED: frozenset[str] = frozenset(
    {
        "audio",
        # Cohere's v1 chat: the user's turn, the turns before it, and its system prompt; the content that comes with
        # a request (Ollama's images and context, Cohere's documents).
        "chat_history",
        "context",
        "documents",
        "images",
        "message",
        "preamble",
        # Gemini's context cache holds part of the conversation (documents, instructions).
        "cachedContent",
        "cached_content",
        "contents",
        "conversation",
        "function_call",
        "functions",
        # Structured output of other APIs: Ollama's format, llama.cpp's json_schema, Anthropic's output_format,
        # vLLM's guided decoding and structured_outputs.
        "format",
        "guided_choice",
        "guided_grammar",
        "guided_json",
        "guided_regex",
        "input",
        "instructions",
        "json_schema",
        "messages",
        "modalities",
        "model",
        "n",
        "output_format",
        "prediction",
        "previous_response_id",
        "prompt",
        "response_format",
        "stream",
        "structured_outputs",
        "suffix",
        # The instructions of native bodies a gateway or a generic base_url relays: Anthropic's and Bedrock's
        # system prompt, Gemini's systemInstruction (and its conversation, contents).
        "system",
        "systemInstruction",
        "system_instruction",
        "text",
        "tool_choice",
        "tools",
        # Bedrock Converse's and Gemini's tools and tool choice (toolConfig.tools, toolConfig.toolChoice;
        # tool_config.function_calling_config), and Bedrock's guardrails.
        "toolConfig",
        "guardrailConfig",
        # Structured output and output modalities inside settings objects (a path protects what lies under it, and
        # a fix on a parent of it, such as dropping all of generationConfig, changes it too): Gemini's JSON mode and
        # schemas, and at the top level where SDKs flatten them; Anthropic's output_config.format; Bedrock Converse's
        # outputConfig.textFormat. Each is matched in its snake_case spelling too (generation_config.response_schema).
        "generationConfig.responseJsonSchema",
        "generationConfig.responseMimeType",
        "generationConfig.responseModalities",
        "generationConfig.responseSchema",
        "outputConfig.textFormat",
        "output_config.format",
        "additionalModelRequestFields.output_config.format",
        "response_json_schema",
        "response_mime_type",
        "response_schema",
        "response_modalities",
    }
)


# Params no policy can open up: the SDK picks the call's return type (a Stream or
# an object) and its route from them, so a repair would hand the caller the wrong thing.
UNCHANGEABLE: frozenset[str] = frozenset({"model", "stream"})


@dataclass(frozen=True, slots=True)
class DeploymentKey:
    """What learned rules are keyed by.

    A deployment name hides the model behind it, so rules are never keyed by the
    model name alone: the same name on two resources, or on two api-versions, may
    accept different parameters.

    Attributes:
        host: Endpoint host, e.g. ``myres.openai.azure.com``.
        deployment: Azure deployment name, or the ``model`` for OpenAI-style endpoints.
        api_version: The ``api-version`` query value ("" when none is sent).
        operation: The API path, e.g. ``chat/completions`` or ``responses``.
    """

    host: str
    deployment: str
    api_version: str
    operation: str

    def __str__(self) -> str:
        return f"{self.host}/{self.deployment}?api-version={self.api_version}#{self.operation}"


@dataclass(frozen=True, slots=True)
class Condition:
    """When a conditional fix holds: while the request carries ``param`` (``present``) or not.

    "Carries" means sent with a value that does something: ``tools: []``, ``stream: false``
    and ``null`` count as not carried, the way servers read them.
    """

    param: str
    present: bool = False

    def holds(self, body: dict[str, object]) -> bool:
        """Whether the condition holds for ``body``."""
        value: object = body
        for part in self.param.split("."):
            value = value.get(part) if isinstance(value, dict) else None
        empty = isinstance(value, list | dict | str) and not value
        carried = not (value is None or value is False or empty)
        return carried is self.present

    def __str__(self) -> str:
        return f"{'with' if self.present else 'without'} {self.param}"


@dataclass(frozen=True, slots=True)
class Rename:
    """Send ``param``'s value under the name ``new`` (``max_tokens`` -> ``max_completion_tokens``)."""

    param: str
    new: str
    kind: Literal["rename"] = "rename"


@dataclass(frozen=True, slots=True)
class Drop:
    """Leave ``param`` out of the request (only while ``when`` holds, if set)."""

    param: str
    kind: Literal["drop"] = "drop"
    when: Condition | None = None


@dataclass(frozen=True, slots=True)
class SetValue:
    """Replace the value ``old`` of ``param`` by ``new``; ``new=None`` leaves the param out.

    The rule only fires when the request carries exactly ``old`` (and ``when`` holds,
    if set): other values the deployment accepts are sent as they are.
    """

    param: str
    old: JSONScalar
    new: JSONScalar
    kind: Literal["set_value"] = "set_value"
    when: Condition | None = None


@dataclass(frozen=True, slots=True)
class Clamp:
    """Keep a numeric ``param`` within ``[minimum, maximum]`` (either bound may be open)."""

    param: str
    minimum: int | float | None = None
    maximum: int | float | None = None
    kind: Literal["clamp"] = "clamp"


@dataclass(frozen=True, slots=True)
class ChangeRole:
    """Send messages of role ``role`` as role ``new``.

    ``new="user"`` folds the message's text into the first user message (the way
    o1-mini needs its system prompt), or turns it into a user message when there is
    none. ``developer`` -> ``system`` is for deployments that refuse the newer role.
    """

    role: str
    new: Literal["developer", "system", "user"]
    param: str = "messages"
    kind: Literal["change_role"] = "change_role"


Fix: TypeAlias = Rename | Drop | SetValue | Clamp | ChangeRole


@dataclass(frozen=True, slots=True)
class Evidence:
    """Why a rule exists: what Azure said, when, and how often.

    Attributes:
        status: HTTP status of the rejection.
        code: The error ``code`` Azure sent, if any.
        message: Azure's message, truncated; it never contains prompt text or keys.
        first_seen: Unix time the rejection was first seen.
        last_seen: Unix time it was last seen.
        hits: How many times Azure sent this rejection.
        uses: How many calls the rule rewrote before they were sent (rejections
            avoided). Counted in memory and written with the key's next store write,
            or when the client is closed: a warm call stays a memory read.
    """

    status: int
    code: str | None
    message: str
    first_seen: float
    last_seen: float
    hits: int = 1
    uses: int = 0


@dataclass(frozen=True, slots=True)
class LearnedRule:
    """A fix together with the evidence for it."""

    fix: Fix
    evidence: Evidence


@dataclass(frozen=True, slots=True)
class DeploymentMapping:
    """What is known about one deployment key.

    Attributes:
        rules: The learned rules, applied in the order they were learned: each was
            learned from a request that had all earlier ones applied.
        accepted: Parameter signatures (see ``_core.signature``) Azure has accepted
            for this key. A request carrying only accepted ones needs no care; one
            carrying others goes through single-flight learning.
        model: The model the deployment last reported in a response. When it
            changes (Azure upgraded the deployment), rules are relearned.
    """

    rules: tuple[LearnedRule, ...] = ()
    accepted: frozenset[str] = frozenset()
    model: str | None = None
    fixes: tuple[Fix, ...] = field(init=False, repr=False, compare=False)
    """The fixes alone, in application order (computed once: read on every call)."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "fixes", tuple(rule.fix for rule in self.rules))


def _spelling(path: str) -> str:
    """``path`` with each name in lowerCamelCase: ``generation_config.response_mime_type`` -> ``generationConfig.…``.

    A server that takes JSON names the protobuf way (Gemini) accepts a field's snake_case and lowerCamelCase
    spellings as one name, and one that names its fields in PascalCase (Tencent Cloud's ``Messages``, ``Stream``,
    ``Tools``) means the same params by them; other cases ("generationconfig") are other names, which Gemini
    refuses.
    """
    spelled = (re.sub(r"[_-]+([A-Za-z0-9])", lambda m: m[1].upper(), part) for part in path.split("."))
    return ".".join(part[:1].lower() + part[1:] for part in spelled)


_MISS: object = object()
_CACHE_SIZE = 1024
# Objects that wrap a whole native body (Cloud Code Assist's "request", a relay's "payload"), in the one spelling.
_WRAPPERS: Final = frozenset({"request", "body", "payload", "data", "params", "parameters", "extraBody", "json"})
_MAX_WRAPPERS: Final = 2
# Of those, the ones that hold the conversation itself: dropped whole, they drop it.
_BODY_WRAPPERS: Final = frozenset({"request", "payload", "body"})


@dataclass(frozen=True, slots=True)
class _ProtectionIndex:
    """A policy's names and paths in one spelling, the paths grouped by their root."""

    roots: dict[str, str]
    nested: dict[str, tuple[tuple[str, str], ...]]
    allow: tuple[str, ...]
    cache: dict[str, str | None] = field(default_factory=dict, compare=False)

    @classmethod
    def of(cls, protected: frozenset[str], allow: frozenset[str]) -> _ProtectionIndex:
        roots = {_spelling(p): p for p in sorted(protected | UNCHANGEABLE) if "." not in p}
        nested: dict[str, tuple[tuple[str, str], ...]] = {}
        for path in sorted(p for p in protected if "." in p):
            spelled = _spelling(path)
            root = spelled.split(".", 1)[0]
            nested[root] = (*nested.get(root, ()), (spelled, path))
        return cls(roots, nested, tuple(sorted(_spelling(a) for a in allow)))

    def protecting(self, param: str) -> str | None:
        # Read for every fix on every call: a param seen before is answered from the cache.
        if (hit := self.cache.get(param, _MISS)) is not _MISS:
            return hit  # type: ignore[return-value]  # a str or None, as stored below
        found = self._protecting(param)
        if len(self.cache) < _CACHE_SIZE:
            self.cache[param] = found
        return found

    def _protecting(self, param: str) -> str | None:
        spelled = _spelling(param)
        # A proxy's envelope around the native body ({"model": …, "request": {"generationConfig": …}}): what is
        # protected at the top of a body is protected inside its wrapper too.
        names = spelled.split(".")
        if len(names) == 1 and spelled in _BODY_WRAPPERS:
            return param  # the whole native body, the conversation in it
        for depth in range(min(len(names) - 1, _MAX_WRAPPERS) + 1):
            if depth and names[depth - 1] not in _WRAPPERS:
                break
            if (found := self._anchored(".".join(names[depth:]))) is not None:
                return found
        return None

    def _anchored(self, spelled: str) -> str | None:
        root = spelled.split(".", 1)[0]
        if root in UNCHANGEABLE:  # one word each, the same in every spelling
            return self.roots[root]
        if root in self.roots:
            return None if self._allowed(root, spelled) else self.roots[root]
        for path, name in self.nested.get(root, ()):
            related = path == spelled or path.startswith(f"{spelled}.") or spelled.startswith(f"{path}.")
            if related and not self._allowed(path, spelled):
                return name
        return None

    def _allowed(self, path: str, param: str) -> bool:
        return any(a in (path, param) or path.startswith(f"{a}.") or param.startswith(f"{a}.") for a in self.allow)


@dataclass(frozen=True, slots=True)
class RepairPolicy:
    """What the library may change in a request.

    Attributes:
        allow: Protected params the library may nevertheless drop, rename or rewrite
            (e.g. ``{"tools"}`` for deployments without function calling). ``model`` and
            ``stream`` can never be allowed: the SDK picks the return type from them.
        protected: Params whose change would change the meaning of a request.
        change_roles: Whether rejected message roles (``system``/``developer``) may
            be rewritten. On by default: it is how reasoning models take a system prompt.
    """

    allow: frozenset[str] = field(default_factory=frozenset)
    protected: frozenset[str] = DEFAULT_PROTECTED
    change_roles: bool = True
    _index: _ProtectionIndex = field(init=False, repr=False, compare=False)
    """The protected and allowed names and paths in one spelling (computed once: read on every call)."""

    def __post_init__(self) -> None:
        # Checked at run time: policies often come from configuration. A bare string would be
        # matched by substring ("input" would allow the protected "n").
        for name in ("allow", "protected"):
            value: object = getattr(self, name)
            if isinstance(value, str | bytes) or not isinstance(value, set | frozenset | list | tuple):
                msg = f"RepairPolicy.{name} must be a set of param names, not {value!r}"
                raise TypeError(msg)
            if not all(isinstance(v, str) and v for v in value):
                msg = f"RepairPolicy.{name} must hold param names (non-empty strings), not {sorted(map(repr, value))}"
                raise TypeError(msg)
            object.__setattr__(self, name, frozenset(value))
        object.__setattr__(self, "_index", _ProtectionIndex.of(self.protected, self.allow))
        change_roles: object = self.change_roles
        if not isinstance(change_roles, bool):
            msg = f"RepairPolicy.change_roles must be True or False, not {change_roles!r}"
            raise TypeError(msg)

    def __repr__(self) -> str:
        # Sorted: a frozenset's own repr follows the process's hash seed.
        def names(values: frozenset[str]) -> str:
            return f"frozenset({{{', '.join(map(repr, sorted(values)))}}})" if values else "frozenset()"

        return (
            f"RepairPolicy(allow={names(self.allow)}, protected={names(self.protected)}, "
            f"change_roles={self.change_roles})"
        )

    def blocks(self, param: str) -> bool:
        """Whether a fix touching ``param`` (or anything under it) needs the user's consent."""
        return self.protecting(param) is not None

    def protecting(self, param: str) -> str | None:
        """The protected path a fix touching ``param`` would change without the user's consent, if any.

        A protected name or path covers everything under it (``tools`` covers ``tools.0``), and a fix on a parent
        of a protected path changes it too (dropping ``generationConfig`` drops
        ``generationConfig.responseMimeType``). Names match in snake_case, lowerCamelCase and PascalCase alike, as
        Gemini takes the first two (``generation_config.responseMimeType`` is the camelCase path) and Tencent Cloud
        the third (``Tools``); other cases ("generationconfig") are other names.
        ``allow`` lifts a protection when it names the protected path, the param, or a parent of either.
        """
        return self._index.protecting(param)
