"""Reading and writing with pyoxigraph means what rdflib meant: every input parses to the graphs
rdflib's own parsers give, and every file the writer makes holds exactly the graphs the pipeline
computed, as rdflib would have written them; the output is the same bytes build after build."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID

from newskg.build import _named_graphs, run_pipeline
from newskg.build.reuse import RECORD_NAME
from newskg.build.sources import discover_inputs, discover_reports, read_rdf
from newskg.project import Build, Project

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
import corpus


def _by_graph(quads) -> dict:
    graphs: dict = {}
    for s, p, o, g in quads:
        graphs.setdefault(None if g in (None, DATASET_DEFAULT_GRAPH_ID) else g, Graph()).add((s, p, o))
    return graphs


def _rdflib_parse(path: Path, fmt: str) -> dict:
    if fmt == "trig":
        dataset = Dataset()
        dataset.parse(path, format="trig", publicID=path.as_uri())
        return _by_graph(dataset.quads((None, None, None, None)))
    graph = Graph().parse(path, format="turtle", publicID=path.as_uri())
    return {None: graph} if len(graph) else {}


def _same_parse(path: Path) -> None:
    fmt = "trig" if path.suffix == ".trig" else "turtle"
    ours = _by_graph(read_rdf(path, fmt).quads)
    reference = _rdflib_parse(path, fmt)
    assert set(ours) == set(reference), path
    for name, graph in reference.items():
        assert isomorphic(ours[name], graph), f"{path}: graph {name} differs from rdflib's parse"


def test_every_input_of_the_project_parses_as_rdflib_parses_it(project_root: Path):
    inputs = discover_inputs(project_root)
    assert inputs
    for item in inputs:
        _same_parse(item.path)


def test_every_input_of_a_synthetic_corpus_parses_as_rdflib_parses_it(tmp_path: Path):
    corpus.generate(tmp_path, triples=3_000, seed=3)
    for item in discover_inputs(tmp_path):
        _same_parse(item.path)


TRICKY = """@prefix ex: <http://example.org/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@base <http://example.org/base/> .
ex:a ex:p 1, 1.0, 1.5e3, true, "01"^^xsd:integer, "1.0"^^xsd:decimal, "12"^^xsd:decimal ;
     ex:q "x"@en, "y"@en-GB, \"\"\"multi
line "quoted" \\\\ back\"\"\", "tab\\there", "caf\\u00e9", "\\U0001F600" ;
     ex:r <relative>, [ ex:s ( 1 2 [ ex:t ex:u ] ) ], _:shared .
_:shared ex:v "2025-04-01"^^xsd:date, "odd"^^ex:type .
"""


def test_literals_numbers_lists_and_blank_nodes_parse_as_rdflib_parses_them(tmp_path: Path):
    path = tmp_path / "tricky.ttl"
    path.write_text(TRICKY, encoding="utf-8")
    _same_parse(path)
    trig = tmp_path / "tricky.trig"
    trig.write_text(TRICKY.replace("ex:a ex:p", "ex:g { ex:a ex:p").replace('ex:type .\n', 'ex:type . }\n'),
                    encoding="utf-8")
    _same_parse(trig)


def test_blank_nodes_of_two_files_stay_apart_and_keep_their_labels_from_build_to_build(tmp_path: Path):
    one, two = tmp_path / "one.ttl", tmp_path / "two.ttl"
    for path in (one, two):
        path.write_text("_:x <http://example.org/p> [ <http://example.org/q> 1 ] .\n", encoding="utf-8")
    first, second = read_rdf(one, "turtle", "one.ttl"), read_rdf(two, "turtle", "two.ttl")
    blanks = {t for q in first.quads for t in q if isinstance(t, BNode)}
    assert len(blanks) == 2 and not blanks & {t for q in second.quads for t in q if isinstance(t, BNode)}
    assert read_rdf(one, "turtle", "one.ttl").quads == first.quads
    assert [str(q) for q in first.oxigraph] == [str(q) for q in read_rdf(one, "turtle", "one.ttl").oxigraph]


def _reference_graphs(root: Path) -> dict[str, Graph]:
    """The graphs the pipeline hands the writer, each round-tripped through rdflib's own
    N-Triples writer and parser: what the rdflib-based writer used to put on disk."""
    project = Project.at(root)
    result = run_pipeline(project, discover_inputs(project.root), discover_reports(project.root), strict=True)
    assert result.sources and result.facts and result.inference
    graphs = _named_graphs(result.sources, result.facts, result.inference)
    return {iri: Graph().parse(data=g.serialize(format="nt"), format="nt") for iri, g in graphs.items()}


@pytest.fixture(scope="module")
def copied(tmp_path_factory, project_root: Path) -> Path:
    root = tmp_path_factory.mktemp("io") / "project"
    for part in ("ontology", "graph", "queries"):
        shutil.copytree(project_root / part, root / part)
    return root


def test_every_file_of_the_build_holds_the_graphs_rdflib_would_have_written(copied: Path):
    from newskg.build import build_project

    build_project(copied, force=True)
    build = Build(copied / "build")
    reference = _reference_graphs(copied)
    listed = {g.iri: g for g in build.graphs()}
    assert set(listed) == set(reference)
    nquads = Dataset().parse(build.nquads_path, format="nquads")
    trig = Dataset().parse(build.trig_path, format="trig")
    for name, dataset in (("dataset.nq", nquads), ("dataset.trig", trig)):
        assert {str(g.identifier) for g in dataset.graphs() if len(g)} == set(reference), name
    for iri, expected in reference.items():
        assert listed[iri].triples == len(expected)
        assert isomorphic(Graph().parse(listed[iri].path, format="nt"), expected), listed[iri].path
        for name, dataset in (("dataset.nq", nquads), ("dataset.trig", trig)):
            assert isomorphic(dataset.graph(URIRef(iri)), expected), f"{name}: <{iri}>"


def test_a_decimal_keeps_its_lexical_form_in_the_trig_file(copied: Path):
    # rdflib's TriG writer wrote "12"^^xsd:decimal as 12.0, another literal; pyoxigraph's does not.
    from newskg.build import build_project

    build_project(copied, force=True)
    trig = Dataset().parse(copied / "build" / "dataset.trig", format="trig")
    decimals = {o for o in trig.objects() if isinstance(o, Literal) and str(o.datatype).endswith("#decimal")}
    nquads = Dataset().parse(copied / "build" / "dataset.nq", format="nquads")
    assert decimals == {o for o in nquads.objects() if isinstance(o, Literal) and str(o.datatype).endswith("#decimal")}


def test_two_builds_of_the_same_sources_are_the_same_bytes(copied: Path):
    from newskg.build import build_project

    def files(build: Path) -> dict[str, bytes]:
        # The manifest holds the build's time, the graph index the manifest's mtime, and the
        # graph-bytes record each file's (newskg.build.reuse; tests/test_writer_reuse.py).
        return {p.relative_to(build).as_posix(): p.read_bytes() for p in sorted(build.rglob("*"))
                if p.is_file() and p.name not in ("manifest.json", "graph-index.json", RECORD_NAME)
                and "store" not in p.relative_to(build).parts}

    build_project(copied, force=True)
    first = files(copied / "build")
    build_project(copied, force=True)
    assert files(copied / "build") == first


def test_a_line_joined_from_the_terms_is_what_pyoxigraphs_serializer_writes():
    import pyoxigraph

    from newskg.build.oxterms import ToOxigraph

    s, p = URIRef("https://example.org/s/é?a=b#c"), URIRef("https://example.org/p")
    objects = [Literal('a "quoted"\nline\\ back\t tab é 😀 \x01 \x7f \u2028'), Literal("x", lang="en-GB"),
               Literal("12", datatype=URIRef("http://www.w3.org/2001/XMLSchema#decimal")),
               Literal("s", datatype=URIRef("http://www.w3.org/2001/XMLSchema#string")), Literal(""),
               Literal("2025-04-17", datatype=URIRef("http://www.w3.org/2001/XMLSchema#date")),
               BNode("f0123456789b0"), s]
    converter = ToOxigraph()
    for o in objects:
        for triple in ((s, p, o), (BNode("f0123456789b1"), p, o)):
            written = pyoxigraph.serialize([converter.triple(triple)], format=pyoxigraph.RdfFormat.N_TRIPLES)
            assert written is not None
            assert converter.ntriples_line(triple) + "\n" == written.decode("utf-8"), o
            assert converter.ntriples_line(triple) == converter.ntriples_line(tuple(triple))  # cached: same


@pytest.mark.parametrize("failing", ["write_store", "_write_trig"])
def test_a_failure_while_the_store_loads_beside_the_trig_leaves_the_previous_build(tmp_path: Path, monkeypatch,
                                                                                   failing):
    """The store of a large build loads in a thread while dataset.trig is written: either one
    failing fails the build, after the other has stopped, with build/ as it was and no staging left."""
    import newskg.build.writer as writer_module
    from newskg.build import build_project
    from newskg.errors import BuildWriteError

    root = tmp_path / "corpus"
    corpus.generate(root, triples=12_000, seed=5)
    build_project(root)
    assert (root / "build" / "store").is_dir()
    before = sorted((p.relative_to(root), p.stat().st_mtime_ns) for p in (root / "build").rglob("*"))
    stopped = []

    def fail(*args, **kwargs):
        stopped.append(failing)
        raise BuildWriteError(f"{failing} failed (simulated)")

    monkeypatch.setattr(writer_module, failing, fail)
    with pytest.raises(BuildWriteError, match=failing):
        build_project(root, force=True)
    assert stopped == [failing]
    assert sorted((p.relative_to(root), p.stat().st_mtime_ns) for p in (root / "build").rglob("*")) == before
    assert [p.name for p in root.iterdir() if p.name.startswith(".build")] == []


def test_trig_names_found_by_lookup_are_those_the_scan_of_the_prefixes_finds():
    """TrigNames finds an IRI's prefix with one lookup when every base ends in '/' or '#' (the
    project's prefixes); the same names as the scan of every base it falls back to otherwise."""
    from newskg.build.trig import TrigNames

    prefixes = {"ex": "http://ex.org/", "deep": "http://ex.org/a/", "h": "http://ex.org/a#", "twin": "http://ex.org/",
                "odd": "http://ex.org/b"}
    iris = ["http://ex.org/x", "http://ex.org/a/x", "http://ex.org/a#x", "http://ex.org/a/b/x", "http://ex.org/",
            "http://ex.org/a/", "http://ex.org/x.y", "http://ex.org/a/x-1_2", "urn:x", "http://ex.org/a#x#y",
            "http://ex.org/bx", "http://other.org/x", "http://ex.org/a%20b"]
    lookup = TrigNames({k: v for k, v in prefixes.items() if k != "odd"})
    assert lookup._by_base is not None
    scan = TrigNames({k: v for k, v in prefixes.items() if k != "odd"})
    scan._by_base = None
    assert [lookup.name(f"<{i}>") for i in iris] == [scan.name(f"<{i}>") for i in iris]
    assert lookup.name("<http://ex.org/a/x>") == "deep:x" and lookup.name("<http://ex.org/x>") == "ex:x"
    assert lookup.name("<http://ex.org/a/b/x>") == "<http://ex.org/a/b/x>"
    assert TrigNames(prefixes)._by_base is None  # "odd" ends in neither
    assert TrigNames(prefixes).name("<http://ex.org/bx>") == "odd:x"


def test_the_trig_written_from_the_nquads_lines_holds_the_same_quads(tmp_path: Path):
    """dataset.trig is written from dataset.nq's lines by string work (newskg.build.trig): every
    kind of term, prefixed only where no escape is needed, parses back to the same quads, with
    pyoxigraph and with rdflib."""
    import pyoxigraph

    from newskg.build.trig import TrigNames, trig_graphs, trig_header

    ex, xsd = "http://example.org/", "http://www.w3.org/2001/XMLSchema#"
    prefixes = {"ex": ex, "exs": ex + "sub/", "xsd": xsd, "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#"}
    subjects = [f"<{ex}a>", f"<{ex}sub/b>", f"<{ex}sub/c.d>", f"<{ex}>", f"<{ex}9x>", f"<{ex}-x>",
                f"<{ex}a/b#c?d=e>", "<urn:x:é>", "_:f0123456789b0"]
    objects = [f"<{ex}o>", '"plain"', '"a \\"quoted\\" <b> c . d"', '"x"@en-GB', '"line\\nbreak\\ttab \\\\ é 😀"',
               f'"12"^^<{xsd}decimal>', f'"01"^^<{xsd}integer>', f'"odd"^^<{ex}my/type>', '""',
               "_:f0123456789b1", f"<{ex}sub/>"]
    predicates = ["<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>", f"<{ex}p>", f"<{ex}q-r>"]
    lines = []
    for graph in (f"{ex}g1", f"{ex}sub/g2"):
        lines += sorted(f"{s} {p} {o} <{graph}> .\n" for s in subjects for p in predicates for o in objects)
    nquads, trig = tmp_path / "dataset.nq", tmp_path / "dataset.trig"
    nquads.write_text("".join(lines), encoding="utf-8")
    # As the writer does (writer._write_trig): the prefix lines, then each graph's block.
    trig.write_text(trig_header(prefixes) + "".join(trig_graphs(lines, TrigNames(prefixes))), encoding="utf-8")
    text = trig.read_text(encoding="utf-8")
    assert "exs:b " in text and "exs:c.d" not in text and "ex:-x" not in text and "\t\ta " in text  # abbreviated where safe

    def oxigraph_quads(path: Path, fmt) -> set[str]:
        return {str(q) for q in pyoxigraph.parse(path=str(path), format=fmt)}

    assert oxigraph_quads(trig, pyoxigraph.RdfFormat.TRIG) == oxigraph_quads(nquads, pyoxigraph.RdfFormat.N_QUADS)
    expected = Dataset().parse(nquads, format="nquads")
    found = Dataset().parse(trig, format="trig")
    for name in (f"{ex}g1", f"{ex}sub/g2"):
        assert isomorphic(found.graph(URIRef(name)), expected.graph(URIRef(name))), name
    assert len(list(found.quads((None, None, None, None)))) == len(lines)


def test_lines_walked_from_the_index_are_the_lines_of_each_triple():
    """The writer walks an IndexedMemory graph's spo index, writing each subject and predicate
    once: the same lines as writing each triple whole."""
    from newskg.build.memory import IndexedMemory, new_graph
    from newskg.build.oxterms import ToOxigraph

    graph = new_graph()
    subjects = [URIRef("https://example.org/s/é?a=b#c"), BNode("f0123456789b0"), URIRef("https://example.org/t")]
    predicates = [URIRef("https://example.org/p"), URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")]
    objects = [Literal('a "quoted"\nline\\ back'), Literal("x", lang="en-GB"), BNode("f0123456789b1"),
               Literal("12", datatype=URIRef("http://www.w3.org/2001/XMLSchema#decimal")), subjects[0]]
    for s in subjects:
        for p in predicates:
            for o in objects:
                graph.add((s, p, o))
    assert isinstance(graph.store, IndexedMemory)
    walked = ToOxigraph().ntriples_lines(graph.store.by_subject())
    one_by_one = ToOxigraph()
    assert sorted(walked) == sorted(one_by_one.ntriples_line(t) for t in graph)
    assert len(walked) == len(graph) == 30


def test_one_walk_finds_the_inputs_and_reports_two_walks_find(tmp_path: Path):
    from newskg.build.sources import discover_sources

    corpus.generate(tmp_path, reports=3, seed=4)
    inputs, reports = discover_sources(tmp_path)
    assert inputs == discover_inputs(tmp_path) and reports == discover_reports(tmp_path)
    assert len(reports) == 3 and len(inputs) > 3
