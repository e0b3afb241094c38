"""Whole-process wall time of `newskg build --force` against the bare owlrl closure.

The reference is measured in the same run: a fresh Python process that parses the
build's asserted triples and runs owlrl's OWL-RL closure on them, nothing else. The
ratio shows what the pipeline (parsing, checks, SHACL, noise filter, writing) costs on
top of the reasoning itself.

With --stages it also prints, from one more build, each stage's wall and CPU seconds and the
peak memory (`newskg build --timings`): what to look at first on a synthetic corpus, e.g.
`python benchmarks/corpus.py /tmp/c100k --triples 100000 && python benchmarks/build_benchmark.py
--project /tmp/c100k --runs 1 --stages`.

Usage: python benchmarks/build_benchmark.py [--runs 5] [--project .] [--stages]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

BARE_OWLRL = """
import sys, owlrl
from rdflib import Graph
g = Graph()
for path in sys.argv[1:]:
    g.parse(path, format="nt")
owlrl.DeductiveClosure(owlrl.OWLRL_Semantics, axiomatic_triples=False, datatype_axioms=False).expand(g)
print(len(g))
"""


def timed(command: list[str], cwd: Path) -> float:
    started = time.perf_counter()
    subprocess.run(command, cwd=cwd, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--project", type=Path, default=Path(__file__).resolve().parent.parent)
    parser.add_argument("--stages", action="store_true", help="also print seconds per stage of one build")
    args = parser.parse_args()
    newskg = str(Path(sys.executable).parent / "newskg")
    subprocess.run([newskg, "build", "--force", "-q"], cwd=args.project, check=True)
    manifest = json.loads((args.project / "build" / "manifest.json").read_text())
    asserted = [str(args.project / "build" / g["file"]) for g in manifest["graphs"] if g["role"] != "inferred"]
    build_times = [timed([newskg, "build", "--force", "-q"], args.project) for _ in range(args.runs)]
    bare_times = [timed([sys.executable, "-c", BARE_OWLRL, *asserted], args.project) for _ in range(args.runs)]
    build_median, bare_median = statistics.median(build_times), statistics.median(bare_times)
    counts = {g["role"]: 0 for g in manifest["graphs"]}
    for g in manifest["graphs"]:
        counts[g["role"]] += g["triples"]
    asserted_count = sum(v for k, v in counts.items() if k != "inferred")
    print(f"triples: asserted {asserted_count}, inferred {counts.get('inferred', 0)}, "
          f"removed as noise {manifest['noise_removed']} {manifest['noise_by_kind']}")
    print(f"newskg build --force   median of {args.runs}: {build_median:.3f} s  (runs: "
          + ", ".join(f"{t:.2f}" for t in build_times) + ")")
    print(f"bare owlrl closure     median of {args.runs}: {bare_median:.3f} s  (runs: "
          + ", ".join(f"{t:.2f}" for t in bare_times) + ")")
    print(f"ratio build / bare owlrl: {build_median / bare_median:.2f}x")
    if args.stages:
        timed_run = subprocess.run([newskg, "build", "--force", "-q", "--timings"], cwd=args.project, check=True,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        print("stages of one more build:\n" + timed_run.stderr.rstrip())


if __name__ == "__main__":
    main()
