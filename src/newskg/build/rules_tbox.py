"""The TBox side of the rules engine: which triples are schema, their closure, and refusals.

The TBox (ontology: classes, properties, axioms, SKOS schemes) is small, so its closure is
computed once by owlrl itself, exact by construction, and cached by a hash of its triples (in
memory, and on disk when the caller gives a cache folder). The ABox engine (newskg.build.rules)
starts from that closure and never adds a schema triple to it: `SCHEMA_PREDICATES` and
`SCHEMA_TYPES` name what owlrl's rules read as schema, and the engine refuses any ABox triple,
asserted or derived, of that kind that the TBox closure does not already hold.
"""

from __future__ import annotations

import hashlib
import pickle
from collections.abc import Iterable
from pathlib import Path

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS

from newskg.errors import NewskgError

Triple = tuple

#: Predicates whose triples owlrl's rules read as schema (rule tables), never as data.
SCHEMA_PREDICATES = frozenset({
    RDFS.subClassOf, RDFS.subPropertyOf, RDFS.domain, RDFS.range,
    OWL.equivalentClass, OWL.equivalentProperty, OWL.inverseOf, OWL.propertyChainAxiom,
    OWL.intersectionOf, OWL.unionOf, OWL.complementOf, OWL.oneOf,
    OWL.someValuesFrom, OWL.allValuesFrom, OWL.hasValue, OWL.hasSelf, OWL.onProperty, OWL.onProperties,
    OWL.onClass, OWL.onDataRange, OWL.cardinality, OWL.minCardinality, OWL.maxCardinality,
    OWL.qualifiedCardinality, OWL.minQualifiedCardinality, OWL.maxQualifiedCardinality,
    OWL.disjointWith, OWL.disjointUnionOf, OWL.propertyDisjointWith, OWL.members, OWL.distinctMembers,
    OWL.hasKey, OWL.sourceIndividual, OWL.assertionProperty, OWL.targetIndividual, OWL.targetValue,
    OWL.onDatatype, OWL.withRestrictions, OWL.datatypeComplementOf,
})

#: rdf:type objects that make a triple schema: owlrl's rules trigger on them (scm-cls, scm-op,
#: prp-fp, prp-trp, cax-adc, eq-diff2, ...). Types no rule reads (owl:NamedIndividual,
#: owl:Restriction, rdfs:Datatype, owl:AnnotationProperty) are not in the list.
SCHEMA_TYPES = frozenset({
    OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, RDF.Property,
    OWL.FunctionalProperty, OWL.InverseFunctionalProperty, OWL.SymmetricProperty,
    OWL.AsymmetricProperty, OWL.TransitiveProperty, OWL.IrreflexiveProperty, OWL.ReflexiveProperty,
    OWL.AllDisjointClasses, OWL.AllDisjointProperties, OWL.AllDifferent, OWL.NegativePropertyAssertion,
})

LIST_PREDICATES = frozenset({RDF.first, RDF.rest})

# Where owl:sameAs must not stand as the property of an axiom: the engine does not store the
# reflexive x owl:sameAs x that owlrl derives for every term (eq-ref), so a rule reading them
# as data would miss premises.
_PROPERTY_SUBJECT = frozenset({RDFS.domain, RDFS.range, RDFS.subPropertyOf, OWL.equivalentProperty,
                               OWL.inverseOf, OWL.propertyChainAxiom, OWL.propertyDisjointWith})
_PROPERTY_OBJECT = frozenset({RDFS.subPropertyOf, OWL.equivalentProperty, OWL.inverseOf,
                              OWL.onProperty, OWL.propertyDisjointWith, OWL.assertionProperty})
_PROPERTY_TYPES = frozenset({OWL.FunctionalProperty, OWL.InverseFunctionalProperty, OWL.SymmetricProperty,
                             OWL.AsymmetricProperty, OWL.TransitiveProperty, OWL.IrreflexiveProperty})

#: Bump when the cached closure's format or content changes.
CACHE_VERSION = "1"


class UnsupportedByRulesError(NewskgError):
    """The rules engine cannot guarantee owlrl's result for this input; names the triple."""


def is_schema_triple(triple: Triple) -> bool:
    """Whether owlrl's rules read this triple as schema (not counting list cells)."""
    _, p, o = triple
    return p in SCHEMA_PREDICATES or (p == RDF.type and o in SCHEMA_TYPES)


def split_tbox(triples: Iterable[Triple]) -> tuple[list[Triple], list[Triple]]:
    """Split one graph into (TBox, ABox): schema triples and the RDF lists they point at
    go to the TBox, everything else to the ABox."""
    triples = list(triples)
    tbox, rest = [], []
    for t in triples:
        (tbox if is_schema_triple(t) else rest).append(t)
    cells: dict = {}
    for t in rest:
        if t[1] in LIST_PREDICATES:
            cells.setdefault(t[0], []).append(t)
    # The list cells reachable from a schema triple's object are schema too (axiom arguments).
    todo = [o for _, _, o in tbox if o in cells]
    taken = set()
    while todo:
        node = todo.pop()
        if node in taken:
            continue
        taken.add(node)
        for cell in cells.get(node, ()):
            if cell[2] in cells:
                todo.append(cell[2])
    tbox += [t for node in taken for t in cells[node]]
    abox = [t for t in rest if not (t[1] in LIST_PREDICATES and t[0] in taken)]
    return tbox, abox


def list_nodes(tbox: Iterable[Triple]) -> set:
    """The RDF list cells of the TBox (the ABox may not add to them)."""
    return {s for s, p, _ in tbox if p in LIST_PREDICATES}


def refuse_unsupported(tbox: Iterable[Triple]) -> None:
    """Raise UnsupportedByRulesError if the TBox uses what the engine leaves out.

    - owl:hasKey (prp-key): owlrl compares only the first n-1 key properties, so it equates
      individuals that differ on the last one; no engine here can be both exact and right.
    - owl:sameAs as the property of an axiom (see _PROPERTY_SUBJECT).
    - a resource typed with an OWL 2 RL datatype, or owl:sameAs a literal: owlrl's one-time
      datatype rules give such resources extra types the forward rules would not.
    """
    from owlrl.XsdDatatypes import OWL_RL_Datatypes

    datatypes = set(OWL_RL_Datatypes)
    has_key, same, type_, lists = OWL.hasKey, OWL.sameAs, RDF.type, {RDF.first, RDF.rest}
    for s, p, o in tbox:
        why = None
        if p == has_key:
            why = "owl:hasKey (prp-key) is not supported: owlrl checks only the first n-1 key properties"
        elif (s == same and p in _PROPERTY_SUBJECT) or (o == same and (p in _PROPERTY_OBJECT or p in lists)) \
                or (s == same and p == type_ and o in _PROPERTY_TYPES):
            why = "owl:sameAs may not be the property of an axiom"
        elif p == type_ and o in datatypes and not isinstance(s, Literal):
            why = "a resource typed with a datatype gets owlrl's one-time datatype types"
        elif p == same and (isinstance(s, Literal) or isinstance(o, Literal)):
            why = "owl:sameAs with a literal gets owlrl's one-time datatype types"
        if why:
            raise UnsupportedByRulesError(f"the rules engine refuses the TBox triple {_show((s, p, o))}: {why}; "
                                          f"use --reasoner owlrl")


def _show(triple: Triple) -> str:
    return " ".join(t.n3() for t in triple)


# ---------------------------------------------------------------- the closure, cached

_MEMORY: dict[str, list[Triple]] = {}
_MEMORY_SIZE = 16


def tbox_closure(tbox: Graph, cache_dir: Path | None = None) -> list[Triple]:
    """owlrl's closure of the TBox, with the generalized triples (blank-node predicates) kept.

    owlrl drops triples with a blank-node predicate only at the very end of its run; the
    ABox engine joins with the TBox closure as it stands during owlrl's cycles, so they stay.
    Cached in memory and, given `cache_dir`, on disk; the key is a hash of the triples with
    blank nodes labelled by their content (so a re-parse of the same files hits the cache).
    """
    labels = _canonical_bnode_labels(tbox)
    key = _cache_key(tbox, labels)
    to_canon = {b: BNode(label) for b, label in (labels or {}).items()}
    from_canon = {c: b for b, c in to_canon.items()}
    if key in _MEMORY:
        return _relabel(_MEMORY[key], from_canon)
    path = Path(cache_dir) / f"tbox-closure-{key}.pickle" if cache_dir and labels is not None else None
    if path is not None and path.exists():
        try:
            canonical = pickle.loads(path.read_bytes())
        except Exception:  # a damaged or foreign cache file is recomputed, never trusted
            canonical = None
        if isinstance(canonical, list):
            _remember(key, canonical)
            return _relabel(canonical, from_canon)
    closed = _owlrl_closure(tbox)
    canonical = _relabel(closed, to_canon)
    _remember(key, canonical)
    if path is not None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(".tmp")
            tmp.write_bytes(pickle.dumps(canonical, protocol=pickle.HIGHEST_PROTOCOL))
            tmp.replace(path)
        except OSError:  # the cache only saves time: a project we cannot write to still builds (or says why not)
            pass
    return closed


def _remember(key: str, canonical: list) -> None:
    while len(_MEMORY) >= _MEMORY_SIZE:  # a long test session sees many small TBoxes
        _MEMORY.pop(next(iter(_MEMORY)))
    _MEMORY[key] = canonical


def _owlrl_closure(tbox: Graph) -> list[Triple]:
    import owlrl
    from owlrl.Namespaces import ERRNS

    class KeepGeneralized(owlrl.OWLRL_Semantics):
        def post_process(self):  # owlrl's own removes blank-node-predicate triples
            pass

    graph = Graph()
    for t in tbox:
        graph.add(t)
    owlrl.DeductiveClosure(KeepGeneralized, axiomatic_triples=False, datatype_axioms=False).expand(graph)
    # The engine finds inconsistencies itself, TBox ones included: drop owlrl's error nodes.
    for node in list(graph.subjects(RDF.type, ERRNS.ErrorMessage)):
        graph.remove((node, None, None))
    return list(graph)


def _relabel(triples, mapping) -> list[Triple]:
    if not mapping:
        return list(triples)
    get = mapping.get
    return [(get(s, s), get(p, p), get(o, o)) for s, p, o in triples]


def _cache_key(tbox: Graph, labels: dict | None) -> str:
    import owlrl
    import rdflib

    digest = hashlib.sha256(f"{CACHE_VERSION} owlrl {owlrl.__version__} rdflib {rdflib.__version__}\n".encode())
    if labels is None:  # ambiguous blank nodes: key on this parse's own labels (memory cache only)
        labels = {b: str(b) for b in _bnodes(tbox)}
        digest.update(b"raw\n")
    lines = sorted(" ".join(f"<{t}>" if type(t) is URIRef else "_:" + labels[t] if isinstance(t, BNode)
                            else t.n3() for t in triple) for triple in tbox)
    for line in lines:
        digest.update(line.encode("utf-8") + b"\n")
    return digest.hexdigest()[:32]


def _bnodes(graph: Graph) -> set:
    return {t for triple in graph for t in triple if isinstance(t, BNode)}


def _canonical_bnode_labels(graph: Graph) -> dict | None:
    """A label for each blank node computed from its surroundings (colour refinement), or
    None if two blank nodes cannot be told apart (then only the in-memory cache is used)."""
    nodes = _bnodes(graph)
    if not nodes:
        return {}
    edges = [t for t in graph if isinstance(t[0], BNode) or isinstance(t[2], BNode)
             or isinstance(t[1], BNode)]
    colour = dict.fromkeys(nodes, "")
    for _ in range(len(nodes) + 1):
        def name(t, colour=colour):
            return "_:" + colour[t] if isinstance(t, BNode) else t.n3()
        signature = {b: [] for b in nodes}
        for s, p, o in edges:
            line = f"{name(s)} {name(p)} {name(o)}"
            for position, term in (("s", s), ("p", p), ("o", o)):
                if isinstance(term, BNode):
                    signature[term].append(position + line)
        new = {b: hashlib.sha256("\n".join(sorted(sig)).encode()).hexdigest()[:24]
               for b, sig in signature.items()}
        stable = len(set(new.values())) == len(set(colour.values()))
        colour = new
        if stable:
            break
    return colour if len(set(colour.values())) == len(nodes) else None
