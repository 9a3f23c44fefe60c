"""A message as a server says it, against a request: the helpers the reader's wording tests share."""

from __future__ import annotations

from typing import Any

from resilient_client._core import blocked_param
from resilient_client._models import Fix, RepairPolicy
from resilient_client._reading import read

USER = {"role": "user", "content": "hello there"}


def request(**params: Any) -> dict[str, Any]:
    """A chat request carrying ``params`` beside one user message."""
    return {"model": "my-deployment", "messages": [USER], **params}


def fixes(message: str, sent: dict[str, Any]) -> frozenset[Fix]:
    """What the reader derives from a 400 whose OpenAI-style error says ``message`` about ``sent``."""
    body = {"error": {"message": message, "type": "invalid_request_error", "param": None, "code": None}}
    return frozenset(read(400, body, sent).fixes)


def allowed(found: frozenset[Fix]) -> frozenset[Fix]:
    """The fixes the default policy lets through (what a client would apply without asking)."""
    policy = RepairPolicy()
    return frozenset(fix for fix in found if blocked_param(fix, policy) is None)
