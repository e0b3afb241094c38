"""What `load_dataset` makes of the files it parses: each Turtle file's own list of triples, each
claim's graph, and the quality-check store's quads in the order they always went in."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph
from rdflib import URIRef

from newskg.build.memory import without_cycle_collection
from newskg.build.sources import discover_inputs, load_dataset, read_rdf
from newskg.namespaces import article_graph

PREFIX = "@prefix ex: <http://example.org/> .\n"


def _project(root: Path) -> None:
    (root / "ontology").mkdir(parents=True)
    (root / "ontology" / "o.ttl").write_text(PREFIX + "ex:Thing a ex:Class .\n", encoding="utf-8")
    report = root / "graph" / "r1"
    report.mkdir(parents=True)
    (report / "source.txt").write_text("text\n", encoding="utf-8")
    # a triple twice in one file, and a file that repeats a triple of another of the same graph
    (report / "a.ttl").write_text(PREFIX + 'ex:a ex:p "x" .\nex:a ex:q ex:b .\nex:a ex:p "x" .\n',
                                  encoding="utf-8")
    (report / "b.ttl").write_text(PREFIX + 'ex:a ex:q ex:b .\nex:c ex:q [ ex:p "y"@en ] .\n', encoding="utf-8")
    # read by rdflib (a language tag in capitals)
    (report / "e.ttl").write_text(PREFIX + 'ex:d ex:p "x"@en-GB, 1 .\n', encoding="utf-8")
    # claims' graphs interleaved, a triple of the default graph and a graph named by a blank node
    (report / "c.trig").write_text(PREFIX + 'ex:c1 { ex:a ex:p 1 . } ex:c2 { ex:b ex:p 2 . }\n'
                                   'ex:x ex:p ex:y .\nex:c1 { ex:a ex:p 3 . } _:g { ex:z ex:p 4 . }\n',
                                   encoding="utf-8")
    other = root / "graph" / "r2"
    other.mkdir(parents=True)
    (other / "source.txt").write_text("text\n", encoding="utf-8")
    # claims' graphs interleaved, and nothing else
    (other / "c.trig").write_text(PREFIX + 'ex:c3 { ex:a ex:p 5 . } ex:c4 { _:n ex:p 7 . } ex:c3 { ex:a ex:p 6 . }\n',
                                  encoding="utf-8")
    (other / "d.trig").write_text(PREFIX + 'ex:c5 { ex:a ex:p 8 . ex:a ex:p 9 . } ex:c6 { ex:a ex:p 10 . }\n',
                                  encoding="utf-8")


def _store_quads_as_grouped_by_graph(root: Path) -> list[pyoxigraph.Quad]:
    """The quality-check store's quads as load_dataset always added them, written plainly:
    a report's Turtle in its graph in file order; a TriG file's graphs in the order first
    named, claims' graphs only, each in file order."""
    quads: list[pyoxigraph.Quad] = []
    for item in discover_inputs(root):
        if item.role == "content":
            parsed = read_rdf(item.path, "trig", item.relpath)
            by_graph: dict = {}
            for quad, oxigraph in zip(parsed.quads, parsed.oxigraph, strict=True):
                by_graph.setdefault(quad[3], []).append(oxigraph)
            for name, grouped in by_graph.items():
                if isinstance(name, URIRef):
                    quads += grouped
        elif item.graph is not None:
            graph = pyoxigraph.NamedNode(str(item.graph))
            quads += [pyoxigraph.Quad(q.subject, q.predicate, q.object, graph)
                      for q in read_rdf(item.path, "turtle", item.relpath).oxigraph]
    return quads


def test_each_turtle_file_keeps_its_own_triples_once_in_its_order(tmp_path: Path):
    _project(tmp_path)
    with without_cycle_collection():
        sources = load_dataset(discover_inputs(tmp_path))
    for relpath in ("graph/r1/a.ttl", "graph/r1/b.ttl", "graph/r1/e.ttl"):
        parsed = read_rdf(tmp_path / relpath, "turtle", relpath).statements
        assert sources.turtle_files[relpath] == list(dict.fromkeys(parsed)), relpath
    assert len(sources.turtle_files["graph/r1/a.ttl"]) == 2
    assert len(sources.turtle_files["graph/r1/b.ttl"]) == 3  # its triple of a.ttl's too
    assert len(sources.dataset.graph(article_graph("r1"))) == 4 + 2


def test_claims_graphs_and_the_store_are_those_of_the_files_grouped_by_graph(tmp_path: Path):
    _project(tmp_path)
    with without_cycle_collection():
        sources = load_dataset(discover_inputs(tmp_path))
    ex = "http://example.org/"
    assert sorted(map(str, sources.content_files)) == [ex + f"c{n}" for n in range(1, 7)]
    assert sorted(str(o) for _, _, o in sources.dataset.graph(URIRef(ex + "c1"))) == ["1", "3"]
    assert len(sources.dataset.graph(URIRef(ex + "c3"))) == 2
    assert sorted(p.message.split(" ")[0] for p in sources.problems) == ["1", "1"]  # default graph, _:g
    store = sources.quality_store()
    expected = pyoxigraph.Store()
    expected.bulk_extend(_store_quads_as_grouped_by_graph(tmp_path))
    # The store answers in an order that follows the order its quads went in.
    assert [str(q) for q in store] == [str(q) for q in expected]


def test_an_inputs_digest_is_read_once_so_fingerprint_key_and_manifest_agree(tmp_path):
    from newskg.build.sources import InputFile

    path = tmp_path / "a.ttl"
    path.write_text("<urn:a> <urn:b> <urn:c> .\n", encoding="utf-8")
    item = InputFile(path, "a.ttl", "background", None)
    first = item.sha256()
    path.write_text("<urn:a> <urn:b> <urn:d> .\n", encoding="utf-8")  # changed while the build runs
    assert item.sha256() == first
    assert InputFile(path, "a.ttl", "background", None).sha256() != first  # the next build reads it anew
    assert item == InputFile(path, "a.ttl", "background", None)  # the digest is no part of its identity
