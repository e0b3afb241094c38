"""The ABox side of the rules engine: a store of integer triples and a worklist of new ones.

Every triple enters the store once (`insert`), goes on the worklist, and when taken off it is
joined with the store as it stands then, for every rule in which it can be a premise. A rule
instance is found when its last premise to arrive is taken off the list, so the fixpoint is
complete; each triple is joined once (semi-naive), and a level's new facts are joined with
the store of the levels before without redoing them. Two shortcuts keep the joins down, each
argued where it is made: a type triple is stored with all its superclasses at once
(`derive_type`), and prp-trp joins a chain of transitive triples once (`on_property`).

Store layout, chosen for memory (a million-triple ABox must fit well under 2 GiB): per
predicate one dict from `s << 32 | o` to the triple's origin (a small int, so no object per
entry beyond the key), plus s -> [o] and o -> [s] indexes only for the predicates a join
needs (transitive, chain, functional, someValuesFrom, ... properties), or for all of them once
an owl:sameAs between two different terms appears (eq-rep-s/p/o join on any position).
"""

from __future__ import annotations

from newskg.build.rules_equality import EqualityRules
from newskg.build.rules_schema import LITERAL, SHIFT, Schema

# Origin codes stored per triple: the TBox's own and its closure's, then per level.
TBOX_ASSERTED, TBOX_DERIVED = 0, 1


def asserted_at(level: int) -> int:
    return 2 + 2 * level


def derived_at(level: int) -> int:
    return 3 + 2 * level


class SchemaViolation(Exception):
    """A derived ABox triple that would change the TBox (raised with the integer triple)."""

    def __init__(self, triple: tuple):
        super().__init__(triple)
        self.triple = triple


class Store(EqualityRules):
    """Integer triples, their indexes, the worklist, and the rules over them (the equality
    rules in EqualityRules); inconsistencies are recorded in `errors` as (kind, term ids)."""

    def __init__(self, schema: Schema, guard_predicates: set[int], guard_types: set[int],
                 list_predicates: set[int], list_nodes: set[int]):
        self.schema = schema
        self.flags = schema.terms.flags
        self.facts: dict[int, dict[int, int]] = {}
        self.types = self.facts[schema.TYPE] = {}  # the rdf:type triples, the most numerous
        self.forward: dict[int, dict[int, list]] = {p: {} for p in schema.forward}
        self.backward: dict[int, dict[int, list]] = {p: {} for p in schema.backward}
        self.equality = False  # all predicates indexed both ways (eq-rep-*)
        self.queue: list[tuple] = []
        self.origin = TBOX_DERIVED  # what derive() records as the origin of a derived triple
        self.new: dict[int, list[int]] = {}  # derived at the current level: predicate -> keys
        self.new_types: list[int] = []  # ... and the rdf:type ones
        self.plain: set[int] = set()  # predicates derive() may store without checks (at this level)
        self.errors: list[tuple] = []  # (message kind, term ids...) in order of discovery
        # `p << 64 | key` -> level, for a triple asserted at a level above the one it was derived at
        # (its origin stays derived_at that lower level: the level it is present from).
        self.asserted_later: dict[int, int] = {}
        self.guard_predicates, self.guard_types = guard_predicates, guard_types
        self.list_predicates, self.list_nodes = list_predicates, list_nodes
        # Only triples some rule reads go on the worklist (labels, most literals do not). The
        # rest need none: a rule added later (datatype disjointness) scans the store, and so
        # does owl:sameAs (eq-rep-*) for the triples stored before it.
        self.active_predicates = set(schema.props) | {schema.TYPE, schema.SAME, schema.DIFFERENT}
        self.active_classes = {c for c, rules in schema.classes.items() if rules.extra}
        self.all_types_active = schema.TYPE in schema.props

    # ------------------------------------------------------------ insertion

    def insert(self, s: int, p: int, o: int, origin: int, tag: int | None = None) -> bool:
        """Put a triple in the store and on the worklist; False if it was there already.

        `tag` replaces the predicate on the worklist to say which rules are done already
        (see `run`)."""
        bucket = self.facts.get(p)
        key = s << SHIFT | o
        if bucket is None:
            bucket = self.facts[p] = {}
            if self.equality:
                self.forward.setdefault(p, {})
                self.backward.setdefault(p, {})
        elif key in bucket:
            return False
        bucket[key] = origin
        index = self.forward.get(p)
        if index is not None:
            found = index.get(s)
            if found is None:
                index[s] = [o]
            else:
                found.append(o)
        index = self.backward.get(p)
        if index is not None:
            found = index.get(o)
            if found is None:
                index[o] = [s]
            else:
                found.append(s)
        if self.equality or p in self.active_predicates:
            self.queue.append((s, p if tag is None else tag, o))
        return True

    def predicate_state(self, p: int, checked: bool) -> tuple:
        """(dict of keys, s->o index, o->s index, goes on the worklist, `checked`) for bulk
        insertion of asserted triples with predicate p (the dict is created if need be)."""
        bucket = self.facts.get(p)
        if bucket is None:
            bucket = self.facts[p] = {}
            if self.equality:
                self.forward.setdefault(p, {})
                self.backward.setdefault(p, {})
        return (bucket, self.forward.get(p), self.backward.get(p),
                self.equality or p in self.active_predicates, checked)

    def derive(self, s: int, p: int, o: int, tag: int | None = None) -> None:
        """Add a derived triple unless the store has it (the head of every forward rule)."""
        bucket = self.facts.get(p)
        key = s << SHIFT | o
        if bucket is not None and key in bucket:
            return
        if p in self.plain:  # the usual case, checked once per predicate below
            self.insert(s, p, o, self.origin, tag)
            self.new[p].append(key)
            return
        if p == self.schema.TYPE:
            self.derive_type(s, o)
            return
        if p == self.schema.SAME:
            if s == o:  # eq-ref: implied for every term, never stored
                return
            if not self.equality:
                self.enable_equality()
        if self.flags[p] & LITERAL:  # owlrl never adds a triple with a literal predicate
            return
        if self.is_schema(s, p, o):
            raise SchemaViolation((s, p, o))
        self.insert(s, p, o, self.origin, tag)
        self.new.setdefault(p, []).append(key)
        if p != self.schema.SAME and p not in self.list_predicates:
            self.plain.add(p)

    def derive_type(self, x: int, c: int) -> None:
        """Add `x rdf:type c` and at once every superclass of c (cax-sco, closed in the TBox).

        So a stored type triple never needs its superclasses derived again: it goes on the
        worklist marked done (predicate -1) and only its other rules run. A type triple that
        is present already has its superclasses too, or is asserted and not yet taken off the
        worklist, where it gets the full treatment.
        """
        if (x << SHIFT | c) in self.types:
            return
        rules = self.schema.classes.get(c)
        self.add_types(x, (c,) if rules is None else rules.with_supers)

    def add_types(self, x: int, classes: tuple) -> None:
        """Store the derived `x rdf:type c` for each of `classes` not stored yet (their
        superclasses are among `classes`)."""
        types, guard, origin, new_types = self.types, self.guard_types, self.origin, self.new_types
        index = self.forward.get(self.schema.TYPE)
        queue_all, active, queue = self.equality or self.all_types_active, self.active_classes, self.queue
        for c in classes:
            key = x << SHIFT | c
            if key in types:
                continue
            if c in guard:
                raise SchemaViolation((x, self.schema.TYPE, c))
            types[key] = origin
            if index is not None:
                index.setdefault(x, []).append(c)
                self.backward[self.schema.TYPE].setdefault(c, []).append(x)
            if queue_all or c in active:
                queue.append((x, -1, c))
            new_types.append(key)

    def is_schema(self, s: int, p: int, o: int) -> bool:
        """Whether owlrl would read this triple as schema (the ABox may not add one)."""
        return p in self.guard_predicates or (p == self.schema.TYPE and o in self.guard_types) \
            or (p in self.list_predicates and s in self.list_nodes)

    def has(self, s: int, p: int, o: int) -> bool:
        bucket = self.facts.get(p)
        return bucket is not None and (s << SHIFT | o) in bucket

    def error(self, kind: str, *ids: int) -> None:
        self.errors.append((kind, *ids))

    # ------------------------------------------------------------ the worklist

    def run(self) -> None:
        """Apply the rules until the worklist is empty."""
        schema, queue, derive, derive_type = self.schema, self.queue, self.derive, self.derive_type
        classes, props, add_types, pop = schema.classes, schema.props, self.add_types, queue.pop
        TYPE, SAME, DIFFERENT = schema.TYPE, schema.SAME, schema.DIFFERENT
        while queue:
            s, p, o = pop()
            closed = False
            if p == -1:  # a derived type triple, stored with its superclasses
                p = TYPE
                rules = classes.get(o)
                if rules is not None and rules.extra:
                    self.on_type(s, o, rules)
            elif p < 0:  # a triple prp-trp derived, with everything transitivity adds to it
                p, closed = -2 - p, True
            elif p == TYPE:
                rules = classes.get(o)
                if rules is not None:
                    add_types(s, rules.supers)  # cax-sco, cax-eqc1/2, cls-int2, cls-uni
                    if rules.extra:
                        self.on_type(s, o, rules)
            rules = props.get(p)
            if rules is not None:
                for c in rules.dom:  # prp-dom
                    derive_type(s, c)
                for c in rules.rng:  # prp-rng
                    derive_type(o, c)
                for q in rules.supers:  # prp-spo1, prp-eqp1/2
                    derive(s, q, o)
                for q in rules.inverses:  # prp-inv1/2
                    derive(o, q, s)
                if rules.extra:
                    self.on_property(s, p, o, rules, closed)
            if p == SAME:
                self.on_same(s, o)
            elif p == DIFFERENT:
                self.on_different(s, o)
            if self.equality:
                self.replace_equals(s, p, o)

    def on_type(self, x: int, c: int, rules) -> None:
        """The rules a new `x rdf:type c` is a premise of, besides cax-sco."""
        schema, derive = self.schema, self.derive
        TYPE, SAME, THING = schema.TYPE, schema.SAME, schema.THING
        types = self.facts[TYPE]
        for intersection, members in rules.int1:  # cls-int1
            if all((x << SHIFT | m) in types for m in members):
                derive(x, TYPE, intersection)
        for p, value in rules.hv:  # cls-hv1
            derive(x, p, value)
        for p, filler in rules.avf:  # cls-avf, x the restriction's member
            for y in tuple(self.forward[p].get(x, ())):
                derive(y, TYPE, filler)
        for restriction, p in rules.svf:  # cls-svf1, x the value
            for u in tuple(self.backward[p].get(x, ())):
                derive(u, TYPE, restriction)
        for p, n in rules.maxc:  # cls-maxc1/2, x the restriction's member
            values = tuple(self.forward[p].get(x, ()))
            for y1 in values:
                if n == 0:
                    self.error("cls-maxc1", c, y1)
                else:
                    for y2 in values:
                        if y1 != y2:
                            derive(y1, SAME, y2)
        for p, filler, n in rules.maxqc:  # cls-maxqc1..4, x the restriction's member
            values = [y for y in self.forward[p].get(x, ()) if filler == THING or (y << SHIFT | filler) in types]
            for y1 in values:
                if n == 0:
                    self.error("cls-maxqc1", c, filler, y1)
                else:
                    for y2 in values:
                        if y1 != y2:
                            derive(y1, SAME, y2)
        for restriction, p, n in rules.maxqc_filler:  # cls-maxqc1/3, x the value
            for u in tuple(self.backward[p].get(x, ())):
                if (u << SHIFT | restriction) not in types:
                    continue
                if n == 0:
                    self.error("cls-maxqc1", restriction, c, x)
                    continue
                for y in tuple(self.forward[p].get(u, ())):
                    if y != x and (y << SHIFT | c) in types:
                        derive(x, SAME, y)
                        derive(y, SAME, x)
        for c1, c2, other in rules.disjoint:  # cax-dw, cax-adc
            if (x << SHIFT | other) in types:
                self.error("cax-dw", c1, c2, x)
        for c1, c2, other in rules.complement:  # cls-com
            if (x << SHIFT | other) in types:
                self.error("cls-com", c1, c2, x)
        if rules.nothing:  # cls-nothing2
            self.error("cls-nothing2", x)

    def on_property(self, s: int, p: int, o: int, rules, closed: bool = False) -> None:
        """The rules a new `s p o` is a premise of, besides prp-dom/rng/spo1/eqp/inv.

        prp-trp: a triple not itself derived by prp-trp adds every pair it connects, from
        each node that reaches s to each node o reaches; the triples so derived (`closed`)
        need no join of their own. Proof: a chain of non-prp-trp triples is joined when its
        last one is taken off the worklist, by induction on the chains before and after it.
        """
        schema, derive = self.schema, self.derive
        TYPE, SAME, THING = schema.TYPE, schema.SAME, schema.THING
        if rules.symmetric:  # prp-symp
            derive(o, p, s)
        if rules.transitive and not closed:  # prp-trp
            tag = -2 - p
            ends = (o, *self.forward[p].get(o, ()))
            for w in (s, *self.backward[p].get(s, ())):
                for z in ends:
                    derive(w, p, z, tag)
        for chain, members, position in rules.chains:  # prp-spo2
            self.on_chain(s, o, chain, members, position)
        if rules.functional:  # prp-fp
            for y in tuple(self.forward[p].get(s, ())):
                if y != o:
                    derive(o, SAME, y)
                    derive(y, SAME, o)
        if rules.inverse_functional:  # prp-ifp
            for x in tuple(self.backward[p].get(o, ())):
                if x != s:
                    derive(s, SAME, x)
                    derive(x, SAME, s)
        types = self.facts.get(TYPE, {})
        for restriction, filler in rules.svf:  # cls-svf1/2, the new triple as u p v
            if filler == THING or (o << SHIFT | filler) in types:
                derive(s, TYPE, restriction)
        for restriction, filler in rules.avf:  # cls-avf
            if (s << SHIFT | restriction) in types:
                derive(o, TYPE, filler)
        for restriction in rules.hv.get(o, ()):  # cls-hv2
            derive(s, TYPE, restriction)
        for restriction, n in rules.maxc:  # cls-maxc1/2
            if (s << SHIFT | restriction) in types:
                if n == 0:
                    self.error("cls-maxc1", restriction, o)
                    continue
                for y in tuple(self.forward[p].get(s, ())):
                    if y != o:
                        derive(o, SAME, y)
                        derive(y, SAME, o)
        for restriction, filler, n in rules.maxqc:  # cls-maxqc1..4
            if (s << SHIFT | restriction) not in types or not (filler == THING or (o << SHIFT | filler) in types):
                continue
            if n == 0:
                self.error("cls-maxqc1", restriction, filler, o)
                continue
            for y in tuple(self.forward[p].get(s, ())):
                if y != o and (filler == THING or (y << SHIFT | filler) in types):
                    derive(o, SAME, y)
                    derive(y, SAME, o)
        if rules.irreflexive and s == o:  # prp-irp
            self.error("prp-irp", s, p)
        if rules.asymmetric and self.has(o, p, s):  # prp-asyp
            self.error("prp-asyp", p, s, o)
            self.error("prp-asyp", p, o, s)
        for kind, p1, p2, other in rules.disjoint:  # prp-pdw, prp-adp
            if self.has(s, other, o):
                if kind == "pdw":
                    self.error("prp-pdw", p1, p2, s, o)
                else:
                    self.error("prp-adp", s, p1, o, s, p2, o)
        for source, target, kind in rules.npa:  # prp-npa1/2
            if s == source and o == target:
                self.error("prp-npa1" if kind == "object" else "prp-npa2", s, p, o)

    def on_chain(self, s: int, o: int, chain: int, members: tuple, position: int) -> None:
        """prp-spo2: the new triple is link `position` of the chain; join both ways."""
        if len(members) == 2:  # the usual chain: one join
            if position == 0:
                for z in tuple(self.forward[members[1]].get(o, ())):
                    self.derive(s, chain, z)
            else:
                for u in tuple(self.backward[members[0]].get(s, ())):
                    self.derive(u, chain, o)
            return
        starts = {s}
        for member in reversed(members[:position]):
            index = self.backward[member]
            starts = {u for node in starts for u in index.get(node, ())}
            if not starts:
                return
        ends = {o}
        for member in members[position + 1:]:
            index = self.forward[member]
            ends = {u for node in ends for u in index.get(node, ())}
            if not ends:
                return
        for u in starts:
            for z in ends:
                self.derive(u, chain, z)
