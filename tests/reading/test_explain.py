"""explain() and `resilient-client explain`: what the reader makes of a body, without request text."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest

from resilient_client import Drop, Rename, explain
from resilient_client.cli import main

PROMPT = "Summarise the merger memo for Project Bluebird"
REQUEST: dict[str, Any] = {
    "model": "o4-mini",
    "messages": [{"role": "user", "content": PROMPT}],
    "max_tokens": 300,
    "temperature": 0.2,
}
REPAIR = {
    "error": {
        "message": "Unsupported parameter: 'max_tokens' is not supported with this model. "
        "Use 'max_completion_tokens' instead.",
        "type": "invalid_request_error",
        "param": "max_tokens",
        "code": "unsupported_parameter",
    }
}
# A context-length error mentions max_tokens in its arithmetic, but no param change is the fix.
LOOKALIKE = {
    "error": {
        "message": "This model's maximum context length is 8192 tokens. However, you requested 8256 tokens "
        "(64 in the messages, 8192 in the completion). Please reduce the length of the messages or completion.",
        "type": "invalid_request_error",
        "param": "messages",
        "code": "context_length_exceeded",
    }
}
# A wording the reader has no verdict for, quoting the prompt back.
UNKNOWN = {"error": {"message": f"The temperature of '{PROMPT}' makes the oracle uneasy.", "code": None}}


def test_explain_a_repair_names_the_grounded_param_and_the_fix() -> None:
    """A rename wording is grounded on max_tokens and explained as the rename it would learn."""
    found = explain(400, REPAIR, REQUEST)
    assert found.would_repair
    assert found.fixes == (Rename("max_tokens", "max_completion_tokens"),)
    assert found.findings == ({"kind": "rename", "param": "max_tokens", "new": "max_completion_tokens"},)
    assert "would repair" in str(found)


def test_explain_a_lookalike_says_it_is_not_about_params() -> None:
    """A context-length error is final: no fix, and the reason says so."""
    found = explain(400, LOOKALIKE, REQUEST)
    assert (found.would_repair, found.final, found.fixes) == (False, True, ())
    assert "something else than params" in found.why


def test_explain_an_unknown_wording_holds_no_request_text() -> None:
    """A wording with no verdict explains why nothing is learned, and the prompt it echoes is scrubbed."""
    found = explain(400, UNKNOWN, REQUEST)
    assert (found.would_repair, found.fixes) == (False, ())
    assert found.why
    assert PROMPT not in str(found)
    assert PROMPT not in json.dumps(found.as_dict())
    assert "[request text]" in str(found)


def test_explain_reports_a_fix_the_policy_blocks() -> None:
    """A fix that touches a protected param is listed as blocked, and would not repair."""
    body = {"error": {"message": "Unknown parameter: 'tools'.", "param": "tools", "code": "unknown_parameter"}}
    found = explain(404, body, {**REQUEST, "tools": []})
    assert found.fixes == (Drop("tools"),)
    assert found.blocked == {repr(Drop("tools")): "tools"}
    assert not found.would_repair
    assert "blocked" in str(found)


def _run(args: list[str], body: object, monkeypatch: pytest.MonkeyPatch) -> int:
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(json.dumps(body).encode())))
    return main(args)


@pytest.mark.parametrize(
    ("body", "code"),
    [(REPAIR, 0), (LOOKALIKE, 1), (UNKNOWN, 1)],
    ids=["repair", "lookalike", "unknown"],
)
def test_cli_explain_exits_0_only_when_it_would_repair(
    body: object, code: int, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`resilient-client explain - --request …` prints the report and exits 0 only for a repair."""
    assert _run(["explain", "-", "--request", json.dumps(REQUEST)], body, monkeypatch) == code
    out = capsys.readouterr().out
    assert out.startswith("status 400: ")
    assert PROMPT not in out


def test_cli_explain_reads_files_and_speaks_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Body and request can be files; --json prints the explanation as data."""
    (tmp_path / "body.json").write_text(json.dumps(REPAIR))
    (tmp_path / "request.json").write_text(json.dumps(REQUEST))
    args = ["explain", str(tmp_path / "body.json"), "--request", str(tmp_path / "request.json"), "--json"]
    assert main(args) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["would_repair"] is True
    assert doc["fixes"] == [{"param": "max_tokens", "new": "max_completion_tokens", "kind": "rename"}]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["explain", "/nonexistent/body.json"], "cannot read /nonexistent/body.json"),
        (["explain", "-", "--request", "{not json"], "--request is not JSON"),
        (["explain", "-", "--request", "[1]"], "--request must be a JSON object"),
    ],
)
def test_cli_explain_mistakes_get_one_line_and_exit_2(
    args: list[str], message: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A missing file or a request that is not a JSON object is one clear line on stderr, exit 2."""
    assert _run(args, REPAIR, monkeypatch) == 2
    err = capsys.readouterr().err
    assert message in err
    assert len(err.strip().splitlines()) == 1
