"""The AzureEmulator in a process of its own, answering questions about what it saw on stdin.

    python -m benchmarks._emulator [--latency S] [--alias NAME=PROFILE ...]

Prints the endpoint on the first line, then reads one JSON command a line from
stdin (``{"op": "count", "deployment": "o4-mini", "status": 400}``, ``{"op": "bodies"}``,
``{"op": "reset"}``) and answers each with one JSON line. Stops at the end of stdin.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from resilient_client.testing import PROFILES, AzureEmulator


def main(argv: list[str] | None = None) -> None:
    cli = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    cli.add_argument("--latency", type=float, default=0.0, help="seconds to wait before each answer")
    cli.add_argument("--alias", action="append", default=[], help="NAME=PROFILE: one more deployment")
    args = cli.parse_args(argv)
    deployments = dict(PROFILES)
    for alias in args.alias:
        name, _, profile = alias.partition("=")
        deployments[name] = PROFILES[profile]
    with AzureEmulator(deployments=deployments, latency=args.latency) as azure:
        print(azure.endpoint, flush=True)
        for line in sys.stdin:
            command = json.loads(line)
            op = command["op"]
            answer: Any
            if op == "count":
                answer = azure.count(command.get("deployment"), status=command.get("status"))
            elif op == "bodies":
                dep = command.get("deployment")
                answer = [
                    {**r.body, "_status": r.status} for r in list(azure.requests) if dep is None or r.deployment == dep
                ]
            elif op == "reset":
                azure.reset()
                answer = None
            else:
                answer = {"error": f"unknown op {op!r}"}
            print(json.dumps(answer), flush=True)


if __name__ == "__main__":
    main()
