"""The pure decision loop: after a rejection, learn a fix, revoke one, or give up.

The client shells drive it: they send, hand each rejection to :meth:`Call.decide`,
store the change it asks for, and hand the store's answer back to :meth:`Call.adopt`.
No sleeping, no network, no store here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final, Literal, TypeAlias

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
from ._reading import Reading, read

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
        "original",
        "policy",
        "reading",
        "repairs",
        "taught",
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
        self.mapping = mapping or _EMPTY
        self.body, self.applied = apply(self.mapping.fixes, original)
        self._signature: frozenset[str] | None = None

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
        self.mapping = mapping or _EMPTY
        self.body, self.applied = apply(self.mapping.fixes, self.original)
        self._signature = None

    def decide(self, status: int, error_body: str | bytes | object, now: float) -> Step:  # noqa: PLR0911 - one exit per outcome
        """What to do about a rejection of :attr:`body`.

        Args:
            status: HTTP status of the rejection.
            error_body: Its raw body.
            now: Current Unix time, for the evidence.

        Returns:
            :class:`Learn`, :class:`Revoke`, :class:`GiveUp` or :class:`Blocked`.
        """
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
        return Learn(rules, final=self.repairs >= self.max_repairs, blocked=stop, earlier=tuple(self.taught))

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
