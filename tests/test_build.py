"""The build pipeline on a small fixture project written in tmp_path."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Graph, URIRef
from rdflib.namespace import RDF

import newskg.build.writer as writer_module
from newskg.build import build_project
from newskg.cli import main
from newskg.errors import InconsistencyError, InputMissingError, RdfSyntaxError, ValidationError
from newskg.namespaces import NKG, NKR, article_graph, inferred_graph
from newskg.project import Build

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
nkg:hasParticipant a owl:ObjectProperty .
nkg:involvesState a owl:ObjectProperty ; owl:propertyChainAxiom ( nkg:hasParticipant nkg:belongsToState ) .
"""

ART = "https://w3id.org/newskg/resource/demo/"
TEXT = "Pakistan's Inter-Services Intelligence met officials, sources said.\n"

REPORT = PREFIXES + """
art:claim-1 a nkg:Claim ; nkg:hasStatus nkg:Reported ; nkg:hasAnchor art:anchor-1 .
art:anchor-1 oa:hasSelector art:q1, art:p1 .
art:q1 a oa:TextQuoteSelector ; oa:exact "Inter-Services Intelligence" .
art:p1 a oa:TextPositionSelector ; oa:start 11 ; oa:end 38 .
"""


# What claim-1 states ("sources said": Reported), as its content graph.
CONTENT = PREFIXES + """
art:claim-1 { nkr:ISI a nkg:IntelligenceAgency ; nkg:belongsToState nkr:Pakistan . }
"""


def write_project(root: Path, ontology: str = ONTOLOGY, report: str = REPORT, text: str = TEXT,
                  content: str = CONTENT) -> Path:
    (root / "ontology").mkdir(parents=True)
    (root / "graph" / "demo").mkdir(parents=True)
    (root / "ontology" / "core.ttl").write_text(ontology, encoding="utf-8")
    (root / "graph" / "demo" / "report.ttl").write_text(report, encoding="utf-8")
    (root / "graph" / "demo" / "content.trig").write_text(content, encoding="utf-8")
    (root / "graph" / "demo" / "source.txt").write_text(text, encoding="utf-8")
    return root


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return write_project(tmp_path / "project")


def load_graph(build_dir: Path, name: str) -> Graph:
    return Graph().parse(build_dir / "graphs" / name, format="nt")


def add_claim(project: Path, name: str, status: str, content: str, polarity: str = "Positive") -> None:
    """Add claim art:<name> with a status, a polarity and its content graph, in files of its own."""
    (project / "graph" / "demo" / f"{name}.ttl").write_text(
        PREFIXES + f"art:{name} a nkg:Claim ; nkg:hasStatus nkg:{status} ; nkg:hasPolarity nkg:{polarity} .\n")
    (project / "graph" / "demo" / f"{name}.trig").write_text(PREFIXES + f"art:{name} {{ {content} }}\n")


def test_build_writes_every_named_graph_and_a_manifest(project: Path):
    result = build_project(project)
    build = project / "build"
    assert not result.skipped
    manifest = json.loads((build / "manifest.json").read_text())
    roles = {g["role"] for g in manifest["graphs"]}
    assert roles == {"ontology", "article", "facts", "inferred", "content"}
    assert {i["path"] for i in manifest["inputs"]} == {"ontology/core.ttl", "graph/demo/report.ttl",
                                                       "graph/demo/content.trig"}
    assert all(len(i["sha256"]) == 64 for i in manifest["inputs"])
    assert set(manifest["tool_versions"]) >= {"newskg", "rdflib", "owlrl"}
    for entry in manifest["graphs"]:
        assert len(Graph().parse(build / entry["file"], format="nt")) == entry["triples"]
    assert "graphs/content/demo/claim-1.nt" in {g["file"] for g in manifest["graphs"]}
    quads = (build / "dataset.nq").read_text().splitlines()
    assert len(quads) == sum(g["triples"] for g in manifest["graphs"])
    assert any(line.endswith(f"<{article_graph('demo')}> .") for line in quads)
    assert (build / "dataset.trig").stat().st_size > 0


def test_inferred_graph_holds_derived_facts_apart_from_asserted(project: Path):
    build_project(project)
    # claim-1 is Reported ("sources said"), so what follows from it is inferred at that level.
    inferred = load_graph(project / "build", "inferred-reported.nt")
    asserted = load_graph(project / "build", "facts-reported.nt") + load_graph(project / "build", "article-demo.nt")
    derived = [(NKR.ISI, RDF.type, NKG.Organisation), (NKR.Pakistan, NKG.hasStateBody, NKR.ISI),
               (NKR.Pakistan, RDF.type, NKG.SovereignState)]
    for triple in derived:
        assert triple in inferred
        assert triple not in asserted
    assert not set(inferred) & set(asserted)
    assert not set(load_graph(project / "build", "inferred-confirmed.nt")) & set(derived)


def test_a_fact_takes_the_strongest_status_of_the_claims_that_state_it(project: Path):
    add_claim(project, "claim-2", "Confirmed", "nkr:ISI nkg:belongsToState nkr:Pakistan .")
    build_project(project)
    build = project / "build"
    confirmed, reported = load_graph(build, "facts-confirmed.nt"), load_graph(build, "facts-reported.nt")
    assert (NKR.ISI, NKG.belongsToState, NKR.Pakistan) in confirmed
    assert (NKR.ISI, NKG.belongsToState, NKR.Pakistan) not in reported
    assert (NKR.ISI, RDF.type, NKG.IntelligenceAgency) in reported
    # Range of belongsToState: follows from the confirmed claim alone.
    assert (NKR.Pakistan, RDF.type, NKG.SovereignState) in load_graph(build, "inferred-confirmed.nt")
    # Inverse of a confirmed triple, confirmed; a type that needs the reported claim, reported.
    assert (NKR.Pakistan, NKG.hasStateBody, NKR.ISI) in load_graph(build, "inferred-confirmed.nt")
    assert (NKR.ISI, RDF.type, NKG.Organisation) in load_graph(build, "inferred-confirmed.nt")  # domain


def test_a_chain_whose_weakest_premise_is_assessed_yields_an_assessed_conclusion(project: Path):
    # claim-1 (Reported): ISI belongs to Pakistan; claim-2 (Assessed): ISI takes part in a meeting.
    add_claim(project, "claim-2", "Assessed", "art:meeting nkg:hasParticipant nkr:ISI .")
    build_project(project)
    conclusion = (URIRef(ART + "meeting"), NKG.involvesState, NKR.Pakistan)
    assert conclusion in load_graph(project / "build", "inferred-assessed.nt")
    assert conclusion not in load_graph(project / "build", "inferred-reported.nt")
    result = CliRunner().invoke(main, ["--project", str(project), "explain",
                                       "art:meeting", "nkg:involvesState", "nkr:Pakistan"])
    lines = result.output.splitlines()
    assert lines[0].endswith("[by prp-spo2] (assessed)"), result.output
    assert any("nkr:ISI nkg:belongsToState nkr:Pakistan" in line and line.endswith("(reported)") for line in lines)
    assert any("nkg:hasParticipant nkr:ISI" in line and line.endswith("(assessed)") for line in lines)


def test_a_confirmed_only_chain_stays_confirmed(project: Path):
    add_claim(project, "claim-2", "Confirmed", "art:meeting nkg:hasParticipant nkr:ISI . "
                                               "nkr:ISI nkg:belongsToState nkr:Pakistan .")
    build_project(project)
    conclusion = (URIRef(ART + "meeting"), NKG.involvesState, NKR.Pakistan)
    assert conclusion in load_graph(project / "build", "inferred-confirmed.nt")


def test_not_evidenced_and_negative_content_enters_no_level(project: Path):
    add_claim(project, "claim-2", "NotEvidenced", "nkr:DGFI a nkg:IntelligenceAgency .")
    add_claim(project, "claim-3", "Reported", "nkr:NSI a nkg:IntelligenceAgency .", polarity="Negative")
    build_project(project)
    build = project / "build"
    positive = Graph()
    for name in ("facts-confirmed", "facts-reported", "facts-assessed",
                 "inferred-confirmed", "inferred-reported", "inferred-assessed"):
        positive += load_graph(build, f"{name}.nt")
    assert not set(positive.triples((NKR.DGFI, None, None)))
    assert not set(positive.triples((NKR.NSI, None, None)))
    # ... but what each claim states is kept, as its content graph.
    assert (NKR.DGFI, RDF.type, NKG.IntelligenceAgency) in load_graph(build, "content/demo/claim-2.nt")


def test_a_query_chooses_how_sure_with_at(project: Path):
    add_claim(project, "claim-2", "Assessed", "nkr:DGFI a nkg:IntelligenceAgency .")
    build_project(project)
    query = project / "organisations.rq"
    query.write_text("SELECT ?org WHERE { ?org a nkg:Organisation } ORDER BY ?org\n")
    answers = {}
    for level in ("confirmed", "reported", "assessed"):
        result = CliRunner().invoke(main, ["--project", str(project), "query", "run", str(query),
                                           "--at", level, "--format", "csv"])
        assert result.exit_code == 0, result.output
        answers[level] = result.output.split()[1:]
    assert answers == {"confirmed": [], "reported": [str(NKR.ISI)], "assessed": [str(NKR.DGFI), str(NKR.ISI)]}
    # The default is the safest level.
    default = CliRunner().invoke(main, ["--project", str(project), "query", "run", str(query), "--format", "csv"])
    assert default.output.split()[1:] == []


def test_a_fact_triple_in_a_turtle_file_is_refused_naming_file_and_triple(project: Path):
    (project / "graph" / "demo" / "more.ttl").write_text(PREFIXES + "nkr:DGFI a nkg:IntelligenceAgency .\n")
    with pytest.raises(ValidationError) as err:
        build_project(project)
    problem = next(p for p in err.value.problems if p.check == "fact-outside-claim")
    assert problem.path == "graph/demo/more.ttl" and "nkr:DGFI rdf:type nkg:IntelligenceAgency" in problem.message


def test_content_must_sit_in_the_graph_of_a_claim(project: Path):
    (project / "graph" / "demo" / "stray.trig").write_text(
        PREFIXES + "nkr:DGFI a nkg:IntelligenceAgency .\nart:not-a-claim { nkr:NSI a nkg:IntelligenceAgency . }\n")
    with pytest.raises(ValidationError) as err:
        build_project(project)
    messages = [str(p) for p in err.value.problems if p.path == "graph/demo/stray.trig"]
    assert any("outside any claim's graph" in m for m in messages)
    assert any("art:not-a-claim" in m.replace("nkr:demo/", "art:") and "is not a claim" in m for m in messages)


def test_a_contradiction_below_the_top_level_is_a_warning_naming_the_claims(project: Path):
    add_claim(project, "claim-2", "Assessed", "nkr:ISI a nkg:SovereignState .")
    result = build_project(project)
    contradictions = [w for w in result.warnings if w.check == "contradiction"]
    assert len(contradictions) == 1
    message = contradictions[0].message
    assert "at level assessed" in message and "cax-dw" in message
    assert "claim-2 (assessed)" in message
    assert 'claim-1 (reported: "Inter-Services Intelligence")' in message


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
    # A clash among confirmed facts fails the build (below that level it is only a warning).
    add_claim(project, "claim-2", "Confirmed", "nkr:ISI a nkg:SovereignState, nkg:IntelligenceAgency .")
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
    add_claim(project, "claim-2", "Reported", "nkr:DGFI a nkg:IntelligenceAgency .")

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
    # It rests on claim-1 ("sources said": Reported), so it holds at the reported level, as does its premise.
    assert "[by prp-inv2] (reported)" in lines[0]
    assert any("nkr:ISI nkg:belongsToState nkr:Pakistan  [asserted in graph/demo/content.trig as content of "
               "nkr:demo/claim-1 (Reported)] (reported)" in line for line in lines)
    assert any("owl:inverseOf" in line and "ontology/core.ttl" in line and "(every level)" in line for line in lines)


def test_explain_asserted_and_absent(project: Path):
    build_project(project)
    runner = CliRunner()
    asserted = runner.invoke(main, ["--project", str(project), "explain",
                                    "nkr:ISI", "rdf:type", "nkg:IntelligenceAgency"])
    assert asserted.exit_code == 0 and "asserted in graph/demo/content.trig" in asserted.output
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
    assert figures["graphs"][str(inferred_graph("reported"))] > 0


def test_explain_accepts_prefixes_declared_in_the_sources(project: Path):
    build_project(project)
    result = CliRunner().invoke(main, ["--project", str(project), "explain",
                                       "art:claim-1", "nkg:hasAnchor", "art:anchor-1"])
    assert result.exit_code == 0, result.output
    assert "asserted in graph/demo/report.ttl" in result.output


def test_explain_on_a_stale_build_explains_the_sources_and_says_so(project: Path):
    build_project(project)
    # A fact in a Turtle file: the build refuses it, so the build stays stale; explain still answers.
    (project / "graph" / "demo" / "more.ttl").write_text(PREFIXES + "nkr:DGFI a nkg:IntelligenceAgency .\n")
    result = CliRunner().invoke(main, ["--project", str(project), "explain", "nkr:DGFI", "rdf:type", "nkg:Actor"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("note: the build is older than the sources")
    assert "nkr:DGFI rdf:type nkg:IntelligenceAgency  [asserted in graph/demo/more.ttl]" in result.output


def test_explain_without_a_build_explains_the_sources_and_says_so(project: Path):
    result = CliRunner().invoke(main, ["--project", str(project), "explain", "nkr:ISI", "rdf:type", "nkg:Organisation"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("note: there is no usable build") and "run `newskg build` first" in result.output
    assert "[by cax-sco] (reported)" in result.output
    assert not (project / "build").exists()


def test_a_large_build_writes_a_persistent_store_that_queries_read(project: Path, monkeypatch):
    query = project / "organisations.rq"
    query.write_text("SELECT ?org WHERE { ?org a nkg:Organisation } ORDER BY ?org\n")
    build_project(project)
    assert not (project / "build" / "store").exists()  # small: queries parse dataset.nq instead
    in_memory = CliRunner().invoke(main, ["--project", str(project), "query", "run", str(query), "--at", "reported"])
    monkeypatch.setattr(writer_module, "PERSISTENT_STORE_MIN_QUADS", 0)
    build_project(project, force=True)
    assert (project / "build" / "store").is_dir()
    (project / "build" / "dataset.nq").write_text("")  # proves the query reads the store
    on_disk = CliRunner().invoke(main, ["--project", str(project), "query", "run", str(query), "--at", "reported"])
    assert on_disk.exit_code == 0 and on_disk.output == in_memory.output
    assert "nkr:ISI" in on_disk.output


def test_a_large_replaced_build_is_deleted_by_a_detached_process(project: Path, monkeypatch):
    """The build that build.prev/ replaces is deleted after the build returns when it is large
    (here: any size); build.prev/ is the replaced build at once, and a deleter that was killed
    leaves a folder the next build hands to a deleter of its own."""
    import subprocess

    monkeypatch.setattr(writer_module, "DETACHED_DELETE_BYTES", 0)
    real_popen, deleters = subprocess.Popen, []

    def spy(args, **kwargs):
        deleters.append(Path(args[-1]).name)
        return real_popen(args, **kwargs)

    monkeypatch.setattr(subprocess, "Popen", spy)
    build_project(project)
    add_claim(project, "claim-2", "Reported", "nkr:DGFI a nkg:IntelligenceAgency .")
    build_project(project)
    second = (project / "build" / "manifest.json").read_text()
    add_claim(project, "claim-3", "Reported", "nkr:NSI a nkg:IntelligenceAgency .")
    build_project(project)  # replaces build.prev/: the first build is discarded
    assert (project / "build.prev" / "manifest.json").read_text() == second
    assert not (project / ".build.prev-discarded").exists()
    assert len(deleters) == 1 and deleters[0].startswith(".build.prev-discarded-")
    deadline = time.monotonic() + 30
    while [p for p in project.iterdir() if p.name.startswith(".build.prev-discarded-")]:
        assert time.monotonic() < deadline, "the detached deleter did not finish"
        time.sleep(0.05)
    killed = project / ".build.prev-discarded-0badf00d"
    (killed / "graphs").mkdir(parents=True)
    (killed / "graphs" / "left.nt").write_text("")
    (killed / "graphs").chmod(0o500)  # a protected build: deleted all the same
    deleters.clear()
    build_project(project, force=True)
    # Handed to a deleter of its own: the build does not wait for a large leftover.
    assert killed.name in deleters
    deadline = time.monotonic() + 30
    while killed.exists():
        assert time.monotonic() < deadline, "the leftover of a killed deleter was not deleted"
        time.sleep(0.05)


def test_the_time_printed_is_the_whole_builds_writing_included(project: Path, monkeypatch):
    """`newskg build` says how long the build took: the manifest's duration_seconds is taken
    before the files are written, which at a million triples is half the build."""
    import re

    write = writer_module._write_files

    def slow_write(*args, **kwargs):
        time.sleep(0.5)
        return write(*args, **kwargs)

    monkeypatch.setattr(writer_module, "_write_files", slow_write)
    result = CliRunner().invoke(main, ["--project", str(project), "build", "--force"])
    assert result.exit_code == 0, result.output
    said = re.search(r"built .* in ([0-9.]+) s", result.output)
    assert said is not None, result.output
    printed = float(said.group(1))
    manifest = json.loads((project / "build" / "manifest.json").read_text())
    assert printed >= manifest["duration_seconds"] + 0.5
