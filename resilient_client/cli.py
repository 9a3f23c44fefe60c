"""``resilient-client`` (= ``python -m resilient_client``): look at and manage the learned-rule cache.

Only the store protocol is used, so the commands work on whatever
``RESILIENT_CLIENT_CACHE`` (or ``--cache``) points at.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from dataclasses import asdict

from ._serialize import Rules
from .stores import default_cache_path, resolve_store

__all__ = ["main"]


def _rows(rules: Rules, deployment: str | None) -> list[dict[str, object]]:
    return [
        {
            "key": str(key),
            "deployment": key.deployment,
            "fix": asdict(rule.fix),
            "evidence": asdict(rule.evidence),
        }
        for key, mapping in sorted(rules.items(), key=lambda kv: str(kv[0]))
        if deployment is None or key.deployment == deployment
        for rule in mapping.rules
    ]


def _describe(fix: dict[str, object]) -> str:
    kind = fix["kind"]
    if kind == "rename":
        return f"rename {fix['param']} -> {fix['new']}"
    if kind == "set_value":
        return f"{fix['param']}: {fix['old']!r} -> {'(omit)' if fix['new'] is None else repr(fix['new'])}"
    if kind == "clamp":
        return f"clamp {fix['param']} to [{fix['minimum']}, {fix['maximum']}]"
    if kind == "change_role":
        return f"role {fix['role']} -> {fix['new']}"
    return f"drop {fix['param']}"


def _show(rules: Rules, deployment: str | None, *, as_json: bool) -> None:
    rows = _rows(rules, deployment)
    if as_json:
        print(json.dumps(rows, indent=2))
        return
    if not rows:
        print("no learned rules")
        return
    table = [("KEY", "RULE", "EVIDENCE", "HITS", "LAST SEEN")]
    for row in rows:
        ev = row["evidence"]
        assert isinstance(ev, dict)  # noqa: S101 - asdict of Evidence
        fix = row["fix"]
        assert isinstance(fix, dict)  # noqa: S101 - asdict of a fix
        seen = time.strftime("%Y-%m-%d %H:%M", time.localtime(ev["last_seen"]))
        table.append(
            (str(row["key"]), _describe(fix), f"{ev['status']} {ev['code'] or ''}".strip(), str(ev["hits"]), seen)
        )
    widths = [max(len(r[i]) for r in table) for i in range(5)]
    for r in table:
        print("  ".join(cell.ljust(w) for cell, w in zip(r, widths, strict=True)).rstrip())


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    parser = argparse.ArgumentParser(prog="resilient-client", description=__doc__)
    parser.add_argument("--cache", help="cache file (default: $RESILIENT_CLIENT_CACHE or the user cache dir)")
    sub = parser.add_subparsers(dest="command", required=True)
    cache = sub.add_parser("cache", help="inspect or clear learned rules")
    cache_sub = cache.add_subparsers(dest="action", required=True)
    cache_sub.add_parser("path", help="print the cache file path")
    show = cache_sub.add_parser("show", help="print learned rules")
    show.add_argument("--deployment")
    show.add_argument("--json", action="store_true")
    clear = cache_sub.add_parser("clear", help="forget learned rules")
    clear.add_argument("--deployment")
    args = parser.parse_args(argv)

    if args.action == "path":
        print(args.cache or default_cache_path())
        return 0
    store = resolve_store(args.cache)
    rules = store.items()
    if args.action == "show":
        _show(rules, args.deployment, as_json=args.json)
        return 0
    keys = [k for k in rules if args.deployment is None or k.deployment == args.deployment]
    if args.deployment is None:
        store.clear()
    for key in keys if args.deployment is not None else ():
        store.clear(key)
    print(f"cleared {sum(len(rules[k].rules) for k in keys)} rule(s)", file=sys.stderr)
    return 0
