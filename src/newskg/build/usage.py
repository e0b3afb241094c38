"""Terms used as the ontology declares them: domain and range, and "did you mean" for typos.

OWL-RL reads ``rdfs:domain`` and ``rdfs:range`` as rules, not constraints: a property used on
the wrong kind of node makes that node a member of the domain. The mistake then surfaces far
from its cause, as a disjointness clash on an individual, as a shape complaining about a
type the encoder never wrote, or not at all. This module looks before reasoning: for every
triple of the reports and the background (claim content included), it compares the types
*asserted* for the subject (the object) with the property's domain (range), and reports a use
when those types are known and disjoint from the domain or unrelated to it. A node with no
asserted type, or with a type below the domain, or above it (the use then only narrows what
the node is), is never reported.

It also adds the nearest declared term to the undeclared-term checks' problems.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS, XSD

from newskg.build.memory import IndexedMemory
from newskg.errors import Problem
from newskg.namespaces import PREFIXES, shorten

DOMAIN_CHECK = "domain-use"
RANGE_CHECK = "range-use"
#: The checks (queries/checks/ file stems) whose focus is an undeclared term, and the kind of
#: declared term to suggest for each.
UNDECLARED_CHECKS = {"undeclared-property-violation": "property", "undeclared-class-violation": "class"}

_TOP = frozenset({OWL.Thing, RDFS.Resource})
_CLASS_KINDS = (OWL.Class, RDFS.Class)
_PROPERTY_KINDS = (OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty, RDF.Property)


@dataclass
class Schema:
    """What the ontology says about classes and properties, closed under the RDFS/OWL axioms
    the checks need: superclasses, disjoint pairs, and each property's domains and ranges
    (inherited from super-properties, swapped for inverses, shared by both ends of a symmetric
    property, as OWL-RL would)."""

    classes: set[URIRef] = field(default_factory=set)
    supers: dict[URIRef, set[URIRef]] = field(default_factory=dict)
    disjoint: set[frozenset] = field(default_factory=set)
    domains: dict[URIRef, set[URIRef]] = field(default_factory=dict)
    ranges: dict[URIRef, set[URIRef]] = field(default_factory=dict)
    datatypes: set[URIRef] = field(default_factory=set)

    def above(self, cls: URIRef) -> set[URIRef]:
        """The class and every class it is a subclass of."""
        return self.supers.get(cls, {cls})

    def are_disjoint(self, a: URIRef, b: URIRef) -> bool:
        return any(frozenset((x, y)) in self.disjoint for x in self.above(a) for y in self.above(b))


def read_schema(ontology: Graph) -> Schema:
    """The class hierarchy, disjointness and effective domains/ranges of ``ontology``."""
    schema = Schema()
    schema.classes = {c for kind in _CLASS_KINDS for c in ontology.subjects(RDF.type, kind)
                      if isinstance(c, URIRef)}
    schema.datatypes = {d for d in ontology.subjects(RDF.type, RDFS.Datatype) if isinstance(d, URIRef)}
    schema.supers = _closure(ontology, RDFS.subClassOf, OWL.equivalentClass)
    for a, b in ontology.subject_objects(OWL.disjointWith):
        schema.disjoint.add(frozenset((a, b)))
    for axiom in ontology.subjects(RDF.type, OWL.AllDisjointClasses):
        head = ontology.value(axiom, OWL.members)
        members = list(Collection(ontology, head)) if head is not None else []
        schema.disjoint.update(frozenset((a, b)) for a in members for b in members if a != b)
    super_props = _closure(ontology, RDFS.subPropertyOf, OWL.equivalentProperty)
    declared_dom = _named(ontology, RDFS.domain)
    declared_rng = _named(ontology, RDFS.range)
    inverses = {t for pair in ontology.subject_objects(OWL.inverseOf) for t in pair if isinstance(t, URIRef)}
    for prop in set(super_props) | set(declared_dom) | set(declared_rng) | inverses:
        domains, ranges = set(), set()
        for sup in super_props.get(prop, {prop}):
            domains |= declared_dom.get(sup, set())
            ranges |= declared_rng.get(sup, set())
            for inverse in _inverses(ontology, sup):
                domains |= declared_rng.get(inverse, set())
                ranges |= declared_dom.get(inverse, set())
        if (prop, RDF.type, OWL.SymmetricProperty) in ontology:
            domains = ranges = domains | ranges  # each end is also the other (prp-symp)
        schema.domains[prop], schema.ranges[prop] = domains - _TOP, ranges - _TOP
    return schema


def _named(ontology: Graph, predicate: URIRef) -> dict[URIRef, set[URIRef]]:
    found: dict[URIRef, set[URIRef]] = {}
    for s, o in ontology.subject_objects(predicate):
        if isinstance(s, URIRef) and isinstance(o, URIRef):
            found.setdefault(s, set()).add(o)
    return found


def _inverses(ontology: Graph, prop: URIRef) -> set:
    return set(ontology.objects(prop, OWL.inverseOf)) | set(ontology.subjects(OWL.inverseOf, prop))


def _closure(ontology: Graph, sub: URIRef, equivalent: URIRef) -> dict[URIRef, set[URIRef]]:
    """Reflexive-transitive closure of ``sub`` (and ``equivalent`` both ways), named terms only."""
    up: dict[URIRef, set[URIRef]] = {}
    for a, b in ontology.subject_objects(sub):
        if isinstance(a, URIRef) and isinstance(b, URIRef):
            up.setdefault(a, set()).add(b)
    for a, b in ontology.subject_objects(equivalent):
        if isinstance(a, URIRef) and isinstance(b, URIRef):
            up.setdefault(a, set()).add(b)
            up.setdefault(b, set()).add(a)
    closed: dict[URIRef, set[URIRef]] = {}
    for start in up:
        seen, todo = {start}, [start]
        while todo:
            for nxt in up.get(todo.pop(), ()):
                if nxt not in seen:
                    seen.add(nxt)
                    todo.append(nxt)
        closed[start] = seen
    return closed


def find_usage_problems(ontology: Graph, files: Iterable[tuple[str, Iterable[tuple]]]) -> list[Problem]:
    """Every triple of ``files`` (project-relative path, its triples) whose subject or object
    is used outside the property's domain or range, judged by the asserted types.

    Types count wherever they are asserted: the ontology, any report or background file, any
    claim's content (whatever its status: a misuse in a NotEvidenced claim is still a misuse).
    """
    # Each file read once, as subject -> predicate -> objects: the spo index of the build's
    # graphs, walked without rdflib's generators (asking a Dataset's graph for a pattern scans
    # every graph's triples of that predicate, quadratic over hundreds of claim graphs);
    # a file's list of triples grouped by subject and predicate, in its order.
    by_file = [(path, _by_subject(triples)) for path, triples in files]
    schema = read_schema(ontology)
    types: dict[Any, set[URIRef]] = {}
    rdf_type = RDF.type  # once: each attribute of rdflib's RDF namespace is a Python-level lookup
    asserted = [(node, cls) for node, _, cls in ontology.triples((None, rdf_type, None))]
    rdf_type = _as_used(rdf_type, by_file)
    asserted += [(node, cls) for _, spo in by_file for node, by_predicate in spo.items()
                 for cls in by_predicate.get(rdf_type, ())]
    for node, cls in asserted:
        if isinstance(cls, URIRef) and cls in schema.classes:
            types.setdefault(node, set()).add(cls)
    # Per property, once: what its subject and its object must be (sorted: problems come out
    # in the same order every build).
    wants = {p: (tuple(sorted(schema.domains[p])), tuple(sorted(schema.ranges[p]))) for p in schema.domains}
    problems, seen = [], set()
    # What _misuse says depends on a node only through its kind (literal, blank node or IRI)
    # and its asserted types: judged once per classes wanted, kind and set of types (the same
    # few recur for many nodes), which also spares hashing literals by rdflib's Python-level
    # Literal.__hash__. Each judgement: the (class, why) of the classes the node misfits.
    asserted_types = {node: frozenset(classes) for node, classes in types.items()}
    no_types: frozenset = frozenset()
    kinds: dict[type, int] = {}
    judgements: dict[tuple, tuple] = {}

    def misfits(node, expected: tuple) -> tuple:
        kind = kinds.get(type(node))
        if kind is None:
            kind = kinds[type(node)] = 0 if isinstance(node, Literal) else 1 if isinstance(node, BNode) else 2
        asserted = no_types if kind == 0 else asserted_types.get(node, no_types)
        judged = (expected, kind, asserted)
        found = judgements.get(judged)
        if found is None:
            found = judgements[judged] = tuple(
                (wanted, why) for wanted in expected if (why := _misuse(schema, node, wanted, set(asserted))))
        return found

    for path, spo in by_file:
        for s, by_predicate in spo.items():
            for p, objects in by_predicate.items():
                wanted_of = wants.get(p)
                if wanted_of is None:
                    continue
                domain, range_ = wanted_of
                # The subject's misfits, once for all the objects of the predicate.
                as_subject = misfits(s, domain) if domain else ()
                for o in objects:
                    for wanted, why in as_subject:
                        if (key := (DOMAIN_CHECK, s, p, o, wanted)) not in seen:
                            seen.add(key)
                            problems.append(_problem(DOMAIN_CHECK, (s, p, o), wanted, why, path))
                    if range_:
                        for wanted, why in misfits(o, range_):
                            if (key := (RANGE_CHECK, s, p, o, wanted)) not in seen:
                                seen.add(key)
                                problems.append(_problem(RANGE_CHECK, (s, p, o), wanted, why, path))
    return sorted(problems, key=lambda q: (q.path or "", q.focus or "", q.message))


def _by_subject(triples: Iterable[tuple]) -> dict:
    """``triples`` as subject -> predicate -> objects, in the order met: a graph's own spo
    index when it is one of the build's (`IndexedMemory`), else grouped here (the objects in a
    list: a dict would hash each literal, by rdflib's Python-level Literal.__hash__)."""
    store = getattr(triples, "store", None)
    if isinstance(store, IndexedMemory):
        return store.by_subject()
    grouped: dict = {}
    for s, p, o in triples:
        grouped.setdefault(s, {}).setdefault(p, []).append(o)
    return grouped


def _as_used(term: URIRef, by_file: list[tuple[str, dict]]) -> URIRef:
    """The object the files use for the predicate ``term`` (the parser gives each IRI one),
    if they use it: a dict finds its own key by identity, any other equal IRI by rdflib's
    Python-level __eq__."""
    for _, spo in by_file:
        for by_predicate in spo.values():
            if term in by_predicate:
                return next(p for p in by_predicate if p == term)
    return term


def _misuse(schema: Schema, node, wanted: URIRef, asserted: set[URIRef]) -> tuple[str, str, str] | None:
    """Why ``node`` does not fit ``wanted`` (a domain or range class), what reasoning would
    make of it and how bad that is (error: a clash or a type no node can have; warning: only
    a classification the encoder may not have meant), or None if it may fit."""
    is_datatype = wanted in schema.datatypes or str(wanted).startswith(str(XSD)) or wanted == RDFS.Literal
    if isinstance(node, Literal):
        if is_datatype or wanted not in schema.classes:
            return None
        return "a literal", "a literal cannot be a member of a class", "error"
    if is_datatype:
        return "not a literal", "only a literal has a datatype", "error"
    if isinstance(node, BNode) or not asserted:
        return None  # nothing asserted: the use is what tells the reasoner what it is
    if any(wanted in schema.above(t) or t in schema.above(wanted) for t in asserted):
        return None  # below the class, or above it (the use only narrows the node)
    name = shorten(str(wanted))
    clash = sorted(t for t in asserted if schema.are_disjoint(t, wanted))
    if clash:
        return (f"a {_names(clash)}, disjoint with {name}", f"reasoning would make it a {name} too: a clash (cax-dw)",
                "error")
    # Unrelated is judged only among the project's own classes: a reused vocabulary's hierarchy
    # is declared elsewhere (time:ProperInterval is a time:TemporalEntity, though alignments.ttl
    # does not say so), so two of its classes that look unrelated here may not be.
    if _own(wanted) and all(_own(t) for t in asserted):
        # A warning, not an error: classifying a node by a property's domain or range is plain
        # OWL modelling (e.g. a new range class for agreement parties); only a clash is wrong.
        return f"a {_names(sorted(asserted))}, unrelated to {name}", f"reasoning would make it a {name} too", "warning"
    return None


def _own(cls: URIRef) -> bool:
    return str(cls).startswith(PREFIXES["nkg"])


def _problem(check: str, triple: tuple, wanted: URIRef, why: tuple[str, str, str], path: str) -> Problem:
    s, p, o = triple
    role, node = ("domain", s) if check == DOMAIN_CHECK else ("range", o)
    message = (f"{shorten(str(p))} has {role} {shorten(str(wanted))}, but {_show(node)} is {why[0]}; "
               f"{why[1]} (in {_show(s)} {shorten(str(p))} {_show(o)})")
    return Problem(check, message, why[2], _show(s), path, triple=triple)


def _names(classes: list) -> str:
    return " and ".join(shorten(str(c)) for c in classes)


def _show(term) -> str:
    return shorten(str(term)) if isinstance(term, URIRef) else term.n3()


# --------------------------------------------------------------------------- did you mean


def declared_terms(ontology: Graph, kind: str) -> list[URIRef]:
    """The classes (``kind="class"``) or properties the ontology declares."""
    kinds = _CLASS_KINDS if kind == "class" else _PROPERTY_KINDS
    return sorted({t for k in kinds for t in ontology.subjects(RDF.type, k) if isinstance(t, URIRef)})


def nearest_term(term: str, candidates: Iterable[URIRef]) -> str | None:
    """The declared term closest to ``term`` (a CURIE or <IRI>), as a CURIE, or None.

    Whole CURIEs are compared first (a typo in the name: ``nkg:belongsToStat``), then local
    names without case (the right name under the wrong prefix, or a case slip).
    """
    shown = {shorten(str(c)): c for c in candidates}
    exact = difflib.get_close_matches(term, list(shown), n=1, cutoff=0.8)
    if exact:
        return exact[0]
    local = _local(term).lower()
    by_local: dict[str, str] = {}
    for curie in shown:
        by_local.setdefault(_local(curie).lower(), curie)
    close = difflib.get_close_matches(local, list(by_local), n=1, cutoff=0.75)
    return by_local[close[0]] if close else None


def _local(term: str) -> str:
    term = term.strip("<>")
    for sep in ("#", "/", ":"):
        if sep in term:
            term = term.rsplit(sep, 1)[1]
    return term


def suggest_declared_terms(problems: list[Problem], ontology: Graph) -> list[Problem]:
    """Add "did you mean X?" to each undeclared-term problem whose term has a near declared one."""
    candidates: dict[str, list[URIRef]] = {}
    for problem in problems:
        kind = UNDECLARED_CHECKS.get(problem.check)
        if kind is None or not problem.focus:
            continue
        if kind not in candidates:
            candidates[kind] = declared_terms(ontology, kind)
        nearest = nearest_term(problem.focus, candidates[kind])
        if nearest and nearest != problem.focus:
            problem.message += f"; did you mean {nearest}?"
    return problems
