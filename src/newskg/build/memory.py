"""The build's in-memory graphs: an rdflib Store that adds and iterates quickly, and the
named graphs of the sources without a context-aware Dataset.

Why not rdflib's own stores: at a million triples the build spent most of its time in
them. rdflib's default ``Memory`` store keeps, for every triple, the set of its contexts
and dispatches an event per add (31 µs a triple measured on this machine); ``SimpleMemory``
still pays an exception per new index key, yields a fresh generator per matched triple
and counts ``len`` by iterating (12 µs a triple to add). ``IndexedMemory`` keeps the same
three nested-dict indexes (spo, pos, osp) and a running count, and nothing else: the build
never uses rdflib's contexts, events, quoted graphs or transactions. Its answers are
rdflib's, pattern for pattern (tests/test_memory.py compares them).
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Generator, Iterable, Iterator
from typing import Any

from rdflib import Graph, URIRef
from rdflib.store import Store

_NO_CONTEXTS: tuple = ()


@contextlib.contextmanager
def without_cycle_collection() -> Iterator[None]:
    """Python's cycle collector off for the block, as it was before afterwards.

    The build holds millions of small containers (index dicts, terms, tuples) that live until
    it ends and form no garbage cycles; the collector's full passes re-scan all of them each
    time, which at a million triples cost about a fifth of the build's CPU time. Reference
    counting still frees everything that is dropped."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def return_freed_memory() -> None:
    """Hand the memory freed so far back to the system, where the C library keeps it (glibc).

    What pyoxigraph allocates in a thread (the quality-check store is filled in one) comes
    from that thread's malloc arena, which glibc does not shrink when it is freed: without
    this, the ~400 MB of the million-triple quality-check store stayed resident into the
    build's peak. A no-op where there is no ``malloc_trim``."""
    import ctypes

    try:
        trim = ctypes.CDLL(None).malloc_trim  # the process's own symbols: libc's where it is glibc
    except (OSError, AttributeError):
        return
    trim(0)


class IndexedMemory(Store):
    """A triple store of three nested-dict indexes (spo, pos, osp) with a running count.

    The pos and osp indexes are filled when a pattern first needs them (its subject unbound,
    its predicate or object bound), from the triples added since, in the order they were
    added: the same indexes, in the same order, as if filled triple by triple. Most of the
    build's graphs are never asked such a pattern (the million-triple corpus's 36,000 claim
    graphs), and the others mostly by predicate only: filling both indexes of every triple as
    it was parsed cost a second of the parse, and their memory to the end of the build.
    """

    context_aware = False
    formula_aware = False
    graph_aware = False

    def __init__(self, configuration=None, identifier=None):
        super().__init__(configuration)
        self.identifier = identifier
        self._spo: dict = {}
        self._pos: dict = {}
        self._osp: dict = {}
        self._count = 0
        #: the triples added to spo, in order, from the first one pos or osp does not hold yet
        self._pending: list[tuple] = []
        #: how many of ``_pending`` the pos and the osp index hold
        self._in_pos = self._in_osp = 0
        self._namespace: dict[str, URIRef] = {}
        self._prefix: dict[URIRef, str] = {}

    def add(self, triple, context=None, quoted: bool = False) -> None:
        """Add one triple (the context is ignored: one store holds one graph)."""
        s, p, o = triple
        objects = self._spo.setdefault(s, {}).setdefault(p, {})
        if o in objects:
            return
        objects[o] = 1
        self._pending.append((s, p, o))
        self._count += 1

    def addN(self, quads: Iterable) -> None:
        """Add many (subject, predicate, object, context) quads (the context is ignored)."""
        self.add_triples((s, p, o) for s, p, o, _context in quads)

    def add_triples(self, triples: Iterable) -> int:
        """Add many (subject, predicate, object) triples; how many were not in the store already.

        The loop of `add` inlined, as this is the build's hot path: an index level is looked up
        before it is made (``setdefault(key, {})`` would build a dict for every triple), and
        the object is hashed once to learn whether the triple is new (a Literal hashes in
        Python, not in C)."""
        spo = self._spo
        keep = self._pending.append
        before = len(self._pending)
        by_predicate: dict[Any, dict[Any, int]] | None
        objects: dict[Any, int] | None
        for triple in triples:
            s, p, o = triple
            by_predicate = spo.get(s)
            if by_predicate is None:
                by_predicate = spo[s] = {}
            objects = by_predicate.get(p)
            if objects is None:
                objects = by_predicate[p] = {}
            known = len(objects)
            objects[o] = 1
            if len(objects) != known:
                keep(triple if type(triple) is tuple else (s, p, o))
        added = len(self._pending) - before
        self._count += added
        return added

    def _fill_pos(self) -> None:
        """Add the triples added since to the pos index, in the order they were added."""
        added, pos = self._pending, self._pos
        for index in range(self._in_pos, len(added)):
            s, p, o = added[index]
            by_object = pos.get(p)
            if by_object is None:
                by_object = pos[p] = {}
            by_object.setdefault(o, {})[s] = 1
        self._in_pos = len(added)
        self._forget_pending()

    def _fill_osp(self) -> None:
        """Add the triples added since to the osp index, in the order they were added."""
        added, osp = self._pending, self._osp
        for index in range(self._in_osp, len(added)):
            s, p, o = added[index]
            osp.setdefault(o, {}).setdefault(s, {})[p] = 1
        self._in_osp = len(added)
        self._forget_pending()

    def _forget_pending(self) -> None:
        if self._in_pos == self._in_osp == len(self._pending):
            self._pending, self._in_pos, self._in_osp = [], 0, 0

    def remove(self, triple_pattern, context=None) -> None:
        """Remove every triple matching the pattern (None: any term)."""
        self._fill_pos()
        self._fill_osp()
        for (s, p, o), _ in list(self.triples(triple_pattern)):
            _drop(self._spo, s, p, o)
            _drop(self._pos, p, o, s)
            _drop(self._osp, o, s, p)
            self._count -= 1

    def by_subject(self) -> dict:
        """The spo index itself (subject -> predicate -> objects), for a caller that walks every
        triple and shares the work of a subject and of a predicate; not to be changed."""
        return self._spo

    def triples(self, triple_pattern, context=None) -> Iterator:
        """The triples matching the pattern, each with no contexts (as rdflib's stores yield them)."""
        s, p, o = triple_pattern
        none = _NO_CONTEXTS
        if s is not None:
            by_predicate = self._spo.get(s)
            if not by_predicate:
                return
            if p is not None:
                objects = by_predicate.get(p)
                if not objects:
                    return
                if o is not None:
                    if o in objects:
                        yield (s, p, o), none
                    return
                for obj in list(objects):
                    yield (s, p, obj), none
                return
            for pred, objects in list(by_predicate.items()):
                if o is not None:
                    if o in objects:
                        yield (s, pred, o), none
                    continue
                for obj in list(objects):
                    yield (s, pred, obj), none
        elif p is not None:
            if self._in_pos != len(self._pending):
                self._fill_pos()
            by_object = self._pos.get(p)
            if not by_object:
                return
            if o is not None:
                for subj in list(by_object.get(o, ())):
                    yield (subj, p, o), none
                return
            for obj, subjects in list(by_object.items()):
                for subj in list(subjects):
                    yield (subj, p, obj), none
        elif o is not None:
            if self._in_osp != len(self._pending):
                self._fill_osp()
            for subj, predicates in list(self._osp.get(o, {}).items()):
                for pred in list(predicates):
                    yield (subj, pred, o), none
        else:
            for subj, by_predicate in list(self._spo.items()):
                for pred, objects in list(by_predicate.items()):
                    for obj in list(objects):
                        yield (subj, pred, obj), none

    def __len__(self, context=None) -> int:
        return self._count

    def clear(self) -> None:
        """Drop every triple (reference counting frees the indexes at once, no cycle collection
        needed) and keep the prefixes."""
        self._spo, self._pos, self._osp, self._count = {}, {}, {}, 0
        self._pending, self._in_pos, self._in_osp = [], 0, 0

    def contexts(self, triple=None) -> Generator[Graph, None, None]:
        yield from ()

    def bind(self, prefix: str, namespace: URIRef, override: bool = True) -> None:
        """Bind ``prefix`` to ``namespace`` (replacing an earlier binding of either when ``override``)."""
        bound_namespace = self._namespace.get(prefix)
        bound_prefix = self._prefix.get(namespace)
        if bound_prefix is None and bound_namespace is not None:
            bound_prefix = self._prefix.get(bound_namespace)
        if override:
            if bound_prefix is not None:
                self._namespace.pop(bound_prefix, None)
            if bound_namespace is not None:
                self._prefix.pop(bound_namespace, None)
            self._prefix[namespace] = prefix
            self._namespace[prefix] = namespace
        else:
            namespace = bound_namespace if bound_namespace is not None else namespace
            prefix = bound_prefix if bound_prefix is not None else prefix
            self._prefix[namespace] = prefix
            self._namespace[prefix] = namespace

    def namespace(self, prefix: str) -> URIRef | None:
        return self._namespace.get(prefix)

    def prefix(self, namespace: URIRef) -> str | None:
        return self._prefix.get(namespace)

    def namespaces(self) -> Iterator[tuple[str, URIRef]]:
        yield from list(self._namespace.items())


def _drop(index: dict, a, b, c) -> None:
    inner = index[a]
    leaf = inner[b]
    del leaf[c]
    if not leaf:
        del inner[b]
        if not inner:
            del index[a]


def new_graph(identifier=None) -> Graph:
    """An rdflib Graph on an `IndexedMemory` store (bind prefixes with namespaces.bind_prefixes)."""
    return Graph(store=IndexedMemory(), identifier=identifier)


class NamedGraphs:
    """The sources' named graphs, each an `IndexedMemory` graph, by IRI, in the order first named.

    What the build used of rdflib's Dataset (``graph``, ``graphs``, ``namespaces``) without its
    context bookkeeping, which cost more than the triples themselves.
    """

    def __init__(self) -> None:
        self._graphs: dict[URIRef, Graph] = {}
        self._prefixes = new_graph()

    def graph(self, iri: URIRef) -> Graph:
        """The graph named ``iri``, created empty the first time it is asked for."""
        found = self._graphs.get(iri)
        if found is None:
            found = self._graphs[iri] = new_graph(iri)
        return found

    def graphs(self) -> Iterator[Graph]:
        """Every graph named so far (empty ones included)."""
        return iter(list(self._graphs.values()))

    def bind(self, prefix: str, namespace, override: bool = True, replace: bool = False) -> None:
        """Record a prefix (what explain and the writer show terms with), as Graph.bind does."""
        self._prefixes.bind(prefix, namespace, override=override, replace=replace)

    def namespaces(self) -> Iterator[tuple[str, URIRef]]:
        """The prefixes bound with `bind`."""
        return self._prefixes.namespaces()

    def __len__(self) -> int:
        return sum(len(g) for g in self._graphs.values())


def add_triples(graph: Graph, triples: Iterable) -> int | None:
    """Add rdflib ``triples`` to ``graph``; straight into its store when it is an `IndexedMemory`
    (skipping Graph.addN's per-term type assertions: the parser's terms are checked already),
    and then say how many of them were new to it (None for another store)."""
    store = graph.store
    if isinstance(store, IndexedMemory):
        return store.add_triples(triples)
    graph.addN((s, p, o, graph) for s, p, o in triples)
    return None


class Chained:
    """The union of several graphs, read one graph after another, as often as asked.

    For a reader that only iterates (the reasoner's input): no union copy, whose indexes
    would cost as much as the graphs themselves. Each triple comes once, as from a union
    graph (the incremental reasoner counts what it reads): one already in an earlier graph
    is skipped.
    """

    def __init__(self, *graphs: Graph) -> None:
        self.graphs = graphs

    def __iter__(self) -> Iterator:
        stores = [graph.store for graph in self.graphs]
        indexes = [store.by_subject() for store in stores if isinstance(store, IndexedMemory)]
        if len(indexes) == len(stores):
            return _walk_each_once(indexes)
        return self._read_each_once()

    def _read_each_once(self) -> Iterator:
        for index, graph in enumerate(self.graphs):
            earlier = self.graphs[:index]
            for triple in graph:
                if not any(triple in other for other in earlier):
                    yield triple


def _walk_each_once(indexes: list[dict]) -> Iterator[tuple]:
    """The triples of the spo ``indexes`` one after another, each once, in the order the graphs'
    own iteration gives them. Walked here rather than through rdflib's generators, with each
    triple looked up in the earlier indexes rather than asked of their graphs: the reasoner's
    first input at a million triples (the claim layer, then the confirmed facts) took 1.9 s to
    read that way, 1.6 s of it those layers and the 75,000 membership tests."""
    for position, spo in enumerate(indexes):
        earlier = indexes[:position]
        for s, by_predicate in spo.items():
            held = [found for index in earlier if (found := index.get(s))]
            for p, objects in by_predicate.items():
                others = [found for predicates in held if (found := predicates.get(p))] if held else None
                if others:
                    for o in objects:
                        if not any(o in other for other in others):
                            yield s, p, o
                else:
                    for o in objects:
                        yield s, p, o
