"""sh:minCount 1 / sh:maxCount 1 on a one-predicate path, which the SPARQL validator answers with
NOT EXISTS and a self-join instead of counting: the same Problems as pyshacl's."""

from __future__ import annotations

from rdflib import Graph

from newskg.build.checks import validate_shapes
from newskg.build.shapes import _Compiler, _Loader, _Plan

PREFIXES = """@prefix ex: <http://example.org/> .
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
"""

SHAPES = PREFIXES + """
ex:ThingShape a sh:NodeShape ; sh:targetClass ex:Thing ;
  sh:property [ sh:path ex:one ; sh:minCount 1 ; sh:maxCount 1 ; sh:message "exactly one ex:one" ] ;
  sh:property [ sh:path ex:most ; sh:maxCount 1 ; sh:message "at most one ex:most" ] ;
  sh:property [ sh:path ex:least ; sh:minCount 1 ; sh:message "at least one ex:least" ] ;
  sh:property [ sh:path ex:part ;
      sh:property [ sh:path ex:one ; sh:minCount 1 ; sh:maxCount 1 ; sh:message "a part has one ex:one" ] ] .
"""

# ex:a conforms; each other node fails as its name says. "1" and "01" are two values (two
# terms), the same triple in two graphs one value.
DATA = PREFIXES + """
ex:Sub rdfs:subClassOf ex:Thing .
ex:a a ex:Thing ; ex:one 1 ; ex:most "x" ; ex:least ex:v .
ex:noOne a ex:Thing ; ex:least ex:v .
ex:twoOnes a ex:Sub ; ex:one 1, "01"^^xsd:integer ; ex:least ex:v .
ex:threeOnesTwoMost a ex:Thing ; ex:one ex:v1, ex:v2, ex:v3 ; ex:most "x", "y" ; ex:least ex:v .
ex:twoMostNoLeast a ex:Thing ; ex:one ex:v ; ex:most "x"@en, "x" .
ex:parts a ex:Thing ; ex:one ex:v ; ex:least ex:v ; ex:part ex:p1, ex:p2, ex:p3 .
ex:p1 ex:one ex:v .
ex:p2 ex:one ex:v, ex:w .
ex:blank a ex:Thing ; ex:one [ ex:x 1 ], [ ex:x 1 ] ; ex:least [] .
"""

# The same ex:one triple of ex:a in a second graph: still one value.
MORE = PREFIXES + "ex:a ex:one 1 . ex:twoMostNoLeast ex:one ex:v ."


def _graphs() -> tuple[list[Graph], Graph]:
    return [Graph().parse(data=DATA, format="turtle"), Graph().parse(data=MORE, format="turtle")], \
        Graph().parse(data=SHAPES, format="turtle")


def test_one_value_counts_give_pyshacls_problems():
    data, shapes = _graphs()
    sparql = validate_shapes(data, shapes, shacl="sparql")
    assert sparql == validate_shapes(data, shapes, shacl="pyshacl")
    found = {((p.focus or "").rsplit("/", 1)[-1].rstrip(">"), p.message) for p in sparql}
    assert found == {
        ("noOne", "exactly one ex:one"), ("threeOnesTwoMost", "exactly one ex:one"),
        ("threeOnesTwoMost", "at most one ex:most"), ("twoMostNoLeast", "at most one ex:most"),
        ("twoMostNoLeast", "at least one ex:least"), ("p2", "a part has one ex:one"),
        ("p3", "a part has one ex:one"), ("blank", "exactly one ex:one"),
    }
    assert len(sparql) == len(found)


def test_a_maximum_of_one_alone_is_compiled_without_counting():
    data, shapes = _graphs()
    plan = _Plan(shapes)
    loader = _Loader(plan.datatypes)
    loader.add_rdflib(data)
    texts = [q.text for q in _Compiler(plan, loader).queries()]
    most = [t for t in texts if "http://example.org/most" in t]
    assert len(most) == 1 and "COUNT" not in most[0] and "!sameTerm" in most[0]
