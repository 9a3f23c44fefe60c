"""Events through structlog when the application configured it; silent otherwise.

structlog's out-of-the-box configuration prints to stdout, which a library must
never do on its own. So: when the application has configured structlog, events go
through its pipeline (logger name ``resilient_client``); otherwise they go to the
stdlib logger ``resilient_client``, which carries a ``NullHandler`` and so prints
nothing until the application configures :mod:`logging`. structlog is not even
imported unless the application imported it: an application that has not cannot
have configured it.

Repairs, refused repairs and unread rejections also reach OpenTelemetry (span
events and counters, :mod:`._otel`) once the application has imported it.
"""

from __future__ import annotations

import logging
import sys
from typing import Any, Final

from . import _otel

__all__ = [
    "GAVE_UP",
    "ON_REPAIR_FAILED",
    "PARAMETER_REPAIRED",
    "REJECTION_NOT_UNDERSTOOD",
    "REPAIR_BLOCKED",
    "REPAIR_OBSERVED",
    "RULES_RESET",
    "RULE_APPLIED",
    "RULE_REVOKED",
    "RULE_SKIPPED",
    "STORE_ERROR",
    "WOULD_REWRITE",
    "emit",
    "enabled",
    "telemetry",
]

LOGGER_NAME: Final = "resilient_client"
PARAMETER_REPAIRED: Final = "parameter_repaired"
RULE_APPLIED: Final = "rule_applied"
REPAIR_BLOCKED: Final = "repair_blocked"
GAVE_UP: Final = "gave_up"
STORE_ERROR: Final = "store_error"
RULE_REVOKED: Final = "rule_revoked"
RULES_RESET: Final = "rules_reset"
REJECTION_NOT_UNDERSTOOD: Final = "rejection_not_understood"
ON_REPAIR_FAILED: Final = "on_repair_failed"
RULE_SKIPPED: Final = "rule_skipped"
REPAIR_OBSERVED: Final = "repair_observed"
WOULD_REWRITE: Final = "would_rewrite"

_stdlib = logging.getLogger(LOGGER_NAME)
_stdlib.addHandler(logging.NullHandler())

telemetry: Final = _otel.active
"""The OpenTelemetry recorder, or ``None`` until the application uses OpenTelemetry (one dict lookup)."""
# The events OpenTelemetry hears of: the repair as a span event, the others as counters.
_COUNTED: Final = {
    REPAIR_BLOCKED: _otel.REFUSED,
    RULE_SKIPPED: _otel.REFUSED,
    REJECTION_NOT_UNDERSTOOD: _otel.UNREAD,
}


def _structlog() -> Any:
    module = sys.modules.get("structlog")
    return module if module is not None and module.is_configured() else None


def enabled(level: int) -> bool:
    """Whether an event at ``level`` could reach anyone (cheap; for hot paths)."""
    return _structlog() is not None or _stdlib.isEnabledFor(level)


def emit(level: int, event: str, **fields: Any) -> None:
    """Log ``event`` with ``fields`` at ``level``; fields never hold prompt text or keys.

    Through stdlib logging the message reads ``event key=value …`` and the fields
    are also attributes of the record (``record.event``, ``record.param`` …).
    """
    structlog = _structlog()
    if structlog is not None:
        structlog.get_logger(LOGGER_NAME).log(level, event, **fields)
    elif _stdlib.isEnabledFor(level):
        text = " ".join(f"{k}={v!r}" for k, v in fields.items())
        _stdlib.log(level, f"{event} {text}" if text else event, extra={"event": event, **fields})
    recorder = telemetry() if event == PARAMETER_REPAIRED or event in _COUNTED else None
    if recorder is not None:
        if event == PARAMETER_REPAIRED:
            recorder.repaired(fields)
        else:
            recorder.count(_COUNTED[event], fields.get("deployment"), fields.get("action"))
