"""The level view (newskg.views) answers every saved query as the graphs themselves do, and never
shows itself.

A query at a level reads the ontology, every report's graph, the background and its level's
facts and inferences; the store holds the graphs every level reads (those of `confirmed`) merged
into its default graph, and the embedded engine reads that instead of a list of one graph a report. The
reference is what there was before: dataset.nq loaded into a fresh pyoxigraph store (no view),
each query given its level's list of graphs. Compared on the article's build and a synthetic
corpus of many reports, each written with a persistent store (as a large build is) and read
from dataset.nq into memory (as a small build is), for every saved query at every level.
"""

from __future__ import annotations

import json
import shutil
from collections import Counter
from pathlib import Path

import pyoxigraph
import pytest

from conftest import project_sources
from newskg.namespaces import ARTICLE_GRAPH_BASE, GRAPH_BASE, LEVELS
from newskg.project import GRAPH_INDEX_NAME, Build, graph_role
from newskg.query.catalog import list_saved_queries, prepare_query_text
from newskg.query.engines import EmbeddedEngine
from newskg.query.results import AskResult, SelectResult, Term
from newskg.views import VIEW_RECORD, view_graphs

NKG = "https://w3id.org/newskg/ontology#"
#: The actor taking part in most facts, and the one most at risk: the entity queries' parameters.
BUSIEST = f"""SELECT ?actor (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ ?fact <{NKG}hasParticipant> ?actor }} }}
GROUP BY ?actor ORDER BY DESC(?n) ?actor LIMIT 1"""
AT_RISK = BUSIEST.replace("hasParticipant", "riskFor")


def _build(root: Path, with_store: bool) -> Path:
    from newskg.build import build_project

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("newskg.build.writer.PERSISTENT_STORE_MIN_QUADS", 0 if with_store else 10**12)
        build_project(root)
    return root


@pytest.fixture(scope="module", params=["article", "corpus"])
def source(request, tmp_path_factory, project_root: Path) -> Path:
    """The sources of a project: the article's, or a synthetic corpus of several reports."""
    return project_sources(request.param, tmp_path_factory.mktemp(request.param) / "project")


@pytest.fixture(scope="module", params=["store", "in-memory"])
def built(request, source: Path, tmp_path_factory) -> Path:
    """The project built with a persistent store (as a large build) or without (as a small one)."""
    root = tmp_path_factory.mktemp(request.param) / "project"
    shutil.copytree(source, root)
    return _build(root, with_store=request.param == "store")


def reference_engine(build: Build) -> EmbeddedEngine:
    """What there was before views: dataset.nq in a fresh store, queries over lists of graphs."""
    store = pyoxigraph.Store()
    store.bulk_load(path=str(build.nquads_path), format=pyoxigraph.RdfFormat.N_QUADS)
    return EmbeddedEngine.from_store(store)


def comparable(result, concatenates: bool = False) -> object:
    """An answer as a multiset of rows (or triples). Blank nodes are anonymous: the reference
    store parsed dataset.nq anew. SPARQL leaves the order inside GROUP_CONCAT unspecified, so
    for a query using it the words of each literal are compared sorted."""
    def norm(term: Term) -> str:
        if term.kind == "bnode":
            return "_:"
        if concatenates and term.kind == "literal":
            term = Term(term.kind, " ".join(sorted(term.value.split())), term.datatype, term.lang)
        return repr(term)

    if isinstance(result, AskResult):
        return result.value
    if isinstance(result, SelectResult):
        return Counter(tuple(sorted((k, norm(v)) for k, v in row.items())) for row in result.rows)
    return Counter(tuple(norm(t) for t in triple) for triple in result.triples)


def actors(build: Build) -> dict[str, str]:
    """The value the corpus holds for each entity parameter: the busiest actor, the one most at risk."""
    store = reference_engine(build)._store
    return {name: next(iter(store.query(text)))["actor"].value
            for name, text in (("entity", BUSIEST), ("actor", AT_RISK))}


def parameter_sets(query, build: Build, actor: dict[str, str]) -> list[dict[str, str]]:
    """Defaults, and each parameter set to a value the corpus holds (an actor, a report)."""
    sets: list[dict[str, str]] = [{}]
    for spec in query.params:
        if spec.type == "iri" and spec.name in actor:
            sets.append({spec.name: f"<{actor[spec.name]}>"})
        if spec.type == "report":
            sets.append({spec.name: build.report_slugs()[-1]})
    return sets


def test_every_saved_query_answers_through_the_view_as_over_the_graphs(built: Path):
    build = Build(built / "build")
    assert (build.dir / VIEW_RECORD).is_file() == build.store_path.is_dir()
    viewed = EmbeddedEngine(build.dir)
    assert viewed._view is not None and len(viewed._view.graphs) > 1, "the view is there to be compared"
    reference = reference_engine(build)
    actor = actors(build)
    compared: Counter[str] = Counter()
    for query in list_saved_queries(built / "queries"):
        if query.form == "UPDATE":
            continue
        for params in parameter_sets(query, build, actor):
            text = prepare_query_text(query, params)
            for level in LEVELS:
                graphs = query.default_graphs(build, level)
                ours = viewed.query(text, query.form, graphs)
                theirs = reference.query(text, query.form, graphs)
                concatenates = "GROUP_CONCAT" in text.upper()
                assert comparable(ours, concatenates) == comparable(theirs, concatenates), (query.name, params, level)
                nonempty = bool(ours.value) if isinstance(ours, AskResult) else bool(
                    ours.rows if isinstance(ours, SelectResult) else ours.triples)
                compared["answers" if nonempty else "empty"] += 1
    assert compared["answers"] >= 40, compared  # not vacuous: most of them return rows


def test_the_view_replaces_only_a_choice_holding_every_graph_it_merges(built: Path):
    build = Build(built / "build")
    view = EmbeddedEngine(build.dir)._view
    assert view is not None
    level = build.default_graphs("reported")
    assert view.dataset(build.default_graphs("confirmed")) == [None]
    assert view.dataset(level) == [None, GRAPH_BASE + "facts/reported", GRAPH_BASE + "inferred/reported"]
    # One report's graph, or all but one, is not the view: those graphs are read themselves.
    article = [g for g in level if g.startswith(ARTICLE_GRAPH_BASE)]
    assert view.dataset(article[:1]) == article[:1]
    assert view.dataset(level[1:]) == level[1:]
    inferred = build.default_graphs("confirmed", roles=("inferred",))  # a `#+ graph: inferred` query
    assert view.dataset(inferred) == inferred == [GRAPH_BASE + "inferred/confirmed"]
    assert view.graphs == set(view_graphs(build.graph_iris()))


def test_the_view_never_shows_as_a_graph_nor_leaves_the_store(built: Path):
    build = Build(built / "build")
    manifest = {g.iri for g in build.graphs() if g.triples}
    engine = EmbeddedEngine(build.dir)
    named = engine.query("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }", "SELECT", build.default_graphs())
    assert isinstance(named, SelectResult)
    assert {row["g"].value for row in named.rows} == manifest
    store = engine._store
    quads = sum(1 for _ in pyoxigraph.parse(path=str(build.nquads_path), format=pyoxigraph.RdfFormat.N_QUADS))
    assert sum(g.triples for g in build.graphs()) == quads
    # The default graph is exactly the set of triples of the graphs it merges, and nothing else is added.
    shared = {(q.subject, q.predicate, q.object) for iri in engine._view.graphs
              for q in store.quads_for_pattern(None, None, None, pyoxigraph.NamedNode(iri))}
    default = {(q.subject, q.predicate, q.object)
               for q in store.quads_for_pattern(None, None, None, pyoxigraph.DefaultGraph())}
    assert default == shared and len(store) == quads + len(default)
    for text in (build.nquads_path.read_text(encoding="utf-8"), build.trig_path.read_text(encoding="utf-8")):
        assert "store-view" not in text
    for line in build.nquads_path.read_text(encoding="utf-8").splitlines():
        assert line.endswith("> .") and graph_role(line.rsplit(" <", 1)[1][:-3]) in (
            "ontology", "article", "background", "facts", "inferred", "content"), line


def test_every_graph_union_is_what_it_was_before_views(built: Path):
    build = Build(built / "build")
    text = "SELECT ?s ?p ?o WHERE { ?s ?p ?o }"
    ours = EmbeddedEngine(build.dir).query(text, "SELECT")
    assert comparable(ours) == comparable(reference_engine(build).query(text, "SELECT"))


def test_an_update_drops_the_in_memory_view_first(source: Path, tmp_path: Path):
    root = tmp_path / "project"
    shutil.copytree(source, root)
    build = Build(_build(root, with_store=False).joinpath("build"))
    article = GRAPH_BASE + "article/" + build.report_slugs()[0]
    graphs = build.default_graphs()
    check = "SELECT ?o WHERE { <urn:x:s> <urn:x:p> ?o }"
    for update in (f'INSERT DATA {{ GRAPH <{article}> {{ <urn:x:s> <urn:x:p> "in a report" }} }}',
                   'INSERT DATA { <urn:x:s> <urn:x:p> "in the default graph" }'):
        engine, reference = EmbeddedEngine(build.dir), reference_engine(build)
        for each in (engine, reference):
            each.update(update)
        assert comparable(engine.query(check, "SELECT", graphs)) == comparable(
            reference.query(check, "SELECT", graphs)), update
    assert engine._view is None


def test_the_graph_index_stands_for_the_manifest_only_while_it_is_unchanged(built: Path, tmp_path: Path):
    copy = tmp_path / "build"
    shutil.copytree(built / "build", copy, copy_function=shutil.copy2)
    build = Build(copy)
    from_index = {level: build.default_graphs(level) for level in LEVELS}
    slugs = build.report_slugs()
    assert build._indexed_graphs() is not None
    (copy / GRAPH_INDEX_NAME).unlink()
    assert {level: build.default_graphs(level) for level in LEVELS} == from_index
    assert build.report_slugs() == slugs
    # A manifest changed after the index was written is read, not the index.
    shutil.copy2(built / "build" / GRAPH_INDEX_NAME, copy / GRAPH_INDEX_NAME)
    assert build._indexed_graphs() is not None
    manifest = json.loads(build.manifest_path.read_text(encoding="utf-8"))
    manifest["graphs"] = [g for g in manifest["graphs"] if g["iri"] != GRAPH_BASE + "background"]
    build.manifest_path.write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    assert build._indexed_graphs() is None
    assert GRAPH_BASE + "background" not in build.default_graphs()


# --- saved queries written for index lookups ---------------------------------------------------

#: The textbook form of the anchor part of two entity queries, which Oxigraph answers by joining
#: every anchor of the corpus; the saved queries say the same with one pattern and a filter.
TEXTBOOK = {
    "evidence-for-entity": """  OPTIONAL { ?claim nkg:hasAnchor ?anchor .
             ?anchor oa:hasSelector ?quoteSelector .
             ?quoteSelector oa:exact ?quote .
             OPTIONAL { ?anchor oa:hasSelector ?positionSelector .
                        ?positionSelector oa:start ?start } }
""",
    "risks-for-actor-and-who-assesses-them": """  OPTIONAL { ?claim nkg:hasAnchor/oa:hasSelector ?quoteSelector .
             ?quoteSelector oa:exact ?quote }
""",
}


def textbook(text: str, part: str) -> str:
    """The saved query's text with its anchor part in the textbook form ``part``."""
    start = text.index("  OPTIONAL { ?claim nkg:hasAnchor ?anchor .")
    end = text.index("FILTER(BOUND(?quote)) }\n", start) + len("FILTER(BOUND(?quote)) }\n")
    return text[:start] + part + text[end:]


@pytest.mark.parametrize("name", sorted(TEXTBOOK))
def test_entity_queries_answer_as_their_textbook_form(built: Path, name: str):
    build = Build(built / "build")
    engine = EmbeddedEngine(build.dir)
    query = next(q for q in list_saved_queries(built / "queries") if q.name == name)
    actor = actors(build)
    answered = 0
    for params in parameter_sets(query, build, actor):
        saved = prepare_query_text(query, params)
        plain = textbook(saved, TEXTBOOK[name])
        assert plain != saved
        for level in LEVELS:
            graphs = query.default_graphs(build, level)
            ours, theirs = engine.query(saved, "SELECT", graphs), engine.query(plain, "SELECT", graphs)
            assert isinstance(ours, SelectResult) and isinstance(theirs, SelectResult)
            assert ours.rows == theirs.rows, (params, level)  # the same rows in the same order
            answered += bool(ours.rows)
    assert answered, "not vacuous"
