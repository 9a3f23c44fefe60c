"""The reader on bodies built to make each grammar fragment backtrack: the worst time of one read().

Each body is a 4 KB or a 64 KB message made of one repeated unit (quotes, "use ", dots,
"must be ", open brackets, "role" and spaces…), as a message, after a real rejection, or as
raw text; plus bodies of several 4 KB messages of open brackets, and of eight distinct 4 KB
messages of each unit. The headline is the worst time of one ``read()`` over all of them
(goal: at most 100 ms on this 2-core machine, where a real rejection body reads in 0.2 to
1 ms), and the median. The tests in
tests/adversarial/test_reader_hostile.py read the same bodies and check only that each read
completes: a timed assertion does not belong in a test.

    python -m benchmarks.reader_stress [--tiny] [--json PATH]
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

from benchmarks._common import finish, median, parser
from resilient_client._reading import read

GOAL_MS = 100.0

STRESS_UNITS: dict[str, str] = {
    "single quotes": "'",
    "double quotes": '"',
    "backticks": "`",
    "mixed quotes": "'\"`",
    "use": "use ",
    "use quote": "use '",
    "please use": "please use ",
    "deprecated use": "deprecated use ",
    "spaces": " ",
    "dots": ".",
    "space dots": " .",
    "dashes": "-",
    "arrows": " -> ",
    "both": "both ",
    "both and": "both x and ",
    "must be": "must be ",
    "must be one of": "must be one of ",
    "only supports": "only supports ",
    "supported values": "supported values are: ",
    "quoted values": "'a', ",
    "digits": "1",
    "digits dots": "1.",
    "negative": "-1",
    "set to": "set a to ",
    "requires": "requires ",
    "at most": "at most ",
    "between": "between 1 and ",
    "comparisons": "a >",
    "did you mean": "did you mean ",
    "located": 'Unknown name "a" at \'',
    "pydantic v1": "body -> a\n  ",
    "newlines": "\n",
    "urls": "http://",
    "names": "a",
    "dotted names": "a.",
    "params": "temperature ",
    "empty braces": "{}",
    "mapping": "{'a': 1}",
    "role words": "role ",
    "system words": "system ",
}
STRESS_REQUEST: dict[str, Any] = {
    "model": "m",
    "messages": [{"role": "system", "content": "sys"}, {"role": "user", "content": "Hi"}],
    "max_tokens": 100,
    "temperature": 0.5,
    "top_p": 1,
    "seed": 1,
    "reasoning_effort": "low",
    "a": 1,
    "use_x": 2,
}


def _message(text: str) -> dict[str, Any]:
    return {"error": {"message": text, "type": "invalid_request_error", "param": None, "code": None}}


def stress_bodies(sizes: tuple[int, ...] = (4096, 65536)) -> Iterator[tuple[str, object]]:
    """(name, body) for every stress body."""
    for name, unit in STRESS_UNITS.items():
        for size in sizes:
            text = (unit * (size // len(unit) + 1))[:size]
            yield f"{name}-{size}-message", _message(text)
            yield f"{name}-{size}-prefixed", _message("Unsupported parameter: 'temperature' is not supported. " + text)
            yield f"{name}-{size}-raw", text
    # A sent param's name between the brackets ("[a,", "{'a") makes every token a name to ground.
    for unit, count in (
        ("[", 1),
        ("[ ", 3),
        ("{", 3),
        ("{'", 6),
        ("['", 6),
        ("[1,", 4),
        ("[{", 3),
        ("[a,", 4),
        ("{'a", 6),
    ):
        message = (unit * (4096 // len(unit) + 1))[:4096]
        yield f"brackets {unit!r} x{count}", {"error": [{"message": message} for _ in range(count)]}
    yield "role and spaces x4", {"error": [{"message": "role" + " " * (4092 - i)} for i in range(4)]}
    # Eight messages of one unit, each shifted by a character, so that no two are the same message.
    for name, unit in (*STRESS_UNITS.items(), ("brackets [a,", "[a,"), ("brackets {'a", "{'a")):
        text = unit * (8192 // len(unit) + 1)
        yield f"{name} x8 distinct", {"error": [{"message": text[i : i + 4096]} for i in range(8)]}


def main() -> dict[str, Any]:
    """Time every stress body and print the worst and the median."""
    args = parser(__doc__).parse_args()
    sizes = (4096,) if args.tiny else (4096, 65536)
    times: dict[str, float] = {}
    for name, body in stress_bodies(sizes):
        start = time.perf_counter()
        read(400, body, STRESS_REQUEST)
        times[name] = (time.perf_counter() - start) * 1000
    worst = max(times, key=times.__getitem__)
    results = {
        "bodies": len(times),
        "worst_ms": round(times[worst], 2),
        "worst_body": worst,
        "median_ms": round(median(list(times.values())), 3),
        "goal_ms": GOAL_MS,
        "met": times[worst] <= GOAL_MS,
    }
    print(f"{len(times)} bodies: worst {times[worst]:.1f} ms ({worst}), median {results['median_ms']} ms; "
          f"goal <= {GOAL_MS:.0f} ms: {'met' if results['met'] else 'missed'}")  # fmt: skip
    return finish(results, args.json)


if __name__ == "__main__":
    main()
