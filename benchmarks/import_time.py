"""Import time of ``resilient_client`` on top of ``import openai``, in fresh interpreters.

Each repeat starts two fresh interpreters, alternately:

- ``import openai`` alone, timed with ``perf_counter`` around the statement;
- ``import openai`` then ``import resilient_client``, each timed the same way.

The headline is the median, over the repeats, of the second import in the second
interpreter: what ``resilient_client`` adds once openai is loaded (target: at most
30 ms). As a cross-check, the difference between the medians of the two
interpreters' whole import time is reported too, and one breakdown by top-level
package from ``python -X importtime`` (median of a few runs) shows where the
time goes. A first, unmeasured run compiles the bytecode, as pip does at install
time (even where PYTHONDONTWRITEBYTECODE is set).

    python -m benchmarks.import_time [--repeats 30] [--tiny] [--json PATH]
"""

from __future__ import annotations

import collections
import os
import subprocess
import sys
from typing import Any

from benchmarks._common import ROOT, finish, median, parser

TARGET_MS = 30.0
_OPENAI_ONLY = "import time\nt0 = time.perf_counter()\nimport openai\nprint(time.perf_counter() - t0)\n"
_BOTH = (
    "import time\nt0 = time.perf_counter()\nimport openai\nt1 = time.perf_counter()\n"
    "import resilient_client\nt2 = time.perf_counter()\nprint(t1 - t0, t2 - t1)\n"
)


# Installed packages import from bytecode (pip compiles it at install time): a
# PYTHONDONTWRITEBYTECODE in the environment would make every run compile from source.
_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def _run(*argv: str) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [sys.executable, *argv], cwd=ROOT, capture_output=True, text=True, timeout=120, check=False, env=_ENV
    )
    if done.returncode != 0:
        raise RuntimeError(f"{argv!r} failed ({done.returncode}): {done.stderr[-2000:]}")
    return done


def _seconds(code: str) -> list[float]:
    return [float(x) for x in _run("-c", code).stdout.split()]


def breakdown(runs: int) -> list[tuple[str, float]]:
    """Milliseconds of self time by top-level package, for the modules ``import resilient_client`` loads after openai.

    Read from ``python -X importtime`` (which itself slows imports a little); median over ``runs``; largest first.
    """
    per_package: dict[str, list[float]] = collections.defaultdict(list)
    for _ in range(runs):
        stderr = _run("-X", "importtime", "-c", "import openai\nimport resilient_client").stderr
        totals: dict[str, float] = collections.defaultdict(float)
        after_openai = False
        for line in stderr.splitlines():
            if not line.startswith("import time:") or "|" not in line:
                continue
            self_us, _, name = (part.strip() for part in line.removeprefix("import time:").split("|"))
            if not self_us.isdigit():
                continue  # the header line
            if not after_openai:
                after_openai = name == "openai"  # top-level openai finished: every later line is ours
                continue
            totals[name.split(".")[0]] += int(self_us) / 1000
        for package, ms in totals.items():
            per_package[package].append(ms)
    medians = {package: median(values + [0.0] * (runs - len(values))) for package, values in per_package.items()}
    return sorted(medians.items(), key=lambda item: -item[1])


def measure(repeats: int, breakdown_runs: int, *, warmup: bool = True) -> dict[str, Any]:
    """Alternate the two interpreters ``repeats`` times; return the medians and the breakdown."""
    if warmup:
        _seconds(_BOTH)  # compile bytecode, warm the page cache
    openai_alone: list[float] = []
    openai_then: list[float] = []
    added: list[float] = []
    for _ in range(repeats):
        openai_alone.append(_seconds(_OPENAI_ONLY)[0] * 1000)
        first, second = _seconds(_BOTH)
        openai_then.append((first + second) * 1000)
        added.append(second * 1000)
    ms = median(added)
    return {
        "repeats": repeats,
        "target_ms": TARGET_MS,
        "resilient_client_ms": ms,
        "resilient_client_min_ms": min(added),
        "resilient_client_max_ms": max(added),
        "within_target": ms <= TARGET_MS,
        "openai_ms": median(openai_alone),
        "openai_and_resilient_client_ms": median(openai_then),
        "difference_of_medians_ms": median(openai_then) - median(openai_alone),
        "ratio_to_openai": ms / median(openai_alone),
        "breakdown_runs": breakdown_runs,
        "breakdown_ms": breakdown(breakdown_runs),
    }


def main(argv: list[str] | None = None) -> dict[str, Any]:
    """Measure, print, and return the figures."""
    cli = parser(__doc__)
    cli.add_argument("--repeats", type=int, default=None, help="pairs of fresh interpreters (default 30; tiny 2)")
    args = cli.parse_args(argv)
    repeats = args.repeats if args.repeats is not None else (2 if args.tiny else 30)
    results = measure(repeats, 1 if args.tiny else 5, warmup=not args.tiny)
    print(f"import time, {repeats} pairs of fresh interpreters (median):")
    print(
        f"  import resilient_client after import openai: {results['resilient_client_ms']:.1f} ms "
        f"(min {results['resilient_client_min_ms']:.1f}, max {results['resilient_client_max_ms']:.1f}; "
        f"target <= {TARGET_MS:.0f} ms: {'yes' if results['within_target'] else 'NO'})"
    )
    print(
        f"  import openai alone: {results['openai_ms']:.1f} ms; openai + resilient_client: "
        f"{results['openai_and_resilient_client_ms']:.1f} ms; difference {results['difference_of_medians_ms']:.1f} ms"
    )
    top = ", ".join(f"{k} {v:.1f}" for k, v in results["breakdown_ms"][:8])
    print(f"  -X importtime self time by package (ms): {top}")
    return finish(results, args.json)


if __name__ == "__main__":
    main()
