"""The rejection corpus (tests/data/corpus): loading, checking, the blind split, and scoring.

One JSON line per real error body, with its public source and the request that drew it;
``tests/data/corpus/README.md`` describes the fields. The held-back quarter lives in its
own file so that the reader can be designed on ``design.jsonl`` without opening it.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, Literal, TypeAlias

from resilient_client._core import blocked_param
from resilient_client._models import ChangeRole, Clamp, Condition, Drop, Fix, Rename, RepairPolicy, SetValue
from resilient_client._reading import read as read_rejection

DIRECTORY: Final = Path(__file__).resolve().parent / "data" / "corpus"
DESIGN: Final = DIRECTORY / "design.jsonl"
HELD_BACK: Final = DIRECTORY / "held_back.jsonl"

# The split: a row is held back when this hash of its source and body is 0 modulo 4.
# Written down in the README; changing the seed would un-blind the held-back quarter.
SPLIT_SEED: Final = b"resilient-client corpus split v1"
HELD_BACK_MODULUS: Final = 4

Outcome: TypeAlias = Literal["repair", "blocked", "raise"]
OUTCOMES: Final = ("repair", "blocked", "raise")
ENDPOINTS: Final = ("chat.completions", "responses", "completions", "embeddings")
REQUIRED: Final = (
    "id",
    "source",
    "provider",
    "endpoint",
    "status",
    "body",
    "request",
    "request_reconstructed",
    "envelope_reconstructed",
    "outcome",
    "fixes",
    "kind",
    "why",
)
OPTIONAL: Final = (
    "model",
    "api_version",
    "upstream",
    "also",
    "lookalike",
    "status_reconstructed",
    "note",
)


@dataclass(frozen=True)
class Expected:
    """One fix a correct client learns (a conditional one carries its condition in the fix)."""

    fix: Fix


def canonical(value: object) -> str:
    """The JSON text used for hashing and de-duplication: sorted keys, no spaces."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def held_back(row: Mapping[str, Any]) -> bool:
    """Whether the seeded hash of (source, body) puts ``row`` in the held-back quarter."""
    digest = hashlib.sha256(SPLIT_SEED + b"\0" + row["source"].encode() + b"\0" + canonical(row["body"]).encode())
    return int(digest.hexdigest()[:8], 16) % HELD_BACK_MODULUS == 0


def read(path: Path) -> list[dict[str, Any]]:
    """The rows of one corpus file."""
    return [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]


def parse_fix(item: Mapping[str, Any]) -> Expected:
    """A fix in the corpus grammar (``{"drop": p}``, ``{"rename": [a, b]}``, …) as the project's Fix."""
    unless, when_sent = item.get("unless"), item.get("when")
    for name in (unless, when_sent):
        if name is not None and not isinstance(name, str):
            raise ValueError(f"unless and when take a param name: {item!r}")
    condition = Condition(unless) if unless else Condition(when_sent, present=True) if when_sent else None
    kinds = [k for k in ("drop", "rename", "set", "clamp", "role") if k in item]
    extra = set(item) - {*kinds, "unless", "when"}
    if len(kinds) != 1 or extra or (unless and when_sent):
        raise ValueError(f"a fix has exactly one of drop/rename/set/clamp/role (and unless or when): {item!r}")
    if condition is not None and kinds[0] not in ("drop", "set"):
        raise ValueError(f"only drop and set fixes take a condition: {item!r}")
    kind = kinds[0]
    arg = item[kind]
    fix: Fix
    if kind == "drop" and isinstance(arg, str):
        fix = Drop(arg, when=condition)
    elif kind == "rename" and _strings(arg, 2):
        fix = Rename(arg[0], arg[1])
    elif kind == "set" and isinstance(arg, list) and len(arg) == 3 and isinstance(arg[0], str):
        fix = SetValue(arg[0], arg[1], arg[2], when=condition)
    elif kind == "clamp" and isinstance(arg, list) and len(arg) == 3 and isinstance(arg[0], str):
        fix = Clamp(arg[0], arg[1], arg[2])
    elif kind == "role" and (_strings(arg, 2) or _strings(arg, 3)) and arg[1] in ("developer", "user", "system"):
        fix = ChangeRole(arg[0], arg[1], *arg[2:])
    else:
        raise ValueError(f"malformed {kind} fix: {item!r}")
    return Expected(fix)


def _strings(value: object, n: int) -> bool:
    return isinstance(value, list) and len(value) == n and all(isinstance(v, str) for v in value)


def expected_sets(row: Mapping[str, Any]) -> list[frozenset[Expected]]:
    """The fix sets that count as right for ``row``: ``fixes``, then each ``also`` alternative."""
    options = [row["fixes"], *row.get("also", [])]
    return [frozenset(parse_fix(item) for item in option) for option in options]


def problems(row: Mapping[str, Any]) -> list[str]:  # noqa: C901, PLR0912 - one check per field
    """What is wrong with one row (empty when it is well-formed)."""
    out = [f"missing {name}" for name in REQUIRED if name not in row]
    out += [f"unknown field {name}" for name in row if name not in REQUIRED and name not in OPTIONAL]
    if out:
        return out
    if not isinstance(row["source"], str) or not row["source"].startswith("https://"):
        out.append("source must be an https URL")
    if row["outcome"] not in OUTCOMES:
        out.append(f"outcome must be one of {OUTCOMES}")
    if not isinstance(row["status"], int) or not 100 <= row["status"] <= 599:
        out.append("status must be an HTTP status")
    if not isinstance(row["request"], dict) or not row["request"]:
        out.append("request must be a non-empty JSON object")
    for flag in ("request_reconstructed", "envelope_reconstructed"):
        if not isinstance(row[flag], bool):
            out.append(f"{flag} must be true or false")
    if not isinstance(row["why"], str) or not row["why"].strip():
        out.append("why must say why")
    try:
        sets = expected_sets(row)
    except (ValueError, TypeError) as exc:
        return [*out, str(exc)]
    if row["outcome"] == "raise" and any(sets):
        out.append("a raise row has no fixes")
    if row["outcome"] != "raise" and not all(sets):
        out.append("a repair or blocked row names its fixes")
    blocked = [any(blocked_param(e.fix, RepairPolicy()) for e in option) for option in sets]
    if row["outcome"] == "repair" and any(blocked):
        out.append("a repair row's fixes must be allowed by the default policy (else: blocked)")
    if row["outcome"] == "blocked" and not all(blocked):
        out.append("a blocked row's fixes touch a protected param")
    return out


Verdict: TypeAlias = Literal["right", "reads_nothing", "wrong_fix", "acts_on_lookalike", "applies_blocked"]


def reader_fixes(row: Mapping[str, Any]) -> list[Expected]:
    """What the project's reader derives from ``row``'s status, body and request."""
    return [Expected(fix) for fix in read_rejection(row["status"], row["body"], row["request"]).fixes]


def judge(row: Mapping[str, Any], derived: Iterable[Expected]) -> Verdict:
    """How the fixes a reader derived from ``row`` compare with what the row expects.

    - repair: right when the derived set is one of the expected sets.
    - blocked: right when nothing is derived (the error reaches the caller unchanged), or
      when the expected fixes are derived (the client then raises RepairBlockedError);
      never right when a fix the default policy allows would be applied.
    - raise: right only when nothing is derived.
    """
    found = frozenset(derived)
    policy = RepairPolicy()
    if row["outcome"] == "raise":
        return "right" if not found else "acts_on_lookalike"
    if row["outcome"] == "blocked":
        if not found or found in expected_sets(row):
            return "right"
        return "wrong_fix" if any(blocked_param(e.fix, policy) for e in found) else "applies_blocked"
    if found in expected_sets(row):
        return "right"
    return "reads_nothing" if not found else "wrong_fix"


@dataclass(frozen=True)
class Score:
    """Right answers out of rows, per outcome, for one part of the corpus."""

    right: Mapping[str, int]
    total: Mapping[str, int]

    def line(self, name: str) -> str:
        """``design: repair 40/190 (21%) · blocked 10/12 · raise 60/60``."""
        parts = []
        for outcome in OUTCOMES:
            n = self.total.get(outcome, 0)
            if n:
                r = self.right.get(outcome, 0)
                parts.append(f"{outcome} {r}/{n} ({100 * r / n:.0f}%)")
        return f"{name}: " + " · ".join(parts)


def score(rows: Iterable[Mapping[str, Any]], verdicts: Mapping[str, Verdict]) -> Score:
    """Tally ``verdicts`` (by row id) per outcome."""
    right: dict[str, int] = {}
    total: dict[str, int] = {}
    for row in rows:
        outcome = row["outcome"]
        total[outcome] = total.get(outcome, 0) + 1
        if verdicts.get(row["id"]) == "right":
            right[outcome] = right.get(outcome, 0) + 1
    return Score(right, total)


def summary() -> list[str]:
    """One line per part of the corpus: how many rows of each outcome the reader gets right."""
    lines = []
    for name, path in (("designed on", DESIGN), ("held back", HELD_BACK)):
        rows = read(path)
        verdicts = {row["id"]: judge(row, reader_fixes(row)) for row in rows}
        lines.append(score(rows, verdicts).line(f"{name} ({len(rows)} rows)"))
    return lines


def table() -> str:
    """The data README's table: rows per provider, by outcome, lookalikes and held back."""
    rows = read(DESIGN) + read(HELD_BACK)
    counts: dict[str, Counter[str]] = {}
    for row in rows:
        c = counts.setdefault(row["provider"], Counter())
        c["rows"] += 1
        c[row["outcome"]] += 1
        c["lookalike"] += bool(row.get("lookalike"))
        c["held back"] += held_back(row)
    columns = ("rows", "repair", "blocked", "raise", "lookalike", "held back")
    lines = ["| provider | " + " | ".join(columns) + " |", "|---|" + "---:|" * len(columns)]
    lines += [
        f"| {provider} | " + " | ".join(str(counts[provider][c]) for c in columns) + " |"
        for provider in sorted(counts, key=lambda p: (-counts[p]["rows"], p))
    ]
    total: Counter[str] = sum(counts.values(), Counter())
    lines.append(f"| **all {len(counts)}** | " + " | ".join(f"**{total[c]}**" for c in columns) + " |")
    return "\n".join(lines)


def counted(text: str, rows: list[dict[str, Any]]) -> str:
    """``text`` with the counts its prose gives (rows, providers, lookalikes, held back, reconstructed) made current."""
    providers = len({r["provider"] for r in rows})
    fixable = sum(r["outcome"] != "raise" for r in rows)
    lookalikes = sum(bool(r.get("lookalike")) for r in rows)
    back = sum(held_back(r) for r in rows)
    requests = sum(bool(r["request_reconstructed"]) for r in rows)
    envelopes = sum(bool(r["envelope_reconstructed"]) for r in rows)
    counts = (
        (
            r"\d+ real error bodies from \d+ providers and gateways: \d+ that\b",
            f"{len(rows)} real error bodies from {providers} providers and gateways: {fixable} that",
        ),
        (r"\bamong them \d+ lookalikes:", f"among them {lookalikes} lookalikes:"),
        (
            r"Today \d+ of \d+ rows \(\d+ %\) are held back\.",
            f"Today {back} of {len(rows)} rows ({round(100 * back / len(rows))} %) are held back.",
        ),
        (
            r"\d+ requests and \d+ envelopes are reconstructed",
            f"{requests} requests and {envelopes} envelopes are reconstructed",
        ),
    )
    for pattern, current in counts:
        text = re.sub(pattern, current, text, count=1)
    return text
