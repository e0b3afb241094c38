"""Rule tables compiled from a closed TBox: what a new ABox triple triggers, per class and property.

Terms are interned to integers (`Terms`); a table maps a class (for `x rdf:type C`) or a
property (for `x P y`) to the rule heads and joins that triple takes part in. The tables are
read off the owlrl closure of the TBox, so e.g. `supers` already holds every superclass
(scm-sco), and a property's `dom` every inherited domain (scm-dom1/2); applying them to the
ABox is then exactly what owlrl's cax-*/prp-*/cls-* rules do with those schema triples.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from rdflib import BNode, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS

from newskg.build.reasoning import FILLER_TYPES, REFLEXIVE_NOISE, TOP_CLASSES
from newskg.namespaces import VOCABULARY_NAMESPACES

#: A stored triple's key is `s << SHIFT | o` (term ids stay below 2**32).
SHIFT = 32
MASK = (1 << SHIFT) - 1

LITERAL, BLANK, VOCABULARY = 1, 2, 4
SEEN = 8  # set by the engine once the term is in a stored triple (it then has x owl:sameAs x)
COUNTED = 16  # ... and once that x owl:sameAs x is counted


class Terms:
    """Interned RDF terms: `id(term)` is the integer, `terms[i]` the term, `flags[i]` its kind.

    Keyed by plain strings, not by the rdflib terms: rdflib compares terms in Python
    (Identifier.__eq__, Literal.__eq__), which made a dict hit cost ~0.5 to 2 us, the largest
    cost of reading a million triples. The keys follow rdflib's equality exactly: an IRI or
    blank node by its string, a literal by lexical form, lower-cased language and datatype.
    """

    __slots__ = ("flags", "iris", "others", "terms")

    def __init__(self):
        self.iris: dict[str, int] = {}
        self.others: dict = {}  # literals, blank nodes and other term types, by key()
        self.terms: list = []
        self.flags = bytearray()

    def id(self, term) -> int:
        """The integer of `term`, interning it on first sight."""
        if type(term) is URIRef:
            table, key = self.iris, str(term)
        else:
            table, key = self.others, self.key(term)
        i = table.get(key)
        if i is None:
            i = table[key] = len(self.terms)
            self.terms.append(term)
            self.flags.append(term_flags(term))
        return i

    def get(self, term) -> int | None:
        """The integer of `term`, or None if it was never interned."""
        if type(term) is URIRef:
            return self.iris.get(str(term))
        return self.others.get(self.key(term))

    @staticmethod
    def key(term):
        """The dictionary key of a term that is not a plain IRI (see the class docstring)."""
        kind = type(term)
        if kind is Literal:
            # rdflib's own slots, as Literal.__eq__ reads them (the properties cost a call each)
            language, datatype = term._language, term._datatype
            return (str(term), language.lower() if language else None,
                    None if datatype is None else str(datatype))
        if kind is BNode:
            return ("_:", str(term))
        return term  # another term type (a URIRef subclass such as a skolem IRI): rdflib's own equality


def term_flags(term) -> int:
    """LITERAL, BLANK or VOCABULARY (an IRI in the RDF/RDFS/OWL/XSD namespaces), or 0."""
    if isinstance(term, URIRef):
        # str.startswith: URIRef overrides it and takes no tuple
        return VOCABULARY if str.startswith(term, VOCABULARY_NAMESPACES) else 0
    if isinstance(term, Literal):
        return LITERAL
    return BLANK if isinstance(term, BNode) else 0


class ClassRules:
    """What a new `x rdf:type C` triggers, for one class C."""

    __slots__ = (
        "avf",
        "complement",
        "disjoint",
        "extra",
        "hv",
        "int1",
        "maxc",
        "maxqc",
        "maxqc_filler",
        "nothing",
        "supers",
        "svf",
        "with_supers",
    )

    def __init__(self):
        self.supers = self.with_supers = self.int1 = self.hv = self.avf = self.svf = ()
        self.maxc = self.maxqc = self.maxqc_filler = self.disjoint = self.complement = ()
        self.nothing = False
        self.extra = False  # any rule besides cax-sco (checked first: most classes have none)

    def update(self) -> None:
        """Recompute `extra` after a table changed."""
        self.extra = bool(self.int1 or self.hv or self.avf or self.svf or self.maxc or self.maxqc
                          or self.maxqc_filler or self.disjoint or self.complement or self.nothing)


class PropRules:
    """What a new `x P y` triggers, for one property P."""

    __slots__ = (
        "asymmetric",
        "avf",
        "chains",
        "disjoint",
        "dom",
        "extra",
        "functional",
        "hv",
        "inverse_functional",
        "inverses",
        "irreflexive",
        "maxc",
        "maxqc",
        "npa",
        "rng",
        "supers",
        "svf",
        "symmetric",
        "transitive",
    )

    def __init__(self):
        self.dom = self.rng = self.supers = self.inverses = self.chains = ()
        self.svf = self.avf = self.maxc = self.maxqc = self.disjoint = self.npa = ()
        self.hv = {}
        self.symmetric = self.transitive = self.functional = self.inverse_functional = False
        self.irreflexive = self.asymmetric = False
        self.extra = False  # any rule besides prp-dom/rng/spo1/eqp/inv

    def update(self) -> None:
        """Recompute `extra` after a table changed."""
        self.extra = bool(self.chains or self.svf or self.avf or self.hv or self.maxc or self.maxqc
                          or self.disjoint or self.npa or self.symmetric or self.transitive or self.functional
                          or self.inverse_functional or self.irreflexive or self.asymmetric)


class Schema:
    """The rule tables of one closed TBox, over the integers of `terms`."""

    def __init__(self, terms: Terms):
        self.terms = terms
        self.classes: dict[int, ClassRules] = {}
        self.props: dict[int, PropRules] = {}
        self.different: dict[int, tuple] = {}  # eq-diff2/3: member -> the AllDifferent lists holding it
        self.forward: set[int] = set()  # properties whose x -> y index a join needs
        self.backward: set[int] = set()  # ... and y -> x
        v = terms.id
        self.TYPE, self.SAME, self.DIFFERENT = v(RDF.type), v(OWL.sameAs), v(OWL.differentFrom)
        self.THING, self.DISJOINT = v(OWL.Thing), v(OWL.disjointWith)
        self.reflexive_noise = frozenset(v(t) for t in REFLEXIVE_NOISE)
        self.filler_types = frozenset(v(t) for t in FILLER_TYPES)
        self.top_predicates = frozenset(v(t) for t in (RDFS.subClassOf, RDFS.domain, RDFS.range))
        self.top_classes = frozenset(v(t) for t in TOP_CLASSES)

    def cls(self, c: int) -> ClassRules:
        rules = self.classes.get(c)
        if rules is None:
            rules = self.classes[c] = ClassRules()
            rules.with_supers = (c,)
        return rules

    def prop(self, p: int) -> PropRules:
        rules = self.props.get(p)
        if rules is None:
            rules = self.props[p] = PropRules()
        return rules


class _Index:
    """The few lookups compiling needs, over plain triples (an rdflib Graph costs more to build)."""

    def __init__(self, closed: list, written: Iterable):
        wanted = {OWL.onProperty, OWL.onClass, OWL.members, OWL.distinctMembers, OWL.assertionProperty,
                  OWL.targetIndividual, OWL.targetValue}
        self.objects: dict = defaultdict(list)
        for s, p, o in closed:
            if p in wanted:
                self.objects[(s, p)].append(o)
        self.first, self.rest = {}, {}
        for s, p, o in written:
            if p == RDF.first:
                self.first.setdefault(s, o)
            elif p == RDF.rest:
                self.rest.setdefault(s, o)

    def values(self, subject, predicate) -> list:
        return self.objects.get((subject, predicate), [])

    def items(self, head) -> list:
        """The members of an RDF list, as rdflib's Graph.items reads them."""
        found, seen = [], {head}
        while head is not None and head != RDF.nil:
            if head in self.first:
                found.append(self.first[head])
            head = self.rest.get(head)
            if head in seen:
                raise ValueError("List contains a recursive rdf:rest reference")
            seen.add(head)
        return found


def compile_schema(closed: list, terms: Terms, written: Iterable | None = None) -> Schema:
    """The rule tables of the closed TBox `closed` (an owlrl closure, generalized triples kept).

    RDF lists (axiom arguments) are read in `written`, the TBox as written: when the TBox
    itself equates a list member with another term, eq-rep-o gives the cell a second
    rdf:first in the closure, which owlrl reads in either order from its second cycle on;
    the first cycle reads the list as written, and so does the engine.
    """
    schema = Schema(terms)
    v = terms.id
    acc: dict = defaultdict(set)  # (kind, key) -> entries; frozen into the tables at the end
    index = _Index(closed, closed if written is None else written)
    values = index.values
    # One dict lookup per triple: comparing rdflib terms one by one runs Python code each time.
    kinds = {RDFS.subClassOf: "sco", OWL.equivalentClass: "eqc", RDFS.subPropertyOf: "spo",
             OWL.equivalentProperty: "eqp", RDFS.domain: "dom", RDFS.range: "rng", OWL.inverseOf: "inv",
             OWL.propertyChainAxiom: "chain", OWL.intersectionOf: "int", OWL.unionOf: "uni",
             OWL.someValuesFrom: "svf", OWL.allValuesFrom: "avf", OWL.hasValue: "hv", OWL.maxCardinality: "maxc",
             OWL.maxQualifiedCardinality: "maxqc", OWL.disjointWith: "dw", OWL.complementOf: "com",
             OWL.propertyDisjointWith: "pdw", OWL.sourceIndividual: "npa", RDF.type: "type"}
    thing = OWL.Thing

    def put(kind, key, entry):
        acc[(kind, v(key))].add(entry)

    def items(head) -> tuple:
        return tuple(v(m) for m in index.items(head))

    for s, p, o in closed:
        kind = kinds.get(p)
        if kind is None:
            continue
        if kind in ("sco", "eqc"):  # cax-sco, cax-eqc1/2
            if s != o:
                put("supers", s, v(o))
                if kind == "eqc":
                    put("supers", o, v(s))
        elif kind in ("spo", "eqp"):  # prp-spo1, prp-eqp1/2
            if s != o:
                put("psupers", s, v(o))
                if kind == "eqp":
                    put("psupers", o, v(s))
        elif kind in ("dom", "rng"):  # prp-dom, prp-rng
            put(kind, s, v(o))
        elif kind == "inv":  # prp-inv1 and prp-inv2
            put("inverses", s, v(o))
            put("inverses", o, v(s))
        elif kind == "chain":  # prp-spo2
            members = items(o)
            for position, member in enumerate(members):
                acc[("chains", member)].add((v(s), members, position))
                schema.forward.add(member)
                schema.backward.add(member)
        elif kind == "int":  # cls-int1 (cls-int2 is scm-int + cax-sco)
            members = items(o)
            for member in members:
                acc[("int1", member)].add((v(s), members))
                acc[("supers", v(s))].add(member)
        elif kind == "uni":  # cls-uni
            for member in items(o):
                acc[("supers", member)].add(v(s))
        elif kind == "svf":  # cls-svf1, cls-svf2
            for prop in values(s, OWL.onProperty):
                put("psvf", prop, (v(s), v(o)))
                if o != thing:
                    put("svf", o, (v(s), v(prop)))
                    schema.backward.add(v(prop))
        elif kind == "avf":  # cls-avf
            for prop in values(s, OWL.onProperty):
                put("avf", s, (v(prop), v(o)))
                put("pavf", prop, (v(s), v(o)))
                schema.forward.add(v(prop))
        elif kind == "hv":  # cls-hv1, cls-hv2
            for prop in values(s, OWL.onProperty):
                put("hv", s, (v(prop), v(o)))
                put("phv", prop, (v(o), v(s)))
        elif kind == "maxc" and o.value in (0, 1):  # cls-maxc1, cls-maxc2
            for prop in values(s, OWL.onProperty):
                put("maxc", s, (v(prop), o.value))
                put("pmaxc", prop, (v(s), o.value))
                schema.forward.add(v(prop))
        elif kind == "maxqc" and o.value in (0, 1):  # cls-maxqc1..4
            for prop in values(s, OWL.onProperty):
                for filler in values(s, OWL.onClass):
                    put("maxqc", s, (v(prop), v(filler), o.value))
                    put("pmaxqc", prop, (v(s), v(filler), o.value))
                    if filler != thing:
                        put("maxqcf", filler, (v(s), v(prop), o.value))
                    schema.forward.add(v(prop))
                    schema.backward.add(v(prop))
        elif kind == "dw":  # cax-dw
            put("disjoint", s, (v(s), v(o), v(o)))
            put("disjoint", o, (v(s), v(o), v(s)))
        elif kind == "com":  # cls-com
            put("complement", s, (v(s), v(o), v(o)))
            put("complement", o, (v(s), v(o), v(s)))
        elif kind == "pdw":  # prp-pdw
            put("pdisjoint", s, ("pdw", v(s), v(o), v(o)))
            put("pdisjoint", o, ("pdw", v(s), v(o), v(s)))
        elif kind == "npa":  # prp-npa1, prp-npa2
            for prop in values(s, OWL.assertionProperty):
                for target in values(s, OWL.targetIndividual):
                    put("npa", prop, (v(o), v(target), "object"))
                for target in values(s, OWL.targetValue):
                    put("npa", prop, (v(o), v(target), "datatype"))
        elif kind == "type":
            _compile_type(schema, index, s, o, items, acc)
    _freeze(schema, acc)
    return schema


def _compile_type(schema: Schema, index: _Index, s, o, items, acc) -> None:
    v = schema.terms.id
    characteristics = {OWL.SymmetricProperty: "symmetric", OWL.TransitiveProperty: "transitive",
                       OWL.FunctionalProperty: "functional", OWL.InverseFunctionalProperty: "inverse_functional",
                       OWL.IrreflexiveProperty: "irreflexive", OWL.AsymmetricProperty: "asymmetric"}
    if o in characteristics:  # prp-symp, prp-trp, prp-fp, prp-ifp, prp-irp, prp-asyp
        setattr(schema.prop(v(s)), characteristics[o], True)
        if o in (OWL.TransitiveProperty, OWL.FunctionalProperty):
            schema.forward.add(v(s))
        if o in (OWL.TransitiveProperty, OWL.InverseFunctionalProperty):
            schema.backward.add(v(s))
    elif o == OWL.AllDisjointClasses:  # cax-adc: every pair, in list order
        for head in index.values(s, OWL.members):
            members = items(head)
            for i, ci in enumerate(members):
                for cj in members[i + 1:]:
                    acc[("disjoint", ci)].add((ci, cj, cj))
                    acc[("disjoint", cj)].add((ci, cj, ci))
    elif o == OWL.AllDisjointProperties:  # prp-adp: every pair (owlrl skips the last member)
        for head in index.values(s, OWL.members):
            members = items(head)
            for i, pi in enumerate(members):
                for pj in members[i + 1:]:
                    acc[("pdisjoint", pi)].add(("adp", pi, pj, pj))
                    acc[("pdisjoint", pj)].add(("adp", pi, pj, pi))
    elif o == OWL.AllDifferent:  # eq-diff2, eq-diff3 (owlrl skips the last member)
        for head in (*index.values(s, OWL.members), *index.values(s, OWL.distinctMembers)):
            members = items(head)
            for member in set(members):
                acc[("different", member)].add(members)


def _freeze(schema: Schema, acc: dict) -> None:
    class_fields = {"supers": "supers", "int1": "int1", "hv": "hv", "avf": "avf", "svf": "svf",
                    "maxc": "maxc", "maxqc": "maxqc", "maxqcf": "maxqc_filler", "disjoint": "disjoint",
                    "complement": "complement"}
    prop_fields = {"psupers": "supers", "dom": "dom", "rng": "rng", "inverses": "inverses",
                   "chains": "chains", "psvf": "svf", "pavf": "avf", "pmaxc": "maxc", "pmaxqc": "maxqc",
                   "pdisjoint": "disjoint", "npa": "npa"}
    for (kind, key), entries in sorted(acc.items(), key=lambda item: (item[0][0], item[0][1])):
        entries = tuple(sorted(entries, key=repr))
        if kind in class_fields:
            if kind == "supers":
                entries = tuple(e for e in entries if e != key)
            setattr(schema.cls(key), class_fields[kind], entries)
        elif kind in prop_fields:
            if kind == "psupers":
                entries = tuple(e for e in entries if e != key)
            setattr(schema.prop(key), prop_fields[kind], entries)
        elif kind == "phv":
            table: dict = {}
            for value, restriction in entries:
                table.setdefault(value, []).append(restriction)
            schema.prop(key).hv = {value: tuple(rs) for value, rs in table.items()}
        elif kind == "different":
            schema.different[key] = entries
    schema.cls(schema.terms.id(OWL.Nothing)).nothing = True  # cls-nothing2
    for rules in schema.props.values():
        # A domain implied by another one is added with it (superclasses come along with a
        # type triple), so only the most specific ones need a lookup per triple.
        rules.dom, rules.rng = _most_specific(schema, rules.dom), _most_specific(schema, rules.rng)
        rules.update()
    for c, rules in schema.classes.items():
        rules.with_supers = (c, *rules.supers)
        rules.update()


def _most_specific(schema: Schema, classes: tuple) -> tuple:
    kept: list[int] = []
    for c in classes:
        supers = set(schema.classes[c].supers) if c in schema.classes else set()
        # drop c if a kept class is a subclass of it, or if c is a subclass of a kept one
        if any(c in (set(schema.classes[k].supers) if k in schema.classes else ()) for k in kept):
            continue
        kept = [k for k in kept if k not in supers]
        kept.append(c)
    return tuple(kept)
