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
import threading
import time
from collections.abc import Callable, Generator, Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, ClassVar, Final, Literal, NoReturn, TypedDict, cast, overload
from urllib.parse import SplitResult, urlsplit

import openai

from . import _log
from ._attempts import (
    Blocked,
    Call,
    Change,
    Learn,
    Op,
    Refresh,
    ReleaseLease,
    Revoke,
    Send,
    TakeLease,
    Update,
    Wait,
    _Repaired,
    flight,
    reraise_original,
    summary,
)
from ._core import count_uses, expire, permitted
from ._errors import ResilientClientError
from ._models import UNCHANGEABLE, DeploymentKey, DeploymentMapping, Evidence, Fix, RepairPolicy
from .stores import AsyncStore, AsyncStoreAdapter, Store, aupdate_all, resolve_store, update_all

__all__ = [
    "AsyncResilientAzureClient",
    "AsyncResilientOpenAI",
    "RepairBlockedError",
    "RepairEvent",
    "ResilienceOptions",
    "ResilientAzureClient",
    "ResilientOpenAI",
    "make_resilient",
]

if TYPE_CHECKING:
    import tenacity
    from openai._models import FinalRequestOptions
    from typing_extensions import Self, Unpack

    _SyncBase = openai.OpenAI
    _AsyncBase = openai.AsyncOpenAI
else:
    _SyncBase = _AsyncBase = object

StoreArg = Store | str | os.PathLike[str] | None
Mode = Literal["repair", "observe"]


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


def _raise_blocked(call: Call, step: Blocked, exc: openai.APIStatusError) -> NoReturn:
    _log.emit(
        logging.WARNING,
        _log.REPAIR_BLOCKED,
        deployment=call.key.deployment,
        operation=call.key.operation,
        status=exc.status_code,
        param=step.fix.param,
        action=step.fix.kind,
    )
    raise _blocked(exc, step, call.key) from exc


@functools.cache
def _retry_kwargs(max_repairs: int) -> dict[str, Any]:
    # The pure loop decides *whether* to retry (a new fix was learned); tenacity
    # bounds the attempts and retries immediately: a repaired request need not wait.
    # The first attempt and the first repair happen before tenacity takes over.
    import tenacity  # noqa: PLC0415 - see _Resilience.retrying

    return {
        "stop": tenacity.stop_after_attempt(max(1, max_repairs)),
        "retry": tenacity.retry_if_exception_type(_Repaired),
        "wait": tenacity.wait_none(),
        "retry_error_callback": reraise_original,
        "reraise": True,
    }


_DEFAULT_MAX_REPAIRS: Final = 8
# A bound for rule_ttl and wait_timeout (a year): infinity and NaN are refused, not waited on.
_MAX_SECONDS: Final = 365 * 24 * 3600.0
_MAX_REPAIRS_LIMIT: Final = 32


@dataclass(frozen=True, slots=True)
class _Resilience:
    """The options a resilient client adds, shared by its copies, and the steps both shells share."""

    store_arg: StoreArg | AsyncStore = None
    max_repairs: int = _DEFAULT_MAX_REPAIRS
    policy: RepairPolicy = field(default_factory=RepairPolicy)
    learn: bool = True
    on_repair: Callable[[RepairEvent], None] | None = None
    rule_ttl: float | None = None
    wait_timeout: float = 15.0
    mode: Mode = "repair"
    _stores: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)
    # Store mappings as this client's policy lets them act, by identity of the mapping.
    _vetted: dict[int, tuple[DeploymentMapping, DeploymentMapping]] = field(
        default_factory=dict, compare=False, repr=False
    )
    rejection: ClassVar[type[BaseException]] = openai.APIStatusError

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
        for name in ("rule_ttl", "wait_timeout"):
            value = getattr(self, name)
            number = not isinstance(value, bool) and isinstance(value, int | float)
            if value is not None and not (number and 0 <= value <= _MAX_SECONDS):
                msg = f"{name} must be a number of seconds from 0 to {_MAX_SECONDS:.0f}, not {value!r}"
                raise ValueError(msg)
        on_repair: object = self.on_repair
        if on_repair is not None and not callable(on_repair):
            msg = f"on_repair must be a callable taking a RepairEvent, not {type(on_repair).__name__}"
            raise TypeError(msg)
        if self.mode not in ("repair", "observe"):
            msg = f"mode must be 'repair' or 'observe', not {self.mode!r}"
            raise ValueError(msg)
        store: object = self.store_arg
        if not (store is None or isinstance(store, str | os.PathLike) or callable(getattr(store, "update", None))):
            msg = f"store must be a Store, a path, a redis:// URL or None, not {type(store).__name__}"
            raise TypeError(msg)

    @property
    def resolved(self) -> Store | AsyncStore:
        """The store as given, or as resolved from a path, URL or the environment, on first use.

        Resolving late means constructing or copying a client does no I/O.
        """
        found: Store | AsyncStore | None = self._stores.get("resolved")
        if found is None:
            arg = self.store_arg
            found = cast("AsyncStore", arg) if _is_async(arg) else resolve_store(cast("StoreArg", arg))
            self._stores["resolved"] = found
        return found

    @property
    def uses(self) -> _Uses:
        """Calls each stored fix rewrote, not yet written (shared by this client's copies on the same store)."""
        found: _Uses | None = self._stores.get("uses")
        if found is None:
            found = self._stores.setdefault("uses", _Uses())
        return found

    def counted(self, key: DeploymentKey, change: Change) -> Change:
        """``change``, also writing the key's uses counted since its last write."""
        uses = self.uses.take(key)
        if not uses:
            return change
        return lambda mapping: change(count_uses(mapping, uses))

    def unwritten_uses(self) -> list[tuple[DeploymentKey, Change]]:
        """The store changes that write every key's counted uses (at close)."""
        found: _Uses | None = self._stores.get("uses")
        if found is None:
            return []
        return [(key, functools.partial(count_uses, uses=uses)) for key, uses in found.take_all().items()]

    @property
    def store(self) -> Store:
        # Checked once, then served from the cache: this runs on every call.
        found: Store | None = self._stores.get("sync")
        if found is None:
            resolved = self.resolved
            if _is_async(resolved):
                msg = "a sync client needs a Store, not an AsyncStore"
                raise TypeError(msg)
            found = self._stores["sync"] = cast("Store", resolved)
        return found

    @property
    def async_store(self) -> AsyncStore:
        found: AsyncStore | None = self._stores.get("async")
        if found is None:
            resolved = self.resolved
            found = cast("AsyncStore", resolved) if _is_async(resolved) else AsyncStoreAdapter(cast("Store", resolved))
            self._stores["async"] = found
        return found

    def retrying(self) -> tenacity.Retrying:
        # A fresh controller per call (its state is per call); the strategies are shared.
        # Imported here: only a call that repairs something needs it, so importing
        # resilient_client stays cheap.
        import tenacity  # noqa: PLC0415

        return tenacity.Retrying(**_retry_kwargs(self.max_repairs))

    def prepare(
        self, client: openai.OpenAI | openai.AsyncOpenAI, options: FinalRequestOptions
    ) -> tuple[DeploymentKey, dict[str, Any]] | None:
        """The key and the full JSON body of a request, or ``None`` if it has no JSON body."""
        body = options.json_data
        extra = options.extra_json
        if not isinstance(body, dict) or (extra is not None and not isinstance(extra, dict)):
            return None
        if extra:
            # The SDK merges extra_body the same way when it builds the request;
            # merging here lets params sent through extra_body be repaired too.
            body = {k: v for k, v in {**body, **extra}.items() if not isinstance(v, openai.Omit)}
        base = client.__dict__.get("_rc_base")
        if base is None or base.url is not client.base_url:
            base = client.__dict__["_rc_base"] = _Base.of(client)
        return _key(base, options, body), body

    def call(self, key: DeploymentKey, body: dict[str, Any], mapping: DeploymentMapping | None) -> Call:
        """A new call, with the rules known for its key applied."""
        live = self.live(key, mapping)
        call = Call(
            key, body, live, policy=self.policy, max_repairs=self.max_repairs, learn=self.learn,
            observe=self.mode == "observe",
        )  # fmt: skip
        if call.would:
            # Observing: what the known rules would change, sent unchanged.
            _log.emit(
                logging.INFO,
                _log.WOULD_REWRITE,
                deployment=key.deployment,
                operation=key.operation,
                fixes=[f"{fix.param}:{fix.kind}" for fix in call.would],
            )
        if call.applied:
            self._rewritten(key, call.applied)
        return call

    def _rewritten(self, key: DeploymentKey, applied: tuple[Fix, ...]) -> None:
        """Count, log at DEBUG and record the stored fixes a call was rewritten with before it was sent."""
        self.uses.note(key, applied)
        if _log.enabled(logging.DEBUG):
            for fix in applied:
                _log.emit(
                    logging.DEBUG,
                    _log.RULE_APPLIED,
                    deployment=key.deployment,
                    operation=key.operation,
                    param=fix.param,
                    action=fix.kind,
                )
        if (recorder := _log.telemetry()) is not None:
            recorder.rewritten(key, applied)

    def may_lead(self, call: Call, waited: float) -> bool:
        """Whether the call should try to lead: it carries something unverified and has not waited too long.

        A call that waited ``wait_timeout`` seconds goes ahead without leading: a
        stuck leader delays others, never blocks them.
        """
        return not call.leader and waited < self.wait_timeout and bool(call.unverified())

    def live(self, key: DeploymentKey, mapping: DeploymentMapping | None) -> DeploymentMapping | None:
        """The rules that may act on this client's calls (every path that applies rules goes through here).

        Without rules past ``rule_ttl``, and without rules this client's policy blocks:
        a store is shared, and a rule learned under another policy, or planted, must
        not change what this client protects. Computed once per stored mapping.
        """
        if mapping is None:
            return None
        if self.rule_ttl is not None:
            mapping = expire(mapping, self.rule_ttl, time.time())
        found = self._vetted.get(id(mapping))
        if found is not None and found[0] is mapping:
            return found[1]
        kept, blocked = permitted(mapping.fixes, self.policy)
        vetted = mapping
        if blocked:
            vetted = replace(mapping, rules=tuple(rule for rule in mapping.rules if rule.fix in kept))
            _skipped(key, blocked)
        if len(self._vetted) >= _MAX_VETTED:
            self._vetted.clear()
        self._vetted[id(mapping)] = (mapping, vetted)
        return vetted

    def restart(self, call: Call, mapping: DeploymentMapping | None) -> None:
        """Re-apply the store's current rules to a call that waited or just took the lead."""
        call.restart(self.live(call.key, mapping))

    def try_lead(self, call: Call) -> bool:
        """Take the in-process leadership of the call's key (the shell then takes the store's lease)."""
        return _FLIGHTS.take(call.key)

    def stop_leading(self, call: Call) -> None:
        _FLIGHTS.drop(call.key)

    def lease_ttl(self) -> float:
        return max(self.wait_timeout, 1.0)

    def decide(self, call: Call, exc: openai.APIStatusError) -> Learn | Revoke:
        """Learn or revoke, or raise: the original error unchanged, or RepairBlockedError."""
        step = call.decide(exc.status_code, exc.response.content, time.time())
        if isinstance(step, Learn | Revoke):
            if (recorder := _log.telemetry()) is not None:
                recorder.paid(call.key, step)
            return step
        fields = {"deployment": call.key.deployment, "operation": call.key.operation, "status": exc.status_code}
        if isinstance(step, Blocked):
            _raise_blocked(call, step, exc)
        reading = call.reading
        if step.reason == "not_repairable" and reading is not None and not reading.final and reading.message:
            # An unread wording is visible: `resilient-client explain` shows what the reader made of it.
            _log.emit(
                logging.INFO,
                _log.REJECTION_NOT_UNDERSTOOD,
                **fields,
                code=reading.code,
                said=reading.message,
                why=reading.why,
            )
        elif step.reason != "not_repairable":
            _log.emit(logging.INFO, _log.GAVE_UP, **fields, reason=step.reason, repairs=call.repairs)
        raise exc

    def adopt(self, call: Call, step: Learn | Revoke, mapping: DeploymentMapping, exc: openai.APIStatusError) -> None:
        """Switch the call to the store's rules for the next attempt, or give up (raise ``exc``)."""
        fields = {"deployment": call.key.deployment, "operation": call.key.operation}
        if call.observe:
            # Stored for review (`cache show`); the caller gets the server's error, as plain openai gives it.
            if isinstance(step, Learn):
                self._repaired(call, step, exc, attempt=call.repairs + 1)
            raise exc
        if isinstance(step, Learn) and (step.final or step.blocked is not None):
            # Stored for the next call; this one stops here.
            if step.blocked is not None:
                self._repaired(call, step, exc, attempt=call.repairs + 1)
                _raise_blocked(call, step.blocked, exc)
            _log.emit(logging.INFO, _log.GAVE_UP, **fields, reason="max_repairs", repairs=call.repairs, kept=True)
            raise exc
        if not call.adopt(step, self.live(call.key, mapping) or mapping):
            _log.emit(logging.INFO, _log.GAVE_UP, **fields, reason="no_change", repairs=call.repairs)
            raise exc
        if isinstance(step, Revoke):
            _log.emit(logging.INFO, _log.RULE_REVOKED, **fields, param=step.fix.param, action=step.fix.kind,
                      attempt=call.repairs)  # fmt: skip
            return
        self._repaired(call, step, exc, attempt=call.repairs)

    def _repaired(self, call: Call, step: Learn, exc: openai.APIStatusError, *, attempt: int) -> None:
        """One event per fix a rejection taught (a body naming three params gives three), and ``on_repair``."""
        for rule in step.rules:
            _log.emit(
                logging.INFO,
                _log.REPAIR_OBSERVED if call.observe else _log.PARAMETER_REPAIRED,
                deployment=call.key.deployment,
                operation=call.key.operation,
                host=call.key.host,
                api_version=call.key.api_version,
                attempt=attempt,
                status=exc.status_code,
                **summary(rule.fix),
            )
            if self.on_repair is not None:
                try:
                    self.on_repair(RepairEvent(call.key, rule.fix, rule.evidence, attempt))
                except Exception as error:  # noqa: BLE001 - a callback's failure never fails the call
                    _log.emit(logging.WARNING, _log.ON_REPAIR_FAILED, error=type(error).__name__)

    def succeeded(self, call: Call, result: object) -> Change | None:
        """The store change after a success: the body's signature accepted, the model reported."""
        return call.succeeded(_result_model(result))

    def reported(self, call: Call, before: DeploymentMapping, after: DeploymentMapping) -> None:
        """Log what a success changed about the key (a new model resets its rules)."""
        if before.model is not None and after.model != before.model:
            _log.emit(
                logging.INFO,
                _log.RULES_RESET,
                deployment=call.key.deployment,
                operation=call.key.operation,
                model_before=before.model,
                model_after=after.model,
                rules_dropped=len(before.rules),
            )


_MAX_VETTED: Final = 1024
_SKIPPED: set[tuple[DeploymentKey, Fix]] = set()


def _skipped(key: DeploymentKey, blocked: tuple[tuple[Fix, str], ...]) -> None:
    """Say once per process, key and fix that a stored rule was not applied, and why."""
    for fix, param in blocked:
        if (key, fix) in _SKIPPED:
            continue
        if len(_SKIPPED) >= _MAX_KEYS:
            _SKIPPED.clear()
        _SKIPPED.add((key, fix))
        _log.emit(
            logging.WARNING,
            _log.RULE_SKIPPED,
            deployment=key.deployment,
            operation=key.operation,
            param=fix.param,
            action=fix.kind,
            protected=param,
            why="this client's policy protects the param",
        )


def _is_async(store: object) -> bool:
    # Protocol isinstance checks see method names, not whether they are coroutines.
    return asyncio.iscoroutinefunction(getattr(store, "update", None))


class _Uses:
    """Calls each stored fix rewrote, per key, since they were last written: a warm call only adds here."""

    __slots__ = ("_counts", "_lock")

    def __init__(self) -> None:
        self._counts: dict[DeploymentKey, dict[Fix, int]] = {}
        self._lock = threading.Lock()

    def note(self, key: DeploymentKey, fixes: tuple[Fix, ...]) -> None:
        with self._lock:
            counts = self._counts.get(key)
            if counts is None:
                if len(self._counts) >= _MAX_KEYS:
                    return  # bounded: keys come from callers; a count is only a statistic
                counts = self._counts[key] = {}
            for fix in fixes:
                counts[fix] = counts.get(fix, 0) + 1

    def take(self, key: DeploymentKey) -> dict[Fix, int]:
        with self._lock:
            return self._counts.pop(key, {})

    def take_all(self) -> dict[DeploymentKey, dict[Fix, int]]:
        with self._lock:
            counts, self._counts = self._counts, {}
            return counts


class _Flights:
    """Which deployment keys a call in this process is currently learning for."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._leaders: set[DeploymentKey] = set()

    def take(self, name: DeploymentKey) -> bool:
        with self._lock:
            if name in self._leaders:
                return False
            self._leaders.add(name)
            return True

    def drop(self, name: DeploymentKey) -> None:
        with self._lock:
            self._leaders.discard(name)


_FLIGHTS: Final = _Flights()


def _result_model(result: object) -> object:
    # ChatCompletion, Response, Completion and CreateEmbeddingResponse carry the
    # model Azure served; streams and raw responses do not (nothing is recorded).
    return getattr(result, "model", None)


def _options(options: FinalRequestOptions, call: Call) -> FinalRequestOptions:
    if call.body is options.json_data and options.extra_json is None:
        return options  # nothing to rewrite: the SDK copies its options itself
    sent = copy.copy(options)
    sent.json_data = call.body
    sent.extra_json = None
    return sent


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


@dataclass(frozen=True, slots=True)
class _Base:
    """What a client's base URL says about every key, parsed once per base URL."""

    url: object
    host: str
    deployment: str | None
    api_version: str

    @classmethod
    def of(cls, client: openai.OpenAI | openai.AsyncOpenAI) -> _Base:
        split = urlsplit(str(client.base_url))
        segments = [s for s in split.path.split("/") if s]
        deployment = segments[segments.index("deployments") + 1] if "deployments" in segments[:-1] else None
        version = client.default_query.get("api-version")
        return cls(client.base_url, _endpoint(client, split), deployment, str(version) if version else "")


def _endpoint(client: openai.OpenAI | openai.AsyncOpenAI, split: SplitResult) -> str:
    """The key's endpoint: host, port and path prefix, never the userinfo (a password may sit there).

    Two Azure resources behind one API Management host (``/resA/openai/…``, ``/resB/openai/…``)
    and two OpenAI-compatible base URLs on one host keep separate rules. For Azure the prefix is
    the path before ``/openai``, empty on standard endpoints, so their keys are those of 0.1.
    """
    netloc = split.hostname or ""
    if split.port is not None:
        netloc = f"{netloc}:{split.port}"
    path = split.path.rstrip("/")
    if isinstance(client, openai.AzureOpenAI | openai.AsyncAzureOpenAI):
        at = f"{path}/".find("/openai/")
        path = path[:at] if at >= 0 else path
    return f"{netloc}{path}"


def _key(base: _Base, options: FinalRequestOptions, body: dict[str, Any]) -> DeploymentKey:
    operation = options.url.strip("/")
    deployment = base.deployment if operation in _DEPLOYMENT_OPERATIONS else None
    params = options.params
    version = params.get("api-version") if isinstance(params, dict) else None
    if not deployment:
        model = body.get("model")
        deployment = model if isinstance(model, str) else ""
    parts = (base.host, deployment, str(version) if version else base.api_version, operation)
    key = _keys.get(parts)
    if key is None:
        if len(_keys) >= _MAX_KEYS:  # bounded: deployment names come from callers
            _keys.clear()
        key = _keys[parts] = DeploymentKey(*parts)
    return key


# One DeploymentKey per distinct key: a warm call looks it up instead of building
# (and hashing) a new frozen dataclass.
_keys: dict[tuple[str, str, str, str], DeploymentKey] = {}
_MAX_KEYS: Final = 4096


_parents: dict[type, str] = {}


def _openai_parent(cls: type) -> str:
    name = _parents.get(cls)
    if name is None:
        name = _parents[cls] = next(c.__name__ for c in cls.__mro__ if c.__module__.startswith("openai"))
    return name


_EXTRAS: Final = ("store", "max_repairs", "policy", "learn", "on_repair", "rule_ttl", "wait_timeout", "mode")


class _Options:
    """The keyword-only options both shells add to openai's constructors."""

    _rc: _Resilience

    @property
    def user_agent(self) -> str:
        """Openai's User-Agent, naming the openai class this one stands in for (``AzureOpenAI/Python …``)."""
        agent: str | None = self.__dict__.get("_rc_user_agent")
        if agent is None:
            agent = super().user_agent  # type: ignore[misc]  # provided by the openai base class
            agent = self.__dict__["_rc_user_agent"] = agent.replace(type(self).__name__, _openai_parent(type(self)), 1)
        return agent

    def __init__(
        self,
        *args: Any,
        store: StoreArg | AsyncStore = None,
        max_repairs: int = _DEFAULT_MAX_REPAIRS,
        policy: RepairPolicy | None = None,
        learn: bool = True,
        on_repair: Callable[[RepairEvent], None] | None = None,
        rule_ttl: float | None = None,
        wait_timeout: float = 15.0,
        mode: Mode = "repair",
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self._rc = _Resilience(
            store, max_repairs, policy or RepairPolicy(), learn, on_repair, rule_ttl, wait_timeout, mode
        )

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
    def repair_policy(self) -> RepairPolicy:
        """What this client may change in a request."""
        return self._rc.policy

    def _copied_resilience(self, overrides: dict[str, Any]) -> _Resilience:
        return resilience_with(self._rc, overrides)


def resilience_with(base: _Resilience, overrides: Mapping[str, Any]) -> _Resilience:
    """``base`` with some :class:`ResilienceOptions` changed, checked as the constructors check them."""
    unknown = overrides.keys() - set(_EXTRAS)
    if unknown:
        msg = f"unknown resilience option(s) {sorted(unknown)}; the options are {list(_EXTRAS)}"
        raise TypeError(msg)
    if not overrides:
        return base
    changes = dict(overrides)
    if "policy" in changes and changes["policy"] is None:
        changes["policy"] = RepairPolicy()
    # A copy vets the store's rules against its own policy: nothing vetted is shared.
    if "store" in changes:
        changes["store_arg"] = changes.pop("store")
        return replace(base, _stores={}, _vetted={}, **changes)
    return replace(base, _vetted={}, **changes)


class _SyncShell(_Options, _SyncBase):
    @property
    def store(self) -> Store:
        """The store this client learns into and reads rules from."""
        return self._rc.store

    def close(self) -> None:
        """Openai's ``close``; first writes how many calls the learned rules rewrote (best effort)."""
        try:
            update_all(self._rc.store, self._rc.unwritten_uses())
        except Exception as error:  # noqa: BLE001 - closing never fails on a statistic
            _log.emit(logging.WARNING, _log.STORE_ERROR, problem="uses", detail=type(error).__name__)
        super().close()

    def request(self, cast_to: Any, options: FinalRequestOptions, *args: Any, **kwargs: Any) -> Any:
        """Send through openai's request path, repairing and learning from parameter rejections."""
        prepared = self._rc.prepare(self, options)
        if prepared is None:
            return super().request(cast_to, options, *args, **kwargs)
        store = self._rc.store
        call = self._rc.call(*prepared, store.get(prepared[0]))
        # The core decides every step (_attempts.flight); this loop only does the I/O it asks for.
        run = _Run(flight(self._rc, call, time.monotonic))
        while (op := run.next()) is not None:
            try:
                if isinstance(op, Send):
                    run.answer(super().request(cast_to, _options(options, call), *args, **kwargs))
                else:
                    run.answer(_perform(op, store, self._rc))
            except BaseException as exc:  # noqa: BLE001, PERF203 - handed to the flight, which re-raises the rest
                run.fail(exc)
        return run.result


class _Run:
    """A flight being driven: the op it asks for next, given the answer (or the error) to the last one."""

    __slots__ = ("_error", "_steps", "_value", "result")

    def __init__(self, steps: Generator[Op, Any, Any]) -> None:
        self._steps = steps
        self._value: Any = None
        self._error: BaseException | None = None
        self.result: Any = None

    def answer(self, value: Any) -> None:
        self._value = value

    def fail(self, error: BaseException) -> None:
        self._error = error

    def next(self) -> Op | None:
        """The next op; ``None`` once the flight returned (see :attr:`result`). Raises what the flight raises."""
        value, error = self._value, self._error
        self._value = self._error = None
        try:
            return self._steps.send(value) if error is None else self._steps.throw(error)
        except StopIteration as done:
            self.result = done.value
            return None


def _perform(op: Op, store: Store, rc: _Resilience) -> Any:
    """One store op of a flight, sync."""
    if isinstance(op, Update):
        return store.update(op.key, rc.counted(op.key, op.change))
    if isinstance(op, Refresh):
        store.refresh()
        return store.get(op.key)
    if isinstance(op, TakeLease):
        return store.lease(op.name, op.ttl)
    if isinstance(op, ReleaseLease):
        return store.release(op.name)
    assert isinstance(op, Wait)  # noqa: S101 - the Op union is closed
    return time.sleep(op.seconds)


async def _perform_async(op: Op, store: AsyncStore, rc: _Resilience) -> Any:
    """One store op of a flight, async: the same ops, awaited."""
    if isinstance(op, Update):
        return await store.update(op.key, rc.counted(op.key, op.change))
    if isinstance(op, Refresh):
        await store.refresh()
        return await store.get(op.key)
    if isinstance(op, TakeLease):
        return await store.lease(op.name, op.ttl)
    if isinstance(op, ReleaseLease):
        return await store.release(op.name)
    assert isinstance(op, Wait)  # noqa: S101 - the Op union is closed
    return await asyncio.sleep(op.seconds)


class _AsyncShell(_Options, _AsyncBase):
    @property
    def store(self) -> Store | AsyncStore:
        """The store this client learns into and reads rules from (as given, or resolved from a path or URL)."""
        return self._rc.resolved

    async def close(self) -> None:
        """Openai's ``close``; first writes how many calls the learned rules rewrote (best effort)."""
        try:
            await aupdate_all(self._rc.async_store, self._rc.unwritten_uses())
        except Exception as error:  # noqa: BLE001 - closing never fails on a statistic
            _log.emit(logging.WARNING, _log.STORE_ERROR, problem="uses", detail=type(error).__name__)
        await super().close()

    async def request(self, cast_to: Any, options: FinalRequestOptions, *args: Any, **kwargs: Any) -> Any:
        """Send through openai's request path, repairing and learning from parameter rejections."""
        prepared = self._rc.prepare(self, options)
        if prepared is None:
            return await super().request(cast_to, options, *args, **kwargs)
        store = self._rc.async_store
        call = self._rc.call(*prepared, await store.get(prepared[0]))
        # The same flight as the sync twin, its I/O awaited: waiting never blocks the event loop.
        run = _Run(flight(self._rc, call, time.monotonic))
        while (op := run.next()) is not None:
            try:
                if isinstance(op, Send):
                    run.answer(await super().request(cast_to, _options(options, call), *args, **kwargs))
                else:
                    run.answer(await _perform_async(op, store, self._rc))
            except BaseException as exc:  # noqa: BLE001, PERF203 - handed to the flight, which re-raises the rest
                run.fail(exc)
        return run.result


class ResilientAzureClient(_SyncShell, openai.AzureOpenAI):
    """``openai.AzureOpenAI`` that learns which parameters each deployment accepts.

    Takes every argument ``AzureOpenAI`` takes (and reads the same environment
    variables), plus these keyword-only options:

    Args:
        store: Where learned rules are shared: a :class:`~resilient_client.stores.Store`,
            a path to a JSON cache file, or ``None`` for ``$RESILIENT_CLIENT_CACHE`` or
            the default file in the user cache directory.
        max_repairs: How many fixes one call may learn and retry before Azure's error
            is raised (default 8; the last rejection is still learned for the next call).
        policy: What may be changed; by default nothing that changes a request's
            meaning (messages, tools, response_format, stream…).
        learn: ``False`` applies known rules but learns nothing new.
        on_repair: Called with a :class:`RepairEvent` after each learned fix.
        rule_ttl: Seconds after which a rule not seen again is no longer applied
            (``None``: rules live until the deployment's model changes or Azure
            contradicts them).
        wait_timeout: Seconds a call waits for another call (in any process) that is
            learning the same deployment's rules, before going ahead on its own.
        mode: ``"repair"`` (the default), or ``"observe"`` for rollouts: no request is
            changed. A rejection is learned and reported (``repair_observed``), then
            raised as plain openai raises it; a call the known rules would rewrite is
            reported (``would_rewrite``, with the fixes) and sent as it is.

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


class ResilienceOptions(TypedDict, total=False):
    """The keyword-only options the resilient clients add to openai's (see :class:`ResilientAzureClient`)."""

    store: StoreArg | AsyncStore
    max_repairs: int
    policy: RepairPolicy | None
    learn: bool
    on_repair: Callable[[RepairEvent], None] | None
    rule_ttl: float | None
    wait_timeout: float
    mode: Mode


_TWINS: Final[dict[type, type[_Options]]] = {
    openai.AzureOpenAI: ResilientAzureClient,
    openai.AsyncAzureOpenAI: AsyncResilientAzureClient,
    openai.OpenAI: ResilientOpenAI,
    openai.AsyncOpenAI: AsyncResilientOpenAI,
}


@overload
def make_resilient(  # type: ignore[overload-overlap]  # the Azure classes subclass the plain ones
    client: openai.AsyncAzureOpenAI, **options: Unpack[ResilienceOptions]
) -> AsyncResilientAzureClient: ...
@overload
def make_resilient(  # type: ignore[overload-overlap]
    client: openai.AzureOpenAI, **options: Unpack[ResilienceOptions]
) -> ResilientAzureClient: ...
@overload
def make_resilient(client: openai.AsyncOpenAI, **options: Unpack[ResilienceOptions]) -> AsyncResilientOpenAI: ...
@overload
def make_resilient(client: openai.OpenAI, **options: Unpack[ResilienceOptions]) -> ResilientOpenAI: ...
def make_resilient(client: object, **options: Unpack[ResilienceOptions]) -> _Options:
    """The resilient twin of an openai client someone else built (a framework, a factory).

    ``AzureOpenAI`` becomes :class:`ResilientAzureClient`, ``AsyncAzureOpenAI``
    :class:`AsyncResilientAzureClient`, ``OpenAI`` :class:`ResilientOpenAI` and
    ``AsyncOpenAI`` :class:`AsyncResilientOpenAI`, built by openai's own ``copy()`` so
    they keep every setting: endpoint, deployment, api-version, key or Azure AD token
    provider, headers, query, timeout, retries, and the HTTP client (shared, as
    ``with_options`` shares it). ``client`` itself is left as it was. A resilient
    client comes back as it is, or as a copy when options are given.

    Raises:
        TypeError: ``client`` is not one of those four classes. A subclass of them is
            refused too, since its overrides would be lost: subclass the resilient
            class instead.
    """
    if isinstance(client, _Options):
        return client.copy(**options) if options else client
    twin = _TWINS.get(type(client))
    if twin is None:
        kind = "a subclass of an openai client" if isinstance(client, openai.OpenAI | openai.AsyncOpenAI) else "not"
        msg = (
            f"make_resilient() takes an openai OpenAI, AzureOpenAI, AsyncOpenAI or AsyncAzureOpenAI client; "
            f"{type(client).__qualname__} is {kind} one"
        )
        raise TypeError(msg)
    # An instance of the twin holding the client's state, only to call openai's copy() on:
    # copy() reads the settings from it and constructs a new, complete twin. Resources
    # (client.chat …) are cached properties bound to ``client``, so they stay behind.
    cached = {
        name
        for klass in type(client).__mro__
        for name, value in vars(klass).items()
        if isinstance(value, functools.cached_property)
    }
    shell = object.__new__(twin)
    shell.__dict__.update((name, value) for name, value in vars(client).items() if name not in cached)
    shell._rc = _Resilience()
    return shell.copy(**options)
