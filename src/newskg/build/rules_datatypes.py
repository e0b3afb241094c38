"""owlrl's one-time datatype rules, applied to each level's new literals.

owlrl runs them once, before its cycles, over the literals of the graph it is given: a literal
with an OWL 2 RL datatype gets rdf:type that datatype (dt-type2) and the datatype's XSD
supertypes (xsd:integer -> xsd:decimal), an ill-typed one is an inconsistency (dt-not-type),
and datatypes in use are declared pairwise disjoint, so that a literal in the range of a
property of another datatype is a clash (cax-dw). Run per level over the literals the level
brings, that is the same as once over all of them: each rule is monotone in the literals.
"""

from __future__ import annotations

from newskg.build.rules_engine import Store
from newskg.build.rules_schema import MASK, SHIFT, Schema, Terms


class DatatypeRules:
    """The datatypes in use so far, and the rules for literals met since the last call."""

    def __init__(self, terms: Terms):
        from owlrl.XsdDatatypes import OWL_Datatype_Subsumptions, OWL_RL_Datatypes

        self.terms = terms
        self.datatypes = {terms.id(d) for d in OWL_RL_Datatypes}
        self.subsumptions = {terms.id(d): tuple(terms.id(s) for s in sups)
                             for d, sups in OWL_Datatype_Subsumptions.items()}
        self.used: set[int] = set()
        self.used_level: dict[int, int] = {}  # datatype -> the level it is first used at

    def apply(self, literals: list[int], store: Store, schema: Schema) -> list[tuple[int, int]]:
        """Type `literals` (dt-type2, supertypes), check them (dt-not-type), and add the
        owl:disjointWith of datatypes newly in use; returns those new pairs."""
        from owlrl.AxiomaticTriples import OWLRL_Datatypes_Disjointness
        from owlrl.DatatypeHandling import AltXSDToPYTHON

        terms = self.terms
        for lit in literals:
            term = terms.terms[lit]
            datatype = terms.get(term.datatype) if term.datatype is not None else None
            if datatype not in self.datatypes:
                continue
            level = (store.origin >> 1) - 1
            store.derive(lit, schema.TYPE, datatype)
            self.used.add(datatype)
            self.used_level.setdefault(datatype, level)
            for wider in self.subsumptions.get(datatype, ()):
                store.derive(lit, schema.TYPE, wider)
                self.used.add(wider)
                self.used_level.setdefault(wider, level)
            try:  # owlrl's test: its own lexical-to-value conversion raises ValueError
                AltXSDToPYTHON.get(term.datatype, lambda value: value)(str(term))
            except ValueError:
                store.error("dt-not-type", lit)
        fresh = []
        for left, _, right in OWLRL_Datatypes_Disjointness:
            lo, hi = terms.id(left), terms.id(right)
            if lo in self.used and hi in self.used and not store.has(lo, schema.DISJOINT, hi):
                # a schema triple, so not through derive(): owlrl adds it before reasoning
                store.insert(lo, schema.DISJOINT, hi, store.origin)
                store.new.setdefault(schema.DISJOINT, []).append(lo << SHIFT | hi)
                fresh.append((lo, hi))
        if fresh:
            _disjoint_from_now_on(fresh, store, schema)
        return fresh


def declare_disjoint(pairs: list[tuple[int, int]], store: Store, schema: Schema) -> None:
    """cax-dw for the members to come of datatype pairs disjoint from now on: the rule tables."""
    for lo, hi in pairs:
        schema.cls(lo).disjoint += ((lo, hi, hi),)
        schema.cls(hi).disjoint += ((lo, hi, lo),)
        schema.cls(lo).update()
        schema.cls(hi).update()
        store.active_classes |= {lo, hi}


def _disjoint_from_now_on(pairs: list[tuple[int, int]], store: Store, schema: Schema) -> None:
    # cax-dw for datatype pairs that are disjoint from now on: members to come through the
    # rule tables, members already stored by one scan of the type triples.
    declare_disjoint(pairs, store, schema)
    watched = {c for pair in pairs for c in pair}
    members: dict[int, set[int]] = {c: set() for c in watched}
    for key in store.types:
        if key & MASK in watched:
            members[key & MASK].add(key >> SHIFT)
    for lo, hi in pairs:
        for x in sorted(members[lo] & members[hi]):
            store.error("cax-dw", lo, hi, x)
