"""The SHACL stage reusing the quality checks' store (`validate_store_sparql`) gives the Problems
of the loader it replaces (`validate_graphs_sparql`) and of pyshacl, the reference.

The build (`run_pipeline`) adds the inferred triples to the store that holds the sources, and
takes the typed literals from its graphs, because the store rewrites some: "3" of
xsd:nonNegativeInteger is "3"^^xsd:integer there, "1.50"^^xsd:decimal is "1.5", and a
subject's "3"^^xsd:nonNegativeInteger and "3"^^xsd:integer are one object. Each case below
would give another Problem if the store's own literals were read: an extra sh:hasValue match,
a count of one where there are two, a datatype accepted. Also: ill-typed literals, blank nodes,
a triple in two graphs (the union of named graphs holds it twice), a typed literal only the
reasoner infers. Where the store cannot answer exactly (a literal rdflib normalised, a file
rdflib read, a SPARQL-based constraint reading a rewritten literal or counting), the build
validates the graphs as before.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

import newskg.build.shapes as shapes_module
from conftest import project_sources
from newskg.build import run_pipeline
from newskg.build.checks import validate_shapes
from newskg.build.sources import discover_sources, load_dataset
from newskg.project import Project

PREFIXES = """@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix ex: <https://example.org/test#> .
"""

SHAPES = PREFIXES + """
ex:ThingShape a sh:NodeShape ;
    sh:targetClass ex:Thing ;
    sh:property [ sh:path ex:n ; sh:maxCount 1 ; sh:datatype xsd:nonNegativeInteger ; sh:lessThan ex:m ;
                  sh:message "n: at most one, an xsd:nonNegativeInteger below m" ] ;
    sh:property [ sh:path ex:amount ; sh:hasValue "1.5"^^xsd:decimal ; sh:message "amount: 1.5" ] ;
    sh:property [ sh:path ex:when ; sh:maxCount 1 ; sh:datatype xsd:date ; sh:message "when: one xsd:date" ] ;
    sh:property [ sh:path ex:part ; sh:minCount 1 ; sh:class ex:Part ; sh:message "part: some ex:Part" ] ;
    sh:property [ sh:path ex:label ; sh:maxCount 1 ; sh:message "label: at most one" ] .
"""

TBOX = PREFIXES + """
ex:n2 rdfs:subPropertyOf ex:n .
ex:SubPart rdfs:subClassOf ex:Part .
"""

#: In the background graph; `DUPLICATED` is there too, and in the report's graph.
DATA = """
ex:a a ex:Thing ; ex:n "3"^^xsd:nonNegativeInteger, "3"^^xsd:integer ; ex:m "2"^^xsd:nonNegativeInteger ;
    ex:amount "1.50"^^xsd:decimal ; ex:when "2024-01-01"^^xsd:date ; ex:part [ a ex:SubPart ] .
ex:b a ex:Thing ; ex:n "7"^^xsd:nonNegativeInteger ; ex:m "7"^^xsd:nonNegativeInteger ;
    ex:amount "1.5"^^xsd:decimal ; ex:part _:p .
_:p a ex:Part .
_:t a ex:Thing ; ex:n "4"^^xsd:nonNegativeInteger ; ex:m "10"^^xsd:nonNegativeInteger ;
    ex:amount "1.5"^^xsd:decimal, "1.500"^^xsd:decimal ; ex:part ex:nothing ;
    ex:when "2024-02-28"^^xsd:date, "2024-02-29"^^xsd:date .
ex:d a ex:Thing ; ex:n2 "5"^^xsd:nonNegativeInteger ; ex:n "5"^^xsd:integer ; ex:amount "1.5"^^xsd:decimal ;
    ex:part ex:q .
ex:q a ex:SubPart .
"""
DUPLICATED = """
ex:c a ex:Thing ; ex:amount "1.5"^^xsd:decimal ; ex:part ex:q ; ex:label "x" ; ex:n "6"^^xsd:nonNegativeInteger .
ex:e a ex:Thing ; ex:amount "1.5"^^xsd:decimal ; ex:part ex:q ; ex:label "x" .
"""

#: The Problems the shapes must find (each case above, beside the project's own conforming data).
EXPECTED_FOCI = {f"<https://example.org/test#{name}>" for name in "abcd"}
#: Literals the reasoner refuses at the confirmed level (the build then stops before SHACL):
#: validated on the parsed sources alone.
ILL_TYPED = """
ex:b ex:n "abc"^^xsd:nonNegativeInteger .
_:t ex:when "2024-02-30"^^xsd:date .
ex:e ex:n "-1"^^xsd:nonNegativeInteger .
"""


def _project(root: Path, shapes: str = SHAPES, data: str = DATA) -> Path:
    project_sources("article", root)
    (root / "ontology" / "test-shapes.ttl").write_text(shapes, encoding="utf-8")
    (root / "ontology" / "test-tbox.ttl").write_text(TBOX, encoding="utf-8")
    background = root / "graph" / "background.ttl"
    background.write_text(background.read_text(encoding="utf-8") + "\n" + PREFIXES + data + DUPLICATED,
                          encoding="utf-8")
    report = next(p for p in (root / "graph").iterdir() if p.is_dir())
    (report / "test-extra.ttl").write_text(PREFIXES + DUPLICATED + 'ex:c ex:label "y" .\n', encoding="utf-8")
    return root


def _shacl_problems(root: Path, monkeypatch, *, reuse: bool = True, shacl: str = "sparql") -> tuple[list, list]:
    """The build's SHACL Problems, and whether each call of `validate_store_sparql` answered."""
    answered: list[bool] = []
    real = shapes_module.validate_store_sparql

    def spy(*args):
        found = real(*args) if reuse else None
        answered.append(found is not None)
        return found

    monkeypatch.setattr(shapes_module, "validate_store_sparql", spy)
    monkeypatch.setattr(shapes_module, "FILTER_MIN_TRIPLES", 0)  # the article is below it
    project = Project.at(root)
    inputs, reports = discover_sources(project.root)
    result = run_pipeline(project, inputs, reports, strict=False, shacl=shacl, full=True)
    return [p for p in result.problems if p.check == "shacl"], answered


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    return _project(tmp_path_factory.mktemp("store") / "project")


@pytest.fixture(scope="module")
def reference(project) -> list:
    """pyshacl's Problems on the project (it never reuses the store)."""
    with pytest.MonkeyPatch.context() as monkeypatch:
        found, answered = _shacl_problems(project, monkeypatch, shacl="pyshacl")
    assert answered == []
    return found


@pytest.mark.filterwarnings("ignore::UserWarning")  # rdflib on "abc"^^xsd:nonNegativeInteger
def test_the_store_is_reused_and_gives_pyshacls_problems(project, reference, monkeypatch):
    found, answered = _shacl_problems(project, monkeypatch)
    assert answered == [True]
    assert found == reference
    assert {p.focus for p in found} >= EXPECTED_FOCI
    assert any(p.focus.startswith("f") for p in found)  # the blank node _:t, by its label


@pytest.mark.filterwarnings("ignore::UserWarning")
def test_on_the_parsed_sources_with_ill_typed_literals(tmp_path, monkeypatch):
    root = _project(tmp_path / "project", data=DATA + ILL_TYPED)
    monkeypatch.setattr(shapes_module, "FILTER_MIN_TRIPLES", 0)
    sources = load_dataset(discover_sources(root)[0])
    assert sources.store_exact and sources.store_strings_exact
    graphs = list(sources.dataset.graphs())
    reference = validate_shapes(graphs, sources.shapes, shacl="pyshacl")
    assert {"<https://example.org/test#b>", "<https://example.org/test#e>"} <= {p.focus for p in reference}
    assert shapes_module.validate_graphs_sparql(graphs, sources.shapes) == reference
    found = shapes_module.validate_store_sparql(sources.quality_store(), graphs, [], sources.shapes,
                                                sources.typed_literals)
    assert found == reference


@pytest.mark.filterwarnings("ignore::UserWarning")
def test_the_loader_it_replaces_gives_the_same_problems(project, reference, monkeypatch):
    found, answered = _shacl_problems(project, monkeypatch, reuse=False)
    assert answered == [False]
    assert found == reference


@pytest.mark.filterwarnings("ignore::UserWarning")
def test_the_stores_own_typed_literals_would_give_other_problems(project, reference, monkeypatch, tmp_path):
    root = _project(tmp_path / "project")
    monkeypatch.setattr(shapes_module, "_typed_triples", lambda graph, subjects: iter(()))
    found, answered = _shacl_problems(root, monkeypatch)
    assert answered == [True]
    assert found != reference


@pytest.mark.filterwarnings("ignore::UserWarning")
@pytest.mark.parametrize("why, shapes, data", [
    # A SPARQL-based constraint reads ex:n, whose literals the store rewrites: it needs their
    # native form, the core constraints their written one.
    ("rewritten literal read by SPARQL", SHAPES + """
ex:SparqlShape a sh:NodeShape ; sh:targetNode ex:a, ex:d ;
    sh:sparql [ sh:message "an integer n" ; sh:select \"\"\"SELECT $this WHERE {
        $this <https://example.org/test#n> ?v . FILTER(datatype(?v) = <http://www.w3.org/2001/XMLSchema#integer>) }\"\"\" ] .
""", DATA),
    # Keeping some solutions (or counting them): the union of named graphs holds ex:c's triples twice.
    ("counting", SHAPES + """
ex:CountShape a sh:NodeShape ; sh:targetSubjectsOf ex:label ;
    sh:sparql [ sh:message "a second label" ; sh:select \"\"\"SELECT $this WHERE {
        $this <https://example.org/test#label> ?l } OFFSET 1\"\"\" ] .
""", DATA),
])
def test_where_the_store_cannot_answer_exactly_the_graphs_are_validated(why, shapes, data, tmp_path, monkeypatch):
    root = _project(tmp_path / "project", shapes, data)
    with pytest.MonkeyPatch.context() as patch:
        reference, _ = _shacl_problems(root, patch, shacl="pyshacl")
    found, answered = _shacl_problems(root, monkeypatch)
    assert answered == [False], why
    assert found == reference
    assert {p.focus for p in found} >= EXPECTED_FOCI


@pytest.mark.filterwarnings("ignore::UserWarning")
@pytest.mark.parametrize("why, extra", [
    ("rdflib normalises the literal pyoxigraph read (store_exact)", 'ex:a ex:m "02"^^xsd:nonNegativeInteger .'),
    ("rdflib reads the file, for its language tag (store_strings_exact)", 'ex:a ex:label "x"@en-GB .'),
])
def test_a_store_unlike_the_graphs_is_not_reused(why, extra, tmp_path, monkeypatch):
    root = _project(tmp_path / "project", data=DATA + extra + "\n")
    with pytest.MonkeyPatch.context() as patch:
        reference, _ = _shacl_problems(root, patch, shacl="pyshacl")
    found, answered = _shacl_problems(root, monkeypatch)
    assert answered == [], why
    # rdflib names blank nodes afresh in each parse: each build, the same node by another name
    assert _blank_as_one(found) == _blank_as_one(reference)


def _blank_as_one(problems: list) -> list:
    return sorted((replace(p, focus="_:b") if ":" not in (p.focus or ":") else p for p in problems),
                  key=lambda p: (p.focus or "", p.message, p.severity))
