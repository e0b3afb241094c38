"""Adding one report to a reasoned corpus: the incremental path against a full re-reasoning.

The corpus (benchmarks/corpus.py --triples N --seed S) is parsed once, and its levels as the
build splits them are computed twice: without its last report folder and with it (the project
without that folder is a project of its own: no other file refers to a report's files; it is
not the corpus generated with one report fewer, whose pool of actors is sized differently).
Then, in one process, with the TBox closure cached as in every build but the first:

- the corpus without the report is reasoned in full and the engine's state saved;
- the corpus with the report is reasoned in full (the reference);
- the saved state is loaded and extended with the report, both ways the build may find what
  it adds: comparing the whole input with the state, or told by the build (report_additions:
  the new files' triples; here their set difference, computed before the clock starts).

Reasoning alone: parsing, checks and writing the build are not measured (others speed those
up), nor is turning the kept triples into rdflib graphs, which full and incremental builds
share. The last line of each path is what it costs to list every level's kept triples off the
extended store, as a full reasoning returns them; an incremental writer would need only the
changes. Each path is checked identical to the full re-reasoning (kept triples per level,
derived counts, findings, noise, closure size). Wall and CPU (user+sys of the process) times.

Usage: python benchmarks/incremental_benchmark.py [--triples 1000000] [--seed 1]
"""

from __future__ import annotations

import argparse
import pickle
import shutil
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "benchmarks" / "out"


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def prepared_input(size: int, seed: int) -> Path:
    """The corpus's TBox and its levels with and without its last report, parsed once and kept
    in benchmarks/out/ (rdflib takes minutes to parse a million triples)."""
    path = OUT / f"incremental-corpus-{size}-{seed}.pickle"
    if path.exists():
        return path
    sys.path.insert(0, str(REPO / "benchmarks"))
    from corpus import generate
    from rdflib import Graph

    from newskg.build import claim_layer, union_graph
    from newskg.build.levels import read_claims, split_by_level
    from newskg.build.sources import discover_inputs, load_dataset
    from newskg.namespaces import ARTICLE_GRAPH_BASE, BACKGROUND_GRAPH, ONTOLOGY_GRAPH

    project = OUT / f"incremental-corpus-{size}-{seed}"
    say(f"  generating the {size:,}-triple corpus")
    generate(project, triples=size, seed=seed)
    inputs = discover_inputs(project)
    last = max(item.slug for item in inputs if item.slug)
    say(f"  parsing it with rdflib (once; kept in {OUT.name}/); the added report is {last}")
    started = time.perf_counter()
    sources = load_dataset(inputs)
    say(f"  parsed in {time.perf_counter() - started:.0f} s")
    dropped = {item.relpath for item in inputs if item.slug == last}
    dropped_graphs = {item.graph for item in inputs if item.slug == last and item.graph is not None}
    tbox = list(sources.dataset.graph(ONTOLOGY_GRAPH))

    def levels(without_last: bool) -> list[list]:
        if without_last:  # claim_layer without the report's own graphs (the background may name what it names)
            claims = Graph()
            for graph in sources.dataset.graphs():
                if graph.identifier not in dropped_graphs and (graph.identifier == BACKGROUND_GRAPH or str(
                        graph.identifier).startswith(ARTICLE_GRAPH_BASE)):
                    for triple in graph:
                        claims.add(triple)
        else:
            claims = claim_layer(sources.dataset)
        content = [sources.dataset.graph(iri) for iri, rel in sorted(sources.content_files.items())
                   if not (without_last and rel in dropped)]
        facts = split_by_level(content, read_claims(claims))
        return [list(union_graph(claims, facts.by_level[0])), *(list(g) for g in facts.by_level[1:])]

    data = {"tbox": tbox, "before": levels(True), "after": levels(False), "report": last}
    OUT.mkdir(parents=True, exist_ok=True)
    path.write_bytes(pickle.dumps(data, protocol=pickle.HIGHEST_PROTOCOL))
    return path


def clock() -> tuple[float, float]:
    return time.perf_counter(), time.process_time()


def since(start: tuple[float, float]) -> tuple[float, float]:
    wall, cpu = clock()
    return wall - start[0], cpu - start[1]


def show(label: str, times: tuple[float, float]) -> str:
    return f"{label}: {times[0]:.2f} s wall, {times[1]:.2f} s CPU"


def differences(ours, full) -> list[str]:
    """What differs between two LevelledRules (nothing, if identical)."""
    found = []
    for index, (a, b) in enumerate(zip(ours.levels, full.levels, strict=True)):
        if set(a.kept) != set(b.kept):
            found.append(f"level {index}: kept {len(set(a.kept) - set(b.kept))} more, "
                         f"{len(set(b.kept) - set(a.kept))} fewer")
        if a.derived != b.derived:
            found.append(f"level {index}: derived {a.derived} vs {b.derived}")
        if {(f.rule, f.message) for f in a.findings} != {(f.rule, f.message) for f in b.findings}:
            found.append(f"level {index}: findings differ")
    if ours.noise != full.noise:
        found.append(f"noise {dict(ours.noise - full.noise)} more, {dict(full.noise - ours.noise)} fewer")
    if ours.closure_size != full.closure_size:
        found.append(f"closure size {ours.closure_size} vs {full.closure_size}")
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--triples", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--prepare-only", action="store_true")
    args = parser.parse_args()
    path = prepared_input(args.triples, args.seed)
    if args.prepare_only:
        return
    import gc
    import tempfile

    from rdflib import Graph

    from newskg.build.incremental import (
        _added_triples,
        _fill_terms,
        added_triples,
        extend,
        load_state,
        outcome,
        save_state,
        state_path,
    )
    from newskg.build.rules import LevelledRules, RulesEngine
    from newskg.build.rules_tbox import _cache_key, _canonical_bnode_labels

    data = pickle.loads(path.read_bytes())
    tbox = Graph()
    for triple in data["tbox"]:
        tbox.add(triple)
    before, after = data["before"], data["after"]
    sizes = [sum(map(len, before)), sum(map(len, after))]
    print(f"corpus of {args.triples:,} triples, seed {args.seed}: {sizes[0]:,} asserted ABox triples, then "
          f"{sizes[1]:,} with {data['report']} (reasoning alone: parsing and writing are not measured)")
    with tempfile.TemporaryDirectory() as cache:
        cache_dir = Path(cache)
        labels = _canonical_bnode_labels(tbox)
        assert labels is not None, "the ontology's blank nodes can be told apart"
        state = state_path(cache_dir, _cache_key(tbox, labels))
        RulesEngine(tbox, cache_dir)  # the TBox closure cached, as in every build but the first

        start = clock()
        engine = RulesEngine(tbox, cache_dir)
        for triples in before:
            engine.add_level(triples)
        print(show("full reasoning without the report", since(start)))
        start = clock()
        save_state(engine, state, labels)
        saved = since(start)
        print(show(f"  saving the state ({state.stat().st_size / 2**20:.0f} MiB)", saved))
        del engine
        gc.collect()

        start = clock()
        engine = RulesEngine(tbox, cache_dir)
        levels = [engine.add_level(triples) for triples in after]
        full = LevelledRules(levels, engine.closure_size(), engine.noise)
        full_time = since(start)
        print(show("full re-reasoning with the report", full_time))
        del engine, levels
        gc.collect()

        told = [list(set(new) - set(old)) for old, new in zip(before, after, strict=True)]  # (not timed)
        shutil.copy(state, cache_dir / "saved")
        for account in ("compared", "told"):
            shutil.copy(cache_dir / "saved", state)
            gc.collect()
            start = clock()
            loaded_state = load_state(state, tbox, labels, cache_dir)
            assert loaded_state is not None
            engine = loaded_state[0]
            loaded = since(start)
            first_new = len(engine.terms.flags)
            start = clock()
            added = added_triples(engine, after) if account == "compared" else _added_triples(engine, told, False)
            compared = since(start)
            start = clock()
            changes = extend(engine, added, first_new)
            extended = since(start)
            start = clock()
            save_state(engine, state, labels)
            saved_again = since(start)
            steps = (loaded, compared, extended, saved_again)
            total = (sum(step[0] for step in steps), sum(step[1] for step in steps))
            start = clock()
            _fill_terms(engine)
            ours = outcome(engine)
            listed = since(start)
            what = ("the whole input compared with the state" if account == "compared"
                    else "the build says what the report adds")
            print(show(f"incremental, {what}: {sum(map(len, added)):,} asserted triples added", total))
            print(show("  loading the state", loaded))
            print(show("  finding the added triples", compared))
            print(show(f"  extending it ({sum(map(len, changes.added)):,} kept triples added, "
                       f"{sum(map(len, changes.removed)):,} removed, by level)", extended))
            print(show("  saving it", saved_again))
            print(f"  ratio full / incremental: {full_time[0] / total[0]:.1f}x wall, "
                  f"{full_time[1] / total[1]:.1f}x CPU")
            print(show("  then listing every level's kept triples (as full reasoning returns them)", listed))
            print(f"  identical to the full re-reasoning: {'; '.join(differences(ours, full)) or 'yes'}")
            del engine, ours, changes
        (cache_dir / "saved").unlink()


if __name__ == "__main__":
    main()
