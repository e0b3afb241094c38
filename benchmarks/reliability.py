"""The reliability figures of the README ("Reliability"), from one run of the hostile suites.

    .venv/bin/python benchmarks/reliability.py

Runs tests/test_hostile_*.py, tests/test_properties.py and tests/test_killpoints.py with
$NEWSKG_RELIABILITY_LOG set. Every case those tests try is logged there as it is checked
(tests/hostile_support.py, ``record``) with what went wrong, if anything: a traceback, a hang
(no answer within the run's limit or the deadline), the canary password shown (every run has
one set), data lost (a build or store changed by a failed command, a kill that left neither
the old nor the new state). Prints one line per kind of case and exits 1 if pytest failed or
any count of what went wrong is not 0.
"""

from __future__ import annotations

import collections
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SUITES = [*sorted(str(p.relative_to(ROOT)) for p in (ROOT / "tests").glob("test_hostile_*.py")),
          "tests/test_properties.py", "tests/test_killpoints.py"]
KINDS = {"bad-input": "bad inputs tried", "fault": "faults injected", "kill": "kill points",
         "hypothesis": "hypothesis examples"}
FLAWS = ("traceback", "hung", "leaked", "lost")


def main() -> int:
    with tempfile.TemporaryDirectory() as scratch:
        log = Path(scratch) / "reliability.jsonl"
        started = time.monotonic()
        pytest = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *SUITES],
                                cwd=ROOT, env={**os.environ, "NEWSKG_RELIABILITY_LOG": str(log)})
        seconds = time.monotonic() - started
        cases = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()] if log.exists() else []
    totals: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    for case in cases:
        totals[case["kind"]]["tried"] += case["count"]
        for flaw in FLAWS:
            totals[case["kind"]][flaw] += case["count"] if case[flaw] else 0
    print(f"\n{'':22} {'tried':>6} {'tracebacks':>11} {'hangs':>6} {'secrets leaked':>15} {'data lost':>10}")
    for kind, label in KINDS.items():
        t = totals[kind]
        print(f"{label:22} {t['tried']:>6} {t['traceback']:>11} {t['hung']:>6} {t['leaked']:>15} {t['lost']:>10}")
    print(f"(one run of {len(SUITES)} test files in {seconds:.0f} s; pytest exit code {pytest.returncode})")
    flawed = sum(t[flaw] for t in totals.values() for flaw in FLAWS)
    return 1 if pytest.returncode or flawed else 0


if __name__ == "__main__":
    sys.exit(main())
