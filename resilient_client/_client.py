"""Drop-in subclasses of openai's clients that learn from parameter rejections.

The shells hook one method, ``request``: the SDK's single request path, the same
since openai 1.0, which every endpoint (chat completions, responses, embeddings,
completions, raw and streaming responses) goes through. Everything they decide is
decided by :mod:`._attempts`; they only send, store and raise.
"""

from __future__ import annotations

import asyncio
import copy
import functools
import logging
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Final, NoReturn
from urllib.parse import urlsplit

import openai
import tenacity

from . import _log
from ._attempts import Blocked, Call, Learn, summary
from ._errors import ResilientClientError
from ._models import UNCHANGEABLE, DeploymentKey, DeploymentMapping, Evidence, Fix, RepairPolicy
from .stores import Store, resolve_store

__all__ = [
    "AsyncResilientAzureClient",
    "AsyncResilientOpenAI",
    "RepairBlockedError",
    "RepairEvent",
    "ResilientAzureClient",
    "ResilientOpenAI",
]

if TYPE_CHECKING:
    from openai._models import FinalRequestOptions
    from typing_extensions import Self

    _SyncBase = openai.OpenAI
    _AsyncBase = openai.AsyncOpenAI
else:
    _SyncBase = _AsyncBase = object

StoreArg = Store | str | os.PathLike[str] | None


@dataclass(frozen=True, slots=True)
class RepairEvent:
    """What ``on_repair`` receives after a fix was learned.

    Attributes:
        key: The deployment key the fix was learned for.
        fix: The fix.
        evidence: Azure's code and message (never the prompt).
        attempt: 1 for the first repair of a call, 2 for the second…
    """

    key: DeploymentKey
    fix: Fix
    evidence: Evidence
    attempt: int


class RepairBlockedError(ResilientClientError, openai.BadRequestError):
    """Azure rejected a parameter whose repair would change what the request means.

    It is an ``openai.BadRequestError`` too, so code that already catches that keeps
    working; the SDK's original error is its ``__cause__``.

    Attributes:
        param: The protected param the repair would change.
        fix: The repair that was not made.
        key: The deployment key.
    """

    param: str
    fix: Fix
    key: DeploymentKey


def _blocked(exc: openai.APIStatusError, step: Blocked, key: DeploymentKey) -> RepairBlockedError:
    root = step.param.split(".", 1)[0]
    advice = (
        f"{root!r} can never be changed by a repair (the SDK picks the call's return type from it): "
        f"call this deployment without it, or with the value it accepts."
        if root in UNCHANGEABLE
        else f"To allow it, pass policy=RepairPolicy(allow={{{root!r}}})."
    )
    message = (
        f"Azure rejected the request to deployment {key.deployment!r} ({key.host}, api-version "
        f"{key.api_version or 'none'}, {key.operation}): {step.message!r}. The repair ({step.fix.kind} "
        f"{step.fix.param!r}) would change the protected parameter {step.param!r}, which changes what the "
        f"request means, so it was not made. {advice}"
    )
    err = RepairBlockedError(message, response=exc.response, body=exc.body)
    err.param, err.fix, err.key = step.param, step.fix, key
    return err


class _Repaired(Exception):  # noqa: N818 - control flow for tenacity, never escapes
    """A new fix was learned: try again."""

    def __init__(self, original: openai.APIStatusError) -> None:
        super().__init__()
        self.original = original


def _reraise_original(state: tenacity.RetryCallState) -> NoReturn:
    exc = state.outcome.exception() if state.outcome else None
    raise exc.original if isinstance(exc, _Repaired) else exc  # type: ignore[misc]  # the outcome is always an exception here


@functools.cache
def _retry_kwargs(max_repairs: int) -> dict[str, Any]:
    # The pure loop decides *whether* to retry (a new fix was learned); tenacity
    # bounds the attempts and retries immediately: a repaired request need not wait.
    return {
        "stop": tenacity.stop_after_attempt(max_repairs + 1),
        "retry": tenacity.retry_if_exception_type(_Repaired),
        "wait": tenacity.wait_none(),
        "retry_error_callback": _reraise_original,
        "reraise": True,
    }


_DEFAULT_MAX_REPAIRS: Final = 4
_MAX_REPAIRS_LIMIT: Final = 32


@dataclass(frozen=True, slots=True)
class _Resilience:
    """The options a resilient client adds, shared by its copies."""

    store_arg: StoreArg = None
    max_repairs: int = _DEFAULT_MAX_REPAIRS
    policy: RepairPolicy = field(default_factory=RepairPolicy)
    learn: bool = True
    on_repair: Callable[[RepairEvent], None] | None = None
    _store: list[Store] = field(default_factory=list, compare=False, repr=False)

    def __post_init__(self) -> None:
        # Checked at run time too: the options often come from configuration files.
        valid = type(self.max_repairs) is int and 0 <= self.max_repairs <= _MAX_REPAIRS_LIMIT
        if not valid:
            msg = f"max_repairs must be a whole number from 0 to 32, not {self.max_repairs!r}"
            raise ValueError(msg)
        policy: object = self.policy
        if not isinstance(policy, RepairPolicy):
            msg = f"policy must be a RepairPolicy, not {type(policy).__name__}"
            raise TypeError(msg)

    @property
    def store(self) -> Store:
        # Resolved on first use, so constructing or copying a client does no I/O.
        if not self._store:
            self._store.append(resolve_store(self.store_arg))
        return self._store[0]

    def retrying(self) -> tenacity.Retrying:
        # A fresh controller per call (its state is per call); the strategies are shared.
        return tenacity.Retrying(**_retry_kwargs(self.max_repairs))

    def async_retrying(self) -> tenacity.AsyncRetrying:
        return tenacity.AsyncRetrying(**_retry_kwargs(self.max_repairs))

    def start(self, client: openai.OpenAI | openai.AsyncOpenAI, options: FinalRequestOptions) -> Call | None:
        body = options.json_data
        extra = options.extra_json
        if not isinstance(body, dict) or (extra is not None and not isinstance(extra, dict)):
            return None
        if extra:
            # The SDK merges extra_body the same way when it builds the request;
            # merging here lets params sent through extra_body be repaired too.
            body = {k: v for k, v in {**body, **extra}.items() if not isinstance(v, openai.Omit)}
        key = _key(client, options, body)
        call = Call(key, body, self.store.get(key), policy=self.policy, max_repairs=self.max_repairs, learn=self.learn)
        if call.applied and _log.enabled(logging.DEBUG):
            for fix in call.applied:
                _log.emit(
                    logging.DEBUG,
                    _log.RULE_APPLIED,
                    deployment=key.deployment,
                    operation=key.operation,
                    param=fix.param,
                    action=fix.kind,
                )
        return call

    def decide(self, call: Call, exc: openai.APIStatusError) -> Learn:
        """Learn, or raise: the original error unchanged, or RepairBlockedError."""
        step = call.decide(exc.status_code, exc.response.content, time.time())
        if isinstance(step, Learn):
            return step
        fields = {"deployment": call.key.deployment, "operation": call.key.operation, "status": exc.status_code}
        if isinstance(step, Blocked):
            _log.emit(logging.WARNING, _log.REPAIR_BLOCKED, **fields, **summary(step))
            raise _blocked(exc, step, call.key) from exc
        if step.reason != "not_repairable":
            _log.emit(logging.INFO, _log.GAVE_UP, **fields, reason=step.reason, repairs=call.repairs)
        raise exc

    def adopt(self, call: Call, step: Learn, mapping: DeploymentMapping, exc: openai.APIStatusError) -> NoReturn:
        """Switch the call to the store's rules and retry (raises _Repaired), or give up."""
        if not call.adopt(mapping):
            _log.emit(
                logging.INFO,
                _log.GAVE_UP,
                deployment=call.key.deployment,
                operation=call.key.operation,
                reason="no_change",
                repairs=call.repairs,
            )
            raise exc
        _log.emit(
            logging.INFO,
            _log.PARAMETER_REPAIRED,
            deployment=call.key.deployment,
            host=call.key.host,
            api_version=call.key.api_version,
            operation=call.key.operation,
            attempt=call.repairs,
            status=exc.status_code,
            **summary(step),
        )
        if self.on_repair is not None:
            self.on_repair(RepairEvent(call.key, step.rule.fix, step.rule.evidence, call.repairs))
        raise _Repaired(exc)


def _options(options: FinalRequestOptions, call: Call) -> FinalRequestOptions:
    sent = copy.copy(options)
    sent.json_data = call.body
    sent.extra_json = None
    return sent


_base_parts: dict[str, tuple[str, str | None]] = {}

# The operations Azure serves under /deployments/{name}/ (openai's AzureOpenAI
# routes the same list there). With azure_deployment= set, every other operation
# (responses, files…) goes to the resource root and names its model in the body.
_DEPLOYMENT_OPERATIONS: Final = frozenset(
    {
        "completions",
        "chat/completions",
        "embeddings",
        "audio/transcriptions",
        "audio/translations",
        "audio/speech",
        "images/generations",
        "images/edits",
    }
)


def _key(
    client: openai.OpenAI | openai.AsyncOpenAI, options: FinalRequestOptions, body: dict[str, Any]
) -> DeploymentKey:
    base = str(client.base_url)
    parts = _base_parts.get(base)
    if parts is None:
        split = urlsplit(base)
        segments = [s for s in split.path.split("/") if s]
        deployment = segments[segments.index("deployments") + 1] if "deployments" in segments[:-1] else None
        parts = _base_parts[base] = (split.netloc, deployment)
    host, deployment = parts
    operation = options.url.strip("/")
    if operation not in _DEPLOYMENT_OPERATIONS:
        deployment = None
    params = options.params if isinstance(options.params, dict) else {}
    version = params.get("api-version") or client.default_query.get("api-version") or ""
    model = body.get("model")
    return DeploymentKey(
        host=host,
        deployment=deployment or (model if isinstance(model, str) else ""),
        api_version=str(version),
        operation=operation,
    )


_parents: dict[type, str] = {}


def _openai_parent(cls: type) -> str:
    name = _parents.get(cls)
    if name is None:
        name = _parents[cls] = next(c.__name__ for c in cls.__mro__ if c.__module__.startswith("openai"))
    return name


_EXTRAS: Final = ("store", "max_repairs", "policy", "learn", "on_repair")


class _Options:
    """The keyword-only options both shells add to openai's constructors."""

    _rc: _Resilience

    @property
    def user_agent(self) -> str:
        """Openai's User-Agent, naming the openai class this one stands in for (``AzureOpenAI/Python …``)."""
        agent: str = super().user_agent  # type: ignore[misc]  # provided by the openai base class
        return agent.replace(type(self).__name__, _openai_parent(type(self)), 1)

    def __init__(
        self,
        *args: Any,
        store: StoreArg = None,
        max_repairs: int = _DEFAULT_MAX_REPAIRS,
        policy: RepairPolicy | None = None,
        learn: bool = True,
        on_repair: Callable[[RepairEvent], None] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self._rc = _Resilience(store, max_repairs, policy or RepairPolicy(), learn, on_repair)

    def copy(self, *args: Any, **kwargs: Any) -> Self:
        """Openai's ``copy``/``with_options``; also takes the options this class adds.

        Without them, the copy shares this client's store and options.
        """
        overrides: dict[str, Any] = {name: kwargs.pop(name) for name in _EXTRAS if name in kwargs}
        copied: Self = super().copy(*args, **kwargs)  # type: ignore[misc]  # provided by the openai base class
        copied._rc = self._copied_resilience(overrides)
        return copied

    with_options = copy

    @property
    def store(self) -> Store:
        """The store this client learns into and reads rules from."""
        return self._rc.store

    @property
    def repair_policy(self) -> RepairPolicy:
        """What this client may change in a request."""
        return self._rc.policy

    def _copied_resilience(self, overrides: dict[str, Any]) -> _Resilience:
        if not overrides:
            return self._rc
        if "policy" in overrides and overrides["policy"] is None:
            overrides["policy"] = RepairPolicy()
        if "store" in overrides:
            overrides["store_arg"] = overrides.pop("store")
            return replace(self._rc, _store=[], **overrides)
        return replace(self._rc, **overrides)


class _SyncShell(_Options, _SyncBase):
    def request(self, cast_to: Any, options: FinalRequestOptions, *args: Any, **kwargs: Any) -> Any:
        """Send through openai's request path, repairing and learning from parameter rejections."""
        call = self._rc.start(self, options)
        if call is None:
            return super().request(cast_to, options, *args, **kwargs)
        for attempt in self._rc.retrying():
            with attempt:
                try:
                    return super().request(cast_to, _options(options, call), *args, **kwargs)
                except openai.APIStatusError as exc:
                    step = self._rc.decide(call, exc)
                    self._rc.adopt(call, step, self._rc.store.merge(call.key, step.rule), exc)
        raise AssertionError  # pragma: no cover - tenacity either returns or raises


class _AsyncShell(_Options, _AsyncBase):
    async def request(self, cast_to: Any, options: FinalRequestOptions, *args: Any, **kwargs: Any) -> Any:
        """Send through openai's request path, repairing and learning from parameter rejections."""
        call = self._rc.start(self, options)
        if call is None:
            return await super().request(cast_to, options, *args, **kwargs)
        async for attempt in self._rc.async_retrying():
            with attempt:
                try:
                    return await super().request(cast_to, _options(options, call), *args, **kwargs)
                except openai.APIStatusError as exc:
                    step = self._rc.decide(call, exc)
                    mapping = await asyncio.to_thread(self._rc.store.merge, call.key, step.rule)
                    self._rc.adopt(call, step, mapping, exc)
        raise AssertionError  # pragma: no cover - tenacity either returns or raises


class ResilientAzureClient(_SyncShell, openai.AzureOpenAI):
    """``openai.AzureOpenAI`` that learns which parameters each deployment accepts.

    Takes every argument ``AzureOpenAI`` takes (and reads the same environment
    variables), plus these keyword-only options:

    Args:
        store: Where learned rules are shared: a :class:`~resilient_client.stores.Store`,
            a path to a JSON cache file, or ``None`` for ``$RESILIENT_CLIENT_CACHE`` or
            the default file in the user cache directory.
        max_repairs: How many new fixes one call may learn before the original error
            is raised (default 4).
        policy: What may be changed; by default nothing that changes a request's
            meaning (messages, tools, response_format, stream…).
        learn: ``False`` applies known rules but learns nothing new.
        on_repair: Called with a :class:`RepairEvent` after each learned fix.

    Raises:
        RepairBlockedError: (from calls) Azure rejected a protected parameter.
    """


class ResilientOpenAI(_SyncShell, openai.OpenAI):
    """``openai.OpenAI`` that learns which parameters each model accepts (keyed by base URL and model).

    Same extra options as :class:`ResilientAzureClient`.
    """


class AsyncResilientAzureClient(_AsyncShell, openai.AsyncAzureOpenAI):
    """``openai.AsyncAzureOpenAI`` twin of :class:`ResilientAzureClient`."""


class AsyncResilientOpenAI(_AsyncShell, openai.AsyncOpenAI):
    """``openai.AsyncOpenAI`` twin of :class:`ResilientOpenAI`."""
