"""A read-only union of the build's graphs that copies no triple: the claim layer.

The claim layer (every report graph and the background) was a copy of those graphs: at a
million triples, three more indexes of three quarters of a million triples, built in
seconds and held to the end of reasoning. ``UnionMemory`` shares the graphs' own spo
indexes instead: one entry per subject, pointing at the predicate dict of the graph that
holds it; only a subject held by more than one graph gets a merged dict of its own.

Its answers are those of the copy, pattern for pattern and in the copy's order
(tests/test_union.py compares them), so whatever reads the claim layer (the claims, the
placement check, the reasoner, the explanation of a clash, SHACL) reads the same triples in
the same order: each triple once, even one held by two graphs.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from rdflib import Graph

from newskg.build.memory import IndexedMemory

_NO_CONTEXTS: tuple = ()


class UnionMemory(IndexedMemory):
    """The union of `IndexedMemory` graphs, read-only, over their own indexes.

    A pattern with its subject given (and the whole union) is answered from the shared spo
    index; one without, by walking the graphs' subjects in order, as their copy's pos and
    osp indexes would have been filled. The graphs must not change while it is read.
    """

    def __init__(self, graphs: Sequence[Graph]):
        super().__init__()
        indexes = []
        for graph in graphs:
            if not isinstance(graph.store, IndexedMemory):
                raise TypeError(f"UnionMemory takes IndexedMemory graphs, not {type(graph.store).__name__}")
            indexes.append(graph.store.by_subject())
        self._indexes = indexes
        spo: dict = {}
        merged: set = set()  # the subjects whose predicate dict is the union's own
        count = sum(len(graph) for graph in graphs)
        for index in indexes:
            for s, by_predicate in index.items():
                held = spo.get(s)
                if held is None:
                    spo[s] = by_predicate
                    continue
                if s not in merged:
                    held = spo[s] = {p: dict(objects) for p, objects in held.items()}
                    merged.add(s)
                for p, objects in by_predicate.items():
                    into = held.setdefault(p, {})
                    before = len(into)
                    into.update(objects)
                    count -= len(objects) - (len(into) - before)  # those already held
        self._spo = spo
        self._pos = self._osp = None  # type: ignore[assignment]  # never built: see triples
        self._count = count
        self._shared = bool(merged)

    def add(self, triple, context=None, quoted: bool = False) -> None:
        raise TypeError("a UnionMemory is read-only")

    def addN(self, quads) -> None:
        raise TypeError("a UnionMemory is read-only")

    def remove(self, triple_pattern, context=None) -> None:
        raise TypeError("a UnionMemory is read-only")

    def clear(self) -> None:
        raise TypeError("a UnionMemory is read-only")

    def triples(self, triple_pattern, context=None) -> Iterator:
        """The triples matching the pattern, each once, in the order their copy gives them."""
        s, p, o = triple_pattern
        if s is not None or (p is None and o is None):
            yield from super().triples(triple_pattern, context)
            return
        none = _NO_CONTEXTS
        if p is not None:
            # The copy's pos index: objects in the order first added, each object's subjects
            # in the order added; triples were added graph after graph, in each graph's spo order.
            by_object: dict = {}
            for s2, objects in self._added(p):
                if o is None:
                    for obj in objects:
                        by_object.setdefault(obj, {})[s2] = 1
                elif o in objects:
                    by_object.setdefault(o, {})[s2] = 1
            for obj, subjects in by_object.items():
                for subj in subjects:
                    yield (subj, p, obj), none
            return
        # The copy's osp index for ``o``: subjects in the order first added, then their predicates.
        by_subject: dict = {}
        for index in self._indexes:
            for s2, by_predicate in index.items():
                for pred, objects in by_predicate.items():
                    if o in objects:
                        by_subject.setdefault(s2, {})[pred] = 1
        for subj, predicates in by_subject.items():
            for pred in predicates:
                yield (subj, pred, o), none

    def _added(self, p) -> Iterator[tuple]:
        """(subject, objects) of every graph's triples of predicate ``p``, graph after graph."""
        for index in self._indexes:
            for s, by_predicate in index.items():
                objects = by_predicate.get(p)
                if objects:
                    yield s, objects


def union_view(graphs: Sequence[Graph]) -> Graph:
    """The union of ``graphs`` (the build's `IndexedMemory` graphs) as a read-only Graph, with no copy."""
    return Graph(store=UnionMemory(graphs))
