"""OWL 2 RL by rules: exactly owlrl's inferences, fast enough for a million-triple build.

Design (measured in benchmarks/reasoner_benchmark.py; owlrl stays the reference):

- TBox and ABox apart. The TBox (the ontology graph) is small: its closure is computed once by
  owlrl itself, so it is exact by construction, and cached by a hash of its triples
  (rules_tbox). The rule tables are compiled from that closure (rules_schema): superclasses per
  class, domains, ranges, super-properties, inverses, chains, restrictions, disjointness, ...
- The ABox is reasoned over by forward chaining on integer-interned terms (rules_engine): one
  worklist, every triple joined once with the store as it stands (semi-naive), hash indexes
  only where a join needs them. owlrl instead re-applies every rule to every triple on every
  cycle, which is why it takes ~0.75 ms per asserted triple.
- Levels: `RulesEngine.add_level` takes the next level's asserted triples and continues from
  the previous level's store, so each level costs only what it adds; it returns what that level
  derives (after the noise filter of newskg.build.reasoning) and the inconsistencies that first
  appear at it. `RulesReasoner.closure` is the plain `Reasoner` drop-in for OwlrlReasoner.

Precondition, checked (UnsupportedByRulesError names the triple): the ABox never changes the
schema, i.e. no ABox triple, asserted or derived, is a schema triple (rdfs:subClassOf, owl:*
axioms, rdf:type owl:Class / owl:TransitiveProperty / ..., the TBox's list cells) that the
TBox closure lacks, and none types a resource with an XSD datatype or makes it owl:sameAs a
literal. The TBox may not use owl:hasKey (owlrl's prp-key is wrong: it compares only the
first n-1 key properties) or owl:sameAs as the property of an axiom. Everything else owlrl
implements of OWL 2 RL is implemented, with owlrl's quirks that survive the noise filter:
literals are typed with their datatype and its XSD supertypes (once, from the asserted
literals), ill-typed literals are inconsistencies (dt-not-type), datatypes in use are
pairwise disjoint (so a literal in the range of a property of another datatype clashes,
cax-dw), triples with a blank-node predicate take part in reasoning but are dropped at the
end, x owl:sameAs x holds for every term (never stored: it changes nothing else).

Where owlrl is wrong and the engine is not: prp-adp and eq-diff2/3 check every pair of the
list (owlrl skips the last member), and cls-com names the individual (owlrl names the class
twice). Everything derived is identical; tests/test_rules.py compares with owlrl.
"""

from __future__ import annotations

import gc
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF

from newskg.build.reasoning import ERROR_MESSAGE, ERROR_TEXT
from newskg.build.rules_engine import (
    MASK,
    MESSAGES,
    SHIFT,
    TBOX_ASSERTED,
    TBOX_DERIVED,
    SchemaViolation,
    Store,
    asserted_at,
    derived_at,
)
from newskg.build.rules_schema import BLANK, COUNTED, LITERAL, SEEN, VOCABULARY, Terms, compile_schema
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

Triple = tuple


@dataclass(frozen=True)
class Finding:
    """An inconsistency: the level it first appears at, its OWL 2 RL rule id, owlrl's message."""

    level: int
    rule: str
    message: str


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

    @property
    def findings(self) -> list[Finding]:
        return [f for level in self.levels for f in level.findings]


class RulesEngine:
    """The OWL 2 RL closure of a TBox plus levels of ABox triples, one level at a time."""

    def __init__(self, tbox: Graph, cache_dir: Path | None = None):
        from owlrl.XsdDatatypes import OWL_Datatype_Subsumptions, OWL_RL_Datatypes

        refuse_unsupported(tbox)
        closed = tbox_closure(tbox, cache_dir)
        self.terms = terms = Terms()
        self.schema = schema = compile_schema(closed, terms, tbox)
        self.store = Store(schema, {terms.id(p) for p in SCHEMA_PREDICATES}, {terms.id(t) for t in SCHEMA_TYPES},
                           {terms.id(p) for p in LIST_PREDICATES}, {terms.id(n) for n in list_nodes(tbox)})
        self.datatypes = {terms.id(d) for d in OWL_RL_Datatypes}
        self.subsumptions = {terms.id(d): tuple(terms.id(s) for s in sups)
                             for d, sups in OWL_Datatype_Subsumptions.items()}
        self.level = -1
        self.noise: Counter = Counter()
        self.used_datatypes: set[int] = set()
        self.pending_literals: list[int] = []
        self.unseen: set[int] = set()  # terms interned before the current level and in no triple yet
        self.messages: dict[tuple[str, str], int] = {}  # (rule, message) -> level first found
        self.tbox_derived: list[tuple[int, int]] = []  # (predicate, key) of the TBox closure's own inferences
        asserted = set(tbox)
        v = terms.id
        for t in closed:
            s, p, o = v(t[0]), v(t[1]), v(t[2])
            origin = TBOX_ASSERTED if t in asserted else TBOX_DERIVED
            self.store.insert(s, p, o, origin)  # queued: the worklist re-checks the TBox for inconsistencies
            self._see(s, p, o)
            if origin == TBOX_DERIVED:
                self.tbox_derived.append((p, s << SHIFT | o))
        self._account_seen(0)
        same = self.store.facts.get(schema.SAME, {})
        if any(key >> SHIFT != key & MASK for key in same):  # the TBox equates two terms itself
            self.store.enable_equality()

    # ------------------------------------------------------------ levels

    def add_level(self, triples: Iterable[Triple]) -> Level:
        """Add the next level's asserted ABox triples and reason from the previous level's state.

        Returns what this level derives and no stronger level did, minus what it asserts and
        minus noise (see newskg.build.reasoning.noise_kind), and the inconsistencies that
        first appear at this level. Raises UnsupportedByRulesError if the precondition fails.
        """
        # Millions of tuples and no reference cycles: the cyclic collector would only rescan them.
        collecting = gc.isenabled()
        gc.disable()
        try:
            return self._add_level(triples)
        finally:
            if collecting:
                gc.enable()

    def _add_level(self, triples: Iterable[Triple]) -> Level:
        store, terms = self.store, self.terms
        self.level = level = self.level + 1
        store.origin, store.new, store.new_types, store.plain = derived_at(level), {}, [], set()
        origin = asserted_at(level)
        first_new = len(terms.terms)
        iris, intern, flags, queue = terms.iris, terms.id, terms.flags, store.queue
        # Per predicate, what storing a triple takes: (dict, s->o index, o->s index, goes on the
        # worklist, needs the precondition check per triple). One lookup instead of five.
        states: dict[int, tuple] = {}
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
                if before & 1:  # derived before, asserted now: no longer noise
                    bucket[key] = origin
                    if before != TBOX_DERIVED or level:  # (the TBox's are counted at the end of level 0)
                        self._unnoise(s, p, o)
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
        self._account_seen(first_new)
        self._datatype_rules()
        try:
            store.run()
        except SchemaViolation as err:
            raise UnsupportedByRulesError(self._violation(err.triple)) from None
        kept = self._collect(level)
        return Level(kept, self._new_findings(level), sum(len(keys) for keys in store.new.values())
                     + len(store.new_types) + (len(self.tbox_derived) if level == 0 else 0))

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
        elif p == schema.TYPE and o in self.datatypes and not flags[s] & LITERAL:
            why = "a resource typed with a datatype gets owlrl's one-time datatype types"
        elif p == schema.SAME and (flags[s] | flags[o]) & LITERAL:
            why = "owl:sameAs with a literal gets owlrl's one-time datatype types"
        if why:
            raise UnsupportedByRulesError(f"the rules engine refuses the data triple {self._show((s, p, o))}: "
                                          f"{why}, or use --reasoner owlrl")
        if p == schema.SAME:
            if s != o and not store.equality:
                store.enable_equality()
            if s == o and flags[s] & COUNTED:  # its eq-ref triple was counted as noise: asserted now
                self.noise[self._noise(s, p, o)] -= 1

    def _see(self, s: int, p: int, o: int) -> None:
        flags = self.terms.flags
        flags[s] |= SEEN
        flags[p] |= SEEN
        flags[o] |= SEEN

    def _account_seen(self, first_new: int) -> None:
        """For the terms in a stored triple since the last call: count their x owl:sameAs x
        (eq-ref, noise unless asserted) and queue the literals for the datatype rules."""
        flags, noise, literals = self.terms.flags, self.noise, self.pending_literals
        same = self.store.facts.get(self.schema.SAME, {})
        unseen = self.unseen
        candidates = [*unseen, *range(first_new, len(flags))]
        for term in candidates:
            kind = flags[term]
            if not kind & SEEN:
                unseen.add(term)
                continue
            unseen.discard(term)
            flags[term] = kind | COUNTED
            if (term << SHIFT | term) not in same:
                # noise_kind of (term owl:sameAs term)
                noise["literal-subject" if kind & LITERAL else "blank-node" if kind & BLANK
                      else "vocabulary-subject" if kind & VOCABULARY else "reflexive"] += 1
            if kind & LITERAL:
                literals.append(term)

    def _datatype_rules(self) -> None:
        """owlrl's one-time datatype rules (dt-type2, dt-not-type, datatype disjointness) for
        the literals met since the last level."""
        from owlrl.AxiomaticTriples import OWLRL_Datatypes_Disjointness
        from owlrl.DatatypeHandling import AltXSDToPYTHON

        store, terms, TYPE = self.store, self.terms, self.schema.TYPE
        for lit in self.pending_literals:
            term = terms.terms[lit]
            datatype = terms.get(term.datatype) if term.datatype is not None else None
            if datatype not in self.datatypes:
                continue
            store.derive(lit, TYPE, datatype)
            self.used_datatypes.add(datatype)
            for wider in self.subsumptions.get(datatype, ()):
                store.derive(lit, TYPE, wider)
                self.used_datatypes.add(wider)
            try:
                AltXSDToPYTHON.get(term.datatype, lambda value: value)(str(term))
            except ValueError:
                store.error("dt-not-type", lit)
        self.pending_literals = []
        fresh = []
        for left, _, right in OWLRL_Datatypes_Disjointness:
            lo, hi = terms.id(left), terms.id(right)
            if lo in self.used_datatypes and hi in self.used_datatypes and not store.has(lo, self.schema.DISJOINT, hi):
                store.insert(lo, self.schema.DISJOINT, hi, store.origin)
                store.new.setdefault(self.schema.DISJOINT, []).append(lo << SHIFT | hi)
                self._see(lo, self.schema.DISJOINT, hi)
                fresh.append((lo, hi))
        if fresh:
            self._account_seen(len(terms.terms))  # owl:disjointWith may be new to the store
            self._add_disjoint_datatypes(fresh)

    def _add_disjoint_datatypes(self, pairs: list[tuple[int, int]]) -> None:
        # cax-dw for datatype pairs that became disjoint now: future members through the
        # tables, members already stored by one scan.
        schema, store = self.schema, self.store
        for lo, hi in pairs:
            schema.cls(lo).disjoint += ((lo, hi, hi),)
            schema.cls(hi).disjoint += ((lo, hi, lo),)
            schema.cls(lo).update()
            schema.cls(hi).update()
            store.active_classes |= {lo, hi}
        watched = {c for pair in pairs for c in pair}
        members: dict[int, set[int]] = {c: set() for c in watched}
        for key in store.facts.get(schema.TYPE, {}):
            if key & MASK in watched:
                members[key & MASK].add(key >> SHIFT)
        for lo, hi in pairs:
            for x in sorted(members[lo] & members[hi]):
                store.error("cax-dw", lo, hi, x)

    # ------------------------------------------------------------ results

    def _noise(self, s: int, p: int, o: int) -> str | None:
        """newskg.build.reasoning.noise_kind for a triple that is not asserted, on integers."""
        flags, schema = self.terms.flags, self.schema
        fs = flags[s]
        if fs & LITERAL:
            return "literal-subject"
        if fs & BLANK or flags[o] & BLANK:
            return "blank-node"
        if fs & VOCABULARY:
            return "vocabulary-subject"
        if s == o and p in schema.reflexive_noise:
            return "reflexive"
        if p == schema.TYPE and o in schema.filler_types:
            return "filler-type"
        if o in schema.top_classes and p in schema.top_predicates:
            return "top-class"
        return None

    def _unnoise(self, s: int, p: int, o: int) -> None:
        if not self.terms.flags[p] & BLANK:
            kind = self._noise(s, p, o)
            if kind is not None:
                self.noise[kind] -= 1

    def _collect(self, level: int) -> list[Triple]:
        """The level's derived triples that are no noise, as rdflib triples; counts the noise."""
        terms, flags, store, schema = self.terms.terms, self.terms.flags, self.store, self.schema
        kept, noise = [], self.noise
        filler, top = schema.filler_types, schema.top_classes
        sources = [*store.new.items(), (schema.TYPE, store.new_types)]
        if level == 0:  # the TBox closure's own inferences, unless the ABox asserts them
            derived: dict[int, list[int]] = {}
            for p, key in self.tbox_derived:
                if store.facts[p][key] == TBOX_DERIVED:
                    derived.setdefault(p, []).append(key)
            sources += derived.items()
        for p, keys in sources:
            if flags[p] & BLANK:  # owlrl drops generalized triples at the end
                continue
            tp, reflexive, is_type = terms[p], p in schema.reflexive_noise, p == schema.TYPE
            is_top = p in schema.top_predicates
            for key in keys:
                s, o = key >> SHIFT, key & MASK
                if flags[s] & (LITERAL | BLANK | VOCABULARY) or flags[o] & BLANK or (reflexive and s == o) \
                        or (is_type and o in filler) or (is_top and o in top):
                    noise[self._noise(s, p, o)] += 1
                else:
                    kept.append((terms[s], tp, terms[o]))
        return kept

    def _new_findings(self, level: int) -> list[Finding]:
        found = []
        for kind, *args in self.store.errors:
            rule, template = MESSAGES[kind]
            terms = [self.terms.terms[i] for i in args]
            if kind == "dt-not-type":
                terms.append(terms[0].datatype)
            message = template.format(*(str(t) for t in terms))
            if (rule, message) not in self.messages:
                self.messages[(rule, message)] = level
                found.append(Finding(level, rule, message))
        self.store.errors = []
        return found

    def closure_size(self) -> int:
        """The number of triples owlrl's closure of everything added so far would hold."""
        stored = sum(len(bucket) for bucket in self.store.facts.values())
        same = self.store.facts.get(self.schema.SAME, {})
        flags = self.terms.flags
        reflexive = sum(1 for term in range(len(flags)) if flags[term] & SEEN and (term << SHIFT | term) not in same)
        return stored - self._bnode_predicate_count() + reflexive + 2 * len(self.messages)

    def _bnode_predicate_count(self) -> int:
        flags = self.terms.flags
        return sum(len(bucket) for p, bucket in self.store.facts.items() if flags[p] & BLANK)

    def closure(self) -> Iterator[Triple]:
        """Every triple of the closure so far, as owlrl has it (without its error nodes)."""
        terms, flags = self.terms.terms, self.terms.flags
        for p, bucket in self.store.facts.items():
            if flags[p] & BLANK:
                continue
            tp = terms[p]
            for key in bucket:
                yield terms[key >> SHIFT], tp, terms[key & MASK]
        same_id = self.schema.SAME
        same = self.store.facts.get(same_id, {})
        for term in range(len(flags)):
            if flags[term] & SEEN and (term << SHIFT | term) not in same:
                yield terms[term], OWL.sameAs, terms[term]

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
    return LevelledRules(levels, engine.closure_size(), +engine.noise)


class RulesReasoner:
    """The `Reasoner` drop-in: the same closure as OwlrlReasoner, computed by rules."""

    name = "rules"

    def __init__(self, cache_dir: Path | None = None):
        self.cache_dir = cache_dir

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
