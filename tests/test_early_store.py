"""The early store (newskg.build.early_store): a first build's persistent store filled from the
quality-check store while reasoning runs, and completed by its loader with the facts and
inferred graph files, holds the same quads as the store bulk-loaded whole at the end (the
reference, what every build did before), blank nodes included; a loader that fails means the
whole load; a failed or interrupted build leaves neither build/ changed nor the early store
behind; a killed build's is removed by the next one; the loader runs at the build's priority
once the writing starts, and gives up when its build does; `newskg check` writes nothing."""

from __future__ import annotations

import fcntl
import os
import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph, URIRef
from rdflib.compare import isomorphic

from conftest import project_sources
from newskg.build import build_project, check_project
from newskg.build.early_store import LOCK_NAME, EarlyStore, early_prefix
from newskg.errors import BuildWriteError, ValidationError
from newskg.project import Build

ONTOLOGY = "https://w3id.org/newskg/graph/ontology"


@pytest.fixture
def every_build_has_a_store(monkeypatch):
    monkeypatch.setattr("newskg.build.writer.PERSISTENT_STORE_MIN_QUADS", 0)


@pytest.fixture
def taken(monkeypatch) -> list[bool]:
    """What each EarlyStore.take returned (whether the writer used the early store)."""
    answers: list[bool] = []
    real = EarlyStore.take

    def take(self, destination):
        answers.append(real(self, destination))
        return answers[-1]

    monkeypatch.setattr(EarlyStore, "take", take)
    return answers


def _as_graph(store_path: Path) -> Graph:
    """Every quad of the store as one triple of one graph (the graph name folded into the
    predicate), so that isomorphism keeps a blank node one node across graphs."""
    store = ox.Store.read_only(str(store_path))
    graph = Graph()
    from newskg.build.oxterms import ToRdflib

    converter = ToRdflib("store")
    for quad in store:
        s, p, o, g = next(converter.quads([quad]))
        graph.add((s, URIRef(f"{p}#in:{g if g is not None else 'default'}"), o))
    del store
    return graph


def _reference(root: Path, tmp_path: Path, monkeypatch) -> Graph:
    """The store a build without an early store writes, of a copy of ``root``."""
    copy = tmp_path / "reference"
    shutil.copytree(root, copy, ignore=shutil.ignore_patterns("build", ".build*", ".newskg*"))
    with monkeypatch.context() as patch:
        patch.setattr(EarlyStore, "wanted", classmethod(lambda cls, build_dir: False))
        build_project(copy)
    return _as_graph(Build(copy / "build").store_path)


def _leftovers(root: Path) -> list[str]:
    return sorted(p.name for p in root.iterdir() if p.name.startswith(early_prefix(root / "build")))


@pytest.mark.parametrize("kind", ["article", "corpus"])
def test_the_early_store_holds_what_the_whole_load_does(kind, tmp_path, monkeypatch, every_build_has_a_store,
                                                        taken):
    root = project_sources(kind, tmp_path / "project")
    build_project(root)
    assert taken == [True]
    built = Build(root / "build")
    assert isomorphic(_as_graph(built.store_path), _reference(root, tmp_path, monkeypatch))
    assert _leftovers(root) == []
    # An ontology blank node is one node in the ontology's graph and in the level view.
    store = ox.Store.read_only(str(built.store_path))
    in_graph = f"GRAPH <{ONTOLOGY}> {{ ?b ?p ?o FILTER isBlank(?b) }}"
    assert _count(store, in_graph + " ?b ?p ?o") == _count(store, in_graph) > 0


def _count(store, pattern: str) -> int:
    solutions = store.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ {pattern} }}")
    assert isinstance(solutions, ox.QuerySolutions)
    return int(next(solutions)[0].value)


def _edit(root: Path, name: str, old: str, new: str) -> None:
    path = root / "graph" / name
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


PAKISTAN = "bg:pakistan-type { nkr:Pakistan a nkg:SovereignState . }"


def test_a_blank_node_in_the_facts_means_the_whole_load(tmp_path, monkeypatch, every_build_has_a_store, taken):
    root = project_sources("article", tmp_path / "project")
    # Background content is a fact at every level: the facts graphs hold a blank node.
    _edit(root, "background.trig", PAKISTAN,
          PAKISTAN[:-1] + '[] <http://www.w3.org/2000/01/rdf-schema#label> "a note" . }')
    build_project(root)
    assert True not in taken  # the writer loaded the whole store
    assert isomorphic(_as_graph(Build(root / "build").store_path), _reference(root, tmp_path, monkeypatch))
    assert _leftovers(root) == []


def test_a_literal_rdflib_normalises_means_the_whole_load(tmp_path, monkeypatch, every_build_has_a_store, taken):
    root = project_sources("article", tmp_path / "project")
    _edit(root, "background.trig", PAKISTAN,
          PAKISTAN[:-1] + 'nkr:Pakistan <http://www.w3.org/2000/01/rdf-schema#comment> '
                          '"01"^^<http://www.w3.org/2001/XMLSchema#integer> . }')
    build_project(root)
    assert True not in taken  # not started: the quality store holds "01", build/ holds "1"
    assert isomorphic(_as_graph(Build(root / "build").store_path), _reference(root, tmp_path, monkeypatch))
    assert _leftovers(root) == []


class Interrupted(KeyboardInterrupt):
    pass


@pytest.mark.parametrize("where, raised", [
    ("newskg.build.check_usage", ValidationError),  # the checks fail: the loader had started
    ("newskg.build.reason_by_level", Interrupted),
    ("newskg.build.check_shapes", ValidationError),
    ("newskg.build.writer.made_loads", OSError),  # the loader left waiting for its graph files
    ("newskg.build.writer._write_trig", OSError),
    ("newskg.build.writer._parse_back", Interrupted),
])
def test_a_failed_build_leaves_build_and_no_early_store(where, raised, tmp_path, monkeypatch,
                                                        every_build_has_a_store):
    root = project_sources("article", tmp_path / "project")
    build_project(root)
    before = {p.relative_to(root): p.stat().st_mtime_ns for p in (root / "build").rglob("*")}
    shutil.rmtree(root / "build" / "store")  # then the next build bulk-loads, with an early store
    before = {p: t for p, t in before.items() if p.parts[1] != "store"}
    started: list[bool] = []
    real_start = EarlyStore.start

    def start(self, sources):
        real_start(self, sources)
        started.append(self.started)

    def fail(*args, **kwargs):
        raise raised([]) if raised is ValidationError else raised("injected")

    monkeypatch.setattr(EarlyStore, "start", start)
    monkeypatch.setattr(where, fail)
    with pytest.raises((raised, BuildWriteError)):
        build_project(root, force=True)
    assert started == [True]
    assert {p.relative_to(root): p.stat().st_mtime_ns for p in (root / "build").rglob("*")} == before
    assert _leftovers(root) == []


def test_a_killed_builds_early_store_is_removed_by_the_next_build(tmp_path, every_build_has_a_store):
    root = project_sources("article", tmp_path / "project")
    prefix = early_prefix(root / "build")
    dead = root / f"{prefix}dead"  # its build was killed: its lock is free
    (dead / "store").mkdir(parents=True)
    (dead / LOCK_NAME).touch()
    unlocked = root / f"{prefix}unlocked"  # killed before it locked
    unlocked.mkdir()
    running = root / f"{prefix}running"  # another build's, still running: locked
    running.mkdir()
    fd = os.open(running / LOCK_NAME, os.O_RDWR | os.O_CREAT)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        build_project(root)
        assert _leftovers(root) == [running.name]
    finally:
        os.close(fd)


def test_check_writes_no_store(tmp_path, every_build_has_a_store):
    root = project_sources("article", tmp_path / "project")

    def files() -> list[Path]:  # the reasoner's cache aside (the check has always kept one)
        return sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*") if ".newskg-cache" not in p.parts)

    before = files()
    check_project(root)
    assert files() == before


def test_a_small_build_has_no_store_and_no_early_store(tmp_path, monkeypatch, taken):
    monkeypatch.setattr("newskg.build.writer.PERSISTENT_STORE_MIN_QUADS", 10**12)
    root = project_sources("article", tmp_path / "project")
    build_project(root)
    assert True not in taken and not Build(root / "build").store_path.exists() and _leftovers(root) == []


def test_the_loaders_own_peak_memory_is_reported_not_the_builds(tmp_path, every_build_has_a_store, taken):
    # The loader is a small program of its own; the peak `ru_maxrss` gives for a child is its
    # forking parent's (exec records it), which `newskg build --timings` used to print.
    import resource

    root = project_sources("article", tmp_path / "project")
    result = build_project(root)
    assert taken == [True]
    ours = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    assert result.loader_peak_kib is not None
    assert 0 < result.loader_peak_kib < ours / 2
    # and its own CPU time, which the build's (this process's) leaves out: what a child used
    # shows up in ours only once waited for, and not in `time.process_time()` at all
    assert result.loader_cpu_seconds is not None and result.loader_cpu_seconds > 0


def test_a_loader_that_cannot_complete_the_store_means_the_whole_load(tmp_path, monkeypatch,
                                                                      every_build_has_a_store, taken):
    root = project_sources("article", tmp_path / "project")
    monkeypatch.setattr("newskg.build.writer.made_loads",
                        lambda build, made: [(str(tmp_path / "missing.nt"), None)])
    build_project(root)
    assert taken == [False]
    assert isomorphic(_as_graph(Build(root / "build").store_path), _reference(root, tmp_path, monkeypatch))
    assert _leftovers(root) == []


def _nice(pid: int) -> list[int]:
    """The niceness of each thread of process ``pid`` (field 19 of /proc/PID/task/TID/stat)."""
    values = []
    for tid in os.listdir(f"/proc/{pid}/task"):
        stat = Path(f"/proc/{pid}/task/{tid}/stat").read_text()
        values.append(int(stat.rsplit(")", 1)[1].split()[16]))
    return values


def _may_lower_niceness() -> bool:
    import resource

    return os.geteuid() == 0 or resource.getrlimit(resource.RLIMIT_NICE)[0] >= 20 - os.getpriority(os.PRIO_PROCESS, 0)


@pytest.mark.skipif(not Path("/proc/self/task").is_dir() or not _may_lower_niceness(),
                    reason="needs /proc and the right to lower a niceness")
def test_the_loader_runs_at_the_builds_priority_once_the_writing_starts(tmp_path, monkeypatch,
                                                                        every_build_has_a_store, taken):
    seen: list[tuple[list[int], list[int]]] = []
    real = EarlyStore.hurry

    def hurry(self):
        assert self._loading is not None
        pid = self._loading.result().pid
        before = _nice(pid)
        real(self)
        seen.append((before, _nice(pid)))

    monkeypatch.setattr(EarlyStore, "hurry", hurry)
    build_project(project_sources("article", tmp_path / "project"))
    ours = os.getpriority(os.PRIO_PROCESS, 0)
    assert taken == [True] and len(seen) == 1
    before, after = seen[0]
    assert set(before) == {min(ours + 19, 19)} and set(after) == {ours}


def _loader_of_one_quad(folder: Path):
    """The early store's loader, started on a one-quad dump in ``folder``, waiting for its input."""
    import subprocess
    import sys

    from newskg.build.early_store import _LOAD

    (folder / "early.nq").write_bytes(b"<http://a> <http://b> <http://c> <http://g> .\n")
    (folder / "view.nt").write_bytes(b"<http://a> <http://b> <http://c> .\n")
    return subprocess.Popen([sys.executable, "-c", _LOAD, str(folder / "store"), str(folder / "early.nq"),
                             str(folder / "view.nt")], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)


def test_the_loader_gives_up_when_its_input_ends_without_the_graph_files(tmp_path):
    loader = _loader_of_one_quad(tmp_path)
    _, err = loader.communicate(b"", timeout=120)  # its build died: the pipe closed, nothing sent
    assert loader.returncode != 0 and b"no graph files" in err
    assert not (tmp_path / "early.nq").exists() and not (tmp_path / "view.nt").exists()


@pytest.mark.skipif(len(getattr(os, "sched_getaffinity", lambda _: ())(0)) < 2, reason="one core: nothing to narrow")
def test_the_loader_loads_the_sources_on_one_core(tmp_path):
    # Its bulk loader keeps a thread and a batch per core: on one, less memory while the build
    # holds every graph (a first 1M build and its loader: 3.9 -> 3.5 GiB at the same speed).
    import time

    loader = _loader_of_one_quad(tmp_path)
    deadline = time.monotonic() + 60
    while (tmp_path / "early.nq").exists() and time.monotonic() < deadline:  # removed once loaded
        time.sleep(0.05)
    assert len(os.sched_getaffinity(loader.pid)) == 1  # the sources in, waiting for the graph files
    _, err = loader.communicate(b"[]", timeout=120)
    assert loader.returncode == 0, err


def test_build_timings_say_each_stage_and_the_loaders_cpu_and_peak_apart(tmp_path, every_build_has_a_store, taken):
    from click.testing import CliRunner

    from newskg.cli import main

    root = project_sources("article", tmp_path / "project")
    result = CliRunner().invoke(main, ["--project", str(root), "build", "--timings", "-q"])
    assert result.exit_code == 0, result.output
    assert taken == [True]
    lines = result.stderr.splitlines()
    stages = [line.split(" s cpu  ", 1)[1] for line in lines if " s wall " in line]
    assert [s for s in stages if not s.startswith("reasoned: ")] == [
        "start (find inputs, fingerprint)", f"parsing {stages[1].split()[1]} files", "checking sources",
        "reasoning (OWL-RL, level by level)", "validating shapes", "writing build/", "swapping the new build/ in"]
    (loader,) = [line for line in lines if "s cpu in the store's loader" in line]
    assert float(loader.split()[0]) > 0
    assert lines[-1].startswith("peak memory ") and "MiB in the store's loader" in lines[-1]
