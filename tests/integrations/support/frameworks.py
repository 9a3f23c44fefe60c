"""What the framework test modules share: the framework import that skips or fails, and the names."""

from __future__ import annotations

import os
from importlib.metadata import version
from types import ModuleType

import pytest

API_VERSION = "2025-04-01-preview"
REASONER = "prod-reasoner"
"""An o4-mini deployment whose name says nothing about the model, as on real Azure: no
framework can tell from it that max_tokens, temperature and top_p will be rejected."""


def framework(module: str, extra: str, *, exact: tuple[str, str] | None = None) -> ModuleType:
    """Import ``module`` from ``extra``, or skip, or fail when the extras are required.

    ``exact`` = (distribution, version) also requires that release of a distribution.
    """
    required = bool(os.environ.get("RESILIENT_REQUIRE_INTEGRATIONS"))
    try:
        found: ModuleType = pytest.importorskip(module, reason=f"needs the {extra!r} extra")
    except pytest.skip.Exception:
        if required:
            pytest.fail(f"{module} is not installed but $RESILIENT_REQUIRE_INTEGRATIONS is set", pytrace=False)
        raise
    if exact is not None:
        dist, wanted = exact
        have = version(dist)
        if have != wanted:
            reason = f"needs {dist}=={wanted}, {have} is installed"
            if required:
                pytest.fail(reason, pytrace=False)
            pytest.skip(reason, allow_module_level=True)
    return found
