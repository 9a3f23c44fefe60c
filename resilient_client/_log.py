"""One structlog logger, silent unless the application configures logging.

structlog's out-of-the-box configuration prints to stdout, which a library must
never do on its own. So: when the application has configured structlog, events go
through its pipeline; otherwise they go to the stdlib logger ``resilient_client``,
which carries a ``NullHandler`` and so prints nothing until the application
configures :mod:`logging`.
"""

from __future__ import annotations

import logging
from collections.abc import MutableMapping
from typing import Any, Final

import structlog

__all__ = [
    "GAVE_UP",
    "PARAMETER_REPAIRED",
    "REPAIR_BLOCKED",
    "RULES_RESET",
    "RULE_APPLIED",
    "RULE_REVOKED",
    "STORE_ERROR",
    "emit",
]

LOGGER_NAME: Final = "resilient_client"
PARAMETER_REPAIRED: Final = "parameter_repaired"
RULE_APPLIED: Final = "rule_applied"
REPAIR_BLOCKED: Final = "repair_blocked"
GAVE_UP: Final = "gave_up"
STORE_ERROR: Final = "store_error"
RULE_REVOKED: Final = "rule_revoked"
RULES_RESET: Final = "rules_reset"

_stdlib = logging.getLogger(LOGGER_NAME)
_stdlib.addHandler(logging.NullHandler())


def _render(_: Any, __: str, event_dict: MutableMapping[str, Any]) -> dict[str, Any]:
    event = event_dict.pop("event")
    fields = " ".join(f"{k}={v!r}" for k, v in event_dict.items())
    return {"msg": f"{event} {fields}" if fields else event, "extra": {"event": event, **event_dict}}


_fallback = structlog.wrap_logger(
    _stdlib,
    processors=[_render],
    wrapper_class=structlog.stdlib.BoundLogger,
    context_class=dict,
    cache_logger_on_first_use=True,
)


def enabled(level: int) -> bool:
    """Whether an event at ``level`` could reach anyone (cheap; for hot paths)."""
    return structlog.is_configured() or _stdlib.isEnabledFor(level)


def emit(level: int, event: str, **fields: Any) -> None:
    """Log ``event`` with ``fields`` at ``level``; fields never hold prompt text or keys."""
    if structlog.is_configured():
        structlog.get_logger(LOGGER_NAME).log(level, event, **fields)
    elif _stdlib.isEnabledFor(level):
        _fallback.log(level, event, **fields)
