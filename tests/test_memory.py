"""IndexedMemory answers every triple pattern as rdflib's own Memory store does."""

from __future__ import annotations

import itertools
import platform
import random
import sys
from pathlib import Path

import pytest
from rdflib import BNode, Graph, Literal, URIRef

from newskg.build.memory import Chained, IndexedMemory, NamedGraphs, add_triples, new_graph

INTEGER = URIRef("http://www.w3.org/2001/XMLSchema#integer")


def _terms(rng: random.Random):
    iris = [URIRef(f"https://example.org/t{i}") for i in range(12)]
    literals = [Literal("1", datatype=INTEGER), Literal("01", datatype=INTEGER), Literal("a"),
                Literal("a", lang="en"), Literal("t0")]
    nodes = [BNode(f"b{i}") for i in range(3)]
    subjects = iris + nodes
    objects = iris + nodes + literals
    triples = {(rng.choice(subjects), rng.choice(iris[:5]), rng.choice(objects)) for _ in range(300)}
    return sorted(triples), subjects, iris[:5], objects


@pytest.mark.parametrize("seed", range(5))
def test_every_pattern_matches_rdflib_memory(seed: int) -> None:
    rng = random.Random(seed)
    triples, subjects, predicates, objects = _terms(rng)
    reference, ours = Graph(), new_graph()
    for t in triples:
        reference.add(t)
    add_triples(ours, triples[: len(triples) // 2])
    for t in triples[len(triples) // 2:]:
        ours.add(t)  # both ways in
    add_triples(ours, triples[:10])  # duplicates are no new triples
    assert isinstance(ours.store, IndexedMemory)
    assert len(ours) == len(reference) == len(triples)
    for s, p, o in itertools.product([None, *rng.sample(subjects, 4)], [None, *predicates[:3]],
                                     [None, *rng.sample(objects, 5)]):
        assert sorted(ours.triples((s, p, o))) == sorted(reference.triples((s, p, o))), (s, p, o)
    for t in rng.sample(triples, 40):
        assert t in ours
    # removal by pattern, then the same answers again
    s, p = triples[0][0], triples[0][1]
    for graph in (reference, ours):
        graph.remove((s, None, None))
        graph.remove((None, p, triples[-1][2]))
    assert len(ours) == len(reference) < len(triples)
    assert sorted(ours) == sorted(reference)
    assert sorted(map(str, ours.subjects(unique=True))) == sorted(map(str, reference.subjects(unique=True)))


def test_adding_counts_the_new_triples_and_equal_terms_are_one_term() -> None:
    triples, _, _, _ = _terms(random.Random(7))
    graph = new_graph()
    assert add_triples(graph, triples[:100]) == 100
    # Equal terms that are other objects (another parser's) are the same triple, as in rdflib;
    # Literal("1", datatype=integer) and Literal("01", ...) are not.
    copies = [(URIRef(str(s)) if isinstance(s, URIRef) else BNode(str(s)), URIRef(str(p)),
               Literal(str(o), lang=o.language, datatype=o.datatype) if isinstance(o, Literal) else o)
              for s, p, o in triples[:100]]
    assert add_triples(graph, copies + triples[90:110] + triples[90:110]) == 10
    assert len(graph) == 110
    reference = Graph()
    for t in triples[:110]:
        reference.add(t)
    assert sorted(graph) == sorted(reference)
    assert add_triples(Graph(), triples[:5]) is None  # another store: no count


def test_iterating_while_adding_sees_a_snapshot() -> None:
    # rdflib's stores raise "dictionary changed size" here; ours iterates over copies, so code that
    # adds what it derives while reading a graph does not crash midway.
    graph = new_graph()
    graph.add((URIRef("https://example.org/a"), URIRef("https://example.org/p"), Literal(0)))
    for s, p, o in graph.triples((None, URIRef("https://example.org/p"), None)):
        graph.add((s, p, Literal(int(str(o)) + 1)))
    assert len(graph) == 2


def test_named_graphs_give_each_iri_one_graph_and_keep_prefixes() -> None:
    graphs = NamedGraphs()
    a, b = URIRef("https://example.org/g/a"), URIRef("https://example.org/g/b")
    graphs.graph(a).add((a, a, a))
    graphs.graph(b)
    assert graphs.graph(a) is graphs.graph(a)
    assert [g.identifier for g in graphs.graphs()] == [a, b]
    assert len(graphs) == 1
    graphs.bind("ex", URIRef("https://example.org/"))
    assert ("ex", URIRef("https://example.org/")) in set(graphs.namespaces())
    assert new_graph().serialize(format="turtle").strip() == ""


def test_chained_graphs_read_as_their_union_each_triple_once() -> None:
    a, b = new_graph(), new_graph()
    t1 = (URIRef("https://example.org/s"), URIRef("https://example.org/p"), Literal("one"))
    t2 = (URIRef("https://example.org/s"), URIRef("https://example.org/p"), Literal("two"))
    a.add(t1)
    b.add(t1)
    b.add(t2)
    chained = Chained(a, b)
    assert list(chained) == [t1, t2]
    assert list(chained) == [t1, t2]  # again: the reasoner may read its input twice


def test_a_cleared_store_holds_nothing_and_keeps_its_prefixes() -> None:
    graph = new_graph()
    graph.bind("ex", URIRef("https://example.org/"))
    graph.add((URIRef("https://example.org/a"), URIRef("https://example.org/p"), Literal("x")))
    assert isinstance(graph.store, IndexedMemory)
    graph.store.clear()
    assert len(graph) == 0 and list(graph) == []
    assert ("ex", URIRef("https://example.org/")) in set(graph.namespaces())


def test_cycle_collection_is_off_inside_and_as_it_was_after_even_on_an_error() -> None:
    import gc

    from newskg.build.memory import without_cycle_collection

    was = gc.isenabled()
    try:
        gc.enable()
        with pytest.raises(ValueError), without_cycle_collection():
            assert not gc.isenabled()
            raise ValueError("stop")
        assert gc.isenabled()
        gc.disable()
        with without_cycle_collection():
            pass
        assert not gc.isenabled()  # it was off before: not switched on behind the caller's back
    finally:
        (gc.enable if was else gc.disable)()



_FILL_FREE_AND_MEASURE = """
import sys, threading
from pathlib import Path
import pyoxigraph as ox
from newskg.build.memory import return_freed_memory

def resident():
    line = next(x for x in Path("/proc/self/status").read_text().splitlines() if x.startswith("VmRSS:"))
    return int(line.split()[1]) / 1024

quads = [ox.Quad(ox.NamedNode(f"https://example.org/s{i}"), ox.NamedNode(f"https://example.org/p{i % 7}"),
                 ox.Literal(f"value {i}"), ox.NamedNode(f"https://example.org/g{i % 100}"))
         for i in range(150_000)]
holder = [ox.Store()]
thread = threading.Thread(target=holder[0].bulk_extend, args=(quads,))
thread.start()
thread.join()
del quads
holder.clear()
if sys.argv[1] == "trim":
    return_freed_memory()
print(resident())
"""


@pytest.mark.skipif(not Path("/proc/self/status").exists() or sys.platform != "linux" or
                    platform.libc_ver()[0] != "glibc", reason="resident memory as glibc and /proc show it")
def test_memory_a_store_filled_in_a_thread_freed_is_handed_back() -> None:
    """What the build does after the quality-check store, filled in a thread, is dropped: glibc
    keeps the freed memory of a thread's malloc arena resident until it is asked to trim. Each
    case in a fresh interpreter, whose arenas hold nothing else."""
    import subprocess

    def resident_after(how: str) -> float:
        return float(subprocess.run([sys.executable, "-c", _FILL_FREE_AND_MEASURE, how], check=True,
                                    capture_output=True, text=True).stdout)

    kept, trimmed = resident_after("keep"), resident_after("trim")
    assert kept - trimmed > 20, (kept, trimmed)  # ~40 MiB measured


def test_chained_graphs_read_as_rdflib_reads_them_in_order_each_triple_once() -> None:
    # The walk over the graphs' own indexes must give what reading the graphs through rdflib
    # gives, triple for triple and in order: the reasoner interns terms in the order it reads them.
    import random

    from newskg.build.union import union_view

    rng = random.Random(7)
    node = [URIRef(f"https://example.org/n{i}") for i in range(12)]
    values = [*node, Literal("1"), Literal(1), Literal("1", lang="en"), BNode("b")]
    graphs = [new_graph() for _ in range(4)]
    for graph in graphs:
        for _ in range(60):
            graph.add((rng.choice(node[:6]), rng.choice(node[6:9]), rng.choice(values)))
    plain = Graph()  # an rdflib store of its own: read through rdflib
    for triple in list(graphs[3])[:20]:
        plain.add(triple)
    for chain in [(graphs[0],), (graphs[0], graphs[1]), (union_view(graphs[:2]), graphs[2], graphs[1]),
                  (graphs[2], plain, graphs[3])]:
        expected, seen = [], set()
        for graph in chain:
            for triple in graph:
                if triple not in seen:
                    seen.add(triple)
                    expected.append(triple)
        assert list(Chained(*chain)) == expected


def _eager_indexes(triples: list[tuple]) -> tuple[dict, dict]:
    """The pos and osp indexes as filled triple by triple, each new triple as it comes."""
    pos: dict = {}
    osp: dict = {}
    seen: set = set()
    for s, p, o in triples:
        if (s, p, o) in seen:
            continue
        seen.add((s, p, o))
        pos.setdefault(p, {}).setdefault(o, {})[s] = 1
        osp.setdefault(o, {}).setdefault(s, {})[p] = 1
    return pos, osp


def _nested(index: dict) -> list:
    """An index with the order of every level kept, comparable with ==."""
    return [(k, _nested(v) if isinstance(v, dict) else v) for k, v in index.items()]


@pytest.mark.parametrize("seed", range(3))
def test_the_pos_and_osp_indexes_filled_when_first_asked_are_those_filled_as_added(seed: int) -> None:
    # What reads a graph by predicate or object reads those indexes in their order: filled
    # late, they must be what filling them triple by triple made, level by level, in order.
    rng = random.Random(seed)
    triples, _, predicates, objects = _terms(rng)
    rng.shuffle(triples)
    triples += rng.sample(triples, 20)  # repeated: no new triple
    graph = new_graph()
    store = graph.store
    assert isinstance(store, IndexedMemory)
    add_triples(graph, triples[:100])
    list(graph.triples((None, predicates[0], None)))  # pos filled, osp not yet
    for t in triples[100:150]:
        graph.add(t)
    list(graph.triples((None, None, objects[0])))  # osp filled, pos behind
    add_triples(graph, triples[150:])
    list(graph.triples((None, predicates[1], objects[1])))
    list(graph.triples((None, None, objects[2])))
    pos, osp = _eager_indexes(triples)
    assert _nested(store._pos) == _nested(pos)
    assert _nested(store._osp) == _nested(osp)
    assert store._pending == []  # nothing kept once both indexes hold every triple


def test_a_graph_read_only_by_subject_never_fills_the_pos_and_osp_indexes() -> None:
    triples, subjects, _, _ = _terms(random.Random(11))
    graph = new_graph()
    add_triples(graph, triples)
    assert len(list(graph)) == len(triples)
    assert list(graph.triples((subjects[0], None, None)))
    store = graph.store
    assert isinstance(store, IndexedMemory)
    assert store._pos == {} and store._osp == {}
    # removing fills them first: a removal takes the triple out of every index
    graph.remove((subjects[0], None, None))
    pos, osp = _eager_indexes([t for t in triples if t[0] != subjects[0]])
    assert sorted(map(str, graph)) == sorted(str(t) for t in triples if t[0] != subjects[0])
    assert {p: {o: set(s) for o, s in by_o.items()} for p, by_o in store._pos.items()} == \
        {p: {o: set(s) for o, s in by_o.items()} for p, by_o in pos.items()}
    assert {o: {s: set(p) for s, p in by_s.items()} for o, by_s in store._osp.items() if by_s} == \
        {o: {s: set(p) for s, p in by_s.items()} for o, by_s in osp.items()}
