"""Incremental re-reasoning: a build that only adds reports or claims re-reasons what they touch.

After a build the rules engine's state (interned terms, the store with each triple's level,
the ledger) is saved in the project's cache folder, keyed by the TBox's hash. The next build
compares its input with the state, triple by triple (`added_triples`): if every triple the
state was computed from is still asserted, at the same level or a stronger one, the state is
extended with what is new (`extend`) instead of reasoning from scratch; otherwise (a report
edited or deleted, a claim's status weakened) the build reasons in full and says why.

Why it is exact. A stored triple's origin code says the level it is present from: the lowest
level whose closure holds it, i.e. the least, over its derivations, of the strongest level a
premise comes from (each level is closed over the levels below it). `extend` recomputes that
semi-naively, level by level, from the added triples: at level L the rules see only the
triples present at L or below (the store read through `_Visible` views), a triple derived at
L that the store holds only at a higher level moves down to L and is joined again, and every
triple added or moved at a lower level is joined again at each level above, where it meets
the triples first present there. Every rule instance with a new premise is so found at the
lowest level where all its premises are present, and no other has changed.

What `extend` leaves to a full re-reasoning (NeedsFullReasoning, with the reason): owl:sameAs
in the data (eq-rep-* join on any position: the store indexes everything then), blank nodes in
the data (a new parse names them anew, so they never match the state's), a different number
of levels, and any triple removed or moved to a weaker level.

What the result holds (kept triples per level, noise, closure size, findings) is read off the
store by `outcome`, identical to what `RulesEngine.add_level` returns level by level
(tests/test_incremental.py compares both on the real project, on random graphs, on the corpus).
"""

from __future__ import annotations

import contextlib
import os
import pickle
import zlib
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from rdflib import BNode, Graph, Literal, URIRef

from newskg.build.memory import without_cycle_collection
from newskg.build.rules import Finding, Level, LevelledRules, RulesEngine, UnsupportedByRulesError
from newskg.build.rules_datatypes import declare_disjoint
from newskg.build.rules_engine import TBOX_DERIVED, SchemaViolation, Store, asserted_at, derived_at
from newskg.build.rules_schema import BLANK, LITERAL, MASK, SEEN, SHIFT, VOCABULARY, Terms
from newskg.build.rules_tbox import _cache_key, _canonical_bnode_labels, tbox_closure

Triple = tuple

#: Bump when the saved state's layout or meaning changes: an older state is then ignored.
STATE_VERSION = 1
_MAGIC = b"newskg rules state\n"


class NeedsFullReasoning(Exception):
    """The change is one `extend` does not handle exactly; the message says which."""


# ---------------------------------------------------------------- the store as one level sees it

class _Visible:
    """One predicate's triples as the level being extended sees them: present at it or below."""

    __slots__ = ("box", "raw")

    def __init__(self, raw: dict, box: list):
        self.raw, self.box = raw, box

    def __contains__(self, key: int) -> bool:
        origin = self.raw.get(key)
        return origin is not None and origin <= self.box[0]

    def __iter__(self):
        limit = self.box[0]
        return iter([key for key, origin in self.raw.items() if origin <= limit])


class _VisibleIndex:
    """An s -> [o] (or o -> [s]) index of the store, filtered as _Visible filters."""

    __slots__ = ("box", "facts", "forward", "p", "raw")

    def __init__(self, raw: dict, facts: dict, p: int, forward: bool, box: list):
        self.raw, self.facts, self.p, self.forward, self.box = raw, facts, p, forward, box

    def get(self, node: int, default=()):
        found = self.raw.get(node)
        if found is None:
            return default
        limit, bucket = self.box[0], self.facts[self.p]
        if self.forward:
            node <<= SHIFT
            return [o for o in found if bucket[node | o] <= limit]
        return [s for s in found if bucket[s << SHIFT | node] <= limit]


class _ExtendingStore(Store):
    """The engine's store, extended one level at a time: the rules (inherited) read it through
    views of what the current level sees; derive() inserts a triple or moves it down to it."""

    def __init__(self, store: Store):  # shares the store's dicts, so the store is extended in place
        self.schema, self.flags = store.schema, store.flags
        self.box = box = [0]
        self.raw_facts, self.raw_forward, self.raw_backward = store.facts, store.forward, store.backward
        self.facts = {p: _Visible(bucket, box) for p, bucket in store.facts.items()}  # type: ignore[misc]
        self.types = self.facts[store.schema.TYPE]
        self.forward = {p: _VisibleIndex(index, store.facts, p, True, box)  # type: ignore[misc]
                        for p, index in store.forward.items()}
        self.backward = {p: _VisibleIndex(index, store.facts, p, False, box)  # type: ignore[misc]
                         for p, index in store.backward.items()}
        for p in (*store.forward, *store.backward):
            self._bucket(p)
        self.equality = False
        self.queue = []
        self.origin = derived_at(0)
        self.new, self.new_types, self.plain = {}, [], set()
        self.errors = store.errors
        self.guard_predicates, self.guard_types = store.guard_predicates, store.guard_types
        self.list_predicates, self.list_nodes = store.list_predicates, store.list_nodes
        self.active_predicates, self.active_classes = store.active_predicates, store.active_classes
        self.all_types_active = store.all_types_active
        self.asserted_later = store.asserted_later
        self.delta: list[tuple] = []  # triples added or moved down by this extension, in order
        # `p << 64 | key` -> (origin, asserted_later level) before this extension, of each triple it changed
        self.touched: dict[int, tuple[int | None, int | None]] = {}
        self.asserted = 0  # distinct triples asserted that were not before

    def at_level(self, level: int) -> None:
        """From now on derive at `level` and see only what is present at it or below."""
        self.origin = self.box[0] = derived_at(level)

    def touch(self, p: int, key: int, origin: int | None) -> None:
        """Remember a triple's state before this extension first changes it."""
        code = p << 64 | key
        if code not in self.touched:
            self.touched[code] = (origin, self.asserted_later.get(code))

    def _bucket(self, p: int) -> dict:
        bucket = self.raw_facts.get(p)
        if bucket is None:
            bucket = self.raw_facts[p] = {}
            self.facts[p] = _Visible(bucket, self.box)  # type: ignore[assignment]
        return bucket

    def _put(self, s: int, p: int, o: int, origin: int) -> None:
        self._bucket(p)[s << SHIFT | o] = origin
        index = self.raw_forward.get(p)
        if index is not None:
            index.setdefault(s, []).append(o)
        index = self.raw_backward.get(p)
        if index is not None:
            index.setdefault(o, []).append(s)

    def requeue(self, triples: Iterable[tuple]) -> None:
        """Put triples added or moved at a lower level back on the worklist, with every rule."""
        TYPE, queue = self.schema.TYPE, self.queue
        for s, p, o in triples:
            if p == TYPE:  # its superclasses are present with it
                if self.all_types_active or o in self.active_classes:
                    queue.append((s, -1, o))
            elif p in self.active_predicates:
                queue.append((s, p, o))

    # ------------------------------------------------------------ overrides of Store

    def insert(self, s: int, p: int, o: int, origin: int, tag: int | None = None) -> bool:
        raise NeedsFullReasoning("a rule outside the extended ones would add a triple")  # a safety net

    def enable_equality(self) -> None:
        raise NeedsFullReasoning("the data equates two terms (owl:sameAs)")

    def has(self, s: int, p: int, o: int) -> bool:
        bucket = self.raw_facts.get(p)
        origin = None if bucket is None else bucket.get(s << SHIFT | o)
        return origin is not None and origin <= self.origin

    def derive(self, s: int, p: int, o: int, tag: int | None = None) -> None:
        schema = self.schema
        if p == schema.TYPE:
            self.derive_type(s, o)
            return
        bucket = self.raw_facts.get(p)
        key = s << SHIFT | o
        before = None if bucket is None else bucket.get(key)
        if before is not None:
            if before > self.origin:  # present only at a higher level: it moves down
                self.touch(p, key, before)
                if not before & 1:  # asserted there: now derived first here, and kept here
                    self.asserted_later[p << 64 | key] = (before >> 1) - 1
                bucket[key] = self.origin  # type: ignore[index]
                self.delta.append((s, p, o))
                if p in self.active_predicates:
                    self.queue.append((s, p, o))
            return
        if p == schema.SAME:
            if s == o:
                return
            raise NeedsFullReasoning("the data equates two terms (owl:sameAs)")
        if self.flags[p] & LITERAL:
            return
        if self.is_schema(s, p, o):
            raise SchemaViolation((s, p, o))
        self.touch(p, key, None)
        self._put(s, p, o, self.origin)
        self.delta.append((s, p, o))
        if p in self.active_predicates:
            self.queue.append((s, p if tag is None else tag, o))

    def add_types(self, x: int, classes: tuple) -> None:
        TYPE = self.schema.TYPE
        types, guard, origin, later = self.raw_facts[TYPE], self.guard_types, self.origin, self.asserted_later
        forward, backward = self.raw_forward.get(TYPE), self.raw_backward.get(TYPE)
        queue_all, active, queue, delta = self.all_types_active, self.active_classes, self.queue, self.delta
        for c in classes:
            key = x << SHIFT | c
            before = types.get(key)
            if before is not None and before <= origin:
                continue
            self.touch(TYPE, key, before)
            if before is None:
                if c in guard:
                    raise SchemaViolation((x, TYPE, c))
                if forward is not None:
                    forward.setdefault(x, []).append(c)
                if backward is not None:
                    backward.setdefault(c, []).append(x)
            elif not before & 1:
                later[TYPE << 64 | key] = (before >> 1) - 1
            types[key] = origin
            delta.append((x, TYPE, c))
            if queue_all or c in active:
                queue.append((x, -1, c))

    def assert_triple(self, engine: RulesEngine, s: int, p: int, o: int, level: int) -> None:
        """Add an asserted triple at `level`, or move it down to it."""
        bucket = self.raw_facts.get(p)
        key = s << SHIFT | o
        before = None if bucket is None else bucket.get(key)
        code = asserted_at(level)
        later = self.asserted_later
        if before is None:
            if engine._checked(p):
                engine._check_asserted(s, p, o)
            self.touch(p, key, None)
            self._put(s, p, o, code)
            self.asserted += 1
            flags = self.flags
            flags[s] |= SEEN
            flags[p] |= SEEN
            flags[o] |= SEEN
        elif before <= derived_at(level):  # present here already
            if before & 1:  # derived: asserted from this level on
                self.touch(p, key, before)
                if (p << 64 | key) not in later:
                    self.asserted += 1
                if before == derived_at(level):  # a full run asserts it before deriving it: not derived
                    later.pop(p << 64 | key, None)
                    bucket[key] = code  # type: ignore[index]
                elif later.get(p << 64 | key, level + 1) > level:  # kept where derived
                    later[p << 64 | key] = level
            return
        else:  # present only at a higher level: it moves down
            self.touch(p, key, before)
            if before & 1 and later.pop(p << 64 | key, None) is None:
                self.asserted += 1
            bucket[key] = code  # type: ignore[index]
        self.delta.append((s, p, o))
        if p in self.active_predicates:
            self.queue.append((s, p, o))


# ---------------------------------------------------------------- extension

def extend(engine: RulesEngine, added: Sequence[Sequence[tuple[int, int, int]]], first_new: int,
           how: str = "incremental") -> Changes:
    """Add asserted triples (term ids, from `added_triples`) to a reasoned engine, level by
    level, and return what changed in what its levels keep (`outcome` gives all of it):
    `added[L]` holds what is asserted at level L now and was not before; `first_new` is the
    first term id interned since the engine last reasoned. Raises NeedsFullReasoning for a
    change it cannot follow exactly (see the module docstring); the engine is then unusable."""
    store = engine.store
    if store.equality:
        raise NeedsFullReasoning("the data equates two terms (owl:sameAs)")
    if len(added) != engine.level + 1:
        raise NeedsFullReasoning(f"{len(added)} levels where the saved state has {engine.level + 1}")
    with without_cycle_collection():
        ext = _ExtendingStore(store)
        for level, triples in enumerate(added):
            ext.at_level(level)
            ext.requeue(list(ext.delta))
            for s, p, o in triples:
                ext.assert_triple(engine, s, p, o, level)
            engine.ledger.account_seen(first_new)
            first_new = len(engine.terms.flags)
            engine.ledger.literals = []
            _type_literals(engine, ext, triples, level)
            engine.ledger.account_seen(first_new)  # a datatype may be in a stored triple now
            first_new = len(engine.terms.flags)
            engine.ledger.literals = []  # (datatype rules: _type_literals)
            try:
                ext.run()
            except SchemaViolation as err:
                raise UnsupportedByRulesError(engine._violation(err.triple)) from None
            _record_findings(engine, ext.errors, level)
        engine.asserted += ext.asserted
        return _changes(engine, ext.touched, how)


def _type_literals(engine: RulesEngine, ext: _ExtendingStore, triples, level: int) -> None:
    """owlrl's datatype rules for the literals of the added triples, at their level (the engine
    applies them once per literal, at the level it first appears at: now maybe a lower one)."""
    from owlrl.DatatypeHandling import AltXSDToPYTHON

    flags, terms, datatypes, TYPE = engine.terms.flags, engine.terms, engine.datatypes, engine.schema.TYPE
    literals = {t for s, _, o in triples for t in (s, o) if flags[t] & LITERAL}
    for lit in sorted(literals):
        term = terms.terms[lit]
        datatype = terms.get(term.datatype) if term.datatype is not None else None
        if datatype not in datatypes.datatypes:
            continue
        for used in (datatype, *datatypes.subsumptions.get(datatype, ())):
            if datatypes.used_level.get(used, level + 1) > level:
                _use_datatype(engine, ext, used, level)
            ext.derive(lit, TYPE, used)
        try:
            AltXSDToPYTHON.get(term.datatype, lambda value: value)(str(term))
        except ValueError:
            ext.error("dt-not-type", lit)


def _use_datatype(engine: RulesEngine, ext: _ExtendingStore, datatype: int, level: int) -> None:
    """A datatype in use from `level` on: owlrl's disjointness with each other datatype in use,
    from the level both are (newskg.build.rules_datatypes does it as the levels come)."""
    from owlrl.AxiomaticTriples import OWLRL_Datatypes_Disjointness

    datatypes, terms, schema, store = engine.datatypes, engine.terms, engine.schema, engine.store
    datatypes.used.add(datatype)
    datatypes.used_level[datatype] = level
    types = store.facts[schema.TYPE]
    for left, _, right in OWLRL_Datatypes_Disjointness:
        lo, hi = terms.id(left), terms.id(right)
        if datatype not in (lo, hi) or (hi if datatype == lo else lo) not in datatypes.used_level:
            continue
        at = max(datatypes.used_level[lo], datatypes.used_level[hi])
        bucket = ext._bucket(schema.DISJOINT)
        before = bucket.get(lo << SHIFT | hi)
        if before is not None and before <= derived_at(at):
            continue
        ext.touch(schema.DISJOINT, lo << SHIFT | hi, before)
        if before is None:
            ext._put(lo, schema.DISJOINT, hi, derived_at(at))
            engine.ledger.see(lo, schema.DISJOINT, hi)
            declare_disjoint([(lo, hi)], store, schema)
        else:
            bucket[lo << SHIFT | hi] = derived_at(at)
        # cax-dw for the literals of both datatypes already stored, at the level all three hold at
        members: dict[int, int] = {}
        for key, origin in types.items():
            if key & MASK == lo:
                members[key >> SHIFT] = origin
        for key, origin in types.items():
            if key & MASK == hi and key >> SHIFT in members:
                both = max(origin, members[key >> SHIFT], derived_at(at))
                ext.error("cax-dw", lo, hi, key >> SHIFT)
                _record_findings(engine, ext.errors, max((both >> 1) - 1, 0))


def _record_findings(engine: RulesEngine, errors: list, level: int) -> None:
    """Record the inconsistencies found at `level`, at the lowest level each holds at."""
    messages, describe = engine.ledger.messages, engine.ledger.describe
    disjoint = engine.store.facts.get(engine.schema.DISJOINT, {})
    for kind, *args in errors:
        found = describe(kind, args)
        at = level
        if kind == "cax-dw":  # datatypes disjoint only from the level both are used at
            origin = disjoint.get(args[0] << SHIFT | args[1], 0)
            at = max(level, (origin >> 1) - 1)
        if messages.get(found, at + 1) > at:
            messages[found] = at
    errors.clear()


# ---------------------------------------------------------------- what changed

@dataclass
class Changes:
    """What an extension changed: per level the kept triples it added and removed (a triple
    moving down is removed from one level and added to another); the noise counts, closure
    size and findings are the whole input's, as `outcome` gives them."""

    added: list[list[Triple]]
    removed: list[list[Triple]]
    noise: Counter
    closure_size: int
    findings: list[Finding]
    how: str


def _status(engine: RulesEngine, p: int, key: int, origin: int | None, later: int | None):
    """("kept", level) or ("noise", kind) for a triple in the store with `origin` and asserted
    at `later`, as add_level and the ledger count it; None if neither (absent, asserted)."""
    if origin is None or not origin & 1 or engine.terms.flags[p] & BLANK:
        return None
    level = max((origin >> 1) - 1, 0)
    kind = engine.ledger.noise_kind(key >> SHIFT, p, key & MASK)
    if kind is not None:
        return None if later is not None else ("noise", kind)
    return ("kept", level) if later is None or later > level else None


def _changes(engine: RulesEngine, touched: dict, how: str) -> Changes:
    levels = engine.level + 1
    added: list[list[Triple]] = [[] for _ in range(levels)]
    removed: list[list[Triple]] = [[] for _ in range(levels)]
    facts, later, noise = engine.store.facts, engine.store.asserted_later, engine.ledger.noise
    moved = []
    for code, (origin, was_later) in touched.items():
        p, key = code >> 64, code & ((1 << 64) - 1)
        before = _status(engine, p, key, origin, was_later)
        after = _status(engine, p, key, facts[p][key], later.get(code))
        if before != after:
            moved.append((p, key, before, after))
    _fill_terms(engine, {t for p, key, _, _ in moved for t in (p, key >> SHIFT, key & MASK)})
    terms = engine.terms.terms
    for p, key, before, after in moved:
        triple = (terms[key >> SHIFT], terms[p], terms[key & MASK])
        for status, sign, lists in ((before, -1, removed), (after, 1, added)):
            if status is None:
                continue
            if status[0] == "noise":
                noise[status[1]] += sign
            else:
                lists[status[1]].append(triple)
    engine.ledger.noise = +noise
    findings = sorted((Finding(level, rule, message) for (rule, message), level in engine.ledger.messages.items()),
                      key=lambda f: (f.level, f.rule, f.message))
    return Changes(added, removed, engine.noise, engine.closure_size(), findings, how)


# ---------------------------------------------------------------- the outcome, read off the store

def _scan(engine: RulesEngine) -> tuple[list[list[Triple]], list[int], int, Counter]:
    """(kept triples per level, derived per level, asserted count, noise without the error nodes),
    as add_level and the ledger count them level by level."""
    terms, flags = engine.terms.terms, engine.terms.flags
    store, schema, ledger = engine.store, engine.schema, engine.ledger
    levels = engine.level + 1
    kept: list[list[Triple]] = [[] for _ in range(levels)]
    derived = [0] * levels
    noise: Counter = Counter()
    later = store.asserted_later
    filler, top = schema.filler_types, schema.top_classes
    for p, bucket in store.facts.items():
        blank = flags[p] & BLANK
        tp, reflexive, is_type = terms[p], p in schema.reflexive_noise, p == schema.TYPE
        is_top = p in schema.top_predicates
        for key, origin in bucket.items():
            if not origin & 1:
                continue
            level = (origin >> 1) - 1 if origin != TBOX_DERIVED else 0
            derived[level] += 1
            if blank:
                continue
            asserted = later.get(p << 64 | key) if later else None
            s, o = key >> SHIFT, key & MASK
            if flags[s] & (LITERAL | BLANK | VOCABULARY) or flags[o] & BLANK or (reflexive and s == o) \
                    or (is_type and o in filler) or (is_top and o in top):
                if asserted is None:
                    noise[ledger.noise_kind(s, p, o)] += 1
            elif asserted is None or asserted > level:
                kept[level].append((terms[s], tp, terms[o]))
    same = store.facts.get(schema.SAME, {})
    for term in range(len(flags)):
        kind = flags[term]
        if kind & SEEN and (term << SHIFT | term) not in same:
            noise["literal-subject" if kind & LITERAL else "blank-node" if kind & BLANK
                  else "vocabulary-subject" if kind & VOCABULARY else "reflexive"] += 1
    return kept, derived, engine.asserted, noise


def outcome(engine: RulesEngine, how: str = "full") -> LevelledRules:
    """What the engine's levels hold now, as `infer_levels` returns it (findings in the order
    first found, per level)."""
    kept, derived, _, noise = _scan(engine)
    findings: list[list[Finding]] = [[] for _ in kept]
    for (rule, message), level in engine.ledger.messages.items():
        findings[level].append(Finding(level, rule, message))
    levels = [Level(kept[i], findings[i], derived[i]) for i in range(len(kept))]
    errors = Counter({"blank-node": 2 * len(engine.ledger.messages)})
    return LevelledRules(levels, engine.closure_size(), +(noise + errors), how)


# ---------------------------------------------------------------- what the input adds

_REMOVED = ("{} or more asserted triple(s) removed or moved to a weaker level (a report or claim edited or "
            "deleted, or blank nodes in the data)")


def added_triples(engine: RulesEngine, levels: Sequence[Iterable[Triple]]) -> list[list[tuple[int, int, int]]]:
    """The triples of `levels` (the new input, level by level) the engine does not hold as
    asserted at that level or a stronger one, as term ids. Raises NeedsFullReasoning if a
    triple the engine was given is no longer asserted, or only at a weaker level."""
    from collections.abc import Sized

    if all(isinstance(level, Sized) for level in levels) and sum(map(len, levels)) < engine.asserted:  # type: ignore[arg-type]
        raise NeedsFullReasoning(_REMOVED.format(engine.asserted - sum(map(len, levels))))  # type: ignore[arg-type]
    with without_cycle_collection():  # a million new tuples and no cycle
        return _added_triples(engine, levels, True)


def _added_triples(engine: RulesEngine, levels: Sequence[Iterable[Triple]],
                   complete: bool = True) -> list[list[tuple[int, int, int]]]:
    """See added_triples; `complete`: `levels` is the whole input, not only what it adds."""
    terms, store = engine.terms, engine.store
    iris, intern, objects, facts, later = terms.iris, terms.id, terms.terms, store.facts, store.asserted_later
    same = engine.schema.SAME
    matched = 0
    moved: set[int] = set()  # triples found asserted at a stronger level than before
    added: list[list[tuple[int, int, int]]] = []
    for level, triples in enumerate(levels):
        found: list[tuple[int, int, int]] = []
        added.append(found)
        last_s_ = last_p_ = None
        last_s = last_p = -1
        s: int | None
        p: int | None
        o: int | None
        for s_, p_, o_ in triples:
            if s_ is not last_s_:
                s = iris.get(str(s_)) if type(s_) is URIRef else None
                if s is None:
                    s = intern(s_)
                if objects[s] is None:
                    objects[s] = s_
                last_s_, last_s = s_, s
            else:
                s = last_s
            if p_ is not last_p_:
                p = iris.get(str(p_)) if type(p_) is URIRef else None
                if p is None:
                    p = intern(p_)
                if objects[p] is None:
                    objects[p] = p_
                if p == same:
                    raise NeedsFullReasoning("the data uses owl:sameAs")
                last_p_, last_p = p_, p
            else:
                p = last_p
            o = iris.get(str(o_)) if type(o_) is URIRef else None
            if o is None:
                o = intern(o_)
            if objects[o] is None:
                objects[o] = o_
            bucket = facts.get(p)
            key = s << SHIFT | o
            before = None if bucket is None else bucket.get(key)
            if before is None:
                found.append((s, p, o))
                continue
            if before & 1:  # derived: asserted too, and at which level?
                was = later.get(p << 64 | key)
                if was is None:
                    found.append((s, p, o))
                    continue
            elif before < 2:  # a TBox triple: the engine ignores it in the data
                continue
            else:
                was = (before >> 1) - 1
            code = p << 64 | key
            if code in moved or was < level:  # stated at a stronger level too (or gone: counted below)
                continue
            matched += 1
            if was > level:
                moved.add(code)
                found.append((s, p, o))
    if complete and matched != engine.asserted:
        raise NeedsFullReasoning(_REMOVED.format(engine.asserted - matched))
    return added


# ---------------------------------------------------------------- the saved state

def state_path(cache_dir: Path, tbox_key: str) -> Path:
    """Where the state of a build over the TBox of hash `tbox_key` is kept."""
    return Path(cache_dir) / f"rules-state-{tbox_key}.pickle"


def save_state(engine: RulesEngine, path: Path, labels: dict, key=None) -> None:
    """Write the engine's state to `path` (atomically; a checksum guards it). `labels`: the
    TBox's blank nodes' canonical labels, by which the next parse's blank nodes are matched.
    The rdflib terms are not saved: the next input and the TBox bring them back. `key`: what
    the caller says of the input (see `IncrementalReasoner.levels`), saved with it."""
    terms = engine.terms
    bnodes = {}
    for node, label in labels.items():
        i = terms.get(node)
        if i is not None:
            bnodes[i] = (str(node), label)
    objects, terms.terms = terms.terms, []
    try:
        payload = pickle.dumps({"version": STATE_VERSION, "engine": engine, "bnodes": bnodes, "key": key},
                               protocol=pickle.HIGHEST_PROTOCOL)
    finally:
        terms.terms = objects
    header = _MAGIC + f"{STATE_VERSION} {len(payload)} {zlib.crc32(payload)}\n".encode()
    tmp = path.with_suffix(f".{os.getpid()}.tmp")  # two builds at once each write their own
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        for old in path.parent.glob("rules-state-*.pickle"):  # one state is enough: the last build's
            if old != path:
                old.unlink(missing_ok=True)
        with tmp.open("wb") as out:
            out.write(header)
            out.write(payload)
        tmp.replace(path)
    except OSError:  # the state only saves time: a project we cannot write to still builds
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)


def load_state(path: Path, tbox: Graph, labels: dict, cache_dir: Path | None) -> tuple[RulesEngine, object] | None:
    """(the engine saved at `path`, its terms restored for this parse of the TBox; the key
    saved with it), or None if the file is missing, damaged, of another version, or does not
    fit the TBox."""
    try:
        data = path.read_bytes()
    except OSError:
        return None
    if not data.startswith(_MAGIC):
        return None
    head, _, payload = data[len(_MAGIC):].partition(b"\n")
    try:
        version, size, crc = (int(x) for x in head.split())
    except ValueError:
        return None
    if version != STATE_VERSION or size != len(payload) or crc != zlib.crc32(payload):
        return None
    try:
        with without_cycle_collection():
            state = pickle.loads(payload)
    except Exception:  # damaged beyond the checksum's reach: recomputed, never trusted
        return None
    if not isinstance(state, dict) or state.get("version") != STATE_VERSION \
            or not isinstance(state.get("engine"), RulesEngine):
        return None
    engine: RulesEngine = state["engine"]
    terms = engine.terms
    terms.terms = [None] * len(terms.flags)
    by_label = {label: node for node, label in labels.items()}
    for i, (old, label) in state["bnodes"].items():
        node = by_label.get(label)
        if node is None:
            return None
        terms.others.pop(("_:", old), None)
        terms.others[Terms.key(node)] = i
        terms.terms[i] = node
    for triple in tbox_closure(tbox, cache_dir):
        for term in triple:
            i = terms.get(term)
            if i is not None and terms.terms[i] is None:
                terms.terms[i] = term
    return engine, state.get("key")


def _fill_terms(engine: RulesEngine, wanted: set[int] | None = None) -> None:
    """Make the rdflib terms of `wanted` (all if None) that the input did not bring back."""
    objects = engine.terms.terms
    if wanted is not None:
        wanted = {i for i in wanted if objects[i] is None}
        if not wanted:
            return
    for iri, i in engine.terms.iris.items():
        if objects[i] is None and (wanted is None or i in wanted):
            objects[i] = URIRef(iri)
    for key, i in engine.terms.others.items():
        if objects[i] is None and (wanted is None or i in wanted):
            if isinstance(key, tuple) and key[0] == "_:" and len(key) == 2:
                objects[i] = BNode(key[1])
            elif isinstance(key, tuple):
                lexical, language, datatype = key
                objects[i] = Literal(lexical, lang=language, datatype=None if datatype is None else URIRef(datatype),
                                     normalize=False)
            else:
                objects[i] = key


# ---------------------------------------------------------------- the reasoner

class IncrementalReasoner:
    """Level-by-level rules reasoning that keeps its state in `cache_dir` between builds, and
    extends it when the input only adds to what it was computed from."""

    def __init__(self, cache_dir: Path):
        self.cache_dir = Path(cache_dir)

    def levels(self, tbox: Graph, base: Iterable[Triple], deltas: Sequence[Iterable[Triple]], key=None,
               additions=None, full: bool = False) -> LevelledRules:
        """`newskg.build.rules.infer_levels`, the same result; `base` and `deltas` must be
        re-iterable (graphs, lists). The result's `how` says whether it was incremental.

        Without `additions`, the input is compared with the state triple by triple (about as
        long as reading it into the engine). A caller that knows better passes `key` (any
        picklable description of its input, saved with the state) and `additions`: a function
        of the saved state's key returning what the input adds to that one, per level, or None
        if it cannot tell (then the triple-by-triple comparison decides). It must never leave
        out an addition, nor return anything when something was removed or weakened.
        ``full``: reason from scratch whatever the state, and save the new state.
        """
        inputs = [base, *deltas]
        labels = _canonical_bnode_labels(tbox)
        if labels is None:
            return self._full(tbox, inputs, None, "the ontology's blank nodes cannot be told apart, so no state "
                                                  "is kept")
        path = state_path(self.cache_dir, _cache_key(tbox, labels))
        saving = (path, labels, key)
        try:
            present = path.exists()
        except OSError:  # an unreadable cache folder: as if empty
            present = False
        if full:
            return self._full(tbox, inputs, saving, "asked for (--full)")
        if not present:
            return self._full(tbox, inputs, saving, "no saved state for this ontology")
        loaded = load_state(path, tbox, labels, self.cache_dir)
        if loaded is None:
            return self._full(tbox, inputs, saving, "the saved state is damaged or of another version")
        engine, saved_key = loaded
        first_new = len(engine.terms.flags)
        try:
            told = additions(saved_key) if additions is not None and saved_key is not None else None
            if told is not None:
                added = _added_triples(engine, told, complete=False)
                account = "the build's account of its new files"
            else:
                added = added_triples(engine, inputs)
                account = "a comparison with the saved state"
            changes = extend(engine, added, first_new)
        except (NeedsFullReasoning, UnsupportedByRulesError) as err:
            why = str(err) if isinstance(err, NeedsFullReasoning) else "the rules engine refused the change"
            return self._full(tbox, inputs, saving, why)
        count = sum(len(level) for level in added)
        _fill_terms(engine)
        result = outcome(engine, f"incremental: {count} asserted triple(s) added to the saved state ({account})")
        result.changed = list(zip(changes.added, changes.removed, strict=True))
        save_state(engine, path, labels, key)
        return result

    def _full(self, tbox: Graph, inputs: list, saving: tuple | None, why: str) -> LevelledRules:
        engine = RulesEngine(tbox, self.cache_dir)
        levels = [engine.add_level(triples) for triples in inputs]
        result = LevelledRules(levels, engine.closure_size(), engine.noise, f"full re-reasoning: {why}")
        if saving is not None:
            save_state(engine, *saving)
        return result


# ---------------------------------------------------------------- what a build adds

def build_key(inputs, claims: dict, fingerprint: str | None = None) -> dict:
    """What the state remembers of a build's input: each input file's hash (`inputs`: the
    build's InputFile list), each claim's level (`claims`: newskg.build.levels.read_claims) and
    the build's `fingerprint` (newskg.build.fingerprint), by which the next build knows whether
    the build on disk is the one this state was computed for."""
    return {"files": {item.relpath: item.sha256() for item in inputs},
            "claims": {str(iri): claim.level for iri, claim in claims.items()},
            "fingerprint": fingerprint}


def report_additions(saved: dict, key: dict, sources, facts) -> list[list[Triple]] | None:
    """What the build's input adds to the one the state was saved for, by level, when it only
    adds report files (graph/<report>/...) and leaves every other file and every claim's level
    as it was; None otherwise. `key`: build_key of this input; `sources`, `facts`: the build's
    newskg.build.sources.Sources and newskg.build.levels.FactLevels."""
    try:
        before, now = saved["files"], key["files"]
        if any(now.get(path) != digest for path, digest in before.items()):
            return None  # a file changed or was removed
        new_files = set(now) - set(before)
        if any(not (path.startswith("graph/") and path.count("/") >= 2) for path in new_files):
            return None  # the background, the ontology: not a report's
        claims = key["claims"]
        if any(claims.get(iri, "gone") != level for iri, level in saved["claims"].items()):
            return None  # a new file gave a claim another status or polarity
    except (KeyError, TypeError, AttributeError):  # a key of another kind
        return None
    added: list[list[Triple]] = [[] for _ in facts.by_level]
    for path in sorted(new_files):  # the new reports' claim layer: document, claims, anchors
        added[0].extend(sources.turtle_files.get(path, ()))
    for iri, path in sorted(sources.content_files.items()):  # the new claims' content, at its level
        if path in new_files:
            for triple in sources.dataset.graph(iri):
                level = facts.level_of(triple)
                if level is not None:
                    added[level].append(triple)
    return added
