"""The equality rules of the rules engine (eq-sym, eq-trans, eq-rep-s/p/o, eq-diff1..3).

owl:sameAs is rare in news data (no functional property in the ontology today), and eq-rep-*
join a sameAs triple with any triple on any position, so the store indexes every predicate
both ways only from the first owl:sameAs between two different terms on (`enable_equality`).
x owl:sameAs x holds for every term (eq-ref) and is never stored: as a premise it only
ever yields a triple that is there already, except in eq-diff1, which `on_different` covers.
"""

from __future__ import annotations

from newskg.build.rules_schema import MASK, SHIFT


class EqualityRules:
    """Mixed into rules_engine.Store, whose store and derive() these methods use."""

    def enable_equality(self) -> None:
        """Index every predicate both ways: eq-rep-s/p/o join a sameAs with any triple."""
        self.equality = True
        for p, bucket in self.facts.items():
            if p in self.forward and p in self.backward:
                continue
            forward, backward = {}, {}
            for key in bucket:
                s, o = key >> SHIFT, key & MASK
                forward.setdefault(s, []).append(o)
                backward.setdefault(o, []).append(s)
            self.forward.setdefault(p, forward)
            self.backward.setdefault(p, backward)

    def on_same(self, x: int, y: int) -> None:
        """eq-sym, eq-trans, eq-rep-s/p/o and eq-diff1/2 for a new `x owl:sameAs y`."""
        if x == y:
            return
        SAME, derive = self.schema.SAME, self.derive
        derive(y, SAME, x)  # eq-sym
        for z in tuple(self.forward[SAME].get(y, ())):  # eq-trans
            derive(x, SAME, z)
        for w in tuple(self.backward[SAME].get(x, ())):
            derive(w, SAME, y)
        for q, index in list(self.forward.items()):  # eq-rep-s
            for o in tuple(index.get(x, ())):
                derive(y, q, o)
        for q, index in list(self.backward.items()):  # eq-rep-o
            for s in tuple(index.get(x, ())):
                derive(s, q, y)
        for key in tuple(self.facts.get(x, ())):  # eq-rep-p
            derive(key >> SHIFT, y, key & MASK)
        if self.has(x, self.schema.DIFFERENT, y) or self.has(y, self.schema.DIFFERENT, x):
            self.error("eq-diff1", x, y)
        for members in self.schema.different.get(x, ()):  # eq-diff2/3
            for i, zi in enumerate(members):
                for zj in members[i + 1:]:
                    if {zi, zj} == {x, y}:
                        self.error("eq-diff2", zi, zj)

    def on_different(self, x: int, y: int) -> None:
        """eq-diff1 for a new `x owl:differentFrom y` (x sameAs x holds for every term)."""
        SAME = self.schema.SAME
        if x == y:
            self.error("eq-diff1", x, x)
            return
        if self.has(x, SAME, y):
            self.error("eq-diff1", x, y)
        if self.has(y, SAME, x):
            self.error("eq-diff1", y, x)

    def replace_equals(self, s: int, p: int, o: int) -> None:
        """eq-rep-s/p/o with the new triple as the data premise."""
        same, derive = self.forward[self.schema.SAME], self.derive
        for other in tuple(same.get(s, ())):
            derive(other, p, o)
        for other in tuple(same.get(p, ())):
            derive(s, other, o)
        for other in tuple(same.get(o, ())):
            derive(s, p, other)
