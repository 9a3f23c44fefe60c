"""The store tests at their full sizes: many processes on one file, many warm calls on many keys.

The test suite runs these tests small, to stay quick; here each runs at the size it was written
for, in one pytest (``-n 0``, one test at a time), and each one's outcome and time are recorded:

- 8 processes learning 200 rules each into one JSON file while a 9th parses it
  (tests/stores/test_json_file.py; the suite learns 40 each);
- 10,000 warm calls across 200 deployment keys, from threads and asyncio tasks, on the file store
  and on Redis: nothing read per call, no 400, memory flat (tests/adversarial/test_load.py; the
  suite makes 1,000 calls on 50 keys).

    python -m benchmarks.fleet_sizes [--tiny] [--json PATH]
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

from benchmarks._common import ROOT, finish, parser, redis_url

FULL = {"STORE_TESTS_FLEET_LEARNS": "200", "RESILIENT_TEST_LOAD_KEYS": "200", "RESILIENT_TEST_LOAD_CALLS": "10000"}
TINY = {"STORE_TESTS_FLEET_LEARNS": "5", "RESILIENT_TEST_LOAD_KEYS": "10", "RESILIENT_TEST_LOAD_CALLS": "100"}
TESTS = {
    "json_fleet": (
        "tests/stores/test_json_file.py::"
        "test_processes_learning_into_one_file_keep_every_rule_and_readers_never_see_half_a_file"
    ),
    "warm_load_file": "tests/adversarial/test_load.py::test_warm_load_on_the_file_store_reads_nothing_per_call",
    "warm_load_redis": "tests/adversarial/test_load.py::test_warm_load_on_redis_sends_no_command_per_call",
}


def run_tests(env: dict[str, str]) -> dict[str, dict[str, Any]]:
    """Run every test in one pytest (``-n 0``); each one's outcome, time and, when it failed, its report."""
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "report.xml"
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "pytest",
                "-n",
                "0",
                "-q",
                "-p",
                "no:cacheprovider",
                f"--junitxml={report}",
                *TESTS.values(),
            ],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=3600,
            check=False,
        )
        if not report.exists():
            raise RuntimeError(f"pytest wrote no report ({done.returncode}): {(done.stdout + done.stderr)[-3000:]}")
        cases = {case.get("name"): case for case in ET.parse(report).iter("testcase")}  # noqa: S314 - ours
    results: dict[str, dict[str, Any]] = {}
    for name, nodeid in TESTS.items():
        case = cases.get(nodeid.rpartition("::")[2])
        if case is None:
            results[name] = {"passed": False, "seconds": 0.0, "output": "not run:\n" + done.stdout[-3000:]}
            continue
        problems = [child for child in case if child.tag in ("failure", "error", "skipped")]
        results[name] = {"passed": not problems, "seconds": float(case.get("time", "0"))}
        if problems:
            results[name]["output"] = "\n".join((p.get("message") or "") + "\n" + (p.text or "") for p in problems)[
                -3000:
            ]
    return results


def measure(sizes: dict[str, str]) -> dict[str, Any]:
    """Every test at ``sizes``; Redis from ``$RESILIENT_TEST_REDIS_URL`` or a redis-server of its own."""
    results: dict[str, Any] = {
        "fleet_processes": 8,
        "fleet_learns": int(sizes["STORE_TESTS_FLEET_LEARNS"]),
        "load_keys": int(sizes["RESILIENT_TEST_LOAD_KEYS"]),
        "load_calls": int(sizes["RESILIENT_TEST_LOAD_CALLS"]),
    }
    env = {**os.environ, **sizes}
    with contextlib.ExitStack() as stack:
        env["RESILIENT_TEST_REDIS_URL"] = stack.enter_context(redis_url())
        results.update(run_tests(env))
    return results


def main(argv: list[str] | None = None) -> dict[str, Any]:
    """Measure, print, and return the figures."""
    args = parser(__doc__).parse_args(argv)
    results = measure(TINY if args.tiny else FULL)
    print(
        f"the store tests at {results['fleet_processes']} x {results['fleet_learns']} rules and "
        f"{results['load_calls']:,} warm calls on {results['load_keys']} keys:"
    )
    for name in TESTS:
        r = results[name]
        print(f"  {name}: {'passed' if r['passed'] else 'FAILED'} in {r['seconds']:.1f} s")
        if "output" in r:
            print(r["output"])
    return finish(results, args.json)


if __name__ == "__main__":
    main()
