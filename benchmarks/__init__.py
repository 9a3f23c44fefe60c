"""Benchmarks of resilient_client, each measured against its baseline in the same run.

Run from the repository root: ``python -m benchmarks.run_all`` (all of them, writes
``benchmarks/RESULTS.md``) or ``python -m benchmarks.<name>`` for one.
"""

from __future__ import annotations
