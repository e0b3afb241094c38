"""Finds axioms outside the OWL 2 RL profile, which owlrl would silently ignore.

OWL 2 RL allows a class expression only in certain positions (OWL 2 Profiles, section 4.2):
a *subclass* expression (left of rdfs:subClassOf, in owl:disjointWith) may use
intersection, union, owl:oneOf, owl:someValuesFrom and owl:hasValue; a *superclass*
expression (right of rdfs:subClassOf, rdfs:domain, rdfs:range, the type of an individual)
may use intersection, owl:complementOf, owl:allValuesFrom, owl:hasValue and
owl:maxCardinality 0 or 1; an *equivalent-class* expression only intersection and
owl:hasValue. owlrl applies rules to the RDF triples it finds, so an expression in the wrong
position is not refused: it just never fires, and the intended inference is silently missing.

What is flagged, each naming the file, the named class or property, and the axiom:
- owl:someValuesFrom, owl:unionOf or owl:oneOf as a superclass (or in an equivalence);
- owl:allValuesFrom or owl:complementOf as a subclass (or in an equivalence);
- owl:minCardinality, owl:cardinality and their qualified forms anywhere;
  owl:maxCardinality (qualified or not) above 1, or anywhere but a superclass;
- owl:hasSelf, owl:ReflexiveProperty, owl:disjointUnionOf, datatype restrictions
  (owl:withRestrictions) anywhere;
- owl:Thing as a subclass or in an equivalence.
owl:Thing as a superclass or domain is tolerated: it is trivially true, so nothing is lost.
Data ranges other than datatype restrictions and keys are not inspected.
"""

from __future__ import annotations

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS

from newskg.errors import Problem
from newskg.namespaces import shorten

CHECK = "owl2-rl-profile"

SUB, SUPER, EQUIV = "subclass", "superclass", "equivalent class"

_CONSTRUCTORS = (OWL.intersectionOf, OWL.unionOf, OWL.complementOf, OWL.oneOf)
_NEVER_RL_CARDINALITIES = (
    OWL.minCardinality, OWL.cardinality, OWL.minQualifiedCardinality, OWL.qualifiedCardinality,
)


def find_profile_violations(graph: Graph, path: str) -> list[Problem]:
    """Every axiom of ``graph`` (parsed from the file ``path``) that is outside OWL 2 RL.

    One Problem per axiom and reason, severity "error", focus the named class or property
    the axiom is about, message the reason and the axiom in a compact notation.
    """
    problems: list[Problem] = []

    def report(focus, axiom: str, reasons: list[str]) -> None:
        for reason in reasons:
            problems.append(Problem(CHECK, f"{reason}; owlrl ignores it: {axiom}",
                                    "error", _name(focus), path))

    for sub, sup in graph.subject_objects(RDFS.subClassOf):
        axiom = f"{_show(graph, sub)} rdfs:subClassOf {_show(graph, sup)}"
        focus = sub if isinstance(sub, URIRef) else sup
        report(focus, axiom, _reasons(graph, sub, SUB) + _reasons(graph, sup, SUPER))
    for left, right in graph.subject_objects(OWL.equivalentClass):
        axiom = f"{_show(graph, left)} owl:equivalentClass {_show(graph, right)}"
        focus = left if isinstance(left, URIRef) else right
        report(focus, axiom, _reasons(graph, left, EQUIV) + _reasons(graph, right, EQUIV))
    for left, right in graph.subject_objects(OWL.disjointWith):
        axiom = f"{_show(graph, left)} owl:disjointWith {_show(graph, right)}"
        report(left, axiom, _reasons(graph, left, SUB) + _reasons(graph, right, SUB))
    for prop, axis in ((p, a) for a in (RDFS.domain, RDFS.range) for p in graph.subjects(a, None)):
        for cls in graph.objects(prop, axis):
            axiom = f"{_name(prop)} {_name(axis)} {_show(graph, cls)}"
            report(prop, axiom, _reasons(graph, cls, SUPER))
    for individual, cls in graph.subject_objects(RDF.type):
        if isinstance(cls, BNode) and _is_class_expression(graph, cls):
            axiom = f"{_name(individual)} rdf:type {_show(graph, cls)}"
            report(individual, axiom, _reasons(graph, cls, SUPER))
    for named in {s for p in _CONSTRUCTORS for s in graph.subjects(p, None) if isinstance(s, URIRef)}:
        # A constructor on a named class defines that class: an equivalence.
        report(named, f"{_name(named)} defined as {_describe(graph, named)}",
               _constructor_reasons(graph, named, EQUIV))
    for prop in graph.subjects(RDF.type, OWL.ReflexiveProperty):
        report(prop, f"{_name(prop)} rdf:type owl:ReflexiveProperty",
               ["owl:ReflexiveProperty is outside OWL 2 RL"])
    for cls in graph.subjects(OWL.disjointUnionOf, None):
        report(cls, f"{_name(cls)} owl:disjointUnionOf (...)",
               ["owl:disjointUnionOf is outside OWL 2 RL (it implies a union as superclass)"])
    for restriction in graph.subjects(OWL.withRestrictions, None):
        report(restriction, f"datatype restriction on {_name(graph.value(restriction, OWL.onDatatype))}",
               ["a datatype restriction (owl:withRestrictions) is outside OWL 2 RL"])
    return _unique(problems)


def _reasons(graph: Graph, expr, position: str) -> list[str]:
    """Why the class expression ``expr`` is not allowed in ``position`` (empty when it is)."""
    if isinstance(expr, Literal):
        return []
    if isinstance(expr, URIRef):
        if expr == OWL.Thing and position != SUPER:
            return [f"owl:Thing as {_a(position)} is outside OWL 2 RL"]
        return []
    return _constructor_reasons(graph, expr, position)


def _constructor_reasons(graph: Graph, expr, position: str) -> list[str]:
    reasons: list[str] = []
    for members in graph.objects(expr, OWL.intersectionOf):
        for member in _members(graph, members):
            reasons += _reasons(graph, member, position)
    for members in graph.objects(expr, OWL.unionOf):
        if position == SUB:
            for member in _members(graph, members):
                reasons += _reasons(graph, member, SUB)
        else:
            reasons.append(f"owl:unionOf as {_a(position)} is outside OWL 2 RL")
    for operand in graph.objects(expr, OWL.complementOf):
        if position == SUPER:
            reasons += _reasons(graph, operand, SUB)
        else:
            reasons.append(f"owl:complementOf as {_a(position)} is outside OWL 2 RL")
    if (expr, OWL.oneOf, None) in graph and position != SUB:
        reasons.append(f"owl:oneOf as {_a(position)} is outside OWL 2 RL")
    if (expr, OWL.hasSelf, None) in graph:
        reasons.append("owl:hasSelf is outside OWL 2 RL")
    for filler in graph.objects(expr, OWL.someValuesFrom):
        if position == SUB:
            reasons += _reasons(graph, filler, SUB) if filler != OWL.Thing else []
        else:
            reasons.append(f"owl:someValuesFrom as {_a(position)} is outside OWL 2 RL")
    for filler in graph.objects(expr, OWL.allValuesFrom):
        if position == SUPER:
            reasons += _reasons(graph, filler, SUPER)
        else:
            reasons.append(f"owl:allValuesFrom as {_a(position)} is outside OWL 2 RL")
    for kind in _NEVER_RL_CARDINALITIES:
        if (expr, kind, None) in graph:
            reasons.append(f"{_name(kind)} is outside OWL 2 RL")
    for kind in (OWL.maxCardinality, OWL.maxQualifiedCardinality):
        for value in graph.objects(expr, kind):
            if position != SUPER:
                reasons.append(f"{_name(kind)} as {_a(position)} is outside OWL 2 RL")
            elif not _is_zero_or_one(value):
                reasons.append(f"{_name(kind)} {value} is outside OWL 2 RL (only 0 or 1)")
            elif kind == OWL.maxQualifiedCardinality:
                on_class = graph.value(expr, OWL.onClass)
                if on_class is not None and on_class != OWL.Thing:
                    reasons += _reasons(graph, on_class, SUB)
    return reasons


def _is_class_expression(graph: Graph, node) -> bool:
    return (node, RDF.type, OWL.Restriction) in graph or any(
        (node, p, None) in graph for p in _CONSTRUCTORS)


def _is_zero_or_one(value) -> bool:
    try:
        return int(str(value)) in (0, 1)
    except ValueError:
        return False


def _members(graph: Graph, head) -> list:
    try:
        return list(Collection(graph, head))
    except Exception:  # a malformed list: nothing to inspect, the parser would have said more
        return []


def _describe(graph: Graph, expr) -> str:
    parts = []
    for p in _CONSTRUCTORS:
        for value in graph.objects(expr, p):
            inner = (" , ".join(_show(graph, m) for m in _members(graph, value))
                     if p != OWL.complementOf else _show(graph, value))
            parts.append(f"{_name(p)} ({inner})")
    return " ".join(parts)


def _show(graph: Graph, expr, depth: int = 0) -> str:
    """A compact rendering of a class expression for messages."""
    if not isinstance(expr, BNode):
        return _name(expr)
    if depth > 3:
        return "[...]"
    prop = graph.value(expr, OWL.onProperty)
    if prop is not None:
        for key in (OWL.someValuesFrom, OWL.allValuesFrom, OWL.hasValue, OWL.minCardinality,
                    OWL.maxCardinality, OWL.cardinality, OWL.minQualifiedCardinality,
                    OWL.maxQualifiedCardinality, OWL.qualifiedCardinality, OWL.hasSelf):
            value = graph.value(expr, key)
            if value is not None:
                return f"[{_name(key)} {_show(graph, value, depth + 1)} on {_name(prop)}]"
    for p in _CONSTRUCTORS:
        value = graph.value(expr, p)
        if value is not None:
            if p == OWL.complementOf:
                return f"[owl:complementOf {_show(graph, value, depth + 1)}]"
            inner = " ".join(_show(graph, m, depth + 1) for m in _members(graph, value))
            return f"[{_name(p)} ({inner})]"
    return "[]"


def _name(term) -> str:
    if term is None:
        return "?"
    if isinstance(term, Literal):
        return str(term)
    if isinstance(term, BNode):
        return "[]"
    return shorten(str(term))


def _a(position: str) -> str:
    return f"a {position}" if position != EQUIV else "part of an equivalent-class axiom"


def _unique(problems: list[Problem]) -> list[Problem]:
    seen, unique = set(), []
    for p in problems:
        key = (p.focus, p.message)
        if key not in seen:
            seen.add(key)
            unique.append(p)
    return unique
