"""`read_rdf` reads a file without blank nodes through pyoxigraph's N-Triples / N-Quads text:
the terms, their order and the quality-check store's quads are those of pyoxigraph's quads."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph
import pytest
from rdflib import Literal, URIRef

from newskg.build.memory import without_cycle_collection
from newskg.build.oxterms import ToRdflib
from newskg.build.sources import discover_inputs, load_dataset, read_rdf

TURTLE = r'''@prefix ex: <http://example.org/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@base <http://example.org/base/> .
ex:a ex:p 1, 1.0, 1.5e3, true, "01"^^xsd:integer, "1.0"^^xsd:decimal, "12"^^xsd:decimal ;
     ex:q "x"@en, "y"@en-gb, """multi
line "quoted" \\ back""", "tab\there", "caf\u00e9", "\U0001F600", "bell\u0007", """a .
b""", "ends with a space " ;
     ex:r <relative>, <http://example.org/caf%C3%A9/é>, "a b <http://example.org/g>", "x y"^^ex:type,
          "<http://example.org/g>"^^ex:type, "two words"@en .
<http://example.org/é> ex:p "x"^^ex:type, "" .
'''

TRIG = TURTLE.replace("ex:a ex:p", "ex:g { ex:a ex:p") + "}\n"

#: quads of a TriG file's default graph whose object's text ends like a graph's name, or has spaces
DEFAULT_GRAPH = 'ex:x ex:p "in the default graph", "a b"^^ex:type, "<http://example.org/g> x"^^ex:type, ex:y .\n'


def _by_objects(path: Path, fmt: str, name: str) -> list[tuple]:
    """The statements as converted from pyoxigraph's quads (the way files with blank nodes go)."""
    rdf_format = pyoxigraph.RdfFormat.TRIG if fmt == "trig" else pyoxigraph.RdfFormat.TURTLE
    quads = list(pyoxigraph.parse(path.read_bytes(), format=rdf_format, base_iri=path.as_uri()))
    converter = ToRdflib(name)
    return list(converter.quads(quads) if fmt == "trig" else converter.triples(quads))


def _exactly(statements: list[tuple]) -> list[tuple]:
    return [tuple((type(t), str(t), getattr(t, "datatype", None), getattr(t, "language", None)) for t in st)
            for st in statements]


@pytest.mark.parametrize(("fmt", "text"), [("turtle", TURTLE), ("trig", TRIG), ("trig", TRIG + DEFAULT_GRAPH)])
def test_a_file_read_through_its_text_gives_the_terms_of_its_quads(tmp_path: Path, fmt: str, text: str):
    path = tmp_path / ("f.trig" if fmt == "trig" else "f.ttl")
    path.write_text(text, encoding="utf-8")
    parsed = read_rdf(path, fmt, "f")
    assert parsed.nquads is not None and parsed.blank_free  # read through the text
    expected = _by_objects(path, fmt, "f")
    assert _exactly(parsed.statements) == _exactly(expected)
    assert parsed.statements == expected
    if fmt == "trig":
        assert {q[3] for q in parsed.statements} == {URIRef("http://example.org/g")} | (
            {None} if DEFAULT_GRAPH in text else set())
    rdf_format = pyoxigraph.RdfFormat.TRIG if fmt == "trig" else pyoxigraph.RdfFormat.TURTLE
    assert [str(q) for q in parsed.oxigraph] == [
        str(q) for q in pyoxigraph.parse(path.read_bytes(), format=rdf_format, base_iri=path.as_uri())]


@pytest.mark.parametrize(("fmt", "text"), [("turtle", TURTLE), ("trig", TRIG), ("trig", TRIG + DEFAULT_GRAPH)])
def test_the_terms_are_made_in_the_order_the_quads_path_makes_them(tmp_path: Path, fmt: str, text: str):
    # The first bad term of a file (a literal over the size limit, say) is the one its error names.
    path = tmp_path / "f"
    path.write_text(text, encoding="utf-8")
    rdf_format = pyoxigraph.RdfFormat.TRIG if fmt == "trig" else pyoxigraph.RdfFormat.TURTLE
    quads = list(pyoxigraph.parse(path.read_bytes(), format=rdf_format, base_iri=path.as_uri()))
    by_quads = ToRdflib("f")
    list(by_quads.quads(quads) if fmt == "trig" else by_quads.triples(quads))
    written = pyoxigraph.serialize(quads, format=pyoxigraph.RdfFormat.N_QUADS if fmt == "trig"
                                   else pyoxigraph.RdfFormat.N_TRIPLES)
    assert written is not None
    lines = written.decode().split(" .\n")[:-1]
    by_text = ToRdflib("f")
    by_text.text_quads(lines) if fmt == "trig" else by_text.text_triples(lines)
    assert _exactly([by_text.terms()]) == _exactly([by_quads.terms()])


def test_a_turtle_file_in_a_graph_gives_the_store_its_quads_in_that_graph(tmp_path: Path):
    path = tmp_path / "f.ttl"
    path.write_text(TURTLE, encoding="utf-8")
    parsed = read_rdf(path, "turtle", "f", graph="http://example.org/in")
    graph = pyoxigraph.NamedNode("http://example.org/in")
    assert [str(q) for q in parsed.oxigraph] == [
        str(pyoxigraph.Quad(q.subject, q.predicate, q.object, graph))
        for q in pyoxigraph.parse(path.read_bytes(), format=pyoxigraph.RdfFormat.TURTLE, base_iri=path.as_uri())]


def test_a_term_read_through_text_and_through_quads_is_one_object(tmp_path: Path):
    text, blank = tmp_path / "text.ttl", tmp_path / "blank.ttl"
    text.write_text('<http://example.org/a> <http://example.org/p> "x"@en, <http://example.org/b> .\n',
                    encoding="utf-8")
    blank.write_text('_:n <http://example.org/p> "x"@en, <http://example.org/b> .\n', encoding="utf-8")
    shared: dict = {}
    first = read_rdf(text, "turtle", "text.ttl", shared)
    second = read_rdf(blank, "turtle", "blank.ttl", shared)
    assert first.nquads is not None and second.nquads is None  # one way each
    assert first.statements[0][1] is second.statements[0][1]
    assert first.statements[0][2] is second.statements[0][2]
    assert first.statements[1][2] is second.statements[1][2]
    shared = {}
    second = read_rdf(blank, "turtle", "blank.ttl", shared)
    first = read_rdf(text, "turtle", "text.ttl", shared)
    assert first.statements[0][2] is second.statements[0][2]


def test_a_literal_rdflib_normalises_still_tells_the_store_it_is_not_as_written(tmp_path: Path):
    report = _one_report_project(tmp_path)
    (report / "a.ttl").write_text('<http://example.org/a> <http://example.org/p> 1 .\n', encoding="utf-8")
    with without_cycle_collection():
        assert load_dataset(discover_inputs(tmp_path)).store_exact
    (report / "a.ttl").write_text(
        '<http://example.org/a> <http://example.org/p> "01"^^<http://www.w3.org/2001/XMLSchema#integer> .\n',
        encoding="utf-8")
    with without_cycle_collection():
        sources = load_dataset(discover_inputs(tmp_path))
    assert not sources.store_exact
    assert Literal("1", datatype=URIRef("http://www.w3.org/2001/XMLSchema#integer")) in \
        {o for _, _, o in sources.dataset.graph(URIRef("https://w3id.org/newskg/graph/article/r1"))}


def test_a_file_whose_text_holds_what_a_blank_node_is_written_with_is_read_through_its_quads(tmp_path: Path):
    path = tmp_path / "f.ttl"
    path.write_text('<http://example.org/a> <http://example.org/p> "_:x and <<" .\n', encoding="utf-8")
    parsed = read_rdf(path, "turtle", "f")
    assert parsed.nquads is None and parsed.blank_free
    assert parsed.statements == [(URIRef("http://example.org/a"), URIRef("http://example.org/p"), Literal("_:x and <<"))]


def test_a_trig_file_read_through_its_text_gives_the_store_its_claims_graphs_one_after_another(tmp_path: Path):
    # The claims' graphs interleaved and a triple of the default graph, and no blank node: the
    # store takes the file's N-Quads lines graph by graph, claims' graphs only, as it took quads.
    report = _one_report_project(tmp_path)
    (report / "a.ttl").write_text('<http://example.org/a> <http://example.org/p> "x" .\n', encoding="utf-8")
    (report / "c.trig").write_text(
        "@prefix ex: <http://example.org/> .\n"
        'ex:c1 { ex:a ex:p 1 . } ex:c2 { ex:b ex:p "two words" . }\n'
        "ex:x ex:p ex:y .\nex:c1 { ex:a ex:p 3 . }\n", encoding="utf-8")
    with without_cycle_collection():
        sources = load_dataset(discover_inputs(tmp_path))
    assert read_rdf(report / "c.trig", "trig", "c.trig").nquads is not None  # read through the text
    ex = "http://example.org/"
    assert [str(q) for q in sources.quality_store()] == [str(q) for q in _store_of([
        (ex + "C", "http://www.w3.org/1999/02/22-rdf-syntax-ns#type", pyoxigraph.NamedNode(ex + "K"),
         "https://w3id.org/newskg/graph/ontology"),
        (ex + "a", ex + "p", pyoxigraph.Literal("x"), "https://w3id.org/newskg/graph/article/r1"),
        (ex + "a", ex + "p", _integer("1"), ex + "c1"), (ex + "a", ex + "p", _integer("3"), ex + "c1"),
        (ex + "b", ex + "p", pyoxigraph.Literal("two words"), ex + "c2")])]
    assert len(sources.problems) == 1  # the triple of the default graph


def _one_report_project(root: Path) -> Path:
    """A project at ``root`` with a one-triple ontology and report r1's folder (its text only)."""
    (root / "ontology").mkdir()
    (root / "ontology" / "o.ttl").write_text("<http://example.org/C> a <http://example.org/K> .\n",
                                              encoding="utf-8")
    report = root / "graph" / "r1"
    report.mkdir(parents=True)
    (report / "source.txt").write_text("text\n", encoding="utf-8")
    return report


def _integer(value: str) -> pyoxigraph.Literal:
    return pyoxigraph.Literal(value, datatype=pyoxigraph.NamedNode("http://www.w3.org/2001/XMLSchema#integer"))


def _store_of(quads: list[tuple]) -> pyoxigraph.Store:
    store = pyoxigraph.Store()
    store.bulk_extend([pyoxigraph.Quad(pyoxigraph.NamedNode(s), pyoxigraph.NamedNode(p), o, pyoxigraph.NamedNode(g))
                       for s, p, o, g in quads])
    return store
