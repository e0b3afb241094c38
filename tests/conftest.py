"""Shared fixtures: the project root, one build of it, and a real Oxigraph server on a free loopback port."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from oxigraph_server import start_oxigraph, stop_oxigraph

if TYPE_CHECKING:  # for annotations only; the fixtures import rdflib when they run, as before
    from rdflib import Graph

PROJECT_ROOT = Path(__file__).resolve().parent.parent
#: What a project is made of; a copy of these is a whole project.
PROJECT_PARTS = ("ontology", "graph", "queries")


@pytest.fixture(scope="session")
def project_root() -> Path:
    """The repository root (holds ontology/, graph/, queries/)."""
    return PROJECT_ROOT


@pytest.fixture(scope="session")
def built_project(tmp_path_factory) -> Path:
    """A copy of the real project (ontology/, graph/, queries/), built once for the whole session.

    A build of the real project is the slowest thing the tests do (three OWL-RL closures), and
    several modules need one: they share this one. Its build is at ``built_project / "build"``
    and is current, so `newskg build` on it is skipped. Read-only: a test that changes the
    project or its build must make its own copy, or it changes every other test's input.
    """
    from newskg.build import build_project

    root = tmp_path_factory.mktemp("built") / "project"
    for part in PROJECT_PARTS:
        shutil.copytree(PROJECT_ROOT / part, root / part)
    build_project(root)
    return root


def project_sources(kind: str, root: Path) -> Path:
    """The sources of a test project at ``root``: a copy of the article's ("article"), or a
    synthetic corpus of several reports ("corpus": benchmarks/corpus.py, 6,000 triples)."""
    if kind == "article":
        for part in PROJECT_PARTS:
            shutil.copytree(PROJECT_ROOT / part, root / part)
    else:
        import sys

        sys.path.insert(0, str(PROJECT_ROOT / "benchmarks"))
        import corpus

        corpus.generate(root, triples=6_000, seed=5)
    return root


def post_dataset(store_url: str, build_dir: Path) -> None:
    """Load a build's dataset.nq into an Oxigraph server, in one POST to its store URL."""
    import urllib.request

    request = urllib.request.Request(store_url, data=(build_dir / "dataset.nq").read_bytes(), method="POST",
                                     headers={"Content-Type": "application/n-quads"})
    with urllib.request.urlopen(request, timeout=60):
        pass


def read_ontology() -> Graph:
    """The real ontology modules (ontology/*.ttl without the SHACL shapes) in one rdflib graph."""
    from rdflib import Graph

    graph = Graph()
    for path in sorted((PROJECT_ROOT / "ontology").glob("*.ttl")):
        if path.name != "shapes.ttl":
            graph.parse(path, format="turtle")
    return graph


@pytest.fixture(scope="module")
def ontology() -> Graph:
    """The real ontology modules (ontology/*.ttl without the SHACL shapes) in one rdflib graph."""
    return read_ontology()


@pytest.fixture(scope="session")
def ontology_closure() -> Graph:
    """The OWL-RL closure of the real ontology alone, computed once. Read-only."""
    from newskg.build.reasoning import OwlrlReasoner

    return OwlrlReasoner().closure(read_ontology())


class StartFromOntologyClosure:
    """A Reasoner for the real ontology plus a few triples: owlrl, started from the ontology's closure.

    The closure is monotone and idempotent, so closure(closure(O) + G) holds the triples of
    closure(O + G); owlrl only adds literal-subject triples, which infer() drops as noise. For a
    small G it takes ~70% of the time of reasoning from the bare ontology (for a large G, more).
    """

    name = "owlrl"

    def __init__(self, ontology_closure: Graph):
        self.ontology_closure = ontology_closure

    def closure(self, graph: Graph) -> Graph:
        from newskg.build.reasoning import OwlrlReasoner

        return OwlrlReasoner().closure(self.ontology_closure + graph)


@pytest.fixture(scope="session")
def ontology_reasoner(ontology_closure: Graph) -> StartFromOntologyClosure:
    """A Reasoner for graphs that hold the real ontology and a few triples more (see StartFromOntologyClosure)."""
    return StartFromOntologyClosure(ontology_closure)


@pytest.fixture
def oxigraph_server(tmp_path: Path):
    """A fresh, empty Oxigraph server for one test."""
    proc, server = start_oxigraph(tmp_path / "oxigraph-db")
    try:
        yield server
    finally:
        stop_oxigraph(proc)


@pytest.fixture(scope="session")
def shared_oxigraph_server(tmp_path_factory):
    """One Oxigraph server for a whole session (tests must not depend on each other's data)."""
    proc, server = start_oxigraph(tmp_path_factory.mktemp("oxigraph") / "db")
    try:
        yield server
    finally:
        stop_oxigraph(proc)
