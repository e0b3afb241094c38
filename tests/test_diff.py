"""`newskg diff` and the kept previous build (build.prev/), on a small project built in tmp_path."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pyoxigraph
import pytest
from click.testing import CliRunner

import newskg.build.writer as writer
from newskg import api
from newskg.build import build_project
from newskg.cli import main
from newskg.diff import DIFF_BASE, diff_builds
from newskg.errors import BuildMissingError, UsageError
from newskg.project import Build

NKG = "https://w3id.org/newskg/ontology#"
NKR = "https://w3id.org/newskg/resource/"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
PREFIXES = """@prefix nkg: <https://w3id.org/newskg/ontology#> .
@prefix nkr: <https://w3id.org/newskg/resource/> .
@prefix art: <https://w3id.org/newskg/resource/demo/> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
"""
# A restriction (a blank node) makes the ontology graph's file differ from build to build.
ONTOLOGY = PREFIXES + """
nkg:Agent a owl:Class .
nkg:Actor a owl:Class ; rdfs:subClassOf nkg:Agent .
nkg:Organisation a owl:Class ; rdfs:subClassOf nkg:Actor .
nkg:IntelligenceAgency a owl:Class ; rdfs:subClassOf nkg:Organisation .
nkg:belongsToState a owl:ObjectProperty .
nkg:StateBody a owl:Class ; rdfs:subClassOf nkg:Organisation .
[ a owl:Restriction ; owl:onProperty nkg:belongsToState ; owl:someValuesFrom nkg:Actor ] rdfs:subClassOf nkg:StateBody .
"""
REPORT = PREFIXES + """
art:claim-1 a nkg:Claim ; nkg:hasStatus nkg:Reported .
art:claim-2 a nkg:Claim ; nkg:hasStatus nkg:Confirmed .
"""
CONTENT = PREFIXES + """
art:claim-1 { nkr:ISI a nkg:IntelligenceAgency ; nkg:belongsToState nkr:Pakistan . }
art:claim-2 { nkr:DGFI a nkg:Organisation . }
"""
# The edit the tests make: a new superclass between Organisation and Actor.
EXTENSION = PREFIXES + """
nkg:Body a owl:Class ; rdfs:subClassOf nkg:Actor .
nkg:IntelligenceAgency rdfs:subClassOf nkg:Body .
"""


def write_project(root: Path) -> Path:
    (root / "ontology").mkdir(parents=True)
    (root / "graph" / "demo").mkdir(parents=True)
    (root / "ontology" / "core.ttl").write_text(ONTOLOGY, encoding="utf-8")
    (root / "graph" / "demo" / "report.ttl").write_text(REPORT, encoding="utf-8")
    (root / "graph" / "demo" / "content.trig").write_text(CONTENT, encoding="utf-8")
    (root / "graph" / "demo" / "source.txt").write_text("A report.\n", encoding="utf-8")
    return root


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return write_project(tmp_path / "project")


@pytest.fixture
def edited(project: Path) -> Path:
    """The project built, extended by EXTENSION, and built again: build.prev/ and build/."""
    build_project(project)
    (project / "ontology" / "extensions.ttl").write_text(EXTENSION, encoding="utf-8")
    build_project(project)
    return project


def cli(project: Path, *args: str):
    return CliRunner().invoke(main, ["--project", str(project), "diff", *args])


# --- the kept previous build ------------------------------------------------------------------------


def fingerprint(build_dir: Path) -> str:
    return json.loads((build_dir / "manifest.json").read_text())["fingerprint"]


def test_a_build_keeps_the_build_it_replaces_as_build_prev(project: Path):
    build_project(project)
    first = fingerprint(project / "build")
    assert not (project / "build.prev").exists()  # nothing was replaced yet
    (project / "ontology" / "extensions.ttl").write_text(EXTENSION, encoding="utf-8")
    build_project(project)
    second = fingerprint(project / "build")
    assert fingerprint(project / "build.prev") == first != second
    (project / "ontology" / "extensions.ttl").unlink()
    build_project(project)
    assert fingerprint(project / "build.prev") == second  # the older build.prev/ is replaced
    assert [p.name for p in project.iterdir() if p.name.startswith(".build")] == []  # no swap leftovers


def test_a_skipped_build_leaves_build_prev_alone(edited: Path):
    before = fingerprint(edited / "build.prev")
    assert build_project(edited).skipped
    assert fingerprint(edited / "build.prev") == before


def test_a_swap_killed_after_the_new_build_is_in_place_is_finished_by_the_next_build(edited: Path):
    # Killed after both renames, before the replaced build became build.prev/.
    old = fingerprint(edited / "build.prev")
    os.rename(edited / "build.prev", edited / ".build-previous")
    writer.recover_interrupted_swap(edited / "build")
    assert fingerprint(edited / "build.prev") == old and not (edited / ".build-previous").exists()


def test_a_swap_killed_between_its_renames_still_puts_the_old_build_back(edited: Path):
    current = fingerprint(edited / "build")
    os.rename(edited / "build", edited / ".build-previous")
    writer.recover_interrupted_swap(edited / "build")
    assert fingerprint(edited / "build") == current


def test_a_kill_while_replacing_build_prev_leaves_a_complete_one_and_a_leftover_the_next_swap_removes(
        edited: Path, monkeypatch):
    older = fingerprint(edited / "build.prev")
    real_rmtree = writer.shutil.rmtree
    calls = []

    def killed_on_last_delete(path, ignore_errors=False):
        calls.append(Path(path).name)
        if Path(path).name == ".build.prev-discarded" and len(calls) > 2:
            raise KeyboardInterrupt  # the kill, after build.prev/ was renamed into place
        real_rmtree(path, ignore_errors=ignore_errors)

    (edited / "ontology" / "extensions.ttl").unlink()
    monkeypatch.setattr(writer.shutil, "rmtree", killed_on_last_delete)
    with pytest.raises(KeyboardInterrupt):
        build_project(edited)
    monkeypatch.setattr(writer.shutil, "rmtree", real_rmtree)
    assert Build(edited / "build.prev").manifest_or_none() is not None  # complete, the newer one
    assert fingerprint(edited / "build.prev") != older
    assert (edited / ".build.prev-discarded").exists()
    (edited / "ontology" / "extensions.ttl").write_text(EXTENSION, encoding="utf-8")
    build_project(edited)
    assert not (edited / ".build.prev-discarded").exists()


# --- what a diff says -------------------------------------------------------------------------------


def test_diff_shows_the_derived_facts_an_ontology_edit_adds_at_their_level(edited: Path):
    diff = api.diff(project=edited)
    changed = {g.name: g for g in diff.changed_graphs}
    # ISI is an intelligence agency on a Reported claim: it becomes a Body at the reported level.
    # The ontology's own closure (Body is an Agent) holds at every level: inferred-confirmed.
    assert set(changed) == {"ontology", "inferred-confirmed", "inferred-reported"}
    assert [str(t) for t in changed["inferred-confirmed"].added] == [
        f"<{NKG}Body> <http://www.w3.org/2000/01/rdf-schema#subClassOf> <{NKG}Agent>"]
    reported = changed["inferred-reported"]
    assert [str(t) for t in reported.added] == [f"<{NKR}ISI> <{RDF_TYPE}> <{NKG}Body>"]
    assert reported.kind == "inferred" and reported.level == "reported" and not reported.removed
    assert [(c.iri, c.added, c.removed) for c in reported.by_class()] == [(NKG + "Body", 1, 0)]
    assert [(c.iri, c.added) for c in reported.by_predicate()] == [(RDF_TYPE, 1)]
    assert changed["ontology"].row == "every level" and len(changed["ontology"].added) == 3
    assert diff.summary()["reported"] == {"asserted": (0, 0), "inferred": (1, 0)}
    assert diff.summary()["confirmed"]["asserted"] == (0, 0)  # no asserted fact changed
    assert diff.inputs() == {"added": ["ontology/extensions.ttl"], "removed": [], "changed": []}


def test_blank_nodes_are_compared_by_structure_not_by_their_labels(project: Path, tmp_path: Path):
    build_project(project)
    os.rename(project / "build", tmp_path / "first")
    build_project(project, force=True)
    ontology = "graphs/ontology.nt"
    # The build labels blank nodes the same way each time; another tool (or an older newskg,
    # whose rdflib labelled them afresh at each parse) need not: relabel them in the first build.
    first = tmp_path / "first" / ontology
    first.write_text(first.read_text(encoding="utf-8").replace("_:", "_:other"), encoding="utf-8")
    assert first.read_bytes() != (project / "build" / ontology).read_bytes()
    assert not diff_builds(tmp_path / "first", project / "build").changed


def test_a_new_blank_node_axiom_shows_alone_and_the_others_keep_their_names(project: Path):
    build_project(project)
    (project / "ontology" / "extensions.ttl").write_text(PREFIXES + """
nkg:Agency a owl:Class ; rdfs:subClassOf nkg:Organisation .
[ a owl:Restriction ; owl:onProperty nkg:belongsToState ; owl:someValuesFrom nkg:Agent ] rdfs:subClassOf nkg:Agency .
""", encoding="utf-8")
    build_project(project)
    changed = {g.name: g for g in api.diff(project=project).changed_graphs}
    ontology = changed["ontology"]
    # Renumbering the blank nodes (as RDF canonicalisation does) would show the old restriction
    # as removed and added again.
    assert not ontology.removed
    blank = {t.subject for t in ontology.added if isinstance(t.subject, pyoxigraph.BlankNode)}
    assert len(blank) == 1 and len(ontology.added) == 2 + 4  # Agency's two triples, the restriction's four
    assert f"<{NKG}Agent>" in {str(t.object) for t in ontology.added if t.subject in blank}


def test_a_removed_claim_shows_as_removed_facts_and_a_graph_gone(edited: Path):
    trig = edited / "graph" / "demo" / "content.trig"
    trig.write_text(CONTENT.replace("art:claim-2 { nkr:DGFI a nkg:Organisation . }", ""), encoding="utf-8")
    report = edited / "graph" / "demo" / "report.ttl"
    report.write_text(REPORT.replace("art:claim-2 a nkg:Claim ; nkg:hasStatus nkg:Confirmed .", ""))
    build_project(edited)
    changed = {g.name: g for g in api.diff(project=edited).changed_graphs}
    assert changed["content/demo/claim-2"].status == "removed"
    assert [str(t) for t in changed["facts-confirmed"].removed] == [f"<{NKR}DGFI> <{RDF_TYPE}> <{NKG}Organisation>"]
    assert not changed["facts-confirmed"].added


def test_table_json_and_fail_on_change(edited: Path):
    table = cli(edited, "--triples")
    assert table.exit_code == 0, table.output
    assert "inputs added: ontology/extensions.ttl" in table.output
    assert "inferred-reported (reported, inferred): +1 -0" in table.output
    assert "+ nkr:ISI rdf:type nkg:Body" in table.output
    data = json.loads(cli(edited, "--format", "json").output)
    assert data["changed"] is True and data["summary"]["reported"]["inferred"] == {"added": 1, "removed": 0}
    reported = next(g for g in data["graphs"] if g["name"] == "inferred-reported")
    assert reported["added_triples"] == [f"<{NKR}ISI> <{RDF_TYPE}> <{NKG}Body> ."]
    assert cli(edited, "--fail-on-change").exit_code == 1
    same = cli(edited, str(edited / "build"), str(edited / "build"), "--fail-on-change")
    assert same.exit_code == 0 and "no change" in same.output


def test_patches_parse_and_hold_each_side_in_its_own_graph(edited: Path):
    diff = api.diff(project=edited)
    expected = {(patch_name, str(t)) for g in diff.changed_graphs
                for side, triples in (("added", g.added), ("removed", g.removed))
                for patch_name in [f"{DIFF_BASE}{side}/{g.name}"] for t in triples}
    for fmt, rdf_format in (("nquads", pyoxigraph.RdfFormat.N_QUADS), ("trig", pyoxigraph.RdfFormat.TRIG)):
        text = cli(edited, "--format", fmt).output
        quads = {(q.graph_name.value, str(q.triple)) for q in pyoxigraph.parse(text, format=rdf_format)}
        assert quads == expected and len(quads) == 5  # 3 ontology, 1 TBox closure, 1 fact
    patch = cli(edited, "--format", "patch").output.splitlines()
    assert patch[0] == "TX ." and patch[-1] == "TC ."
    body = patch[1:-1]
    assert len(body) == 5 and all(line.startswith("A ") for line in body)
    added = {(q.graph_name.value, str(q.triple))
             for q in pyoxigraph.parse("\n".join(line[2:] for line in body), format=pyoxigraph.RdfFormat.N_QUADS)}
    assert {t for _, t in added} == {t for _, t in expected}
    assert ("https://w3id.org/newskg/graph/inferred/reported", f"<{NKR}ISI> <{RDF_TYPE}> <{NKG}Body>") in added


# --- bad input --------------------------------------------------------------------------------------


def test_without_a_previous_build_diff_says_how_to_get_one(project: Path):
    build_project(project)
    result = cli(project)
    assert result.exit_code == 2 and "no previous build" in result.output
    assert "Traceback" not in result.output


def test_a_folder_that_is_not_a_build_is_a_usage_error(edited: Path, tmp_path: Path):
    (tmp_path / "empty").mkdir()
    for args, message in (([str(tmp_path / "empty")], "is not a build folder"),
                          ([str(tmp_path / "nowhere")], "no such folder"),
                          ([str(edited / "ontology" / "core.ttl")], "is not a folder")):
        result = cli(edited, *args)
        assert result.exit_code == 2 and message in result.output, result.output
        assert result.exception is None or isinstance(result.exception, SystemExit)


def test_builds_of_different_formats_are_not_compared(edited: Path):
    manifest = edited / "build.prev" / "manifest.json"
    data = json.loads(manifest.read_text())
    manifest.write_text(json.dumps({**data, "format": 2}))
    result = cli(edited)
    assert result.exit_code == 2 and "different formats" in result.output
    with pytest.raises(UsageError, match="different formats"):
        api.diff(project=edited)


def test_a_damaged_build_is_a_failure_naming_the_file(edited: Path):
    (edited / "build" / "graphs" / "inferred-reported.nt").write_text("not N-Triples\n")
    result = cli(edited)
    assert result.exit_code == 1 and "inferred-reported.nt is not N-Triples" in result.output
    (edited / "build" / "graphs" / "inferred-reported.nt").unlink()
    with pytest.raises(BuildMissingError, match=r"inferred-reported\.nt"):
        api.diff(project=edited)
