"""OWL-RL inference behind one small interface, and the filter that keeps only meaningful triples.

owlrl is the reference engine. A faster engine can replace it by implementing
`Reasoner.closure`, as long as it derives exactly the same facts (the tests compare).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS

from newskg.build.memory import add_triples, new_graph
from newskg.errors import InconsistencyError, UsageError
from newskg.namespaces import VOCABULARY_NAMESPACES, shorten

# owlrl writes inconsistencies into the graph as (node a err:ErrorMessage; err:error "text").
_ERRNS = "http://www.daml.org/2002/03/agents/agent-ont#"
ERROR_MESSAGE = URIRef(_ERRNS + "ErrorMessage")
ERROR_TEXT = URIRef(_ERRNS + "error")

# owlrl's messages carry no rule id; these patterns recover it so the user sees the OWL-RL name.
_ERROR_RULES: tuple[tuple[str, str], ...] = (
    (r"^Disjoint classes", "cax-dw"),
    (r"defined of type 'Nothing'", "cls-nothing2"),
    (r"^'sameAs' and 'differentFrom'", "eq-diff1"),
    (r"^'sameAs' and 'AllDifferent'", "eq-diff2"),
    (r"^Irreflexive property", "prp-irp"),
    (r"asymmetric property", "prp-asyp"),
    (r"AllDisjointProperties", "prp-adp"),
    (r"disjoint properties", "prp-pdw"),
    (r"Negative \(object\)", "prp-npa1"),
    (r"Negative \(datatype\)", "prp-npa2"),
    (r"complementarity", "cls-com"),
    (r"allValuesFrom", "dt-not-type"),
    (r"maximum qualified cardinality", "cls-maxqc1"),
    (r"maximum cardinality", "cls-maxc1"),
    (r"^Lexical value", "dt-not-type"),
)

#: Types every resource has; asserting them tells an analyst nothing.
FILLER_TYPES = frozenset({RDFS.Resource, OWL.Thing, RDFS.Class, RDF.Property})
#: Relations that OWL-RL makes reflexive for every term; x R x is noise.
REFLEXIVE_NOISE = frozenset(
    {OWL.sameAs, RDFS.subClassOf, RDFS.subPropertyOf, OWL.equivalentClass, OWL.equivalentProperty}
)
#: Everything is a subclass of these.
TOP_CLASSES = frozenset({OWL.Thing, RDFS.Resource})


class Reasoner(Protocol):
    """An engine that computes the OWL 2 RL closure of a graph."""

    name: str

    def closure(self, graph: Graph) -> Graph:
        """Return a new graph: the input plus everything the rules derive."""
        ...


class OwlrlReasoner:
    """The reference engine: owlrl's forward chaining, no axiomatic or datatype triples."""

    name = "owlrl"

    def closure(self, graph: Graph) -> Graph:
        import owlrl  # imported here: ~0.1 s, and only the build needs it

        closed = Graph()
        for triple in graph:
            closed.add(triple)
        owlrl.DeductiveClosure(
            owlrl.OWLRL_Semantics, axiomatic_triples=False, datatype_axioms=False
        ).expand(closed)
        return closed


@dataclass
class Inference:
    """The outcome of reasoning: only the meaningful new triples, and what was dropped."""

    inferred: Graph
    closure_size: int
    noise: Counter = field(default_factory=Counter)

    @property
    def noise_removed(self) -> int:
        return sum(self.noise.values())


def noise_kind(triple: tuple, asserted: Graph) -> str | None:
    """Why an inferred triple is noise, or None if it is worth keeping.

    The kinds, in order: already asserted; a literal subject (N-Triples cannot hold it);
    a blank node anywhere (its identity does not survive being written to a separate
    graph file, and it is only ever an anonymous class expression); a subject in the
    RDF/RDFS/OWL/XSD vocabulary; a reflexive sameAs/subClassOf/subPropertyOf/equivalence;
    a filler type (rdfs:Resource, owl:Thing, rdfs:Class, rdf:Property); a subclass, domain
    or range of owl:Thing or rdfs:Resource (true of every class and property).
    """
    s, p, o = triple
    if triple in asserted:
        return "asserted"
    if isinstance(s, Literal):
        return "literal-subject"
    if isinstance(s, BNode) or isinstance(o, BNode):
        return "blank-node"
    if str(s).startswith(VOCABULARY_NAMESPACES):
        return "vocabulary-subject"
    if p in REFLEXIVE_NOISE and s == o:
        return "reflexive"
    if p == RDF.type and o in FILLER_TYPES:
        return "filler-type"
    if p in (RDFS.subClassOf, RDFS.domain, RDFS.range) and o in TOP_CLASSES:
        return "top-class"
    return None


def _raw_inconsistencies(closed: Graph) -> list[tuple[str, str]]:
    findings = []
    for node in closed.subjects(RDF.type, ERROR_MESSAGE):
        for text in closed.objects(node, ERROR_TEXT):
            message = str(text)
            rule = next((r for pat, r in _ERROR_RULES if re.search(pat, message)), "owl-rl")
            findings.append((rule, message))
    return sorted(set(findings))


def _inconsistencies(closed: Graph) -> list[tuple[str, str]]:
    return sorted({(rule, _shorten_iris(message)) for rule, message in _raw_inconsistencies(closed)})


def mentioned_iris(message: str) -> set[str]:
    """The IRIs an owlrl inconsistency message names (its individuals and classes)."""
    return set(re.findall(r"https?://[^\s,()']+", message))


def _shorten_iris(message: str) -> str:
    return re.sub(r"https?://[^\s,()']+", lambda m: shorten(m.group(0)), message)


def infer(asserted: Graph, reasoner: Reasoner | None = None) -> Inference:
    """Run the OWL-RL closure over the asserted triples and keep only meaningful new ones.

    Raises InconsistencyError, naming the rule and the individuals, when the closure
    finds a contradiction (e.g. disjoint classes sharing a member, rule cax-dw).
    """
    reasoner = reasoner or OwlrlReasoner()
    closed = reasoner.closure(asserted)
    findings = _inconsistencies(closed)
    if findings:
        raise InconsistencyError(findings)
    inferred = Graph()
    noise: Counter = Counter()
    for triple in closed:
        kind = noise_kind(triple, asserted)
        if kind is None:
            inferred.add(triple)
        elif kind != "asserted":
            noise[kind] += 1
    return Inference(inferred=inferred, closure_size=len(closed), noise=noise)


@dataclass
class LevelFinding:
    """An inconsistency that appears first at one level: its rule, message and named IRIs."""

    level: int
    rule: str
    message: str
    iris: set[str]


@dataclass
class LevelledInference:
    """What reasoning added at each level (only there, not at a stronger one), and the clashes."""

    inferred: list[Graph]  # one per level, strongest first
    closure_size: int
    noise: Counter = field(default_factory=Counter)
    findings: list[LevelFinding] = field(default_factory=list)
    how: str = "full"  # in full or incrementally, and why (newskg.build.incremental)
    #: when extended from the reasoner's saved state: per level, the triples added to and
    #: removed from what that state's build kept (newskg.build.rules.LevelledRules.changed)
    changed: list[tuple[list, list]] | None = None

    @property
    def noise_removed(self) -> int:
        return sum(self.noise.values())


def infer_levels(base: Graph, deltas: list[Graph], reasoner: Reasoner | None = None) -> LevelledInference:
    """Reason level by level: the base (ontology, claim and text layers, confirmed facts), then
    each delta (the facts of the next level) added to what the level before derived.

    Each level's closure starts from the previous closure, so work is reused (closure is
    monotone: closure(closure(A) + D) = closure(A + D)). A triple kept at a level is one the
    level's closure holds, that is no noise against what is asserted at that level, and that
    no stronger level already kept. Inconsistencies are returned as findings with the level
    where they first appear; the caller decides which fail the build.
    """
    reasoner = reasoner or OwlrlReasoner()
    visible = Graph()
    for triple in base:
        visible.add(triple)
    closed = visible
    inferred: list[Graph] = []
    kept_before: set = set()
    noise: Counter = Counter()
    findings: list[LevelFinding] = []
    seen_findings: set[tuple[str, str]] = set()
    for level, delta in enumerate([Graph(), *deltas]):
        for triple in delta:
            visible.add(triple)
            closed.add(triple)
        closed = reasoner.closure(closed)
        for rule, message in _raw_inconsistencies(closed):
            if (rule, message) not in seen_findings:
                seen_findings.add((rule, message))
                findings.append(LevelFinding(level, rule, _shorten_iris(message), mentioned_iris(message)))
        kept = Graph()
        for triple in closed:
            kind = noise_kind(triple, visible)
            if kind is None:
                if triple not in kept_before:
                    kept.add(triple)
                    kept_before.add(triple)
            elif kind != "asserted" and level == len(deltas):
                noise[kind] += 1
        inferred.append(kept)
    return LevelledInference(inferred, len(closed), noise, findings)


#: The engines `newskg build --reasoner` offers. `rules` (newskg.build.rules) derives exactly
#: owlrl's kept inferences (tests/test_rules.py) in a fraction of the time; `owlrl` is the reference.
REASONERS = ("rules", "owlrl")


def reason_by_level(tbox: Graph, base: Iterable, deltas: list[Graph], reasoner: str = REASONERS[0],
                    cache_dir: Path | None = None, incremental: bool = False, key=None,
                    additions=None, full: bool = False) -> LevelledInference:
    """What OWL-RL adds at each level: the TBox and ``base`` (claim layer and confirmed facts),
    then each delta (the facts of the next level), with either engine of REASONERS.

    ``incremental`` (rules engine, with a ``cache_dir``): keep the engine's state in
    ``cache_dir`` and, when the input only adds to the last one, extend it instead of reasoning
    from scratch (newskg.build.incremental); the result is the same, and ``how`` says which.
    ``key`` and ``additions``: the build's account of what its input adds (see
    IncrementalReasoner.levels), which spares comparing the whole input with the state.
    ``full``: reason from scratch even if the state could be extended (and save the new one)."""
    if reasoner == "owlrl":
        everything = Graph()
        for graph in (tbox, base):
            for triple in graph:
                everything.add(triple)
        return infer_levels(everything, deltas, OwlrlReasoner())
    if reasoner != "rules":
        raise UsageError(f"unknown reasoner {reasoner!r}; reasoners: {', '.join(REASONERS)}")
    from newskg.build.rules import infer_levels as infer_levels_by_rules

    if incremental and cache_dir is not None:
        from newskg.build.incremental import IncrementalReasoner

        outcome = IncrementalReasoner(cache_dir).levels(tbox, base, deltas, key, additions, full=full)
    else:
        outcome = infer_levels_by_rules(tbox, base, deltas, cache_dir)
    inferred = []
    for level in outcome.levels:
        graph = new_graph()
        add_triples(graph, level.kept)
        inferred.append(graph)
    # Sorted: an extended state finds them in another order than a full run.
    findings = [LevelFinding(f.level, f.rule, _shorten_iris(f.message), mentioned_iris(f.message))
                for f in sorted(outcome.findings, key=lambda f: (f.level, f.rule, f.message))]
    return LevelledInference(inferred, outcome.closure_size, outcome.noise, findings, outcome.how, outcome.changed)
