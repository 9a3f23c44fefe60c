"""What the gateway is configured with, and which of its routes repair: pure, no HTTP.

The routes follow the Python clients' rules, so the gateway and a Python client pointed
at the same upstream share their keys (and so their rules):

- ``{root}/openai/deployments/{d}/{op}``: an Azure client on ``{upstream}{root}`` with
  ``azure_deployment=d``; the api-version comes from the query.
- ``{root}/openai/responses``: an Azure client on ``{upstream}{root}``; the deployment is the body's ``model``.
- ``{base}/{op}`` (``/v1/chat/completions``, ``/openai/v1/responses``, ``/gemini/v1/…``): an OpenAI client
  with ``base_url={upstream}{base}``; the model comes from the body.

``op`` is one of chat/completions, completions, embeddings, responses. Everything else is
passed through as it came.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any, Final
from urllib.parse import urlsplit

__all__ = ["BLOCKED_HEADER", "REPAIRS_HEADER", "GatewayConfig", "Route", "Upstream", "classify", "parse_upstreams"]

REPAIRS_HEADER: Final = "x-resilient-client-repairs"
"""The response header listing the fixes applied to the request sent, as ``param:action, …`` (never a value)."""
BLOCKED_HEADER: Final = "x-resilient-client-blocked"
"""The protected param whose repair was refused (the upstream's rejection is relayed as it came)."""

_ENV_NAME: Final = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_PREFIX: Final = re.compile(r"[A-Za-z0-9._~-]+(?:/[A-Za-z0-9._~-]+)*")
_OPERATIONS: Final = "chat/completions|completions|embeddings|responses"
_AZURE_DEPLOYMENT: Final = re.compile(
    r"(?P<root>(?:/[^/]+)*?)/openai/deployments/(?P<deployment>[A-Za-z0-9._-]+)"
    r"/(?P<operation>chat/completions|completions|embeddings)"
)
_AZURE_RESOURCE: Final = re.compile(r"(?P<root>(?:/[^/]+)*?)/openai/(?P<operation>responses)")
_OPENAI: Final = re.compile(rf"(?P<base>(?:/[^/]+)*?)/(?P<operation>{_OPERATIONS})")


@dataclass(frozen=True, slots=True)
class Upstream:
    """Where requests whose path starts with ``prefix`` go (``""``: every path no other prefix takes)."""

    prefix: str
    url: str


@dataclass(frozen=True, slots=True)
class Route:
    """A completion route: which client sends it, on which base, and the operation path."""

    azure: bool
    base: str
    """Azure: the path before ``/openai`` (the endpoint's own prefix); otherwise the path before the operation."""
    deployment: str | None
    operation: str


def classify(method: str, path: str) -> Route | None:
    """The completion route ``path`` is (after the upstream prefix is stripped), or ``None`` to pass it through."""
    if method != "POST":
        return None
    if found := _AZURE_DEPLOYMENT.fullmatch(path):
        return Route(azure=True, base=found["root"], deployment=found["deployment"], operation=found["operation"])
    if found := _AZURE_RESOURCE.fullmatch(path):
        return Route(azure=True, base=found["root"], deployment=None, operation=found["operation"])
    found = _OPENAI.fullmatch(path)
    if found is None or "/openai/deployments/" in f"{found['base']}/":
        return None
    return Route(azure=False, base=found["base"], deployment=None, operation=found["operation"])


def parse_upstreams(specs: Sequence[str]) -> tuple[Upstream, ...]:
    """``URL`` or ``PREFIX=URL`` specs, checked: http(s) URLs, distinct prefixes, at most one without a prefix.

    Raises:
        ValueError: A spec is not one of those.
    """
    if not specs:
        raise ValueError("give at least one --upstream URL")
    found: list[Upstream] = []
    for spec in specs:
        head, sep, tail = spec.partition("=")
        prefix, url = ("", spec) if not sep or "://" in head else (head.strip("/"), tail)
        split = urlsplit(url)
        if split.scheme not in ("http", "https") or not split.hostname or split.query or split.fragment:
            raise ValueError(
                f"{spec!r}: the upstream must be an http(s) URL without a query, as in https://host[/path]"
            )
        if sep and "://" not in head and not _PREFIX.fullmatch(prefix):
            raise ValueError(f"{spec!r}: a prefix is one or more path segments, as in azure=https://… or eu/west=…")
        found.append(Upstream(f"/{prefix}" if prefix else "", url.rstrip("/")))
    prefixes = [u.prefix for u in found]
    if len(set(prefixes)) != len(prefixes):
        raise ValueError("each --upstream needs a prefix of its own (at most one without a prefix)")
    # Longest prefix first; the one without a prefix, if any, last.
    return tuple(sorted(found, key=lambda u: -len(u.prefix)))


_MIB: Final = 1024 * 1024


@dataclass(frozen=True, slots=True)
class GatewayConfig:
    """How the gateway runs (``resilient-client serve`` builds it from its options).

    Attributes:
        upstreams: Where requests go (see :func:`parse_upstreams`).
        store: The cache file or ``redis://`` URL; ``None``: ``$RESILIENT_CLIENT_CACHE``, else the default file.
        max_body_bytes: The largest request body accepted (413 above it).
        timeout: Seconds an upstream may stay silent (connect: at most 10) before the caller gets a 504.
        max_connections: Connections open to the upstreams at once, over all of them.
        max_repairs: As the clients' ``max_repairs``.
        wait_timeout: As the clients' ``wait_timeout``.
        require_key_env: The environment variable holding the key callers must present (``api-key`` or
            ``Authorization: Bearer``); ``None``: no inbound auth, each caller's own credentials go upstream.
        upstream_key_env: With ``require_key_env``: the environment variable holding the key sent upstream in
            place of the caller's; ``None``: no credentials are sent upstream.

    Only the names of the variables are kept here (and handed to the workers): the keys stay in the environment.
    """

    upstreams: tuple[Upstream, ...]
    store: str | None = None
    max_body_bytes: int = 32 * _MIB
    timeout: float = 600.0
    max_connections: int = 512
    max_repairs: int = 8
    wait_timeout: float = 15.0
    require_key_env: str | None = None
    upstream_key_env: str | None = None

    def __post_init__(self) -> None:
        if not self.upstreams:
            raise ValueError("the gateway needs at least one upstream")
        if self.max_body_bytes < 1 or self.max_connections < 1 or not 0 < self.timeout < float("inf"):
            raise ValueError("max_body_bytes, max_connections and timeout must be positive")
        for option, name in (("--require-key", self.require_key_env), ("--upstream-key-env", self.upstream_key_env)):
            if name is not None and not _ENV_NAME.fullmatch(name):
                # Never echoed: a key given by mistake would land in a terminal or a log.
                raise ValueError(f"{option} takes the name of an environment variable holding the key, not a key")
        if self.upstream_key_env is not None and self.require_key_env is None:
            raise ValueError("--upstream-key-env needs --require-key: otherwise anyone who reaches it uses that key")

    def keys(self, environ: Mapping[str, str] | None = None) -> tuple[bytes | None, str | None]:
        """The inbound key callers must present and the upstream key, read from the environment (``None``: off).

        Raises:
            ValueError: A variable the configuration names is unset or empty.
        """
        env = os.environ if environ is None else environ
        found: list[str | None] = []
        for name in (self.require_key_env, self.upstream_key_env):
            value = env.get(name, "") if name is not None else None
            if value is not None and not value.strip():
                raise ValueError(f"the environment variable {name} is not set (or empty)")
            found.append(value.strip() if value is not None else None)
        inbound, upstream = found
        return (inbound.encode() if inbound is not None else None), upstream

    def select(self, path: str) -> tuple[Upstream, str] | None:
        """The upstream for a request path, and the path to forward (its prefix stripped)."""
        for upstream in self.upstreams:
            prefix = upstream.prefix
            if not prefix:
                return upstream, path
            if path == prefix or path.startswith(f"{prefix}/"):
                return upstream, path[len(prefix) :]
        return None

    def to_json(self) -> str:
        """The configuration as JSON (how ``--workers`` hands it to each worker process)."""
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, text: str) -> GatewayConfig:
        """The configuration :meth:`to_json` wrote."""
        data: dict[str, Any] = json.loads(text)
        upstreams = tuple(Upstream(str(u["prefix"]), str(u["url"])) for u in data.pop("upstreams"))
        return cls(upstreams, **data)
