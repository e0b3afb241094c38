"""What the rules engine reports, as owlrl's closure would show it: each level's kept triples
(after newskg.build.reasoning's noise filter), the noise counts, the closure size, and the
inconsistencies, worded as owlrl words them.

owlrl's closure also holds x owl:sameAs x for every term (eq-ref) and drops the triples with
a blank-node predicate at the end; the store keeps neither, so both are accounted for here.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass

from rdflib.namespace import OWL

from newskg.build.rules_engine import Store
from newskg.build.rules_schema import BLANK, COUNTED, LITERAL, MASK, SEEN, SHIFT, VOCABULARY, Schema, Terms

Triple = tuple

#: Inconsistency messages, worded as owlrl words them (newskg.build.reasoning reads rule ids
#: off the wording), with the rule id that reading gives.
MESSAGES = {
    "cax-dw": ("cax-dw", "Disjoint classes {} and {} have a common individual {}"),
    "cls-com": ("cls-com", "Violation of complementarity for classes {} and {} on element {}"),
    "cls-nothing2": ("cls-nothing2", "{} is defined of type 'Nothing'"),
    "prp-irp": ("prp-irp", "Irreflexive property used on {} with {}"),
    "prp-asyp": ("prp-asyp", "Erroneous usage of asymmetric property {} on {} and {}"),
    "prp-pdw": ("prp-pdw", "Erroneous usage of disjoint properties {} and {} on {} and {}"),
    "prp-adp": ("prp-adp", "Disjoint properties in an 'AllDisjointProperties' are not really disjoint: "
                           "({}, {},{}) and ({},{},{})"),
    "prp-npa1": ("prp-npa1", "Negative (object) property assertion violated for: ({}, {}, {})"),
    "prp-npa2": ("prp-npa2", "Negative (datatype) property assertion violated for: ({}, {}, {})"),
    "eq-diff1": ("eq-diff1", "'sameAs' and 'differentFrom' cannot be used on the same subject-object pair: ({}, {})"),
    "eq-diff2": ("eq-diff2", "'sameAs' and 'AllDifferent' cannot be used on the same subject-object pair: ({}, {})"),
    "cls-maxc1": ("cls-maxc1", "Erroneous usage of maximum cardinality with {} and {}"),
    "cls-maxqc1": ("cls-maxqc1", "Erroneous usage of maximum qualified cardinality with {}, {} and {}"),
    "dt-not-type": ("dt-not-type", "Lexical value of the literal '{}' does not match its datatype ({})"),
}


@dataclass(frozen=True)
class Finding:
    """An inconsistency: the level it first appears at, its OWL 2 RL rule id, owlrl's message."""

    level: int
    rule: str
    message: str


class Ledger:
    """The engine's accounts: eq-ref and noise counts, TBox inferences, messages found."""

    def __init__(self, terms: Terms, schema: Schema, store: Store):
        self.terms, self.schema, self.store = terms, schema, store
        self.noise: Counter = Counter()
        self.unseen: set[int] = set()  # interned, and in no stored triple yet
        self.literals: list[int] = []  # literals met since the datatype rules last ran
        self.tbox_derived: list[tuple[int, int]] = []  # (predicate, key) of the TBox closure's inferences
        self.messages: dict[tuple[str, str], int] = {}  # (rule, message) -> level first found

    def see(self, s: int, p: int, o: int) -> None:
        """Mark the terms of a stored triple (the bulk loop of the engine does it inline)."""
        flags = self.terms.flags
        flags[s] |= SEEN
        flags[p] |= SEEN
        flags[o] |= SEEN

    def account_seen(self, first_new: int) -> None:
        """For the terms met since the last call (interned from `first_new` on, or earlier and
        unseen): count their x owl:sameAs x (noise unless asserted), collect the literals."""
        flags, noise, literals = self.terms.flags, self.noise, self.literals
        same = self.store.facts.get(self.schema.SAME, {})
        unseen = self.unseen
        for term in [*unseen, *range(first_new, len(flags))]:
            kind = flags[term]
            if not kind & SEEN:
                unseen.add(term)
                continue
            unseen.discard(term)
            flags[term] = kind | COUNTED
            if (term << SHIFT | term) not in same:  # noise_kind of (term owl:sameAs term):
                noise["literal-subject" if kind & LITERAL else "blank-node" if kind & BLANK
                      else "vocabulary-subject" if kind & VOCABULARY else "reflexive"] += 1
            if kind & LITERAL:
                literals.append(term)

    def noise_kind(self, s: int, p: int, o: int) -> str | None:
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

    def asserted_after_all(self, s: int, p: int, o: int) -> None:
        """A triple counted as derived is asserted by a later level: no longer noise."""
        flags = self.terms.flags
        if p == self.schema.SAME and s == o:
            if flags[s] & COUNTED:  # its eq-ref triple
                self.noise[self.noise_kind(s, p, o)] -= 1
        elif not flags[p] & BLANK:
            kind = self.noise_kind(s, p, o)
            if kind is not None:
                self.noise[kind] -= 1

    def collect(self, level: int) -> list[Triple]:
        """The level's derived triples that are no noise, as rdflib triples; counts the noise."""
        terms, flags, store, schema = self.terms.terms, self.terms.flags, self.store, self.schema
        kept, noise = [], self.noise
        filler, top = schema.filler_types, schema.top_classes
        sources = [*store.new.items(), (schema.TYPE, store.new_types)]
        if level == 0:  # the TBox closure's own inferences, unless the ABox asserts them
            derived: dict[int, list[int]] = {}
            for p, key in self.tbox_derived:
                if (p << 64 | key) not in store.asserted_later:
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
                    noise[self.noise_kind(s, p, o)] += 1
                else:
                    kept.append((terms[s], tp, terms[o]))
        return kept

    def findings(self, level: int) -> list[Finding]:
        """The inconsistencies the store found since the last call that no level had before."""
        found = []
        for kind, *args in self.store.errors:
            rule, message = self.describe(kind, args)
            if (rule, message) not in self.messages:
                self.messages[(rule, message)] = level
                found.append(Finding(level, rule, message))
        self.store.errors = []
        return found

    def describe(self, kind: str, args) -> tuple[str, str]:
        """(rule id, owlrl's message) of an inconsistency the store recorded as (kind, *args)."""
        rule, template = MESSAGES[kind]
        terms = [self.terms.terms[i] for i in args]
        if kind == "dt-not-type":
            terms.append(terms[0].datatype)
        return rule, template.format(*(str(t) for t in terms))

    def closure(self) -> Iterator[Triple]:
        """Every triple of owlrl's closure of what was added so far (without error nodes)."""
        terms, flags = self.terms.terms, self.terms.flags
        for p, bucket in self.store.facts.items():
            if flags[p] & BLANK:
                continue
            tp = terms[p]
            for key in bucket:
                yield terms[key >> SHIFT], tp, terms[key & MASK]
        same = self.store.facts.get(self.schema.SAME, {})
        for term in range(len(flags)):
            if flags[term] & SEEN and (term << SHIFT | term) not in same:
                yield terms[term], OWL.sameAs, terms[term]

    def closure_size(self) -> int:
        """The number of triples owlrl's closure would hold, error nodes included."""
        flags = self.terms.flags
        stored = sum(len(bucket) for p, bucket in self.store.facts.items() if not flags[p] & BLANK)
        same = self.store.facts.get(self.schema.SAME, {})
        reflexive = sum(1 for term in range(len(flags)) if flags[term] & SEEN and (term << SHIFT | term) not in same)
        return stored + reflexive + 2 * len(self.messages)
