"""``import resilient_client`` imports none of the gateway; ``serve`` explains what it lacks and what it refuses."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from resilient_client import cli

GATEWAY_MODULES = {"starlette", "uvicorn", "resilient_client.gateway"}


def _imported_after(code: str) -> set[str]:
    script = f"import json, sys\n{code}\nprint(json.dumps(sorted(sys.modules)))"
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=120)
    modules = set(json.loads(done.stdout.splitlines()[-1]))
    return {name for name in modules if name.split(".")[0] in {"starlette", "uvicorn"} or name in GATEWAY_MODULES}


def test_the_package_imports_none_of_the_gateway() -> None:
    code = "import resilient_client, resilient_client.cli, resilient_client.testing, resilient_client.stores"
    assert _imported_after(code) == set()


def test_the_gateway_package_imports_neither_starlette_nor_uvicorn_until_asked() -> None:
    assert _imported_after("import resilient_client.gateway") == {"resilient_client.gateway"}


def test_serve_without_the_extra_says_how_to_install_it() -> None:
    # None in sys.modules makes an import fail, as it does without the extra installed.
    code = (
        "import sys\nsys.modules['starlette'] = None\nfrom resilient_client import cli\n"
        "sys.exit(cli.main(['serve', '--upstream', 'http://127.0.0.1:9']))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 2
    assert "pip install 'resilient-client[gateway]'" in done.stderr


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["--upstream", "ftp://x"], "http(s) URL"),
        (["--upstream", "https://a", "--upstream", "https://b"], "prefix of its own"),
        (["--upstream", "https://a", "--workers", "0"], "--workers"),
    ],
)
def test_serve_refuses_bad_options(
    gateway_extra: None, argv: list[str], says: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["serve", *argv]) == 2
    assert says in capsys.readouterr().err
