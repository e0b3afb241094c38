"""Shared fixtures: the project root and a real Oxigraph server on a free loopback port."""

from __future__ import annotations

from pathlib import Path

import pytest

from oxigraph_server import start_oxigraph, stop_oxigraph

PROJECT_ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def project_root() -> Path:
    """The repository root (holds ontology/, graph/, queries/)."""
    return PROJECT_ROOT


@pytest.fixture(scope="module")
def ontology():
    """The real ontology modules (ontology/*.ttl without the SHACL shapes) in one rdflib graph."""
    from rdflib import Graph

    graph = Graph()
    for path in sorted((PROJECT_ROOT / "ontology").glob("*.ttl")):
        if path.name != "shapes.ttl":
            graph.parse(path, format="turtle")
    return graph


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
