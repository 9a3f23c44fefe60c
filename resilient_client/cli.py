"""``resilient-client`` (= ``python -m resilient_client``): look at and manage the learned-rule cache.

Only the store protocol is used, so the commands work on whatever
``--cache``, ``RESILIENT_CLIENT_CACHE`` or the default points at: a JSON file or a
``redis://`` URL.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import sys
import time
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any, Final
from urllib.parse import urlsplit, urlunsplit

from ._core import expire, merge
from ._errors import CacheFormatError, NewerSchemaError
from ._explain import explain
from ._models import ChangeRole, Clamp, DeploymentMapping, Fix, Rename, SetValue
from ._probe import DEFAULT_PARAMS
from ._serialize import Rules, dumps, fix_to_json, load_document
from .stores import CACHE_ENV, Store, cache_location, resolve_store

__all__ = ["describe", "main", "show_rules"]


def describe(fix: Fix) -> str:
    """A fix in a few words: ``rename max_tokens -> max_completion_tokens``, ``drop x (without tools)``."""
    when = getattr(fix, "when", None)
    return f"{_describe(fix)} ({when})" if when is not None else _describe(fix)


def _describe(fix: Fix) -> str:
    if isinstance(fix, Rename):
        return f"rename {fix.param} -> {fix.new}"
    if isinstance(fix, SetValue):
        return f"{fix.param}: {fix.old!r} -> {'(omit)' if fix.new is None else repr(fix.new)}"
    if isinstance(fix, Clamp):
        return f"clamp {fix.param} to [{fix.minimum}, {fix.maximum}]"
    if isinstance(fix, ChangeRole):
        return f"role {fix.role} -> {fix.new}"
    return f"drop {fix.param}"


def _selected(rules: Rules, deployment: str | None) -> Rules:
    return {k: v for k, v in sorted(rules.items(), key=lambda kv: str(kv[0])) if deployment in (None, k.deployment)}


def show_rules(rules: Rules, *, as_json: bool = False) -> None:
    """Print rules as ``cache show`` does: key, rule, evidence, rejections, calls rewritten, last seen; or JSON."""
    if as_json:
        rows = [
            {"key": asdict(key), "model": m.model, "fix": fix_to_json(r.fix), "evidence": asdict(r.evidence)}
            for key, m in rules.items()
            for r in m.rules
        ]
        print(json.dumps(rows, indent=2))
        return
    # REJECTED: rejections the deployment sent for it; REWRITTEN: calls the rule fixed before sending.
    table = [("KEY", "RULE", "EVIDENCE", "REJECTED", "REWRITTEN", "LAST SEEN")]
    for key, mapping in rules.items():
        for rule in mapping.rules:
            ev = rule.evidence
            seen = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(ev.last_seen))
            evidence = f"{ev.status} {ev.code or ''}: {ev.message}".replace("\n", " ")
            if len(evidence) > 70:  # noqa: PLR2004 - a terminal column
                evidence = evidence[:67] + "..."
            table.append((str(key), describe(rule.fix), evidence, str(ev.hits), str(ev.uses), seen))
    if len(table) == 1:
        print("no learned rules")
        return
    widths = [max(len(row[i]) for row in table) for i in range(len(table[0]))]
    for row in table:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())


def _import(store: Store, path: Path) -> int:
    try:
        rules, problems = load_document(path.read_bytes())
    except (OSError, CacheFormatError, NewerSchemaError) as exc:
        problems = [str(exc)]
    if problems:
        # An import is asked for by name: all of it or nothing, with the first reason.
        print(
            f"resilient-client: cannot import {path}: {len(problems)} problem(s), first: {problems[0]}", file=sys.stderr
        )
        return 1
    count = 0
    for key, incoming in rules.items():

        def change(mapping: DeploymentMapping, incoming: DeploymentMapping = incoming) -> DeploymentMapping:
            for rule in incoming.rules:
                mapping = merge(mapping, rule)
            return mapping

        store.update(key, change)
        count += len(incoming.rules)
    print(f"imported {count} rule(s) for {len(rules)} key(s)", file=sys.stderr)
    return 0


_UNITS: Final = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def redacted(location: str) -> str:
    """A cache location as it may be shown: a URL's password replaced by ``***``."""
    split = urlsplit(location)
    if split.password is None:
        return location
    host = split.netloc.rpartition("@")[2]
    user = f"{split.username}:" if split.username else ":"
    return urlunsplit(split._replace(netloc=f"{user}***@{host}"))


def _duration(text: str) -> float:
    """``30d``, ``12h``, ``90m``, ``45s`` or a number of seconds."""
    unit = _UNITS.get(text[-1:].lower())
    number = text[:-1] if unit else text
    try:
        seconds = float(number) * (unit or 1)
    except ValueError:
        seconds = -1.0
    if not 0 <= seconds < float("inf"):
        msg = f"{text!r} is not an age such as 30d, 12h, 90m or 3600"
        raise argparse.ArgumentTypeError(msg)
    return seconds


def _prune(store: Store, rules: Rules, age: float) -> int:
    cutoff = time.time() - age
    dropped = 0
    for key, mapping in rules.items():
        stale = [rule for rule in mapping.rules if rule.evidence.last_seen < cutoff]
        if not stale or not mapping.rules:
            continue  # nothing old, or only accepted signatures (they carry no age)
        if len(stale) == len(mapping.rules):
            store.clear(key)
        else:
            store.update(key, functools.partial(_without, cutoff=cutoff))
        dropped += len(stale)
    print(f"pruned {dropped} rule(s) not seen for {age:.0f} s", file=sys.stderr)
    return 0


def _without(mapping: DeploymentMapping, *, cutoff: float) -> DeploymentMapping:
    # Applied to the store's latest mapping: a rule seen again meanwhile stays.
    return expire(mapping, 0.0, cutoff)


def _write_private(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` readable by its owner only (an export holds every deployment's rules)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        os.fchmod(f.fileno(), 0o600)
        f.write(text)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    parser = argparse.ArgumentParser(prog="resilient-client", description=__doc__)
    parser.add_argument("--cache", help=f"cache file or redis:// URL (default: ${CACHE_ENV}, else the user cache dir)")
    sub = parser.add_subparsers(dest="command", required=True)
    cache = sub.add_parser("cache", help="inspect and manage learned rules")
    actions = cache.add_subparsers(dest="action", required=True)
    actions.add_parser("path", help="print where the cache is")
    show = actions.add_parser("show", help="print learned rules: key, rule, evidence, rejections, calls rewritten, last seen")
    show.add_argument("--deployment", help="only this deployment")
    show.add_argument("--json", action="store_true", help="machine-readable output")
    clear = actions.add_parser("clear", help="forget learned rules")
    clear.add_argument("--deployment", help="only this deployment")
    export = actions.add_parser("export", help="write all rules to FILE (the cache file format)")
    export.add_argument("file", type=Path)
    imp = actions.add_parser("import", help="merge the rules in FILE into the cache (validated first)")
    imp.add_argument("file", type=Path)
    prune = actions.add_parser("prune", help="forget rules not seen for a while (a key with none left goes too)")
    prune.add_argument(
        "--older-than", required=True, type=_duration, metavar="AGE", help="e.g. 30d, 12h, 90m or 3600 (seconds)"
    )
    prune.add_argument("--deployment", help="only this deployment")
    explain = sub.add_parser(
        "explain",
        help="show what the client makes of an error body (exit 0 when it would repair)",
        description="Read an error body as the client would, against the request that drew it. The report holds "
        "no request text: paste it into a bug report about a wording the client does not read.",
    )
    explain.add_argument("body", nargs="?", default="-", help="file with the error body, or - for stdin (default)")
    explain.add_argument("--request", help="the request body: JSON text, or a file holding it")
    explain.add_argument("--status", type=int, default=400, help="the HTTP status (default 400)")
    explain.add_argument("--json", action="store_true", help="machine-readable output")
    from ._demo import PROVIDER_CALLS  # noqa: PLC0415 - _demo imports this module

    demo = sub.add_parser("demo", help="watch the client learn from an emulated Azure deployment or provider (offline)")
    demo.add_argument("--json", action="store_true", help="machine-readable output")
    demo.add_argument(
        "--provider",
        choices=list(PROVIDER_CALLS),
        help="run it against this OpenAI-compatible provider profile with ResilientOpenAI (default: Azure o4-mini)",
    )
    probe = sub.add_parser("probe", help="learn a real deployment's rules before production does")
    probe.add_argument("--deployment", required=True, help="the Azure deployment name")
    probe.add_argument("--endpoint", help="azure_endpoint (default: $AZURE_OPENAI_ENDPOINT)")
    probe.add_argument("--api-version", help="api-version (default: $OPENAI_API_VERSION)")
    probe.add_argument(
        "--params",
        default=",".join(DEFAULT_PARAMS),
        help="comma-separated params your code sends, 'system' for a system message "
        f"(default: {','.join(DEFAULT_PARAMS)})",
    )
    probe.add_argument("--json", action="store_true", help="machine-readable output")
    from .gateway import _serve as gateway  # noqa: PLC0415 - its options and command; the extra loads in `serve`

    gateway.add_arguments(sub.add_parser("serve", help="run the gateway: the same repairs for apps in any language"))
    args = parser.parse_args(argv)

    if args.command == "explain":
        return _explain(args)
    if args.command == "serve":
        return gateway.command(args)
    if args.command == "demo":
        from ._demo import run_demo  # noqa: PLC0415 - starts a server: only when asked

        return run_demo(as_json=args.json, provider=args.provider)
    location = cache_location(args.cache or None)
    if args.command == "probe":
        return _probe(args, location)
    if args.action == "path":
        print(redacted(location))
        return 0
    store = resolve_store(location)
    try:
        return _run(store, args)
    finally:
        store.close()


def _explain(args: Any) -> int:
    try:
        body = sys.stdin.buffer.read() if args.body == "-" else Path(args.body).read_bytes()
    except OSError as exc:
        print(f"resilient-client explain: cannot read {args.body}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    request: Any = {}
    if args.request:
        text = args.request
        if not text.lstrip().startswith(("{", "[")):
            try:
                text = Path(text).read_text("utf-8")
            except OSError as exc:
                print(f"resilient-client explain: cannot read {args.request}: {exc.strerror or exc}", file=sys.stderr)
                return 2
        try:
            request = json.loads(text)
        except ValueError as exc:
            print(f"resilient-client explain: --request is not JSON: {exc}", file=sys.stderr)
            return 2
        if not isinstance(request, dict):
            print("resilient-client explain: --request must be a JSON object", file=sys.stderr)
            return 2
    found = explain(args.status, body, request)
    print(json.dumps(found.as_dict(), indent=2, ensure_ascii=False) if args.json else found)
    return 0 if found.would_repair else 1


def _probe(args: Any, location: str) -> int:
    from ._probe import probe  # noqa: PLC0415 - talks to Azure: only when asked

    store = resolve_store(location)
    try:
        result = probe(
            args.deployment,
            params=[p.strip() for p in args.params.split(",") if p.strip()],
            endpoint=args.endpoint,
            api_version=args.api_version,
            store=store,
        )
    except ValueError as exc:
        print(f"resilient-client probe: {exc}", file=sys.stderr)
        return 2
    finally:
        store.close()
    if args.json:
        doc = {
            "deployment": result.deployment,
            "learned": [fix_to_json(f) for f in result.learned],
            "rules": [fix_to_json(r.fix) for r in result.rules.rules],
            "blocked": result.blocked,
            "error": result.error,
            "cache": redacted(location),
        }
        print(json.dumps(doc, indent=2))
    else:
        print(f"probed {result.deployment!r}: learned {len(result.learned)} new rule(s) into {redacted(location)}")
        for fix in result.rules.fixes:
            print(f"  {describe(fix)}")
        for param in result.blocked:
            print(f"  {param}: rejected, but protected (see RepairPolicy); not repaired")
        if result.error:
            print(f"the probe ended with an error: {result.error}", file=sys.stderr)
    return 1 if result.error else 0


def _run(store: Store, args: Any) -> int:
    if args.action == "import":
        return _import(store, args.file)
    rules = store.items()
    if args.action == "show":
        show_rules(_selected(rules, args.deployment), as_json=args.json)
    elif args.action == "export":
        _write_private(args.file, dumps(rules))
        print(f"exported {sum(len(m.rules) for m in rules.values())} rule(s) to {args.file}", file=sys.stderr)
    elif args.action == "prune":
        return _prune(store, _selected(rules, args.deployment), args.older_than)
    else:
        chosen = _selected(rules, args.deployment)
        if args.deployment is None:
            store.clear()
        else:
            for key in chosen:
                store.clear(key)
        print(f"cleared {sum(len(m.rules) for m in chosen.values())} rule(s)", file=sys.stderr)
    return 0
