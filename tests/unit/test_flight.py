"""The flight: one call's steps as the ops its shell performs, driven here by hand with no I/O at all."""

from __future__ import annotations

import itertools
import json
from collections.abc import Generator
from types import SimpleNamespace
from typing import Any

import openai
import pytest

from resilient_client._attempts import (
    Op,
    Refresh,
    ReleaseLease,
    Send,
    TakeLease,
    Update,
    Wait,
    flight,
)
from resilient_client._client import _FLIGHTS, _Resilience
from resilient_client._models import DeploymentKey, DeploymentMapping, Drop
from resilient_client._serialize import key_id

KEY = DeploymentKey("h", "o4-mini", "v", "chat/completions")
BODY: dict[str, Any] = {"model": "o4-mini", "messages": [{"role": "user", "content": "Hi"}], "temperature": 0.5}
TEMPERATURE = {"error": {"message": "Unsupported parameter: 'temperature' is not supported with this model.",
                         "param": "temperature", "code": "unsupported_parameter"}}  # fmt: skip


class Reply:
    model = "o4-mini-2025-04-16"


def rejection(body: object) -> openai.APIStatusError:
    """A 400 as the SDK raises it, without its HTTP library (which differs between openai versions)."""
    error = openai.BadRequestError.__new__(openai.BadRequestError)
    error.status_code, error.body = 400, body
    error.response = SimpleNamespace(content=json.dumps(body).encode())  # type: ignore[assignment]  # the attributes read
    return error


def drive(steps: Generator[Op, Any, Any], answers: dict[type, Any]) -> tuple[list[Op], Any]:
    """Run a flight to its end, answering each op from ``answers`` (a callable gets the op); the ops in order."""
    seen: list[Op] = []
    answer: Any = None
    error: BaseException | None = None
    while True:
        try:
            op = steps.send(answer) if error is None else steps.throw(error)
        except StopIteration as done:
            return seen, done.value
        seen.append(op)
        reply = answers.get(type(op))
        answer, error = (reply(op) if callable(reply) else reply), None
        if isinstance(answer, BaseException):
            answer, error = None, answer


@pytest.fixture(autouse=True)
def no_leaders() -> None:
    _FLIGHTS.drop(KEY)


def test_a_warm_call_is_one_send_and_nothing_else() -> None:
    """Every signature accepted: no lease, no refresh, no store write, only the request."""
    rc = _Resilience()
    mapping = DeploymentMapping(accepted=frozenset({"model", "messages", "messages.role=user", "temperature"}),
                                model=Reply.model)  # fmt: skip
    call = rc.call(KEY, BODY, mapping)
    ops, result = drive(flight(rc, call, itertools.count().__next__), {Send: Reply()})
    assert ops == [Send()]
    assert isinstance(result, Reply)


def test_a_cold_call_leads_learns_retries_records_and_releases() -> None:
    """Lease, refresh, send, (rejected) store the fix, send again, record the success, release: in that order."""
    rc = _Resilience()
    call = rc.call(KEY, BODY, None)
    sends = iter([rejection(TEMPERATURE), Reply()])
    learned: list[DeploymentMapping] = []

    def update(op: Update) -> DeploymentMapping:
        learned.append(op.change(learned[-1] if learned else DeploymentMapping()))
        return learned[-1]

    answers = {TakeLease: True, Refresh: None, Send: lambda _: next(sends), Update: update, ReleaseLease: None}
    ops, result = drive(flight(rc, call, itertools.count().__next__), answers)
    assert [type(op) for op in ops] == [TakeLease, Refresh, Send, Update, Send, Update, ReleaseLease]
    assert ops[0] == TakeLease(key_id(KEY), rc.lease_ttl())
    assert isinstance(result, Reply)
    assert learned[0].fixes == (Drop("temperature"),)
    assert "temperature" not in call.body
    assert learned[-1].model == Reply.model


def test_a_follower_waits_then_goes_ahead_when_its_wait_runs_out() -> None:
    """The lease is held elsewhere: wait and refresh until wait_timeout, then send without leading."""
    rc = _Resilience(wait_timeout=0.05)
    call = rc.call(KEY, BODY, None)
    clock = iter(i * 0.01 for i in itertools.count())
    answers = {
        TakeLease: False,
        Wait: None,
        Refresh: None,
        Send: Reply(),
        Update: lambda op: op.change(DeploymentMapping()),
    }
    ops, _ = drive(flight(rc, call, clock.__next__), answers)
    kinds = [type(op) for op in ops]
    assert kinds[:3] == [TakeLease, Wait, Refresh]
    assert kinds.count(Send) == 1
    assert ReleaseLease not in kinds  # it never led


def test_the_lease_is_released_when_the_call_fails() -> None:
    """A rejection nobody can repair is raised unchanged, after the lease is given back."""
    rc = _Resilience()
    call = rc.call(KEY, BODY, None)
    error = rejection({"error": {"message": "The server had an error.", "code": "server_error"}})
    answers = {TakeLease: True, Refresh: None, Send: error, ReleaseLease: None}
    seen: list[Op] = []

    def record(op: Op) -> None:
        seen.append(op)

    with pytest.raises(openai.BadRequestError) as info:
        drive(flight(rc, call, itertools.count().__next__), {**answers, ReleaseLease: record})
    assert info.value is error
    assert seen == [ReleaseLease(key_id(KEY))]
