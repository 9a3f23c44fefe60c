"""``import resilient_client`` never imports a framework, even with every framework installed."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from frameworks import framework, offline_nltk_data

FRAMEWORKS = {"litellm": "litellm", "langchain_openai": "langchain", "llama_index": "llamaindex", "agents": "agents"}
ALSO_NEVER = {"langchain_core", "openai_agents"}


@pytest.fixture(scope="module", autouse=True)
def installed() -> None:
    """Every framework is installed: otherwise these checks could not fail."""
    offline_nltk_data()  # inherited by the subprocesses, which import LlamaIndex
    for module, extra in FRAMEWORKS.items():
        framework(module, extra)


def _imported_after(*modules: str) -> set[str]:
    code = "import json, sys\n" + "".join(f"import {m}\n" for m in modules)
    code += "print(json.dumps(sorted({name.split('.')[0] for name in sys.modules})))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120)
    return set(json.loads(done.stdout)) & (FRAMEWORKS.keys() | ALSO_NEVER)


def test_the_package_and_its_modules_import_no_framework() -> None:
    """The package, its testing, CLI and store modules, and the integrations package import none of the frameworks."""
    assert (
        _imported_after(
            "resilient_client",
            "resilient_client.testing",
            "resilient_client.cli",
            "resilient_client.stores.redis",
            "resilient_client.integrations",
        )
        == set()
    )


@pytest.mark.parametrize(
    ("module", "brings"),
    [
        ("resilient_client.integrations.langchain", {"langchain_openai", "langchain_core"}),
        ("resilient_client.integrations.llama_index", {"llama_index"}),
    ],
)
def test_an_integration_imports_its_own_framework_only(module: str, brings: set[str]) -> None:
    """Each integration module imports its framework and no other."""
    assert _imported_after(module) == brings
