"""The rules engine (newskg.build.rules) against owlrl: wall time, peak memory, same output.

For each size, an ABox over the real ontology is reasoned over in a fresh process per engine:
the rules engine level by level (confirmed, reported, assessed), owlrl in one run over
everything, as `newskg.build.reasoning.infer` does. Time and memory are the reasoning's only:
the input is loaded before the clock starts, and memory is the process's peak RSS and its
growth over the RSS with the input loaded. owlrl runs only up to --owlrl-max triples (100k by
default: ~0.75 ms per triple, 20 minutes at a million). "identical" compares what both keep
after the noise filter (a level's kept triples are those not asserted at or above it).

Sources: `synthetic` (tests/synthetic_abox.py, instant; its triples split 60/30/10 % into the
three levels) or `corpus` (benchmarks/corpus.py, the realistic project, its levels as the build
splits them; parsing it with rdflib takes minutes at a million triples, so the parsed input is
kept in benchmarks/out/ for the next run).

Usage: python benchmarks/reasoner_benchmark.py [--sizes 10000,100000,1000000] [--source synthetic]
       [--owlrl-max 100000] [--seed 1]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import pickle
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "benchmarks" / "out"


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# ---------------------------------------------------------------- inputs

def ontology():
    from rdflib import Graph

    graph = Graph()
    for path in sorted((REPO / "ontology").glob("*.ttl")):
        if path.name != "shapes.ttl":
            graph.parse(path, format="turtle")
    return graph


def synthetic_input(size: int, seed: int) -> dict:
    sys.path.insert(0, str(REPO / "tests"))
    from synthetic_abox import synthetic_abox

    tbox = ontology()
    abox = synthetic_abox(tbox, size - len(tbox), seed=seed)
    rng = random.Random(seed)
    levels: list[list] = [[], [], []]
    for triple in abox:
        draw = rng.random()
        levels[0 if draw < 0.6 else 1 if draw < 0.9 else 2].append(triple)
    return {"tbox": list(tbox), "levels": levels}


def corpus_input(size: int, seed: int) -> dict:
    sys.path.insert(0, str(REPO / "benchmarks"))
    from corpus import generate

    from newskg.build import claim_layer, union_graph
    from newskg.build.levels import read_claims, split_by_level
    from newskg.build.sources import discover_inputs, load_dataset
    from newskg.namespaces import ONTOLOGY_GRAPH

    project = OUT / f"reasoner-corpus-{size}-{seed}"
    generate(project, triples=size, seed=seed)
    say(f"  parsing the {size:,}-triple corpus with rdflib (once; kept in {OUT.name}/)")
    sources = load_dataset(discover_inputs(project))
    claims = claim_layer(sources.dataset)
    facts = split_by_level(sources.content_graphs(), read_claims(claims))
    base = union_graph(claims, facts.by_level[0])
    return {"tbox": list(sources.dataset.graph(ONTOLOGY_GRAPH)),
            "levels": [list(base), *(list(g) for g in facts.by_level[1:])]}


def prepared_input(source: str, size: int, seed: int) -> Path:
    path = OUT / f"reasoner-{source}-{size}-{seed}.pickle"
    if not path.exists():
        say(f"  making the {source} input of {size:,} triples")
        data = (synthetic_input if source == "synthetic" else corpus_input)(size, seed)
        OUT.mkdir(parents=True, exist_ok=True)
        path.write_bytes(pickle.dumps(data, protocol=pickle.HIGHEST_PROTOCOL))
    return path


# ---------------------------------------------------------------- one engine in its own process

def rss_mib() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def child(engine: str, input_path: Path, result_path: Path, cache: Path | None) -> None:
    from rdflib import Graph

    data = pickle.loads(input_path.read_bytes())
    tbox = Graph()
    for triple in data["tbox"]:
        tbox.add(triple)
    asserted = {t for level in data["levels"] for t in level} | set(data["tbox"])
    if engine == "owlrl":
        from newskg.build.reasoning import infer

        graph = Graph()
        for triple in asserted:
            graph.add(triple)
        base = rss_mib()
        started = time.perf_counter()
        inference = infer(graph)
        seconds = time.perf_counter() - started
        kept = set(inference.inferred)
        noise, findings = dict(inference.noise), 0
    else:
        from newskg.build.rules import infer_levels

        base = rss_mib()
        started = time.perf_counter()
        result = infer_levels(tbox, data["levels"][0], data["levels"][1:], cache_dir=cache)
        seconds = time.perf_counter() - started
        kept = {t for level in result.levels for t in level.kept} - asserted
        noise, findings = dict(result.noise), len(result.findings)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    digest = hashlib.sha256("\n".join(sorted(" ".join(t.n3() for t in triple) for triple in kept)).encode())
    result_path.write_text(json.dumps({"seconds": seconds, "peak_mib": peak, "growth_mib": peak - base,
                                       "kept": len(kept), "digest": digest.hexdigest(), "noise": noise,
                                       "findings": findings, "asserted": len(asserted)}))


def run_child(engine: str, input_path: Path, cache: Path | None = None) -> dict:
    with tempfile.NamedTemporaryFile(suffix=".json") as out:
        extra = ["--cache", str(cache)] if cache else []
        subprocess.run([sys.executable, __file__, "--child", engine, "--input", str(input_path),
                        "--output", out.name, *extra], check=True)
        return json.loads(Path(out.name).read_text())


# ---------------------------------------------------------------- the table

def exponent(points: list[tuple[int, float]]) -> str:
    if len(points) < 2:
        return "-"
    (n1, t1), (n2, t2) = points[0], points[-1]
    return f"{math.log(t2 / t1) / math.log(n2 / n1):.2f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--source", choices=("synthetic", "corpus"), default="synthetic")
    parser.add_argument("--owlrl-max", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--child", choices=("rules", "owlrl"), help=argparse.SUPPRESS)
    parser.add_argument("--input", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--output", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--cache", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.input, args.output, args.cache)
        return
    sizes = [int(s) for s in args.sizes.split(",")]
    rows, ours, theirs = [], [], []
    for size in sizes:
        say(f"{size:,} triples ({args.source})")
        path = prepared_input(args.source, size, args.seed)
        with tempfile.TemporaryDirectory() as cache:
            say("  rules engine, TBox closure not cached (a first build)")
            cold = run_child("rules", path, Path(cache))
            say("  rules engine, TBox closure cached (every later build)")
            rules = run_child("rules", path, Path(cache))
        ours.append((rules["asserted"], rules["seconds"]))
        ours_cells = [f"{rules['asserted']:,}", f"{rules['kept']:,}", f"{cold['seconds']:.1f}",
                      f"{rules['seconds']:.1f}", f"{rules['peak_mib']:.0f} (+{rules['growth_mib']:.0f})"]
        if size <= args.owlrl_max:
            say("  owlrl")
            owlrl = run_child("owlrl", path)
            theirs.append((owlrl["asserted"], owlrl["seconds"]))
            same = rules["digest"] == owlrl["digest"] == cold["digest"] and rules["noise"] == owlrl["noise"]
            memory = f"{owlrl['peak_mib']:.0f} (+{owlrl['growth_mib']:.0f})"
            ratio = f"{owlrl['seconds'] / rules['seconds']:.0f}x"
            rows.append([*ours_cells, f"{owlrl['seconds']:.1f}", memory, ratio, "yes" if same else "NO"])
        else:
            rows.append([*ours_cells, "skipped", "-", "-", "-"])
    print(f"\nOWL 2 RL reasoning, {args.source} input (seed {args.seed}); owlrl skipped above "
          f"{args.owlrl_max:,} triples. Seconds are wall time of the reasoning alone (first build: the "
          f"TBox closure not cached yet); MiB the peak RSS of its process (+ growth over the loaded input); "
          f"the speed-up is against the cached rules time.\n")
    header = ["asserted", "kept inferences", "rules s, first build", "rules s", "rules MiB", "owlrl s", "owlrl MiB",
              "speed-up", "identical"]
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for row in rows:
        print("| " + " | ".join(row) + " |")
    print(f"\nGrowth exponent of the time (first to last size): rules {exponent(ours)}, owlrl {exponent(theirs)}")


if __name__ == "__main__":
    main()
