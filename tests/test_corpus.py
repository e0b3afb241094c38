"""The benchmark corpus generator (benchmarks/corpus.py): deterministic, well-formed, in the
claim-content format of docs/status-levels.md, and of the size asked for."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import Dataset, Graph, Namespace, URIRef
from rdflib.namespace import RDF
from rdflib.term import IdentifiedNode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
import corpus  # noqa: E402

NKG = Namespace("https://w3id.org/newskg/ontology#")
NKR = "https://w3id.org/newskg/resource/"
NAMES = {URIRef("http://www.w3.org/2000/01/rdf-schema#label"), URIRef("http://www.w3.org/2000/01/rdf-schema#comment"),
         URIRef("http://www.w3.org/2004/02/skos/core#altLabel")}
STATUSES = {NKG.Confirmed, NKG.Reported, NKG.Assessed, NKG.NotEvidenced, NKG.Denied}


def _report_folders(root: Path) -> list[Path]:
    return sorted(p for p in (root / "graph").iterdir() if p.is_dir())


def _turtle(folder: Path) -> Graph:
    graph = Graph()
    for path in sorted(folder.glob("*.ttl")):
        graph.parse(path, format="turtle")
    return graph


def _content(path: Path) -> Dataset:
    dataset = Dataset()
    dataset.parse(path, format="trig")
    return dataset


def _graphs(dataset: Dataset) -> dict[IdentifiedNode, Graph]:
    return {g.identifier: g for g in dataset.graphs() if len(g)}


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    """A ~5k-triple corpus and the generator's statistics for it."""
    out = tmp_path_factory.mktemp("corpus") / "small"
    return out, corpus.generate(out, triples=5_000, seed=7)


@pytest.fixture(scope="module")
def ten_k(tmp_path_factory):
    out = tmp_path_factory.mktemp("corpus") / "ten-k"
    return out, corpus.generate(out, triples=10_000, seed=1)


def _files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_the_same_seed_gives_identical_files_and_another_seed_does_not(small, tmp_path):
    root, _ = small
    corpus.generate(tmp_path / "again", triples=5_000, seed=7)
    corpus.generate(tmp_path / "other", triples=5_000, seed=8)
    assert _files(tmp_path / "again") == _files(root)
    assert _files(tmp_path / "other") != _files(root)


def test_every_generated_file_parses(small):
    root, _ = small
    turtle = sorted((root / "graph").rglob("*.ttl"))
    trig = sorted((root / "graph").rglob("*.trig"))
    assert len(trig) == len(_report_folders(root)) + 1  # one per report, plus background.trig
    for path in turtle:
        assert len(Graph().parse(path, format="turtle")), path
    for path in trig:
        assert _graphs(_content(path)), path


def test_every_anchor_quotes_its_text_at_its_offsets(small):
    root, _ = small
    for folder in _report_folders(root):
        graph, text = _turtle(folder), (folder / "source.txt").read_text(encoding="utf-8")
        claims = set(graph.subjects(RDF.type, NKG.Claim))
        assert claims and all(graph.value(claim, NKG.hasAnchor) for claim in claims)
        # The build's own verifier: exact text at start-end (code points), prefix before, suffix after.
        from newskg.build.anchors import find_anchor_problems

        assert find_anchor_problems(graph, text, str(folder / "source.txt")) == []
        for exact in graph.objects(None, URIRef("http://www.w3.org/ns/oa#exact")):
            assert text.count(str(exact)) == 1, f"{folder.name}: quote not unique: {exact}"


def test_every_content_graph_is_named_by_a_claim_of_its_report(small):
    root, _ = small
    background = Graph().parse(root / "graph" / "background.ttl")
    background_claims = set(background.subjects(NKG.hasStatus, NKG.Background))
    assert set(_graphs(_content(root / "graph" / "background.trig"))) == background_claims
    for folder in _report_folders(root):
        claims = set(_turtle(folder).subjects(RDF.type, NKG.Claim))
        assert set(_graphs(_content(folder / "content.trig"))) == claims, folder.name


def test_fact_triples_and_ties_of_shared_actors_are_only_claim_content(small):
    root, _ = small
    for folder in _report_folders(root):
        turtle = _turtle(folder)
        content = _content(folder / "content.trig")
        fact_nodes = {s for s, _, _, _ in content.quads()} | set(turtle.objects(None, NKG.denotes))
        for s, p, o in turtle:
            assert s not in fact_nodes, f"{folder.name}: fact-node triple outside claim content: {s} {p} {o}"
            assert not str(s).startswith(NKR) or "/" in str(s)[len(NKR):] or p in NAMES, (s, p, o)
    background = Graph().parse(root / "graph" / "background.ttl")
    for s, p, _ in background:
        assert not str(s).startswith(NKR) or "/" in str(s)[len(NKR):] or p in NAMES, (s, p)


def test_shortcut_edges_are_only_in_confirmed_positive_claims(small):
    root, _ = small
    shortcuts = 0
    for folder in _report_folders(root):
        claims = _turtle(folder)
        for name, graph in _graphs(_content(folder / "content.trig")).items():
            if (None, NKG.heldConsultationsWith, None) in graph:
                shortcuts += 1
                assert claims.value(name, NKG.hasStatus) == NKG.Confirmed, name
                assert claims.value(name, NKG.hasPolarity) == NKG.Positive, name
    assert shortcuts >= len(_report_folders(root))  # every report has its confirmed consultations


def test_every_status_certainty_polarity_source_kind_and_cameo_class_occurs_at_10k(ten_k):
    root, _ = ten_k
    claims, types = Graph(), set()
    for folder in _report_folders(root):
        claims += _turtle(folder)
        types |= {o for _, _, o, _ in _content(folder / "content.trig").quads((None, RDF.type, None))}
    ontology = Graph().parse(ROOT / "ontology" / "engagement.ttl")
    cameo = set(ontology.subjects(NKG.cameoCode, None))
    assert len(cameo) == 13 and cameo <= types, cameo - types
    assert STATUSES <= set(claims.objects(None, NKG.hasStatus))
    assert {NKG.Certain, NKG.Probable, NKG.Possible, NKG.Underspecified} <= set(claims.objects(None, NKG.hasCertainty))
    assert {NKG.Positive, NKG.Negative} <= set(claims.objects(None, NKG.hasPolarity))
    kinds = {NKG.OfficialStatement, NKG.NamedOfficial, NKG.UnnamedOfficials, NKG.UnnamedSources, NKG.Analysts,
             NKG.NewsAgencies, NKG.AuthorVoice}
    assert kinds <= set(claims.objects(None, NKG.hasSourceKind))
    assert {NKG.MemorandumOfUnderstanding, NKG.IntelligenceSharingAgreement, NKG.Risk, NKG.Condition,
            NKG.Development} <= types


def _asserted_triples(root: Path) -> int:
    union = set()
    for path in sorted((root / "ontology").glob("*.ttl")):
        if path.name != "shapes.ttl":
            union |= set(Graph().parse(path, format="turtle"))
    for path in sorted((root / "graph").rglob("*.ttl")):
        union |= set(Graph().parse(path, format="turtle"))
    for path in sorted((root / "graph").rglob("*.trig")):
        union |= {(s, p, o) for s, p, o, _ in _content(path).quads()}
    return len(union)


@pytest.mark.parametrize("fixture, target", [("small", 5_000), ("ten_k", 10_000)])
def test_asserted_triples_are_counted_exactly_and_within_ten_percent_of_the_target(fixture, target, request):
    root, stats = request.getfixturevalue(fixture)
    assert _asserted_triples(root) == stats["triples"]
    assert abs(stats["triples"] - target) <= target // 10


def test_a_number_of_reports_can_be_asked_for(tmp_path):
    stats = corpus.generate(tmp_path / "two", reports=2, seed=0)
    assert stats["reports"] == 2 and len(_report_folders(tmp_path / "two")) == 2


def test_a_folder_it_did_not_write_is_never_cleared(tmp_path):
    (tmp_path / "notes.txt").write_text("keep me")
    with pytest.raises(FileExistsError):
        corpus.generate(tmp_path, reports=1)
    assert (tmp_path / "notes.txt").read_text() == "keep me"


def _build_reads_claim_content(root: Path) -> bool:
    from newskg.build.sources import discover_inputs

    return any(item.path.suffix == ".trig" for item in discover_inputs(root))


def test_the_build_accepts_a_generated_report(tmp_path):
    # One report has every CAMEO class and status; more would only make the owlrl build slower.
    root = tmp_path / "one"
    corpus.generate(root, reports=1, seed=3)
    if not _build_reads_claim_content(root):
        pytest.skip("newskg build does not read claim content (content.trig) yet: needs the claim-content "
                    "build support of docs/status-levels.md on main")
    newskg = Path(sys.executable).parent / "newskg"
    result = subprocess.run([str(newskg), "--project", str(root), "build", "--force", "-q"],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
