"""A graph written from the previous build's file and a known change (`write_build`'s ``changes``)
is the bytes a build that serialises it writes: every file of build/ (the graph files,
dataset.nq, dataset.trig, the records but for their mtimes) and the store's quads. Where the
change cannot be trusted, or the previous build cannot vouch for its file, the graph is
serialised; each test checks which path was taken, so a silent fallback cannot pass for the
fast path."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF
from test_writer_reuse import assert_same_build

import newskg.build.store_delta as store_delta
import newskg.build.writer as writer
from newskg.build import tool_versions
from newskg.namespaces import ARTICLE_GRAPH_BASE, PREFIXES, facts_graph, inferred_graph
from newskg.project import GRAPHS_DIR, Build, graph_file_name

NKG, NKR = PREFIXES["nkg"], PREFIXES["nkr"]
FACTS = str(facts_graph("confirmed"))
INFERRED = str(inferred_graph("confirmed"))
ARTICLE = ARTICLE_GRAPH_BASE + "r1"
# Not rdflib's XSD namespace at module level: pytest's collection asks each module-level object
# for attributes, and a closed namespace warns at each name it lacks.
XSD_INTEGER = URIRef("http://www.w3.org/2001/XMLSchema#integer")


@pytest.fixture(autouse=True)
def every_build_has_a_store(monkeypatch):
    """A store for every build, made by difference whatever the share changed (as at scale)."""
    monkeypatch.setattr(writer, "PERSISTENT_STORE_MIN_QUADS", 0)
    monkeypatch.setattr(store_delta, "MAX_CHANGED_SHARE", 1.0)


@pytest.fixture
def fast(monkeypatch) -> list[tuple[str, bool]]:
    """(graph IRI, written from its change) for each graph whose change the writer looked at."""
    seen: list[tuple[str, bool]] = []
    from_change = writer.from_change

    def spy(taken_from, iri, *args):
        done = from_change(taken_from, iri, *args)
        seen.append((iri, done is not None))
        return done

    monkeypatch.setattr(writer, "from_change", spy)
    return seen


def _subject(n: int) -> URIRef:
    return URIRef(f"{NKR}claim-{n:03d}")


def _graphs() -> dict[str, Graph]:
    """A facts and an inferred graph of a few dozen subjects, each with several predicates and
    objects: prefixed names and full IRIs, literals with a language, a datatype, an escaped
    newline and `` .`` inside, subjects whose IRIs are prefixes of others' (``x`` and ``x/y``)."""
    facts, inferred, article = Graph(), Graph(), Graph()
    for n in range(40):
        s = _subject(n)
        facts.add((s, RDF.type, URIRef(NKG + ("Claim" if n % 3 else "Fact"))))
        facts.add((s, URIRef(NKG + "about"), URIRef(f"http://example.org/thing/{n % 7}")))
        facts.add((s, URIRef(NKG + "about"), URIRef(f"http://example.org/thing/{(n + 3) % 7}")))
        facts.add((s, URIRef(NKG + "label"), Literal(f"claim {n} .\nsecond line", lang="en")))
        facts.add((s, URIRef(NKG + "weight"), Literal(str(n), datatype=XSD_INTEGER)))
        inferred.add((s, RDF.type, URIRef(NKG + "Statement")))
        inferred.add((URIRef(f"{s}/part"), URIRef(NKG + "partOf"), s))
    article.add((_subject(0), URIRef(NKG + "inArticle"), Literal("r1")))
    return {ARTICLE: article, FACTS: facts, INFERRED: inferred}


def _manifest(graphs: dict[str, Graph]) -> dict:
    return {"format": 1, "tool_versions": tool_versions(),
            "graphs": [{"iri": iri, "file": f"{GRAPHS_DIR}/{graph_file_name(iri)}", "triples": len(g)}
                       for iri, g in graphs.items()]}


def _write(build_dir: Path, graphs: dict[str, Graph], changes=None) -> None:
    writer.write_build(Build(build_dir), graphs, _manifest(graphs), changes=changes)


def _copy(graphs: dict[str, Graph]) -> dict[str, Graph]:
    copies = {}
    for iri, graph in graphs.items():
        copies[iri] = Graph()
        for triple in graph:
            copies[iri].add(triple)
    return copies


def _change(graphs: dict[str, Graph], iri: str, added=(), removed=()) -> tuple[list, list]:
    """Apply the change to ``graphs[iri]`` and give it as ``write_build`` takes it."""
    for triple in removed:
        graphs[iri].remove(triple)
    for triple in added:
        graphs[iri].add(triple)
    return list(added), list(removed)


def _both(tmp_path: Path, change) -> tuple[Path, Path, dict]:
    """Two folders with the same first build; the second build written into both, with the changes
    given (``change(graphs)`` applies them and returns them) and without."""
    first = _graphs()
    with_changes, without = tmp_path / "with" / "build", tmp_path / "without" / "build"
    _write(with_changes, _copy(first))
    _write(without, _copy(first))
    second = _copy(first)
    changes = change(second)
    _write(with_changes, _copy(second), changes)
    _write(without, _copy(second))
    return with_changes, without, changes


P = URIRef(NKG + "about")
T = URIRef("http://example.org/thing/9")


def _middle(graphs):
    # Into the middle of subject 5's run: another object of a predicate it has, and a predicate
    # it has not (sorted between two of its predicates).
    return {FACTS: _change(graphs, FACTS, added=[(_subject(5), P, T),
                                                 (_subject(5), URIRef(NKG + "hasSource"), Literal("not a blank node: _:x"))])}


def _subject_gone(graphs):
    # Subject 7 loses every triple of its run; subject 8 loses the last triple of its run; the
    # very last subject of the inferred graph loses its only triple.
    facts = [t for t in graphs[FACTS] if t[0] == _subject(7)] + [(_subject(8), URIRef(NKG + "weight"),
                                                                 Literal("8", datatype=XSD_INTEGER))]
    last = max(graphs[INFERRED], key=lambda t: str(t[0]))
    return {FACTS: _change(graphs, FACTS, removed=facts), INFERRED: _change(graphs, INFERRED, removed=[last])}


def _new_subject(graphs):
    # Subjects new to the graph: between two others, before every other, after every other.
    return {FACTS: _change(graphs, FACTS, added=[(URIRef(f"{_subject(5)}5"), RDF.type, URIRef(NKG + "Claim")),
                                                 (URIRef(NKR + "a"), P, T), (URIRef(NKR + "zzz"), P, T),
                                                 (URIRef("http://zzz.example/x"), P, Literal("z"))]),
            INFERRED: _change(graphs, INFERRED, added=[(URIRef(f"{_subject(3)}/part/x"), P, T)])}


def _removals_only(graphs):
    return {FACTS: _change(graphs, FACTS, removed=[(_subject(n), P, URIRef(f"http://example.org/thing/{n % 7}"))
                                                   for n in range(0, 40, 3)]),
            INFERRED: _change(graphs, INFERRED, removed=[(_subject(n), RDF.type, URIRef(NKG + "Statement"))
                                                         for n in (1, 2, 39)])}


def _mixed(graphs):
    # Added and removed in one subject's run and around it, in both graphs, and an empty change.
    s = _subject(12)
    return {FACTS: _change(graphs, FACTS, added=[(s, P, T), (_subject(13), P, T)],
                           removed=[(s, RDF.type, URIRef(NKG + "Fact")), (_subject(11), P, URIRef(
                               "http://example.org/thing/4"))]),
            INFERRED: _change(graphs, INFERRED, added=[(s, RDF.type, URIRef(NKG + "Other"))],
                              removed=[(URIRef(f"{s}/part"), URIRef(NKG + "partOf"), s)]),
            ARTICLE: ([], [])}


@pytest.mark.parametrize("change", [_middle, _subject_gone, _new_subject, _removals_only, _mixed])
def test_a_graph_written_from_its_change_is_the_bytes_of_its_serialisation(tmp_path, fast, change):
    with_changes, without, changes = _both(tmp_path, change)
    taken = {iri for iri, done in fast if done}
    assert taken == set(changes), fast  # every change given was used: the fast path ran
    assert_same_build(with_changes, without)


def test_the_store_is_given_the_changes_instead_of_comparing_the_files(tmp_path, monkeypatch):
    read: list[str] = []
    lines = store_delta._lines

    def spy(path):
        read.append(Path(path).name)
        return lines(path)

    monkeypatch.setattr(store_delta, "_lines", spy)
    with_changes = tmp_path / "with" / "build"
    _write(with_changes, _graphs())
    second = _graphs()
    changes = _mixed(second)
    _write(with_changes, second, changes)
    assert graph_file_name(FACTS) not in read and graph_file_name(INFERRED) not in read
    # ... which the store needed: without the changes, it reads them.
    _write(with_changes, _copy(second))  # nothing changed: nothing read
    third = _copy(second)
    _middle(third)
    _write(with_changes, third)
    assert graph_file_name(FACTS) in read


def _lies(graphs):
    """Changes that are wrong, each in a way a cheap check catches."""
    s = _subject(4)
    triple = (s, P, T)
    graphs[FACTS].add(triple)
    graphs[INFERRED].add((s, P, T))
    return {
        # The count adds up, but the triple said removed is still in the graph.
        FACTS: ([triple], [(s, RDF.type, URIRef(NKG + "Fact"))]),
        # An added triple that was already in the previous graph (and the count off).
        INFERRED: ([(s, P, T), (s, RDF.type, URIRef(NKG + "Statement"))], []),
        # Nothing changed, but a triple is said added that the graph does not hold.
        ARTICLE: ([(s, P, Literal("not there"))], []),
    }


def test_a_lying_change_is_not_used(tmp_path, fast):
    with_changes, without, changes = _both(tmp_path, _lies)
    assert {iri for iri, _ in fast} == set(changes)  # each was looked at
    assert not any(done for _, done in fast)  # and refused
    assert_same_build(with_changes, without)


def test_a_change_that_passes_the_counts_but_not_the_previous_file_is_not_used(tmp_path, fast):
    def lie(graphs):
        # Removed: a triple of the graph before and after (the previous file holds it, the
        # graph still holds it: caught by the graph) is a different lie from this one: a
        # removed triple the previous file never had, the count adjusted by an added one.
        s = _subject(6)
        added = (s, P, T)
        graphs[FACTS].add(added)
        return {FACTS: ([added, (s, P, Literal("never"))], [(s, P, Literal("never there"))])}

    def lie_kept(graphs):
        changes = lie(graphs)
        graphs[FACTS].add((_subject(6), P, Literal("never")))
        return changes

    with_changes, without, _ = _both(tmp_path, lie_kept)
    assert fast == [(FACTS, False)]
    assert_same_build(with_changes, without)


def test_a_previous_build_of_other_code_is_not_used(tmp_path, fast, monkeypatch):
    def other_code(graphs):
        monkeypatch.setattr(writer, "code_digest", lambda: "another newskg")
        return _middle(graphs)

    with_changes, without, _ = _both(tmp_path, other_code)
    assert not any(done for _, done in fast)
    assert_same_build(with_changes, without)


def test_a_change_with_a_blank_node_is_not_used(tmp_path, fast):
    def blank(graphs):
        return {FACTS: _change(graphs, FACTS, added=[(_subject(5), P, BNode("b1"))]),
                INFERRED: _change(graphs, INFERRED, added=[(_subject(5), P, T)])}

    with_changes, without, _ = _both(tmp_path, blank)
    assert sorted(fast) == [(FACTS, False), (INFERRED, True)]
    assert_same_build(with_changes, without)


def test_a_previous_file_changed_since_its_build_is_not_used(tmp_path, fast):
    def touched(graphs):
        path = tmp_path / "with" / "build" / GRAPHS_DIR / graph_file_name(FACTS)
        path.write_bytes(path.read_bytes())  # the same bytes, another mtime: not vouched for
        return _middle(graphs)

    with_changes, without, _ = _both(tmp_path, touched)
    assert fast == [(FACTS, False)]
    assert_same_build(with_changes, without)


@pytest.mark.parametrize("refusal", ["missing", "refused"])
def test_ranges_copied_through_python_where_the_kernel_cannot_are_the_same_bytes(tmp_path, fast, monkeypatch,
                                                                                 refusal):
    def cross_device(*args):
        raise OSError(errno.EXDEV, "cross-device")

    if refusal == "missing":
        monkeypatch.delattr(os, "copy_file_range", raising=False)
    else:
        monkeypatch.setattr(os, "copy_file_range", cross_device)
    with_changes, without, changes = _both(tmp_path, _mixed)
    assert {iri for iri, done in fast if done} == set(changes)
    assert_same_build(with_changes, without)
