"""An OpenAI/Azure-compatible HTTP gateway that learns parameter repairs: ``resilient-client serve``.

Point any app, in any language, at the gateway instead of its upstream (Azure OpenAI or
an OpenAI-compatible provider): completion requests are rewritten by the learned rules,
a parameter rejection is learned and retried inside the gateway, and the caller gets
one normal response. It needs the ``gateway`` extra (Starlette, uvicorn); importing this
package does not import them, :func:`create_app` and :func:`run` do.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._config import BLOCKED_HEADER, REPAIRS_HEADER, GatewayConfig, Route, Upstream, classify, parse_upstreams
from ._serve import run

if TYPE_CHECKING:
    import httpx2
    from starlette.applications import Starlette  # type: ignore[import-not-found, unused-ignore]

__all__ = [
    "BLOCKED_HEADER",
    "REPAIRS_HEADER",
    "GatewayConfig",
    "Route",
    "Upstream",
    "classify",
    "create_app",
    "parse_upstreams",
    "run",
]


def create_app(config: GatewayConfig, *, transport: httpx2.AsyncBaseTransport | None = None) -> Starlette:
    """The gateway's ASGI app (a Starlette app) for ``config``; ``transport`` reaches the upstreams (for tests).

    Raises:
        ImportError: The ``gateway`` extra is not installed.
    """
    try:
        from ._app import create_app as build  # noqa: PLC0415 - the extra's imports, only when asked
    except ImportError as exc:
        msg = "the gateway needs its extra: pip install 'resilient-client[gateway]'"
        raise ImportError(msg) from exc
    return build(config, transport=transport)
