"""``resilient-client doctor``: check what a process would use, and say what is wrong.

It looks and never changes anything: the store a client would resolve (and why), its
health (:func:`~resilient_client.stores._status.store_status`), the rules it holds, and
whether Python and openai are in the ranges this distribution declares.
"""

from __future__ import annotations

import json
import os
import platform
import re
from dataclasses import dataclass, field
from importlib import metadata
from typing import Any, Final

from .stores import CACHE_ENV, Store, StoreSpec, StoreStatus, parse_store_spec
from .stores._status import READ_ONLY, store_status

__all__ = ["Report", "doctor", "open_store", "spec_source"]

DISTRIBUTION: Final = "resilient-client"
_NO_PERSISTENCE: Final = "none"
_CLAUSE: Final = re.compile(r"\s*(~=|==|!=|<=|>=|<|>)\s*([0-9][0-9a-zA-Z.*+-]*)\s*")
_RELEASE: Final = re.compile(r"\d+(?:\.\d+)*")


def spec_source(cache: str | None) -> str:
    """Why a process would use the store it uses: the argument, the environment variable, or the default."""
    if cache:
        return "--cache"
    if os.environ.get(CACHE_ENV):
        return f"${CACHE_ENV}"
    return f"the default (${CACHE_ENV} is not set)"


def open_store(spec: StoreSpec) -> Store:
    """A new store for ``spec``, of this caller alone (not the one ``resolve_store`` shares in the process).

    Raises:
        ImportError: A Redis spec without redis-py installed.
    """
    if spec.kind == "file":
        from .stores import JSONFileStore  # noqa: PLC0415 - the package's own module, already imported

        return JSONFileStore(spec.location)
    from .stores.redis import RedisStore  # noqa: PLC0415 - optional dependency

    return RedisStore.from_url(spec.location)


@dataclass
class Report:
    """What ``doctor`` found: sections of facts, problems (exit 1) and notes (worth knowing, exit 0)."""

    sections: dict[str, dict[str, str]] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Nothing to fix."""
        return not self.problems

    def as_dict(self) -> dict[str, Any]:
        """The report for ``--json``."""
        return {"ok": self.ok, **self.sections, "problems": self.problems, "notes": self.notes}

    def text(self) -> str:
        """The report for people: one section per block, then notes and problems, then the verdict."""
        width = max(len(label) for facts in self.sections.values() for label in facts) + 2
        lines: list[str] = []
        for title, facts in self.sections.items():
            lines.append(title)
            lines.extend(f"  {label.ljust(width)}{value}" for label, value in facts.items())
        lines.extend(["", *(f"note: {note}" for note in self.notes), *(f"problem: {p}" for p in self.problems)])
        count = len(self.problems)
        lines.append("ok: nothing to fix" if self.ok else f"{count} problem{'s' * (count != 1)} to fix")
        return "\n".join(lines)


def doctor(cache: str | None, *, as_json: bool = False) -> int:
    """Print what a process would use and what is wrong with it; 0 when nothing is, else 1."""
    report = Report()
    _check_store(cache, report)
    _check_versions(report)
    print(json.dumps(report.as_dict(), indent=2) if as_json else report.text())  # noqa: T201 - a CLI command
    return 0 if report.ok else 1


def _check_store(cache: str | None, report: Report) -> None:
    from .stores import cache_location  # noqa: PLC0415 - reads the environment now

    facts = report.sections["store"] = {"from": spec_source(cache)}
    text = cache_location(cache or None)
    try:
        spec = parse_store_spec(text)
    except ValueError as exc:
        facts["spec"] = _shown(text)
        report.problems.append(str(exc))
        return
    facts["spec"] = spec.shown
    try:
        store = open_store(spec)
    except ImportError as exc:
        report.problems.append(f"{spec.shown}: {exc}")
        return
    try:
        status = store_status(store)
        facts.update({"kind": status.kind, **{k: v for k, v in status.details.items() if v != spec.location}})
        if status.kind.startswith("redis") and "entries" in status.details:
            facts["rules"] = str(sum(len(m.rules) for m in store.items().values()))
    finally:
        store.close()
    report.problems.extend(f"{spec.shown}: {problem}" for problem in status.problems)
    report.notes.extend(_notes(status))


def _shown(text: str) -> str:
    from .stores.redis import redact  # noqa: PLC0415 - imports no redis-py

    return redact(text)


def _notes(status: StoreStatus) -> list[str]:
    """What works as configured but is worth knowing."""
    notes: list[str] = []
    details = status.details
    if details.get("writable") == READ_ONLY:
        notes.append(
            f"{status.location} is read-only (no write permission bit): clients use its rules and keep what "
            "they learn in memory only, without a warning; give it a write bit if that is not on purpose"
        )
    persistence = details.get("persistence", "")
    if status.kind.startswith("redis") and persistence.startswith(_NO_PERSISTENCE):
        notes.append(
            f"{status.location} has no persistence (no RDB snapshots, no AOF): it forgets every rule when it "
            "restarts, and the fleet pays one rejection per rule to relearn them; turn on AOF or RDB snapshots"
        )
    elif persistence.startswith("unknown"):
        notes.append(f"{status.location}: persistence {persistence}")
    if "0.1 keys" in details:
        notes.append(f"{status.location}: 0.1 keys remain: {details['0.1 keys']}")
    return notes


def _check_versions(report: Report) -> None:
    facts = report.sections["versions"] = {}
    try:
        dist = metadata.distribution(DISTRIBUTION)
    except metadata.PackageNotFoundError:
        facts["resilient-client"] = "not installed as a distribution: the supported ranges are unknown"
        report.notes.append("resilient-client runs from a source tree: Python and openai were not checked")
        return
    facts["resilient-client"] = dist.version
    python = platform.python_version()
    _check("python", python, str((dist.metadata.get_all("Requires-Python") or [""])[0]), facts, report)
    try:
        openai = metadata.version("openai")
    except metadata.PackageNotFoundError:
        facts["openai"] = "not installed"
        report.problems.append("openai is not installed")
        return
    _check("openai", openai, _required(dist.requires or [], "openai"), facts, report)


def _required(requirements: list[str], name: str) -> str:
    """The version specifier the distribution declares for ``name`` (without extras or markers)."""
    for requirement in requirements:
        found = re.match(rf"\s*{re.escape(name)}\s*(?:\[[^\]]*\])?\s*\(?([^;)]*)\)?\s*$", requirement, re.IGNORECASE)
        if found:
            return found[1].strip()
    return ""


def _check(name: str, version: str, specifier: str, facts: dict[str, str], report: Report) -> None:
    if not specifier:
        facts[name] = f"{version} (no range declared)"
        return
    ok = satisfies(version, specifier)
    facts[name] = f"{version} (supported: {specifier}){'' if ok else ': OUTSIDE THE RANGE'}"
    if not ok:
        report.problems.append(f"{name} {version} is outside the range resilient-client supports ({specifier})")


def satisfies(version: str, specifier: str) -> bool:
    """Whether ``version`` meets every clause of ``specifier`` (``>=3.3,<4``), comparing release numbers."""
    have = _release(version)
    for clause in filter(None, (part.strip() for part in specifier.split(","))):
        found = _CLAUSE.fullmatch(clause)
        if found is None:
            return True  # a clause this check does not read: not reported as a problem
        op, text = found.groups()
        if op in ("==", "!=") and text.endswith(".*"):
            prefix = _release(text[:-2])
            same = have[: len(prefix)] == prefix
            if same != (op == "=="):
                return False
            continue
        want = _release(text)
        size = max(len(have), len(want))
        a, b = have + (0,) * (size - len(have)), want + (0,) * (size - len(want))
        checks = {
            "==": a == b,
            "!=": a != b,
            "<=": a <= b,
            ">=": a >= b,
            "<": a < b,
            ">": a > b,
            "~=": a >= b and a[: len(want) - 1] == b[: len(want) - 1],
        }
        if not checks[op]:
            return False
    return True


def _release(version: str) -> tuple[int, ...]:
    found = _RELEASE.match(version)
    return tuple(int(part) for part in found[0].split(".")) if found else (0,)
