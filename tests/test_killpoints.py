"""SIGKILL at seeded random moments, to a real `newskg build` and a real `newskg load` (issue 14,
item 7): after each kill the build folder holds one complete build, old or new; each of our
graphs in a real Oxigraph is old or new as a whole (all of them the same one), and graphs of
others are untouched; the next run repairs what the kill left.

Build kills land after a progress line the child prints (most of them after "writing build/",
within the time an uninterrupted build takes to write); load kills land as the store receives
the k-th request, before it is forwarded or after its answer is lost (always at the swap, both
ways, then at random requests). Both are drawn from random.Random(14), so a failure is repeatable.
"""

from __future__ import annotations

import os
import random
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest
from rdflib import Dataset, Graph
from rdflib.compare import isomorphic

from hostile_support import BASE_ENV, FaultServer, copy_project, newskg, record
from newskg.build import build_project
from newskg.project import Build
from test_build import write_project

SEED = 14
KILLS = 6
PREFIX = "https://hostile.example/kills/"
THEIRS = "urn:hostile:their-graph"
REPORT = "graph/demo/report.ttl"


def child_env() -> dict[str, str]:
    return {k: v for k, v in {**os.environ, **BASE_ENV}.items() if v is not None}


def make_version(project: Path, version: int) -> None:
    """Inputs of version 1 or 2 (version 2 comments the claim)."""
    report = project / REPORT
    text = report.read_text(encoding="utf-8").split("# v2")[0]
    if version == 2:
        text += '# v2\nart:claim-1 rdfs:comment "version two" .\n'
    report.write_text(text, encoding="utf-8")


@pytest.fixture(scope="module")
def versions(tmp_path_factory) -> dict[int, Path]:
    """A built project per version (to compare against, and to load)."""
    base = tmp_path_factory.mktemp("kills")
    built = {}
    for version in (1, 2):
        root = write_project(base / f"v{version}")
        make_version(root, version)
        build_project(root)
        built[version] = root
    return built


def canonical(path: Path) -> list[str] | None:
    """The quads of a dataset.nq with blank node labels blanked (rdflib draws new ones each build)."""
    if not path.is_file():
        return None
    return sorted(re.sub(r"_:\S+", "_:b", line) for line in path.read_text(encoding="utf-8").splitlines())


def which_build(build_dir: Path, versions: dict[int, Path]) -> int | None:
    """1 or 2 when ``build_dir`` holds that version's complete build (dataset and manifest agree)."""
    manifest = Build(build_dir).manifest_or_none()
    data = canonical(build_dir / "dataset.nq")
    for version, root in versions.items():
        reference = Build(root / "build").manifest()
        if manifest and data == canonical(root / "build" / "dataset.nq") and \
                manifest["fingerprint"] == reference["fingerprint"]:
            Build(build_dir).graphs()  # every graph file the manifest names is there
            return version
    return None


def test_a_killed_build_leaves_a_whole_build_and_the_next_one_repairs(versions, tmp_path):
    rng = random.Random(SEED)
    project = copy_project(versions[1], tmp_path / "project")
    argv = [sys.executable, "-m", "newskg", "--project", str(project), "build", "--force"]
    # How long an uninterrupted build spends writing: kills are spread over that window.
    make_version(project, 2)
    child = subprocess.Popen(argv, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True, env=child_env())
    assert child.stderr is not None
    for line in child.stderr:
        if "writing" in line:
            started = time.monotonic()
    child.wait(timeout=120)
    window = max(0.05, time.monotonic() - started)
    current, killed = 2, 0
    for attempt in range(KILLS):
        target = 1 if current == 2 else 2
        make_version(project, target)
        phase = rng.choice(["parsing", "reasoning", "writing", "writing", "writing", "writing"])
        delay = rng.uniform(0, window * 1.2)
        child = subprocess.Popen(argv, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True, env=child_env())
        assert child.stderr is not None
        for line in child.stderr:  # wait for the moment's phase to start
            if phase in line:
                break
        time.sleep(delay)  # the random part of the moment, not a wait for an event
        alive = child.poll() is None
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=60)
        killed += alive
        found = which_build(project / "build", versions)
        record("kill", f"build #{attempt} ({phase} + {delay * 1000:.0f} ms)", lost=found is None)
        assert found in (current, target), f"kill #{attempt}: build/ is neither the old nor the new build"
        # The next run repairs: no leftovers, and the build of the inputs.
        build_project(project)
        assert which_build(project / "build", versions) == target
        assert not [p.name for p in project.iterdir() if p.name.startswith(".build-")]
        current = target
    assert killed >= KILLS // 2, "most kills must land while the build runs"


def store_graphs(store) -> dict[str, Graph]:
    request = urllib.request.Request(store.base + "/store", headers={"Accept": "application/n-quads"})
    with urllib.request.urlopen(request, timeout=30) as answer:
        dataset = Dataset().parse(data=answer.read().decode("utf-8"), format="nquads")
    return {str(g.identifier): g for g in dataset.graphs() if len(g)}


def expected_graphs(root: Path) -> dict[str, Graph]:
    """What loading ``root``'s build under PREFIX puts in the store, graph by graph."""
    from newskg.namespaces import GRAPH_BASE

    found = {}
    for graph in Build(root / "build").graphs():
        target = PREFIX + graph.iri[len(GRAPH_BASE):] if graph.iri.startswith(GRAPH_BASE) else graph.iri
        if graph.triples:
            found[target] = Graph().parse(graph.path, format="nt")
    return found


def which_load(graphs: dict[str, Graph], versions: dict[int, dict[str, Graph]]) -> int | None:
    """1 or 2 when every graph of ours in the store is that version's, whole."""
    ours = {iri: g for iri, g in graphs.items()
            if iri.startswith((PREFIX, "https://w3id.org/newskg/resource/demo/"))}
    for version, expected in versions.items():
        if sorted(ours) == sorted(expected) and all(isomorphic(ours[i], expected[i]) for i in expected):
            return version
    return None


def test_a_killed_load_leaves_each_graph_whole_and_the_next_one_repairs(versions, oxigraph_server):
    rng = random.Random(SEED)
    expected = {version: expected_graphs(root) for version, root in versions.items()}

    def load(version: int, endpoint: str):
        return newskg("load", "--preset", "oxigraph", "--endpoint", endpoint, "--graph-prefix", PREFIX,
                      project=versions[version])

    assert load(1, oxigraph_server.base).exit_code == 0
    update = f'INSERT DATA {{ GRAPH <{THEIRS}> {{ <urn:x> <urn:p> "theirs" }} }}'
    urllib.request.urlopen(urllib.request.Request(oxigraph_server.update_url, data=update.encode(), method="POST",
                                                  headers={"Content-Type": "application/sparql-update"}),
                           timeout=30).close()
    theirs = store_graphs(oxigraph_server)[THEIRS]
    # How many requests a load of version 2 makes: each is a moment to kill at.
    with FaultServer("ok", upstream=oxigraph_server.base, when=lambda seen: False) as counter:
        assert load(2, counter.base).exit_code == 0
        requests_per_load = len(counter.seen)
        # The swap: MOVEs, or with the oxigraph preset a DELETE/INSERT of the difference; or the
        # reload by difference's one update (the oxigraph preset's default).
        swap = 1 + next(i for i, seen in enumerate(counter.seen) if seen.body.startswith(b"update=MOVE")
                        or b"MOVE GRAPH" in seen.body or seen.body.startswith(b"DELETE { GRAPH ?t")
                        or seen.body.startswith((b"DROP SILENT GRAPH", b"DELETE DATA", b"INSERT DATA")))
    # The swap, before it is sent and with its answer lost, then moments drawn at random.
    moments = [(swap, False), (swap, True)]
    moments += [(rng.randint(1, requests_per_load), rng.random() < 0.5) for _ in range(KILLS - len(moments))]
    current = 2
    for attempt, (at, lose_answer) in enumerate(moments):
        target = 1 if current == 2 else 2
        victim: dict = {}
        ready = threading.Event()

        with FaultServer("ok", upstream=oxigraph_server.base) as proxy:
            def decide(seen, proxy=proxy, at=at, ready=ready, victim=victim, lose_answer=lose_answer) -> bool:
                if len(proxy.seen) != at:
                    return False
                ready.wait(30)
                if lose_answer:
                    proxy.extra["after_forward"] = lambda pid=victim["pid"]: os.kill(pid, signal.SIGKILL)
                    return False  # forwarded; the kill follows the store's answer
                os.kill(victim["pid"], signal.SIGKILL)
                return True  # answered with "close": the store never sees it

            proxy.fault, proxy.when = "close", decide
            child = subprocess.Popen([sys.executable, "-m", "newskg", "--project", str(versions[target]), "load",
                                      "--preset", "oxigraph", "--endpoint", proxy.base, "--graph-prefix", PREFIX],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=child_env())
            victim["pid"] = child.pid
            ready.set()
            child.wait(timeout=120)
        graphs = store_graphs(oxigraph_server)
        found = which_load(graphs, expected)
        untouched = isomorphic(graphs[THEIRS], theirs)
        record("kill", f"load #{attempt} (request {at}, {'answer lost' if lose_answer else 'not sent'})",
               lost=found is None or not untouched)
        assert child.returncode == -signal.SIGKILL, f"kill #{attempt}: the load ended before request {at}"
        assert found in (current, target), f"kill #{attempt}: our graphs are a mix, or half loaded"
        assert untouched, "a graph of someone else's changed"
        # The next run repairs: the build's graphs whole, and no staging graph left.
        again = load(target, oxigraph_server.base)
        assert again.exit_code == 0, again.output
        graphs = store_graphs(oxigraph_server)
        assert which_load(graphs, expected) == target
        assert not [g for g in graphs if g.startswith("urn:newskg:staging:")]
        current = target
