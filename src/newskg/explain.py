"""Why does a triple hold? The OWL-RL rule and its premises, down to asserted triples.

owlrl records no provenance, so explanations are rebuilt after the fact: the closure is
recomputed from the build's asserted graphs, then each derived triple is matched against
the bodies of the OWL 2 RL rules (the rule table of the W3C OWL 2 Profiles spec, section
4.3) until every branch ends in an asserted triple. Rules are tried in a fixed order and
the first complete, non-circular derivation wins.

The closure is computed from the sources, not read from the build, so explain answers when
the build failed or is stale (and says so), and can explain an inconsistency: the level where
it appears, the axiom, and the derivation of each side (`explain_clashes`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import BNode, Graph, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS

from newskg.build import current_fingerprint
from newskg.build.reasoning import OwlrlReasoner
from newskg.build.sources import discover_inputs, parse_turtle
from newskg.errors import UsageError
from newskg.namespaces import PREFIXES, bind_prefixes, expand_curie, shorten
from newskg.project import BUILD_HINT, Build, Project

Triple = tuple
RuleBody = Callable[[Triple, Graph], Iterator[tuple[str, list[Triple]]]]


@dataclass
class Derivation:
    """A triple and how it holds: asserted (with its files) or by a rule from premises."""

    triple: Triple
    rule: str | None = None
    files: list[str] = field(default_factory=list)
    premises: list[Derivation] = field(default_factory=list)
    #: the status level at which the triple holds (None where levels were not asked for)
    level: str | None = None

    @property
    def asserted(self) -> bool:
        return self.rule is None


def _list(g: Graph, node) -> list:
    return list(Collection(g, node)) if node is not None else []


def _cax_sco(t, g):
    x, p, c = t
    if p == RDF.type:
        for b in g.subjects(RDFS.subClassOf, c):
            if b != c and (x, RDF.type, b) in g:
                yield "cax-sco", [(b, RDFS.subClassOf, c), (x, RDF.type, b)]


def _cax_eqc(t, g):
    x, p, c = t
    if p == RDF.type:
        for b in g.subjects(OWL.equivalentClass, c):  # cax-eqc1: b equivalentClass c
            if b != c and (x, RDF.type, b) in g:
                yield "cax-eqc1", [(b, OWL.equivalentClass, c), (x, RDF.type, b)]
        for b in g.objects(c, OWL.equivalentClass):  # cax-eqc2: c equivalentClass b
            if b != c and (x, RDF.type, b) in g:
                yield "cax-eqc2", [(c, OWL.equivalentClass, b), (x, RDF.type, b)]


def _prp_dom(t, g):
    x, p, c = t
    if p == RDF.type:
        for prop in g.subjects(RDFS.domain, c):
            for y in g.objects(x, prop):
                yield "prp-dom", [(prop, RDFS.domain, c), (x, prop, y)]


def _prp_rng(t, g):
    y, p, c = t
    if p == RDF.type:
        for prop in g.subjects(RDFS.range, c):
            for x in g.subjects(prop, y):
                yield "prp-rng", [(prop, RDFS.range, c), (x, prop, y)]


def _prp_spo1(t, g):
    x, p, y = t
    for sub in g.subjects(RDFS.subPropertyOf, p):
        if sub != p and (x, sub, y) in g:
            yield "prp-spo1", [(sub, RDFS.subPropertyOf, p), (x, sub, y)]


def _prp_inv(t, g):
    y, p, x = t
    for other in g.subjects(OWL.inverseOf, p):  # prp-inv1: other inverseOf p, x other y
        if (x, other, y) in g:
            yield "prp-inv1", [(other, OWL.inverseOf, p), (x, other, y)]
    for other in g.objects(p, OWL.inverseOf):  # prp-inv2: p inverseOf other, x other y
        if (x, other, y) in g:
            yield "prp-inv2", [(p, OWL.inverseOf, other), (x, other, y)]


def _prp_symp(t, g):
    x, p, y = t
    if (p, RDF.type, OWL.SymmetricProperty) in g and (y, p, x) in g and x != y:
        yield "prp-symp", [(p, RDF.type, OWL.SymmetricProperty), (y, p, x)]


def _prp_trp(t, g):
    x, p, z = t
    if (p, RDF.type, OWL.TransitiveProperty) in g:
        for y in g.objects(x, p):
            if y not in (x, z) and (y, p, z) in g:
                yield "prp-trp", [(p, RDF.type, OWL.TransitiveProperty), (x, p, y), (y, p, z)]


def _prp_spo2(t, g):
    x, p, z = t
    for chain in g.objects(p, OWL.propertyChainAxiom):
        props = _list(g, chain)
        for path in _chain_paths(g, x, props, z):
            yield "prp-spo2", [(p, OWL.propertyChainAxiom, chain), *path]


def _chain_paths(g: Graph, start, props: list, end) -> Iterator[list[Triple]]:
    if not props:
        return
    head, rest = props[0], props[1:]
    for nxt in g.objects(start, head):
        if not rest:
            if nxt == end:
                yield [(start, head, nxt)]
        else:
            for tail in _chain_paths(g, nxt, rest, end):
                yield [(start, head, nxt), *tail]


def _cls_int1(t, g):
    x, p, c = t
    if p == RDF.type:
        for members in g.objects(c, OWL.intersectionOf):
            classes = _list(g, members)
            if classes and all((x, RDF.type, m) in g for m in classes):
                yield "cls-int1", [(c, OWL.intersectionOf, members)] + [(x, RDF.type, m) for m in classes]


def _cls_svf1(t, g):
    x, p, r = t
    if p == RDF.type:
        prop = g.value(r, OWL.onProperty)
        filler = g.value(r, OWL.someValuesFrom)
        if prop is not None and filler is not None:
            for y in g.objects(x, prop):
                if filler == OWL.Thing:
                    yield "cls-svf2", [(r, OWL.someValuesFrom, filler), (r, OWL.onProperty, prop), (x, prop, y)]
                elif (y, RDF.type, filler) in g:
                    yield "cls-svf1", [(r, OWL.someValuesFrom, filler), (r, OWL.onProperty, prop),
                                       (x, prop, y), (y, RDF.type, filler)]


def _cls_hv(t, g):
    x, p, v = t
    if p == RDF.type:  # cls-hv2: x p v, R hasValue v on p => x type R
        prop, value = g.value(v, OWL.onProperty), g.value(v, OWL.hasValue)
        if prop is not None and value is not None and (x, prop, value) in g:
            yield "cls-hv2", [(v, OWL.hasValue, value), (v, OWL.onProperty, prop), (x, prop, value)]
    for r in g.subjects(OWL.hasValue, v):  # cls-hv1: x type R, R hasValue v on p => x p v
        if (r, OWL.onProperty, p) in g and (x, RDF.type, r) in g:
            yield "cls-hv1", [(r, OWL.hasValue, v), (r, OWL.onProperty, p), (x, RDF.type, r)]


def _scm_sco(t, g):
    c1, p, c3 = t
    if p in (RDFS.subClassOf, RDFS.subPropertyOf):
        for c2 in g.objects(c1, p):
            if c2 not in (c1, c3) and (c2, p, c3) in g:
                yield ("scm-sco" if p == RDFS.subClassOf else "scm-spo"), [(c1, p, c2), (c2, p, c3)]


def _scm_int(t, g):
    c, p, member = t
    if p == RDFS.subClassOf:
        for members in g.objects(c, OWL.intersectionOf):
            if member in _list(g, members):
                yield "scm-int", [(c, OWL.intersectionOf, members)]


def _scm_eqc(t, g):
    a, p, b = t
    if p == RDFS.subClassOf:
        for axiom in ((a, OWL.equivalentClass, b), (b, OWL.equivalentClass, a)):
            if axiom in g:
                yield "scm-eqc1", [axiom]
    if p == RDFS.subPropertyOf:
        for axiom in ((a, OWL.equivalentProperty, b), (b, OWL.equivalentProperty, a)):
            if axiom in g:
                yield "scm-eqp1", [axiom]


def _scm_dom_rng(t, g):
    prop, p, c = t
    if p in (RDFS.domain, RDFS.range):
        kind = "dom" if p == RDFS.domain else "rng"
        for c1 in g.objects(prop, p):
            if c1 != c and (c1, RDFS.subClassOf, c) in g:
                yield f"scm-{kind}1", [(prop, p, c1), (c1, RDFS.subClassOf, c)]
        for sup in g.objects(prop, RDFS.subPropertyOf):
            if sup != prop and (sup, p, c) in g:
                yield f"scm-{kind}2", [(prop, RDFS.subPropertyOf, sup), (sup, p, c)]


#: OWL 2 RL rule bodies in the order they are tried; each yields (rule id, premises), the
#: rule ids being those of the W3C rule table (OWL 2 Profiles, section 4.3).
RULES: tuple[RuleBody, ...] = (
    _prp_spo1, _prp_inv, _prp_symp, _prp_spo2, _prp_trp, _cax_sco, _cax_eqc, _prp_dom,
    _prp_rng, _cls_int1, _cls_svf1, _cls_hv, _scm_sco, _scm_int, _scm_eqc, _scm_dom_rng,
)


class Explainer:
    """Explains triples of a closure in terms of the asserted triples it came from."""

    def __init__(self, asserted: Graph, closure: Graph, files: Callable[[Triple], list[str]],
                 level: Callable[[Triple], str | None] = lambda triple: None):
        self.asserted, self.closure, self.files, self.level = asserted, closure, files, level
        self._done: dict[Triple, Derivation] = {}

    def explain(self, triple: Triple) -> Derivation | None:
        """The derivation of `triple`, or None if it does not hold."""
        if triple not in self.closure:
            return None
        found = self._derive(triple, frozenset(), depth=0)
        return found or Derivation(triple, rule="OWL-RL (a rule explain does not cover)")

    def _derive(self, triple: Triple, path: frozenset, depth: int) -> Derivation | None:
        if triple in self.asserted:
            return Derivation(triple, files=self.files(triple), level=self.level(triple))
        if triple in self._done:
            return self._done[triple]
        if depth > 40:
            return None
        path = path | {triple}
        for body in RULES:
            for rule, premises in body(triple, self.closure):
                if any(p in path for p in premises):
                    continue
                children = []
                for premise in premises:
                    child = self._derive(premise, path, depth + 1)
                    if child is None:
                        break
                    children.append(child)
                else:
                    found = Derivation(triple, rule=rule, premises=children, level=self.level(triple))
                    self._done[triple] = found
                    return found
        return None


def describe_term(term, graph: Graph) -> str:
    """A readable name: a CURIE, a quoted literal, or an anonymous class expression."""
    if isinstance(term, BNode):
        prop, filler = graph.value(term, OWL.onProperty), graph.value(term, OWL.someValuesFrom)
        if prop is not None and filler is not None:
            return f"(some {describe_term(prop, graph)} {describe_term(filler, graph)})"
        members = graph.value(term, OWL.intersectionOf)
        if members is not None:
            return "(" + " and ".join(describe_term(m, graph) for m in _list(graph, members)) + ")"
        if (term, RDF.first, None) in graph:
            return "(" + " ".join(describe_term(m, graph) for m in _list(graph, term)) + ")"
        return "[]"
    if isinstance(term, URIRef):
        return shorten(str(term))
    return term.n3()


def format_derivation(derivation: Derivation, graph: Graph) -> str:
    """The derivation as an indented tree, one triple a line."""
    lines: list[str] = []

    def walk(node: Derivation, depth: int) -> None:
        text = " ".join(describe_term(t, graph) for t in node.triple)
        how = f"asserted in {', '.join(node.files) or 'the build'}" if node.asserted else f"by {node.rule}"
        level = f" ({node.level})" if node.level else ""
        lines.append(f"{'  ' * depth}{text}  [{how}]{level}")
        for child in node.premises:
            walk(child, depth + 1)

    walk(derivation, 0)
    return "\n".join(lines)


@dataclass
class Explanation:
    """The answer to `newskg explain`: the triple, whether it holds, and its derivation."""

    triple: Triple
    derivation: Derivation | None
    graph: Graph  # for naming anonymous class expressions
    #: said first when the build is not what was explained (missing, or older than the sources)
    note: str | None = None

    @property
    def holds(self) -> bool:
        return self.derivation is not None

    def render(self) -> str:
        """A tree for a derived triple, the files for an asserted one, or a plain 'does not hold'."""
        lines = [f"note: {self.note}"] if self.note else []
        if self.derivation is None:
            text = " ".join(describe_term(t, self.graph) for t in self.triple)
            lines.append(f"{text}\n  does not hold: neither asserted nor derived by OWL-RL from the sources")
        else:
            lines.append(format_derivation(self.derivation, self.graph))
        return "\n".join(lines)


def parse_term(text: str, position: str, prefixes: dict[str, str] | None = None):
    """A term given on the command line: CURIE, <IRI>, bare IRI, or an N3 literal.

    `prefixes` adds to the project's prefixes (e.g. a report's own `art:`).
    """
    from rdflib.util import from_n3

    text = text.strip()
    local_prefix = text.partition(":")[0]
    if prefixes and local_prefix in prefixes and local_prefix not in PREFIXES and "://" not in text:
        return URIRef(prefixes[local_prefix] + text.partition(":")[2])
    if position != "object" or not (text.startswith('"') or text[:1].isdigit() or text in ("true", "false")):
        try:
            return expand_curie(text)
        except ValueError as err:
            raise UsageError(f"{position}: {err}") from None
    try:
        return from_n3(text, nsm=bind_prefixes(Graph()).namespace_manager)
    except Exception as err:  # rdflib raises assorted errors for a bad literal
        raise UsageError(f"{position}: cannot read {text!r} as an RDF term ({err})") from None


class SourceModel:
    """The project's sources read as the build reads them, closed level by level: what explain
    works on. It needs no build, so an explanation is possible exactly when the build failed."""

    def __init__(self, root: Path, reasoner=None):
        from newskg.build import claim_layer, union_graph
        from newskg.build.levels import read_claims, split_by_level
        from newskg.build.sources import load_dataset
        from newskg.namespaces import LEVELS, ONTOLOGY_GRAPH

        project = Project.at(root)
        inputs = discover_inputs(project.root)
        self.files_of = {item.relpath: parse_turtle(item.path, item.relpath)
                         for item in inputs if item.role not in ("shapes", "content")}
        full = load_dataset([item for item in inputs if item.role != "shapes"])
        self.content_files = full.content_files
        claims_graph = claim_layer(full.dataset)
        self.facts = split_by_level(full.content_graphs(), read_claims(claims_graph))
        # The prefixes the source files declare (e.g. a report's art:) work on the command line too.
        self.prefixes = {p: str(ns) for g in self.files_of.values() for p, ns in g.namespaces() if p}
        self.prefixes.update({p: str(ns) for p, ns in full.dataset.namespaces() if p and p not in self.prefixes})
        self.base = union_graph(full.dataset.graph(ONTOLOGY_GRAPH), claims_graph)
        asserted = union_graph(self.base, self.facts.by_level[0])
        closed = asserted
        #: (asserted, closure) at each level, strongest first
        self.closures: list[tuple[Graph, Graph]] = []
        for index in range(len(LEVELS)):
            if index:
                asserted = union_graph(asserted, self.facts.by_level[index])
                closed = union_graph(closed, self.facts.by_level[index])
            closed = (reasoner or OwlrlReasoner()).closure(closed)
            self.closures.append((asserted, closed))

    def level(self, t: Triple) -> str | None:
        """The strongest level at which ``t`` holds ("every level" for the ontology and claim layer)."""
        from newskg.namespaces import LEVELS

        if t in self.base:
            return "every level"
        for index, (_, closure) in enumerate(self.closures):
            if t in closure:
                return LEVELS[index]
        return None

    def files(self, t: Triple) -> list[str]:
        """The files that assert ``t``: Turtle files, and content files with the claim and its status."""
        found = [path for path, graph in self.files_of.items() if t in graph]
        for claim in sorted(self.facts.stated_by.get(t, ())):
            record = self.facts.claims.get(claim)
            status = record.status if record else "no claim"
            found.append(f"{self.content_files.get(claim, '?')} as content of {shorten(str(claim))} ({status})")
        return found

    def explainer(self, index: int) -> Explainer:
        """An explainer over the closure of level ``index``."""
        return Explainer(*self.closures[index], self.files, self.level)


def build_note(root: Path, build_dir: Path) -> str | None:
    """Why the explanation may differ from what queries see: no build, or one older than the
    sources; None when the build is current."""
    manifest = Build(Path(build_dir)).manifest_or_none()
    if manifest is None:
        return f"there is no usable build: explained from the sources ({BUILD_HINT} to query them)"
    if manifest.get("fingerprint") != current_fingerprint(Project.at(root)):
        return ("the build is older than the sources: explained from the sources as they are now "
                "(`newskg build` brings the queries up to date)")
    return None


def explain_from_build(root: Path, build_dir: Path, subject: str, predicate: str, obj: str,
                       reasoner=None) -> Explanation | ClashReport:
    """Explain one triple from the project's sources, with the level of each step.

    The terms are CURIEs or IRIs; the object may be an N3 literal. The closure is computed
    level by level from the source files the build reads. When the build is missing or older
    than the sources (a failed build), the explanation carries a note saying so. The triple is
    explained at the strongest level where it holds, so every premise shown holds at that level
    too; each line says its own level ("every level" for the ontology and the claim and text
    layers) and, for an asserted fact, the file and the claims that state it. Asking why
    ``X rdf:type owl:Nothing`` explains the clashes X is in (see `explain_clashes`).
    """
    note = build_note(root, build_dir)
    model = SourceModel(root, reasoner)
    triple = tuple(parse_term(text, position, model.prefixes) for text, position in
                   ((subject, "subject"), (predicate, "predicate"), (obj, "object")))
    if triple[1] == RDF.type and triple[2] == OWL.Nothing:
        return clash_report(model, note, about=triple[0])
    index = next((i for i, (_, c) in enumerate(model.closures) if triple in c), len(model.closures) - 1)
    return Explanation(triple, model.explainer(index).explain(triple), model.closures[index][1], note)


# --------------------------------------------------------------------------- inconsistencies

_DISJOINT = re.compile(r"^Disjoint classes (\S+) and (\S+) have a common individual (\S+)$")
_NOTHING = re.compile(r"^(\S+) is defined of type 'Nothing'$")


@dataclass
class Clash:
    """One inconsistency: where it first appears, and the derivation of each side of it."""

    level: str
    rule: str
    message: str
    individual: URIRef | None
    #: the clashing facts (x a A; x a B), each down to asserted triples
    sides: list[Derivation]
    #: the axiom that makes the sides clash (A owl:disjointWith B), if one names it
    axiom: Derivation | None


@dataclass
class ClashReport:
    """The answer to `newskg explain --clash`: every inconsistency, each side derived."""

    clashes: list[Clash]
    graph: Graph
    note: str | None = None

    @property
    def holds(self) -> bool:
        """True when there is a clash to explain (the command then exits 0)."""
        return bool(self.clashes)

    def render(self) -> str:
        """Each clash: its rule and level, then the axiom and the derivation of each side."""
        lines = [f"note: {self.note}"] if self.note else []
        if not self.clashes:
            lines.append("no inconsistency: the sources are consistent at every level")
        for clash in self.clashes:
            lines.append(f"{clash.rule} at level {clash.level}: {clash.message}")
            if clash.axiom:
                lines.append("  because " + format_derivation(clash.axiom, self.graph).replace("\n", "\n  "))
            for number, side in enumerate(clash.sides, 1):
                lines.append(f"  side {number}:")
                lines.append("    " + format_derivation(side, self.graph).replace("\n", "\n    "))
        return "\n".join(lines)


def clash_report(model: SourceModel, note: str | None, about=None) -> ClashReport:
    """Every inconsistency of the sources (or those about one individual), at the level where
    it first appears, with the derivation of both sides."""
    from newskg.build.reasoning import ERROR_MESSAGE, ERROR_TEXT
    from newskg.namespaces import LEVELS

    clashes, seen = [], set()
    for index, (_, closure) in enumerate(model.closures):
        explainer = model.explainer(index)
        messages = sorted({str(t) for node in closure.subjects(RDF.type, ERROR_MESSAGE)
                           for t in closure.objects(node, ERROR_TEXT)})
        for message in messages:
            if message in seen:
                continue
            seen.add(message)
            clash = _clash(message, LEVELS[index], closure, explainer)
            if about is None or clash.individual == about:
                clashes.append(clash)
    return ClashReport(clashes, model.closures[-1][1], note)


def _clash(message: str, level: str, closure: Graph, explainer: Explainer) -> Clash:
    shown = re.sub(r"https?://[^\s,()']+", lambda m: shorten(m.group(0)), message)
    disjoint = _DISJOINT.match(message)
    if disjoint:
        a, b, x = (URIRef(v) for v in disjoint.groups())
        sides = [d for d in (explainer.explain((x, RDF.type, a)), explainer.explain((x, RDF.type, b))) if d]
        axiom = next((explainer.explain(t) for t in ((a, OWL.disjointWith, b), (b, OWL.disjointWith, a))
                      if t in closure), None)
        return Clash(level, "cax-dw", shown, x, sides, axiom)
    nothing = _NOTHING.match(message)
    if nothing:
        x = URIRef(nothing.group(1))
        side = explainer.explain((x, RDF.type, OWL.Nothing))
        return Clash(level, "cls-nothing2", shown, x, [side] if side else [], None)
    return Clash(level, "owl-rl", shown, None, [], None)


def explain_clashes(root: Path, build_dir: Path, reasoner=None) -> ClashReport:
    """Every inconsistency of the project's sources, explained (see `clash_report`)."""
    return clash_report(SourceModel(root, reasoner), build_note(root, build_dir))
