"""``explain()``: what the reader makes of one error response, in words a bug report can carry.

The report shows what was extracted from the body, which sent param each finding was
grounded on, and the fixes that would be learned, or why none would be. It holds no
request text: messages are scrubbed of the request's own strings, and values are shown
only where they are settings (numbers, flags, short enum-like words).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ._attempts import reportable
from ._core import blocked_param
from ._models import Fix, RepairPolicy
from ._serialize import fix_to_json

if TYPE_CHECKING:
    from ._reading import Reading
    from ._reading._extract import Statement

__all__ = ["Explanation", "explain"]

_SHOWN_MESSAGE = 1000


def _shown(value: object) -> object:
    return value if reportable(value) else "…"


@dataclass(frozen=True, slots=True)
class Explanation:
    """What :func:`explain` found.

    Attributes:
        status: The HTTP status given.
        statements: What the body holds: one ``{"message", "param", "code"}`` per message,
            the messages scrubbed of request text.
        findings: What the body says about each sent param it names.
        fixes: The fixes the client would learn.
        blocked: For each fix the policy would refuse, the protected param it touches.
        final: The body is not about params at all (limits, access, policy).
        why: Why nothing would be learned, when nothing would.
    """

    status: int
    statements: tuple[dict[str, Any], ...]
    findings: tuple[dict[str, Any], ...]
    fixes: tuple[Fix, ...]
    blocked: dict[str, str] = field(default_factory=dict)
    final: bool = False
    why: str = ""

    @property
    def would_repair(self) -> bool:
        """Whether the client would learn a fix and retry (some fix the policy allows)."""
        return len(self.fixes) > len(self.blocked)

    def as_dict(self) -> dict[str, Any]:
        """The explanation as JSON-ready data."""
        return {
            "status": self.status,
            "would_repair": self.would_repair,
            "final": self.final,
            "why": self.why,
            "statements": list(self.statements),
            "findings": list(self.findings),
            "fixes": [fix_to_json(f) for f in self.fixes],
            "blocked": self.blocked,
        }

    def __str__(self) -> str:
        lines = [
            f"status {self.status}: " + ("would repair" if self.would_repair else "would raise the error as it came")
        ]
        lines += [f"  read: {json.dumps(s, ensure_ascii=False)}" for s in self.statements]
        lines += [f"  found: {json.dumps(f, ensure_ascii=False)}" for f in self.findings]
        for fix in self.fixes:
            key = repr(fix)
            note = f"  (blocked: {self.blocked[key]} is protected)" if key in self.blocked else ""
            lines.append(f"  fix: {json.dumps(fix_to_json(fix), ensure_ascii=False)}{note}")
        if self.why:
            lines.append(f"  why not: {self.why}")
        return "\n".join(lines)


def _statement(statement: Statement) -> dict[str, Any]:
    # The reader has scrubbed the request's text from every statement already.
    return {"message": statement.message[:_SHOWN_MESSAGE], "param": statement.param, "code": statement.code}


def explain(
    status: int, body: str | bytes | object, request: dict[str, Any], *, policy: RepairPolicy | None = None
) -> Explanation:
    """Explain what the client would make of an error response to ``request``.

    Args:
        status: The HTTP status of the response.
        body: The error body: text, bytes, or decoded JSON, in any provider's envelope.
        request: The JSON request body that drew it (names are grounded in it).
        policy: The policy to judge the fixes by (default: ``RepairPolicy()``).

    Returns:
        The explanation; ``str()`` of it is a report without request text.
    """
    from ._reading import read  # noqa: PLC0415 - loaded when asked, not at import (see _attempts)

    policy = policy or RepairPolicy()
    reading: Reading = read(status, body, request)
    findings = tuple(
        {"kind": f.kind, "param": f.param}
        | ({"new": f.new} if f.new else {})
        | ({"value": _shown(f.value)} if f.value is not ... else {})
        | ({"allowed": [_shown(a) for a in f.allowed]} if f.allowed else {})
        | ({"when": str(f.when)} if f.when else {})
        for f in reading.findings
    )
    blocked = {repr(f): p for f in reading.fixes if (p := blocked_param(f, policy)) is not None}
    why = reading.why or (
        "every fix touches a protected param" if blocked and len(blocked) == len(reading.fixes) else ""
    )
    return Explanation(
        status=status,
        statements=tuple(_statement(s) for s in reading.statements),
        findings=findings,
        fixes=reading.fixes,
        blocked=blocked,
        final=reading.final,
        why=why,
    )
