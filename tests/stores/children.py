"""What the multi-process store tests run in other processes.

A test starts ``python -c "from tests.stores.children import main; main()" COMMAND ...``
(see ``helpers.child_command``). That interpreter imports the library once (about a
second: it imports openai), then forks its workers from itself, a clean single-threaded
process, so eight workers or fifty killed writers cost one import, not one each.

Commands:

``json-fleet PATH WORKERS LEARNS``
    Fork WORKERS writers, each learning LEARNS rules into the JSON file PATH with
    its own ``JSONFileStore``; meanwhile read and ``json.loads`` PATH in a loop.
    Prints one JSON line: the writers' exit codes, the number of reads, the parse errors.
``redis-fleet URL PREFIX WORKERS LEARNS``
    The same with a ``RedisStore.from_url(URL, prefix=PREFIX)`` per writer (no reader).
``commit-zygote PATH``
    For each line ``go N`` on stdin, fork a writer that learns rule N, N+1, … into
    PATH forever, printing ``committed N`` after each ``update()`` returns; print
    ``pid P`` once forked and ``reaped P CODE`` when it died (the test kills it).
``exit-with-pending PATH``
    Learn rule ``exit_flush`` for ``key(0)`` into PATH while another lock instance holds
    the file lock (the write times out: the rule stays in memory), drop a second store,
    free the lock and exit normally, without ``close()``. Prints one JSON line: whether
    PATH existed before exit, and whether the dropped store was garbage collected.
``exit-unwritable PATH``
    Learn a rule into PATH, whose directory cannot be created, and exit normally with it
    only in memory. Logs as JSON lines on stdout.
"""

from __future__ import annotations

import gc
import itertools
import json
import os
import sys
import traceback
import weakref
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import filelock
import structlog
import structlog.testing

from resilient_client._models import DeploymentKey
from resilient_client.stores import JSONFileStore, Store
from tests.stores.helpers import key, learn

FLEET_KEYS = 32
COMMIT_KEYS = 32
"""Enough keys that the killed writers' few hundred rules stay far below a key's cap of rules (``MAX_RULES``)."""
ROUND = 1_000_000
"""The killed writer of round ``r`` learns rules ``r * ROUND``, ``r * ROUND + 1``, …"""


def fleet_key(learn_index: int) -> DeploymentKey:
    """The key a fleet writer's ``learn_index``-th rule goes to: every writer writes every key."""
    return key(learn_index % FLEET_KEYS)


def fleet_param(worker: int, learn_index: int) -> str:
    """The param of a fleet writer's ``learn_index``-th rule: distinct across writers and rules."""
    return f"w{worker}_{learn_index}"


def fleet_expected(workers: int, learns: int) -> dict[DeploymentKey, set[str]]:
    """The params a fleet's writers learn, by key."""
    expected: dict[DeploymentKey, set[str]] = {}
    for worker in range(workers):
        for j in range(learns):
            expected.setdefault(fleet_key(j), set()).add(fleet_param(worker, j))
    return expected


def commit_key(n: int) -> DeploymentKey:
    """The key the killed writer's rule ``n`` goes to: each round starts on the next key, so all fill evenly."""
    return key((n // ROUND + n % ROUND) % COMMIT_KEYS)


def commit_param(n: int) -> str:
    """The param of the killed writer's rule ``n``."""
    return f"c{n}"


def _fork(work: Callable[[], None]) -> int:
    """Run ``work`` in a forked child; its exit code is 0 if it returned, 1 if it raised."""
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        code = 0
        try:
            work()
        except BaseException:  # noqa: BLE001 - report anything, then leave without the parent's cleanup
            traceback.print_exc()
            code = 1
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    return pid


def _learn_all(store: Store, worker: int, learns: int) -> None:
    """Learn a writer's rules one update at a time, then close the store; its problems go to stderr.

    The writers fork from this interpreter and leave with ``os._exit``, so no exit handler
    runs: ``close()`` is what writes the rules a store still holds in memory only (the
    last updates of a writer that could not get the file lock within ``lock_timeout``).
    """
    with structlog.testing.capture_logs() as events:
        for j in range(learns):
            store.update(fleet_key(j), learn(fleet_param(worker, j)))
        store.close()
    # Not a failure by itself (a store may keep a rule in memory and write it with its
    # next update or on close); the test checks what reached the backing, and shows these if it fails.
    for event in events:
        if event["event"] == "store_error":
            print(f"writer {worker}: {event}", file=sys.stderr, flush=True)


def _json_writer(path: Path, worker: int, learns: int) -> None:
    _learn_all(JSONFileStore(path), worker, learns)


def _redis_writer(url: str, prefix: str, worker: int, learns: int) -> None:
    from resilient_client.stores.redis import RedisStore

    _learn_all(RedisStore.from_url(url, prefix=prefix), worker, learns)


def _reap(pids: set[int], codes: dict[int, int], *, block: bool) -> None:
    for pid in list(pids):
        done, status = os.waitpid(pid, 0 if block else os.WNOHANG)
        if done:
            pids.discard(pid)
            codes[pid] = os.waitstatus_to_exitcode(status)


def json_fleet(path: Path, workers: int, learns: int) -> dict[str, Any]:
    """Run the writers; read the file until they are done. The summary the test checks."""
    pids = {_fork(partial(_json_writer, path, w, learns)) for w in range(workers)}
    codes: dict[int, int] = {}
    reads = 0
    errors: list[str] = []
    while pids:
        try:
            text = path.read_bytes()
        except FileNotFoundError:
            text = None
        if text is not None:
            reads += 1
            try:
                json.loads(text)
            except ValueError as exc:
                errors.append(f"{exc} in {len(text)} bytes: {text[:80]!r}…{text[-80:]!r}")
        _reap(pids, codes, block=False)
    return {"exit_codes": sorted(codes.values()), "reads": reads, "parse_errors": errors[:5]}


def redis_fleet(url: str, prefix: str, workers: int, learns: int) -> dict[str, Any]:
    """Run the writers against Redis and wait for them. The summary the test checks."""
    pids = {_fork(partial(_redis_writer, url, prefix, w, learns)) for w in range(workers)}
    codes: dict[int, int] = {}
    _reap(pids, codes, block=True)
    return {"exit_codes": sorted(codes.values())}


def _say(line: str) -> None:
    """Print ``line`` to stdout in one write(2): whole, even if the process is killed, and never interleaved.

    (``print`` may write the text and its newline separately, e.g. under PYTHONUNBUFFERED.)
    """
    os.write(sys.stdout.fileno(), f"{line}\n".encode())


def _commit_forever(path: Path, start: int) -> None:
    store = JSONFileStore(path)
    for n in itertools.count(start):
        store.update(commit_key(n), learn(commit_param(n)))
        _say(f"committed {n}")


def commit_zygote(path: Path) -> None:
    """Fork a writer per ``go N`` line on stdin and report its pid and its death."""
    for line in sys.stdin:
        start = int(line.split()[1])
        pid = _fork(partial(_commit_forever, path, start))
        _say(f"pid {pid}")
        _, status = os.waitpid(pid, 0)
        _say(f"reaped {pid} {os.waitstatus_to_exitcode(status)}")


_ALIVE: list[Store] = []
"""Stores kept until the interpreter exits, as a client held by a module would keep its store."""


def exit_with_pending(path: Path) -> dict[str, bool]:
    """Leave a rule only in memory (the lock is held elsewhere), then return for a normal exit."""
    with filelock.FileLock(f"{path}.lock"), structlog.testing.capture_logs():
        store = JSONFileStore(path, lock_timeout=0.01)
        store.update(key(0), learn("exit_flush"))
        _ALIVE.append(store)
        dropped = JSONFileStore(path, lock_timeout=0.01)
        dropped.update(key(1), learn("dropped"))
        collected = weakref.ref(dropped)
        del dropped
        gc.collect()
    return {"file_before_exit": path.exists(), "dropped_store_collected": collected() is None}


def exit_unwritable(path: Path) -> None:
    """Leave a rule only in memory in a store that can never write it, then return for a normal exit."""
    structlog.configure(processors=[structlog.processors.JSONRenderer()])
    store = JSONFileStore(path, lock_timeout=0.01)
    store.update(key(0), learn("unwritable"))
    _ALIVE.append(store)


def main(argv: list[str] | None = None) -> None:
    """Dispatch a command line (see the module docstring)."""
    args = sys.argv[1:] if argv is None else argv
    command, rest = args[0], args[1:]
    if command == "json-fleet":
        print(json.dumps(json_fleet(Path(rest[0]), int(rest[1]), int(rest[2]))), flush=True)
    elif command == "redis-fleet":
        print(json.dumps(redis_fleet(rest[0], rest[1], int(rest[2]), int(rest[3]))), flush=True)
    elif command == "commit-zygote":
        commit_zygote(Path(rest[0]))
    elif command == "exit-with-pending":
        print(json.dumps(exit_with_pending(Path(rest[0]))), flush=True)
    elif command == "exit-unwritable":
        exit_unwritable(Path(rest[0]))
    else:
        raise SystemExit(f"unknown command {command!r}")
