"""`newskg check` points at the line: file, line and subject of every problem; "did you mean"
for undeclared terms; properties used outside their domain or range reported before reasoning;
`--format json`; and `explain` on sources whose build failed, clashes included.

The fixture project has the real ontology, checks and background, and one small report made by
`new-report`, whose encoding each test writes.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from newskg import api
from newskg.build import build_project, check_usage
from newskg.build.locations import SourceIndex, index_file, locate
from newskg.build.sources import discover_inputs, load_dataset
from newskg.build.usage import declared_terms, nearest_term
from newskg.cli import main
from newskg.errors import Problem, ValidationError
from newskg.namespaces import PREFIXES

SLUG = "demo"
TEXT = "Talks in Dhaka\n\nOfficials said officers of the ISI met officers of the DGFI in Dhaka.\n"
QUOTE = "Officials said officers of the ISI met officers of the DGFI"
CLAIMS = """
art:claim-meeting a nkg:Claim ;
    nkg:denotes art:fact-meeting ;
    nkg:hasStatus nkg:Reported ;
    nkg:hasSourceKind nkg:UnnamedOfficials ;
    nkg:attributedTo art:officials ;
    nkg:reportedIn art:article ;
    nkg:hasAnchor art:claim-meeting-a1 .
"""
NODES = """
art:officials a nkg:UnnamedGroup ; rdfs:label "officials"@en .
"""
MEETING = """
art:claim-meeting {
    art:fact-meeting a nkg:ConsultationUnspecified ;
        nkg:hasParticipant nkr:ISI , nkr:DGFI .
}
"""


def write_report(root: Path, content: str = MEETING, claims: str = CLAIMS, nodes: str = NODES) -> Path:
    """The report's encoding: the generated files with these additions, and the claim's anchor."""
    folder = root / "graph" / SLUG
    for name, addition in (("claims.ttl", claims), ("nodes.ttl", nodes), ("content.trig", content)):
        generated = (folder / name).read_text(encoding="utf-8").split("\n# art:")[0]
        (folder / name).write_text(generated + addition, encoding="utf-8")
    anchors = api.anchor(SLUG, [QUOTE], project=root, claims=["art:claim-meeting"]).turtle
    (folder / "anchors.ttl").write_text(anchors, encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def template(project_root: Path, tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("check") / "template"
    for name in ("ontology", "queries"):
        shutil.copytree(project_root / name, root / name)
    (root / "graph").mkdir()
    for name in ("background.ttl", "background.trig"):
        shutil.copy(project_root / "graph" / name, root / "graph" / name)
    (root / "page.txt").write_text(TEXT, encoding="utf-8")
    api.new_report(SLUG, root / "page.txt", project=root)
    write_report(root)
    build_project(root)
    return root


@pytest.fixture
def project(template: Path, tmp_path: Path) -> Path:
    root = tmp_path / "project"
    shutil.copytree(template, root)
    return root


def usage_problems(root: Path) -> list[Problem]:
    """The domain/range problems of a project's sources, located."""
    inputs = discover_inputs(root)
    problems = check_usage(load_dataset(inputs))
    return locate(problems, SourceIndex((i.relpath, i.path) for i in inputs))


def line_of(path: Path, words: str) -> int:
    return next(n for n, line in enumerate(path.read_text().splitlines(), 1) if words in line)


# ------------------------------------------------------------------ domain and range, before reasoning


def test_no_usage_problem_in_the_real_project(project_root: Path):
    # Zero false positives on the real encoding: every property there is used as declared.
    assert check_usage(load_dataset(discover_inputs(project_root))) == []


def test_the_fixture_report_is_clean(template: Path):
    assert usage_problems(template) == []


def test_a_property_on_a_node_of_a_disjoint_class_is_an_error_at_its_line(project: Path):
    # A state is not an organisation: belongsToState on Pakistan would make it one, and clash.
    folder = write_report(project, MEETING + "art:claim-meeting { nkr:Pakistan nkg:belongsToState nkr:Bangladesh . }\n")
    problems = usage_problems(project)
    assert [(p.check, p.severity, p.focus, p.path) for p in problems] == [
        ("domain-use", "error", "nkr:Pakistan", f"graph/{SLUG}/content.trig")]
    assert problems[0].line == line_of(folder / "content.trig", "nkr:Pakistan nkg:belongsToState")
    message = problems[0].message
    assert "nkg:belongsToState has domain nkg:Organisation" in message
    assert "nkr:Pakistan is a nkg:SovereignState, disjoint with nkg:Organisation" in message
    assert "cax-dw" in message


def test_a_property_on_a_node_of_an_unrelated_class_is_a_warning(project: Path):
    # art:officials is an UnnamedGroup, an Actor but no Organisation: "officials" belong to no state.
    write_report(project, MEETING + "art:claim-meeting { art:officials nkg:belongsToState nkr:Bangladesh . }\n")
    problems = usage_problems(project)
    assert [(p.check, p.severity, p.focus) for p in problems] == [("domain-use", "warning", f"nkr:{SLUG}/officials")]
    assert "is a nkg:UnnamedGroup, unrelated to nkg:Organisation" in problems[0].message


def test_types_asserted_in_claim_content_count(project: Path):
    # The meeting is an eventuality (typed in the claim's content); an eventuality belongs to no state.
    write_report(project, MEETING + "art:claim-meeting { art:fact-meeting nkg:belongsToState nkr:Pakistan . }\n")
    problems = usage_problems(project)
    assert [(p.check, p.focus) for p in problems] == [("domain-use", f"nkr:{SLUG}/fact-meeting")]
    assert "nkg:ConsultationUnspecified, disjoint with nkg:Organisation" in problems[0].message


def test_a_literal_where_an_individual_belongs_and_the_reverse_are_range_errors(project: Path):
    write_report(project, MEETING + """art:claim-meeting {
        art:fact-meeting nkg:hasParticipant "the ISI" .
        art:time-x a time:ProperInterval ; nkg:notBefore nkr:Pakistan .
    }\n""", nodes=NODES)
    found = {(p.check, p.message.split(";")[0]) for p in usage_problems(project)}
    assert found == {
        ("range-use", 'nkg:hasParticipant has range nkg:Actor, but "the ISI" is a literal'),
        ("range-use", "nkg:notBefore has range xsd:date, but nkr:Pakistan is not a literal"),
    }


@pytest.mark.parametrize("use", [
    # the subject's asserted type is below the domain (ISI is an intelligence agency)
    "nkr:ISI nkg:belongsToState nkr:Pakistan .",
    # no asserted type: the use is what says what it is
    "art:someone nkg:belongsToState nkr:Pakistan .",
    # a type above the domain: the use only narrows it
    "art:body a nkg:Actor ; nkg:belongsToState nkr:Pakistan .",
    # classes of a reused vocabulary whose hierarchy is declared elsewhere (ProperInterval is a TemporalEntity)
    'art:time-x a time:ProperInterval ; nkg:notBefore "2026-01-01"^^xsd:date .',
    # the range through an inverse: hasStateBody's subject is belongsToState's range
    "nkr:Pakistan nkg:hasStateBody nkr:ISI .",
])
def test_legitimate_uses_are_not_reported(project: Path, use: str):
    write_report(project, MEETING + f"art:claim-meeting {{ {use} }}\n")
    assert usage_problems(project) == []


def test_a_wrong_domain_use_fails_the_build_naming_the_file_and_keeps_the_previous_build(project: Path):
    before = (project / "build" / "manifest.json").read_text()
    write_report(project, MEETING + "art:claim-meeting { nkr:Pakistan nkg:belongsToState nkr:Bangladesh . }\n")
    with pytest.raises(ValidationError) as err:
        build_project(project)
    assert [p.check for p in err.value.problems] == ["domain-use"]
    result = CliRunner().invoke(main, ["--project", str(project), "build"])
    assert result.exit_code == 1
    assert f"graph/{SLUG}/content.trig:" in result.output and "domain-use" in result.output
    assert (project / "build" / "manifest.json").read_text() == before


# ------------------------------------------------------------------ did you mean


def test_an_undeclared_term_gets_the_nearest_declared_one(ontology):
    properties = declared_terms(ontology, "property")
    classes = declared_terms(ontology, "class")
    assert nearest_term("nkg:belongsToStat", properties) == "nkg:belongsToState"
    assert nearest_term("schema:hasParticipant", properties) == "nkg:hasParticipant"  # the right name, wrong prefix
    assert nearest_term("nkg:visit", classes) == "nkg:Visit"
    assert nearest_term("nkg:Zyxwvut", classes) is None


# ------------------------------------------------------------------ the command


@pytest.fixture(scope="module")
def broken(template: Path, tmp_path_factory) -> dict:
    """The fixture report with a typo, a wrong-domain use and a shifted anchor, checked once."""
    root = tmp_path_factory.mktemp("broken") / "project"
    shutil.copytree(template, root)
    folder = write_report(root, MEETING.replace("nkg:hasParticipant", "nkg:hasParticipnt")
                          + "art:claim-meeting { nkr:Pakistan nkg:belongsToState nkr:Bangladesh . }\n")
    anchors = folder / "anchors.ttl"
    start = f'oa:start "{TEXT.index(QUOTE)}"'
    anchors.write_text(anchors.read_text().replace(start, f'oa:start "{TEXT.index(QUOTE) + 1}"'))
    runner = CliRunner()
    # Both formats render one run of the checks (a run reasons over the whole ontology three times).
    problems = api.check(root)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(api, "check", lambda *args, **kwargs: list(problems))
        table = runner.invoke(main, ["--project", str(root), "check", "-q"])
        as_json = runner.invoke(main, ["--project", str(root), "check", "--format", "json"])
    return {"root": root, "folder": folder, "table": table, "json": as_json}


def test_check_lists_every_problem_with_file_line_and_subject(broken):
    assert broken["json"].exit_code == 1
    report = json.loads(broken["json"].stdout)
    by_check = {p["check"]: p for p in report["problems"]}
    folder, content = broken["folder"], f"graph/{SLUG}/content.trig"
    typo = by_check["undeclared-property-violation"]
    assert (typo["path"], typo["line"]) == (content, line_of(folder / "content.trig", "nkg:hasParticipnt"))
    assert typo["focus"] == "nkg:hasParticipnt" and "did you mean nkg:hasParticipant?" in typo["message"]
    misuse = by_check["domain-use"]
    assert (misuse["path"], misuse["line"], misuse["focus"], misuse["severity"]) == (
        content, line_of(folder / "content.trig", "nkr:Pakistan nkg:belongsToState"), "nkr:Pakistan", "error")
    # A broken anchor is placed where the anchor is written, and names the claim and the text.
    anchor = by_check["text-anchor"]
    assert (anchor["path"], anchor["line"]) == (f"graph/{SLUG}/anchors.ttl",
                                                line_of(folder / "anchors.ttl", "claim-meeting-a1 a nkg:TextAnchor"))
    assert f"claim nkr:{SLUG}/claim-meeting" in anchor["message"] and f"graph/{SLUG}/source.txt" in anchor["message"]
    assert report["errors"] == sum(1 for p in report["problems"] if p["severity"] == "error") >= 3


def test_the_table_starts_each_line_with_file_and_line(broken):
    assert broken["table"].exit_code == 1
    lines = broken["table"].stdout.splitlines()
    typo = next(line for line in lines if "nkg:hasParticipnt" in line)
    assert typo.startswith(f"graph/{SLUG}/content.trig:{line_of(broken['folder'] / 'content.trig', 'hasParticipnt')} ")
    assert "error" in typo.split()[1]


@pytest.fixture
def one_source_model(monkeypatch):
    """Explanations of one project share the closures of its sources (each costs three OWL-RL runs)."""
    import newskg.explain as explain_module

    made: dict = {}
    real = explain_module.SourceModel

    def shared(root, reasoner=None):
        if root not in made:
            made[root] = real(root, reasoner)
        return made[root]

    monkeypatch.setattr(explain_module, "SourceModel", shared)


def test_explain_works_on_the_failed_build_and_shows_both_sides_of_the_clash(broken, one_source_model):
    root = broken["root"]
    result = CliRunner().invoke(main, ["--project", str(root), "explain", "--clash"])
    assert result.exit_code == 0, result.output
    out = result.output
    assert out.startswith("note: the build is older than the sources")
    # The misuse is Reported: the clash appears at that level, between background and the claim.
    assert "cax-dw at level reported" in out and "common individual nkr:Pakistan" in out
    assert "nkg:SovereignState owl:disjointWith nkg:Organisation  [asserted in ontology/core.ttl]" in out
    side1, side2 = out.split("side 1:")[1].split("side 2:")
    assert "nkr:Pakistan rdf:type nkg:SovereignState  [asserted in graph/background.trig" in side1
    assert "nkr:Pakistan rdf:type nkg:Organisation  [by prp-dom] (reported)" in side2
    assert f"content of nkr:{SLUG}/claim-meeting (Reported)" in side2
    # Asking why Pakistan is of type owl:Nothing explains the same clash.
    nothing = CliRunner().invoke(main, ["--project", str(root), "explain", "nkr:Pakistan", "rdf:type", "owl:Nothing"])
    assert nothing.exit_code == 0 and "side 2:" in nothing.output and "prp-dom" in nothing.output


def test_explain_clash_on_consistent_sources_exits_1(template: Path):
    result = CliRunner().invoke(main, ["--project", str(template), "explain", "--clash"])
    assert result.exit_code == 1 and "no inconsistency" in result.output
    assert not result.output.startswith("note:")  # the build is current


def test_explain_wants_a_triple_or_clash(template: Path):
    runner = CliRunner()
    assert runner.invoke(main, ["--project", str(template), "explain", "nkr:ISI"]).exit_code == 2
    both = runner.invoke(main, ["--project", str(template), "explain", "--clash", "nkr:ISI", "rdf:type", "nkg:Actor"])
    assert both.exit_code == 2 and "takes no triple" in both.output


# ------------------------------------------------------------------ where a term is written


def test_the_index_follows_statements_past_strings_brackets_and_graphs():
    text = """@prefix ex: <http://ex.org/> .
PREFIX y: <http://y.org/>
# a comment with ex:nothing . {
ex:a a ex:C ;
    ex:p "a string with # and . and ex:q" , 'x'@en ;
    ex:r [ ex:s ex:t ] , ex:u ;
    ex:n "5"^^<http://www.w3.org/2001/XMLSchema#int> , ex:v .
ex:g {
    ex:b ex:p \"\"\"long
    . string\"\"\" ;
       ex:w ex:x .
}
y:k y:p y:o .
"""
    index = index_file(text, "t.trig")
    ex = "http://ex.org/"
    assert index.subjects == {ex + "a": 4, ex + "b": 9, "http://y.org/k": 13}
    assert index.graphs == {ex + "g": 8}
    assert index.triples[(ex + "a", PREFIXES["rdf"] + "type", ex + "C")] == 4
    assert index.triples[(ex + "a", ex + "r", ex + "u")] == 6
    assert index.triples[(ex + "a", ex + "n", ex + "v")] == 7
    assert index.triples[(ex + "b", ex + "w", ex + "x")] == 11
    assert index.pairs[(ex + "a", ex + "p")] == 5
    assert ex + "nothing" not in index.mentions and ex + "q" not in index.mentions
    assert index.mentions[ex + "s"] == 6


def test_a_problem_about_the_text_moves_to_the_file_that_states_its_subject(tmp_path: Path):
    (tmp_path / "anchors.ttl").write_text("@prefix art: <https://example.org/r/> .\n\nart:a1 a art:Anchor .\n")
    problem = Problem("text-anchor", "offsets are off", focus="<https://example.org/r/a1>", path="source.txt")
    unplaced = Problem("contradiction", "no subject", severity="warning")
    locate([problem, unplaced], SourceIndex([("anchors.ttl", tmp_path / "anchors.ttl")]))
    assert (problem.path, problem.line) == ("anchors.ttl", 3)
    assert str(problem).startswith("anchors.ttl:3: error: text-anchor:")
    assert (unplaced.path, unplaced.line) == (None, None)
