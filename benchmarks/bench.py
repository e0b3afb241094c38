"""One table of the figures issue 12 asks for, per corpus size, each step a fresh process.

For each size (asserted triples of a corpus made by benchmarks/corpus.py, seeded):

- build: `newskg build --full --reasoner rules` (never extending a saved state), and `--reasoner owlrl` up to --owlrl-max
  triples (above it the table says it was skipped and why): wall time, CPU time (user+sys),
  peak RSS, the owlrl/rules ratio, and whether both wrote the same graphs (per-graph triple
  counts and the inferred graphs' lines);
- add one report: the corpus is generated with N+1 reports and the last one held back, so the
  other N are exactly those of the corpus measured; it is moved in and `newskg build` timed.
  The column says what the build reported about how it reasoned (incremental or in full);
  a build that reports nothing is labelled a full rebuild;
- queries, whole process: `newskg query run evidence-for-entity -p entity=ACTOR` (the actor of
  the corpus that takes part in most facts) and `claim-counts-by-status`, each against the same
  prepared text (prefixes, bound parameters, the level's default graph: on a store with a level
  view, the view and the level's facts and inferences, as newskg reads them) run by pyoxigraph on
  the build's store from a bare `python -c` (its start-up included); median of --runs after a
  warm-up;
- load: `newskg load` of the build (one graph per report and claim: thousands) into a fresh
  `oxigraph serve` (a first load: straight into the graphs), then again into the same server
  (a reload of the unchanged build: read and compared, no update), each against `oxigraph load` of the same dataset.nq into a
  fresh store (the bulk loader), all whole process.

Wall time, CPU and peak RSS come from os.wait4 on each child. Progress goes to stderr; the
Markdown table (and each engine's growth exponent, the log-log slope of build time against
asserted triples) to stdout; the raw figures to benchmarks/out/bench-<time>.json and the table
beside it as .md.

    .venv/bin/python benchmarks/bench.py                    # 10k, 100k and 1M triples
    .venv/bin/python benchmarks/bench.py --sizes 10000,100000
    .venv/bin/python benchmarks/bench.py --quick            # 10k only
    .venv/bin/python benchmarks/bench.py --quick --triples 3000 --runs 1   # the smoke test's size
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

# The generator, and the tests' helper that starts and stops `oxigraph serve` by its PID.
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from corpus import generate

from oxigraph_server import oxigraph_binary, start_oxigraph, stop_oxigraph

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "benchmarks" / "out"

DEFAULT_SIZES = (10_000, 100_000, 1_000_000)
OWLRL_MAX = 100_000
SEED = 1
ENTITY_QUERY = "evidence-for-entity"
AGGREGATE_QUERY = "claim-counts-by-status"
#: Seconds between "still running" lines while a child is silent.
HEARTBEAT = 30.0

#: The reference for a query: a bare interpreter, pyoxigraph, the build's store, the same text over
#: the same default graph (on a store with a level view, the view and the level's own graphs, as
#: newskg sends them; None stands for the store's default graph). It materialises every term of
#: every row, as newskg does before rendering; an ASK prints 1, a CONSTRUCT counts its triples.
REFERENCE_QUERY = """
import json, sys
import pyoxigraph
spec = json.load(open(sys.argv[1], encoding="utf-8"))
if spec["store"]:
    store = pyoxigraph.Store.read_only(spec["store"])
else:
    store = pyoxigraph.Store()
    store.bulk_load(path=spec["nquads"], format=pyoxigraph.RdfFormat.N_QUADS)
graphs = [pyoxigraph.DefaultGraph() if g is None else pyoxigraph.NamedNode(g) for g in spec["graphs"]]
answer = store.query(spec["text"], default_graph=graphs)
if isinstance(answer, pyoxigraph.QueryBoolean):
    print(1)
    sys.exit()
triples = isinstance(answer, pyoxigraph.QueryTriples)
rows = 0
for solution in answer:
    if triples:
        solution = (solution.subject, solution.predicate, solution.object)
    [term.value for term in solution if term is not None]
    rows += 1
print(rows)
"""

#: The actor taking part in most facts: the entity query then has something to gather. Counted
#: over the named graphs (the store's default graph is the level view, a copy of some of them).
BUSIEST_ACTOR = """
PREFIX nkg: <https://w3id.org/newskg/ontology#>
SELECT ?actor (COUNT(*) AS ?facts) WHERE { GRAPH ?g { ?fact nkg:hasParticipant ?actor } }
GROUP BY ?actor ORDER BY DESC(?facts) ?actor LIMIT 1
"""


def say(message: str) -> None:
    """A progress line on stderr, with the time of day (the run takes minutes to hours)."""
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


@dataclass
class Measured:
    """One child process: wall and CPU seconds (user+sys), peak RSS in MiB (with its descendants',
    `LAUNCHER`), exit code, last words."""

    wall: float
    cpu: float
    peak_mib: float
    returncode: int
    stderr_tail: list[str] = field(default_factory=list)


#: Starts one command and reports its wall time and rusage (os.wait4) as JSON into argv[1].
#: Linux carries a process's peak RSS across fork and exec (the parent's, counted at the exec),
#: so a child started by this script, which holds corpora and stores, would report at least this
#: script's peak; started by a bare `python -I -S` it reports at least ~9 MiB, its own.
#: rusage's peak is one process's (the largest): a first large build loads its store in a child
#: process of its own (newskg.build.early_store) while it works on, so the launcher also sums the
#: resident memory of the command and its descendants every 0.1 s ("tree_kib", sampled). A sum
#: of RSS counts twice the pages two processes share: a child between its fork and its exec
#: shares all of a 2-GiB parent's (a sample there read 4.5 GiB for a build whose two processes
#: held 3.7). So a sum that would be a new peak is taken again as a sum of PSS (each shared page
#: split among its sharers), which is the memory the tree holds; PSS is never more than RSS, so
#: no sample skipped this way could have been the peak.
LAUNCHER = """
import json, os, sys, threading, time
def tree_kib(root, field):
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        try:
            name = "status" if field == "VmRSS:" else "smaps_rollup"
            with open(f"/proc/{pid}/{name}") as status:
                total += next((int(line.split()[1]) for line in status if line.startswith(field)), 0)
            for task in os.listdir(f"/proc/{pid}/task"):
                with open(f"/proc/{pid}/task/{task}/children") as children:
                    todo += [int(child) for child in children.read().split()]
        except (OSError, ValueError):
            pass
    return total
started = time.perf_counter()
pid = os.posix_spawn(sys.argv[2], sys.argv[2:], os.environ)
tree, stop = [0], threading.Event()
pss = os.path.exists(f"/proc/{os.getpid()}/smaps_rollup")
def sample():
    while not stop.wait(0.1):
        rss = tree_kib(pid, "VmRSS:")
        if rss > tree[0]:
            tree[0] = max(tree[0], tree_kib(pid, "Pss:") if pss else rss)
sampler = threading.Thread(target=sample, daemon=True)
sampler.start()
_, status, usage = os.wait4(pid, 0)
wall = time.perf_counter() - started
stop.set()
sampler.join()
with open(sys.argv[1], "w") as out:
    json.dump({"wall": wall, "cpu": usage.ru_utime + usage.ru_stime, "maxrss_kib": usage.ru_maxrss,
               "tree_kib": tree[0], "returncode": os.waitstatus_to_exitcode(status)}, out)
"""


def run(label: str, command: list[str], *, stdout: Path | None = None, echo: bool = True,
        check: bool = True) -> Measured:
    """Run ``command`` (an absolute program path first) as a fresh process, measured by
    os.wait4 in a bare launcher (LAUNCHER says why not here).

    Its stderr lines (newskg's progress) are echoed prefixed with ``label`` when ``echo``; a
    silent child gets a "still running" line every HEARTBEAT seconds.
    """
    shown = [Path(command[0]).name] + ["<script>" if "\n" in arg else arg for arg in command[1:]]
    say(f"{label}: {' '.join(shown)}")
    out = stdout.open("wb") if stdout else subprocess.DEVNULL
    with tempfile.NamedTemporaryFile(prefix="bench-rusage-", suffix=".json", delete=False) as handle:
        figures = Path(handle.name)
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-I", "-S", "-c", LAUNCHER, str(figures), *command],
                            stdout=out, stderr=subprocess.PIPE, cwd=REPO)
    tail: list[str] = []
    last_line = [time.perf_counter()]

    def read_stderr() -> None:
        assert proc.stderr is not None  # a pipe
        for raw in proc.stderr:
            line = raw.decode(errors="replace").rstrip()
            tail[:] = [*tail, line][-20:]
            last_line[0] = time.perf_counter()
            if echo and line.strip():
                say(f"{label}: {line.strip()} ({time.perf_counter() - started:.0f} s)")

    done = threading.Event()

    def heartbeat() -> None:
        while not done.wait(5):
            if time.perf_counter() - last_line[0] >= HEARTBEAT:
                last_line[0] = time.perf_counter()
                say(f"{label}: still running ({time.perf_counter() - started:.0f} s)")

    reader = threading.Thread(target=read_stderr, daemon=True)
    beat = threading.Thread(target=heartbeat, daemon=True)
    reader.start()
    beat.start()
    launched = proc.wait()
    done.set()
    reader.join(timeout=10)
    if stdout:
        out.close()  # type: ignore[union-attr]
    try:
        usage = json.loads(figures.read_text(encoding="utf-8"))
    except ValueError:
        raise RuntimeError(f"{label}: the launcher failed (exit {launched}):\n" + "\n".join(tail)) from None
    finally:
        figures.unlink()
    # The larger of the largest process's exact peak and the sampled sum over the process tree.
    peak = max(usage["maxrss_kib"], usage["tree_kib"]) / 1024
    measured = Measured(usage["wall"], usage["cpu"], peak, usage["returncode"], tail)
    if check and measured.returncode != 0:
        raise RuntimeError(f"{label} failed (exit {measured.returncode}):\n" + "\n".join(tail))
    return measured


def newskg(project: Path, *args: str) -> list[str]:
    """The command line of one newskg command on ``project``."""
    return [str(Path(sys.executable).parent / "newskg"), "--project", str(project), *args]


# --- the corpus ----------------------------------------------------------------------------


def make_corpus(folder: Path, target: int, seed: int) -> tuple[dict, Path]:
    """The corpus closest to ``target`` triples (N reports), generated with N+1 reports and the
    last held back beside the project, so that adding it later changes nothing else. (A corpus
    generated for N+1 reports may size its pool of actors differently from one for N, which
    would change every report; holding one back cannot.)"""
    probe = folder / "probe"
    reports = generate(probe, triples=target, seed=seed)["reports"]
    shutil.rmtree(probe)
    project = folder / "project"
    stats = generate(project, reports=reports + 1, seed=seed)
    held = folder / "held-back"
    held.mkdir()
    last = sorted((project / "graph").glob("report-*"))[-1]
    last.rename(held / last.name)
    return {"reports": reports, "generated_with": reports + 1, "seed": seed, "held_back": last.name,
            "generator_seconds": stats["seconds"]}, held / last.name


def asserted_triples(project: Path) -> int:
    """Distinct asserted triples of the project as the build reads it: the ontology modules
    (without shapes), graph/**/*.ttl and the claims' content (graph/**/*.trig), counted once
    whatever graph or claim states them (the generator's count, recounted after the hold-back)."""
    import pyoxigraph

    store = pyoxigraph.Store()
    files = [p for p in sorted((project / "ontology").rglob("*.ttl")) if p.name != "shapes.ttl"]
    files += sorted((project / "graph").rglob("*.ttl")) + sorted((project / "graph").rglob("*.trig"))
    for index, path in enumerate(files):
        if path.suffix == ".trig":
            store.bulk_load(path=str(path), format=pyoxigraph.RdfFormat.TRIG)
        else:
            # Each Turtle file into its own graph: the union below counts a triple once anyway.
            graph = pyoxigraph.NamedNode(f"urn:bench:file:{index}")
            store.bulk_load(path=str(path), format=pyoxigraph.RdfFormat.TURTLE, to_graph=graph)
    answer = store.query("SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } } }")
    assert isinstance(answer, pyoxigraph.QuerySolutions)  # a SELECT
    return int(next(answer)["n"].value)


# --- builds --------------------------------------------------------------------------------


def build_summary(project: Path) -> dict:
    """What the build in ``project/build`` reports: its graphs and triple counts, quads in
    dataset.nq, whether it wrote the persistent store, and a digest of the inferred graphs'
    lines (sorted, so the order a reasoner found them in does not matter)."""
    build = project / "build"
    manifest = json.loads((build / "manifest.json").read_text(encoding="utf-8"))
    digest = hashlib.sha256()
    for entry in sorted(manifest["graphs"], key=lambda e: e["iri"]):
        if entry["role"] == "inferred":
            lines = sorted((build / entry["file"]).read_text(encoding="utf-8").splitlines())
            digest.update(entry["iri"].encode() + b"\n" + "\n".join(lines).encode() + b"\n")
    with (build / "dataset.nq").open("rb") as nq:
        quads = sum(1 for line in nq if line.strip() and not line.startswith(b"#"))
    return {
        "graphs": {e["iri"]: e["triples"] for e in manifest["graphs"]},
        "inferred_triples": sum(e["triples"] for e in manifest["graphs"] if e["role"] == "inferred"),
        "inferred_digest": digest.hexdigest(),
        "quads": quads,
        "store": (build / "store").is_dir(),
        "duration_seconds": manifest.get("duration_seconds"),
        "reasoning": reasoning_reported(manifest, []),
    }


#: Manifest keys (at any depth) under which a build may say how it reasoned.
REASONING_KEYS = ("how", "reasoning", "incremental")


def reasoning_reported(manifest: dict, output: list[str]) -> str | None:
    """How the build says it reasoned (incremental or in full, and why), or None if it says
    nothing: a manifest entry named in REASONING_KEYS, at any depth, or an output line that
    mentions incremental reasoning or a full re-reasoning."""
    found = _reported_in(manifest)
    if found is not None:
        return found
    for line in output:
        lowered = line.lower()
        if "incremental" in lowered or "re-reasoning" in lowered or "reasoned in full" in lowered:
            return line.strip().removesuffix("...").strip()  # newskg's progress lines end in " ..."
    return None


def _reported_in(value: object) -> str | None:
    if isinstance(value, dict):
        for key in REASONING_KEYS:
            if key in value and not isinstance(value[key], dict | list):
                return str(value[key])
        children: list = list(value.values())
    elif isinstance(value, list):
        children = value
    else:
        return None
    for child in children:
        found = _reported_in(child)
        if found is not None:
            return found
    return None


def timed_build(label: str, project: Path, logs: Path, *args: str) -> dict:
    """One `newskg build` with ``args``: its measure, and what the build reports."""
    log = logs / f"{label.replace(' ', '-')}.out"
    measured = run(label, newskg(project, "build", *args), stdout=log)
    summary = build_summary(project)
    output = log.read_text(encoding="utf-8", errors="replace").splitlines() + measured.stderr_tail
    manifest = json.loads((project / "build" / "manifest.json").read_text(encoding="utf-8"))
    summary["reasoning"] = reasoning_reported(manifest, output)
    return {**asdict(measured), **summary}


def same_output(rules: dict, owlrl: dict) -> bool:
    """Both engines wrote the same graphs with the same counts and the same inferred triples."""
    return rules["graphs"] == owlrl["graphs"] and rules["inferred_digest"] == owlrl["inferred_digest"]


# --- queries -------------------------------------------------------------------------------


def busiest_actor(project: Path) -> str:
    """The IRI of the actor that takes part in most facts of the build."""
    import pyoxigraph

    from newskg.project import Build

    store = Build(project / "build").open_store()
    answer = store.query(BUSIEST_ACTOR)
    assert isinstance(answer, pyoxigraph.QuerySolutions)  # a SELECT
    return next(answer)["actor"].value


def median_run(label: str, command: list[str], runs: int) -> dict:
    """A warm-up run (bytecode, file cache), then the median of ``runs`` timed runs."""
    run(f"{label} (warm-up)", command, echo=False)
    timings = [run(f"{label} ({i + 1}/{runs})", command, echo=False) for i in range(runs)]
    return {"wall": statistics.median(t.wall for t in timings), "cpu": statistics.median(t.cpu for t in timings),
            "peak_mib": max(t.peak_mib for t in timings), "runs": runs}


def time_query(project: Path, work: Path, name: str, params: dict[str, str], runs: int) -> dict:
    """`newskg query run NAME` against pyoxigraph running the same prepared text, both whole process."""
    from newskg.api import prepare_query
    from newskg.project import Build
    from newskg.views import read_view

    prepared = prepare_query(name, project=project, params=params)
    build = Build(project / "build")
    view = read_view(build) if build.store_path.is_dir() else None
    spec = {"text": prepared.text, "graphs": view.dataset(prepared.graphs) if view else prepared.graphs,
            "store": str(build.store_path) if build.store_path.is_dir() else None,
            "nquads": str(build.nquads_path)}
    spec_path = work / f"query-{name}.json"
    spec_path.write_text(json.dumps(spec), encoding="utf-8")
    reference = [sys.executable, "-c", REFERENCE_QUERY, str(spec_path)]
    flags = [arg for key, value in params.items() for arg in ("-p", f"{key}={value}")]
    ours = newskg(project, "query", "run", name, *flags)
    answer = work / f"query-{name}.out"
    run(f"{name} rows", [*ours, "--format", "json"], stdout=answer, echo=False)
    rows = len(json.loads(answer.read_text(encoding="utf-8"))["results"]["bindings"])
    run(f"{name} reference rows", reference, stdout=answer, echo=False)
    reference_rows = int(answer.read_text(encoding="utf-8"))
    if rows != reference_rows:
        raise RuntimeError(f"{name}: newskg returned {rows} rows, pyoxigraph {reference_rows} on the same text")
    newskg_time = median_run(f"newskg query run {name}", ours, runs)
    pyoxigraph_time = median_run(f"pyoxigraph {name}", reference, runs)
    return {"query": name, "params": params, "rows": rows, "engine_input": "store" if spec["store"] else "dataset.nq",
            "newskg": newskg_time, "pyoxigraph": pyoxigraph_time,
            "ratio": newskg_time["wall"] / pyoxigraph_time["wall"]}


# --- load ----------------------------------------------------------------------------------


def time_load(project: Path, work: Path, quads: int) -> dict:
    """`newskg load` into a fresh `oxigraph serve`, then again (a reload), against `oxigraph load`
    of the same dataset.nq into a fresh store."""
    bulk = run("oxigraph load (bulk)", [oxigraph_binary(), "load", "--location", str(work / "bulk-store"),
                                        "--file", str(project / "build" / "dataset.nq")], echo=False)
    proc, server = start_oxigraph(work / "served-store")
    manifest = json.loads((project / "build" / "manifest.json").read_text(encoding="utf-8"))
    figures: dict = {"quads": quads, "graphs": len(manifest["graphs"]), "bulk": asdict(bulk)}
    try:
        for key, label in (("newskg", "newskg load (first)"), ("reload", "newskg load (reload)")):
            out = work / f"load-{key}.out"
            ours = run(label, newskg(project, "load", "--endpoint", server.base, "--preset", "oxigraph",
                                     "--timeout", "3600"), stdout=out)
            count = urllib.parse.quote("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
            request = urllib.request.Request(f"{server.query_url}?query={count}",
                                             headers={"Accept": "application/sparql-results+json"})
            with urllib.request.urlopen(request, timeout=600) as answer:
                loaded = int(json.loads(answer.read())["results"]["bindings"][0]["n"]["value"])
            if loaded != quads:
                raise RuntimeError(f"{label} left {loaded} quads in the store; dataset.nq has {quads}")
            said = out.read_text(encoding="utf-8")  # "loaded N triples in G graph(s) by METHOD in ..."
            figures[key] = {**asdict(ours), "method": said.split(" by ", 1)[-1].split(" ", 1)[0]}
            figures[f"{key}_percent_of_bulk"] = 100 * bulk.wall / ours.wall
    finally:
        stop_oxigraph(proc)
    figures["percent_of_bulk"] = figures.pop("newskg_percent_of_bulk")
    return figures


# --- one size ------------------------------------------------------------------------------


def measure_size(target: int, args: argparse.Namespace, work: Path) -> dict:
    """Every figure of one row of the table."""
    folder = work / f"size-{target}"
    logs = folder / "logs"
    folder.mkdir(parents=True)
    logs.mkdir()
    say(f"== {target:,} triples: generating the corpus (seed {args.seed})")
    corpus, held_back = make_corpus(folder, target, args.seed)
    project = folder / "project"
    corpus["asserted_triples"] = asserted_triples(project)
    say(f"{corpus['asserted_triples']:,} asserted triples in {corpus['reports']} reports "
        f"({corpus['held_back']} held back for the add)")
    row: dict = {"target": target, "corpus": corpus}
    if target <= args.owlrl_max:
        row["owlrl"] = timed_build("build owlrl", project, logs, "--force", "--reasoner", "owlrl")
    else:
        row["owlrl"] = {"skipped": f"above {args.owlrl_max:,} triples (--owlrl-max)"}
    # rules last: the queries, the load and the add start from its build (and its reasoner state).
    row["rules"] = timed_build("build rules", project, logs, "--full", "--reasoner", "rules")
    if "skipped" not in row["owlrl"]:
        row["owlrl"]["same_as_rules"] = same_output(row["rules"], row["owlrl"])
        row["owlrl"]["ratio"] = row["owlrl"]["wall"] / row["rules"]["wall"]
        row["owlrl"]["cpu_ratio"] = row["owlrl"]["cpu"] / row["rules"]["cpu"]
    actor = busiest_actor(project)
    entity = "nkr:" + actor.rsplit("/", 1)[-1]
    row["entity_query"] = time_query(project, folder, ENTITY_QUERY, {"entity": entity}, args.runs)
    row["aggregate_query"] = time_query(project, folder, AGGREGATE_QUERY, {}, args.runs)
    row["load"] = time_load(project, folder, row["rules"]["quads"])
    held_back.rename(project / "graph" / held_back.name)
    add = timed_build("add one report", project, logs)
    add["how"] = add["reasoning"] or "full rebuild (the build reports no incremental reasoning)"
    add["added_quads"] = add["quads"] - row["rules"]["quads"]
    row["add"] = add
    return row


# --- the table -----------------------------------------------------------------------------

COLUMNS = ["size", "asserted triples", "reports", "rules build", "rules peak", "owlrl build", "owlrl peak",
           "owlrl / rules", "same output", "add one report", "add: how", "entity query", "aggregate query",
           "load vs bulk"]


def seconds(figure: dict) -> str:
    return f"{figure['wall']:.2f} s (cpu {figure['cpu']:.2f})"


def query_cell(figure: dict) -> str:
    # Below PERSISTENT_STORE_MIN_QUADS a build writes no store; both then load dataset.nq.
    source = "" if figure["engine_input"] == "store" else ", from dataset.nq"
    return (f"{figure['newskg']['wall']:.3f} s / {figure['pyoxigraph']['wall']:.3f} s "
            f"({figure['ratio']:.2f}x; cpu {figure['newskg']['cpu']:.3f} / {figure['pyoxigraph']['cpu']:.3f} s; "
            f"{figure['rows']} rows{source})")


def table(rows: list[dict]) -> str:
    """The Markdown table: a row per size."""
    lines = ["| " + " | ".join(COLUMNS) + " |", "|" + "|".join(" --- " for _ in COLUMNS) + "|"]
    for row in rows:
        owlrl = row["owlrl"]
        skipped = "skipped" in owlrl
        cells = [
            f"{row['target']:,}", f"{row['corpus']['asserted_triples']:,}", str(row["corpus"]["reports"]),
            seconds(row["rules"]), f"{row['rules']['peak_mib']:.0f} MiB",
            f"skipped: {owlrl['skipped']}" if skipped else seconds(owlrl),
            "-" if skipped else f"{owlrl['peak_mib']:.0f} MiB",
            "-" if skipped else f"{owlrl['ratio']:.1f}x (cpu {owlrl['cpu_ratio']:.1f}x)",
            "-" if skipped else ("yes" if owlrl["same_as_rules"] else "NO"),
            f"{seconds(row['add'])}, {row['add']['peak_mib']:.0f} MiB",
            row["add"]["how"],
            query_cell(row["entity_query"]), query_cell(row["aggregate_query"]),
            load_cell(row["load"]),
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def load_cell(figure: dict) -> str:
    return (f"first {figure['percent_of_bulk']:.0f} %, reload {figure['reload_percent_of_bulk']:.0f} % "
            f"({seconds(figure['newskg'])}, {seconds(figure['reload'])} / bulk {seconds(figure['bulk'])}; "
            f"{figure['quads']:,} quads in {figure['graphs']:,} graphs)")


def growth_exponent(points: list[tuple[int, float]]) -> float | None:
    """The least-squares slope of log(time) against log(size); None with fewer than two sizes."""
    if len({size for size, _ in points}) < 2:
        return None
    xs = [math.log(size) for size, _ in points]
    ys = [math.log(time) for _, time in points]
    mean_x, mean_y = statistics.fmean(xs), statistics.fmean(ys)
    return (sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True))
            / sum((x - mean_x) ** 2 for x in xs))


def exponents(rows: list[dict]) -> dict:
    """Each engine's growth exponent, of wall time and of CPU time."""
    found = {}
    for engine in ("rules", "owlrl"):
        measured = [(r["corpus"]["asserted_triples"], r[engine]) for r in rows if "skipped" not in r[engine]]
        found[engine] = {"wall": growth_exponent([(n, m["wall"]) for n, m in measured]),
                         "cpu": growth_exponent([(n, m["cpu"]) for n, m in measured]),
                         "sizes": [n for n, _ in measured]}
    return found


def exponent_lines(found: dict) -> list[str]:
    lines = []
    for engine, figure in found.items():
        if figure["wall"] is None:
            lines.append(f"- growth exponent, {engine}: not measured (needs two sizes; "
                         f"measured at {len(figure['sizes'])})")
        else:
            lines.append(f"- growth exponent, {engine}: {figure['wall']:.2f} (wall), {figure['cpu']:.2f} (cpu), "
                         f"log-log slope of build time over {', '.join(f'{n:,}' for n in figure['sizes'])} triples")
    return lines


def machine() -> dict:
    """Where and when the figures were taken (the machine is shared: the load average says how much)."""
    commit = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
    return {"cpus": os.cpu_count(), "load_average": os.getloadavg(), "python": platform.python_version(),
            "platform": platform.platform(), "commit": commit.stdout.strip() or None,
            "date": datetime.now(UTC).isoformat(timespec="seconds")}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default=",".join(str(s) for s in DEFAULT_SIZES),
                        help="asserted triples per corpus, comma separated (default 10000,100000,1000000)")
    parser.add_argument("--quick", action="store_true", help="10,000 triples only (or --triples)")
    parser.add_argument("--triples", type=int, help="one size of this many triples (e.g. a tiny one for the test)")
    parser.add_argument("--owlrl-max", type=int, default=OWLRL_MAX,
                        help=f"build with owlrl only up to this many triples (default {OWLRL_MAX:,})")
    parser.add_argument("--runs", type=int, default=5, help="timed runs of each query, after a warm-up (default 5)")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--out", type=Path, default=OUT, help="folder for the JSON and the table (default benchmarks/out)")
    parser.add_argument("--keep", action="store_true", help="keep each size's corpus and builds")
    args = parser.parse_args(argv)
    if args.triples:
        sizes = [args.triples]
    elif args.quick:
        sizes = [DEFAULT_SIZES[0]]
    else:
        sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    if args.runs < 1 or not sizes or min(sizes) < 1:
        parser.error("--runs and every size must be at least 1")
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    args.out.mkdir(parents=True, exist_ok=True)
    work = args.out / f"bench-{stamp}-work"
    figures: dict = {"command": " ".join([Path(sys.executable).name, "benchmarks/bench.py", *(argv or sys.argv[1:])]),
                     "machine_before": machine(), "sizes": sizes, "rows": []}
    for target in sizes:
        figures["rows"].append(measure_size(target, args, work))
        # After each size, so that a long run stopped later still leaves what it measured.
        text = report(figures, args.runs)
        (args.out / f"bench-{stamp}.json").write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
        (args.out / f"bench-{stamp}.md").write_text(text + "\n", encoding="utf-8")
    # Removed once every size is measured, not after each: on an ext4 without a journal (this
    # machine's), creating a file within minutes of deleting many scans the recently deleted
    # inodes (38,000 small files: 4.3 s of system time on a quiet filesystem, 8.6-9.9 s right
    # after deleting as many), which a size would pay for the files of the size before it.
    # A run that fails keeps its folder, to look into.
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    print(text)
    say(f"figures in {args.out / f'bench-{stamp}.json'}, the table in {args.out / f'bench-{stamp}.md'}")
    return 0


def report(figures: dict, runs: int) -> str:
    """The table, the growth exponents and how the figures were taken (updates ``figures``)."""
    figures["machine_after"] = machine()
    figures["growth_exponents"] = exponents(figures["rows"])
    before, after = figures["machine_before"], figures["machine_after"]
    return "\n".join([
        table(figures["rows"]), "",
        *exponent_lines(figures["growth_exponents"]),
        f"- {before['cpus']} CPUs, load average {before['load_average'][0]:.1f} at the start and "
        f"{after['load_average'][0]:.1f} at the end (a shared machine: wall times include waiting; cpu is user+sys "
        "of the process); commit " + str(before["commit"]),
        f"- `{figures['command']}`; queries: median of {runs} whole-process runs after a warm-up, "
        "newskg / pyoxigraph on the same text and store; load: newskg load into oxigraph serve / oxigraph load",
    ])


if __name__ == "__main__":
    sys.exit(main())
