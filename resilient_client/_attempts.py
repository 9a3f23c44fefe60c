"""The pure decision loop: after a rejection, learn a fix, revoke one, or give up.

:func:`flight` is one call from its first look at the store to its last release, as a
generator of the I/O to do next; the client shells drive it, sync or async. It hands
each rejection to :meth:`Call.decide`, asks for the change it decides to be stored,
and hands the store's answer back to :meth:`Call.adopt`. No sleeping, no network, no
store here.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, Final, Literal, NoReturn, Protocol, TypeAlias

from ._core import (
    Body,
    accept,
    apply,
    blocked_param,
    merge,
    observe_model,
    revoke,
    signature,
    undone,
)
from ._models import (
    ChangeRole,
    Clamp,
    DeploymentKey,
    DeploymentMapping,
    Evidence,
    Fix,
    LearnedRule,
    Rename,
    RepairPolicy,
    SetValue,
)
from ._serialize import key_id

if TYPE_CHECKING:
    from ._reading import Reading

GiveUpReason: TypeAlias = Literal[
    "not_repairable",  # not a parameter rejection, or one that does not fit the request
    "repeated",  # the rejection came back although its fix was applied
    "oscillating",  # the fix would undo one this call learned (A→B, then B→A)
    "max_repairs",  # the bound on repairs per call was reached
    "learning_off",  # learn=False: known rules only
    "no_change",  # the store's answer does not change the request
]

Change: TypeAlias = Callable[[DeploymentMapping], DeploymentMapping]

_EMPTY: Final = DeploymentMapping()


@dataclass(frozen=True, slots=True)
class Learn:
    """Store these rules for the call's key and retry: one rejection may name several params.

    ``final``: store them but do not retry: the call has used its ``max_repairs``.
    ``blocked``: store them, then raise :class:`RepairBlockedError` for the fix that
    would change a protected param (named in the same rejection).
    The next call still benefits, so no rejection is ever paid for twice.
    """

    rules: tuple[LearnedRule, ...]
    final: bool = False
    blocked: Blocked | None = None
    earlier: tuple[LearnedRule, ...] = ()
    """What this call learned before: put back if a ``clear`` raced the call, so the retry still has it."""

    def change(self, mapping: DeploymentMapping) -> DeploymentMapping:
        """The store change: add the rules, unless one would close a cycle with what the store holds now.

        Another process may have learned the way back meanwhile (A→B here, B→A there):
        such a rule is not added, so the call stops instead of the fleet oscillating.
        """
        for rule in self.earlier:
            if rule.fix not in mapping.fixes and undone(rule.fix, mapping.fixes) is None:
                mapping = merge(mapping, rule)
        for rule in self.rules:
            if undone(rule.fix, mapping.fixes) is None:
                mapping = merge(mapping, rule)
        return mapping


@dataclass(frozen=True, slots=True)
class Revoke:
    """A stored rule is contradicted by the deployment now: remove it and retry without it."""

    fix: Fix
    message: str

    def change(self, mapping: DeploymentMapping) -> DeploymentMapping:
        """The store change: drop the rule."""
        return revoke(mapping, self.fix)


@dataclass(frozen=True, slots=True)
class GiveUp:
    """Raise the original error unchanged."""

    reason: GiveUpReason


@dataclass(frozen=True, slots=True)
class Blocked:
    """The fix would change a protected param: raise :class:`RepairBlockedError`."""

    fix: Fix
    param: str
    message: str


Step: TypeAlias = Learn | Revoke | GiveUp | Blocked


class Call:
    """The state of one API call across its attempts.

    Args:
        key: The deployment key the call is for.
        original: The body the caller built (never mutated).
        mapping: What is known for ``key`` when the call starts.
        policy: What may be changed.
        max_repairs: How many changes one call may make to the shared rules.
        learn: Whether new fixes may be learned at all.
        observe: Change nothing: send ``original`` as it is, note in :attr:`would` what
            the known rules would change, and learn from a rejection without a retry.
    """

    __slots__ = (
        "_signature",
        "applied",
        "body",
        "key",
        "leader",
        "learn",
        "learned",
        "mapping",
        "max_repairs",
        "observe",
        "original",
        "policy",
        "reading",
        "repairs",
        "taught",
        "would",
    )

    def __init__(
        self,
        key: DeploymentKey,
        original: Body,
        mapping: DeploymentMapping | None,
        *,
        policy: RepairPolicy,
        max_repairs: int,
        learn: bool,
        observe: bool = False,
    ) -> None:
        self.key = key
        self.original = original
        self.policy = policy
        self.max_repairs = max_repairs
        self.learn = learn
        self.repairs = 0
        self.leader = False
        self.learned: list[Fix] = []
        self.taught: list[LearnedRule] = []
        self.reading: Reading | None = None
        """The reader's account of the last rejection (for events about what it did not understand)."""
        self.observe = observe
        self.would: tuple[Fix, ...] = ()
        """In observe mode: the known fixes that would have changed the body."""
        self._signature: frozenset[str] | None = None
        self._take(mapping)

    def _take(self, mapping: DeploymentMapping | None) -> None:
        self.mapping = mapping or _EMPTY
        body, applied = apply(self.mapping.fixes, self.original)
        if self.observe:
            body, applied, self.would = self.original, (), applied
        self.body, self.applied = body, applied
        self._signature = None

    def signature(self) -> frozenset[str]:
        """The signature of :attr:`body` (computed once per body)."""
        if self._signature is None:
            self._signature = signature(self.body)
        return self._signature

    def unverified(self) -> frozenset[str]:
        """What the body to send carries that Azure has not yet accepted for this key."""
        if not self.learn:
            return frozenset()
        return self.signature() - self.mapping.accepted

    def restart(self, mapping: DeploymentMapping | None) -> None:
        """Take what others learned while this call waited (not a repair of its own)."""
        self._take(mapping)

    def decide(self, status: int, error_body: str | bytes | object, now: float) -> Step:  # noqa: PLR0911 - one exit per outcome
        """What to do about a rejection of :attr:`body`.

        Args:
            status: HTTP status of the rejection.
            error_body: Its raw body.
            now: Current Unix time, for the evidence.

        Returns:
            :class:`Learn`, :class:`Revoke`, :class:`GiveUp` or :class:`Blocked`.
        """
        # Imported here: only a rejection needs the reader, whose grammar is most of what importing
        # resilient_client would otherwise cost (the same as tenacity in _client).
        from ._reading import read  # noqa: PLC0415

        reading = read(status, error_body, self.body, known=self.applied)
        self.reading = reading
        if not reading.fixes:
            # The rejection may be about what a fix already changed: then the fix did not help.
            earlier = read(status, error_body, self.original).fixes if self.applied else ()
            return GiveUp("repeated" if any(f in self.applied for f in earlier) else "not_repairable")
        fresh = tuple(f for f in reading.fixes if f not in self.applied)
        if not fresh:
            return GiveUp("repeated")
        protected = [(f, blocked_param(f, self.policy)) for f in fresh]
        allowed = tuple(f for f, p in protected if p is None)
        stop = next((Blocked(f, p, reading.message) for f, p in protected if p is not None), None)
        if not allowed:
            return stop if stop is not None else GiveUp("not_repairable")
        if not self.learn:
            return stop if stop is not None else GiveUp("learning_off")
        for fix in allowed:
            contradicted = undone(fix, self.mapping.fixes)
            if contradicted is not None:
                # Undoing a rule this very call learned would oscillate; an older rule that
                # the deployment now contradicts (its model changed) is revoked instead.
                if contradicted in self.learned or self.repairs >= self.max_repairs:
                    return GiveUp("oscillating" if contradicted in self.learned else "max_repairs")
                return Revoke(contradicted, reading.message)
        evidence = evidence_of(reading, now)
        rules = tuple(LearnedRule(fix, evidence) for fix in allowed)
        # Observing, the rules are stored and the rejection raised: the call itself changes nothing.
        final = self.observe or self.repairs >= self.max_repairs
        return Learn(rules, final=final, blocked=stop, earlier=tuple(self.taught))

    def adopt(self, step: Learn | Revoke, mapping: DeploymentMapping) -> bool:
        """Take the store's mapping after a change; ``False`` if the request would not change.

        The store's mapping may hold more than this call learned: other processes
        sharing the cache may have learned fixes meanwhile.
        """
        body, applied = apply(mapping.fixes, self.original)
        if body == self.body:
            return False
        self.repairs += 1
        if isinstance(step, Learn):
            self.learned.extend(rule.fix for rule in step.rules)
            self.taught.extend(step.rules)
        self.mapping, self.body, self.applied = mapping, body, applied
        self._signature = None
        return True

    def succeeded(self, model: object) -> Change | None:
        """The store change to make after Azure accepted :attr:`body`, if any.

        It records the body's signature as accepted and the model the deployment
        reported (a different model than before starts the key afresh).
        """
        seen = self.signature() if self.learn else frozenset()
        reported = model if isinstance(model, str) and model else None
        if seen <= self.mapping.accepted and (reported is None or reported == self.mapping.model):
            return None

        def change(mapping: DeploymentMapping) -> DeploymentMapping:
            # A new model resets the key first; what this body showed it accepts holds for the new model too.
            if reported is not None:
                mapping = observe_model(mapping, reported)
            return accept(mapping, seen)

        return change


def evidence_of(reading: Reading, now: float) -> Evidence:
    """The evidence to store for a rejection read at ``now`` (the message already truncated and scrubbed)."""
    return Evidence(reading.status, reading.code, reading.message, now, now)


def summary(fix: Fix) -> dict[str, Any]:
    """Event fields describing a fix: param, action, and from/to where they carry no request text.

    A set value's old and new values are only reported for the enum-like params whose
    values are settings (an effort level), never for free-form ones.
    """
    fields: dict[str, Any] = {"param": fix.param, "action": fix.kind}
    if isinstance(fix, Rename):
        fields.update({"from": fix.param, "to": fix.new})
    elif isinstance(fix, SetValue):
        if reportable(fix.old) and reportable(fix.new):
            fields.update({"from": fix.old, "to": fix.new})
    elif isinstance(fix, Clamp):
        fields.update({"to": [fix.minimum, fix.maximum]})
    elif isinstance(fix, ChangeRole):
        fields.update({"from": fix.role, "to": fix.new})
    when = getattr(fix, "when", None)
    if when is not None:
        fields["when"] = str(when)
    return fields


_REPORTABLE_TEXT: Final = 32


def reportable(value: object) -> bool:
    """Whether a value may be shown in events and reports: a setting (a number, a flag, a short word), never text."""
    short = isinstance(value, str) and len(value) <= _REPORTABLE_TEXT and "\n" not in value
    return value is None or isinstance(value, bool | int | float) or short


# --- one call's flight: single-flight learning, attempts, store changes ------------------------------------------
#
# One generator drives a call from its first look at the store to its last release: it
# yields what to do next (an Op), and the shell that drives it performs the I/O, sync
# or async, and sends the answer back in (or throws the rejection in). Nothing here
# sleeps, sends or touches a store, so the sync and async clients (and any other
# shell) run the very same steps.


@dataclass(frozen=True, slots=True)
class TakeLease:
    """Try to take the store's lease ``name`` for ``ttl`` seconds; answer: ``True`` if taken."""

    name: str
    ttl: float


@dataclass(frozen=True, slots=True)
class ReleaseLease:
    """Give the store's lease ``name`` back; answer: ``None``."""

    name: str


@dataclass(frozen=True, slots=True)
class Wait:
    """Sleep ``seconds`` (another call leads); answer: ``None``."""

    seconds: float


@dataclass(frozen=True, slots=True)
class Refresh:
    """Refresh the store, then read ``key``; answer: the mapping (or ``None``)."""

    key: DeploymentKey


@dataclass(frozen=True, slots=True)
class Send:
    """Send the call's current body; answer: the response, or the rejection thrown in."""


@dataclass(frozen=True, slots=True)
class Update:
    """Apply ``change`` to ``key`` in the store; answer: the store's mapping after it."""

    key: DeploymentKey
    change: Change


Op: TypeAlias = TakeLease | ReleaseLease | Wait | Refresh | Send | Update
SEND: Final = Send()
POLL: Final = 0.01
"""Seconds between looks at the store while another call learns the same key."""


class Shell(Protocol):
    """What a flight asks of the shell around it: decisions, events and errors; never I/O."""

    rejection: ClassVar[type[BaseException]]
    """The exception a rejected :class:`Send` is thrown in as (``openai.APIStatusError``)."""

    def may_lead(self, call: Call, waited: float) -> bool:
        """Whether the call, having waited ``waited`` seconds, should try to lead its key's learning."""

    def try_lead(self, call: Call) -> bool:
        """Take the in-process leadership of the call's key."""

    def stop_leading(self, call: Call) -> None:
        """Give the in-process leadership back."""

    def lease_ttl(self) -> float:
        """Seconds a store lease lasts."""

    def restart(self, call: Call, mapping: DeploymentMapping | None) -> None:
        """Re-apply the store's current rules to the call."""

    def decide(self, call: Call, rejection: Any) -> Learn | Revoke:
        """Learn or revoke; raise to give up."""

    def adopt(self, call: Call, step: Learn | Revoke, mapping: DeploymentMapping, rejection: Any) -> None:
        """Take the store's answer to a change; raise to stop."""

    def succeeded(self, call: Call, result: Any) -> Change | None:
        """The store change to make after the call's body was accepted, if any."""

    def reported(self, call: Call, before: DeploymentMapping, after: DeploymentMapping) -> None:
        """Report what a success changed."""

    def retrying(self) -> Iterable[Any]:
        """The attempts (tenacity's) for the retries after the first repair."""


class _Repaired(Exception):  # noqa: N818 - control flow for tenacity, never escapes
    """A new fix was learned: try again."""

    def __init__(self, original: BaseException) -> None:
        super().__init__()
        self.original = original


def reraise_original(state: Any) -> NoReturn:
    """The ``retry_error_callback`` for tenacity: raise the rejection itself, never a RetryError."""
    exc: BaseException | None = state.outcome.exception() if state.outcome else None
    if exc is None:  # pragma: no cover - tenacity calls this only after a failed attempt
        raise RuntimeError("no attempt failed")
    raise exc.original if isinstance(exc, _Repaired) else exc


def flight(shell: Shell, call: Call, clock: Callable[[], float]) -> Generator[Op, Any, Any]:
    """The whole of one call, as the ops its shell performs; returns the accepted response.

    Single flight: one call per key learns at a time, in this process (``try_lead``)
    and across processes (the store's lease); the others wait, then apply what it
    learned. A call that waited ``wait_timeout`` goes ahead on its own.
    """
    started = clock()
    while shell.may_lead(call, clock() - started):
        leading = shell.try_lead(call)
        if leading and not (yield TakeLease(key_id(call.key), shell.lease_ttl())):
            shell.stop_leading(call)
            leading = False
        if not leading:
            yield Wait(POLL)
        # Fresh rules either way: a new leader starts from what the last one learned.
        shell.restart(call, (yield Refresh(call.key)))
        if leading:
            if call.unverified():
                call.leader = True
                break
            yield ReleaseLease(key_id(call.key))
            shell.stop_leading(call)
    try:
        result = yield from _attempts(shell, call)
        change = shell.succeeded(call, result)
        if change is not None:
            shell.reported(call, call.mapping, (yield Update(call.key, change)))
        return result
    finally:
        if call.leader:
            yield ReleaseLease(key_id(call.key))
            shell.stop_leading(call)


def _attempts(shell: Shell, call: Call) -> Generator[Op, Any, Any]:
    try:
        # The first attempt runs outside tenacity: a warm call pays nothing for the retry machinery.
        return (yield SEND)
    except shell.rejection as rejection:
        yield from _learn(shell, call, rejection)
    result: Any = None
    for attempt in shell.retrying():
        with attempt:
            try:
                result = yield SEND
            except shell.rejection as rejection:
                yield from _learn(shell, call, rejection)
                raise _Repaired(rejection) from None
    return result


def _learn(shell: Shell, call: Call, rejection: BaseException) -> Generator[Op, Any, None]:
    step = shell.decide(call, rejection)
    shell.adopt(call, step, (yield Update(call.key, step.change)), rejection)
