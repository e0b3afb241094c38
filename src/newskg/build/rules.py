"""OWL 2 RL by rules: exactly owlrl's inferences, fast enough for a million-triple build.

Design (numbers: benchmarks/reasoner_benchmark.py; owlrl stays the reference):

- TBox and ABox apart. The TBox (the ontology graph, ~1.2k triples) is small: its closure is
  computed once by owlrl itself, so it is exact by construction, and cached by a hash of its
  triples in memory and on disk (rules_tbox; ~2.5 s saved per build). The rule tables are
  compiled from that closure (rules_schema): superclasses per class, domains, ranges,
  super-properties, inverses, chains, restrictions, disjointness, ...
- The ABox is reasoned over by forward chaining on integer-interned terms (rules_engine, and
  rules_equality for owl:sameAs): one worklist, every triple joined once with the store as it
  stands (semi-naive), hash indexes only where a join needs them, a type triple stored with
  all its superclasses at once, transitivity joined once per chain. owlrl instead re-applies
  every rule to every triple on every cycle (~0.75 ms per asserted triple); the engine takes
  ~10 us. Pure Python: numpy would need the joins vectorised per rule and per level, and a
  dependency, for a part of the build that is already a small share of it.
- Levels: `RulesEngine.add_level` takes the next level's asserted triples and continues from
  the previous level's store, so each level costs only what it adds; it returns what that
  level derives (after the noise filter of newskg.build.reasoning, rules_ledger) and the
  inconsistencies that first appear at it. `infer_levels` runs the three levels; the reference
  for a level is owlrl on everything asserted up to it. `RulesReasoner.closure` is the plain
  `Reasoner` drop-in for OwlrlReasoner: the very same closure, triple for triple.
- Each stored triple keeps the level it holds from (derived there, or asserted there; a triple
  derived at one level and asserted at a weaker one keeps the stronger, its assertion is noted
  aside), so the store after a build is all a later build needs to add reports to it without
  reasoning from scratch: newskg.build.incremental saves it and extends it.

Precondition, checked (UnsupportedByRulesError names the triple): the ABox never changes the
schema, i.e. no ABox triple, asserted or derived, is a schema triple (rdfs:subClassOf, owl:*
axioms, rdf:type owl:Class / owl:TransitiveProperty / ..., the TBox's list cells) that the
TBox closure lacks, and none types a resource with an XSD datatype or makes it owl:sameAs a
literal. The TBox may not use owl:hasKey (owlrl's prp-key is wrong: it compares only the
first n-1 key properties) or owl:sameAs as the property of an axiom. Everything else owlrl
implements of OWL 2 RL is implemented, with owlrl's quirks that survive the noise filter:
literals are typed with their datatype and its XSD supertypes (once, from the asserted
literals, rules_datatypes), ill-typed literals are inconsistencies (dt-not-type), datatypes
in use are pairwise disjoint (so a literal in the range of a property of another datatype
clashes, cax-dw), triples with a blank-node predicate take part in reasoning but are dropped
at the end, x owl:sameAs x holds for every term (never stored: it changes nothing else).

Where owlrl is wrong and the engine is not: prp-adp and eq-diff2/3 check every pair of the
list (owlrl skips the last member), and cls-com names the individual (owlrl names the class
twice). Everything derived is identical; tests/test_rules.py compares with owlrl.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF

from newskg.build.memory import without_cycle_collection
from newskg.build.reasoning import ERROR_MESSAGE, ERROR_TEXT
from newskg.build.rules_datatypes import DatatypeRules
from newskg.build.rules_engine import TBOX_ASSERTED, TBOX_DERIVED, SchemaViolation, Store, asserted_at, derived_at
from newskg.build.rules_ledger import Finding, Ledger
from newskg.build.rules_schema import LITERAL, MASK, SEEN, SHIFT, Terms, compile_schema
from newskg.build.rules_tbox import (
    LIST_PREDICATES,
    SCHEMA_PREDICATES,
    SCHEMA_TYPES,
    UnsupportedByRulesError,
    list_nodes,
    refuse_unsupported,
    split_tbox,
    tbox_closure,
)

__all__ = ["Finding", "Level", "LevelledRules", "RulesEngine", "RulesReasoner", "UnsupportedByRulesError",
           "infer_levels"]

Triple = tuple


@dataclass
class Level:
    """What one level adds: derived triples (noise filtered out) and new inconsistencies."""

    kept: list[Triple]
    findings: list[Finding]
    derived: int  # triples the level derives, noise included


@dataclass
class LevelledRules:
    """The outcome of `infer_levels`: one Level per input level, and owlrl-compatible totals."""

    levels: list[Level]
    closure_size: int
    noise: Counter = field(default_factory=Counter)
    how: str = "full"  # how it was reasoned: in full, or incrementally (newskg.build.incremental)
    #: when the levels were extended from a saved state: per level, the kept triples added to
    #: and removed from what that state's levels kept (newskg.build.incremental.Changes)
    changed: list[tuple[list[Triple], list[Triple]]] | None = None

    @property
    def findings(self) -> list[Finding]:
        return [f for level in self.levels for f in level.findings]


class RulesEngine:
    """The OWL 2 RL closure of a TBox plus levels of ABox triples, one level at a time."""

    def __init__(self, tbox: Graph, cache_dir: Path | None = None):
        tbox_triples = list(tbox)
        refuse_unsupported(tbox_triples)
        closed = tbox_closure(tbox, cache_dir)
        self.terms = terms = Terms()
        self.schema = schema = compile_schema(closed, terms, tbox_triples)
        self.store = store = Store(schema, {terms.id(p) for p in SCHEMA_PREDICATES},
                                   {terms.id(t) for t in SCHEMA_TYPES}, {terms.id(p) for p in LIST_PREDICATES},
                                   {terms.id(n) for n in list_nodes(tbox_triples)})
        self.datatypes = DatatypeRules(terms)
        self.ledger = ledger = Ledger(terms, schema, store)
        self.level = -1
        self.asserted = 0  # distinct ABox triples asserted (at any level)
        asserted = set(tbox_triples)
        v = terms.id
        for t in closed:
            s, p, o = v(t[0]), v(t[1]), v(t[2])
            origin = TBOX_ASSERTED if t in asserted else TBOX_DERIVED
            store.insert(s, p, o, origin)  # queued: the worklist re-checks the TBox for inconsistencies
            ledger.see(s, p, o)
            if origin == TBOX_DERIVED:
                ledger.tbox_derived.append((p, s << SHIFT | o))
        ledger.account_seen(0)
        if any(key >> SHIFT != key & MASK for key in store.facts.get(schema.SAME, {})):
            store.enable_equality()  # the TBox equates two terms itself

    @property
    def noise(self) -> Counter:
        """Noise counts of owlrl's closure of everything added so far (as reasoning.infer counts),
        owlrl's two error-node triples per inconsistency included (blank-node subjects)."""
        errors = Counter({"blank-node": 2 * len(self.ledger.messages)})
        return +(self.ledger.noise + errors)

    def closure_size(self) -> int:
        """The number of triples owlrl's closure of everything added so far would hold."""
        return self.ledger.closure_size()

    def closure(self) -> Iterator[Triple]:
        """Every triple of owlrl's closure of everything added so far (without error nodes)."""
        return self.ledger.closure()

    # ------------------------------------------------------------ levels

    def add_level(self, triples: Iterable[Triple]) -> Level:
        """Add the next level's asserted ABox triples and reason from the previous level's state.

        Returns what this level derives and no stronger level did, minus what it asserts and
        minus noise (see newskg.build.reasoning.noise_kind), and the inconsistencies that
        first appear at this level. Raises UnsupportedByRulesError if the precondition fails.
        """
        # Millions of tuples and no reference cycles: the cyclic collector would only rescan them.
        with without_cycle_collection():
            return self._add_level(triples)

    def _add_level(self, triples: Iterable[Triple]) -> Level:
        store, terms = self.store, self.terms
        self.level = level = self.level + 1
        store.origin, store.new, store.new_types, store.plain = derived_at(level), {}, [], set()
        origin = asserted_at(level)
        first_new = len(terms.terms)
        iris, intern, flags, queue, asserted_later = terms.iris, terms.id, terms.flags, store.queue, store.asserted_later
        # Per predicate, what storing a triple takes: (dict, s->o index, o->s index, goes on the
        # worklist, needs the precondition check per triple). One lookup instead of five.
        states: dict[int, tuple] = {}
        stored_before, later_before = sum(len(bucket) for bucket in store.facts.values()), len(asserted_later)
        last_s_ = last_p_ = last_s = last_p = None
        for s_, p_, o_ in triples:
            # Terms.id inlined for IRIs, most of the terms: a million triples pay for every
            # call. A graph yields a subject's triples together, with the same term objects.
            if s_ is not last_s_:
                s = iris.get(str(s_)) if type(s_) is URIRef else None
                if s is None:
                    s = intern(s_)
                last_s_, last_s = s_, s
            else:
                s = last_s
            if p_ is not last_p_:
                p = iris.get(str(p_)) if type(p_) is URIRef else None
                if p is None:
                    p = intern(p_)
                last_p_, last_p = p_, p
            else:
                p = last_p
            o = iris.get(str(o_)) if type(o_) is URIRef else None
            if o is None:
                o = intern(o_)
            state = states.get(p)
            if state is None:
                state = states[p] = store.predicate_state(p, self._checked(p))
            bucket, forward, backward, queued, checked = state
            key = s << SHIFT | o
            before = bucket.get(key)
            if before is not None:
                # Derived before, asserted now: no longer noise. The store keeps the level it
                # was derived at (newskg.build.incremental reads it); the assertion goes aside.
                if before & 1 and (p << 64 | key) not in asserted_later:
                    asserted_later[p << 64 | key] = level
                    if before != TBOX_DERIVED or level:  # (the TBox's are counted at the end of level 0)
                        self.ledger.asserted_after_all(s, p, o)
                continue
            if checked:
                equality = store.equality
                self._check_asserted(s, p, o)
                if store.equality != equality:  # every predicate is indexed both ways now
                    states.clear()
                    state = states[p] = store.predicate_state(p, True)
                    bucket, forward, backward, queued, checked = state
            bucket[key] = origin
            if forward is not None:
                found = forward.get(s)
                if found is None:
                    forward[s] = [o]
                else:
                    found.append(o)
            if backward is not None:
                found = backward.get(o)
                if found is None:
                    backward[o] = [s]
                else:
                    found.append(s)
            if queued:
                queue.append((s, p, o))
            if not flags[s] & flags[p] & flags[o] & SEEN:
                flags[s] |= SEEN
                flags[p] |= SEEN
                flags[o] |= SEEN
        # Distinct ABox triples asserted so far (newskg.build.incremental checks that none is gone).
        self.asserted += sum(len(bucket) for bucket in store.facts.values()) - stored_before \
            + len(asserted_later) - later_before
        ledger = self.ledger
        ledger.account_seen(first_new)
        fresh = self.datatypes.apply(ledger.literals, store, self.schema)
        if fresh:  # owl:disjointWith may be new to the store
            for left, right in fresh:
                ledger.see(left, self.schema.DISJOINT, right)
            ledger.account_seen(len(terms.terms))
        ledger.literals = []
        try:
            store.run()
        except SchemaViolation as err:
            raise UnsupportedByRulesError(self._violation(err.triple)) from None
        derived = sum(len(keys) for keys in store.new.values()) + len(store.new_types)
        kept = ledger.collect(level)
        return Level(kept, ledger.findings(level), derived + (len(ledger.tbox_derived) if level == 0 else 0))

    def _checked(self, p: int) -> bool:
        """Whether a triple with predicate p may break the precondition (see _check_asserted)."""
        schema, store = self.schema, self.store
        return p in (schema.TYPE, schema.SAME) or p in store.guard_predicates or p in store.list_predicates

    def _check_asserted(self, s: int, p: int, o: int) -> None:
        """Raise if an asserted triple breaks the precondition (see the module docstring)."""
        store, flags, schema = self.store, self.terms.flags, self.schema
        why = None
        if store.is_schema(s, p, o):
            why = "a data graph may not add to the schema (TBox); put it in the ontology"
        elif p == schema.TYPE and o in self.datatypes.datatypes and not flags[s] & LITERAL:
            why = "a resource typed with a datatype gets owlrl's one-time datatype types"
        elif p == schema.SAME and (flags[s] | flags[o]) & LITERAL:
            why = "owl:sameAs with a literal gets owlrl's one-time datatype types"
        if why:
            raise UnsupportedByRulesError(f"the rules engine refuses the data triple {self._show((s, p, o))}: "
                                          f"{why}, or use --reasoner owlrl")
        if p == schema.SAME:
            if s != o and not store.equality:
                store.enable_equality()
            if s == o:  # its eq-ref triple may have been counted as noise
                self.ledger.asserted_after_all(s, p, o)

    def _violation(self, triple: tuple) -> str:
        if triple[1] == self.terms.get(RDF.first):
            return (f"the rules engine refuses to derive {self._show(triple)}: owl:sameAs makes another "
                    f"term a member of a TBox list (owl:AllDifferent, owl:oneOf, ...), which owlrl then reads "
                    f"with either member, in rdflib's order; use --reasoner owlrl")
        return (f"the rules engine refuses to derive the schema triple {self._show(triple)}: the data graphs "
                f"would change the TBox (e.g. through owl:sameAs, or a domain or range of owl:Class); "
                f"use --reasoner owlrl")

    def _show(self, triple: tuple) -> str:
        return " ".join(self.terms.terms[i].n3() for i in triple)


def infer_levels(tbox: Graph, base: Iterable[Triple], deltas: Iterable[Iterable[Triple]],
                 cache_dir: Path | None = None) -> LevelledRules:
    """Reason level by level: `base` (claim layer, confirmed facts, ...) on top of the TBox,
    then each delta (the facts of the next level). `noise` and `closure_size` are those of
    owlrl's closure of everything (newskg.build.reasoning.infer's figures)."""
    engine = RulesEngine(tbox, cache_dir)
    levels = [engine.add_level(base)]
    for delta in deltas:
        levels.append(engine.add_level(delta))
    return LevelledRules(levels, engine.closure_size(), engine.noise)


class RulesReasoner:
    """The `Reasoner` drop-in: the same closure as OwlrlReasoner, computed by rules."""

    name = "rules"

    def __init__(self, cache_dir: Path | None = None):
        """`cache_dir`: where to keep the TBox closure between runs (created if need be)."""
        self.cache_dir = cache_dir

    def levels(self, tbox: Graph, base: Iterable[Triple], deltas: Iterable[Iterable[Triple]]) -> LevelledRules:
        """`infer_levels` with this reasoner's cache: the build's way in (one store, levels
        continued from each other), where `closure` would redo every level from scratch."""
        return infer_levels(tbox, base, deltas, self.cache_dir)

    def closure(self, graph: Graph) -> Graph:
        """Return a new graph: the input plus everything OWL 2 RL derives, with owlrl's
        error nodes (err:ErrorMessage) for inconsistencies, as OwlrlReasoner returns it."""
        tbox_triples, abox = split_tbox(graph)
        tbox = Graph()
        for t in tbox_triples:
            tbox.add(t)
        engine = RulesEngine(tbox, self.cache_dir)
        level = engine.add_level(abox)
        closed = Graph()
        for t in engine.closure():
            closed.add(t)
        for finding in level.findings:
            node = BNode()
            closed.add((node, RDF.type, ERROR_MESSAGE))
            closed.add((node, ERROR_TEXT, Literal(finding.message)))
        return closed
