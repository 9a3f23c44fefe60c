"""What the framework test modules share: the framework import that skips or fails, and the names."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from functools import cache
from importlib.metadata import version
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from resilient_client import Fix, JSONFileStore
from resilient_client.testing import AzureEmulator

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


@cache
def offline_nltk_data() -> Path:
    """Point ``$NLTK_DATA`` at empty NLTK data directories, before LlamaIndex is imported (here or in a subprocess).

    llama_index.core 0.10 downloads NLTK's stopwords and punkt_tab from the internet when it is
    imported, unless it finds them under $NLTK_DATA. Nothing here tokenizes, so empty
    directories satisfy the check and the tests never touch the network.
    """
    data = Path(tempfile.mkdtemp(prefix="resilient-nltk-"))
    (data / "corpora" / "stopwords").mkdir(parents=True)
    (data / "tokenizers" / "punkt").mkdir(parents=True)
    os.environ["NLTK_DATA"] = str(data)
    atexit.register(shutil.rmtree, data, ignore_errors=True)
    return data


TUNED = frozenset({"max_tokens", "max_completion_tokens", "temperature", "top_p"})
"""The parameters the framework tests set and :data:`REASONER` rejects or renames."""


def statuses(azure: AzureEmulator, deployment: str = REASONER) -> list[int]:
    """The statuses the emulator answered to ``deployment``, oldest first."""
    return [r.status for r in azure.requests if r.deployment == deployment]


def tuned(body: dict[str, Any]) -> dict[str, Any]:
    """The parameters of ``body`` in :data:`TUNED`."""
    return {name: value for name, value in body.items() if name in TUNED}


def fixes(store: Path) -> dict[tuple[str, str], list[Fix]]:
    """The fixes in a store file, by (deployment, operation), for the keys that have any."""
    rules = JSONFileStore(store)
    try:
        found = rules.items()
    finally:
        rules.close()
    return {
        (key.deployment, key.operation): [rule.fix for rule in known.rules]
        for key, known in found.items()
        if known.rules
    }
