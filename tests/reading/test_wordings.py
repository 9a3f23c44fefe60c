"""The reader on written wordings (tests/data/wordings): every row well formed, no lookalike acted on.

The rows measure how far the reader carries to wordings it was not written from; the scores are printed after
every run that includes this file. What is asserted is safety: a lookalike never teaches a fix the default
policy allows.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.said import allowed
from tests.wordings import FAMILIES, ROUNDS, derived, expected, rows

ALL = [row for name in ROUNDS for row in rows(name)]


def _at(body: object, path: str) -> object:
    node = body
    for part in path.split("."):
        if not isinstance(node, dict) or part not in node:
            return ...
        node = node[part]
    return node


@pytest.mark.parametrize("row", ALL, ids=[row["id"] for row in ALL])
def test_a_row_is_well_formed(row: dict[str, Any]) -> None:
    """Known fields, a family, an HTTP status, and expected fixes on params the request carries."""
    assert set(row) == {"id", "family", "provider_style", "status", "body", "request", "expected", "note"}
    assert row["family"] in FAMILIES
    assert isinstance(row["status"], int)
    assert 400 <= row["status"] <= 599
    assert isinstance(row["request"], dict)
    assert (row["family"] == "lookalike") == (not row["expected"])
    for fix in expected(row):
        if getattr(fix, "kind", "") != "change_role":
            assert _at(row["request"], fix.param) is not ..., fix


# Lookalikes of a held-back round that the reader acts on: by id only, their rows never read (as the corpus's
# held-back failures are marked). Each is a strict expected failure, so a reader that stops acting on it says so.
HELD_BACK_FAILURES: dict[str, str] = {
    "x-120": "held back (round six): the reader derives an allowed fix from a lookalike",
    "ac-030": "held back (round twelve): the reader derives an allowed fix from a lookalike",
}
LOOKALIKES = [
    pytest.param(row, id=row["id"], marks=pytest.mark.xfail(reason=HELD_BACK_FAILURES[row["id"]], strict=True))
    if row["id"] in HELD_BACK_FAILURES
    else pytest.param(row, id=row["id"])
    for row in ALL
    if not row["expected"]
]


@pytest.mark.parametrize("row", LOOKALIKES)
def test_a_lookalike_teaches_nothing_the_policy_allows(row: dict[str, Any]) -> None:
    assert allowed(derived(row)) == frozenset()
