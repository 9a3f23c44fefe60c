"""``resilient-client serve``: the gateway under uvicorn, in one process or ``--workers N``.

The configuration reaches each worker through ``$RESILIENT_CLIENT_GATEWAY`` (JSON, no
secrets: with inbound auth it names the environment variables holding the keys, which
the workers inherit), read by :func:`app_from_environment`.
"""

from __future__ import annotations

import argparse
import importlib.util
import logging
import os
import sys
from typing import Any, Final

from ._config import GatewayConfig, parse_upstreams

__all__ = ["CONFIG_ENV", "add_arguments", "app_from_environment", "command", "run"]

CONFIG_ENV: Final = "RESILIENT_CLIENT_GATEWAY"
_LOG_LEVEL_ENV: Final = "RESILIENT_CLIENT_GATEWAY_LOG_LEVEL"
_HINT: Final = "resilient-client serve needs the gateway extra: pip install 'resilient-client[gateway]'"


def app_from_environment() -> Any:
    """The app for the configuration in ``$RESILIENT_CLIENT_GATEWAY`` (uvicorn's factory, in every worker)."""
    from ._app import create_app  # noqa: PLC0415 - the extra's imports, only in a server

    _logging(os.environ.get(_LOG_LEVEL_ENV, "info"))
    return create_app(GatewayConfig.from_json(os.environ[CONFIG_ENV]))


def _logging(level: str) -> None:
    # The library's events (parameter_repaired, …) on stderr beside uvicorn's; they carry no request text.
    logging.basicConfig(level=level.upper(), format="%(asctime)s %(levelname)s %(name)s %(message)s")
    logging.getLogger("httpx2").setLevel(logging.WARNING)  # one line per request, URL and query included


def run(
    config: GatewayConfig,
    *,
    host: str = "127.0.0.1",
    port: int = 8099,
    workers: int = 1,
    graceful_timeout: int = 30,
    log_level: str = "info",
) -> None:
    """Serve until SIGINT/SIGTERM; then stop accepting, let open requests finish (at most ``graceful_timeout`` s)."""
    import uvicorn  # type: ignore[import-not-found, unused-ignore]  # noqa: PLC0415 - the gateway extra

    os.environ[CONFIG_ENV] = config.to_json()
    os.environ[_LOG_LEVEL_ENV] = log_level
    uvicorn.run(
        f"{__name__}:app_from_environment",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level=log_level,
        access_log=False,  # a query string may carry a key (some providers take ?key=): nothing is logged per request
        server_header=False,  # the upstream's Server and Date are relayed instead
        date_header=False,
        proxy_headers=False,
        timeout_graceful_shutdown=graceful_timeout,
        lifespan="on",
    )


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The ``serve`` subcommand's options."""
    parser.description = (
        "Proxy Azure OpenAI and OpenAI-compatible requests, repairing them as the Python clients do. With one "
        "--upstream every path goes there unchanged; with several, the PREFIX of PREFIX=URL picks the upstream "
        "and is stripped. Needs the gateway extra: pip install 'resilient-client[gateway]'."
    )
    add = parser.add_argument
    add("--upstream", action="append", required=True, metavar="[PREFIX=]URL", help="where requests go (repeatable)")
    add("--host", default="127.0.0.1", help="interface to listen on (default: 127.0.0.1, loopback only)")
    add("--port", type=int, default=8099, help="port to listen on (default: 8099; 0 picks a free one)")
    add("--store", help="cache file or redis:// URL (default: --cache, $RESILIENT_CLIENT_CACHE, else the default)")
    add("--workers", type=int, default=1, help="worker processes (default: 1)")
    add("--max-body-bytes", type=int, default=32 * 1024 * 1024, help="largest request body (default: 32 MiB)")
    add("--timeout", type=float, default=600.0, help="seconds an upstream may stay silent (default: 600)")
    add("--graceful-timeout", type=int, default=30, help="seconds open requests get at shutdown (default: 30)")
    add(
        "--require-key",
        metavar="ENV_VAR",
        help="callers must present the key held in this environment variable (api-key or Authorization: Bearer); "
        "their own credentials are then never forwarded",
    )
    add(
        "--upstream-key-env",
        metavar="ENV_VAR",
        help="with --require-key: the environment variable holding the key sent upstream (default: none is sent)",
    )


def _checked(args: Any) -> GatewayConfig:
    if args.workers < 1 or not 0 <= args.port <= 65535:  # noqa: PLR2004 - the port range
        raise ValueError("--workers must be at least 1 and --port a TCP port")
    return GatewayConfig(
        parse_upstreams(args.upstream),
        store=args.store or args.cache or None,
        max_body_bytes=args.max_body_bytes,
        timeout=args.timeout,
        require_key_env=args.require_key,
        upstream_key_env=args.upstream_key_env,
    )


def command(args: Any) -> int:
    """The ``serve`` subcommand, given its parsed arguments; returns the exit status."""
    if importlib.util.find_spec("starlette") is None or importlib.util.find_spec("uvicorn") is None:
        print(_HINT, file=sys.stderr)  # noqa: T201 - a command's error
        return 2
    try:
        config = _checked(args)
        config.keys()  # set and non-empty, before any worker starts
    except ValueError as exc:
        print(f"resilient-client serve: {exc}", file=sys.stderr)  # noqa: T201 - a command's error
        return 2
    run(config, host=args.host, port=args.port, workers=args.workers, graceful_timeout=args.graceful_timeout)
    return 0
