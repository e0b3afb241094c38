"""A build that takes graphs from the previous build (newskg.build.reuse) writes exactly what a
build from nothing writes: after a report is added, edited or deleted, the ontology changed, or
nothing changed but a file's mtime, every file of build/ is the bytes of a `build --force --full`
of the same sources in another folder, and its store holds the same quads. A previous build
that is damaged is not taken from where it is damaged."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from test_store_delta import store_quads

import newskg.build.store_delta as store_delta
import newskg.build.writer as writer
from conftest import PROJECT_PARTS, PROJECT_ROOT, project_sources
from newskg.build import build_project
from newskg.build.reuse import RECORD_NAME, Previous

HELD = "report-00004"  # the corpus's report left out of the first build, added by "add"


@pytest.fixture(autouse=True)
def every_build_has_a_store(monkeypatch):
    """A store for every build (made by difference whatever the share changed), as at scale."""
    monkeypatch.setattr(writer, "PERSISTENT_STORE_MIN_QUADS", 0)
    monkeypatch.setattr(store_delta, "MAX_CHANGED_SHARE", 1.0)


@pytest.fixture
def taken(monkeypatch) -> list[str]:
    """The names of the graph files each build took from the previous build."""
    names: list[str] = []
    take = writer.take_file

    def spy(source: Path | str, target: Path | str) -> None:
        names.append(Path(target).name)
        take(source, target)

    monkeypatch.setattr(writer, "take_file", spy)
    return names


@pytest.fixture
def built_corpus(tmp_path) -> Path:
    """A synthetic corpus built without one of its reports (beside it, for "add"). Built in the
    test's own folder: a project moved elsewhere takes nothing (a relative IRI in a file is
    resolved against the file's path)."""
    root = project_sources("corpus", tmp_path / "project")
    shutil.move(root / "graph" / HELD, root.parent / HELD)
    build_project(root)
    return root


@pytest.fixture
def built_article(tmp_path) -> Path:
    """A copy of the real project, built."""
    root = tmp_path / "project"
    for part in PROJECT_PARTS:
        shutil.copytree(PROJECT_ROOT / part, root / part)
    build_project(root)
    return root


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _change(root: Path, change: str) -> None:
    graph = root / "graph"
    if change == "add":
        shutil.move(root.parent / HELD, graph / HELD)
    elif change == "edit":
        report = sorted(p for p in graph.iterdir() if p.is_dir())[0]
        _edit(report / "document.ttl", '"@en', ' (edited)"@en')
    elif change == "delete":
        shutil.rmtree(sorted(p for p in graph.iterdir() if p.is_dir())[-1])
    elif change == "ontology":
        with open(root / "ontology" / "core.ttl", "a", encoding="utf-8") as out:
            out.write('\nnkg:Claim rdfs:comment "a comment added by the test"@en .\n')
    elif change == "touch":
        for path in graph.rglob("*.t*"):
            os.utime(path)


def _fresh(root: Path, tmp_path: Path) -> Path:
    """`build --force --full` of the same sources in another folder."""
    fresh = tmp_path / "fresh"
    for part in PROJECT_PARTS:
        if (root / part).exists():
            shutil.copytree(root / part, fresh / part)
    build_project(fresh, force=True, full=True)
    return fresh / "build"


def _comparable(path: Path, relative: str):
    if relative == "manifest.json":
        manifest = json.loads(path.read_text(encoding="utf-8"))
        return {k: v for k, v in manifest.items() if k not in ("built_at", "duration_seconds")}
    if relative == "graph-index.json":  # stamped with the manifest's mtime
        return json.loads(path.read_text(encoding="utf-8"))["graphs"]
    if relative == RECORD_NAME:  # each file's mtime, and each graph's origin, which names the folder
        record = json.loads(path.read_text(encoding="utf-8"))
        return ({k: v for k, v in record.items() if k not in ("nquads", "trig", "graphs")},
                record["nquads"][0], record["trig"][0],
                {iri: row[1:4] + row[5:] for iri, row in record["graphs"].items()})
    return path.read_bytes()


def assert_same_build(built: Path, fresh: Path) -> None:
    """Every file of the two builds the same (but for when and how long), and the same quads
    in their stores."""
    def files(folder: Path) -> set[str]:
        return {p.relative_to(folder).as_posix() for p in folder.rglob("*")
                if p.is_file() and p.relative_to(folder).parts[0] != "store"}

    assert files(built) == files(fresh)
    assert {"dataset.nq", "dataset.trig", "store-view.json", RECORD_NAME} <= files(built)
    for relative in sorted(files(built)):
        assert _comparable(built / relative, relative) == _comparable(fresh / relative, relative), relative
    assert store_quads(built) == store_quads(fresh)


def _graph_files(build_dir: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in (build_dir / "graphs").rglob("*.nt")}


def _always_serialised(build_dir: Path) -> set[str]:
    """The graph files no build takes unserialised: facts and inferred (made from everything), and
    those with a blank node. They are taken (linked) only when serialised to the previous bytes."""
    return {name for name, data in _graph_files(build_dir).items()
            if name.startswith(("facts-", "inferred-")) or b"_:" in data}


@pytest.mark.parametrize("change", ["add", "edit", "delete", "ontology", "touch"])
def test_a_corpus_rebuilt_after_a_change_is_what_a_full_build_writes(built_corpus, tmp_path, taken, change):
    root = built_corpus
    before = _graph_files(root / "build")
    _change(root, change)
    result = build_project(root)
    if change == "touch":
        assert result.skipped  # the same bytes: nothing to build
        result = build_project(root, force=True)
    build_dir = root / "build"
    after = _graph_files(build_dir)
    assert taken  # the test is about taking graphs: it must happen
    for name in taken:
        assert before[name] == after[name], name
    # A graph whose files changed is written, never taken.
    changed = {name for name in after if before.get(name) != after[name]}
    assert not changed & set(taken)
    # Serialised again, and taken exactly when their bytes are the previous build's.
    serialised = _always_serialised(build_dir)
    assert serialised & set(taken) == {name for name in serialised if before.get(name) == after[name]}
    if change == "touch":
        assert set(taken) == set(after)  # nothing changed: every file is the previous one
    if change == "ontology":
        assert "ontology.nt" not in taken and "ontology.nt" in changed
    assert_same_build(build_dir, _fresh(root, tmp_path))


@pytest.mark.parametrize("change", ["edit", "ontology", "touch"])
def test_the_project_rebuilt_after_a_change_is_what_a_full_build_writes(built_article, tmp_path, taken, change):
    root = built_article
    before = _graph_files(root / "build")
    _change(root, change)
    build_project(root, force=True)
    assert taken
    # The real ontology holds blank nodes: serialised always, taken when the bytes are the same.
    assert ("ontology.nt" in taken) == (change != "ontology")
    assert ("ontology.nt" in taken) == (before["ontology.nt"] == _graph_files(root / "build")["ontology.nt"])
    assert_same_build(root / "build", _fresh(root, tmp_path))


@pytest.mark.parametrize("damage", ["graph file truncated", "dataset.nq missing", "dataset.trig truncated",
                                    "dataset.nq rewritten", "record unreadable"])
def test_a_damaged_previous_build_is_not_taken_from(built_corpus, tmp_path, taken, damage):
    root = built_corpus
    build_dir = root / "build"
    victim = build_dir / "graphs" / "article-report-00001.nt"
    if damage == "graph file truncated":
        data = victim.read_bytes()
        victim.write_bytes(data[: len(data) // 2])
    elif damage == "dataset.nq missing":
        (build_dir / "dataset.nq").unlink()
    elif damage == "dataset.trig truncated":
        with open(build_dir / "dataset.trig", "r+b") as trig:
            trig.truncate(trig.seek(0, os.SEEK_END) - 10)
    elif damage == "dataset.nq rewritten":  # same size, other bytes: its mtime tells
        data = (build_dir / "dataset.nq").read_bytes()
        (build_dir / "dataset.nq").write_bytes(data[1:] + data[:1])
    else:
        (build_dir / RECORD_NAME).write_text("{not json", encoding="utf-8")
    build_project(root, force=True)
    if damage == "graph file truncated":
        assert taken and victim.name not in taken
    else:
        assert taken == []
    assert_same_build(build_dir, _fresh(root, tmp_path))


def test_a_project_moved_to_another_folder_takes_nothing_by_origin(built_corpus, tmp_path, taken, monkeypatch):
    """A relative IRI in an input is resolved against the file's path: the same files elsewhere
    may make other triples. So no graph is taken for its origin; one is taken only when it was
    serialised to the previous build's bytes."""
    by_origin: list[str] = []
    block = Previous.block

    def spy(self, iri, *args, **kwargs):
        found = block(self, iri, *args, **kwargs)
        if found is not None:
            by_origin.append(iri)
        return found

    monkeypatch.setattr(Previous, "block", spy)
    moved = tmp_path / "moved"
    shutil.copytree(built_corpus, moved)
    before = _graph_files(moved / "build")
    build_project(moved, force=True)
    assert by_origin == []
    after = _graph_files(moved / "build")
    assert taken and all(before[name] == after[name] for name in taken)
    assert_same_build(moved / "build", _fresh(moved, tmp_path))
