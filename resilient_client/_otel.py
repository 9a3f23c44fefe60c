"""OpenTelemetry: repairs as span events, and four counters, once the application uses OpenTelemetry.

Nothing here imports OpenTelemetry on its own. Until the application has imported
``opentelemetry.trace`` (looked up in ``sys.modules`` at each event, as :mod:`._log`
looks for structlog), :func:`active` is one dictionary lookup and records nothing:
an installed but unused ``opentelemetry-api`` costs neither import time nor work.
From then on, each repair is an event on the current span and the counters come
from ``opentelemetry.metrics.get_meter("resilient_client")``. A failure in here never
fails a call.
"""

from __future__ import annotations

import contextlib
import importlib
import sys
import threading
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, Final

if TYPE_CHECKING:
    from ._attempts import Learn, Revoke
    from ._models import DeploymentKey, Fix

__all__ = ["PAID", "REFUSED", "REPAIRED", "REWRITTEN", "UNREAD", "Telemetry", "active"]

REPAIRED: Final = "resilient_client.parameter_repaired"
"""The span event of one repair."""
PAID: Final = "resilient_client.rejections.paid"
REWRITTEN: Final = "resilient_client.calls.rewritten"
REFUSED: Final = "resilient_client.repairs.refused"
UNREAD: Final = "resilient_client.rejections.unread"

_COUNTERS: Final = {
    PAID: ("{rejection}", "Rejections learned from (a fix, or a stored rule revoked): each cost one request"),
    REWRITTEN: ("{call}", "Calls that stored rules rewrote before sending"),
    REFUSED: ("{repair}", "Repairs the client's policy refused: blocked repairs and stored rules not applied"),
    UNREAD: ("{rejection}", "Rejections that could not be read as a repair"),
}
_PREFIX: Final = "resilient_client."
# The fields of a parameter_repaired event a span event carries: the key, the fix as
# summary() reports it (from/to only where they hold no request text), the attempt.
_REPAIR_FIELDS: Final = (
    *("host", "deployment", "api_version", "operation"),
    *("param", "action", "from", "to", "when", "attempt"),
)
_TRACE: Final = "opentelemetry.trace"


class Telemetry:
    """The span events and counters of one process."""

    __slots__ = ("_counters", "_trace")

    def __init__(self, trace: Any, meter: Any) -> None:
        self._trace = trace
        self._counters = {
            name: meter.create_counter(name, unit=unit, description=text) for name, (unit, text) in _COUNTERS.items()
        }

    def repaired(self, fields: Mapping[str, Any]) -> None:
        """A span event on the current span for one ``parameter_repaired`` event's fields."""
        with contextlib.suppress(Exception):
            attributes = {_PREFIX + k: _attribute(fields[k]) for k in _REPAIR_FIELDS if fields.get(k) is not None}
            self._trace.get_current_span().add_event(REPAIRED, attributes)

    def count(self, counter: str, deployment: object, action: object = None) -> None:
        """Add one to ``counter`` (one of :data:`PAID`, :data:`REWRITTEN`, :data:`REFUSED`, :data:`UNREAD`)."""
        with contextlib.suppress(Exception):
            attributes = {_PREFIX + "deployment": str(deployment)}
            if action:
                attributes[_PREFIX + "action"] = str(action)
            self._counters[counter].add(1, attributes)

    def rewritten(self, key: DeploymentKey, fixes: Iterable[Fix]) -> None:
        """A call that stored rules rewrote before sending."""
        with contextlib.suppress(Exception):
            self.count(REWRITTEN, key.deployment, _actions(fix.kind for fix in fixes))

    def paid(self, key: DeploymentKey, step: Learn | Revoke) -> None:
        """A rejection learned from: ``action`` is the fixes' (``revoke`` when it revoked a stored rule)."""
        with contextlib.suppress(Exception):
            rules = getattr(step, "rules", None)
            self.count(PAID, key.deployment, "revoke" if rules is None else _actions(r.fix.kind for r in rules))


def _actions(kinds: Iterable[str]) -> str:
    """One attribute value for a call or rejection with several fixes: their actions, sorted, comma-separated."""
    return ",".join(sorted(set(kinds)))


def _attribute(value: object) -> str | bool | int | float:
    """A span attribute: settings as they are, anything else (a clamp's range) as text."""
    return value if isinstance(value, str | bool | int | float) else str(value)


class _State:
    __slots__ = ("failed", "lock", "telemetry")

    def __init__(self) -> None:
        self.telemetry: Telemetry | None = None
        self.failed = False
        self.lock = threading.Lock()


_STATE: Final = _State()


def active() -> Telemetry | None:
    """The telemetry once the application has imported ``opentelemetry.trace``, else ``None`` (a dict lookup)."""
    telemetry = _STATE.telemetry
    if telemetry is None and _TRACE in sys.modules and not _STATE.failed:
        return _start()
    return telemetry


def _start() -> Telemetry | None:
    with _STATE.lock:
        if _STATE.telemetry is None and not _STATE.failed:
            try:
                from . import __version__  # noqa: PLC0415 - the package is imported by now

                metrics = importlib.import_module("opentelemetry.metrics")
                meter = metrics.get_meter("resilient_client", __version__)
                _STATE.telemetry = Telemetry(sys.modules[_TRACE], meter)
            except Exception:  # noqa: BLE001 - no telemetry, then: the calls go on
                _STATE.failed = True
    return _STATE.telemetry
