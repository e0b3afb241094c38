"""Status levels: which claims count at which level, and the level of every asserted fact triple.

docs/status-levels.md is the contract. A claim's level comes from its status (Background and
Confirmed: confirmed; Reported: reported; Assessed: assessed); NotEvidenced, Denied and any
claim of negative polarity have none: their content is recorded and never counts as positive.
A fact triple's level is the strongest level of the claims whose content states it.

This module also enforces where fact triples may live: only in claim content. A Turtle file
holds no triple about a fact node and nothing about a shared resource (``nkr:``) but its names.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from rdflib import Graph, URIRef
from rdflib.namespace import RDF, RDFS, SKOS

from newskg.build.memory import IndexedMemory, add_triples, new_graph
from newskg.errors import Problem
from newskg.namespaces import LEVELS, NKG, OA, PREFIXES, shorten

#: Status -> index into LEVELS. Statuses not listed (NotEvidenced, Denied) enter no level.
STATUS_LEVEL = {"Background": 0, "Confirmed": 0, "Reported": 1, "Assessed": 2}
#: What may be said of a shared resource outside claim content: its names and notes.
NAMING_PREDICATES = frozenset({RDFS.label, RDFS.comment, SKOS.prefLabel, SKOS.altLabel,
                               SKOS.hiddenLabel, SKOS.exactMatch, SKOS.closeMatch, SKOS.note})


@dataclass
class Claim:
    """What the level computation needs to know of one claim."""

    iri: URIRef
    status: str | None
    negative: bool
    level: int | None  # index into LEVELS; None: enters no level


@dataclass
class FactLevels:
    """The asserted fact triples split by level, and which claims state each triple."""

    by_level: list[Graph]  # one graph per entry of LEVELS
    stated_by: dict[tuple, set[URIRef]] = field(default_factory=dict)
    claims: dict[URIRef, Claim] = field(default_factory=dict)

    def level_of(self, triple: tuple) -> int | None:
        """The level of an asserted fact triple, or None if no positive claim states it."""
        for index, graph in enumerate(self.by_level):
            if triple in graph:
                return index
        return None


def read_claims(claim_layer: Graph) -> dict[URIRef, Claim]:
    """Every claim of the claim layer with its status, polarity and level."""
    claims = {}
    status_base = PREFIXES["nkg"]
    has_status, has_polarity, negative_polarity = NKG.hasStatus, NKG.hasPolarity, NKG.Negative
    spo = _by_subject(claim_layer)
    for iri in claim_layer.subjects(RDF.type, NKG.Claim):
        if not isinstance(iri, URIRef):
            continue
        if spo is not None:  # the index itself: a generator per lookup through rdflib cost more
            by_predicate = spo.get(iri, {})
            status_term = next(iter(by_predicate.get(has_status, ())), None)
            negative = negative_polarity in by_predicate.get(has_polarity, ())
        else:
            status_term = claim_layer.value(iri, has_status)
            negative = (iri, has_polarity, negative_polarity) in claim_layer
        status = str(status_term)[len(status_base):] if status_term is not None else None
        level = None if negative else STATUS_LEVEL.get(status or "")
        claims[iri] = Claim(iri, status, negative, level)
    return claims


def _by_subject(graph: Graph) -> dict | None:
    """The spo index (subject -> predicate -> objects) of a graph of the build's own store
    (`IndexedMemory`, the claim layer's union included), in the graph's order; else None."""
    store = graph.store
    return store.by_subject() if isinstance(store, IndexedMemory) else None


def split_by_level(content: Iterable[Graph], claims: dict[URIRef, Claim]) -> FactLevels:
    """Put every content triple in the graph of its strongest level (or in none)."""
    stated_by: dict[tuple, set[URIRef]] = {}
    # The best level of each triple, with the triple, kept by the id of its set in stated_by
    # (one set per triple, alive as long as stated_by): an int key, where the triple would be
    # hashed again, by rdflib's Python-level Literal.__hash__ for each literal, at every look.
    # In the order triples first got a level, as the facts graphs are filled.
    best: dict[int, tuple[int, tuple]] = {}
    weakest = (len(LEVELS), None)
    for graph in content:
        name = URIRef(str(graph.identifier))
        claim = claims.get(name)
        level = claim.level if claim else None
        # Each triple as the graph yields it, read from its index without rdflib's generators.
        spo = _by_subject(graph)
        grouped = spo.items() if spo is not None else _grouped(graph)
        for s, by_predicate in grouped:
            for p, objects in by_predicate.items():
                for o in objects:
                    triple = (s, p, o)
                    names = stated_by.setdefault(triple, set())
                    names.add(name)
                    if level is not None and level < best.get(id(names), weakest)[0]:
                        best[id(names)] = (level, triple)
    by_level = [new_graph() for _ in LEVELS]
    for index, graph in enumerate(by_level):
        add_triples(graph, (triple for level, triple in best.values() if level == index))
    return FactLevels(by_level, stated_by, claims)


def fact_changes(facts: FactLevels, new_claims: set[URIRef]) -> list[tuple[list[tuple], list[tuple]]]:
    """What the claims ``new_claims`` change in each level's facts graph: per level, (the triples
    it holds now and held not without them, the triples it held without them and holds no
    more). A triple a new claim states at a stronger level than the others moves: removed
    from its old level, added to the new one."""
    changes: list[tuple[list[tuple], list[tuple]]] = [([], []) for _ in facts.by_level]
    claims = facts.claims
    for triple, names in facts.stated_by.items():
        if names.isdisjoint(new_claims):
            continue
        before = min((level for name in names if name not in new_claims
                      if (claim := claims.get(name)) is not None and (level := claim.level) is not None),
                     default=None)
        now = facts.level_of(triple)
        if before != now:
            if before is not None:
                changes[before][1].append(triple)
            if now is not None:
                changes[now][0].append(triple)
    return changes


def _grouped(graph: Graph) -> Iterator[tuple]:
    """(subject, {predicate: [object]}) for each triple of ``graph`` in its order, one by one."""
    for s, p, o in graph:
        yield s, {p: [o]}


def find_placement_problems(turtle_graphs: dict[str, list[tuple]], content: dict[URIRef, str],
                            claims: dict[URIRef, Claim], facts: FactLevels,
                            claim_layer: Graph) -> list[Problem]:
    """Fact triples outside claim content, and content graphs that are no claim's.

    Outside claim content, a fact node or a shared resource (``nkr:Name``) may only be named
    (NAMING_PREDICATES); everything else said of it is a fact some claim must state.

    ``turtle_graphs`` maps a project-relative Turtle file to its parsed triples, ``content``
    a claim IRI to the file holding its content graph.
    """
    problems = []
    # Only the graphs that are no claim's are sorted: a sort of every claim IRI, by rdflib's
    # Python-level comparisons, was a good part of this check.
    for iri, path in sorted((iri, path) for iri, path in content.items() if iri not in claims):
        problems.append(Problem("claim-content", f"the graph {shorten(str(iri))} is not a claim: "
                                "name each content graph after the claim (a nkg:Claim) that states it",
                                focus=shorten(str(iri)), path=path))
    fact_nodes = {t[0] for t in facts.stated_by} | set(claim_layer.objects(None, NKG.denotes))
    fact_nodes -= set(claims)
    shared = PREFIXES["nkr"]
    # What each predicate and subject is, decided once for all its triples.
    naming: dict = {}
    why_of: dict = {}
    for path, graph in sorted(turtle_graphs.items()):
        found = []
        for s, p, o in graph:
            is_naming = naming.get(p)
            if is_naming is None:
                is_naming = naming[p] = p in NAMING_PREDICATES
            if is_naming:
                continue
            why = why_of.get(s, False)
            if why is False:
                why = why_of[s] = ("is about a fact node" if s in fact_nodes else
                                   "is a fact about a shared resource"
                                   if isinstance(s, URIRef) and _is_shared(str(s), shared) else None)
            if why is not None:
                found.append(((s, p, o), why))
        # Sorted, so the problems come in the same order every time; only the few found (a
        # sort of every triple of every file, by rdflib's Python-level comparisons, took seconds).
        for (s, p, o), why in sorted(found, key=lambda item: item[0]):
            problems.append(Problem(
                "fact-outside-claim", f"{_show((s, p, o))} {why}; state it in the content graph of "
                "the claim that says it (see docs/status-levels.md)", focus=_show((s,)), path=path,
                triple=(s, p, o)))
    return problems


def _is_shared(iri: str, base: str) -> bool:
    # nkr:<Name> is shared; nkr:<slug>/<name> is a report's own node.
    return iri.startswith(base) and "/" not in iri[len(base):]


def _show(triple: tuple) -> str:
    return " ".join(shorten(str(t)) if isinstance(t, URIRef) else t.n3() for t in triple)


def quote_of(claim: URIRef, claim_layer: Graph) -> str | None:
    """The exact words of a claim's first anchor, if it has one."""
    for anchor in claim_layer.objects(claim, NKG.hasAnchor):
        for selector in claim_layer.objects(anchor, OA.hasSelector):
            exact = claim_layer.value(selector, OA.exact)
            if exact is not None:
                return str(exact)
    return None


def claims_behind(iris: set[str], facts: FactLevels, up_to: int) -> list[URIRef]:
    """The claims of level ``up_to`` or stronger whose content mentions any of ``iris``.

    Used to name the claims a contradiction rests on; the claims of level ``up_to`` itself
    (the ones that brought the clash in) come first.
    """
    found: dict[URIRef, int] = {}
    for triple, claims in facts.stated_by.items():
        if str(triple[0]) in iris or str(triple[2]) in iris:
            for claim in claims:
                record = facts.claims.get(claim)
                if record and record.level is not None and record.level <= up_to:
                    found[claim] = record.level
    return sorted(found, key=lambda c: (-found[c], str(c)))
