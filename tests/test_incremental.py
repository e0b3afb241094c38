"""Incremental re-reasoning (newskg.build.incremental) gives what a full re-reasoning gives.

Each test reasons over an input in full (`infer_levels`), and over a part of it first, then
extends that engine with the rest; the two outcomes must be identical: the kept triples of
every level, the counts of derived triples, the noise counts, the closure size, and the
inconsistencies with the level each first holds at. On the real project (all but one claim or
report, then the rest), on random graphs over every OWL 2 RL construct split at random, and on
small cases that move a triple down a level. The saved state is ignored when damaged or stale.
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF, RDFS

from newskg.build import claim_layer, union_graph
from newskg.build.incremental import (
    IncrementalReasoner,
    NeedsFullReasoning,
    added_triples,
    build_key,
    extend,
    outcome,
    report_additions,
    state_path,
)
from newskg.build.levels import read_claims, split_by_level
from newskg.build.rules import LevelledRules, RulesEngine, UnsupportedByRulesError, infer_levels
from newskg.build.rules_tbox import _cache_key, _canonical_bnode_labels, split_tbox
from newskg.build.sources import discover_inputs, load_dataset
from newskg.namespaces import ARTICLE_GRAPH_BASE, BACKGROUND_GRAPH, ONTOLOGY_GRAPH

sys.path.insert(0, str(Path(__file__).resolve().parent))
from synthetic_abox import random_owl_graph

EX = "http://example.org/"
PREFIXES = f"@prefix : <{EX}> . @prefix owl: <{OWL}> . @prefix rdf: <{RDF}> . @prefix rdfs: <{RDFS}> .\n"


def ex(name: str) -> URIRef:
    return URIRef(EX + name)


def graph_of(turtle: str) -> Graph:
    return Graph().parse(data=PREFIXES + turtle, format="turtle")


def graph_from(triples) -> Graph:
    graph = Graph()
    for triple in triples:
        graph.add(triple)
    return graph


def assert_identical(ours: LevelledRules, full: LevelledRules) -> None:
    assert len(ours.levels) == len(full.levels)
    for index, (mine, theirs) in enumerate(zip(ours.levels, full.levels, strict=True)):
        assert len(mine.kept) == len(set(mine.kept)), f"level {index}: a triple kept twice"
        assert set(mine.kept) == set(theirs.kept), f"level {index}"
        assert {(f.level, f.rule, f.message) for f in mine.findings} == \
            {(f.level, f.rule, f.message) for f in theirs.findings}, f"level {index}"
        assert mine.derived == theirs.derived, f"level {index}"
    assert ours.noise == full.noise
    assert ours.closure_size == full.closure_size


def reason_in_two_steps(tbox: Graph, before: list, after: list) -> LevelledRules:
    """Reason over `before` (levels of triples) in full, then extend with what `after` adds;
    check that the changes extend() returns are the difference of the two outcomes."""
    engine = RulesEngine(tbox)
    for triples in before:
        engine.add_level(triples)
    first = outcome(engine)
    first_new = len(engine.terms.terms)
    changes = extend(engine, added_triples(engine, after), first_new)
    result = outcome(engine)
    for index, (old, new) in enumerate(zip(first.levels, result.levels, strict=True)):
        assert set(changes.added[index]) == set(new.kept) - set(old.kept), f"level {index}"
        assert set(changes.removed[index]) == set(old.kept) - set(new.kept), f"level {index}"
    assert changes.noise == result.noise
    assert changes.closure_size == result.closure_size
    assert changes.findings == sorted((f for level in result.levels for f in level.findings),
                                      key=lambda f: (f.level, f.rule, f.message))
    return result


# ---------------------------------------------------------------- the outcome read off the store

@pytest.mark.parametrize("seed", range(200, 212))
def test_the_outcome_read_off_the_store_is_what_the_levels_returned(seed):
    tbox_triples, abox = split_tbox(random_owl_graph(seed))
    draw = random.Random(seed)
    levels: list[list] = [[], [], []]
    for triple in abox:
        levels[draw.randrange(3)].append(triple)
    engine = RulesEngine(graph_from(tbox_triples))
    try:
        returned = [engine.add_level(triples) for triples in levels]
    except UnsupportedByRulesError:
        return
    full = LevelledRules(returned, engine.closure_size(), engine.noise)
    assert_identical(outcome(engine), full)


# ---------------------------------------------------------------- random graphs, split at random

def random_split(seed: int):
    """A random graph's TBox, and its ABox at random levels twice: `before` a random part of it,
    each triple at its level or a weaker one (so that `after` only adds or moves down)."""
    tbox_triples, abox = split_tbox(random_owl_graph(seed))
    draw = random.Random(seed)
    after: list[list] = [[], [], []]
    before: list[list] = [[], [], []]
    for triple in abox:
        level = draw.randrange(3)
        after[level].append(triple)
        if draw.random() < 0.6:
            before[draw.randrange(level, 3)].append(triple)
    return graph_from(tbox_triples), before, after


@pytest.mark.parametrize("seed", range(300, 360))
def test_a_random_graph_extended_at_random_levels_is_reasoned_as_in_full(seed):
    tbox, before, after = random_split(seed)
    try:
        full = infer_levels(tbox, after[0], after[1:])
    except UnsupportedByRulesError:
        return
    try:
        ours = reason_in_two_steps(tbox, before, after)
    except NeedsFullReasoning as err:  # owl:sameAs, a datatype used at a stronger level
        pytest.skip(f"not incremental: {err}")
    assert_identical(ours, full)


def test_most_random_splits_are_reasoned_incrementally():
    # The test above may skip: it must not skip so often that it tests nothing.
    incremental = 0
    for seed in range(300, 360):
        tbox, before, after = random_split(seed)
        try:
            infer_levels(tbox, after[0], after[1:])
            reason_in_two_steps(tbox, before, after)
        except (NeedsFullReasoning, UnsupportedByRulesError):
            continue
        incremental += 1
    assert incremental >= 30


# ---------------------------------------------------------------- levels moving down

CHAIN_TBOX = (":subOrg a owl:TransitiveProperty . :belongs owl:propertyChainAxiom ( :subOrg :belongs ) ; "
              "rdfs:domain :Organisation ; rdfs:range :State . :State owl:disjointWith :Organisation . "
              ":Organisation rdfs:subClassOf :Actor .")


def test_a_triple_asserted_at_a_stronger_level_moves_its_consequences_down():
    tbox = graph_of(CHAIN_TBOX)
    before = [graph_of(":army :belongs :pk ."), graph_of(""), graph_of(":unit :subOrg :agency . "
                                                                       ":agency :subOrg :army .")]
    after = [graph_of(":army :belongs :pk . :unit :subOrg :agency ."), graph_of(""),
             graph_of(":agency :subOrg :army .")]
    first = infer_levels(tbox, before[0], before[1:])
    derived = (ex("unit"), ex("belongs"), ex("pk"))
    assert derived in first.levels[2].kept
    ours = reason_in_two_steps(tbox, before, after)
    assert_identical(ours, infer_levels(tbox, after[0], after[1:]))
    assert derived in ours.levels[2].kept  # :agency :subOrg :army is still assessed
    after[0] = union_graph(after[0], graph_of(":agency :subOrg :army ."))
    ours = reason_in_two_steps(tbox, before, after)
    assert_identical(ours, infer_levels(tbox, after[0], after[1:]))
    # the whole chain moved down: the derived triple, and what follows from it (its domain's
    # type, that type's superclass), now confirmed and no longer assessed
    for triple in (derived, (ex("unit"), RDF.type, ex("Organisation")), (ex("unit"), RDF.type, ex("Actor")),
                   (ex("unit"), ex("subOrg"), ex("army"))):
        assert triple in ours.levels[0].kept
        assert triple not in ours.levels[2].kept


def test_an_inconsistency_moves_down_with_its_premises():
    tbox = graph_of(CHAIN_TBOX)
    before = [graph_of(":unit :belongs :pk ."), graph_of(""), graph_of(":pk :belongs :x .")]
    after = [graph_of(":unit :belongs :pk . :pk :belongs :x ."), graph_of(""), graph_of("")]
    first = infer_levels(tbox, before[0], before[1:])
    assert [len(level.findings) for level in first.levels] == [0, 0, 1]  # :pk a State and an Organisation
    ours = reason_in_two_steps(tbox, before, after)
    assert [len(level.findings) for level in ours.levels] == [1, 0, 0]
    assert_identical(ours, infer_levels(tbox, after[0], after[1:]))


def test_a_derived_triple_asserted_above_stays_kept_where_derived():
    tbox = graph_of(CHAIN_TBOX)
    before = [graph_of(":unit :subOrg :army . :army :belongs :pk ."), graph_of(""), graph_of("")]
    after = [before[0], graph_of(":unit :belongs :pk ."), graph_of(":x :subOrg :unit .")]
    ours = reason_in_two_steps(tbox, before, after)
    assert (ex("unit"), ex("belongs"), ex("pk")) in ours.levels[0].kept
    assert_identical(ours, infer_levels(tbox, after[0], after[1:]))


@pytest.mark.parametrize("change, why", [
    ("removed", "removed or moved to a weaker level"),
    ("weaker", "removed or moved to a weaker level"),
    ("sameAs", "owl:sameAs"),
])
def test_a_change_that_is_not_an_addition_is_refused(change, why):
    tbox = graph_of(CHAIN_TBOX)
    before = [graph_of(":unit :subOrg :army ."), graph_of(":army :belongs :pk ."), graph_of("")]
    after = {"removed": [graph_of(""), before[1], graph_of("")],
             "weaker": [graph_of(""), before[1], before[0]],
             "sameAs": [before[0], before[1], graph_of(":a owl:sameAs :b .")]}[change]
    engine = RulesEngine(tbox)
    for triples in before:
        engine.add_level(triples)
    with pytest.raises(NeedsFullReasoning, match=why):
        extend(engine, added_triples(engine, after), len(engine.terms.terms))


# ---------------------------------------------------------------- the real project, split

@pytest.fixture(scope="module")
def real_project(project_root):
    sources = load_dataset(discover_inputs(project_root))
    tbox = sources.dataset.graph(ONTOLOGY_GRAPH)
    return sources, tbox


def project_levels(sources, skip_claims=frozenset(), skip_report: str | None = None) -> list[Graph]:
    """The build's levels (claim layer and confirmed facts, then reported, assessed) of the
    project without the content of `skip_claims`, and without the report `skip_report`."""
    claims = Graph()
    skipped_graph = URIRef(ARTICLE_GRAPH_BASE + skip_report) if skip_report else None
    for graph in sources.dataset.graphs():
        name = graph.identifier
        if name != skipped_graph and (name == BACKGROUND_GRAPH or str(name).startswith(ARTICLE_GRAPH_BASE)):
            for triple in graph:
                claims.add(triple)
    content = [sources.dataset.graph(iri) for iri, path in sorted(sources.content_files.items())
               if iri not in skip_claims and not (skip_report and path.startswith(f"graph/{skip_report}/"))]
    facts = split_by_level(content, read_claims(claims))
    return [union_graph(claims, facts.by_level[0]), *facts.by_level[1:]]


def last_report(sources) -> str:
    return max(path.split("/")[1] for path in sources.content_files.values() if path.count("/") >= 2)


def test_the_real_project_with_one_claim_added_is_reasoned_as_in_full(real_project):
    sources, tbox = real_project
    claims = read_claims(claim_layer(sources.dataset))
    after = project_levels(sources)
    full = infer_levels(tbox, after[0], after[1:])
    tried: dict = {}  # level (None: enters none) -> claims tried
    for iri in sorted(sources.content_files):
        level = claims[iri].level if iri in claims else "no claim"
        if len(tried.setdefault(level, [])) >= 2:
            continue
        before = project_levels(sources, skip_claims={iri})
        if sum(map(len, before)) == sum(map(len, after)):
            continue  # what it states, another claim states too
        tried[level].append(iri)
        assert_identical(reason_in_two_steps(tbox, before, after), full)
    assert all(len(tried.get(level, ())) == 2 for level in (0, 1, 2))


def test_the_real_project_with_its_report_added_is_reasoned_as_in_full(real_project):
    sources, tbox = real_project
    after = project_levels(sources)
    before = project_levels(sources, skip_report=last_report(sources))
    assert sum(map(len, before)) < sum(map(len, after)) - 100
    assert_identical(reason_in_two_steps(tbox, before, after), infer_levels(tbox, after[0], after[1:]))


# ---------------------------------------------------------------- the saved state

def test_the_reasoner_extends_its_saved_state_and_says_so(real_project, tmp_path):
    sources, tbox = real_project
    before, after = project_levels(sources, skip_report=last_report(sources)), project_levels(sources)
    reasoner = IncrementalReasoner(tmp_path)
    first = reasoner.levels(tbox, before[0], before[1:])
    assert first.how.startswith("full re-reasoning: no saved state")
    assert_identical(first, infer_levels(tbox, before[0], before[1:]))
    second = reasoner.levels(tbox, after[0], after[1:])
    assert second.how.startswith("incremental")
    assert_identical(second, infer_levels(tbox, after[0], after[1:]))
    # and from the state the extension saved: nothing added this time
    third = reasoner.levels(tbox, after[0], after[1:])
    assert third.how.startswith("incremental: 0 asserted")
    assert_identical(third, second)
    # a report removed: reasoned in full, and said why
    fourth = reasoner.levels(tbox, before[0], before[1:])
    assert "removed or moved to a weaker level" in fourth.how
    assert_identical(fourth, first)


def _state_file(tmp_path: Path, tbox: Graph) -> Path:
    return state_path(tmp_path, _cache_key(tbox, _canonical_bnode_labels(tbox)))


@pytest.mark.parametrize("damage", ["flip", "truncate", "garbage", "version", "other pickle", "empty"])
def test_a_damaged_state_is_ignored_never_trusted(damage, tmp_path):
    import pickle
    import zlib

    tbox = graph_of(CHAIN_TBOX)
    before = [graph_of(":unit :subOrg :army ."), graph_of(":army :belongs :pk ."), graph_of("")]
    after = [before[0], before[1], graph_of(":x :subOrg :unit .")]
    reasoner = IncrementalReasoner(tmp_path)
    reasoner.levels(tbox, before[0], before[1:])
    path = _state_file(tmp_path, tbox)
    data = path.read_bytes()
    head, _, payload = data.partition(b"\n")[2].partition(b"\n")
    magic = data[:data.index(b"\n") + 1]
    if damage == "flip":
        middle = len(data) // 2
        data = data[:middle] + bytes([data[middle] ^ 0xFF]) + data[middle + 1:]
    elif damage == "truncate":
        data = data[:-100]
    elif damage == "garbage":
        data = b"\x80\x05garbage" * 100
    elif damage == "version":
        data = magic + head.replace(head.split()[0], b"999") + b"\n" + payload
    elif damage == "other pickle":  # a well-formed file holding something else
        other = pickle.dumps({"version": 1, "engine": "not an engine"})
        data = magic + f"1 {len(other)} {zlib.crc32(other)}\n".encode() + other
    else:
        data = b""
    path.write_bytes(data)
    result = reasoner.levels(tbox, after[0], after[1:])
    assert result.how == "full re-reasoning: the saved state is damaged or of another version"
    assert_identical(result, infer_levels(tbox, after[0], after[1:]))
    # and the state written then is whole again
    assert reasoner.levels(tbox, after[0], after[1:]).how.startswith("incremental")


def test_a_state_saved_for_another_ontology_is_not_used(tmp_path):
    before = [graph_of(":unit :subOrg :army ."), graph_of(":army :belongs :pk ."), graph_of("")]
    reasoner = IncrementalReasoner(tmp_path)
    reasoner.levels(graph_of(CHAIN_TBOX), before[0], before[1:])
    other = graph_of(CHAIN_TBOX + " :Actor rdfs:subClassOf :Thing .")
    result = reasoner.levels(other, before[0], before[1:])
    assert result.how == "full re-reasoning: no saved state for this ontology"
    assert_identical(result, infer_levels(other, before[0], before[1:]))
    assert len(list(tmp_path.glob("rules-state-*"))) == 1  # the stale one is gone


def test_the_ontologys_blank_nodes_are_matched_in_a_new_parse(tmp_path):
    # The same ontology parsed again has other blank node labels; the state still fits it.
    text = CHAIN_TBOX + " :Unit owl:equivalentClass [ owl:onProperty :subOrg ; owl:someValuesFrom :Actor ] ."
    before = [graph_of(":unit :subOrg :army ."), graph_of(""), graph_of("")]
    after = [graph_of(":unit :subOrg :army . :army a :Actor ."), graph_of(""), graph_of("")]
    reasoner = IncrementalReasoner(tmp_path)
    reasoner.levels(graph_of(text), before[0], before[1:])
    tbox = graph_of(text)
    result = reasoner.levels(tbox, after[0], after[1:])
    assert result.how.startswith("incremental")
    assert (ex("unit"), RDF.type, ex("Unit")) in result.levels[0].kept
    assert_identical(result, infer_levels(tbox, after[0], after[1:]))


# ---------------------------------------------------------------- a build that adds a report

def _pipeline_input(root: Path):
    """What run_pipeline gives the reasoner, and the build's key of its input."""
    inputs = discover_inputs(root)
    sources = load_dataset(inputs)
    claims_graph = claim_layer(sources.dataset)
    claims = read_claims(claims_graph)
    facts = split_by_level(sources.content_graphs(), claims)
    base = union_graph(claims_graph, facts.by_level[0])
    return sources.dataset.graph(ONTOLOGY_GRAPH), base, facts, sources, build_key(inputs, claims)


def test_a_build_that_adds_a_report_says_what_it_adds_and_gets_a_full_builds_result(tmp_path):
    import shutil

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
    from corpus import generate

    project = tmp_path / "project"
    generate(project, reports=3, seed=2)
    last = sorted((project / "graph").glob("report-*"))[-1]
    shutil.move(last, tmp_path / "aside")
    tbox, base, facts, sources, key = _pipeline_input(project)
    reasoner = IncrementalReasoner(tmp_path / "cache")
    assert reasoner.levels(tbox, base, facts.by_level[1:], key).how.startswith("full")
    shutil.move(tmp_path / "aside", last)
    tbox, base, facts, sources, key = _pipeline_input(project)
    told = []

    def additions(saved):
        told.append(report_additions(saved, key, sources, facts))
        return told[-1]

    result = reasoner.levels(tbox, base, facts.by_level[1:], key, additions)
    assert "the build's account of its new files" in result.how
    assert told[0] is not None and sum(len(level) for level in told[0]) > 100
    assert_identical(result, infer_levels(tbox, base, facts.by_level[1:]))
    # a claim's status changed by hand: not an addition, whatever the files say
    saved = dict(key, claims={**key["claims"], next(iter(key["claims"])): 99})
    assert report_additions(saved, key, sources, facts) is None
    # a report removed: the build cannot account for it, the comparison finds it
    shutil.rmtree(last)
    tbox, base, facts, sources, key = _pipeline_input(project)
    result = reasoner.levels(tbox, base, facts.by_level[1:], key,
                             lambda saved: report_additions(saved, key, sources, facts))
    assert "removed or moved to a weaker level" in result.how
    assert_identical(result, infer_levels(tbox, base, facts.by_level[1:]))


def test_build_full_reasons_from_scratch_and_saves_a_state_the_next_build_extends(tmp_path):
    from click.testing import CliRunner

    from newskg.cli import main

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
    from corpus import generate

    project = tmp_path / "project"
    generate(project, reports=2, seed=3)
    runner = CliRunner()

    def build(*options: str) -> str:
        result = runner.invoke(main, ["--project", str(project), "build", *options])
        assert result.exit_code == 0, result.output
        return result.output

    assert "reasoned: full re-reasoning: no saved state" in build()
    assert "reasoned: incremental: 0 asserted" in build("--force")
    full = build("--full")  # implies --force: nothing changed, yet it builds
    assert "reasoned: full re-reasoning: asked for (--full)" in full
    assert "reasoned: incremental: 0 asserted" in build("--force")  # the state --full saved
