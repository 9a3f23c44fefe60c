"""``resilient-client`` (= ``python -m resilient_client``): look at and manage the learned-rule cache.

Only the store protocol is used, so the commands work on whatever
``--cache``, ``RESILIENT_CLIENT_CACHE`` or the default points at: a JSON file or a
``redis://`` URL.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import json
import os
import shutil
import sys
import time
import warnings
from collections.abc import Iterator, Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any, Final
from urllib.parse import urlsplit, urlunsplit

from . import __version__
from ._core import expire, merge
from ._doctor import open_store, spec_source
from ._errors import CacheFormatError, NewerSchemaError, ResilientClientWarning
from ._explain import explain
from ._models import ChangeRole, Clamp, DeploymentKey, DeploymentMapping, Fix, Rename, SetValue
from ._probe import DEFAULT_PARAMS
from ._serialize import Rules, dumps, fix_to_json, load_document
from .stores import CACHE_ENV, Store, StoreSpec, StoreStatus, cache_location, parse_store_spec
from .stores._status import READ_ONLY, store_status

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


_EVIDENCE: Final = 70
"""Characters of evidence shown without ``--wide``."""
_LAST_SEEN: Final = 5
_SHRINK: Final = (((2,), 30), ((0, 2), 20), ((5,), 16), ((5,), 10), ((0, 2), 10), ((0, 1, 2), 6))
"""(columns, narrowest) in the order columns give up width when the table is wider than the terminal:
evidence, then key and evidence, the seconds then the time of LAST SEEN, key and evidence again, then
the rule too. Within a step the widest column gives up a character first."""


def show_rules(rules: Rules, *, as_json: bool = False, wide: bool = False) -> None:
    """Print rules as ``cache show`` does: key, rule, evidence, rejections, calls rewritten, last seen; or JSON.

    The table fits the terminal's width (``shutil.get_terminal_size``): the evidence, key and
    rule columns are shortened first. ``wide`` prints every cell whole.
    """
    if as_json:
        rows = [
            {"key": asdict(key), "model": m.model, "fix": fix_to_json(r.fix), "evidence": asdict(r.evidence)}
            for key, m in rules.items()
            for r in m.rules
        ]
        print(json.dumps(rows, indent=2))
        return
    # REJECTED: rejections the deployment sent for it; REWRITTEN: calls the rule fixed before sending.
    table: list[tuple[str, ...]] = [("KEY", "RULE", "EVIDENCE", "REJECTED", "REWRITTEN", "LAST SEEN")]
    keys: list[DeploymentKey | None] = [None]
    for key, mapping in rules.items():
        for rule in mapping.rules:
            ev = rule.evidence
            seen = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(ev.last_seen))
            evidence = f"{ev.status} {ev.code or ''}: {ev.message}".replace("\n", " ")
            if not wide:
                evidence = _cut(evidence, _EVIDENCE)
            table.append((str(key), describe(rule.fix), evidence, str(ev.hits), str(ev.uses), seen))
            keys.append(key)
    if len(table) == 1:
        print("no learned rules")
        return
    widths = [max(len(row[i]) for row in table) for i in range(len(table[0]))]
    if not wide:
        widths = _fit(widths, shutil.get_terminal_size().columns)
    for row_key, row in zip(keys, table, strict=True):
        cells = [_cell(i, cell, w, row_key) for i, (cell, w) in enumerate(zip(row, widths, strict=True))]
        print("  ".join(cell.ljust(w) for cell, w in zip(cells, widths, strict=True)).rstrip())


def _fit(widths: list[int], limit: int) -> list[int]:
    """Column widths narrowed, in the order of ``_SHRINK``, until the table fits ``limit`` (or can shrink no more)."""
    widths = list(widths)
    for columns, narrowest in _SHRINK:
        excess = sum(widths) + 2 * (len(widths) - 1) - limit
        if columns == (_LAST_SEEN,):  # down to the minute, then the day, never a part of either
            if excess > 0:
                widths[_LAST_SEEN] = min(widths[_LAST_SEEN], narrowest)
            continue
        while excess > 0:
            widest = max(columns, key=widths.__getitem__)
            if widths[widest] <= narrowest:
                break
            widths[widest] -= 1
            excess -= 1
    return widths


def _cell(column: int, text: str, width: int, key: DeploymentKey | None) -> str:
    if len(text) <= width:
        return text
    if column == 0 and key is not None:
        # The deployment matters most: drop the operation, then the api-version, then all but the host's first label.
        host = key.host
        forms = [f"{host}/{key.deployment}?api-version={key.api_version}", f"{host}/{key.deployment}"]
        forms += [f"{host.split('.')[0]}/{key.deployment}", key.deployment]
        text = next((form for form in forms if len(form) <= width), key.deployment)
    if column == _LAST_SEEN:
        return text[:width]
    return _cut(text, width)


def _cut(text: str, width: int) -> str:
    """``text`` in at most ``width`` characters, ending in ``...`` when shortened."""
    return text if len(text) <= width else text[: max(width - 3, 0)] + "..."[:width]


class _FailedError(Exception):
    """A command could not do what it says: one line for stderr, and the exit status."""

    def __init__(self, message: str, status: int = 1) -> None:
        super().__init__(message)
        self.status = status


def _rules_of(path: Path) -> Rules:
    """The rules an import file holds; all of them or a :class:`_FailedError` with the first reason."""
    try:
        rules, problems = load_document(path.read_bytes())
    except OSError as exc:
        problems = [exc.strerror or str(exc)]
    except (CacheFormatError, NewerSchemaError) as exc:
        problems = [str(exc)]
    if problems:
        # An import is asked for by name: all of it or nothing, with the first reason.
        raise _FailedError(f"cannot import {path}: {len(problems)} problem(s), first: {problems[0]}")
    return rules


def _import(store: Store, rules: Rules) -> str:
    count = 0
    for key, incoming in rules.items():

        def change(mapping: DeploymentMapping, incoming: DeploymentMapping = incoming) -> DeploymentMapping:
            for rule in incoming.rules:
                mapping = merge(mapping, rule)
            return mapping

        store.update(key, change)
        count += len(incoming.rules)
    return f"imported {count} rule(s) for {len(rules)} key(s)"


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


def _prune(store: Store, rules: Rules, age: float) -> str:
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
    return f"pruned {dropped} rule(s) not seen for {age:.0f} s"


def _without(mapping: DeploymentMapping, *, cutoff: float) -> DeploymentMapping:
    # Applied to the store's latest mapping: a rule seen again meanwhile stays.
    return expire(mapping, 0.0, cutoff)


def _write_private(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` readable by its owner only (an export holds every deployment's rules)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        os.fchmod(f.fileno(), 0o600)
        f.write(text)


def main(argv: Sequence[str] | None = None) -> int:  # noqa: PLR0911, PLR0915 - one parser, one dispatch
    """Run the command line; returns the exit status."""
    parser = argparse.ArgumentParser(prog="resilient-client", description=__doc__)
    parser.add_argument("--cache", help=f"cache file or redis:// URL (default: ${CACHE_ENV}, else the user cache dir)")
    parser.add_argument("--version", action="version", version=f"resilient-client {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    cache = sub.add_parser("cache", help="inspect and manage learned rules")
    actions = cache.add_subparsers(dest="action", required=True)
    actions.add_parser("path", help="print where the cache is")
    show = actions.add_parser(
        "show", help="print learned rules: key, rule, evidence, rejections, calls rewritten, last seen"
    )
    show.add_argument("--deployment", help="only this deployment")
    show.add_argument("--json", action="store_true", help="machine-readable output")
    show.add_argument("--wide", action="store_true", help="every cell whole, however wide the table")
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
    checkup = sub.add_parser(
        "doctor",
        help="check the cache a process would use, and Python and openai; exit 1 if something needs fixing",
    )
    checkup.add_argument("--json", action="store_true", help="machine-readable output")
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
    if args.command == "doctor":
        from ._doctor import doctor  # noqa: PLC0415 - this command only

        return doctor(args.cache, as_json=args.json)
    try:
        spec = _spec(args.cache)
        if args.command == "probe":
            return _probe(args, spec)
        if args.action == "path":
            print(spec.shown)
            return 0
        return _run(spec, args)
    except _FailedError as exc:
        print(f"resilient-client: {exc}", file=sys.stderr)
        return exc.status


def _spec(cache: str | None) -> StoreSpec:
    """The store spec a command uses; a bad one is a usage error (exit 2) saying where it came from."""
    try:
        return parse_store_spec(cache_location(cache or None))
    except ValueError as exc:
        raise _FailedError(f"{spec_source(cache)}: {exc}", 2) from None


def _open(spec: StoreSpec) -> Store:
    """A store of this command alone: what it reports is about this command's reads and writes only."""
    try:
        return open_store(spec)
    except ImportError as exc:
        raise _FailedError(f"{spec.shown}: {exc}") from None


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


def _probe(args: Any, spec: StoreSpec) -> int:
    import openai  # noqa: PLC0415 - the probe's own dependency, loaded by _probe anyway

    from ._probe import probe  # noqa: PLC0415 - talks to Azure: only when asked

    store = _open(spec)
    try:
        with _saved(spec, "probe into"):
            try:
                _writable(spec, store_status(store), "probe into")
                result = probe(
                    args.deployment,
                    params=[p.strip() for p in args.params.split(",") if p.strip()],
                    endpoint=args.endpoint,
                    api_version=args.api_version,
                    store=store,
                )
            finally:
                store.close()
    except (ValueError, openai.OpenAIError) as exc:
        # An unknown param, or what the client needs and was not given: credentials, endpoint, api-version.
        raise _FailedError(f"probe: {' '.join(str(exc).split())}", 2) from None
    if args.json:
        doc = {
            "deployment": result.deployment,
            "learned": [fix_to_json(f) for f in result.learned],
            "rules": [fix_to_json(r.fix) for r in result.rules.rules],
            "blocked": result.blocked,
            "error": result.error,
            "cache": spec.shown,
        }
        print(json.dumps(doc, indent=2))
    elif result.error:
        print(f"resilient-client: probe of {result.deployment!r} failed: {result.error}", file=sys.stderr)
        if result.learned:
            print(f"  learned {len(result.learned)} new rule(s) into {spec.shown} before that:", file=sys.stderr)
            for fix in result.learned:
                print(f"  {describe(fix)}", file=sys.stderr)
    else:
        print(f"probed {result.deployment!r}: learned {len(result.learned)} new rule(s) into {spec.shown}")
        for fix in result.rules.fixes:
            print(f"  {describe(fix)}")
        for param in result.blocked:
            print(f"  {param}: rejected, but protected (see RepairPolicy); not repaired")
    return 1 if result.error else 0


def _unreadable(status: StoreStatus) -> str | None:
    """Why the store's rules cannot be read, if they cannot (an empty store can be read: it holds none)."""
    readable = status.details.get("readable")
    if readable is not None:
        return None if readable.startswith("yes") else readable.removeprefix("no: ")
    if status.kind.startswith("redis") and "entries" not in status.details:
        return status.problems[0] if status.problems else "Redis did not answer"
    return None


def _writable(spec: StoreSpec, status: StoreStatus, verb: str) -> None:
    """Fail the command before it starts when the store cannot take writes (a file read-only on purpose too)."""
    writable = status.details.get("writable", "yes")
    if writable == READ_ONLY:
        why: str | None = "the file has no write permission bit: it is only read"
    elif writable != "yes":
        why = writable.removeprefix("no: ")
    else:
        why = _unreadable(status) if status.kind.startswith("redis") else None
    if why:
        raise _FailedError(f"cannot {verb} the cache {spec.shown}: {why}")


@contextlib.contextmanager
def _saved(spec: StoreSpec, verb: str) -> Iterator[None]:
    """Fail the command when the store said, with a ResilientClientWarning, that what it wrote was not saved."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ResilientClientWarning)
        yield
    lost = [w.message for w in caught if isinstance(w.message, ResilientClientWarning)]
    for other in (w for w in caught if not isinstance(w.message, ResilientClientWarning)):
        warnings.warn_explicit(other.message, other.category, other.filename, other.lineno)
    if lost:
        raise _FailedError(f"cannot {verb} the cache {spec.shown}: not saved: {lost[0].detail or lost[0]}")


def _run(spec: StoreSpec, args: Any) -> int:
    incoming = _rules_of(args.file) if args.action == "import" else {}  # validated before the cache is touched
    store = _open(spec)
    if args.action in ("show", "export"):
        try:
            return _read(spec, store, store_status(store), args)
        finally:
            store.close()
    verb = {"import": "import into"}.get(args.action, args.action)
    with _saved(spec, verb):
        try:
            _writable(spec, store_status(store), verb)
            done = _write(store, args, incoming)
        finally:
            store.close()
    print(done, file=sys.stderr)
    return 0


def _read(spec: StoreSpec, store: Store, status: StoreStatus, args: Any) -> int:
    """``show`` and ``export``: they read the store and never change it."""
    why = _unreadable(status)
    if why:
        raise _FailedError(f"cannot read the cache {spec.shown}: {why}")
    rules = store.items()
    if args.action == "show":
        show_rules(_selected(rules, args.deployment), as_json=args.json, wide=args.wide)
    else:
        try:
            _write_private(args.file, dumps(rules))
        except OSError as exc:
            raise _FailedError(f"cannot export to {args.file}: {exc.strerror or exc}") from None
        print(f"exported {sum(len(m.rules) for m in rules.values())} rule(s) to {args.file}", file=sys.stderr)
    for problem in status.problems:
        print(f"resilient-client: note: {spec.shown}: {problem}", file=sys.stderr)
    return 0


def _write(store: Store, args: Any, incoming: Rules) -> str:
    """``import``, ``prune`` and ``clear``; what was done, in a line."""
    if args.action == "import":
        return _import(store, incoming)
    rules = store.items()
    if args.action == "prune":
        return _prune(store, _selected(rules, args.deployment), args.older_than)
    chosen = _selected(rules, args.deployment)
    if args.deployment is None:
        store.clear()
    else:
        for key in chosen:
            store.clear(key)
    return f"cleared {sum(len(m.rules) for m in chosen.values())} rule(s)"
