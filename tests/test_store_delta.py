"""A build's store made from the previous build's by difference (newskg.build.store_delta) holds
what the bulk load of the same build holds: every quad of every named graph, and the level view
in its default graph; and where the difference cannot be applied, the store is bulk-loaded."""

from __future__ import annotations

import json
import re
import shutil
import sys
from collections import Counter
from pathlib import Path

import pyoxigraph as ox
import pytest

import newskg.build.store_delta as store_delta
from newskg.build import build_project
from newskg.views import VIEW_RECORD

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
import corpus


@pytest.fixture(autouse=True)
def every_build_has_a_store(monkeypatch):
    """A store for every build, and (a corpus of four reports) a difference of any size applied."""
    monkeypatch.setattr("newskg.build.writer.PERSISTENT_STORE_MIN_QUADS", 0)
    monkeypatch.setattr(store_delta, "MAX_CHANGED_SHARE", 1.0)


@pytest.fixture
def updates(monkeypatch) -> list[int]:
    """How many graph changes each store made by difference applied (one entry a build that did)."""
    made: list[int] = []
    update = store_delta.update_store

    def spy(previous, staged, changes):
        made.append(len(changes))
        return update(previous, staged, changes)

    monkeypatch.setattr(store_delta, "update_store", spy)
    return made


def _project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    corpus.generate(root, reports=4, seed=11)
    return root


def store_quads(build_dir: Path) -> tuple[set[str], Counter]:
    """The build's store: its quads without blank nodes, and the number with one in each graph (a
    store names blank nodes afresh)."""
    store = ox.Store.read_only(str(build_dir / "store"))
    plain: set[str] = set()
    blank: Counter = Counter()
    for quad in store:
        if isinstance(quad.subject, ox.BlankNode) or isinstance(quad.object, ox.BlankNode):
            blank[str(quad.graph_name)] += 1
        else:
            plain.add(str(quad))
    del store
    return plain, blank


def _content(build_dir: Path) -> tuple[set[str], Counter, dict]:
    """`store_quads`, and the view's record."""
    return (*store_quads(build_dir), json.loads((build_dir / VIEW_RECORD).read_text(encoding="utf-8")))


def _fresh(root: Path, tmp_path: Path) -> tuple[set[str], Counter, dict]:
    """What a build of the same sources from nothing bulk-loads."""
    fresh = tmp_path / "fresh"
    shutil.copytree(root, fresh, ignore=shutil.ignore_patterns("build", "build.prev", ".newskg-cache"))
    build_project(fresh, full=True)
    return _content(fresh / "build")


def test_a_report_added_updates_the_previous_store_to_what_the_bulk_load_makes(tmp_path, updates):
    root = _project(tmp_path)
    held = tmp_path / "report-00004"
    shutil.move(root / "graph" / "report-00004", held)
    build_project(root)
    assert updates == []  # no previous build: bulk-loaded
    shutil.move(held, root / "graph" / "report-00004")
    build_project(root)
    assert len(updates) == 1 and updates[0] > 0
    assert _content(root / "build") == _fresh(root, tmp_path)


def test_a_triple_another_graph_of_the_view_still_holds_stays_in_the_view(tmp_path, updates):
    """A report edited and another deleted: their triples leave the view, except one that the
    background states too."""
    root = _project(tmp_path)
    document = root / "graph" / "report-00002" / "document.ttl"
    original = document.read_text(encoding="utf-8")
    # A shared actor's label, as the background states it: "nkr:X rdfs:label "..."@en ."
    shared = next(line for line in (root / "graph" / "background.ttl").read_text(encoding="utf-8").splitlines()
                  if re.fullmatch(r'nkr:\w+ rdfs:label "[^"]*"@en \.', line))
    document.write_text(f"{original}\n{shared}\n", encoding="utf-8")
    build_project(root)
    actor, _, name = shared[len("nkr:"):-len(" .")].partition(" rdfs:label ")
    label = f"<https://w3id.org/newskg/resource/{actor}> <http://www.w3.org/2000/01/rdf-schema#label> {name}"
    before, _, _ = _content(root / "build")
    assert f"{label} <https://w3id.org/newskg/graph/article/report-00002>" in before
    document.write_text(original, encoding="utf-8")
    shutil.rmtree(root / "graph" / "report-00003")
    build_project(root)
    assert len(updates) == 1
    after = _content(root / "build")
    assert f"{label} <https://w3id.org/newskg/graph/article/report-00002>" not in after[0]
    assert label in after[0]  # in the default graph: the view
    assert after == _fresh(root, tmp_path)


@pytest.mark.parametrize("damage", ["store", "view record", "manifest graphs"])
def test_a_damaged_previous_build_is_not_used(tmp_path, updates, damage):
    root = _project(tmp_path)
    build_project(root)
    if damage == "store":
        (root / "build" / "store" / "CURRENT").unlink()
    elif damage == "view record":
        (root / "build" / VIEW_RECORD).write_text("{not json", encoding="utf-8")
    else:
        manifest = json.loads((root / "build" / "manifest.json").read_text(encoding="utf-8"))
        manifest["graphs"] = [{"no": "iri"}]
        (root / "build" / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    shutil.rmtree(root / "graph" / "report-00004")
    build_project(root)
    assert len(updates) == (1 if damage == "store" else 0)  # tried and failed, or not tried: bulk-loaded
    assert _content(root / "build") == _fresh(root, tmp_path)


def test_no_difference_is_applied_past_its_share_or_with_a_blank_node(tmp_path, monkeypatch):
    """graph_changes refuses (None) what the store cannot take by difference, or should not."""
    from newskg.project import Build

    root = _project(tmp_path)
    build_project(root)
    previous = Build(root / "build")
    graphs = [g["iri"] for g in previous.manifest()["graphs"]]
    quads = sum(g["triples"] for g in previous.manifest()["graphs"])
    staged = tmp_path / "staged"
    shutil.copytree(root / "build", staged)
    assert store_delta.graph_changes(previous, Build(staged), graphs, quads) == []

    changed = staged / "graphs" / "background.nt"
    changed.write_text(changed.read_text(encoding="utf-8")
                       + '<https://example.org/s> <https://example.org/p> "o" .\n', encoding="utf-8")
    found = store_delta.graph_changes(previous, Build(staged), graphs, quads)
    assert found is not None and [(c.iri, len(c.removed), len(c.added)) for c in found] == [
        ("https://w3id.org/newskg/graph/background", 0, 1)]
    monkeypatch.setattr(store_delta, "MAX_CHANGED_SHARE", 0.0)
    assert store_delta.graph_changes(previous, Build(staged), graphs, quads) is None
    monkeypatch.setattr(store_delta, "MAX_CHANGED_SHARE", 1.0)

    changed.write_text(changed.read_text(encoding="utf-8") + "_:b0 <https://example.org/p> \"o\" .\n",
                       encoding="utf-8")
    assert store_delta.graph_changes(previous, Build(staged), graphs, quads) is None
