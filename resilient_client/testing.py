"""An Azure OpenAI emulator on loopback, for tests, the demo and cassette recording.

Each deployment is backed by a :class:`ModelProfile` whose rules reject parameters,
values and roles with the wordings Azure really sends (each rule names the corpus
entry in ``tests/data/azure_errors.jsonl`` its wording comes from). Accepted
requests get a 200 in the shapes of chat completions, completions, responses and
embeddings, streamed as SSE when asked, with Azure's headers.

Example::

    with AzureEmulator() as azure:
        client = ResilientAzureClient(azure_endpoint=azure.endpoint, api_key="k",
                                      api_version="2025-04-01-preview", store=tmp_path / "rules.json")
        client.chat.completions.create(model="o4-mini", messages=[...], max_tokens=50)
        assert azure.count("o4-mini") == 2
"""

from __future__ import annotations

import contextlib
import email.message
import io
import json
import re
import socket
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any, Final, TypeAlias

if TYPE_CHECKING:
    from typing_extensions import Self

__all__ = [
    "API_VERSION_INTRODUCED",
    "PROFILES",
    "PROVIDERS",
    "AllowedOnly",
    "Answer",
    "AzureEmulator",
    "DefaultOnly",
    "Fixed",
    "Forbidden",
    "ModelProfile",
    "NoRole",
    "OnlyWith",
    "OutOfRange",
    "Provider",
    "RateLimited",
    "Refused",
    "Rejected",
    "Relayed",
    "SeenRequest",
    "SupportedValues",
    "Unsupported",
]

Body: TypeAlias = dict[str, Any]
ErrorBody: TypeAlias = Body | list[Any]
"""An error body: an object, or a top-level array (Gemini's OpenAI endpoint)."""
Rejected: TypeAlias = tuple[int, Body]
"""What an Azure rule answers: a status and an error object."""
Answer: TypeAlias = tuple[int, ErrorBody]
"""What any rule answers: a status and an error body of any provider's shape."""


def _fmt(value: Any) -> str:
    # Azure quotes strings in single quotes and renders the rest as JSON: 0.0, true, null.
    return f"'{value}'" if isinstance(value, str) else json.dumps(value)


def _error(message: str, *, param: str | None, code: str | None, type_: str | None = "invalid_request_error") -> Body:
    return {"error": {"message": message, "type": type_, "param": param, "code": code}}


def _items(values: tuple[Any, ...]) -> str:
    quoted = [_fmt(v) for v in values]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + f", and {quoted[-1]}"


def _lookup(body: Body, path: str) -> Any:
    node: Any = body
    for part in path.split("."):
        if not isinstance(node, dict) or part not in node:
            return ...
        node = node[part]
    return node


@dataclass(frozen=True)
class Unsupported:
    """``param`` is rejected whatever its value; with ``use`` Azure names the replacement (e001, e016, e081).

    ``status`` is the HTTP status of the rejection: 400 as Azure sends it, 500 as some self-hosted servers do
    (llama.cpp's "Unsupported param: echo", r2c-006).
    """

    param: str
    use: str | None = None
    model: str | None = None
    status: int = 400

    def check(self, body: Body) -> Rejected | None:
        """The rejection for ``body``, if any."""
        if _lookup(body, self.param) is ...:
            return None
        where = f"the '{self.model}' model" if self.model else "this model"
        message = f"Unsupported parameter: '{self.param}' is not supported with {where}."
        if self.use:
            message += f" Use '{self.use}' instead."
        return self.status, _error(message, param=self.param, code="unsupported_parameter")


def _equal(a: Any, b: Any) -> bool:
    # JSON true is not 1: stream=true must not pass for a default of 1.
    return (type(a) is bool) == (type(b) is bool) and a == b


@dataclass(frozen=True)
class DefaultOnly:
    """Only the default value of ``param`` is accepted (e006, e007, e043)."""

    param: str
    default: Any

    def check(self, body: Body) -> Rejected | None:
        """The rejection for ``body``, if any."""
        value = _lookup(body, self.param)
        if value is ... or _equal(value, self.default):
            return None
        message = (
            f"Unsupported value: '{self.param}' does not support {_fmt(value)} with this model. "
            f"Only the default ({_fmt(self.default).strip(chr(39))}) value is supported."
        )
        return 400, _error(message, param=self.param, code="unsupported_value")


@dataclass(frozen=True)
class SupportedValues:
    """``param`` takes only ``allowed`` values (e061 for chat; e026, m022 name the model and quote the value)."""

    param: str
    allowed: tuple[Any, ...]
    model: str | None = None

    def check(self, body: Body) -> Rejected | None:
        """The rejection for ``body``, if any."""
        value = _lookup(body, self.param)
        if value is ... or value in self.allowed:
            return None
        if self.model:
            message = (
                f"Unsupported value: {_fmt(value)} is not supported with the '{self.model}' model. "
                f"Supported values are: {_items(self.allowed)}."
            )
        else:
            message = (
                f"Unsupported value: '{self.param}' does not support {_fmt(value)} with this model. "
                f"Supported values are: {_items(self.allowed)}."
            )
        return 400, _error(message, param=self.param, code="unsupported_value")


@dataclass(frozen=True)
class NoRole:
    """Messages of ``role`` are rejected (e035 for system, e032 for developer)."""

    role: str

    def check(self, body: Body) -> Rejected | None:
        """The rejection for ``body``, if any."""
        for name in ("messages", "input"):
            items = body.get(name)
            if isinstance(items, list):
                for i, item in enumerate(items):
                    if isinstance(item, dict) and item.get("role") == self.role:
                        param = f"{name}[{i}].role"
                        message = f"Unsupported value: '{param}' does not support '{self.role}' with this model."
                        return 400, _error(message, param=param, code="unsupported_value")
        return None


@dataclass(frozen=True)
class Forbidden:
    """``param`` is refused with a 403 and no ``param`` field (e080: logprobs on o4-mini)."""

    param: str

    def check(self, body: Body) -> Rejected | None:
        """The rejection for ``body``, if any."""
        if body.get(self.param) in (None, False):
            return None
        return 403, _error(f"You are not allowed to request {self.param} from this model", param=None, code=None)


@dataclass(frozen=True)
class OnlyWith:
    """``param`` is refused unless ``needs`` is sent too (e041 for stream_options, oa-011 for parallel_tool_calls)."""

    param: str
    needs: str

    def check(self, body: Body) -> Rejected | None:
        """The rejection for ``body``, if any."""
        if self.param not in body or body.get(self.needs) not in (None, False, []):
            return None
        if self.needs == "stream":
            message = f"The '{self.param}' parameter is only allowed when 'stream' is enabled."
        else:
            message = (
                f"Invalid value for '{self.param}': '{self.param}' is only allowed when '{self.needs}' are specified."
            )
        return 400, _error(message, param=self.param, code=None)


@dataclass(frozen=True)
class Fixed:
    """Every request is answered with this status and body (content filter, context length…)."""

    status: int
    body: Body

    def check(self, body: Body) -> Rejected | None:  # noqa: ARG002 - same signature as the other rules
        """Always the fixed rejection."""
        return self.status, self.body


@dataclass(frozen=True)
class RateLimited:
    """Every request is refused with Azure's 429, whose ``retry-after`` header says ``seconds``."""

    seconds: int = 1

    def check(self, body: Body) -> Rejected | None:  # noqa: ARG002 - same signature as the other rules
        """Always the rate-limit answer (the emulator sends the ``retry-after`` header with it)."""
        message = (
            "Requests to the ChatCompletions_Create Operation under Azure OpenAI API version 2025-04-01-preview "
            "have exceeded token rate limit of your current OpenAI S0 pricing tier. "
            f"Please retry after {self.seconds} seconds."
        )
        return 429, {"error": {"code": "429", "message": message}}


_RETRY_AFTER: Final = re.compile(r"Please retry after (\d+) seconds?\.")

Rule: TypeAlias = (
    "Unsupported | DefaultOnly | SupportedValues | NoRole | Forbidden | OnlyWith | Fixed | Refused | OutOfRange"
    " | AllowedOnly | Relayed | RateLimited"
)

_EFFORTS: Final = ("low", "medium", "high")


@dataclass(frozen=True)
class ModelProfile:
    """A model as Azure serves it: its name, version string, and what it rejects, in order."""

    model: str
    version: str
    rules: tuple[Rule, ...] = ()
    embeddings: bool = False

    def check(self, body: Body) -> Answer | None:
        """The first rejection ``body`` gets, or ``None`` if it is accepted."""
        for rule in self.rules:
            found = rule.check(body)
            if found is not None:
                return found
        return None


_REASONING_CHAT: Final = (
    Unsupported("max_tokens", use="max_completion_tokens"),  # e001/e004
    DefaultOnly("temperature", 1),  # e006
    Unsupported("top_p"),  # e019
    Unsupported("presence_penalty"),  # e019's wording
    Unsupported("frequency_penalty"),  # e019's wording
)

PROFILES: Final[Mapping[str, ModelProfile]] = {
    "gpt-4o": ModelProfile(
        "gpt-4o",
        "gpt-4o-2024-11-20",
        (OnlyWith("parallel_tool_calls", "tools"), OnlyWith("stream_options", "stream")),  # oa-011, e041
    ),
    "o1-mini": ModelProfile(
        "o1-mini",
        "o1-mini-2024-09-12",
        (
            NoRole("system"),  # e035
            NoRole("developer"),  # e032
            Unsupported("max_tokens", use="max_completion_tokens"),  # e002
            DefaultOnly("temperature", 1),  # e007
            DefaultOnly("stream", default=False),  # e043
        ),
    ),
    "o3-mini": ModelProfile(
        "o3-mini",
        "o3-mini-2025-01-31",
        (
            Unsupported("max_tokens", use="max_completion_tokens"),  # e001
            Unsupported("temperature"),  # e081
            Unsupported("top_p"),  # e018
            SupportedValues("reasoning_effort", _EFFORTS),  # e061
        ),
    ),
    "o4-mini": ModelProfile(
        "o4-mini",
        "o4-mini-2025-04-16",
        (
            Unsupported("max_tokens", use="max_completion_tokens"),  # e001
            DefaultOnly("temperature", 1),  # e006
            Unsupported("top_p"),  # e018
            Unsupported("parallel_tool_calls"),  # e039
            Forbidden("logprobs"),  # e080
            SupportedValues("reasoning_effort", _EFFORTS),  # e061
        ),
    ),
    "gpt-5": ModelProfile(
        "gpt-5",
        "gpt-5-2025-08-07",
        (*_REASONING_CHAT, SupportedValues("reasoning_effort", ("minimal", *_EFFORTS))),
    ),
    "gpt-5.1": ModelProfile(
        "gpt-5.1",
        "gpt-5.1-2025-11-13",
        (
            *_REASONING_CHAT,
            SupportedValues("reasoning_effort", ("none", *_EFFORTS)),  # e061
            SupportedValues("reasoning.effort", ("none", *_EFFORTS), model="gpt-5.1"),  # e026
            Unsupported("stop"),  # e052
        ),
    ),
    "text-embedding-3-small": ModelProfile("text-embedding-3-small", "text-embedding-3-small-1", embeddings=True),
}

_NOT_FOUND: Final = {
    "error": {
        "code": "DeploymentNotFound",
        "message": (
            "The API deployment for this resource does not exist. If you created the deployment within the "
            "last 5 minutes, please wait a moment and try again."
        ),
    }
}


# Azure api-versions that predate a parameter answer "Unrecognized request argument supplied: X"
# (e027, e069): max_completion_tokens came with 2024-09-01-preview, reasoning_effort with
# 2024-12-01-preview. The v1 routes and undated versions know both.
API_VERSION_INTRODUCED: Final[Mapping[str, str]] = {
    "max_completion_tokens": "2024-09-01-preview",
    "reasoning_effort": "2024-12-01-preview",
}
_DATED: Final = re.compile(r"\d{4}-\d{2}-\d{2}")


def _predates(api_version: str | None, introduced: str) -> bool:
    """Whether a dated ``api_version`` is older than the one that ``introduced`` a param."""
    if api_version is None or not _DATED.match(api_version):
        return False
    return (api_version[:10], "-preview" not in api_version) < (introduced[:10], "-preview" not in introduced)


# The developer role came with 2024-12-01-preview; older api-versions refuse it (az-012's wording).
DEVELOPER_ROLE_INTRODUCED: Final = "2024-12-01-preview"


def _unrecognized(body: Body, api_version: str | None) -> Rejected | None:
    for param, introduced in API_VERSION_INTRODUCED.items():
        if param in body and _predates(api_version, introduced):
            message = f"Unrecognized request argument supplied: {param}"
            return 400, _error(message, param=None, code=None)
    messages = body.get("messages")
    if isinstance(messages, list) and _predates(api_version, DEVELOPER_ROLE_INTRODUCED):
        for i, message in enumerate(messages):
            if isinstance(message, dict) and message.get("role") == "developer":
                text = (
                    "Invalid value: 'developer'. "
                    "Supported values are: 'system', 'assistant', 'user', 'function', and 'tool'."
                )
                return 400, _error(text, param=f"messages[{i}].role", code="invalid_value")
    return None


Refusal: TypeAlias = "tuple[str, str, Any]"
"""One refused param: its name, the provider's message about it, and the value sent."""
Envelope: TypeAlias = Callable[[int, "list[Refusal]"], Any]
"""Builds a provider's error body from the status and the refusals it reports."""


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


@dataclass(frozen=True)
class Refused:
    """A provider refuses ``params`` with ``message``, in its ``envelope``.

    ``message`` may name ``{param}``, ``{camel}`` (the camelCase name some providers
    use), ``{value}`` (quoted), ``{raw}`` (as the provider prints it) and ``{model}``.
    With ``allowed``, only values outside it are refused. With ``all_at_once``, one
    body names every refused param the request carries, the way Gemini and pydantic
    servers report them; otherwise the first one found is refused.
    """

    params: tuple[str, ...]
    message: str
    envelope: Envelope
    status: int = 400
    allowed: tuple[Any, ...] = ()
    all_at_once: bool = False

    def check(self, body: Body) -> Answer | None:
        """The rejection for ``body``, if any."""
        found: list[Refusal] = []
        for param in self.params:
            value = _lookup(body, param)
            if value is ... or (self.allowed and value in self.allowed):
                continue
            names = {"param": param, "camel": _camel(param), "value": _fmt(value), "raw": str(value)}
            found.append((param, self.message.format(**names, model=body.get("model", "")), value))
        if not found:
            return None
        return self.status, self.envelope(self.status, found if self.all_at_once else found[:1])


@dataclass(frozen=True)
class OutOfRange:
    """A numeric ``param`` outside ``[minimum, maximum]`` is refused with ``message`` (``{minimum}``, ``{maximum}``)."""

    param: str
    minimum: float
    maximum: float
    message: str
    envelope: Envelope

    def check(self, body: Body) -> Answer | None:
        """The rejection for ``body``, if any."""
        value = _lookup(body, self.param)
        if not isinstance(value, int | float) or isinstance(value, bool) or self.minimum <= value <= self.maximum:
            return None
        message = self.message.format(minimum=_fmt(self.minimum), maximum=_fmt(self.maximum))
        return 400, self.envelope(400, [(self.param, message, value)])


@dataclass(frozen=True)
class AllowedOnly:
    """Every top-level param outside ``known`` is refused, all in one body: a pydantic server with extra="forbid"."""

    known: frozenset[str]
    message: str
    envelope: Envelope
    status: int = 400

    def check(self, body: Body) -> Answer | None:
        """The rejection for ``body``, if any."""
        found = [(param, self.message, value) for param, value in body.items() if param not in self.known]
        return (self.status, self.envelope(self.status, found)) if found else None


@dataclass(frozen=True)
class Relayed:
    """A router (OpenRouter) relays an upstream provider's rejection, quoted as JSON inside its own body (or-002)."""

    rules: tuple[Rule, ...]
    provider_name: str

    def check(self, body: Body) -> Answer | None:
        """The upstream rejection for ``body``, re-wrapped, if any."""
        for rule in self.rules:
            found = rule.check(body)
            if found is not None:
                status, upstream = found
                raw = json.dumps(upstream, separators=(",", ":"))
                metadata = {"raw": raw, "provider_name": self.provider_name, "is_byok": False}
                return status, {"error": {"message": "Provider returned error", "code": status, "metadata": metadata}}
        return None


@dataclass(frozen=True)
class Provider:
    """An OpenAI-compatible provider as the emulator serves it, under ``/<name>/v1/…``.

    Attributes:
        name: The first path segment of its base URL (``http://127.0.0.1:PORT/<name>/v1``).
        models: Model name -> profile; the request's ``model`` picks one.
        not_found: What it answers for a model it does not serve (given the model).
        corpus: The corpus rows (tests/data/corpus) its wordings and envelopes come from.
    """

    name: str
    models: Mapping[str, ModelProfile]
    not_found: Callable[[str], Answer]
    corpus: tuple[str, ...] = ()


def _gemini(status: int, found: list[Refusal]) -> Any:
    # gm-001/gm-006: a top-level JSON array; several refused names joined with newlines,
    # and one fieldViolation each.
    messages = [message for _, message, _ in found]
    violations = [{"description": message} for message in messages]
    details = [{"@type": "type.googleapis.com/google.rpc.BadRequest", "fieldViolations": violations}]
    return [
        {"error": {"code": status, "message": "\n".join(messages), "status": "INVALID_ARGUMENT", "details": details}}
    ]


def _gemini_plain(status: int, found: list[Refusal]) -> Any:
    # gm-011: the same array, without details.
    return [{"error": {"code": status, "message": found[0][1], "status": "INVALID_ARGUMENT"}}]


def _xai(status: int, found: list[Refusal]) -> Any:  # noqa: ARG001 - the Envelope signature
    # xa-002/xa-004: a flat {"code", "error"} object.
    return {"code": "Client specified an invalid argument", "error": found[0][1]}


def _mistral(status: int, found: list[Refusal]) -> Any:  # noqa: ARG001 - the Envelope signature
    # mi-002/mi-003: pydantic's error list as the message object.
    url = "https://errors.pydantic.dev/2.6/v/extra_forbidden"
    detail = [
        {"type": "extra_forbidden", "loc": ["body", param], "msg": message, "input": value, "url": url}
        for param, message, value in found
    ]
    return {
        "object": "error",
        "message": {"detail": detail},
        "type": "invalid_request_error",
        "param": None,
        "code": None,
    }


def _vllm(status: int, found: list[Refusal]) -> Any:
    # vl-002: pydantic's error list as Python prints it, inside the message string.
    detail = [
        {"type": "extra_forbidden", "loc": ("body", param), "msg": message, "input": value}
        for param, message, value in found
    ]
    return {"object": "error", "message": repr(detail), "type": "BadRequestError", "param": None, "code": status}


def _deepseek(status: int, found: list[Refusal]) -> Any:  # noqa: ARG001 - the Envelope signature
    # ds-001/ds-003: OpenAI's envelope, with code invalid_request_error.
    return {
        "error": {
            "message": found[0][1],
            "type": "invalid_request_error",
            "param": None,
            "code": "invalid_request_error",
        }
    }


def _openai_not_found(model: str) -> Answer:
    # lk-017: what OpenAI and most OpenAI-compatible servers answer for an unknown model.
    message = f"The model `{model}` does not exist or you do not have access to it."
    return 404, {
        "error": {"message": message, "type": "invalid_request_error", "param": None, "code": "model_not_found"}
    }


def _gemini_not_found(model: str) -> Answer:
    # gm-019
    message = (
        f"models/{model} is not found for API version v1main, or is not supported for generateContent. "
        "Call ListModels to see the list of available models and their supported methods."
    )
    return 404, [{"error": {"code": 404, "message": message, "status": "NOT_FOUND"}}]


# The request fields vLLM's OpenAI server declares for chat completions (a pydantic model
# with extra="forbid"): anything else is refused with extra_forbidden (vl-002).
_VLLM_CHAT: Final = frozenset(
    {
        "model", "messages", "max_tokens", "max_completion_tokens", "temperature", "top_p", "top_k", "min_p", "n",
        "stream", "stream_options", "stop", "seed", "presence_penalty", "frequency_penalty", "repetition_penalty",
        "logprobs", "top_logprobs", "logit_bias", "user", "tools", "tool_choice", "parallel_tool_calls",
        "response_format", "echo", "add_generation_prompt", "chat_template_kwargs", "guided_json",
    }
)  # fmt: skip
_EXTRA: Final = "Extra inputs are not permitted"
_DEEPSEEK_REASONER: Final = (
    Refused(
        ("presence_penalty", "frequency_penalty"),
        "deepseek-reasoner does not support the parameter `{param}`",
        _deepseek,
    ),  # ds-003
    OutOfRange(
        "max_tokens",
        1,
        65536,
        "Invalid max_tokens value, the valid range of max_tokens is [{minimum}, {maximum}]",
        _deepseek,
    ),  # ds-002
)

PROVIDERS: Final[Mapping[str, Provider]] = {
    "gemini": Provider(
        "gemini",
        {
            "gemini-2.5-flash": ModelProfile(
                "gemini-2.5-flash",
                "gemini-2.5-flash",
                (
                    Refused(
                        ("frequency_penalty", "store", "parallel_tool_calls", "prompt_cache_key", "top_k"),
                        'Invalid JSON payload received. Unknown name "{param}": Cannot find field.',
                        _gemini,
                        all_at_once=True,
                    ),  # gm-001, gm-002, gm-004, gm-006, gm-007
                    Refused(
                        ("reasoning_effort",),
                        "Invalid reasoning_effort: {raw}.\nValid values are: high, low, medium, none",
                        _gemini_plain,
                        allowed=("high", "low", "medium", "none"),
                    ),  # gm-011
                ),
            )
        },
        _gemini_not_found,  # gm-019
        ("gm-001", "gm-002", "gm-004", "gm-006", "gm-007", "gm-011", "gm-019"),
    ),
    "xai": Provider(
        "xai",
        {
            "grok-4-latest": ModelProfile(
                "grok-4-latest",
                "grok-4-0709",
                (
                    Refused(
                        ("presence_penalty", "frequency_penalty", "stop", "reasoning_effort"),
                        "Model {model} does not support parameter {camel}.",
                        _xai,
                    ),
                ),  # xa-004, xa-005
            ),
            "grok-3-mini": ModelProfile(
                "grok-3-mini",
                "grok-3-mini",
                (
                    Refused(
                        ("presence_penalty", "frequency_penalty"), "Argument not supported on this model: {camel}", _xai
                    ),
                ),  # xa-002
            ),
        },
        _openai_not_found,
        ("xa-002", "xa-004", "xa-005", "lk-017"),
    ),
    "mistral": Provider(
        "mistral",
        {
            "magistral-medium-latest": ModelProfile(
                "magistral-medium-latest",
                "magistral-medium-2509",
                (
                    Refused(
                        ("thinking", "frequency_penalty", "reasoning_effort", "n"),
                        _EXTRA,
                        _mistral,
                        status=422,
                        all_at_once=True,
                    ),
                ),  # mi-002, mi-003
            ),
        },
        lambda model: (
            400,
            {
                "object": "error",
                "message": f"Invalid model: {model}",
                "type": "invalid_model",
                "param": None,
                "code": "1500",
                "raw_status_code": 400,
            },
        ),  # mi-008
        ("mi-002", "mi-003", "mi-008"),
    ),
    "vllm": Provider(
        "vllm",
        {
            "Qwen/Qwen2.5-7B-Instruct": ModelProfile(
                "Qwen/Qwen2.5-7B-Instruct",
                "Qwen/Qwen2.5-7B-Instruct",
                (AllowedOnly(_VLLM_CHAT, _EXTRA, _vllm),),  # vl-002
            ),
        },
        _openai_not_found,
        ("vl-002", "lk-017"),
    ),
    "deepseek": Provider(
        "deepseek",
        {
            "deepseek-reasoner": ModelProfile("deepseek-reasoner", "deepseek-reasoner", _DEEPSEEK_REASONER),
            "deepseek-chat": ModelProfile(
                "deepseek-chat",
                "deepseek-chat",
                (
                    OutOfRange(
                        "max_tokens",
                        1,
                        8192,
                        "Invalid max_tokens value, the valid range of max_tokens is [{minimum}, {maximum}]",
                        _deepseek,
                    ),
                ),  # ds-001
            ),
        },
        _openai_not_found,
        ("ds-001", "ds-002", "ds-003", "lk-017"),
    ),
    "openrouter": Provider(
        "openrouter",
        {
            "deepseek/deepseek-r1": ModelProfile(
                "deepseek/deepseek-r1", "deepseek/deepseek-r1", (Relayed(_DEEPSEEK_REASONER, "DeepSeek"),)
            ),  # or-005
            "openai/o4-mini": ModelProfile(
                "openai/o4-mini", "openai/o4-mini-2025-04-16", (Relayed(PROFILES["o4-mini"].rules, "OpenAI"),)
            ),  # or-001
        },
        lambda model: (
            400,
            {"error": {"message": f"{model} is not a valid model ID", "code": 400}, "user_id": "user_emulator"},
        ),  # or-007
        ("or-001", "or-005", "or-007"),
    ),
}


class _Server(ThreadingHTTPServer):
    # A burst of a hundred clients must queue, not be reset (the default backlog is 5).
    request_queue_size = 1024

    def handle_error(self, request: object, client_address: object) -> None:
        """A client that hung up is not an error worth a traceback on stderr."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)  # type: ignore[arg-type]  # stdlib types it loosely


@dataclass(frozen=True)
class SeenRequest:
    """One request the emulator received (the api-key header is never kept)."""

    deployment: str
    operation: str
    api_version: str | None
    body: Body
    status: int
    error: str | None = None
    """The error message answered, if the request was rejected."""
    provider: str = "azure"
    """``azure``, or the name of the OpenAI-compatible provider profile that answered."""


_RESOURCE_NOT_FOUND: Final = {"error": {"code": "404", "message": "Resource not found"}}
_UNAUTHORIZED: Final = {
    "error": {
        "code": "401",
        "message": (
            "Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide a valid key "
            "for an active subscription and use a correct regional API endpoint for your resource."
        ),
    }
}
_ROUTE: Final = re.compile(
    r"^/openai/(?:deployments/(?P<dep>[^/]+)/)?(?:v1/)?(?P<op>chat/completions|completions|embeddings|responses)$"
)
_PROVIDER_ROUTE: Final = re.compile(
    r"^/(?P<provider>[a-z][a-z0-9-]*)/v1/(?P<op>chat/completions|completions|embeddings|responses)$"
)


@dataclass
class AzureEmulator:
    """A loopback Azure OpenAI endpoint. Use as a context manager.

    Args:
        deployments: Deployment name -> profile. By default one deployment per
            profile in :data:`PROFILES`, named after the model.
        providers: OpenAI-compatible providers served beside Azure, under
            ``/<name>/v1/…`` (see :meth:`base_url`). By default :data:`PROVIDERS`.
        latency: Seconds to wait before answering each request.
        host: Interface to listen on (loopback only).
    """

    deployments: dict[str, ModelProfile] = field(default_factory=lambda: dict(PROFILES))
    providers: dict[str, Provider] = field(default_factory=lambda: dict(PROVIDERS))
    latency: float = 0.0
    host: str = "127.0.0.1"
    requests: list[SeenRequest] = field(default_factory=list)
    _server: ThreadingHTTPServer | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)
    stream_interval: float | None = None
    """``None``: an SSE answer is sent as one body. Seconds: each event is a chunk of its own, this far apart."""
    stream_gate: threading.Event | None = None
    """When given, an SSE answer is sent in chunks and holds after its first event until the gate is set."""
    api_key: str | None = None
    """When given, requests without it (``api-key``, or ``Authorization: Bearer``) get Azure's 401."""

    @property
    def endpoint(self) -> str:
        """The ``azure_endpoint`` to give a client."""
        if self._server is None:
            raise RuntimeError("the emulator is not running; use it as a context manager")
        return f"http://{self.host}:{self._server.server_address[1]}"

    def base_url(self, provider: str) -> str:
        """The ``base_url`` of an OpenAI-compatible provider profile: ``http://127.0.0.1:PORT/<provider>/v1``."""
        if provider not in self.providers:
            raise KeyError(f"no provider profile {provider!r}; known: {', '.join(sorted(self.providers))}")
        return f"{self.endpoint}/{provider}/v1"

    def count(self, deployment: str | None = None, *, status: int | None = None) -> int:
        """How many requests a deployment (or all) saw, optionally only those answered with ``status``."""
        with self._lock:
            return sum(
                1
                for r in self.requests
                if (deployment is None or r.deployment == deployment) and (status is None or r.status == status)
            )

    def bodies(self, deployment: str | None = None) -> list[Body]:
        """The bodies received, oldest first."""
        with self._lock:
            return [r.body for r in self.requests if deployment is None or r.deployment == deployment]

    def reset(self) -> None:
        """Forget the requests seen so far."""
        with self._lock:
            self.requests.clear()

    def record(self, seen: SeenRequest) -> None:
        """Note a request (the handler records those :meth:`answer` does not see: GETs, refused keys)."""
        with self._lock:
            self.requests.append(seen)

    def listing(self, path: str, query: Mapping[str, str]) -> tuple[int, Body]:
        """What the emulator answers to a GET of ``path``: models and deployments lists (also records it).

        ``/openai/models`` and ``/openai/deployments`` in Azure's shapes; ``/openai/v1/models`` and
        ``/<provider>/v1/models`` in OpenAI's. Anything else: Azure's 404.
        """
        now = int(time.time())
        provider = m[1] if (m := re.fullmatch(r"/([a-z][a-z0-9-]*)/v1/models", path)) else None
        reply: list[Body] | None = None
        if path == "/openai/models":
            models = {p.version: p for p in self.deployments.values()}
            reply = [
                {
                    "id": version, "object": "model", "status": "succeeded", "created_at": now,
                    "lifecycle_status": "generally-available",
                    "capabilities": {"chat_completion": not p.embeddings, "embeddings": p.embeddings},
                }
                for version, p in models.items()
            ]  # fmt: skip
        elif path == "/openai/deployments":
            reply = [
                {
                    "id": name, "model": p.model, "object": "deployment", "owner": "organization-owner",
                    "status": "succeeded", "scale_settings": {"scale_type": "standard"}, "created_at": now,
                    "updated_at": now,
                }
                for name, p in self.deployments.items()
            ]  # fmt: skip
        elif path == "/openai/v1/models" or (provider is not None and provider in self.providers):
            names = self.deployments if provider is None or provider == "openai" else self.providers[provider].models
            owner = provider or "system"
            reply = [{"id": name, "object": "model", "created": now, "owned_by": owner} for name in names]
        status = 404 if reply is None else 200
        self.record(SeenRequest("", path.rsplit("/", 1)[-1], query.get("api-version"), {}, status))
        return (404, _RESOURCE_NOT_FOUND) if reply is None else (200, {"object": "list", "data": reply})

    def __enter__(self) -> Self:
        self._server = _Server((self.host, 0), _handler(self))
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, name="azure-emulator", daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def answer(self, path: str, query: Mapping[str, str], body: Body) -> tuple[int, ErrorBody | Iterator[bytes]]:
        """What the emulator answers to a POST of ``body`` to ``path`` (also records it)."""
        api_version = query.get("api-version")
        provider, route = "azure", _ROUTE.match(path)
        served = self.providers.get(m["provider"]) if route is None and (m := _PROVIDER_ROUTE.match(path)) else None
        if served is not None and m is not None:
            provider, operation, deployment = served.name, m["op"], str(body.get("model", ""))
            profile = served.models.get(deployment)
            missing: Answer = served.not_found(deployment)
        else:
            operation = route["op"] if route else path
            deployment = (route["dep"] if route else None) or str(body.get("model", ""))
            profile = self.deployments.get(deployment) if route else None
            missing = (404, _NOT_FOUND)
        if profile is None:
            status, reply = missing
        else:
            found = _unrecognized(body, api_version) if provider == "azure" else None
            status, reply = found or profile.check(body) or (200, {})
        seen = SeenRequest(deployment, operation, api_version, body, status, _message_of(reply), provider)
        with self._lock:
            self.requests.append(seen)
        if status != 200 or profile is None:  # noqa: PLR2004 - HTTP OK
            return status, reply
        return 200, _success(profile, operation, stream=body.get("stream") is True)


def _message_of(reply: Any) -> str | None:
    """The first error message in a body of any provider's shape, for :attr:`SeenRequest.error`."""
    if isinstance(reply, list) and reply:
        return _message_of(reply[0])
    if not isinstance(reply, dict):
        return reply if isinstance(reply, str) and reply else None
    error = reply.get("error")
    if isinstance(error, dict | list):
        return _message_of(error)
    for name in ("message", "error", "detail"):
        value = reply.get(name)
        if isinstance(value, str):
            return value
    return json.dumps(reply["message"]) if isinstance(reply.get("message"), dict | list) else None


def _usage(operation: str) -> Body:
    if operation == "responses":
        return {
            "input_tokens": 12,
            "output_tokens": 3,
            "total_tokens": 15,
            "output_tokens_details": {"reasoning_tokens": 0},
        }
    return {"prompt_tokens": 12, "completion_tokens": 3, "total_tokens": 15}


_FILTERS: Final = {k: {"filtered": False, "severity": "safe"} for k in ("hate", "self_harm", "sexual", "violence")}


def _success(profile: ModelProfile, operation: str, *, stream: bool) -> Body | Iterator[bytes]:
    now = int(time.time())
    if operation == "embeddings":
        data = [{"object": "embedding", "index": 0, "embedding": [0.0125, -0.0031, 0.0207]}]
        return {
            "object": "list",
            "data": data,
            "model": profile.version,
            "usage": {"prompt_tokens": 2, "total_tokens": 2},
        }
    if operation == "responses":
        rid = f"resp_{uuid.uuid4().hex}"
        text = {"type": "output_text", "text": "ok", "annotations": []}
        item: Body = {
            "type": "message",
            "id": f"msg_{uuid.uuid4().hex}",
            "status": "completed",
            "role": "assistant",
            "content": [text],
        }
        response = {
            "id": rid, "object": "response", "created_at": now, "status": "completed", "model": profile.version,
            "output": [item], "usage": _usage(operation), "parallel_tool_calls": True, "tool_choice": "auto",
            "tools": [],
        }  # fmt: skip
        if not stream:
            return response
        return _sse_responses(response)
    cid = f"chatcmpl-{uuid.uuid4().hex[:24]}"
    if operation == "completions":
        choice = {"text": "ok", "index": 0, "finish_reason": "stop", "logprobs": None}
        return {
            "id": cid,
            "object": "text_completion",
            "created": now,
            "model": profile.version,
            "choices": [choice],
            "usage": _usage(operation),
        }
    if stream:
        return _sse_chat(cid, now, profile.version)
    message: Body = {"role": "assistant", "content": "ok", "refusal": None, "annotations": []}
    choice = {
        "index": 0,
        "finish_reason": "stop",
        "message": message,
        "logprobs": None,
        "content_filter_results": _FILTERS,
    }
    return {
        "id": cid, "object": "chat.completion", "created": now, "model": profile.version, "choices": [choice],
        "usage": _usage(operation), "system_fingerprint": "fp_emulator",
        "prompt_filter_results": [{"prompt_index": 0, "content_filter_results": _FILTERS}],
    }  # fmt: skip


def _sse(data: Body | str, event: str | None = None) -> bytes:
    payload = data if isinstance(data, str) else json.dumps(data)
    return (f"event: {event}\n" if event else "").encode() + f"data: {payload}\n\n".encode()


def _sse_chat(cid: str, now: int, model: str) -> Iterator[bytes]:
    base = {
        "id": cid,
        "object": "chat.completion.chunk",
        "created": now,
        "model": model,
        "system_fingerprint": "fp_emulator",
    }
    yield _sse(
        {
            "id": "",
            "object": "",
            "created": 0,
            "model": "",
            "choices": [],
            "prompt_filter_results": [{"prompt_index": 0, "content_filter_results": _FILTERS}],
        }
    )
    for delta, finish in (
        ({"role": "assistant", "content": ""}, None),
        ({"content": "o"}, None),
        ({"content": "k"}, None),
        ({}, "stop"),
    ):
        yield _sse({**base, "choices": [{"index": 0, "delta": delta, "finish_reason": finish, "logprobs": None}]})
    yield _sse("[DONE]")


def _sse_responses(response: Body) -> Iterator[bytes]:
    pending = {**response, "status": "in_progress", "output": [], "usage": None}
    item = response["output"][0]
    part = item["content"][0]
    where = {"item_id": item["id"], "output_index": 0, "content_index": 0}
    events: list[Body] = [
        {"type": "response.created", "response": pending},
        {"type": "response.in_progress", "response": pending},
        {
            "type": "response.output_item.added",
            "output_index": 0,
            "item": {**item, "status": "in_progress", "content": []},
        },
        {"type": "response.content_part.added", **where, "part": {**part, "text": ""}},
        {"type": "response.output_text.delta", **where, "delta": part["text"]},
        {"type": "response.output_text.done", **where, "text": part["text"]},
        {"type": "response.content_part.done", **where, "part": part},
        {"type": "response.output_item.done", "output_index": 0, "item": item},
        {"type": "response.completed", "response": response},
    ]
    for n, event in enumerate(events):
        yield _sse({**event, "sequence_number": n}, event=event["type"])


def _handler(emulator: AzureEmulator) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def setup(self) -> None:
            super().setup()
            # Headers and body go out as two writes; without this, Nagle's algorithm
            # and delayed ACKs add ~40 ms to every keep-alive request.
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
            """Stay quiet: a test server must not print."""

        def do_POST(self) -> None:
            path, _, query = self.path.partition("?")
            params = dict(p.split("=", 1) for p in query.split("&") if "=" in p)
            raw = self.rfile.read(int(self.headers.get("content-length") or 0))
            try:
                body = json.loads(raw) if raw else {}
            except ValueError:
                body = {}
            if emulator.latency:
                time.sleep(emulator.latency)
            refused = _refusal(emulator, self.headers, path, params)
            status, reply = refused or emulator.answer(path, params, body if isinstance(body, dict) else {})
            self._reply(status, reply)

        def do_GET(self) -> None:
            path, _, query = self.path.partition("?")
            params = _query(query)
            self._reply(*(_refusal(emulator, self.headers, path, params) or emulator.listing(path, params)))

        def _reply(self, status: int, reply: ErrorBody | Iterator[bytes]) -> None:
            self.send_response(status)
            request_id = str(uuid.uuid4())
            for name, value in (
                ("apim-request-id", request_id),
                ("x-request-id", request_id),
                ("x-ms-region", "East US 2"),
                ("x-ms-rai-invoked", "true"),
            ):
                self.send_header(name, value)
            _send_body(self, status, reply, emulator)

    return Handler


def _send_body(
    handler: BaseHTTPRequestHandler, status: int, reply: ErrorBody | Iterator[bytes], emulator: AzureEmulator
) -> None:
    """The rest of the headers, then the body: JSON, SSE as one body, or SSE in chunks over time."""
    if isinstance(reply, dict | list):
        data = json.dumps(reply).encode()
        for name, value in _retry_after(status, reply):
            handler.send_header(name, value)
        handler.send_header("content-type", "application/json")
        handler.send_header("content-length", str(len(data)))
        handler.end_headers()
        handler.wfile.write(data)
        return
    handler.send_header("content-type", "text/event-stream; charset=utf-8")
    if emulator.stream_interval is None and emulator.stream_gate is None:
        data = b"".join(reply)
        handler.send_header("content-length", str(len(data)))
        handler.end_headers()
        handler.wfile.write(data)
        return
    handler.send_header("transfer-encoding", "chunked")
    handler.end_headers()
    _send_chunked(handler.wfile, reply, emulator)


_GATE_TIMEOUT: Final = 120.0
"""Seconds a gated stream holds at most (a test that never opens the gate still ends)."""


def _query(query: str) -> dict[str, str]:
    return dict(p.split("=", 1) for p in query.split("&") if "=" in p)


def _refusal(
    emulator: AzureEmulator, headers: email.message.Message, path: str, params: Mapping[str, str]
) -> tuple[int, Body] | None:
    """Azure's 401 (recorded) for a request without the emulator's ``api_key``, if it requires one."""
    key = emulator.api_key
    if key is None or key in (headers.get("api-key"), headers.get("authorization", "").removeprefix("Bearer ")):
        return None
    emulator.record(SeenRequest("", path, params.get("api-version"), {}, 401, _message_of(_UNAUTHORIZED)))
    return 401, _UNAUTHORIZED


def _retry_after(status: int, reply: ErrorBody) -> list[tuple[str, str]]:
    """Azure's ``retry-after`` headers for a 429 whose message says how long to wait."""
    retry = _RETRY_AFTER.search(_message_of(reply) or "") if status == 429 else None  # noqa: PLR2004 - HTTP 429
    return [] if retry is None else [("retry-after", retry[1]), ("retry-after-ms", str(int(retry[1]) * 1000))]


def _send_chunked(out: io.BufferedIOBase, events: Iterator[bytes], emulator: AzureEmulator) -> None:
    """Each event as an HTTP/1.1 chunk of its own, sent when it is due, as a streaming server sends it."""
    for n, event in enumerate(events):
        if n and emulator.stream_interval:
            time.sleep(emulator.stream_interval)
        out.write(b"%x\r\n%s\r\n" % (len(event), event))
        out.flush()
        if n == 0 and emulator.stream_gate is not None:
            emulator.stream_gate.wait(_GATE_TIMEOUT)
    out.write(b"0\r\n\r\n")


def fixed(status: int, body: Body) -> ModelProfile:
    """A deployment that always answers ``status`` with ``body``."""
    return ModelProfile("fixed", "fixed-1", (Fixed(status, body),))


def serve(argv: list[str] | None = None) -> None:
    """Run the emulator in the foreground: ``python -m resilient_client.testing [--latency S]``.

    Prints the endpoint on the first line of stdout, then serves until interrupted.
    """
    import argparse  # noqa: PLC0415 - only the command line needs it

    parser = argparse.ArgumentParser(prog="python -m resilient_client.testing", description=serve.__doc__)
    parser.add_argument("--latency", type=float, default=0.0, help="seconds to wait before each answer")
    args = parser.parse_args(argv)
    with AzureEmulator(latency=args.latency) as azure:
        print(azure.endpoint, flush=True)  # noqa: T201 - the endpoint is this command's output
        with contextlib.suppress(KeyboardInterrupt):
            threading.Event().wait()


if __name__ == "__main__":
    serve()
