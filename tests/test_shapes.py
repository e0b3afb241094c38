"""The SPARQL-compiled SHACL validator (newskg.build.shapes) gives exactly pyshacl's Problems.

Differential tests: the same data and shapes through both engines of
`newskg.build.checks.validate_shapes`, compared Problem for Problem (focus, message, severity,
and how many). On the real project as the build validates it (asserted + inferred), which
conforms; on copies of it mutated to break each constraint of each shape of ontology/shapes.ttl
(every mutation must produce the Problem it aims at, so none can pass by finding nothing); and
on small shapes graphs for the SHACL features the compiler handles that shapes.ttl does not use.
A shape using a feature the compiler does not handle is refused, naming shape and feature.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from pathlib import Path

import pytest
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, RDF

from newskg.build import claim_layer, run_pipeline
from newskg.build.checks import validate_shapes
from newskg.build.shapes import check_supported, validate_shapes_sparql
from newskg.build.sources import discover_inputs, discover_reports
from newskg.errors import UnsupportedShapeError
from newskg.namespaces import ONTOLOGY_GRAPH, sparql_prologue
from newskg.project import Project

ROOT = Path(__file__).resolve().parent.parent
NKG = Namespace("https://w3id.org/newskg/ontology#")
NKR = Namespace("https://w3id.org/newskg/resource/")
ART = Namespace("https://w3id.org/newskg/resource/pakistan-bangladesh-links-2025/")
OA = Namespace("http://www.w3.org/ns/oa#")
PREFIXES = sparql_prologue().replace("PREFIX ", "@prefix ").replace(">\n", "> .\n")


@pytest.fixture(scope="module")
def project_data() -> tuple[Graph, Graph]:
    """The union of the graphs the build validates (asserted + inferred) and the shapes."""
    project = Project.at(ROOT)
    result = run_pipeline(project, discover_inputs(project.root), discover_reports(project.root), strict=False)
    assert result.sources is not None and result.facts is not None and result.inference is not None
    dataset = result.sources.dataset
    data = Graph()
    for graph in [dataset.graph(ONTOLOGY_GRAPH), claim_layer(dataset), *result.facts.by_level,
                  *result.sources.content_graphs(), *result.inference.inferred]:
        for triple in graph:
            data.add(triple)
    return data, result.sources.shapes


def both(data: Graph, shapes: Graph) -> list:
    """The Problems of the SPARQL validator, after checking they are pyshacl's."""
    sparql = validate_shapes(data, shapes, shacl="sparql")
    reference = validate_shapes(data, shapes, shacl="pyshacl")
    assert sparql == reference
    return sparql


def test_the_real_project_conforms_in_both(project_data):
    data, shapes = project_data
    assert both(data, shapes) == []


# ---------------------------------------------------------------- mutations of the real project

CLAIM = ART["claim-headline"]          # a report claim with every optional property
ANCHOR = ART["claim-headline-a1"]
QUOTE = ART["claim-headline-a1-quote"]
POSITION = ART["claim-headline-a1-position"]
# A plain Namespace, not rdflib's XSD: pytest probes module globals, and rdflib's XSD warns on any
# name it does not define.
XSD = Namespace("http://www.w3.org/2001/XMLSchema#")
NNI = XSD.nonNegativeInteger


def _background_claim(g: Graph) -> URIRef:
    return sorted(s for s in g.subjects(NKG.hasStatus, NKG.Background) if isinstance(s, URIRef))[0]


def _engagement(g: Graph) -> URIRef:
    """An engagement of the report typed with a CAMEO class, with two or more participants."""
    rows = g.query(PREFIXES.replace("@prefix", "PREFIX").replace("> .\n", ">\n") + """
        SELECT ?e WHERE { ?e a nkg:Engagement ; a ?c . ?c nkg:cameoCode ?code . FILTER(isIRI(?e)) }
        ORDER BY ?e LIMIT 1""")
    return next(URIRef(str(row[0])) for row in rows)  # type: ignore[index]


def _drop(g: Graph, s, p) -> None:
    g.remove((s, p, None))


def _ill_typed_boolean(word: str) -> Literal:
    # rdflib warns when it cannot map the lexical form; that form is the point of the mutation.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        return Literal(word, datatype=XSD.boolean)


def _set(g: Graph, s, p, o) -> None:
    g.set((s, p, o))


def _new_quote_selector(g: Graph) -> None:
    extra = ART["claim-headline-a1-quote2"]
    g.add((ANCHOR, OA.hasSelector, extra))
    g.add((extra, RDF.type, OA.TextQuoteSelector))
    g.add((extra, OA.exact, Literal("Pakistan")))


def _untyped_engagement(g: Graph) -> None:
    node = ART["bare-engagement"]
    g.add((node, RDF.type, NKG.Engagement))
    g.add((node, NKG.hasParticipant, NKR.Pakistan))
    g.add((node, NKG.hasParticipant, NKR.Bangladesh))


def _one_participant(g: Graph) -> None:
    engagement = _engagement(g)
    for p in (NKG.hasParticipant, NKG.hasSourceActor, NKG.hasTargetActor):
        _drop(g, engagement, p)
    g.add((engagement, NKG.hasSourceActor, NKR.Pakistan))


def _participants_by_sub_properties(g: Graph) -> None:
    """Two participants only through the sub-properties: alternativePath counts them (conforms) ..."""
    engagement = _engagement(g)
    for p in (NKG.hasParticipant, NKG.hasSourceActor, NKG.hasTargetActor):
        _drop(g, engagement, p)
    g.add((engagement, NKG.hasSourceActor, NKR.Pakistan))
    g.add((engagement, NKG.hasTargetActor, NKR.Bangladesh))
    g.add((ART["bare-engagement"], RDF.type, NKG.Engagement))  # ... and an untyped one does not


def _background_without_anchor_or_source(g: Graph) -> None:
    claim = _background_claim(g)
    _drop(g, claim, DCTERMS.source)


def _report_claim_turned_background(g: Graph) -> None:
    """The or branch "status is Background" met: no anchor needed, but now a dct:source is."""
    _set(g, CLAIM, NKG.hasStatus, NKG.Background)
    _drop(g, CLAIM, NKG.hasAnchor)


MUTATIONS: dict[str, tuple[Callable[[Graph], object], str]] = {
    # ClaimShape: counts and the scheme of each value (sh:node)
    "no status": (lambda g: _drop(g, CLAIM, NKG.hasStatus), "exactly one nkg:hasStatus"),
    "two statuses": (lambda g: g.add((CLAIM, NKG.hasStatus, NKG.Reported)), "exactly one nkg:hasStatus"),
    "status from another scheme": (lambda g: _set(g, CLAIM, NKG.hasStatus, NKG.Certain), "exactly one nkg:hasStatus"),
    "no source kind": (lambda g: _drop(g, CLAIM, NKG.hasSourceKind), "exactly one nkg:hasSourceKind"),
    "two source kinds": (lambda g: g.add((CLAIM, NKG.hasSourceKind, NKG.UnnamedSources)),
                         "exactly one nkg:hasSourceKind"),
    "source kind from another scheme": (lambda g: _set(g, CLAIM, NKG.hasSourceKind, NKG.Confirmed),
                                        "exactly one nkg:hasSourceKind"),
    "two certainties": (lambda g: g.add((CLAIM, NKG.hasCertainty, NKG.Possible)), "at most one nkg:hasCertainty"),
    "certainty from another scheme": (lambda g: _set(g, CLAIM, NKG.hasCertainty, NKG.Positive),
                                      "at most one nkg:hasCertainty"),
    "two polarities": (lambda g: g.add((CLAIM, NKG.hasPolarity, NKG.Negative)), "at most one nkg:hasPolarity"),
    "polarity from another scheme": (lambda g: _set(g, CLAIM, NKG.hasPolarity, NKG.Certain),
                                     "at most one nkg:hasPolarity"),
    "two temporalities": (lambda g: g.add((CLAIM, NKG.hasTemporality, NKG.Future)),
                          "at most one nkg:hasTemporality"),
    "temporality from another scheme": (lambda g: _set(g, CLAIM, NKG.hasTemporality, NKG.Reported),
                                        "at most one nkg:hasTemporality"),
    "claim time a string": (lambda g: _set(g, CLAIM, NKG.claimTime, Literal("2025-12-28")),
                            "at most one nkg:claimTime"),
    "claim time an impossible date": (lambda g: _set(g, CLAIM, NKG.claimTime,
                                                     Literal("2025-02-30", datatype=XSD.date)),
                                      "at most one nkg:claimTime"),
    "two claim times": (lambda g: g.add((CLAIM, NKG.claimTime, Literal("2025-12-27", datatype=XSD.date))),
                        "at most one nkg:claimTime"),
    "generic a plain string": (lambda g: g.add((CLAIM, NKG.isGeneric, Literal("true"))), "nkg:isGeneric"),
    "generic not a boolean word": (lambda g: g.add((CLAIM, NKG.isGeneric, _ill_typed_boolean("yes"))),
                                   "nkg:isGeneric"),
    "two generic flags": (lambda g: (g.add((CLAIM, NKG.isGeneric, Literal("1", datatype=XSD.boolean))),
                                     g.add((CLAIM, NKG.isGeneric, Literal("false", datatype=XSD.boolean)))),
                          "nkg:isGeneric"),
    # ReportClaim*Shape: sh:or with no branch met
    "report claim without anchor": (lambda g: _drop(g, CLAIM, NKG.hasAnchor), "needs at least one nkg:hasAnchor"),
    "report claim without denotes": (lambda g: _drop(g, CLAIM, NKG.denotes), "needs at least one nkg:denotes"),
    "report claim without attribution": (lambda g: _drop(g, CLAIM, NKG.attributedTo),
                                         "needs at least one nkg:attributedTo"),
    "report claim without its report": (lambda g: _drop(g, CLAIM, NKG.reportedIn), "needs nkg:reportedIn"),
    # BackgroundClaimShape: sh:or over sh:not
    "background claim without source": (_background_without_anchor_or_source, "needs a dct:source"),
    "report claim turned background": (_report_claim_turned_background, "needs a dct:source"),
    # TextAnchorShape: counts and qualified counts; a literal reached by sh:targetObjectsOf
    "anchor without source": (lambda g: _drop(g, ANCHOR, OA.hasSource), "exactly one oa:hasSource"),
    "anchor with two sources": (lambda g: g.add((ANCHOR, OA.hasSource, ART["other-article"])),
                                "exactly one oa:hasSource"),
    "anchor without quote selector": (lambda g: g.remove((ANCHOR, OA.hasSelector, QUOTE)),
                                      "that is an oa:TextQuoteSelector"),
    "anchor with two quote selectors": (_new_quote_selector, "that is an oa:TextQuoteSelector"),
    "anchor whose position selector is untyped": (lambda g: g.remove((POSITION, RDF.type, OA.TextPositionSelector)),
                                                  "that is an oa:TextPositionSelector"),
    "anchor given as a literal": (lambda g: g.add((CLAIM, NKG.hasAnchor, Literal("see the text"))),
                                  "exactly one oa:hasSource"),
    # TextQuoteSelectorShape
    "quote without exact": (lambda g: _drop(g, QUOTE, OA.exact), "non-empty oa:exact"),
    "quote with empty exact": (lambda g: _set(g, QUOTE, OA.exact, Literal("")), "non-empty oa:exact"),
    "quote with two exacts": (lambda g: g.add((QUOTE, OA.exact, Literal("Pakistan"))), "non-empty oa:exact"),
    "quote with two prefixes": (lambda g: (g.add((QUOTE, OA.prefix, Literal("a"))),
                                           g.add((QUOTE, OA.prefix, Literal("b")))), "at most one oa:prefix"),
    "quote with two suffixes": (lambda g: g.add((QUOTE, OA.suffix, Literal("z"))), "at most one oa:suffix"),
    # TextPositionSelectorShape: datatype, counts, lessThan
    "start after end": (lambda g: _set(g, POSITION, OA.start, Literal("71", datatype=NNI)), "below oa:end"),
    "start equal to end": (lambda g: _set(g, POSITION, OA.start, Literal("70", datatype=NNI)), "below oa:end"),
    "start above end only by its digits": (lambda g: _set(g, POSITION, OA.start, Literal("0100", datatype=NNI)),
                                           "below oa:end"),
    "start an xsd:integer": (lambda g: _set(g, POSITION, OA.start, Literal("0", datatype=XSD.integer)),
                             "below oa:end"),
    "start negative": (lambda g: _set(g, POSITION, OA.start, Literal("-1", datatype=NNI)), "below oa:end"),
    "start a string": (lambda g: _set(g, POSITION, OA.start, Literal("0")), "below oa:end"),
    "start an IRI": (lambda g: _set(g, POSITION, OA.start, ART["zero"]), "below oa:end"),
    "no start": (lambda g: _drop(g, POSITION, OA.start), "below oa:end"),
    "no end": (lambda g: _drop(g, POSITION, OA.end), "(exclusive)"),
    "two ends": (lambda g: g.add((POSITION, OA.end, Literal("5", datatype=NNI))), "(exclusive)"),
    "end a decimal": (lambda g: _set(g, POSITION, OA.end, Literal("70.0", datatype=XSD.decimal)), "(exclusive)"),
    # EngagementShape: alternativePath count and the SPARQL-based constraint
    "engagement with one participant": (_one_participant, "at least two nkg:hasParticipant"),
    "engagement typed only nkg:Engagement": (_untyped_engagement, "must be typed with a CAMEO engagement class"),
    "participants by sub-properties": (_participants_by_sub_properties, "must be typed with a CAMEO"),
}


@pytest.mark.parametrize("name", sorted(MUTATIONS))
def test_a_mutation_gives_pyshacls_problems(project_data, name):
    data, shapes = project_data
    mutate, expected = MUTATIONS[name]
    mutated = Graph()
    for triple in data:
        mutated.add(triple)
    mutate(mutated)
    problems = both(mutated, shapes)
    assert any(expected in p.message for p in problems), problems


def test_a_value_failing_sh_node_is_one_problem_on_the_focus_node(project_data):
    """Not also one on the value: pyshacl nests that result under the claim's (sh:detail), and
    validate_shapes reads only the report's sh:result list."""
    data, shapes = project_data
    mutated = Graph()
    for triple in data:
        mutated.add(triple)
    MUTATIONS["status from another scheme"][0](mutated)
    problems = both(mutated, shapes)
    assert [(p.focus, p.severity) for p in problems] == [("nkr:pakistan-bangladesh-links-2025/claim-headline",
                                                          "error")]


def test_all_mutations_at_once_give_pyshacls_problems(project_data):
    """Each mutation on its own copy of the report's nodes would be slow; together, on one copy,
    results of different shapes share focus nodes and must still match one for one."""
    data, shapes = project_data
    mutated = Graph()
    for triple in data:
        mutated.add(triple)
    for name in ("two statuses", "claim time a string", "anchor with two quote selectors", "start after end",
                 "quote with two exacts", "engagement typed only nkg:Engagement", "background claim without source"):
        MUTATIONS[name][0](mutated)
    assert len(both(mutated, shapes)) >= 7


def test_data_added_in_many_batches_and_queries_answered_one_at_a_time_give_the_same_problems(
        project_data, monkeypatch):
    """The loader hands its quads to the store in batches, in a thread, and the compiled queries
    are answered in threads: the same problems, in the same order, with one batch and one query
    at a time as with batches of a few quads and four threads."""
    import newskg.build.shapes as shapes_module

    data, shapes = project_data
    mutated = Graph()
    for triple in data:
        mutated.add(triple)
    for name in ("two statuses", "claim time a string", "anchor with two quote selectors", "start after end",
                 "quote with two exacts", "background claim without source"):
        MUTATIONS[name][0](mutated)
    batches: list[int] = []
    extend = shapes_module._Loader._extend

    def counted(loader, quads: list) -> None:
        batches.append(len(quads))
        extend(loader, quads)

    monkeypatch.setattr(shapes_module._Loader, "_extend", counted)
    monkeypatch.setattr(shapes_module, "_STORE_BATCH", 10**9)
    monkeypatch.setattr(shapes_module, "_MAX_QUERY_THREADS", 1)
    once = shapes_module.validate_graphs_sparql([mutated], shapes)
    assert len(batches) == 1
    batches.clear()
    monkeypatch.setattr(shapes_module, "_STORE_BATCH", 7)
    monkeypatch.setattr(shapes_module, "_MAX_QUERY_THREADS", 4)
    monkeypatch.setattr(shapes_module.os, "cpu_count", lambda: 4)
    assert shapes_module.validate_graphs_sparql([mutated], shapes) == once
    assert len(batches) > 100 and len(once) >= 6


def test_the_oxigraph_input_gives_the_same_problems(project_data):
    """`validate_shapes_sparql` over pyoxigraph triples parsed from N-Triples, literals as written."""
    import pyoxigraph

    data, shapes = project_data
    mutated = Graph()
    for triple in data:
        mutated.add(triple)
    for name in ("start above end only by its digits", "two generic flags",
                 "claim time an impossible date"):
        MUTATIONS[name][0](mutated)
    triples = pyoxigraph.parse(mutated.serialize(format="nt", encoding="utf-8"), format=pyoxigraph.RdfFormat.N_TRIPLES)
    found = validate_shapes_sparql(triples, shapes)
    assert found == validate_shapes(mutated, shapes, shacl="pyshacl") and len(found) >= 3


# ---------------------------------------------------------------- features shapes.ttl does not use

EX = "@prefix ex: <http://example.org/> .\n"


def graphs(data: str, shapes: str) -> tuple[Graph, Graph]:
    return (Graph().parse(data=PREFIXES + EX + data, format="turtle"),
            Graph().parse(data=PREFIXES + EX + shapes, format="turtle"))


SMALL_DATA = """
ex:A rdfs:subClassOf ex:Thing . ex:B rdfs:subClassOf ex:A .
ex:a a ex:A ; ex:p ex:b , "x" , "long text"@EN ; ex:q "01"^^xsd:integer , "1"^^xsd:integer ;
     ex:r "3"^^xsd:nonNegativeInteger ; ex:s [ ex:t "deep" ] ; ex:name "Ann" ; ex:lt ex:z , "k" .
ex:b a ex:B ; ex:p ex:a ; ex:q "2"^^xsd:integer ; ex:name "Bo"@en , "Bob"^^xsd:string ; ex:lt "b" .
ex:c a ex:Other ; ex:p "plain" ; ex:inv ex:a ; ex:q "x"^^xsd:integer .
"""

SMALL_CASES = {
    "sh:in, nodeKind, maxLength": """
        ex:S a sh:NodeShape ; sh:targetClass ex:Thing ;
          sh:property [ sh:path ex:p ; sh:in ( ex:a ex:b "x" ) ; sh:message "p in list" ] ;
          sh:property [ sh:path ex:p ; sh:nodeKind sh:IRI ; sh:message "p an IRI" ] ;
          sh:property [ sh:path ex:name ; sh:maxLength 2 ; sh:message "short name" ] .""",
    "sh:and, hasValue on a node shape, targetNode and targetSubjectsOf": """
        ex:S a sh:NodeShape ; sh:targetNode ex:a , ex:c , ex:nowhere ; sh:targetSubjectsOf ex:inv ;
          sh:and ( [ sh:path ex:p ; sh:minCount 1 ] [ sh:path ex:q ; sh:maxCount 1 ] ) ;
          sh:message "p and at most one q" .
        ex:T a sh:NodeShape ; sh:targetObjectsOf ex:inv ; sh:hasValue ex:b ; sh:message "is ex:b" .""",
    "inverse and sequence paths, nested property shapes": """
        ex:S a sh:NodeShape ; sh:targetClass ex:A ;
          sh:property [ sh:path [ sh:inversePath ex:p ] ; sh:minCount 2 ; sh:message "two pointing here" ] ;
          sh:property [ sh:path ( ex:p ex:p ) ; sh:maxCount 0 ; sh:message "no second hop" ] ;
          sh:property [ sh:path ex:s ; sh:message "s values" ;
                        sh:property [ sh:path ex:t ; sh:minLength 5 ; sh:message "t long" ] ] .""",
    "severities: warnings alone conform": """
        ex:S a sh:NodeShape ; sh:targetClass ex:A ; sh:severity sh:Warning ;
          sh:property [ sh:path ex:zz ; sh:minCount 1 ; sh:message "a warning" ] .""",
    "severities: a warning shape beside a violation": """
        ex:S a sh:NodeShape ; sh:targetClass ex:A ; sh:severity sh:Warning ;
          sh:property [ sh:path ex:zz ; sh:minCount 1 ; sh:message "zz expected" ] .
        ex:V a sh:NodeShape ; sh:targetClass ex:B ;
          sh:property [ sh:path ex:q ; sh:datatype xsd:string ; sh:message "q a string" ; sh:severity sh:Info ] ;
          sh:property [ sh:path ex:name ; sh:maxCount 1 ; sh:message "one name" ] .""",
    "deactivated shapes and an implicit class target": """
        ex:Thing a rdfs:Class , sh:NodeShape ; sh:property [ sh:path ex:r ; sh:minCount 1 ; sh:message "has r" ] .
        ex:D a sh:NodeShape ; sh:targetClass ex:Thing ; sh:deactivated true ;
          sh:property [ sh:path ex:p ; sh:maxCount 0 ; sh:message "never" ] .
        ex:E a sh:NodeShape ; sh:targetClass ex:Thing ;
          sh:node [ sh:deactivated true ; sh:property [ sh:path ex:p ; sh:maxCount 0 ] ] ;
          sh:property [ sh:path ex:p ; sh:deactivated true ; sh:minCount 9 ; sh:message "off" ] ;
          sh:message "e" .""",
    "datatypes: strings, language strings, literals, ill-typed and non-canonical": """
        ex:S a sh:NodeShape ; sh:targetClass ex:Thing , ex:Other ;
          sh:property [ sh:path ex:name ; sh:datatype xsd:string ; sh:message "name a string" ] ;
          sh:property [ sh:path ex:p ; sh:datatype rdf:langString ; sh:message "p a language string" ] ;
          sh:property [ sh:path ex:p ; sh:datatype rdfs:Literal ; sh:message "p a literal" ] ;
          sh:property [ sh:path ex:q ; sh:datatype xsd:integer ; sh:maxCount 1 ; sh:message "one integer q" ] ;
          sh:property [ sh:path ex:r ; sh:hasValue "3"^^xsd:nonNegativeInteger ; sh:message "r is 3" ] ;
          sh:property [ sh:path ex:q ; sh:hasValue "01"^^xsd:integer ; sh:message "q is 01" ] .""",
    "several sh:class, sh:node and sh:not values; qualified counts over nested shapes": """
        ex:S a sh:NodeShape ; sh:targetClass ex:Thing ;
          sh:property [ sh:path ex:p ; sh:class ex:A , ex:B ; sh:message "p an A and a B" ] ;
          sh:property [ sh:path ex:p ; sh:node ex:Named , ex:HasQ ; sh:message "p named, with q" ] ;
          sh:property [ sh:path ex:p ; sh:not ex:Named ; sh:message "p not named" ] ;
          sh:property [ sh:path ex:p ; sh:qualifiedValueShape ex:Named ; sh:qualifiedMinCount 2 ;
                        sh:qualifiedMaxCount 0 ; sh:message "named p values" ] ;
          sh:property [ sh:path ex:p ; sh:or ( [ sh:datatype xsd:string ] [ sh:class ex:B ] ) ;
                        sh:message "p a string or a B" ] .
        ex:Named a sh:NodeShape ; sh:property [ sh:path ex:name ; sh:minCount 1 ; sh:maxCount 1 ] .
        ex:HasQ a sh:NodeShape ; sh:property [ sh:path ex:q ; sh:minCount 1 ] .""",
    "sh:lessThan across kinds of terms": """
        ex:S a sh:NodeShape ; sh:targetClass ex:Thing ;
          sh:property [ sh:path ex:name ; sh:lessThan ex:lt ; sh:message "name before lt" ] ;
          sh:property [ sh:path ex:q ; sh:lessThan ex:q ; sh:message "q below itself" ] .""",
    "a SPARQL constraint with substitutions, OPTIONAL and a projected value": """
        ex:S a sh:NodeShape ; sh:targetClass ex:Thing ;
          sh:sparql [ sh:message "{$this} has q {?value}" ; sh:select \"\"\"
            SELECT $this ?value WHERE { $this <http://example.org/q> ?value .
              OPTIONAL { $this <http://example.org/name> ?n } FILTER(!BOUND(?n) || ?value != 2) }\"\"\" ] ;
          sh:sparql [ sh:select "SELECT ?this WHERE { ?this <http://example.org/p> ?x . FILTER(isLiteral(?x)) }" ] .""",
    "SPARQL constraints written as one FILTER EXISTS, on IRIs and on a blank node": """
        ex:S a sh:NodeShape ; sh:targetClass ex:Thing ; sh:targetObjectsOf ex:s ;
          sh:sparql [ sh:message "{$this} has a literal p" ; sh:select \"\"\"
            SELECT $this WHERE { FILTER EXISTS { $this <http://example.org/p> ?x . FILTER(isLiteral(?x)) } }\"\"\" ] ;
          sh:sparql [ sh:message "no q" ; sh:select \"\"\"
            SELECT $this WHERE { FILTER NOT EXISTS { { $this <http://example.org/q> ?x } } }\"\"\" ] .""",
    # A min and a max count that no count fails both are one query (each failing node once);
    # a min above the max + 1 is two, so a node failing both is two results, as in pyshacl.
    "min and max counts, plain and qualified, one query or two": """
        ex:S a sh:NodeShape ; sh:targetClass ex:Thing ;
          sh:property [ sh:path ex:p ; sh:minCount 1 ; sh:maxCount 1 ; sh:message "one p" ] ;
          sh:property [ sh:path ex:p ; sh:minCount 4 ; sh:maxCount 1 ; sh:message "impossible p" ] ;
          sh:property [ sh:path ex:p ; sh:qualifiedValueShape [ sh:class ex:A ] ;
                        sh:qualifiedMinCount 2 ; sh:qualifiedMaxCount 2 ; sh:message "two As as p" ] ;
          sh:property [ sh:path ex:p ; sh:qualifiedValueShape [ sh:class ex:B ] ;
                        sh:qualifiedMaxCount 0 ; sh:message "no B as p" ] ;
          sh:property [ sh:path ex:p ; sh:qualifiedValueShape [ sh:nodeKind sh:Literal ] ;
                        sh:qualifiedMinCount 2 ; sh:qualifiedMaxCount 0 ; sh:message "impossible literal p" ] .""",
    # Triple patterns only under NOT EXISTS: answered for every focus node in one MINUS query.
    "a NOT EXISTS of a path ending in *, on IRIs and on a blank node, all focus nodes at once": """
        ex:S a sh:NodeShape ; sh:targetClass ex:Thing ; sh:targetObjectsOf ex:s ;
          sh:sparql [ sh:message "{$this} reaches no typed p" ; sh:select \"\"\"
            SELECT $this WHERE { FILTER NOT EXISTS {
              $this <http://example.org/p>/<http://example.org/p>* ?x . ?x a ?c } }\"\"\" ] .""",
}


@pytest.mark.parametrize("name", sorted(SMALL_CASES))
def test_a_feature_gives_pyshacls_problems(name):
    data, shapes = graphs(SMALL_DATA, SMALL_CASES[name])
    problems = both(data, shapes)
    if "warnings alone" in name:
        assert problems == []
    else:
        assert problems, "the case must produce problems to compare"


# ---------------------------------------------------------------- refused shapes

REFUSED = {
    "sh:pattern": """ex:S a sh:NodeShape ; sh:targetClass ex:A ;
                       sh:property [ sh:path ex:name ; sh:pattern "^A" ; sh:message "m" ] .""",
    "sh:xone": """ex:S a sh:NodeShape ; sh:targetClass ex:A ; sh:xone ( ex:T ex:T ) ; sh:message "m" .""",
    "sh:zeroOrMorePath": """ex:S a sh:NodeShape ; sh:targetClass ex:A ;
                       sh:property [ sh:path [ sh:zeroOrMorePath ex:p ] ; sh:minCount 1 ; sh:message "m" ] .""",
    "needs an sh:message": """ex:S a sh:NodeShape ; sh:targetClass ex:A ;
                       sh:property [ sh:path ex:name ; sh:minCount 1 ] .""",
    "refers to itself": """ex:S a sh:NodeShape ; sh:targetClass ex:A ; sh:message "m" ;
                       sh:property [ sh:path ex:p ; sh:node ex:S ] .""",
    "sh:severity on a shape used by another": """ex:S a sh:NodeShape ; sh:targetClass ex:A ; sh:message "m" ;
                       sh:node [ sh:severity sh:Warning ; sh:property [ sh:path ex:p ; sh:minCount 1 ] ] .""",
}


@pytest.mark.parametrize("feature", sorted(REFUSED))
def test_a_shape_with_an_unsupported_feature_is_refused_by_name(feature):
    data, shapes = graphs(SMALL_DATA, REFUSED[feature])
    with pytest.raises(UnsupportedShapeError) as caught:
        validate_shapes(data, shapes, shacl="sparql")
    assert feature in str(caught.value) and "example.org/S" in str(caught.value)
    if feature != "refers to itself":  # pyshacl gives up on that one too
        validate_shapes(data, shapes, shacl="pyshacl")


def test_counts_of_values_as_pyshacl_counts_them():
    """ex:a has three ex:p values: under 4 and over 1, two results (pyshacl's count), from two
    queries; ex:b, with one, fails only the min."""
    data, shapes = graphs(SMALL_DATA, SMALL_CASES["min and max counts, plain and qualified, one query or two"])
    problems = both(data, shapes)
    impossible = [p.focus for p in problems if p.message == "impossible p"]
    assert impossible.count("<http://example.org/a>") == 2 and impossible.count("<http://example.org/b>") == 1
    # A qualified shape that is only an sh:class (a join on the value's types, not a filter):
    # ex:a's ex:b is a B (so an A, by the subclass), ex:b's ex:a an A only.
    assert sorted(p.focus for p in problems if p.message == "no B as p") == ["<http://example.org/a>"]
    assert sorted(p.focus for p in problems if p.message == "two As as p") == ["<http://example.org/a>",
                                                                              "<http://example.org/b>"]


def test_not_exists_of_triple_patterns_is_one_minus_query_and_nothing_else_is():
    from newskg.build.shapes import _Compiler

    focus = "?f0 a ?t ."
    made = _Compiler._minus_query("", focus, "?f0", " $this a/rdfs:subClassOf* ?c . ?c ex:code ?code ")
    assert made == "SELECT DISTINCT ?f0 WHERE { ?f0 a ?t . MINUS {  ?f0 a/rdfs:subClassOf* ?c . ?c ex:code ?code  } }"
    for inner in (" $this ex:p ?x . FILTER(isLiteral(?x)) ",  # a FILTER: not every solution binds alike
                  " OPTIONAL { $this ex:p ?x } ", " ?x ex:p ?y ",  # no $this: MINUS would remove nothing
                  " $this ex:p ?t "):  # ?t is the focus pattern's too
        assert _Compiler._minus_query("", focus, "?f0", inner) is None, inner


def test_the_project_shapes_are_all_compiled():
    check_supported(Graph().parse(ROOT / "ontology" / "shapes.ttl", format="turtle"))


def test_the_check_command_can_use_either_validator(tmp_path):
    from click.testing import CliRunner

    from newskg.cli import main

    result = CliRunner().invoke(main, ["--project", str(ROOT), "check", "--format", "json", "--shacl", "pyshacl"])
    assert result.exit_code == 0, result.output


def test_a_blank_node_focus_keeps_its_label():
    data, shapes = graphs("_:n1 a ex:A . _:n1 ex:p _:n2 .", """
        ex:S a sh:NodeShape ; sh:targetClass ex:A ; sh:property [ sh:path ex:name ; sh:minCount 1 ; sh:message "m" ] .""")
    problems = both(data, shapes)
    assert len(problems) == 1 and problems[0].focus == str(next(iter(data.subjects(RDF.type, None))))
    assert isinstance(next(iter(data.subjects(RDF.type, None))), BNode)


def test_the_loader_stores_each_triple_as_the_terms_it_converted_them_to(project_data):
    """The loader hands the store N-Quads text (parsed without the GIL), except for quads with a
    blank node: the store must then hold exactly the quads of the pyoxigraph terms the text was
    written from (as `bulk_extend` adds them): escapes, language tags, the literals kept as
    written in their two graphs."""
    import pyoxigraph

    import newskg.build.shapes as shapes_module

    data, shapes = project_data
    tricky = Graph()
    for triple in data:
        tricky.add(triple)
    subject, predicate = URIRef("https://example.org/s"), DCTERMS.description
    for value in ['quote " and \\ backslash', "line\nbreak\ttab\r", "non-ASCII: Dhākā — “ISI” 😀", "\u0000nul",
                  Literal("en-GB", lang="en-GB"), Literal("x", lang="EN"), Literal("01", datatype=XSD.integer),
                  Literal("1", datatype=XSD.boolean), Literal("3", datatype=XSD.nonNegativeInteger),
                  Literal("not a date", datatype=XSD.date), Literal("s", datatype=XSD.string),
                  Literal("t", datatype=URIRef("https://example.org/type"))]:
        tricky.add((subject, predicate, value if isinstance(value, Literal) else Literal(value)))
    blank = BNode("loaded-as-a-term")
    tricky.add((blank, predicate, Literal("01", datatype=XSD.integer)))
    tricky.add((subject, DCTERMS.relation, blank))

    plan = shapes_module._Plan(shapes)
    loader = shapes_module._Loader(plan.datatypes, None)
    loader.add_rdflib([tricky])
    expected = set()
    for s, p, o in tricky:
        node = loader._node(s, isinstance(s, BNode))[0]
        if isinstance(o, Literal):
            written, native = loader._literal(str(o), str(o.datatype) if o.datatype else None, o.language, o)
        else:
            written, native = loader._node(o, isinstance(o, BNode))[0], None
        if native is None:
            expected.add(pyoxigraph.Quad(node, pyoxigraph.NamedNode(str(p)), written))
        else:
            expected.add(pyoxigraph.Quad(node, pyoxigraph.NamedNode(str(p)), written,
                                         pyoxigraph.NamedNode(shapes_module._WRITTEN_GRAPH)))
            expected.add(pyoxigraph.Quad(node, pyoxigraph.NamedNode(str(p)), native,
                                         pyoxigraph.NamedNode(shapes_module._NATIVE_GRAPH)))
    # Through a store of their own: a store rewrites some literals (the reason for the two graphs).
    reference = pyoxigraph.Store()
    reference.bulk_extend(expected)
    assert set(loader.store) == set(reference)
    assert loader.rewritten and any(q.subject == pyoxigraph.BlankNode("loaded-as-a-term") for q in loader.store)
