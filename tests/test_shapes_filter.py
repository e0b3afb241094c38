"""The SHACL validator loads only the triples a shape can read, and that changes no Problem.

`newskg.build.shapes` keeps a triple only if its predicate is in `_Plan.reads`. Shown here:

- on data built to exercise each way a shape reads the data (sequence, inverse, alternative
  and nested paths, class targets and sh:class over rdfs:subClassOf chains of the data, subject
  and object targets, sh:lessThan, nested sh:node and sh:qualifiedValueShape, sh:sparql reading
  a class hierarchy and a path), the Problems with the filter, without it, and pyshacl's are the
  same, from rdflib graphs and from pyoxigraph triples; and the filter drops the other triples;
- each predicate the plan keeps changes the Problems when it alone is left out, so the
  comparison above fails if the set misses any of them;
- a SPARQL-based constraint that reads a predicate through a variable, or a path of zero steps
  between variables (which matches every node of the graph), or anything else the analysis
  cannot read exactly, turns the filter off, and keeping a filter there would lose Problems;
- every query the compiler writes, for the project's shapes and for the cases of
  tests/test_shapes.py, reads only predicates of the plan's set.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph

from newskg.build.checks import validate_shapes
from newskg.build.shapes import _Compiler, _Loader, _Plan, _run, _sparql_reads, validate_shapes_sparql
from newskg.namespaces import sparql_prologue

ROOT = Path(__file__).resolve().parent.parent
PREFIXES = sparql_prologue().replace("PREFIX ", "@prefix ").replace(">\n", "> .\n")
EX = "http://example.org/"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
#: `run`'s default: the plan's own set.
PLAN = object()

SHAPES = """
ex:PathShape a sh:NodeShape ; sh:targetClass ex:Top ;
  sh:property [ sh:path ( ex:seq1 ex:seq2 ) ; sh:minCount 1 ; sh:message "a two-step value" ] ;
  sh:property [ sh:path [ sh:inversePath ex:inv ] ; sh:minCount 1 ; sh:message "pointed at" ] ;
  sh:property [ sh:path [ sh:alternativePath ( ex:alt1 [ sh:inversePath ex:alt2 ] ) ] ; sh:minCount 2 ;
                sh:message "two values on the alternative" ] ;
  sh:property [ sh:path ( ex:hop [ sh:alternativePath ( ex:deep1 ( ex:deep2 ex:deep3 ) ) ] ) ;
                sh:maxCount 1 ; sh:message "at most one value at depth" ] ;
  sh:property [ sh:path ex:cls ; sh:class ex:Top ; sh:message "a value of class Top" ] ;
  sh:property [ sh:path ex:start ; sh:lessThan ex:end ; sh:message "start before end" ] ;
  sh:property [ sh:path ex:link ; sh:node ex:Inner ; sh:message "links to an inner node" ] ;
  sh:property [ sh:path ex:link ; sh:qualifiedValueShape [ sh:node ex:Qualified ] ; sh:qualifiedMinCount 1 ;
                sh:message "one qualified link" ] .
ex:Inner a sh:NodeShape ; sh:property [ sh:path ex:innerp ; sh:minCount 1 ] .
ex:Qualified a sh:NodeShape ; sh:property [ sh:path ex:qp ; sh:hasValue ex:yes ] .
ex:SubjectShape a sh:NodeShape ; sh:targetSubjectsOf ex:tsubj ;
  sh:property [ sh:path ex:name ; sh:minCount 1 ; sh:message "a subject of tsubj has a name" ] .
ex:ObjectShape a sh:NodeShape ; sh:targetObjectsOf ex:tobj ;
  sh:property [ sh:path ex:name ; sh:minCount 1 ; sh:message "an object of tobj has a name" ] .
ex:SparqlShape a sh:NodeShape ; sh:targetClass ex:Top ;
  sh:sparql [ sh:message "typed with a coded class" ; sh:select \"\"\"
    SELECT $this WHERE { FILTER NOT EXISTS {
      $this <http://www.w3.org/1999/02/22-rdf-syntax-ns#type>/<http://www.w3.org/2000/01/rdf-schema#subClassOf>* ?c .
      ?c <http://example.org/code> ?code } }\"\"\" ] ;
  sh:sparql [ sh:message "{$this} reaches {?x}" ; sh:select \"\"\"
    SELECT $this ?x WHERE { $this <http://example.org/sp1>/^<http://example.org/sp2> ?x }\"\"\" ] .
"""

# Every node also carries ex:noise and rdfs:label triples no shape reads, and ex:noise is the
# subject of triples too; ex:a1 conforms to most constraints, ex:a2 fails most.
DATA = """
ex:Mid rdfs:subClassOf ex:Top ; ex:code "M" . ex:Low rdfs:subClassOf ex:Mid . ex:Other rdfs:label "other" .
ex:noise rdfs:label "noise" ; ex:noise ex:noise .
ex:a1 a ex:Low ; ex:seq1 ex:x1 ; ex:alt1 ex:v1 ; ex:cls ex:c1 ; ex:start 5 ; ex:end 3 ; ex:link ex:l1 ;
      ex:hop ex:h1 ; ex:noise ex:x1 , "n" ; rdfs:label "a1" ; ex:sp1 ex:m .
ex:x1 ex:seq2 ex:y1 ; ex:noise ex:a1 .
ex:b1 ex:inv ex:a1 ; ex:inv ex:a2 ; ex:noise 1 .
ex:v2 ex:alt2 ex:a1 ; ex:alt2 ex:a2 .
ex:h1 ex:deep1 ex:d1 ; ex:deep2 ex:e1 . ex:e1 ex:deep3 ex:d2 .
ex:c1 a ex:Low . ex:c2 a ex:Other .
ex:l1 ex:innerp 1 ; ex:qp ex:yes ; ex:noise ex:l2 . ex:l2 ex:qp ex:no .
ex:n1 ex:sp2 ex:m .
ex:a2 a ex:Top ; ex:cls ex:c2 ; ex:start 1 ; ex:end 2 ; ex:link ex:l2 ; ex:hop ex:h2 ; ex:noise ex:a1 .
ex:h2 ex:deep1 ex:d1 .
ex:a3 a ex:Top ; ex:start 3 ; ex:end 4 .
ex:s1 ex:tsubj 1 ; ex:noise 2 . ex:s2 ex:tsubj 2 ; ex:name "s2" ; ex:noise 3 .
ex:t0 ex:tobj ex:o1 , ex:o2 . ex:o2 ex:name "o2" .
"""


def graphs(data: str, shapes: str) -> tuple[Graph, Graph]:
    head = PREFIXES + f"@prefix ex: <{EX}> .\n"
    return Graph().parse(data=head + data, format="turtle"), Graph().parse(data=head + shapes, format="turtle")


def run(data: Graph, shapes: Graph, reads=PLAN) -> tuple[list, int]:
    """(the compiled validator's Problems, how many quads it loaded) with ``reads`` as the filter."""
    plan = _Plan(shapes)
    loader = _Loader(plan.datatypes, plan.reads if reads is PLAN else reads)
    loader.add_rdflib([data])
    return _run(plan, loader), len(loader.store)


def test_the_filter_keeps_every_problem_and_drops_the_rest():
    import pyoxigraph

    data, shapes = graphs(DATA, SHAPES)
    filtered, kept = run(data, shapes)
    unfiltered, every = run(data, shapes, reads=None)
    reference = validate_shapes(data, shapes, shacl="pyshacl")
    assert filtered == unfiltered == reference
    assert len({p.message for p in reference}) == 12, "every constraint of SHAPES must report"
    assert kept < every
    triples = pyoxigraph.parse(data.serialize(format="nt", encoding="utf-8"), format=pyoxigraph.RdfFormat.N_TRIPLES)
    assert validate_shapes_sparql(triples, shapes) == reference


def test_each_predicate_read_changes_the_problems_when_left_out():
    """So the comparison above fails if the plan's set misses any predicate a shape reads."""
    data, shapes = graphs(DATA, SHAPES)
    reads = _Plan(shapes).reads
    assert reads is not None
    assert reads == {RDF + "type", RDFS + "subClassOf"} | {EX + p for p in (
        "seq1", "seq2", "inv", "alt1", "alt2", "hop", "deep1", "deep2", "deep3", "cls", "start", "end", "link",
        "innerp", "qp", "tsubj", "tobj", "name", "code", "sp1", "sp2")}
    reference, _ = run(data, shapes)
    for predicate in sorted(reads):
        assert run(data, shapes, reads=reads - {predicate})[0] != reference, predicate


A_VARIABLE = """
ex:S a sh:NodeShape ; sh:targetClass ex:Top ;
  sh:sparql [ sh:message "{$this} has a secret" ; sh:select \"\"\"
    SELECT $this WHERE { $this ?p ?o . FILTER(?p = <http://example.org/secret>) }\"\"\" ] .
"""
A_NEGATED_SET = """
ex:S a sh:NodeShape ; sh:targetClass ex:Top ;
  sh:sparql [ sh:message "{$this} has more than a type" ; sh:select \"\"\"
    SELECT $this WHERE { $this !(<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>) ?o }\"\"\" ] .
"""


# A path that can match zero steps between two variables matches every node of the graph to
# itself: ex:x is a node only through a triple no shape otherwise reads.
ZERO_STEPS = """
ex:S a sh:NodeShape ; sh:targetClass ex:Top ;
  sh:sparql [ sh:message "{$this}: ex:x is a node" ; sh:select \"\"\"
    SELECT $this WHERE { ?n <http://example.org/p>? ?m . FILTER(?n = <http://example.org/x>) }\"\"\" ] .
"""
# The same through `_minus_query`, where $this becomes a variable: ex:a is a node (a focus node
# of sh:targetNode) only through its ex:secret triple.
ZERO_STEPS_MINUS = """
ex:S a sh:NodeShape ; sh:targetNode ex:a ;
  sh:sparql [ sh:message "{$this} reaches nothing" ; sh:select \"\"\"
    SELECT $this WHERE { FILTER NOT EXISTS { $this <http://example.org/p>* ?c } }\"\"\" ] .
"""


@pytest.mark.parametrize("shape", [A_VARIABLE, A_NEGATED_SET, ZERO_STEPS],
                         ids=["variable", "negated property set", "zero steps between variables"])
def test_a_predicate_read_through_a_variable_turns_the_filter_off(shape):
    data, shapes = graphs("ex:a a ex:Top ; ex:secret ex:x . ex:b a ex:Top .", shape)
    assert _Plan(shapes).reads is None
    reference = validate_shapes(data, shapes, shacl="pyshacl")
    assert run(data, shapes)[0] == reference and reference
    # What a filter of the predicates the query names would keep: the Problems would be lost.
    assert run(data, shapes, reads={RDF + "type", RDFS + "subClassOf", EX + "p"})[0] != reference


def test_zero_steps_from_this_under_not_exists_turns_the_filter_off():
    """pyshacl binds $this first: ex:a reaches itself in zero steps, no Problem; the MINUS query
    finds that only if ex:a is a node of the graph loaded."""
    data, shapes = graphs("ex:a ex:secret 1 .", ZERO_STEPS_MINUS)
    assert _Plan(shapes).reads is None
    reference = validate_shapes(data, shapes, shacl="pyshacl")
    assert run(data, shapes)[0] == reference == []
    assert run(data, shapes, reads={RDF + "type", RDFS + "subClassOf", EX + "p"})[0] != reference


@pytest.mark.parametrize("where", [
    "{ $this ?p ?o }",
    "{ $this !ex:p ?o }",
    "{ $this ex:p/!ex:q ?o }",
    "{ GRAPH ?g { $this ex:p ?o } }",
    "{ FILTER EXISTS { GRAPH <urn:g> { $this ex:p ?o } } }",
    "{ SERVICE <urn:s> { $this ex:p ?o } }",
    "{ BIND(EXISTS { $this ?p 1 } AS ?b) }",
    "{ $this undeclared:p ?o }",
])
def test_what_the_analysis_cannot_read_exactly_reads_everything(where):
    assert _sparql_reads(f"PREFIX ex: <{EX}>\nSELECT $this WHERE {where}") is None
    assert _sparql_reads(f"PREFIX ex: <{EX}>\nSELECT $this FROM <urn:g> WHERE {{ $this ex:p ?o }}") is None


def test_the_analysis_names_the_predicates_of_paths_lists_and_exists():
    query = (f"PREFIX ex: <{EX}>\nSELECT $this WHERE {{ $this a ?t ; ^ex:i/(ex:a|ex:b)? ?x . "
             "OPTIONAL { ?x ex:c+ ?y } FILTER(EXISTS { $this ex:e (1) } || NOT EXISTS { ?s ^ex:f* 2 }) }")
    assert _sparql_reads(query) == {RDF + "type", RDF + "first", RDF + "rest", *(EX + p for p in "iabcef")}


def _compiled_queries(data: Graph, shapes: Graph) -> list[str]:
    plan = _Plan(shapes)
    loader = _Loader(plan.datatypes, plan.reads)
    loader.add_rdflib([data])
    texts = []
    for query in _Compiler(plan, loader).queries():
        texts.append(query.text)
        if query.kind == "sparql":
            template, ask, _, _, minus = query.detail
            texts += [t.format(this="<urn:focus>") for t in (template, ask) if t is not None]
            texts += [minus] if minus is not None else []
    return texts


def test_every_compiled_query_reads_only_the_plans_predicates():
    from test_shapes import SMALL_CASES, SMALL_DATA

    project_shapes = Graph().parse(ROOT / "ontology" / "shapes.ttl", format="turtle")
    cases = [(Graph(), project_shapes), graphs(DATA, SHAPES),
             *(graphs(SMALL_DATA, shapes) for shapes in SMALL_CASES.values())]
    for data, shapes in cases:
        reads = _Plan(shapes).reads
        assert reads is not None
        for text in _compiled_queries(data, shapes):
            found = _sparql_reads(text)
            assert found is not None and found <= reads, text


def test_the_validators_store_is_freed_without_the_cycle_collector(monkeypatch):
    """The build validates with Python's cycle collector off (`without_cycle_collection`): finding
    what a sh:sparql reads (rdflib's parser, whose last parse keeps exceptions whose tracebacks
    reach the caller's frames) must not leave the loaded data reachable only through cycles,
    which at a million triples kept ~1 GB resident into the writer's peak."""
    import gc

    import newskg.build.shapes as shapes_module
    from newskg.build.memory import without_cycle_collection

    monkeypatch.setattr(shapes_module, "FILTER_MIN_TRIPLES", 0)
    data, shapes = graphs(DATA, SHAPES)
    gc.collect()
    with without_cycle_collection():
        assert shapes_module.validate_graphs_sparql([data], shapes)
        left = [o for o in gc.get_objects() if isinstance(o, _Loader)]
    assert not left, "the validator's loader (and its store) is still held, by reference cycles"


NATIVE_SHAPES = """
ex:S a sh:NodeShape ; sh:targetClass ex:Top ;
  sh:property [ sh:path ex:start ; sh:datatype xsd:nonNegativeInteger ; sh:message "start" ] ;
  sh:sparql [ sh:message "{$this} ends early" ; sh:select \"\"\"
    SELECT $this WHERE { $this <http://example.org/end> ?end . FILTER(?end < 3) }\"\"\" ] .
"""

NATIVE_DATA = """
ex:a1 a ex:Top ; ex:start "01"^^xsd:nonNegativeInteger ; ex:end "02"^^xsd:nonNegativeInteger .
ex:a2 a ex:Top ; ex:start "-1"^^xsd:nonNegativeInteger ; ex:end "7"^^xsd:nonNegativeInteger .
"""


def test_only_what_a_sparql_constraint_reads_gets_a_native_copy():
    """A literal the store would rewrite is loaded twice (as written, and native for the
    SPARQL-based constraints) only under a predicate those constraints read: ex:end here, not
    ex:start, which only a core constraint reads. The Problems stay pyshacl's."""
    import pyoxigraph

    from newskg.build.shapes import _NATIVE_GRAPH

    data, shapes = graphs(NATIVE_DATA, NATIVE_SHAPES)
    plan = _Plan(shapes)
    assert plan.sparql_reads == {EX + "end"}
    loader = _Loader(plan.datatypes, plan.reads, plan.sparql_reads)
    loader.add_rdflib([data])
    native = {(q.subject.value, q.predicate.value) for q in loader.store
              if q.graph_name == pyoxigraph.NamedNode(_NATIVE_GRAPH)}
    assert native == {(EX + "a1", EX + "end"), (EX + "a2", EX + "end")}
    reference = validate_shapes(data, shapes, shacl="pyshacl")
    assert {p.message for p in reference} == {"start", f"{EX}a1 ends early"}
    assert _run(plan, loader) == reference
    triples = pyoxigraph.parse(data.serialize(format="nt", encoding="utf-8"), format=pyoxigraph.RdfFormat.N_TRIPLES)
    assert validate_shapes_sparql(triples, shapes) == reference
