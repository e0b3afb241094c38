"""The build pipeline on a small fixture project written in tmp_path."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Graph
from rdflib.namespace import RDF

import newskg.build.writer as writer_module
from newskg.build import build_project
from newskg.project import Build
from newskg.cli import main
from newskg.errors import InconsistencyError, InputMissingError, RdfSyntaxError, ValidationError
from newskg.namespaces import INFERRED_GRAPH, NKG, NKR, article_graph

PREFIXES = """@prefix nkg: <https://w3id.org/newskg/ontology#> .
@prefix nkr: <https://w3id.org/newskg/resource/> .
@prefix art: <https://w3id.org/newskg/resource/demo/> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix oa: <http://www.w3.org/ns/oa#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
"""

ONTOLOGY = PREFIXES + """
nkg:Actor a owl:Class .
nkg:SovereignState a owl:Class ; rdfs:subClassOf nkg:Actor .
nkg:Organisation a owl:Class ; rdfs:subClassOf nkg:Actor ; owl:disjointWith nkg:SovereignState .
nkg:IntelligenceAgency a owl:Class ; rdfs:subClassOf nkg:Organisation .
nkg:belongsToState a owl:ObjectProperty ; rdfs:domain nkg:Organisation ; rdfs:range nkg:SovereignState .
nkg:hasStateBody a owl:ObjectProperty ; owl:inverseOf nkg:belongsToState .
"""

TEXT = "Pakistan's Inter-Services Intelligence met officials, sources said.\n"

REPORT = PREFIXES + """
nkr:ISI a nkg:IntelligenceAgency ; nkg:belongsToState nkr:Pakistan .
art:claim-1 nkg:hasAnchor art:anchor-1 .
art:anchor-1 oa:hasSelector art:q1, art:p1 .
art:q1 a oa:TextQuoteSelector ; oa:exact "Inter-Services Intelligence" .
art:p1 a oa:TextPositionSelector ; oa:start 11 ; oa:end 38 .
"""


def write_project(root: Path, ontology: str = ONTOLOGY, report: str = REPORT, text: str = TEXT) -> Path:
    (root / "ontology").mkdir(parents=True)
    (root / "graph" / "demo").mkdir(parents=True)
    (root / "ontology" / "core.ttl").write_text(ontology, encoding="utf-8")
    (root / "graph" / "demo" / "report.ttl").write_text(report, encoding="utf-8")
    (root / "graph" / "demo" / "source.txt").write_text(text, encoding="utf-8")
    return root


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return write_project(tmp_path / "project")


def load_graph(build_dir: Path, name: str) -> Graph:
    return Graph().parse(build_dir / "graphs" / name, format="nt")


def test_build_writes_every_named_graph_and_a_manifest(project: Path):
    result = build_project(project)
    build = project / "build"
    assert not result.skipped
    manifest = json.loads((build / "manifest.json").read_text())
    roles = {g["role"] for g in manifest["graphs"]}
    assert roles == {"ontology", "article", "inferred"}
    assert {i["path"] for i in manifest["inputs"]} == {"ontology/core.ttl", "graph/demo/report.ttl"}
    assert all(len(i["sha256"]) == 64 for i in manifest["inputs"])
    assert set(manifest["tool_versions"]) >= {"newskg", "rdflib", "owlrl"}
    for entry in manifest["graphs"]:
        assert len(load_graph(build, Path(entry["file"]).name)) == entry["triples"]
    quads = (build / "dataset.nq").read_text().splitlines()
    assert len(quads) == sum(g["triples"] for g in manifest["graphs"])
    assert any(line.endswith(f"<{article_graph('demo')}> .") for line in quads)
    assert (build / "dataset.trig").stat().st_size > 0


def test_inferred_graph_holds_derived_facts_apart_from_asserted(project: Path):
    build_project(project)
    inferred = load_graph(project / "build", "inferred.nt")
    article = load_graph(project / "build", "article-demo.nt")
    derived = [(NKR.ISI, RDF.type, NKG.Organisation), (NKR.Pakistan, NKG.hasStateBody, NKR.ISI),
               (NKR.Pakistan, RDF.type, NKG.SovereignState)]
    for triple in derived:
        assert triple in inferred
        assert triple not in article
    assert not set(inferred) & set(article)


def test_unchanged_inputs_skip_the_build_and_force_redoes_it(project: Path):
    first = build_project(project)
    second = build_project(project)
    assert second.skipped and second.manifest["built_at"] == first.manifest["built_at"]
    assert not build_project(project, force=True).skipped
    (project / "graph" / "demo" / "source.txt").write_text(TEXT + "More.\n", encoding="utf-8")
    assert not build_project(project).skipped


def test_malformed_turtle_names_file_line_and_column(project: Path):
    (project / "graph" / "demo" / "report.ttl").write_text(
        PREFIXES + 'nkr:ISI a nkg:IntelligenceAgency .\nnkr:ISI rdfs:label "unterminated .\n')
    with pytest.raises(RdfSyntaxError) as err:
        build_project(project)
    assert err.value.path == "graph/demo/report.ttl"
    assert err.value.line == PREFIXES.count("\n") + 2
    assert err.value.column is not None
    result = CliRunner().invoke(main, ["--project", str(project), "build"])
    assert result.exit_code == 1
    assert "graph/demo/report.ttl:" in result.output and "Traceback" not in result.output


def test_missing_folder_is_a_clear_error(tmp_path: Path):
    with pytest.raises(InputMissingError, match="ontology"):
        build_project(tmp_path)
    result = CliRunner().invoke(main, ["--project", str(tmp_path), "build"])
    assert result.exit_code == 1 and "needs ontology/ and graph/" in result.output


def test_inconsistency_fails_naming_rule_and_individuals_and_writes_nothing(project: Path):
    build_project(project)
    before = (project / "build" / "manifest.json").read_text()
    (project / "graph" / "demo" / "extra.ttl").write_text(PREFIXES + "nkr:ISI a nkg:SovereignState .\n")
    with pytest.raises(InconsistencyError) as err:
        build_project(project)
    assert err.value.findings[0][0] == "cax-dw"
    assert "nkr:ISI" in err.value.findings[0][1]
    assert (project / "build" / "manifest.json").read_text() == before
    result = CliRunner().invoke(main, ["--project", str(project), "build"])
    assert result.exit_code == 1 and "cax-dw" in result.output


def test_bad_anchor_fails_the_build_naming_the_claim(project: Path):
    report = REPORT.replace("oa:start 11", "oa:start 12").replace("oa:end 38", "oa:end 39")
    (project / "graph" / "demo" / "report.ttl").write_text(report)
    with pytest.raises(ValidationError) as err:
        build_project(project)
    assert any("claim-1" in str(p) for p in err.value.problems)


def test_failure_while_writing_leaves_previous_build_intact(project: Path, monkeypatch):
    build_project(project)
    build = project / "build"
    before = {p.name: p.read_bytes() for p in build.rglob("*") if p.is_file()}
    (project / "graph" / "demo" / "more.ttl").write_text(PREFIXES + "nkr:DGFI a nkg:IntelligenceAgency .\n")

    def crash(*args, **kwargs):
        raise OSError("disk full (simulated)")

    # The crash hits after graphs/ and dataset.nq are written, before the swap.
    monkeypatch.setattr(writer_module, "_swap_in", crash)
    with pytest.raises(OSError):
        build_project(project)
    after = {p.name: p.read_bytes() for p in build.rglob("*") if p.is_file()}
    assert after == before
    assert [p.name for p in project.iterdir() if p.name.startswith(".build")] == []


def test_interrupted_swap_is_recovered_on_next_build(project: Path):
    build_project(project)
    build = project / "build"
    # Simulate a kill between the two renames of the swap.
    build.rename(project / ".build-previous")
    assert Build(build).manifest_or_none() is None
    result = build_project(project)
    assert result.skipped and Build(build).manifest_or_none() is not None


def test_explain_derived_triple_down_to_asserted(project: Path):
    build_project(project)
    result = CliRunner().invoke(main, ["--project", str(project), "explain",
                                       "nkr:Pakistan", "nkg:hasStateBody", "nkr:ISI"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    # The fixture declares hasStateBody owl:inverseOf belongsToState: the W3C table calls that prp-inv2.
    assert "[by prp-inv2]" in lines[0]
    assert any("nkr:ISI nkg:belongsToState nkr:Pakistan  [asserted in graph/demo/report.ttl]" in l for l in lines)
    assert any("owl:inverseOf" in l and "ontology/core.ttl" in l for l in lines)


def test_explain_asserted_and_absent(project: Path):
    build_project(project)
    runner = CliRunner()
    asserted = runner.invoke(main, ["--project", str(project), "explain",
                                    "nkr:ISI", "rdf:type", "nkg:IntelligenceAgency"])
    assert asserted.exit_code == 0 and "asserted in graph/demo/report.ttl" in asserted.output
    absent = runner.invoke(main, ["--project", str(project), "explain",
                                  "nkr:ISI", "rdf:type", "nkg:SovereignState"])
    assert absent.exit_code == 1 and "does not hold" in absent.output
    bad = runner.invoke(main, ["--project", str(project), "explain", "zz:ISI", "rdf:type", "nkg:X"])
    assert bad.exit_code == 2 and "unknown prefix 'zz'" in bad.output


def test_stats_counts_graphs(project: Path):
    build_project(project)
    result = CliRunner().invoke(main, ["--project", str(project), "stats", "--format", "json"])
    assert result.exit_code == 0, result.output
    figures = json.loads(result.output)
    assert figures["classes"] == 4
    assert figures["graphs"][str(INFERRED_GRAPH)] > 0


def test_explain_accepts_prefixes_declared_in_the_sources(project: Path):
    build_project(project)
    result = CliRunner().invoke(main, ["--project", str(project), "explain",
                                       "art:claim-1", "nkg:hasAnchor", "art:anchor-1"])
    assert result.exit_code == 0, result.output
    assert "asserted in graph/demo/report.ttl" in result.output


def test_explain_refuses_a_stale_build(project: Path):
    build_project(project)
    (project / "graph" / "demo" / "more.ttl").write_text(PREFIXES + "nkr:DGFI a nkg:IntelligenceAgency .\n")
    result = CliRunner().invoke(main, ["--project", str(project), "explain", "nkr:DGFI", "rdf:type", "nkg:Actor"])
    assert result.exit_code == 1 and "older than the sources" in result.output
