"""The gateway's test fixtures (the processes themselves: processes.py)."""

from __future__ import annotations

import importlib.util
import os

import pytest


def require(what: str, install: str) -> None:
    """Skip the test without ``what`` (a module), unless ``$RESILIENT_REQUIRE_GATEWAY`` is set (.ci/gateway.sh).

    Not ``$CI``: the main CI venv runs these tests too, without the extra, and they skip there.
    """
    if importlib.util.find_spec(what) is not None:
        return
    reason = f"the gateway tests need {what} ({install})"
    if os.environ.get("RESILIENT_REQUIRE_GATEWAY"):
        pytest.fail(f"{reason}; CI requires it", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def gateway_extra() -> None:
    """Starlette and uvicorn are installed (``pip install -e '.[gateway]'``)."""
    require("starlette", "pip install -e '.[gateway]'")
    require("uvicorn", "pip install -e '.[gateway]'")
