"""The pure decision loop: after a rejection, learn a fix, or give up.

The client shells drive it: they send, hand each rejection to :meth:`Call.decide`,
store what it says to learn, and hand the store's answer back to :meth:`Call.adopt`.
No sleeping, no network, no store here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final, Literal, TypeAlias

from ._core import Body, apply, blocked_param, evidence_for, parse_rejection, resolve, undoes
from ._models import (
    ChangeRole,
    Clamp,
    DeploymentKey,
    DeploymentMapping,
    Fix,
    LearnedRule,
    Rename,
    RepairPolicy,
    SetValue,
)

GiveUpReason: TypeAlias = Literal[
    "not_repairable",  # not a parameter rejection, or one that does not fit the request
    "repeated",  # the rejection came back although its fix was applied
    "oscillating",  # the fix would undo an earlier one (A→B, then B→A)
    "max_repairs",  # the bound on repairs per call was reached
    "learning_off",  # learn=False: known rules only
    "no_change",  # the store's answer does not change the request
]

_EMPTY: Final = DeploymentMapping()


@dataclass(frozen=True, slots=True)
class Learn:
    """Store this rule for the call's key and retry."""

    rule: LearnedRule


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


Step: TypeAlias = Learn | GiveUp | Blocked


class Call:
    """The state of one API call across its attempts.

    Args:
        key: The deployment key the call is for.
        original: The body the caller built (never mutated).
        mapping: The rules known for ``key`` when the call starts.
        policy: What may be changed.
        max_repairs: How many new fixes one call may learn.
        learn: Whether new fixes may be learned at all.
    """

    __slots__ = ("applied", "body", "key", "learn", "mapping", "max_repairs", "original", "policy", "repairs")

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
        self.mapping = mapping or _EMPTY
        self.body, self.applied = apply(self.mapping.fixes, original)

    def decide(self, status: int, error_body: str | bytes | object, now: float) -> Step:  # noqa: PLR0911 - one exit per outcome
        """What to do about a rejection of :attr:`body`.

        Args:
            status: HTTP status of the rejection.
            error_body: Its raw body.
            now: Current Unix time, for the evidence.

        Returns:
            :class:`Learn`, :class:`GiveUp` or :class:`Blocked`.
        """
        rejection = parse_rejection(status, error_body)
        if rejection is None:
            return GiveUp("not_repairable")
        fix = resolve(rejection, self.body)
        if fix is None:
            # The rejection may be about what a fix already changed: then the fix did not help.
            earlier = resolve(rejection, self.original)
            return GiveUp("repeated" if earlier is not None and earlier in self.applied else "not_repairable")
        param = blocked_param(fix, self.policy)
        if param is not None:
            return Blocked(fix, param, rejection.message)
        if fix in self.applied:
            return GiveUp("repeated")
        if undoes(fix, self.mapping.fixes):
            return GiveUp("oscillating")
        if not self.learn:
            return GiveUp("learning_off")
        if self.repairs >= self.max_repairs:
            return GiveUp("max_repairs")
        return Learn(LearnedRule(fix, evidence_for(rejection, now)))

    def adopt(self, mapping: DeploymentMapping) -> bool:
        """Take the store's mapping after learning; ``False`` if the request would not change.

        The store's mapping may hold more than this call learned: other processes
        sharing the cache may have learned fixes meanwhile.
        """
        body, applied = apply(mapping.fixes, self.original)
        if body == self.body:
            return False
        self.repairs += 1
        self.mapping, self.body, self.applied = mapping, body, applied
        return True


def summary(step: Learn | Blocked) -> dict[str, Any]:
    """Event fields describing a fix: param, action, and for learned fixes from/to.

    A blocked fix reports no values: it may concern a param that carries content.
    """
    if isinstance(step, Blocked):
        return {"param": step.fix.param, "action": step.fix.kind}
    fix = step.rule.fix
    fields: dict[str, Any] = {"param": fix.param, "action": fix.kind}
    if isinstance(fix, Rename):
        fields.update({"from": fix.param, "to": fix.new})
    elif isinstance(fix, SetValue):
        fields.update({"from": fix.old, "to": fix.new})
    elif isinstance(fix, Clamp):
        fields.update({"to": [fix.minimum, fix.maximum]})
    elif isinstance(fix, ChangeRole):
        fields.update({"from": fix.role, "to": fix.new})
    return fields
