"""The written wordings (tests/data/wordings): loading and scoring, beside the corpus of real bodies."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final

from resilient_client._models import Fix
from resilient_client._reading import read as read_rejection
from tests.corpus import parse_fix
from tests.said import allowed

DIRECTORY: Final = Path(__file__).resolve().parent / "data" / "wordings"
ROUNDS: Final = (
    "round1",
    "round2",
    "round3",
    "round4",
    "round5",
    "round6",
    "round7",
    "round8",
    "round9",
    "round10",
    "round11",
    "round12",
    "round13",
)
FAMILIES: Final = ("drop", "rename", "clamp", "value", "conditional", "role", "multi", "lookalike")


def rows(name: str) -> list[dict[str, Any]]:
    """The rows of one round."""
    text = (DIRECTORY / f"{name}.jsonl").read_text("utf-8")
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def expected(row: Mapping[str, Any]) -> frozenset[Fix]:
    return frozenset(parse_fix(item).fix for item in row["expected"])


def derived(row: Mapping[str, Any]) -> frozenset[Fix]:
    return frozenset(read_rejection(row["status"], row["body"], row["request"]).fixes)


def right(row: Mapping[str, Any]) -> bool:
    """Whether the reader gets ``row`` right.

    A lookalike is right when nothing allowed comes of it; any other row when the fixes are the expected ones, or,
    when all the expected ones are protected, when nothing allowed comes of it.
    """
    want, got = expected(row), derived(row)
    if not want or not allowed(want):
        return not allowed(got)
    return got == want


def summary() -> list[str]:
    """One line per round: repairable rows repaired, lookalikes raised."""
    lines = []
    for name in ROUNDS:
        total, good = Counter[str](), Counter[str]()
        for row in rows(name):
            kind = "lookalike" if not row["expected"] else "repair"
            total[kind] += 1
            good[kind] += right(row)
        share = 100 * good["repair"] / total["repair"]
        lines.append(
            f"{name}: repair {good['repair']}/{total['repair']} ({share:.0f}%) · "
            f"lookalikes raised {good['lookalike']}/{total['lookalike']}"
        )
    return lines
