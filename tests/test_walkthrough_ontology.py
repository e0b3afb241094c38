"""The README's "Extending the ontology" walk-through, run as written, and what it says checked.

The shell block is taken from README.md and run by bash from the project root, with TMPDIR in
tmp_path (its `mktemp -d` makes the scratch copy there) and the venv's `newskg` on PATH. Two full
builds of the project: this is the slowest test, and the one a reader relies on.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pyoxigraph
import pytest

from newskg import api
from newskg.namespaces import FACTS_GRAPH_BASE
from newskg.project import Build
from newskg.query.results import SelectResult

NKG = "https://w3id.org/newskg/ontology#"
NEW_TERMS = {NKG + "AgreementParty", NKG + "partyTo"}
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"


def readme_steps(readme: Path) -> str:
    """The first ```sh block of the section "## Extending the ontology"."""
    text = readme.read_text(encoding="utf-8")
    section = text.split("\n## Extending the ontology\n", 1)[1].split("\n## ", 1)[0]
    match = re.search(r"```sh\n(.*?)```", section, re.DOTALL)
    assert match, "the section has no ```sh block"
    return match.group(1)


@pytest.fixture(scope="module")
def walkthrough(project_root: Path, tmp_path_factory):
    """(stdout of the steps, the scratch project they made)."""
    tmp = tmp_path_factory.mktemp("walkthrough")
    env = {**os.environ, "TMPDIR": str(tmp), "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    env.pop("NEWSKG_PROJECT", None)
    done = subprocess.run(["bash", "-e", "-o", "pipefail", "-c", readme_steps(project_root / "README.md")],
                          cwd=project_root, env=env, capture_output=True, text=True, timeout=1800)
    assert done.returncode == 0, done.stdout + done.stderr
    (scratch,) = [p for p in tmp.iterdir() if p.is_dir()]
    return done.stdout, scratch


def test_the_steps_copy_build_extend_build_and_diff(walkthrough):
    output, scratch = walkthrough
    assert {"build", "build.prev", "graph", "ontology", "queries"} <= {p.name for p in scratch.iterdir()}
    assert "inputs changed: ontology/extensions.ttl" in output
    assert re.search(r"^inferred-\w+ \(\w+, inferred\): \+\d+ -0$", output, re.MULTILINE), output
    diff_part, _, described = output.partition("nkg:AgreementParty  (class, ontology/extensions.ttl)")
    assert described, output  # the describe step ran
    assert re.search(r"^ +\+\d+ -0  nkg:AgreementParty$", diff_part, re.MULTILINE), diff_part  # by class
    assert re.search(r"^ +\+\d+ -0  nkg:partyTo$", diff_part, re.MULTILINE)  # by predicate
    assert re.search(r"^  \+ \S+ nkg:partyTo \S+$", diff_part, re.MULTILINE)  # --triples


def test_only_the_ontology_and_the_inferred_graphs_change_and_nothing_is_removed(walkthrough):
    _, scratch = walkthrough
    diff = api.diff(project=scratch)
    changed = {g.name: g for g in diff.changed_graphs}
    assert "ontology" in changed and all(n == "ontology" or n.startswith("inferred-") for n in changed)
    assert all(not g.removed for g in diff.graphs)
    ontology = changed["ontology"].added
    named = {t.subject.value for t in ontology if isinstance(t.subject, pyoxigraph.NamedNode)}
    assert named == NEW_TERMS
    # The class axiom's restriction (a blank node) is new too; no other blank node shows as changed.
    restriction = {t.subject for t in ontology if isinstance(t.subject, pyoxigraph.BlankNode)}
    assert len(restriction) == 1
    assert {str(t.object) for t in ontology if t.subject in restriction} >= {f"<{NKG}partyTo>", f"<{NKG}Agreement>"}
    for name, graph in changed.items():
        for t in graph.added if name != "ontology" else []:  # every derived triple is about a new term
            assert {t.subject.value, t.predicate.value, getattr(t.object, "value", "")} & NEW_TERMS, str(t)


def test_each_derived_fact_is_at_the_level_of_the_fact_it_rests_on(walkthrough):
    _, scratch = walkthrough
    diff = api.diff(project=scratch)
    build = Build(scratch / "build")
    derived = [(g.level, t) for g in diff.changed_graphs if g.role == "inferred" for t in g.added
               if t.predicate.value == NKG + "partyTo"]
    assert derived, "no nkg:partyTo fact was derived"
    for level, triple in derived:
        assert level is not None
        mirror = f"<{triple.object.value}> <{NKG}hasParty> <{triple.subject.value}> ."
        facts = build.graph_path(FACTS_GRAPH_BASE + level).read_text(encoding="utf-8").splitlines()
        assert mirror in facts, (level, str(triple))
    parties = {t.subject.value for g in diff.changed_graphs if g.role == "inferred" for t in g.added
               if t.predicate.value == RDF_TYPE and t.object.value == NKG + "AgreementParty"}
    assert parties == {t.subject.value for _, t in derived}


def test_a_party_of_a_reported_memorandum_is_an_agreement_party_at_reported_not_confirmed(walkthrough):
    _, scratch = walkthrough
    query = ("SELECT ?party WHERE { ?mou a nkg:MemorandumOfUnderstanding ; nkg:hasParty ?party . "
             "?party a nkg:AgreementParty }")

    def parties(level: str) -> set[str]:
        result = api.run_text_query(query, project=scratch, level=level).result
        assert isinstance(result, SelectResult)
        return {row["party"].value for row in result.rows}

    assert parties("reported") - parties("confirmed")


def test_a_domain_the_data_is_not_in_draws_warnings_as_the_readme_says(walkthrough):
    # The README's reason for the class axiom: with domain nkg:AgreementParty, reasoning would give
    # every party a type unrelated to its own, and the checks warn about each use, naming its file.
    _, scratch = walkthrough
    extensions = scratch / "ontology" / "extensions.ttl"
    text = extensions.read_text(encoding="utf-8")
    actor, party = ("rdfs:domain nkg:Actor ;\n    rdfs:range nkg:Agreement .",
                    "rdfs:domain nkg:AgreementParty ;\n    rdfs:range nkg:Agreement .")
    assert actor in text
    extensions.write_text(text.replace(actor, party), encoding="utf-8")
    try:
        problems = api.check(scratch)
    finally:
        extensions.write_text(text, encoding="utf-8")
    misuse = [p for p in problems if "nkg:AgreementParty" in str(p)]
    assert misuse and all(p.severity == "warning" and "nkg:hasParty" in str(p) for p in misuse)
    assert all(p.path and p.path.startswith("graph/") for p in misuse)  # each names the triple's file
    assert not [p for p in problems if p.severity == "error"]
