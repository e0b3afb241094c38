"""SHACL validation compiled to SPARQL and run on pyoxigraph: the build's default validator.

pyshacl (``newskg.build.checks.validate_shapes(..., shacl="pyshacl")``) stays the reference:
this module gives the same Problems (focus, message, severity, and how many) for the SHACL
Core components it compiles, and refuses a shapes graph that uses anything else, naming the
shape and the component (`UnsupportedShapeError`), so an extension of ontology/shapes.ttl can
never go unchecked in silence; ``--shacl pyshacl`` validates such a graph.

How: every constraint of a targeted shape becomes one SPARQL SELECT whose rows are its
validation results; shapes used by other shapes (sh:node, sh:not, sh:or, sh:and,
sh:qualifiedValueShape) become boolean expressions ("this node does not conform") inside them.
The Rust engine scans what each query needs once, instead of pyshacl's per-focus-node work.

From `FILTER_MIN_TRIPLES` on, only the triples a shape can read are loaded: those whose
predicate is in `_Plan.reads` (the predicates of every path, target and sh:lessThan reached from
a targeted shape, rdf:type and rdfs:subClassOf for class targets and sh:class, and what each
SPARQL-based constraint reads). A
triple of another predicate cannot change any result: every query the compiler writes reads the
data only through triple patterns with those predicates. When a SPARQL-based constraint may read
a predicate the analysis cannot name (a variable or a negated property set in predicate position,
a path of zero steps between variables, which matches every node of the graph, GRAPH, a dataset
clause, a query rdflib cannot parse), every triple is loaded. For the project's
shapes on the synthetic corpus this keeps 70% of the triples the build validates (1.12M of 1.60M
at a million asserted): nearly all of the claim layer, a third of the claims' content.

Where the two engines could disagree, this one follows pyshacl (it is the reference), and
refuses what it cannot follow:

- A pyoxigraph Store rewrites typed literals (``"3"^^xsd:nonNegativeInteger`` is stored as
  ``"3"^^xsd:integer``, ``"01"`` as ``"1"``, ``"1"^^xsd:boolean`` as ``"true"``), which would
  break sh:datatype, counts and sh:hasValue. The loader keeps every literal the store would
  change under a private datatype IRI (`_WRAP`) in the graph the core constraints read, and in
  its native form in the graph the SPARQL-based constraints read, so these see the values a
  SPARQL engine sees. That is why the input is triples, never a ready Store; but for the
  build's quality-check store, which holds every other term as the graphs do
  (`validate_store_sparql`): its typed literals are replaced by the graphs' own, and it is
  given up where one view of the data cannot serve both kinds of constraint.
- Whether a literal of sh:datatype D is well formed is decided in Python by rdflib, as pyshacl
  does; sh:lessThan pairs that SPARQL cannot settle with certainty are compared in Python as
  pyshacl compares them.
- pyshacl runs with ``allow_warnings``: when no result has a Violation severity (or sits under a
  Warning shape), the graph conforms and no Problem is returned. A shape used by another shape
  must keep the default severity (its conformance would otherwise depend on where it is used).
- A shape whose constraints report at the top level needs an sh:message: pyshacl's generated
  texts (which print blank nodes as Turtle) are not reproduced.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from functools import cached_property
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, unquote

from newskg.background import InTurn
from newskg.errors import Problem, UnsupportedShapeError
from newskg.namespaces import shorten

if TYPE_CHECKING:
    from rdflib import Graph

SH = "http://www.w3.org/ns/shacl#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
XSD = "http://www.w3.org/2001/XMLSchema#"

#: Datatype IRI base of a literal the store would rewrite, kept as written (see module docstring).
_WRAP = "urn:newskg:shacl:literal:"
#: The same for a language-tagged literal whose tag is not in lower case (the store lowers it).
_WRAP_LANG = "urn:newskg:shacl:lang:"
#: Graphs of the literals the store would rewrite: as written (core constraints), native (SPARQL).
_WRITTEN_GRAPH = "urn:newskg:shacl:written"
_NATIVE_GRAPH = "urn:newskg:shacl:native"
#: Variable the SPARQL-based constraints get their focus node in (the query's own $this may be absent).

#: Parameters this module compiles, by the kind of shape they may sit on.
_VALUE_PARAMETERS = {"class", "datatype", "nodeKind", "in", "minLength", "maxLength", "node", "not", "or", "and"}
_PROPERTY_ONLY = {"minCount", "maxCount", "qualifiedValueShape", "qualifiedMinCount", "qualifiedMaxCount",
                  "lessThan"}
_HANDLED = (_VALUE_PARAMETERS | _PROPERTY_ONLY
            | {"hasValue", "property", "sparql", "path", "message", "severity", "deactivated",
               "targetClass", "targetNode", "targetObjectsOf", "targetSubjectsOf"})
#: sh: terms on a shape that validate nothing (labels, form hints) and are ignored, as by pyshacl.
_INERT = {"name", "description", "order", "group", "defaultValue", "declare", "prefixes"}
_TARGETS = ("targetClass", "targetNode", "targetObjectsOf", "targetSubjectsOf")
_NODE_KINDS = {"IRI": "isIRI({v})", "BlankNode": "isBlank({v})", "Literal": "isLiteral({v})",
               "BlankNodeOrIRI": "(isBlank({v}) || isIRI({v}))",
               "BlankNodeOrLiteral": "(isBlank({v}) || isLiteral({v}))",
               "IRIOrLiteral": "(isIRI({v}) || isLiteral({v}))"}
#: Largest count a nested shape may ask for (written as that many distinct variables).
_NESTED_COUNT_LIMIT = 4
_LENIENT = (SH + "Warning", SH + "Info")


def validate_shapes_sparql(triples: Iterable, shapes: Graph) -> list[Problem]:
    """Validate ``triples`` against the SHACL ``shapes``; the Problems pyshacl would give.

    ``triples`` are pyoxigraph Triples or Quads as parsed (graph names are ignored: the data
    graph is their union), never a pyoxigraph Store, which rewrites typed literals. Raises
    UnsupportedShapeError, before reading any data, when a shape uses a SHACL feature this
    module does not compile.
    """
    plan = _Plan(shapes)
    loader = _Loader(plan.datatypes, plan.reads, plan.sparql_reads)
    loader.add_oxigraph(triples)
    return _run(plan, loader)


def validate_graphs_sparql(graphs: Iterable[Graph], shapes: Graph) -> list[Problem]:
    """`validate_shapes_sparql` over the union of rdflib ``graphs`` (the build's current inputs)."""
    plan = _Plan(shapes)
    graphs = list(graphs)
    # Below this size, finding what the shapes read costs more than loading everything.
    large = sum(len(graph) for graph in graphs) >= FILTER_MIN_TRIPLES
    loader = _Loader(plan.datatypes, plan.reads, plan.sparql_reads) if large else _Loader(plan.datatypes)
    loader.add_rdflib(graphs)
    return _run(plan, loader)


def validate_store_sparql(store: Any, graphs: list[Graph], added: list[Graph], shapes: Graph,
                          typed: Iterable) -> list[Problem] | None:
    """`validate_graphs_sparql` over ``graphs`` and ``added``, where the pyoxigraph ``store``
    already holds ``graphs``, each as the named graph of its identifier: only ``added`` and the
    graphs' typed literals are converted and added to it; the queries read the union of its
    named graphs. None, when that could give other Problems: the caller then validates the
    graphs (`validate_graphs_sparql`).

    The store must hold nothing else, every IRI, blank node, string and language-tagged string
    as the graphs do, and ``typed`` must name every literal with a datatype it holds as the
    graphs hold it (the build's quality-check store, when rdflib changed no literal and read no
    file: `Sources.store_exact`, `Sources.store_strings_exact`, `Sources.typed_literals`).
    Typed literals are taken from the graphs, as `_Loader` keeps them: a store rewrites some
    ("01"^^xsd:integer is "1"; two such objects of a subject's predicate become one), and only
    the graphs still say how they were written. The store is changed (the typed literals the
    shapes can read removed, the added triples added), even when None is returned. Raises
    UnsupportedShapeError as `validate_shapes_sparql` does.
    """
    import pyoxigraph as ox
    from rdflib import BNode, URIRef

    plan = _Plan(shapes)
    held = {str(graph.identifier): graph for graph in graphs if len(graph)}
    size = sum(len(graph) for graph in held.values())
    # Below the size at which the loader filters, nothing to gain; `reads` would cost ~0.5 s.
    if size + sum(len(graph) for graph in added) < FILTER_MIN_TRIPLES:
        return None
    reads, native = plan.reads, plan.sparql_reads
    # The union of named graphs holds a triple once per graph that has it: a SPARQL-based
    # constraint that counts its solutions, or keeps some, could see more than in one graph.
    if reads is None or native is None or any(_COUNTING.search(query) for query in plan._queries):
        return None
    # (Not its size: the store holds two objects it rewrites alike as one.) Nothing in its
    # default graph either, which the union of its named graphs leaves out.
    if {name.value for name in store.named_graphs()} != set(held) or \
            next(iter(store.quads_for_pattern(None, None, None, ox.DefaultGraph())), None) is not None:
        return None
    # The quads of the typed literals, found by each literal as written (which the store
    # rewrites as it rewrote the literal it holds), replaced by the graphs' triples.
    quads: dict = {}
    for literal in typed:
        term = ox.Literal(str(literal), datatype=ox.NamedNode(str(literal.datatype)))
        for quad in store.quads_for_pattern(None, None, term, None):
            if quad.predicate.value in reads:
                quads[quad] = None
    by_graph: dict[str, dict] = {}
    for quad in quads:
        store.remove(quad)
        s = quad.subject
        by_graph.setdefault(quad.graph_name.value, {}).setdefault(
            BNode(s.value) if isinstance(s, ox.BlankNode) else URIRef(s.value), set()).add(quad.predicate.value)
    loader = _Loader(plan.datatypes, reads, native, store=store, graph=_ADDED_GRAPH)
    loader.union = True
    loader._add_grouped([*(_typed_triples(held[name], subjects) for name, subjects in sorted(by_graph.items())),
                         *(_by_subject(graph) for graph in added)])
    if loader.rewritten:
        # A literal the store rewrites under a predicate the SPARQL-based constraints read: they
        # need its native form, the others its written one, in views a union cannot give.
        return None
    return _run(plan, loader)


#: The data size from which `validate_graphs_sparql` loads only what the shapes read.
FILTER_MIN_TRIPLES = 50_000
#: The graph of the quads `validate_store_sparql` adds to the store it is given.
_ADDED_GRAPH = "urn:newskg:shacl:added"
#: What makes a query's answer depend on how many times a solution comes (or which come first).
_COUNTING = re.compile(r"\b(COUNT|SUM|AVG|GROUP_CONCAT|SAMPLE|LIMIT|OFFSET)\b", re.I)
#: Quads converted before they are added to the store in one go (in a thread, `_Loader._extend`).
_STORE_BATCH = 200_000
#: At most this many compiled queries answered at once (one a CPU): pyoxigraph evaluates a
#: query without the GIL.
_MAX_QUERY_THREADS = 4


def check_supported(shapes: Graph) -> None:
    """Raise UnsupportedShapeError if ``shapes`` uses a feature `validate_shapes_sparql` refuses."""
    _Plan(shapes)


# --------------------------------------------------------------------------- loading the data


def _typed_triples(graph: Graph, subjects: dict) -> Iterator[tuple]:
    """(subject, {predicate: typed literals}) of ``graph``, for each of ``subjects`` (subject ->
    the IRIs of its predicates)."""
    from rdflib import Literal

    by_subject = _subject_index(graph)
    for s, predicates in subjects.items():
        yield s, {p: [o for o in objects if isinstance(o, Literal) and o.datatype is not None]
                  for p, objects in by_subject.get(s, {}).items() if str(p) in predicates}


def _by_subject(graph: Graph) -> Iterable[tuple]:
    """(subject, {predicate: objects}) for every subject of ``graph``."""
    return _subject_index(graph).items()


def _subject_index(graph: Graph) -> dict:
    """{subject: {predicate: objects}} of ``graph``: the spo index of the build's own graphs
    (`IndexedMemory`), else grouped here."""
    from newskg.build.memory import IndexedMemory

    if isinstance(graph.store, IndexedMemory):
        return graph.store.by_subject()
    grouped: dict = {}
    for s, p, o in graph:
        grouped.setdefault(s, {}).setdefault(p, []).append(o)
    return grouped


class _Loader:
    """Fills a pyoxigraph Store with the data, keeping every literal as written (see `_WRAP`);
    only the triples whose predicate is in ``reads`` (an IRI set; None: every triple).

    A literal the store would rewrite gets its native copy (`_NATIVE_GRAPH`) only under a
    predicate in ``native`` (what the SPARQL-based constraints read; None: every predicate);
    under another, its written form goes to the default graph alone: no SPARQL-based
    constraint reads it, and the core constraints read the default graph too. At a million
    triples that spares 71,000 quads (the oa:start and oa:end integers) and their conversion."""

    def __init__(self, datatypes: set[str], reads: set[str] | None = None, native: set[str] | None = None,
                 store: Any = None, graph: str | None = None):
        import pyoxigraph as ox

        self.ox = ox
        self._reads = reads
        self._native_reads = native
        self.store = ox.Store() if store is None else store
        #: The graph the quads go to (but the written and native forms): None, the default graph.
        self._graph = ox.DefaultGraph() if graph is None else ox.NamedNode(graph)
        self._end = " .\n" if graph is None else f" {self._graph} .\n"
        #: Whether the queries read the union of the store's named graphs (`validate_store_sparql`)
        #: rather than its default graph.
        self.union = False
        self._scratch = ox.Store()
        self._datatypes = datatypes
        #: store term (core view) of each literal pyshacl's sh:datatype check rejects, by datatype
        self.ill_typed: dict[str, list] = {d: [] for d in datatypes}
        #: Whether literals were loaded in the written and native graphs (which the queries
        #: then read beside the default graph); else every quad is in the default graph.
        self.rewritten = False
        self._literals: dict[tuple, tuple] = {}
        self._written = ox.NamedNode(_WRITTEN_GRAPH)
        self._native = ox.NamedNode(_NATIVE_GRAPH)
        self._blank_names: dict[str, str] = {}
        self._loading = InTurn("shacl-store", _load_nquads)

    def add_rdflib(self, graphs: Iterable[Graph]) -> None:
        """Add the triples of rdflib ``graphs`` (their terms converted once each).

        The quads go to the store as N-Quads text, which `load` parses and indexes without
        the GIL, in a thread, beside the conversion of the next batch: `bulk_extend` holds the
        GIL for as long as it runs (pyoxigraph 0.5), so a batch of quad objects added "in a
        thread" stopped the conversion for the whole ~4 µs a quad. Quads with a blank node are
        the exception, added as objects at the end: a load names blank nodes afresh."""
        self._add_grouped(_by_subject(graph) for graph in graphs)

    def _add_grouped(self, groups: Iterable[Iterable[tuple]]) -> None:
        """Add the triples of each group of (subject, {predicate: objects}) (`add_rdflib`)."""
        from rdflib import BNode, Literal

        reads, native_reads = self._reads, self._native_reads
        in_written, in_native = f" <{_WRITTEN_GRAPH}> .\n", f" <{_NATIVE_GRAPH}> .\n"
        end = self._end
        # Whether a literal with a native form was written in two graphs (see `rewritten`).
        paired = False
        # Each converted term as (pyoxigraph term, its N-Quads text or None for a blank node).
        nodes: dict = {}
        literals: dict = {}
        # id(term) -> (term, converted): the graphs share term objects, and an int key spares
        # rdflib's Python-level __hash__/__eq__ (holding the term keeps its id unique).
        by_id: dict[int, tuple] = {}
        # The same for predicates, converted to None when no shape reads them, with whether the
        # SPARQL-based constraints read them (their literals then need a native copy).
        predicate_ids: dict[int, tuple] = {}
        object_ids: dict[int, tuple] = {}
        lines: list[str] = []
        append = lines.append
        blank: list = []
        for grouped in groups:
            # Subject by subject, predicate by predicate (the graph's spo index where it has one):
            # each subject and predicate converted once for all its triples, a subject only once
            # one of its predicates is read.
            for s, by_predicate in grouped:
                if len(lines) >= _STORE_BATCH:
                    self._extend(lines)
                    lines = []
                    append = lines.append
                subject = None
                for p, objects in by_predicate.items():
                    seen = predicate_ids.get(id(p))
                    if seen is not None and seen[0] is p:
                        _, predicate, in_sparql = seen
                    else:
                        predicate = None
                        if reads is None or str(p) in reads:
                            predicate = nodes.get(p)
                            if predicate is None:
                                predicate = nodes[p] = self._node(p, False)
                        in_sparql = native_reads is None or str(p) in native_reads
                        predicate_ids[id(p)] = (p, predicate, in_sparql)
                    if predicate is None:
                        continue
                    if subject is None:
                        seen = by_id.get(id(s))
                        if seen is not None and seen[0] is s:
                            subject = seen[1]
                        else:
                            subject = nodes.get(s)
                            if subject is None:
                                subject = nodes[s] = self._node(s, isinstance(s, BNode))
                            by_id[id(s)] = (s, subject)
                    head = None if subject[1] is None else f"{subject[1]} {predicate[1]} "
                    for o in objects:
                        # Objects by id too, with what they become (literal or not) decided once:
                        # isinstance against rdflib's term classes goes through abc's
                        # __instancecheck__ (1.9 million calls for the 1M corpus).
                        seen = object_ids.get(id(o))
                        if seen is not None and seen[0] is o:
                            found = seen[1]
                        else:
                            if isinstance(o, Literal):
                                found = literals.get(o)
                                if found is None:
                                    written, native = self._literal(
                                        str(o), str(o.datatype) if o.datatype else None, o.language, o)
                                    found = literals[o] = (written, native, str(written),
                                                           None if native is None else str(native))
                            else:
                                found = nodes.get(o)
                                if found is None:
                                    found = nodes[o] = self._node(o, isinstance(o, BNode))
                                found = (found[0], None, found[1], None)
                            object_ids[id(o)] = (o, found)
                        if head is None or found[2] is None:
                            paired |= self._blank_quads(blank, subject[0], predicate[0], found, in_sparql)
                        elif found[1] is None or not in_sparql:
                            append(f"{head}{found[2]}{end}")
                        else:
                            paired = True
                            append(f"{head}{found[2]}{in_written}")
                            append(f"{head}{found[3]}{in_native}")
        self._extend(lines)
        self._finish()
        if blank:
            self.store.bulk_extend(blank)
        self.rewritten |= paired

    def _node(self, term, blank: bool) -> tuple:
        """(pyoxigraph term, its N-Quads text or None for a blank node) of an rdflib IRI or blank node."""
        if blank:
            return self._blank(str(term)), None
        node = self.ox.NamedNode(str(term))
        return node, str(node)

    def _blank_quads(self, blank: list, subject, predicate, found: tuple, paired: bool) -> bool:
        """Add the quads of a triple with a blank node to ``blank``; whether they went to the
        written and native graphs (``paired``: its predicate needs the native copy)."""
        written, native = found[0], found[1]
        if native is None or not paired:
            blank.append(self.ox.Quad(subject, predicate, written, self._graph))
            return False
        blank.append(self.ox.Quad(subject, predicate, written, self._written))
        blank.append(self.ox.Quad(subject, predicate, native, self._native))
        return True

    def _extend(self, lines: list[str]) -> None:
        """Add the N-Quads ``lines`` to the store in a thread, after the batch before them."""
        self._loading.start(self.store, lines)

    def _finish(self) -> None:
        """Wait for the batch being added (raising what adding it raised)."""
        self._loading.wait()

    def add_oxigraph(self, triples: Iterable) -> None:
        """Add pyoxigraph Triples or Quads (graph names dropped), blank nodes as they are."""
        ox = self.ox
        quad, literal_type = ox.Quad, ox.Literal
        written_graph, native_graph = self._written, self._native
        string = XSD + "string"
        reads = None if self._reads is None else {ox.NamedNode(p) for p in self._reads}
        native_reads = None if self._native_reads is None else {ox.NamedNode(p) for p in self._native_reads}
        literals: dict = {}
        quads: list = []
        for t in triples:
            if reads is not None and t.predicate not in reads:
                continue
            o = t.object
            if type(o) is literal_type:
                found = literals.get(o)
                if found is None:
                    language = o.language
                    datatype = None if language or o.datatype.value == string else o.datatype.value
                    found = literals[o] = self._literal(o.value, datatype, language, None)
                written, native = found
                if native is None or (native_reads is not None and t.predicate not in native_reads):
                    quads.append(quad(t.subject, t.predicate, written))
                else:
                    self.rewritten = True
                    quads.append(quad(t.subject, t.predicate, written, written_graph))
                    quads.append(quad(t.subject, t.predicate, native, native_graph))
            else:
                quads.append(quad(t.subject, t.predicate, o))
        self.store.bulk_extend(quads)

    def _blank(self, name: str):
        try:
            return self.ox.BlankNode(name)
        except ValueError:  # a label pyoxigraph refuses: a fresh one, shown under the old label
            node = self.ox.BlankNode()
            self._blank_names[node.value] = name
            return node

    def blank_label(self, name: str) -> str:
        """The label a blank node had in the input."""
        return self._blank_names.get(name, name)

    def _literal(self, lexical: str, datatype: str | None, language: str | None, original) -> tuple:
        """(term as written, native term or None when the store keeps it as written)."""
        key = (lexical, datatype, language)
        found = self._literals.get(key)
        if found is not None:
            return found
        ox = self.ox
        if language:
            native = ox.Literal(lexical, language=language)
            written = native if language == language.lower() else \
                ox.Literal(lexical, datatype=ox.NamedNode(_WRAP_LANG + quote(language, safe="")))
        elif datatype is None:
            native = written = ox.Literal(lexical)
        else:
            native = ox.Literal(lexical, datatype=ox.NamedNode(datatype))
            if datatype == XSD + "string" or not self._kept(native):
                written = ox.Literal(lexical, datatype=ox.NamedNode(_WRAP + quote(datatype, safe="")))
            else:
                written = native
            if datatype in self._datatypes and not _datatype_accepts(original, lexical, datatype):
                self.ill_typed[datatype].append(written)
        found = (written, None) if written is native else (written, native)
        self._literals[key] = found
        return found

    def _kept(self, literal) -> bool:
        """Whether the store gives ``literal`` back exactly as written."""
        ox = self.ox
        self._scratch.add(ox.Quad(ox.NamedNode("urn:s"), ox.NamedNode("urn:p"), literal))
        quad = next(iter(self._scratch))
        self._scratch.remove(quad)
        stored = quad.object
        return stored.value == literal.value and stored.datatype == literal.datatype


def _load_nquads(store, lines: list[str]) -> None:
    """Bulk-load N-Quads ``lines`` into ``store`` (a function of its own, not a method: a thread
    holding the loader would keep it, and its store, alive through a cycle)."""
    import pyoxigraph as ox

    # Lenient: every term was made (and so validated) by pyoxigraph before it became text.
    # `load`, not `bulk_load`: into the in-memory store of pyoxigraph 0.5 the same N-Quads cost
    # less CPU (4.2 s instead of 5.5 s for the 1.19 million quads of the 1M corpus's SHACL
    # store); both release the GIL while they parse and index.
    store.load("".join(lines).encode("utf-8"), format=ox.RdfFormat.N_QUADS, lenient=True)


def _datatype_accepts(original, lexical: str, datatype: str) -> bool:
    """pyshacl's sh:datatype test of a literal whose datatype IRI is ``datatype``."""
    from rdflib import Literal, URIRef

    literal = original if original is not None else Literal(lexical, datatype=URIRef(datatype))
    if literal.ill_typed is True:
        return False
    value = literal.value
    expected: Any = {XSD + "string": (str, bytes), RDF + "langString": (str, bytes), XSD + "integer": int,
                     XSD + "float": float, XSD + "decimal": Decimal, XSD + "boolean": bool,
                     XSD + "date": date, XSD + "time": time, XSD + "dateTime": datetime}.get(datatype)
    return expected is None or isinstance(value, expected)


# --------------------------------------------------------------------------- the shapes


@dataclass
class _Query:
    """One SELECT whose rows are validation results of one constraint of one shape."""

    text: str
    message: str | None
    severity: str
    counts: bool  # whether a result makes the data graph non-conforming (pyshacl allow_warnings)
    kind: str = "plain"  # plain | less-than | sparql
    focus: int = 0  # the column of the focus node
    detail: Any = None


class _Plan:
    """The shapes graph checked and compiled (queries are written once the data is loaded)."""

    def __init__(self, shapes: Graph):
        from rdflib import URIRef
        from rdflib.collection import Collection

        self.g = shapes
        self.URIRef = URIRef
        self.Collection = Collection
        self.datatypes: set[str] = set()
        self._refuse_custom_components()
        self.implicit: set = set()
        self.targeted = self._targeted_shapes()
        # What the compiled paths and targets read (class targets and sh:class follow rdf:type
        # and rdfs:subClassOf; the rest is added as the shapes are checked), and the text of each
        # SPARQL-based constraint, parsed only if `reads` is asked for (rdflib's SPARQL parser
        # costs ~0.5 s to import, more than a small build's validation).
        self._read_by_shapes: set[str] = {RDF + "type", RDFS + "subClassOf"}
        self._queries: list[str] = []
        for shape in self.targeted:
            for local in ("targetSubjectsOf", "targetObjectsOf"):
                self._read(str(p) for p in self.values(shape, local))
        self._checked: set = set()
        for shape in self.targeted:
            self._check(shape, self._name(shape), nested=False, trail=())

    # -- reading the shapes graph

    def values(self, node, local: str) -> list:
        return list(self.g.objects(node, self.URIRef(SH + local)))

    def one(self, node, local: str):
        found = self.values(node, local)
        if len(found) > 1:
            raise UnsupportedShapeError(f"{self._name(node)}: more than one sh:{local}")
        return found[0] if found else None

    def items(self, node) -> list:
        return list(self.Collection(self.g, node))

    def _name(self, node) -> str:
        from rdflib import BNode

        if not isinstance(node, BNode):
            return shorten(str(node))
        try:
            path = self._path_text(self.one(node, "path")) if self.is_property_shape(node) else None
        except UnsupportedShapeError:
            path = "(a path not compiled)"
        for parent in self.g.subjects(None, node):
            inner = self._name(parent)
            return f"the shape on path {path} of {inner}" if path is not None else f"a blank-node shape of {inner}"
        return f"the blank-node shape on path {path}" if path is not None else "a blank-node shape"

    def _refuse_custom_components(self) -> None:
        from rdflib import RDF as R

        for component in self.g.subjects(R.type, self.URIRef(SH + "ConstraintComponent")):
            raise UnsupportedShapeError(f"{shorten(str(component))}: custom SHACL constraint components "
                                        "(SHACL-SPARQL sh:ConstraintComponent) are not compiled; "
                                        "validate with --shacl pyshacl")

    def _targeted_shapes(self) -> list:
        from rdflib import RDF as R
        from rdflib import RDFS as RS

        found: set = set()
        for local in _TARGETS:
            found.update(self.g.subjects(self.URIRef(SH + local), None))
        classes = {RS.Class, *self.g.subjects(RS.subClassOf, RS.Class)}
        for kind in ("NodeShape", "PropertyShape"):
            for shape in self.g.subjects(R.type, self.URIRef(SH + kind)):
                if any(t in classes for t in self.g.objects(shape, R.type)):
                    found.add(shape)
                    self.implicit.add(shape)
        for shape in self.g.subjects(self.URIRef(SH + "target"), None):
            raise UnsupportedShapeError(f"{self._name(shape)}: sh:target (SHACL-AF custom targets) is not "
                                        "compiled; validate with --shacl pyshacl")
        return sorted(found, key=str)

    def is_property_shape(self, node) -> bool:
        return (node, self.URIRef(SH + "path"), None) in self.g

    def deactivated(self, node) -> bool:
        flag = self.one(node, "deactivated")
        return flag is not None and bool(flag.toPython())

    def severity(self, node) -> str:
        found = self.one(node, "severity")
        return str(found) if found is not None else SH + "Violation"

    def messages(self, node) -> list[str]:
        return sorted(str(m) for m in self.values(node, "message"))

    def _read(self, iris: Iterable[str]) -> None:
        self._read_by_shapes.update(iris)

    @property
    def reads(self) -> set[str] | None:
        """IRIs of the predicates some compiled query can read (see the module docstring); None
        when a SPARQL-based constraint may read any."""
        return self._analysis[0]

    @property
    def sparql_reads(self) -> set[str] | None:
        """IRIs of the predicates the SPARQL-based constraints can read; None when they may read
        any."""
        return self._analysis[1]

    @cached_property
    def _analysis(self) -> tuple[set[str] | None, set[str] | None]:
        from newskg.background import Background

        # In a thread of its own: pyparsing keeps the exceptions of its last parse (its packrat
        # cache), whose tracebacks reach every frame up the stack and so the locals of the
        # caller's frames once they return (the validator's loaded store), in reference
        # cycles that only the cycle collector frees, and the build turns it off. Measured at
        # a million triples: the store stayed resident, ~1 GB, into the writer's peak.
        return Background("shacl-reads", self._find_reads).result()

    def _find_reads(self) -> tuple[set[str] | None, set[str] | None]:
        """(`reads`, `sparql_reads`)."""
        sparql: set[str] = set()
        for query in self._queries:
            read = _sparql_reads(query)
            if read is None:
                return None, None
            sparql |= read
        return self._read_by_shapes | sparql, sparql

    # -- checking what is used

    def _check(self, shape, name: str, nested: bool, trail: tuple) -> None:
        """Refuse what is not compiled; collect the datatypes whose ill-typed literals matter."""
        if shape in trail:
            raise UnsupportedShapeError(f"{name}: the shape refers to itself (recursive shapes are not compiled)")
        key = (shape, nested)
        if key in self._checked:
            return
        self._checked.add(key)
        trail = (*trail, shape)
        prop = self.is_property_shape(shape)
        if prop:
            # The path's predicates are the IRIs of the path as the queries write it.
            self._read(_IRI.findall(self._path_text(self.one(shape, "path"), name)))
        if nested and self.severity(shape) != SH + "Violation":
            raise UnsupportedShapeError(f"{name}: sh:severity on a shape used by another shape is not compiled "
                                        "(pyshacl's conformance then depends on where the shape is used)")
        for p, o in self.g.predicate_objects(shape):
            text = str(p)
            if not text.startswith(SH):
                continue
            local = text[len(SH):]
            if local in _INERT:
                continue
            if local not in _HANDLED:
                raise UnsupportedShapeError(f"{name}: sh:{local} is not compiled by the SPARQL validator; "
                                            "validate with --shacl pyshacl")
            if local in _PROPERTY_ONLY and not prop:
                raise UnsupportedShapeError(f"{name}: sh:{local} on a node shape is not compiled")
            if local == "lessThan" and nested:
                raise UnsupportedShapeError(f"{name}: sh:lessThan in a shape used by another shape is not compiled")
            if local == "lessThan":
                self._read([str(o)])
            if local in ("sparql",) and (nested or prop):
                raise UnsupportedShapeError(f"{name}: sh:sparql is compiled only on a targeted node shape")
            if local == "qualifiedValueShape" and self.values(shape, "qualifiedValueShapesDisjoint"):
                raise UnsupportedShapeError(f"{name}: sh:qualifiedValueShapesDisjoint is not compiled")
            if local in ("minCount", "maxCount", "minLength", "maxLength", "qualifiedMinCount",
                         "qualifiedMaxCount"):
                self._count(shape, local, name)
            if nested and local in ("minCount", "maxCount", "qualifiedMinCount", "qualifiedMaxCount") and \
                    self._count(shape, local, name) + local.endswith("axCount") > _NESTED_COUNT_LIMIT:
                raise UnsupportedShapeError(f"{name}: sh:{local} above {_NESTED_COUNT_LIMIT} in a shape "
                                            "used by another shape is not compiled")
            if local == "datatype":
                if str(o) == RDFS + "Datatype":
                    raise UnsupportedShapeError(f"{name}: sh:datatype rdfs:Datatype is not compiled")
                self.datatypes.add(str(o))
            if (local == "nodeKind" and not str(o).startswith(SH)) or \
                    (local == "nodeKind" and str(o)[len(SH):] not in _NODE_KINDS):
                raise UnsupportedShapeError(f"{name}: sh:nodeKind {shorten(str(o))} is not a SHACL node kind")
            if local in ("hasValue", "in"):
                for value in (self.items(o) if local == "in" else [o]):
                    self._constant(value, name)
            if local in ("node", "not"):
                self._check(o, self._name(o), True, trail)
            if local == "qualifiedValueShape":
                self._check(o, self._name(o), True, trail)
            if local in ("or", "and"):
                members = self.items(o)
                if not members:
                    raise UnsupportedShapeError(f"{name}: an empty sh:{local} list")
                for member in members:
                    self._check(member, self._name(member), True, trail)
            if local == "property":
                if not self.is_property_shape(o):
                    raise UnsupportedShapeError(f"{name}: sh:property {self._name(o)} has no sh:path")
                self._check(o, self._name(o), nested, trail)
            if local == "sparql":
                self._check_sparql(o, name)
        if not nested and not self.messages(shape) and self._reports_itself(shape):
            raise UnsupportedShapeError(f"{name}: a shape that reports results needs an sh:message "
                                        "(pyshacl's generated texts are not reproduced)")

    def _reports_itself(self, shape) -> bool:
        """Whether a constraint of the shape itself (not of its sh:property shapes) can report."""
        reporting = _HANDLED - {"property", "sparql", "path", "message", "severity", "deactivated", *_TARGETS}
        return any(str(p)[len(SH):] in reporting for p in self.g.predicates(shape) if str(p).startswith(SH))

    def _count(self, shape, local: str, name: str) -> int:
        value = self.one(shape, local)
        number = value.toPython() if value is not None else None
        if not isinstance(number, int) or isinstance(number, bool) or number < 0:
            raise UnsupportedShapeError(f"{name}: sh:{local} must be a non-negative integer")
        return number

    def _constant(self, value, name: str) -> None:
        from rdflib import BNode

        if isinstance(value, BNode):
            raise UnsupportedShapeError(f"{name}: a blank node as sh:hasValue or in sh:in is not compiled")

    def _path_text(self, path, name: str = "a shape") -> str:
        """The SHACL path as a SPARQL property path."""
        from rdflib import BNode

        if path is None:
            raise UnsupportedShapeError(f"{name}: a property shape without sh:path")
        if not isinstance(path, BNode):
            return f"<{path}>"
        alternative = self.one(path, "alternativePath")
        if alternative is not None:
            return "(" + "|".join(self._path_text(p, name) for p in self.items(alternative)) + ")"
        inverse = self.one(path, "inversePath")
        if inverse is not None:
            return "^" + self._path_text(inverse, name)
        for local in ("zeroOrMorePath", "oneOrMorePath", "zeroOrOnePath"):
            if self.values(path, local):
                raise UnsupportedShapeError(f"{name}: sh:{local} is not compiled; validate with --shacl pyshacl")
        steps = self.items(path)
        if len(steps) < 2:
            raise UnsupportedShapeError(f"{name}: a path that is neither an IRI, a sequence, "
                                        "sh:alternativePath nor sh:inversePath")
        return "(" + "/".join(self._path_text(p, name) for p in steps) + ")"

    def _check_sparql(self, constraint, name: str) -> None:
        selects = self.values(constraint, "select")
        if len(selects) != 1:
            raise UnsupportedShapeError(f"{name}: an sh:sparql constraint needs exactly one sh:select "
                                        "(sh:ask is not compiled)")
        text = str(selects[0])
        if not _THIS.search(text):
            raise UnsupportedShapeError(f"{name}: an sh:select that never mentions $this is not compiled")
        for pattern, what in _REFUSED_SPARQL:
            if pattern.search(text):
                raise UnsupportedShapeError(f"{name}: an sh:select with {what} is not compiled")
        for p in self.g.predicates(constraint):
            local = str(p)[len(SH):] if str(p).startswith(SH) else None
            if local not in (None, "select", "message", "prefixes", "deactivated"):
                raise UnsupportedShapeError(f"{name}: sh:{local} on an sh:sparql constraint is not compiled")
        prologue = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in self.prefixes(constraint).items())
        self._queries.append(prologue + text)

    # -- prefixes of SPARQL-based constraints (as pyshacl collects them)

    def prefixes(self, constraint) -> dict[str, str]:
        from rdflib import OWL
        from rdflib import RDF as R

        prefixes = {"rdf": RDF, "rdfs": RDFS, "owl": "http://www.w3.org/2002/07/owl#"}
        chosen = self.values(constraint, "prefixes")
        if not chosen:
            return prefixes
        declare = self.URIRef(SH + "declare")
        graph_declares = set(self.g.objects(self.g.identifier, declare))
        ontologies = set(self.g.subjects(R.type, OWL.Ontology))
        every = set(graph_declares)
        for ontology in ontologies:
            every.update(self.g.objects(ontology, declare))
        for node in chosen:
            own = set(self.g.objects(node, declare))
            for declaration in (own | graph_declares) if own and node in ontologies else (every | own):
                prefix = self.one(declaration, "prefix")
                namespace = self.one(declaration, "namespace")
                if prefix is None or namespace is None:
                    raise UnsupportedShapeError(f"{self._name(node)}: an sh:declare without sh:prefix "
                                                "and sh:namespace")
                prefixes[str(prefix)] = str(namespace)
        return prefixes


_THIS = re.compile(r"[\s{}()][$?]this\b")
_IRI = re.compile(r"<([^<>]*)>")
#: Syntax and algebra nodes of rdflib's SPARQL parser that read other graphs or services.
_ELSEWHERE = {"Graph", "GraphGraphPattern", "ServiceGraphPattern"}

_REFUSED_SPARQL = [(re.compile(r"\bMINUS\b", re.I), "MINUS"), (re.compile(r"\bVALUES\b", re.I), "VALUES"),
                   (re.compile(r"\bSERVICE\b", re.I), "SERVICE"),
                   (re.compile(r"\bSELECT\b[^{]*\{[^}]*\bSELECT\b", re.I | re.S), "a nested SELECT"),
                   (re.compile(r"[$?](shapesGraph|currentShape|PATH|failure)\b"),
                    "$shapesGraph, $currentShape, $PATH or ?failure")]


def _sparql_reads(query: str) -> set[str] | None:
    """The IRIs of the predicates ``query`` can read, or None when that cannot be said exactly.

    Parsed by rdflib (pyshacl runs these queries with it): every triple pattern, of the query's
    algebra or of an EXISTS still in syntax form, must have an IRI or a path of IRIs in
    predicate position. A variable, a negated property set (which matches every other
    predicate), GRAPH, SERVICE, a dataset clause or a query rdflib cannot parse: None. So is a
    path that can match zero steps (``p*``, ``p?``) between two variables (``$this`` counts as
    one: `_minus_query` makes it one): it matches each node of the whole graph to itself, and
    which nodes are in the graph depends on every triple.
    """
    from rdflib import BNode, URIRef, Variable
    from rdflib.paths import AlternativePath, InvPath, MulPath, Path, SequencePath
    from rdflib.plugins.sparql import prepareQuery
    from rdflib.plugins.sparql.parserutils import CompValue

    try:
        parsed = prepareQuery(query)
    except Exception:  # whatever stops the parser: nothing can be said about the query
        return None
    found: set[str] = set()

    def path(p) -> bool:
        if type(p) is URIRef:
            found.add(str(p))
            return True
        if isinstance(p, (SequencePath, AlternativePath)):
            return all(path(a) for a in p.args)
        if isinstance(p, InvPath):
            return path(p.arg)
        if isinstance(p, MulPath):
            return path(p.path)
        return False  # a variable, a negated property set, anything else

    def zero(p) -> bool:
        """Whether the path matches zero steps (a node to itself)."""
        if isinstance(p, MulPath):
            return p.zero or zero(p.path)
        if isinstance(p, SequencePath):
            return all(zero(a) for a in p.args)
        if isinstance(p, AlternativePath):
            return any(zero(a) for a in p.args)
        if isinstance(p, InvPath):
            return zero(p.arg)
        return False

    def pattern(s, p, o) -> bool:
        return path(p) and not (zero(p) and isinstance(s, (Variable, BNode)) and isinstance(o, (Variable, BNode)))

    def walk(node) -> bool:
        if isinstance(node, CompValue):  # (whose get() returns the key for a missing key)
            if node.name in _ELSEWHERE:
                return False
            for key, value in node.items():
                if key == "datasetClause" and value:
                    return False
                # The algebra's triples are (s, p, o); a TriplesBlock of the syntax (an EXISTS, not
                # translated until evaluated) lists one subject's triples as s, p, o, s, p, o...
                if key == "triples" and not all(len(t) % 3 == 0 and all(pattern(*t[i:i + 3])
                                                                        for i in range(0, len(t), 3))
                                                for t in value):
                    return False
                if key != "triples" and not walk(value):
                    return False
            return True
        if isinstance(node, (list, tuple)):
            return all(walk(item) for item in node)
        return not isinstance(node, Path)  # a path outside a triple pattern: a form not known here

    return found if walk(parsed.algebra) else None


# --------------------------------------------------------------------------- writing the queries


class _Compiler:
    """Writes the SELECTs of a plan against a loaded store."""

    def __init__(self, plan: _Plan, loader: _Loader):
        self.plan = plan
        self.loader = loader
        self._n = 0

    def fresh(self) -> str:
        self._n += 1
        return f"?x{self._n}"

    def term(self, node) -> str:
        """A constant of the shapes graph as it is stored (as written, see `_WRAP`)."""
        from rdflib import Literal

        if isinstance(node, Literal):
            written, _ = self.loader._literal(str(node), str(node.datatype) if node.datatype else None,
                                              node.language, node)
            return str(written)
        return f"<{node}>"

    def queries(self) -> list[_Query]:
        found: list[_Query] = []
        for shape in self.plan.targeted:
            if self.plan.deactivated(shape):
                continue
            this = self.fresh()
            focus = f"{{ SELECT DISTINCT {this} WHERE {{ {self._targets(shape, this)} }} }}"
            found += self._shape(shape, focus, [this], this, counts=True)
        return found

    def _targets(self, shape, var: str) -> str:
        plan = self.plan
        parts = []
        for c in plan.values(shape, "targetClass"):
            parts.append(f"{var} <{RDF}type>/<{RDFS}subClassOf>* <{c}> .")
        if shape in plan.implicit:
            parts.append(f"{var} <{RDF}type>/<{RDFS}subClassOf>* <{shape}> .")  # implicit class target
        for p in plan.values(shape, "targetSubjectsOf"):
            parts.append(f"{var} <{p}> {self.fresh()} .")
        for p in plan.values(shape, "targetObjectsOf"):
            parts.append(f"{self.fresh()} <{p}> {var} .")
        nodes = plan.values(shape, "targetNode")
        if nodes:
            parts.append(f"VALUES {var} {{ {' '.join(self.term(n) for n in nodes)} }}")
        return " UNION ".join(f"{{ {p} }}" for p in parts)

    def _shape(self, shape, focus: str, keys: list[str], this: str, counts: bool) -> list[_Query]:
        """The queries of ``shape`` for the focus nodes bound to ``this`` by the pattern ``focus``."""
        plan = self.plan
        if plan.deactivated(shape):
            return []
        counts = counts and plan.severity(shape) not in _LENIENT
        messages = plan.messages(shape)
        found: list[_Query] = []

        def add(text: str, kind: str = "plain") -> None:
            found.append(_Query(text, messages[0] if messages else None,
                                "error" if plan.severity(shape) == SH + "Violation" else "warning",
                                counts, kind, len(keys) - 1))

        select = " ".join(keys)
        path = plan._path_text(plan.one(shape, "path")) if plan.is_property_shape(shape) else None
        value = self.fresh() if path else this
        values = f"{this} {path} {value} ." if path else ""
        for local, arg in self._value_constraints(shape):
            fails = self._fails(local, arg, value)
            extra = f" {value}" if path else ""
            add(f"SELECT DISTINCT {select}{extra} WHERE {{ {focus} {values} FILTER({fails}) }}")
        for h in plan.values(shape, "hasValue"):
            if path:
                add(f"SELECT DISTINCT {select} WHERE {{ {focus} FILTER NOT EXISTS {{ {this} {path} {self.term(h)} }} }}")
            else:
                add(f"SELECT DISTINCT {select} WHERE {{ {focus} FILTER(!sameTerm({this}, {self.term(h)})) }}")
        if path:
            for tests in _count_tests(plan.one(shape, "minCount"), plan.one(shape, "maxCount")):
                add(self._one_value_query(select, focus, this, path, tests)
                    or self._count_query(select, focus, f"{this} {path} {value} .", tests, value))
            for q in plan.values(shape, "qualifiedValueShape"):
                fits = f"{this} {path} {value} . {self._fits_pattern(q, value)}"
                for tests in _count_tests(plan.one(shape, "qualifiedMinCount"), plan.one(shape, "qualifiedMaxCount")):
                    add(self._count_query(select, focus, fits, tests, value))
            for other in plan.values(shape, "lessThan"):
                add(self._less_than_query(select, focus, this, path, value, other), "less-than")
        for constraint in plan.values(shape, "sparql"):
            if not plan.deactivated(constraint):
                targets, template, ask, negated, minus = self._sparql_query(constraint, focus, this)
                found.append(_Query(targets, None, "error" if plan.severity(shape) == SH + "Violation" else "warning",
                                    counts, "sparql", detail=(template, ask, negated,
                                                              plan.messages(constraint) + messages, minus)))
        for child in plan.values(shape, "property"):
            if path:
                inner = self.fresh()
                found += self._shape(child, f"{focus} {this} {path} {inner} .", [*keys, inner], inner, counts)
            else:
                found += self._shape(child, focus, keys, this, counts)
        return found

    def _fits_pattern(self, shape, v: str) -> str:
        """Graph pattern: value ``v`` conforms to ``shape``, inside a count of distinct values.

        A shape that is only an sh:class is a join on the value's types (a value reached by two
        types is counted once all the same): Oxigraph evaluates it ~4x faster than the filter
        each value otherwise gets (0.7 s instead of 3.1 s for the anchors' selectors at a
        million triples).
        """
        plan = self.plan
        said = {str(p) for p in plan.g.predicates(shape)} - {RDF + "type", *(SH + local for local in _INERT)}
        if said == {SH + "class"} and len(classes := plan.values(shape, "class")) == 1:
            kind = self.fresh()
            return f"{v} <{RDF}type> {kind} . {kind} <{RDFS}subClassOf>* <{classes[0]}> ."
        return f"FILTER(!{self.violates(shape, v)})"

    def _one_value_query(self, select: str, focus: str, this: str, path: str, tests: list[str]) -> str | None:
        """sh:maxCount 1 alone on a one-predicate ``path``: the focus nodes with two distinct
        values, by a self-join instead of counting; `_count_query`'s rows, one per failing node.
        Oxigraph answers it in half the time of the OPTIONAL and GROUP BY over every focus node
        (0.13 s instead of 0.26 s for a claim's nkg:hasPolarity at a million triples). Not for
        sh:minCount: its NOT EXISTS must share a group with the focus pattern, so with a
        maximum it would need the focus twice (measured: no faster than counting); nor for a
        longer path: over an alternative path the self-join was slower than counting."""
        if not _ONE_IRI.fullmatch(path) or tests != ["> 1"]:
            return None
        first, second = self.fresh(), self.fresh()
        return (f"SELECT DISTINCT {select} WHERE {{ {focus} {this} {path} {first} . {this} {path} {second} . "
                f"FILTER(!sameTerm({first}, {second})) }}")

    def _count_query(self, select: str, focus: str, pattern: str, tests: list[str], value: str) -> str:
        having = " || ".join(f"COUNT(DISTINCT {value}) {test}" for test in tests)
        return (f"SELECT {select} WHERE {{ {focus} OPTIONAL {{ {pattern} }} }} "
                f"GROUP BY {select} HAVING ({having})")

    def _less_than_query(self, select: str, focus: str, this: str, path: str, value: str, other) -> str:
        compared = self.fresh()
        # Settled in SPARQL only when both sides are integers of one datatype written as plain digits
        # (or native SPARQL numbers of one type): rdflib compares those exactly as SPARQL does.
        integers = " || ".join(f"datatype({value}) = <{d}>" for d in _integer_datatypes())
        sure = (f"(sameTerm(datatype({value}), datatype({compared})) && ({integers}) && "
                f"REGEX(STR({value}), '^[0-9]+$') && REGEX(STR({compared}), '^[0-9]+$') && "
                f"xsd:integer(STR({value})) < xsd:integer(STR({compared})))")
        return (f"PREFIX xsd: <{XSD}> SELECT DISTINCT {select} {value} {compared} WHERE {{ {focus} "
                f"{this} {path} {value} . OPTIONAL {{ {this} <{other}> {compared} }} FILTER(isBlank({value}) "
                f"|| (BOUND({compared}) && (isBlank({compared}) || !{sure}))) }}")

    def _value_constraints(self, shape) -> Iterator[tuple[str, Any]]:
        plan = self.plan
        for local in ("class", "datatype", "nodeKind", "node", "not", "or", "and"):
            for arg in plan.values(shape, local):
                yield local, arg
        for local in ("in", "minLength", "maxLength"):
            arg = plan.one(shape, local)
            if arg is not None:
                yield local, arg

    def _fails(self, local: str, arg, v: str) -> str:
        """A SPARQL expression: value ``v`` fails the constraint ``sh:local arg``."""
        plan = self.plan
        if local == "class":
            return f"NOT EXISTS {{ {v} <{RDF}type>/<{RDFS}subClassOf>* <{arg}> }}"
        if local == "datatype":
            return f"!({self._datatype_match(str(arg), v)})"
        if local == "nodeKind":
            return "!" + _NODE_KINDS[str(arg)[len(SH):]].format(v=v)
        if local == "in":
            members = [f"sameTerm({v}, {self.term(m)})" for m in plan.items(arg)]
            return f"!({' || '.join(members)})" if members else "true"
        if local in ("minLength", "maxLength"):
            n = arg.toPython()
            if local == "minLength" and n == 0:
                return "false"
            test = "<" if local == "minLength" else ">"
            return f"(isBlank({v}) || STRLEN(STR({v})) {test} {n})"
        if local == "node":
            return self.violates(arg, v)
        if local == "not":
            return f"!{self.violates(arg, v)}"
        members = [self.violates(m, v) for m in plan.items(arg)]
        return "(" + (" && " if local == "or" else " || ").join(members) + ")"

    def _datatype_match(self, datatype: str, v: str) -> str:
        if datatype == RDFS + "Literal":
            return f"isLiteral({v})"
        if datatype == RDF + "langString":
            return (f"isLiteral({v}) && (lang({v}) != '' || "
                    f"STRSTARTS(STR(datatype({v})), '{_WRAP_LANG}'))")
        wrapped = _WRAP + quote(datatype, safe="")
        test = f"isLiteral({v}) && (datatype({v}) = <{datatype}> || datatype({v}) = <{wrapped}>)"
        bad = self.loader.ill_typed.get(datatype, [])
        if bad:
            test += " && " + " && ".join(f"!sameTerm({v}, {b})" for b in bad)
        return test

    def violates(self, shape, v: str) -> str:
        """A SPARQL expression: node ``v`` does not conform to ``shape`` (a shape used by another)."""
        plan = self.plan
        if plan.deactivated(shape):
            return "false"
        parts: list[str] = []
        path = plan._path_text(plan.one(shape, "path")) if plan.is_property_shape(shape) else None
        for local, arg in self._value_constraints(shape):
            if path:
                w = self.fresh()
                parts.append(f"EXISTS {{ {v} {path} {w} . FILTER({self._fails(local, arg, w)}) }}")
            else:
                parts.append(self._fails(local, arg, v))
        for h in plan.values(shape, "hasValue"):
            parts.append(f"NOT EXISTS {{ {v} {path} {self.term(h)} }}" if path
                         else f"!sameTerm({v}, {self.term(h)})")
        if path:
            low, high = plan.one(shape, "minCount"), plan.one(shape, "maxCount")
            if low is not None and low.toPython() > 0:
                parts.append("NOT " + self._distinct_values(v, path, low.toPython(), None))
            if high is not None:
                parts.append(self._distinct_values(v, path, high.toPython() + 1, None))
            for q in plan.values(shape, "qualifiedValueShape"):
                qlow, qhigh = plan.one(shape, "qualifiedMinCount"), plan.one(shape, "qualifiedMaxCount")
                if qlow is not None and qlow.toPython() > 0:
                    parts.append("NOT " + self._distinct_values(v, path, qlow.toPython(), q))
                if qhigh is not None:
                    parts.append(self._distinct_values(v, path, qhigh.toPython() + 1, q))
        for child in plan.values(shape, "property"):
            if path:
                w = self.fresh()
                parts.append(f"EXISTS {{ {v} {path} {w} . FILTER({self.violates(child, w)}) }}")
            else:
                parts.append(self.violates(child, v))
        return "(" + " || ".join(parts) + ")" if parts else "false"

    def _distinct_values(self, v: str, path: str, n: int, fit) -> str:
        """EXISTS: ``v`` has ``n`` distinct values on ``path`` (each conforming to ``fit``, if given)."""
        names = [self.fresh() for _ in range(n)]
        pattern = " ".join(f"{v} {path} {w} ." for w in names)
        tests = [f"!sameTerm({a}, {b})" for i, a in enumerate(names) for b in names[i + 1:]]
        if fit is not None:
            tests += [f"!{self.violates(fit, w)}" for w in names]
        return f"EXISTS {{ {pattern} {'FILTER(' + ' && '.join(tests) + ')' if tests else ''} }}"

    def _sparql_query(self, constraint, focus: str, this: str) -> tuple[str, str, str | None, bool, str | None]:
        """(the focus nodes' SELECT, the constraint's SELECT with {this} where $this is,
        the same as an ASK when it is ``SELECT $this WHERE { FILTER [NOT] EXISTS { P } }``,
        whether that EXISTS is negated, and the query answering it for all focus nodes at
        once, when there is one: see `_minus_query`).

        pyshacl pre-binds $this to one focus node at a time; so does `_sparql_results`, by
        writing the node into the query. Joining all focus nodes at once would be the same
        answer for most queries, but Oxigraph evaluates a path ending in ``*`` under EXISTS from
        every node of the graph: 40 ms for each focus node, where ``ASK { P }`` takes 0.1 ms.
        """
        plan = self.plan
        text = str(plan.one(constraint, "select"))
        where = re.search(r"\bWHERE\s*\{", text, re.I) or re.search(r"\{", text)
        head = re.match(r"\s*SELECT\s+(DISTINCT\s+|REDUCED\s+)?", text, re.I)
        if where is None or head is None:
            raise UnsupportedShapeError(f"{plan._name(constraint)}: an sh:select that is not a SELECT query")
        projection = _THIS_VAR.sub("({this} AS ?this)", text[head.end():where.start()].replace("{", "{{")
                                   .replace("}", "}}"))
        rest = _THIS_VAR.sub("{this}", text[where.start():].replace("{", "{{").replace("}", "}}"))
        prologue = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in plan.prefixes(constraint).items())
        template = (prologue.replace("{", "{{").replace("}", "}}") + text[:head.end()].replace("{", "{{")
                    .replace("}", "}}") + projection + rest)
        ask, negated, minus = None, False, None
        only = _ONLY_EXISTS.fullmatch(text[where.end():])
        if only and _THIS_ONLY.fullmatch(text[head.end():where.start()]) and _balanced(only["inner"]):
            inner = _THIS_VAR.sub("{this}", only["inner"].replace("{", "{{").replace("}", "}}"))
            ask = prologue.replace("{", "{{").replace("}", "}}") + "ASK {{" + inner + "}}"
            negated = bool(only["negated"])
            minus = self._minus_query(prologue, focus, this, only["inner"]) if negated else None
        return f"SELECT DISTINCT {this} WHERE {{ {focus} }}", template, ask, negated, minus

    @staticmethod
    def _minus_query(prologue: str, focus: str, this: str, inner: str) -> str | None:
        """``SELECT $this WHERE { FILTER NOT EXISTS { P } }`` for every focus node in one query,
        ``focus MINUS { P }``, when that is the same answer: P only triple patterns (so each of
        its solutions binds every variable of P), naming $this, and sharing no other variable
        with the focus pattern. MINUS evaluates P once; the per-node ASK took ~2 ms a focus
        node at a million triples (20,000 engagements: 35 s)."""
        if "{" in inner or _GROUP_KEYWORDS.search(inner) or not _THIS_VAR.search(inner):
            return None
        mine = set(_VARIABLE.findall(_THIS_VAR.sub("", inner)))
        if mine & set(_VARIABLE.findall(focus)):
            return None
        body = _THIS_VAR.sub(this, inner)
        return f"{prologue}SELECT DISTINCT {this} WHERE {{ {focus} MINUS {{ {body} }} }}"


_ONE_IRI = re.compile(r"<[^<>\s]*>")
_THIS_VAR = re.compile(r"(?<![\w$?])[$?]this\b")
_VARIABLE = re.compile(r"[$?](\w+)")
_GROUP_KEYWORDS = re.compile(r"\b(OPTIONAL|UNION|MINUS|FILTER|GRAPH|SERVICE|VALUES|BIND|SELECT|EXISTS)\b", re.I)
_THIS_ONLY = re.compile(r"\s*[$?]this\s*")
_ONLY_EXISTS = re.compile(r"\s*FILTER\s+(?P<negated>NOT\s+)?EXISTS\s*\{(?P<inner>.*)\}\s*\}\s*", re.I | re.S)


def _balanced(text: str) -> bool:
    """Whether the braces of ``text`` (outside strings and comments) close only what it opens."""
    depth = 0
    for token in re.finditer(r'"""(?:.|\n)*?"""|\'\'\'(?:.|\n)*?\'\'\'|"(?:\\.|[^"\\])*"|'
                             r"'(?:\\.|[^'\\])*'|#[^\n]*|[{}]", text):
        if token.group() == "{":
            depth += 1
        elif token.group() == "}":
            depth -= 1
            if depth < 0:
                return False
    return depth == 0


def _count_tests(low, high) -> list[list[str]]:
    """The HAVING tests of a min and a max count (rdflib literals or None), one list per query.

    One query for both when no count can fail both (``low <= high + 1``): it finds each failing
    focus node once, as the two queries together would, in one pass over the values (each pass
    costs ~3 s for the anchors' selectors at a million triples). Otherwise one query each, so a
    node failing both is two results, as in pyshacl.
    """
    tests = []
    if low is not None and low.toPython() > 0:
        tests.append(f"< {low.toPython()}")
    if high is not None:
        tests.append(f"> {high.toPython()}")
    if len(tests) == 2 and low.toPython() <= high.toPython() + 1:
        return [tests]
    return [[test] for test in tests]


def _integer_datatypes() -> list[str]:
    return [XSD + d for d in ("integer", "nonNegativeInteger")] + \
           [_WRAP + quote(XSD + d, safe="") for d in ("integer", "nonNegativeInteger")]


# --------------------------------------------------------------------------- running them


def _run(plan: _Plan, loader: _Loader) -> list[Problem]:
    ox = loader.ox
    compiler = _Compiler(plan, loader)
    queries = compiler.queries()
    core: Any = None
    sparql: Any = None
    if loader.rewritten:
        core = [ox.DefaultGraph(), ox.NamedNode(_WRITTEN_GRAPH)]
        sparql = [ox.DefaultGraph(), ox.NamedNode(_NATIVE_GRAPH)]

    def answer(query: _Query) -> list[Problem]:
        graph = sparql if query.kind == "sparql" else core
        solutions = loader.store.query(query.text, **_dataset(loader, graph))
        assert isinstance(solutions, ox.QuerySolutions)  # every query is a SELECT
        if query.kind == "plain":
            return [Problem("shacl", query.message or "", query.severity, _show(loader, row[query.focus]))
                    for row in solutions]
        if query.kind == "less-than":
            return [Problem("shacl", query.message or "", query.severity, _show(loader, row[query.focus]))
                    for row in solutions if _not_less(row[query.focus + 1], row[query.focus + 2])]
        return _sparql_results(loader, query, solutions, graph)

    # The queries are independent and read one store; their answers are taken in the queries'
    # order, so the problems are the same, in the same order, as one after the other.
    workers = max(1, min(_MAX_QUERY_THREADS, os.cpu_count() or 1))
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="newskg-shacl") as pool:
        answers = list(pool.map(answer, queries))
    problems: list[Problem] = []
    conforms = True
    for query, found in zip(queries, answers, strict=True):
        if found and query.counts:
            conforms = False
        problems += found
    if conforms:
        return []
    return sorted(problems, key=lambda p: (p.focus or "", p.message, p.severity))


def _dataset(loader: _Loader, graph) -> dict[str, Any]:
    """The store's graphs a query reads: ``graph`` (a list, or None for the default graph), or
    the union of the named graphs for a store the loader was given (`validate_store_sparql`)."""
    return {"use_default_graph_as_union": True} if loader.union else {"default_graph": graph}


def _sparql_results(loader: _Loader, query: _Query, solutions, graph) -> list[Problem]:
    """One result per distinct row of each focus node's run, as pyshacl reports them."""
    ox = loader.ox
    template, ask, negated, messages, minus = query.detail
    if minus is not None:
        rows = loader.store.query(minus, **_dataset(loader, graph))
        assert isinstance(rows, ox.QuerySolutions)  # a SELECT
        found = [_sparql_problem(loader, query, messages, focus, {"this": focus}) for (focus,) in rows]
        return [p for p in found if p is not None]
    found = []
    for (focus,) in solutions:
        # A blank node has no syntax that names it: pre-bound instead (SEP-0007 substitution).
        text, bindings = ("?this", {ox.Variable("this"): focus}) if isinstance(focus, ox.BlankNode) \
            else (str(focus), None)
        if ask is not None:
            if bool(loader.store.query(ask.format(this=text), substitutions=bindings, **_dataset(loader, graph))) \
                    != negated:
                found.append(_sparql_problem(loader, query, messages, focus, {"this": focus}))
            continue
        answer = loader.store.query(template.format(this=text), substitutions=bindings, **_dataset(loader, graph))
        assert isinstance(answer, ox.QuerySolutions)  # a SELECT
        names = [v.value for v in answer.variables]
        seen = set()
        for row in answer:
            values = {n: row[n] for n in names if row[n] is not None}
            key = tuple(sorted((n, str(t)) for n, t in values.items()))
            if key not in seen:
                seen.add(key)
                found += [_sparql_problem(loader, query, messages, focus, values)]
    return [p for p in found if p is not None]


def _sparql_problem(loader: _Loader, query: _Query, messages_given: list[str], focus, values: dict):
    """The Problem of one row; None for a row without $this, ?path and ?value (pyshacl drops it)."""
    this, path, value = values.pop("this", None), values.pop("path", None), values.pop("value", None)
    if this is None and path is None and value is None:
        return None
    value = value if value is not None else focus
    bound = {n: _text(loader, t) for n, t in values.items()}
    bound.update({n: _text(loader, t) for n, t in (("this", this), ("path", path), ("value", value))
                  if t is not None})
    messages = {_substitute(m, bound) for m in messages_given}
    if messages:
        message = sorted(messages)[0]
    else:
        message = "does not conform to its shape" + (f" (path {_show(loader, path)})" if path else "")
    return Problem("shacl", message, query.severity, _show(loader, this if this is not None else focus))


def _substitute(message: str, bound: dict[str, str]) -> str:
    for name, text in bound.items():
        message = re.sub(f"{{[?$]{name}}}", text, message)
    return message


def _text(loader: _Loader, term) -> str:
    """The term as rdflib's str() gives it: IRI, blank node label, or lexical form."""
    ox = loader.ox
    if isinstance(term, ox.BlankNode):
        return loader.blank_label(term.value)
    return term.value


def _show(loader: _Loader, term) -> str:
    text = _text(loader, term)
    return shorten(text) if "://" in text else text


def _rdflib_term(term):
    """The rdflib term a stored term was loaded from (literals unwrapped)."""
    import pyoxigraph as ox
    from rdflib import BNode, Literal, URIRef

    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    datatype = term.datatype.value
    if datatype.startswith(_WRAP):
        return Literal(term.value, datatype=URIRef(unquote(datatype[len(_WRAP):])))
    if datatype.startswith(_WRAP_LANG):
        return Literal(term.value, lang=unquote(datatype[len(_WRAP_LANG):]))
    if term.language:
        return Literal(term.value, lang=term.language)
    if datatype == XSD + "string":
        return Literal(term.value)
    return Literal(term.value, datatype=URIRef(datatype))


def _not_less(value, compared) -> bool:
    """pyshacl's sh:lessThan test of one pair: True when it reports a result.

    pyshacl refuses (raises) as soon as a value or a compared value is a blank node.
    """
    from rdflib import BNode, Literal, URIRef

    left = _rdflib_term(value)
    right = _rdflib_term(compared) if compared is not None else None
    if isinstance(left, BNode) or isinstance(right, BNode):
        raise UnsupportedShapeError("sh:lessThan met a blank node, which pyshacl refuses to compare")
    if right is None:
        return False

    def plain(term):
        if isinstance(term, URIRef):
            return str(term), True
        if isinstance(term, Literal) and isinstance(term.value, str):
            return term.value, True
        return term, False

    (a, a_string), (b, b_string) = plain(left), plain(right)
    if a_string != b_string:
        return True
    return not a < b
