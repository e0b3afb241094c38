"""Documentation generated from the ontology: docs/ontology.md, docs/ontology.html, `newskg describe`.

The terms come from ontology/*.ttl (the files the build puts in the ontology graph), so each
term is documented where it is declared; how much each one is used comes from a build: the
instances of a class, the triples of a property, the uses of a value, as a query sees them at
each status level (`--at confirmed|reported|assessed`). Every output is made from the same
`fields` of a term, so the Markdown, the HTML page and `describe` say the same things.

Output is byte-stable (everything sorted, no dates), so a test can tell when the committed
docs are stale.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html import escape

from newskg.errors import UsageError
from newskg.namespaces import LEVELS, PREFIXES, VOCABULARY_NAMESPACES, expand_iri, shorten
from newskg.project import Build, Project

NKG = PREFIXES["nkg"]
RDF, RDFS, OWL, SKOS = (PREFIXES[p] for p in ("rdf", "rdfs", "owl", "skos"))
#: The root of the engagement-type diagram (the CAMEO classes sit below it).
ENGAGEMENT_ROOT = NKG + "Engagement"
#: Generated files, relative to the project root.
MARKDOWN_PATH, HTML_PATH = "docs/ontology.md", "docs/ontology.html"

_KINDS = {OWL + "Class": "class", RDFS + "Class": "class", OWL + "ObjectProperty": "object property",
          OWL + "DatatypeProperty": "datatype property", OWL + "AnnotationProperty": "annotation property",
          RDF + "Property": "property"}
_CHARACTERISTICS = ("Transitive", "Symmetric", "Asymmetric", "Functional", "InverseFunctional", "Reflexive",
                    "Irreflexive")
#: What the usage counts of each kind of term count.
USAGE_NOUN = {"class": "instances", "value": "uses as a value"}
_DEFAULT_USAGE_NOUN = "uses"


@dataclass
class OntologyTerm:
    """One class, property or value (a concept or other individual) of the ontology."""

    iri: str
    kind: str  # class | object/datatype/annotation property | property | value
    module: str = ""  # the file that declares it, e.g. ontology/core.ttl
    labels: list[tuple[str, str]] = field(default_factory=list)  # (text, language)
    definition: str = ""
    notes: list[str] = field(default_factory=list)
    cameo_code: str = ""
    supers: list[str] = field(default_factory=list)  # IRIs, then class expressions as text
    subs: list[str] = field(default_factory=list)
    equivalents: list[str] = field(default_factory=list)
    disjoint: list[str] = field(default_factory=list)
    sufficient: list[str] = field(default_factory=list)  # class expressions that imply this class
    domain: list[str] = field(default_factory=list)
    range: list[str] = field(default_factory=list)
    inverse: list[str] = field(default_factory=list)
    characteristics: list[str] = field(default_factory=list)
    chains: list[str] = field(default_factory=list)
    domain_of: list[str] = field(default_factory=list)
    range_of: list[str] = field(default_factory=list)
    types: list[str] = field(default_factory=list)
    members: list[str] = field(default_factory=list)
    schemes: list[str] = field(default_factory=list)
    broader: list[str] = field(default_factory=list)
    notation: str = ""
    defined_by: str = ""
    usage: dict[str, int] = field(default_factory=dict)  # level -> count

    @property
    def curie(self) -> str:
        return shorten(self.iri)

    @property
    def own(self) -> bool:
        """A term of the nkg: namespace (not a declared term of a reused vocabulary)."""
        return self.iri.startswith(NKG)

    @property
    def label(self) -> str:
        """The English label, else the first one, else the CURIE."""
        for text, lang in self.labels:
            if lang == "en":
                return text
        return self.labels[0][0] if self.labels else self.curie

    @property
    def usage_noun(self) -> str:
        return USAGE_NOUN.get(self.kind, _DEFAULT_USAGE_NOUN)


@dataclass
class Ontology:
    """The ontology's header and terms, and where the usage counts come from."""

    title: str
    description: str
    version: str
    terms: dict[str, OntologyTerm]
    usage_from: str = ""  # which build the counts come from ("" when there was none)

    def sorted_terms(self, kinds: tuple[str, ...], own: bool | None = None) -> list[OntologyTerm]:
        """Terms of these kinds, own (nkg:) or reused or both, by module then CURIE."""
        found = [t for t in self.terms.values() if t.kind in kinds and (own is None or t.own == own)]
        return sorted(found, key=lambda t: (t.module, t.curie.lower()))

    def find(self, text: str) -> OntologyTerm:
        """The term a CURIE, IRI, nkg: name or English label means; UsageError suggesting close ones."""
        try:
            iri = expand_iri(text if ":" in text else f"nkg:{text}")
        except ValueError as err:
            raise UsageError(str(err)) from None
        if iri in self.terms:
            return self.terms[iri]
        labelled = [t for t in self.terms.values() if t.label.lower() == text.strip().lower()]
        if len(labelled) == 1:
            return labelled[0]
        import difflib

        # Match CURIEs and labels alike, case-insensitively: "nkg:intelagency", "foreign ministy".
        keys: dict[str, str] = {}
        for term in sorted(self.terms.values(), key=lambda t: t.curie):
            keys.setdefault(term.curie.lower(), term.curie)
            keys.setdefault(term.label.lower(), term.curie)
        close: list[str] = []
        for typed in (shorten(iri).lower(), text.lower()):
            for key in difflib.get_close_matches(typed, list(keys), n=8, cutoff=0.6):
                if keys[key] not in close:
                    close.append(keys[key])
        hint = f"; did you mean {', '.join(close[:5])}?" if close else "; docs/ontology.md lists every term"
        raise UsageError(f"{text} is not a term of the ontology{hint}")


# --- reading ----------------------------------------------------------------------------------------


def read_ontology(project: Project, build: Build | None = None) -> Ontology:
    """The terms of ontology/*.ttl, with usage counts from ``build`` when given."""
    from rdflib import URIRef

    graph, modules = _read_modules(project)
    terms: dict[str, OntologyTerm] = {}
    for subject in sorted(set(graph.subjects(URIRef(RDF + "type"), None)), key=str):
        types = {str(o) for o in graph.objects(subject, URIRef(RDF + "type"))}
        if isinstance(subject, URIRef) and not str(subject).startswith(VOCABULARY_NAMESPACES) \
                and OWL + "Ontology" not in types:
            terms[str(subject)] = _read_term(graph, subject, types, modules.get(str(subject), ""))
    _link(terms)
    header = URIRef(NKG[:-1])  # the ontology IRI is the namespace without its '#'
    ontology = Ontology(_first(graph, header, PREFIXES["dct"] + "title") or _first(graph, header, RDFS + "label"),
                        _first(graph, header, PREFIXES["dct"] + "description"),
                        _first(graph, header, OWL + "versionInfo"), terms)
    if build is not None:
        _add_usage(ontology, build)
    return ontology


def _read_modules(project: Project):
    """The ontology graph (every module the build reads into it), and which module declares each term:
    the file typing it as a class or property, else the first file typing it at all."""
    from rdflib import Graph, URIRef

    from newskg.build.sources import discover_inputs, parse_turtle

    graph = Graph()
    declared: dict[str, str] = {}
    typed: dict[str, str] = {}
    for item in discover_inputs(project.root):
        if item.role == "ontology":
            part = parse_turtle(item.path, item.relpath)
            for subject, kind in part.subject_objects(URIRef(RDF + "type")):
                (declared if str(kind) in _KINDS else typed).setdefault(str(subject), item.relpath)
            graph += part
    return graph, {**typed, **declared}


def _read_term(graph, subject, types: set[str], module: str) -> OntologyTerm:
    """One term's fields, as the ontology graph states them (links between terms: `_link`)."""
    from rdflib import BNode, URIRef

    def objects(predicate: str) -> list:
        return list(graph.objects(subject, URIRef(predicate)))

    def iris(*predicates: str) -> list[str]:
        return sorted(str(o) for p in predicates for o in objects(p) if isinstance(o, URIRef))

    def both_ways(predicate: str) -> list[str]:  # symmetric axioms, stated on either side
        return sorted(set(iris(predicate)) | {str(s) for s in graph.subjects(URIRef(predicate), subject)
                                              if isinstance(s, URIRef)})

    kind = next((_KINDS[t] for t in _KINDS if t in types), "value")
    sup = RDFS + "subClassOf" if kind == "class" else RDFS + "subPropertyOf"
    term = OntologyTerm(str(subject), kind, module)
    term.labels = sorted((str(o), o.language or "") for o in objects(RDFS + "label"))
    term.labels.sort(key=lambda pair: pair[1] != "en")  # English first, the rest stable
    term.definition = " ".join(str(o) for o in objects(SKOS + "definition"))
    term.notes = sorted(str(o) for o in objects(RDFS + "comment") + objects(SKOS + "scopeNote"))
    term.cameo_code = " ".join(str(o) for o in objects(NKG + "cameoCode"))
    term.supers = iris(sup) + sorted(class_expression(graph, o) for o in objects(sup) if isinstance(o, BNode))
    term.subs = sorted(str(s) for s in graph.subjects(URIRef(sup), subject) if isinstance(s, URIRef))
    # A general class axiom (an anonymous class below this one) says when something is a member.
    term.sufficient = sorted(class_expression(graph, s) for s in graph.subjects(URIRef(sup), subject)
                             if isinstance(s, BNode))
    term.equivalents = iris(OWL + "equivalentClass", OWL + "equivalentProperty")
    term.disjoint, term.inverse = both_ways(OWL + "disjointWith"), both_ways(OWL + "inverseOf")
    term.domain, term.range = iris(RDFS + "domain"), iris(RDFS + "range")
    term.characteristics = [c for c in _CHARACTERISTICS if f"{OWL}{c}Property" in types]
    term.chains = sorted(" ∘ ".join(shorten(str(i)) for i in _rdf_list(graph, o))
                         for o in objects(OWL + "propertyChainAxiom"))
    if kind == "value":
        # owl:NamedIndividual only says "an individual", which the kind already says.
        term.types = sorted(t for t in types if t != OWL + "NamedIndividual")
    term.schemes, term.broader = iris(SKOS + "inScheme"), iris(SKOS + "broader")
    term.notation = " ".join(str(o) for o in objects(SKOS + "notation"))
    term.defined_by = " ".join(iris(RDFS + "isDefinedBy"))
    return term


def _link(terms: dict[str, OntologyTerm]) -> None:
    """Fill in what other terms say about each: domain of, range of, the members of a class."""
    for term in terms.values():
        for iri in term.domain:
            if iri in terms:
                terms[iri].domain_of.append(term.iri)
        for iri in term.range:
            if iri in terms:
                terms[iri].range_of.append(term.iri)
        for iri in term.types:
            if iri in terms and terms[iri].kind == "class" and terms[iri].own:
                terms[iri].members.append(term.iri)


def _first(graph, subject, predicate: str) -> str:
    from rdflib import URIRef

    values = sorted(str(o) for o in graph.objects(subject, URIRef(predicate)))
    return values[0] if values else ""


def _rdf_list(graph, node) -> list:
    from rdflib.collection import Collection

    return list(Collection(graph, node))


def class_expression(graph, node) -> str:
    """An anonymous OWL class expression in Manchester-like syntax (``P some C``, ``A and B``)."""
    from rdflib import BNode, Literal, URIRef

    def get(predicate: str):
        return graph.value(node, URIRef(predicate))

    def part(item) -> str:
        text = class_expression(graph, item)
        return f"({text})" if isinstance(item, BNode) and " " in text else text

    if not isinstance(node, BNode):
        return shorten(str(node))
    for predicate, word in ((OWL + "intersectionOf", " and "), (OWL + "unionOf", " or ")):
        if (members := get(predicate)) is not None:
            return word.join(part(m) for m in _rdf_list(graph, members))
    if (complement := get(OWL + "complementOf")) is not None:
        return f"not {part(complement)}"
    if (members := get(OWL + "oneOf")) is not None:
        return "{" + ", ".join(shorten(str(m)) for m in _rdf_list(graph, members)) + "}"
    prop = get(OWL + "onProperty")
    if prop is not None:
        for predicate, word in (("someValuesFrom", "some"), ("allValuesFrom", "only"), ("hasValue", "value"),
                                ("minCardinality", "min"), ("maxCardinality", "max"),
                                ("cardinality", "exactly"), ("maxQualifiedCardinality", "max")):
            if (value := get(OWL + predicate)) is not None:
                return f"{shorten(str(prop))} {word} {value if isinstance(value, Literal) else part(value)}"
    return "an anonymous class"


def _add_usage(ontology: Ontology, build: Build) -> None:
    """Count, at each level, the instances of each class and the uses of each property and value."""
    from newskg.namespaces import sparql_prologue

    store = build.open_store()
    manifest = build.manifest()
    queries = {
        "class": "SELECT ?t (COUNT(DISTINCT ?x) AS ?n) WHERE { ?x a ?t } GROUP BY ?t",
        "property": "SELECT ?t (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?t ?o WHERE { ?s ?t ?o } } GROUP BY ?t",
        "value": "SELECT ?t (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?t WHERE { ?s ?p ?t } } GROUP BY ?t",
    }
    import pyoxigraph

    for level in LEVELS:
        graphs = [pyoxigraph.NamedNode(iri) for iri in build.default_graphs(level)]
        counts = {}
        for kind, query in queries.items():
            rows = store.query(sparql_prologue() + query, default_graph=graphs)
            counts[kind] = {row["t"].value: int(row["n"].value) for row in rows}
        for term in ontology.terms.values():
            key = "class" if term.kind == "class" else "value" if term.kind == "value" else "property"
            term.usage[level] = counts[key].get(term.iri, 0)
    ontology.usage_from = f"the build of {manifest.get('built_at', 'an unknown date')}"


# --- one term's fields, for every output ------------------------------------------------------------


def fields(term: OntologyTerm) -> list[tuple[str, list[str]]]:
    """(name, values) pairs describing a term; a value that is an IRI is a link to a term."""
    rows: list[tuple[str, list[str]]] = [("IRI", [term.iri])]
    other_labels = [f"{text} ({lang or 'no language'})" for text, lang in term.labels if text != term.label]
    for name, values in (
        ("label", [term.label] if term.labels else []),
        ("other labels", other_labels),
        ("definition", [term.definition] if term.definition else []),
        ("notes", term.notes),
        ("CAMEO code", [term.cameo_code] if term.cameo_code else []),
        ("notation", [term.notation] if term.notation else []),
        ("type", term.types),
        ("in scheme", term.schemes),
        ("broader", term.broader),
        ("subclass of" if term.kind == "class" else "subproperty of", term.supers),
        ("subclasses" if term.kind == "class" else "subproperties", term.subs),
        ("also a member when", term.sufficient),
        ("equivalent to", term.equivalents),
        ("disjoint with", term.disjoint),
        ("domain", term.domain),
        ("range", term.range),
        ("inverse of", term.inverse),
        ("characteristics", term.characteristics),
        ("property chain", term.chains),
        ("domain of", sorted(term.domain_of)),
        ("range of", sorted(term.range_of)),
        ("members", sorted(term.members)),
        ("defined by", [term.defined_by] if term.defined_by else []),
    ):
        if values:
            rows.append((name, values))
    if term.usage:
        rows.append((term.usage_noun, [", ".join(f"{level} {term.usage[level]}" for level in LEVELS)]))
    return rows


def _is_link(value: str) -> bool:
    return bool(re.match(r"^[a-z][a-z0-9+.-]*://\S+$", value))


def _short(iri: str) -> str:
    """A CURIE where a project prefix fits, else the IRI itself (no angle brackets)."""
    short = shorten(iri)
    return iri if short.startswith("<") else short


def describe_text(term: OntologyTerm, ontology: Ontology) -> str:
    """One term as plain text (what `newskg describe` prints)."""
    where = f", {term.module}" if term.module else ""
    lines = [f"{term.curie}  ({term.kind}{where})"]
    rows = fields(term)
    width = max(len(name) for name, _ in rows)
    for name, values in rows:
        shown = [_short(v) if _is_link(v) and name != "IRI" else v for v in values]
        lines.append(f"  {name + ':':<{width + 1}} {', '.join(shown)}")
    if term.usage:
        lines.append(f"  ({term.usage_noun} at each level: what a query --at that level sees, "
                     f"in {ontology.usage_from})")
    else:
        lines.append("  (no build: run `newskg build` to see how much it is used)")
    return "\n".join(lines) + "\n"


# --- Markdown -----------------------------------------------------------------------------------------


def _anchor(term: OntologyTerm) -> str:
    """The anchor GitHub gives the term's heading (``### nkg:Actor`` -> ``nkgactor``)."""
    return re.sub(r"[^a-z0-9 _-]", "", term.curie.lower()).replace(" ", "-")


def _md_value(value: str, ontology: Ontology, name: str) -> str:
    if name != "IRI" and value in ontology.terms:
        return f"[{shorten(value)}](#{_anchor(ontology.terms[value])})"
    if _is_link(value):
        return f"`{_short(value) if name != 'IRI' else value}`"
    return value.replace("<", "&lt;")  # GitHub would take <...> for HTML


def _mermaid_name(iri: str) -> str:
    return re.sub(r"\W", "_", iri[len(NKG):] if iri.startswith(NKG) else shorten(iri))


def mermaid_classes(ontology: Ontology, module: str) -> str:
    """A Mermaid class diagram of one module's nkg: classes: subclass edges, and object
    properties declared there whose domain and range are nkg: classes."""
    classes = [t for t in ontology.sorted_terms(("class",), own=True) if t.module == module]
    props = [t for t in ontology.sorted_terms(("object property",), own=True) if t.module == module]
    if not classes and not props:
        return ""
    lines = ["```mermaid", "classDiagram"]
    lines += [f"  class {_mermaid_name(t.iri)}" for t in classes]
    for term in classes:
        lines += [f"  {_mermaid_name(s)} <|-- {_mermaid_name(term.iri)}" for s in term.supers
                  if s.startswith(NKG) and s in ontology.terms]
    for prop in props:
        for d in prop.domain:
            for r in prop.range:
                if d.startswith(NKG) and r.startswith(NKG) and ontology.terms.get(d, prop).kind == "class" \
                        and ontology.terms.get(r, prop).kind == "class":
                    lines.append(f"  {_mermaid_name(d)} --> {_mermaid_name(r)} : {_mermaid_name(prop.iri)}")
    return "\n".join([*lines, "```"]) + "\n"


def engagement_tree(ontology: Ontology) -> list[tuple[int, OntologyTerm]]:
    """(depth, class) below the engagement root, depth first, by CAMEO code then name."""
    out: list[tuple[int, OntologyTerm]] = []

    def walk(iri: str, depth: int) -> None:
        term = ontology.terms[iri]
        out.append((depth, term))
        children = [ontology.terms[s] for s in term.subs if s in ontology.terms]
        for child in sorted(children, key=lambda t: (t.cameo_code or "~", t.curie)):
            walk(child.iri, depth + 1)

    if ENGAGEMENT_ROOT in ontology.terms:
        walk(ENGAGEMENT_ROOT, 0)
    return out


def mermaid_engagement_types(ontology: Ontology) -> str:
    """A Mermaid flowchart of the engagement classes, each with its CAMEO code."""
    tree = engagement_tree(ontology)
    if not tree:
        return ""
    lines = ["```mermaid", "flowchart LR"]
    for _, term in tree:
        code = f"<br/>CAMEO {term.cameo_code}" if term.cameo_code else ""
        lines.append(f'  {_mermaid_name(term.iri)}["{term.curie}{code}"]')
    for _, term in tree:
        lines += [f"  {_mermaid_name(term.iri)} --> {_mermaid_name(s)}" for s in term.subs if s in ontology.terms]
    return "\n".join([*lines, "```"]) + "\n"


def _modules(ontology: Ontology) -> list[str]:
    return sorted({t.module for t in ontology.terms.values() if t.own and t.module})


REUSED = " reused from other vocabularies"
_SECTIONS = (("Classes", ("class",)),
             ("Properties", ("object property", "datatype property", "annotation property", "property")),
             ("Values", ("value",)))


def term_sections(ontology: Ontology) -> list[tuple[str, str, list[OntologyTerm]]]:
    """(heading, anchor, terms) of each non-empty section: own terms, then reused ones, by kind."""
    sections = []
    for title, kinds in _SECTIONS:
        for own in (True, False):
            terms = ontology.sorted_terms(kinds, own=own)
            if terms:
                heading = title + ("" if own else REUSED)
                sections.append((heading, heading.lower().replace(" ", "-"), terms))
    return sections


def ontology_markdown(ontology: Ontology) -> str:
    """docs/ontology.md: header, diagrams, then every term grouped by kind and module."""
    out = [f"# {ontology.title or 'Ontology'}", "",
           "<!-- Generated by `newskg docs` from ontology/*.ttl and a build; do not edit by hand. -->", ""]
    if ontology.description:
        out += [" ".join(ontology.description.split()), ""]
    out += [f"Version {ontology.version}. Namespace `nkg:` = `{NKG}`.", "",
            _usage_sentence(ontology, markdown=True), ""]
    sections = [("Diagrams", "diagrams")] + [(heading, anchor) for heading, anchor, _ in term_sections(ontology)]
    out += ["Contents: " + " · ".join(f"[{heading}](#{anchor})" for heading, anchor in sections), "",
            "## Diagrams", ""]
    for module in _modules(ontology):
        diagram = mermaid_classes(ontology, module)
        if diagram:
            out += [f"### Classes of {module}", "", diagram]
    engagement = mermaid_engagement_types(ontology)
    if engagement:
        out += ["### Engagement types (CAMEO)", "", engagement]
    for heading, _, terms in term_sections(ontology):
        out += [f"## {heading}", ""]
        for term in terms:
            out += [f"### {term.curie}", "", f"*{term.kind}*" + (f" in `{term.module}`" if term.module else ""), ""]
            out += [f"- **{name}**: " + ", ".join(_md_value(v, ontology, name) for v in values)
                    for name, values in fields(term)]
            out.append("")
    return "\n".join(out).rstrip() + "\n"


def _usage_sentence(ontology: Ontology, markdown: bool) -> str:
    if not ontology.usage_from:
        return "No build was given: no usage counts."
    code = "`" if markdown else ""
    return (f"Instances and uses are counted in a build of this project's reports as a query sees them at "
            f"each status level ({code}--at confirmed|reported|assessed{code}, see docs/status-levels.md): "
            "asserted and inferred, the ontology included.")


# --- HTML ----------------------------------------------------------------------------------------------


_CSS = """body{font:16px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#1a1a1a}
h1,h2,h3{line-height:1.2}h3{margin-top:2rem;font-family:ui-monospace,monospace}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem}dt{font-weight:600}dd{margin:0}
code{font-family:ui-monospace,monospace;font-size:.9em}ul.tree{list-style:none;padding-left:1.2rem}
.kind{color:#555;font-style:italic}nav ul{columns:2}a{color:#0645ad}"""


def _html_value(value: str, ontology: Ontology, name: str) -> str:
    if name != "IRI" and value in ontology.terms:
        return f'<a href="#{escape(_anchor(ontology.terms[value]))}">{escape(shorten(value))}</a>'
    if _is_link(value):
        return f"<code>{escape(value if name == 'IRI' else _short(value))}</code>"
    return escape(value)


def _html_tree(ontology: Ontology, roots: list[str], seen: set[str]) -> str:
    items = []
    for iri in roots:
        term = ontology.terms[iri]
        code = f" (CAMEO {escape(term.cameo_code)})" if term.cameo_code else ""
        children = [s for s in sorted(term.subs) if s in ontology.terms and s not in seen]
        seen.update(children)
        inner = _html_tree(ontology, children, seen) if children else ""
        items.append(f'<li><a href="#{escape(_anchor(term))}">{escape(term.curie)}</a> — '
                     f"{escape(term.label)}{code}{inner}</li>")
    return '<ul class="tree">' + "".join(items) + "</ul>"


def ontology_html(ontology: Ontology) -> str:
    """docs/ontology.html: the same content as the Markdown in one page with no outside resource;
    the diagrams become nested lists (Mermaid would need a script)."""
    classes = ontology.sorted_terms(("class",), own=True)
    roots = [t.iri for t in classes if not any(s in ontology.terms and ontology.terms[s].own for s in t.supers)]
    sections = term_sections(ontology)
    contents = [("hierarchy", "Class hierarchy")] + (
        [("engagement-types", "Engagement types (CAMEO)")] if ENGAGEMENT_ROOT in ontology.terms else []) + [
        (anchor, heading) for heading, anchor, _ in sections]
    body = [f"<h1>{escape(ontology.title or 'Ontology')}</h1>",
            f"<p>{escape(' '.join(ontology.description.split()))}</p>",
            f"<p>Version {escape(ontology.version)}. Namespace <code>nkg:</code> = <code>{escape(NKG)}</code>.</p>",
            f"<p>{escape(_usage_sentence(ontology, markdown=False))}</p>",
            "<nav><ul>" + "".join(f'<li><a href="#{a}">{escape(h)}</a></li>' for a, h in contents) + "</ul></nav>",
            '<h2 id="hierarchy">Class hierarchy</h2>', _html_tree(ontology, sorted(roots), set(roots))]
    if ENGAGEMENT_ROOT in ontology.terms:
        body += ['<h2 id="engagement-types">Engagement types (CAMEO)</h2>',
                 _html_tree(ontology, [ENGAGEMENT_ROOT], {ENGAGEMENT_ROOT})]
    for heading, anchor, terms in sections:
        body.append(f'<h2 id="{escape(anchor)}">{escape(heading)}</h2>')
        for term in terms:
            module = f" in <code>{escape(term.module)}</code>" if term.module else ""
            rows = "".join(f"<dt>{escape(name)}</dt><dd>"
                           + ", ".join(_html_value(v, ontology, name) for v in values) + "</dd>"
                           for name, values in fields(term))
            body.append(f'<section id="{escape(_anchor(term))}"><h3>{escape(term.curie)}</h3>'
                        f'<p class="kind">{escape(term.kind)}{module}</p><dl>{rows}</dl></section>')
    title = escape(ontology.title or "Ontology")
    return ("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            f"<title>{title}</title>\n<style>\n{_CSS}\n</style>\n</head>\n<body>\n"
            "<!-- Generated by `newskg docs` from ontology/*.ttl and a build; do not edit by hand. -->\n"
            + "\n".join(body) + "\n</body>\n</html>\n")


def generate_docs(project: Project, build: Build) -> dict[str, str]:
    """The generated documentation files: {path relative to the project: text}."""
    ontology = read_ontology(project, build)
    return {MARKDOWN_PATH: ontology_markdown(ontology), HTML_PATH: ontology_html(ontology)}


@dataclass
class Description:
    """One term as `newskg describe` shows it, and where its usage counts come from."""

    term: OntologyTerm
    ontology: Ontology

    def render(self) -> str:
        return describe_text(self.term, self.ontology)
