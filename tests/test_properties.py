"""Properties that must hold for any input, checked with hypothesis (issue 14, item 4):

- any string, as a string parameter, is bound as exactly one literal, read back unchanged on
  every engine (pyoxigraph, rdflib, a real Oxigraph over HTTP), and the query stays a query;
- any string, as an IRI parameter, is refused or bound as exactly that one IRI;
- any folder name under graph/ becomes a graph IRI every parser accepts, or is refused by name;
- a build whose dataset.nq pyoxigraph rejects is never swapped in.

Examples are bounded (200 a property) and derandomized, so a run is repeatable and its time known.
"""

from __future__ import annotations

import logging
import os
import shutil
from pathlib import Path

import pyoxigraph
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib import Dataset, Graph, Literal, URIRef

from hostile_support import record, tree
from newskg.build.sources import discover_inputs
from newskg.build.writer import write_build
from newskg.errors import BuildWriteError, InputError, ParameterError
from newskg.namespaces import article_graph
from newskg.project import Build
from newskg.query.catalog import SavedQuery, prepare_query_text
from newskg.query.engines import EmbeddedEngine, RdflibEngine
from newskg.query.parameters import ParameterSpec
from newskg.query.results import Term
from newskg.query.sparql import query_form
from newskg.store.sparql import EndpointEngine

EXAMPLES = 200
PROPERTY = settings(max_examples=EXAMPLES, derandomize=True, deadline=None, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])

# rdflib logs every IRI it finds odd; the properties below produce many on purpose.
logging.getLogger("rdflib").setLevel(logging.ERROR)


def echo(kind: str) -> SavedQuery:
    return SavedQuery("echo", Path("echo.rq"), "SELECT ?v WHERE { }\n", params=[ParameterSpec("v", kind, None)])


@pytest.fixture(scope="module")
def engines(shared_oxigraph_server):
    """One engine of each kind, over stores that must stay empty."""
    return {"embedded": EmbeddedEngine.from_store(pyoxigraph.Store()),
            "rdflib": RdflibEngine.from_dataset(Dataset(default_union=True)),
            "endpoint": EndpointEngine(shared_oxigraph_server.query_url, ["urn:hostile:empty"], timeout=30)}


def run_everywhere(engines, text: str) -> dict[str, list]:
    assert query_form(text) == "SELECT"  # no value makes the query an update
    return {name: engine.query(text, "SELECT").rows for name, engine in engines.items()}


@PROPERTY
@given(value=st.text())
def test_any_string_is_one_literal_on_every_engine(engines, value):
    record("hypothesis", "a string parameter on every engine")
    text = prepare_query_text(echo("string"), {"v": value})
    for name, rows in run_everywhere(engines, text).items():
        assert rows == [{"v": Term.literal(value)}], name


@PROPERTY
@given(value=st.one_of(st.text(), st.text().map(lambda tail: "https://x.example/" + tail),
                       st.text().map(lambda tail: "nkr:" + tail)))
def test_any_string_is_refused_or_one_iri(engines, value):
    record("hypothesis", "an IRI parameter on every engine")
    try:
        text = prepare_query_text(echo("iri"), {"v": value})
    except ParameterError:
        return
    found = run_everywhere(engines, text)
    [row] = found["embedded"]
    assert row["v"].kind == "uri"
    assert all(rows == [row] for rows in found.values()), found


@pytest.fixture(scope="module")
def spare_project(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("names") / "project"
    (root / "ontology").mkdir(parents=True)
    (root / "graph").mkdir()
    return root


NAME = st.text(st.characters(codec="utf-8", blacklist_characters="/\x00"), min_size=1, max_size=40).filter(
    lambda n: n not in (".", "..") and len(n.encode("utf-8")) <= 255)


@PROPERTY
@given(name=NAME)
def test_any_folder_name_is_a_graph_iri_or_refused(spare_project, name):
    record("hypothesis", "a report folder name")
    graph_dir = spare_project / "graph"
    for entry in graph_dir.iterdir():
        shutil.rmtree(entry)
    try:
        folder = graph_dir / name
        folder.mkdir()
    except (OSError, UnicodeEncodeError):
        return  # not a name this filesystem takes
    (folder / "report.ttl").write_text("", encoding="utf-8")
    try:
        inputs = discover_inputs(spare_project)
    except InputError as err:
        shown = ("graph/" + name).encode("unicode_escape").decode("ascii") if not name.isprintable() else name
        assert shown in str(err)
        return
    [item] = inputs
    iri = str(article_graph(name))
    assert item.graph == URIRef(iri)
    # Every parser reads the graph name back as that same IRI.
    quad = f"<urn:s> <urn:p> <urn:o> <{iri}> .\n"
    [parsed] = list(pyoxigraph.parse(quad.encode(), format=pyoxigraph.RdfFormat.N_QUADS))
    assert parsed.graph_name.value == iri
    assert {str(g.identifier) for g in Dataset().parse(data=quad, format="nquads").graphs()} >= {iri}


TERM_TEXT = st.text(max_size=30)
TRIPLES = st.lists(st.tuples(
    TERM_TEXT.map(lambda t: URIRef("https://x.example/" + t)),
    st.one_of(TERM_TEXT.map(lambda t: Literal(t)),
              st.tuples(TERM_TEXT, st.sampled_from(["en", "fr-BE", "x-y-z"])).map(lambda p: Literal(p[0], lang=p[1])),
              TERM_TEXT.map(lambda t: URIRef("urn:x:" + t)))), min_size=1, max_size=5)
GRAPH_NAME = st.one_of(st.just("https://w3id.org/newskg/graph/background"),
                       TERM_TEXT.map(lambda t: "https://w3id.org/newskg/graph/article/" + t))


@pytest.fixture(scope="module")
def build_dir(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("parse-back") / "build"
    graph = Graph()
    graph.add((URIRef("https://x.example/s"), URIRef("https://x.example/p"), Literal("first")))
    write_build(Build(folder), {"https://w3id.org/newskg/graph/background": graph}, _manifest(1))
    return folder


def _manifest(triples: int) -> dict:
    return {"format": 1, "graphs": [{"iri": "https://w3id.org/newskg/graph/background", "role": "background",
                                     "file": "graphs/background.nt", "triples": triples}]}


@PROPERTY
@given(name=GRAPH_NAME, triples=TRIPLES)
def test_a_build_no_parser_reads_is_never_swapped_in(build_dir, name, triples):
    record("hypothesis", "a build parsed back before its swap")
    graph = Graph()
    for subject, obj in triples:
        graph.add((subject, URIRef("https://x.example/p"), obj))
    before = tree(build_dir)
    try:
        write_build(Build(build_dir), {name: graph}, _manifest(len(graph)))
    except BuildWriteError:
        assert tree(build_dir) == before  # refused: the previous build is untouched
    else:
        quads = list(pyoxigraph.parse(path=str(build_dir / "dataset.nq"), format=pyoxigraph.RdfFormat.N_QUADS))
        assert len(quads) == len(graph)
    assert not [p for p in build_dir.parent.iterdir() if p.name.startswith(".build-")]
    assert os.path.isdir(build_dir)
