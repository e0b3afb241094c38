"""Ontology documentation (docs/ontology.md, docs/ontology.html) and `newskg describe`: a small
project's ontology documented term by term, and the committed docs of this project kept current."""

from __future__ import annotations

import re
import shutil
from html.parser import HTMLParser
from pathlib import Path
from typing import ClassVar

import pytest
from click.testing import CliRunner

from newskg import api
from newskg.build import build_project
from newskg.cli import main
from newskg.errors import UsageError
from newskg.ontology_docs import HTML_PATH, MARKDOWN_PATH, read_ontology
from newskg.project import Project

NKG = "https://w3id.org/newskg/ontology#"
PREFIXES = """@prefix nkg: <https://w3id.org/newskg/ontology#> .
@prefix nkr: <https://w3id.org/newskg/resource/> .
@prefix art: <https://w3id.org/newskg/resource/demo/> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix sem: <http://semanticweb.cs.vu.nl/2009/11/sem/> .
"""
CORE = PREFIXES + """
<https://w3id.org/newskg/ontology> a owl:Ontology ; dct:title "demo ontology"@en ; owl:versionInfo "0.1" .
sem:Actor a owl:Class ; rdfs:label "actor (SEM)"@en .
nkg:Actor a owl:Class ; rdfs:label "actor"@en ; skos:definition "Anyone who acts."@en ;
    rdfs:subClassOf sem:Actor .
nkg:SovereignState a owl:Class ; rdfs:label "sovereign state"@en , "সার্বভৌম রাষ্ট্র"@bn ;
    skos:definition "A country as a political actor."@en ; rdfs:subClassOf nkg:Actor .
nkg:IntelligenceAgency a owl:Class ; rdfs:label "intelligence agency"@en ;
    skos:definition "An agency that gathers intelligence."@en ; rdfs:subClassOf nkg:Actor ;
    owl:disjointWith nkg:SovereignState .
nkg:belongsToState a owl:ObjectProperty ; rdfs:label "belongs to state"@en ;
    skos:definition "The state a body serves."@en ;
    rdfs:domain nkg:IntelligenceAgency ; rdfs:range nkg:SovereignState ; owl:inverseOf nkg:hasStateBody .
nkg:hasStateBody a owl:ObjectProperty ; rdfs:label "has state body"@en ; skos:definition "The inverse."@en .
"""
ENGAGEMENT = PREFIXES + """
nkg:Engagement a owl:Class ; rdfs:label "engagement"@en ; skos:definition "Actors interacting."@en .
nkg:Consultation a owl:Class ; rdfs:label "consultation"@en ; skos:definition "CAMEO 04: actors consult."@en ;
    nkg:cameoCode "04" ; rdfs:subClassOf nkg:Engagement .
nkg:Visit a owl:Class ; rdfs:label "visit"@en ; skos:definition "CAMEO 042: a visit."@en ;
    nkg:cameoCode "042" ; rdfs:subClassOf nkg:Consultation .
nkg:IntelligenceEngagement a owl:Class ; rdfs:label "intelligence engagement"@en ;
    skos:definition "An engagement with an intelligence agency."@en ; rdfs:subClassOf nkg:Engagement .
[ a owl:Class ; owl:intersectionOf ( nkg:Engagement
    [ a owl:Restriction ; owl:onProperty nkg:hasParticipant ; owl:someValuesFrom nkg:IntelligenceAgency ] ) ]
    rdfs:subClassOf nkg:IntelligenceEngagement .
nkg:hasParticipant a owl:ObjectProperty ; rdfs:label "has participant"@en ;
    skos:definition "Who takes part."@en ; rdfs:domain nkg:Engagement ; rdfs:range nkg:Actor .
nkg:involvesState a owl:ObjectProperty ; rdfs:label "involves state"@en ; skos:definition "A state involved."@en ;
    owl:propertyChainAxiom ( nkg:hasParticipant nkg:belongsToState ) .
nkg:cameoCode a owl:AnnotationProperty ; rdfs:label "CAMEO code"@en ; skos:definition "The code."@en .
nkg:LevelScheme a skos:ConceptScheme ; rdfs:label "levels"@en ; skos:definition "Levels."@en .
nkg:SeniorLevel a skos:Concept ; rdfs:label "senior level"@en ; skos:definition "Senior."@en ;
    skos:inScheme nkg:LevelScheme .
"""
REPORT = PREFIXES + """
art:claim-1 a nkg:Claim ; nkg:hasStatus nkg:Reported .
art:claim-2 a nkg:Claim ; nkg:hasStatus nkg:Confirmed .
"""
# The visit is only reported; the agency's state is confirmed.
CONTENT = PREFIXES + """
art:claim-1 { art:visit a nkg:Visit ; nkg:hasParticipant nkr:ISI , nkr:DGFI . }
art:claim-2 { nkr:ISI a nkg:IntelligenceAgency ; nkg:belongsToState nkr:Pakistan . }
"""
README = "# demo\n<!-- BEGIN cli-reference -->\n<!-- END cli-reference -->\n" \
         "<!-- BEGIN saved-queries -->\n<!-- END saved-queries -->\n"


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("ontology-docs") / "project"
    (root / "ontology").mkdir(parents=True)
    (root / "graph" / "demo").mkdir(parents=True)
    (root / "ontology" / "core.ttl").write_text(CORE, encoding="utf-8")
    (root / "ontology" / "engagement.ttl").write_text(ENGAGEMENT, encoding="utf-8")
    (root / "graph" / "demo" / "report.ttl").write_text(REPORT, encoding="utf-8")
    (root / "graph" / "demo" / "content.trig").write_text(CONTENT, encoding="utf-8")
    (root / "graph" / "demo" / "source.txt").write_text("A report.\n", encoding="utf-8")
    (root / "README.md").write_text(README, encoding="utf-8")
    build_project(root)
    return root


@pytest.fixture(scope="module")
def ontology(project: Path):
    proj = Project.at(project)
    return read_ontology(proj, proj.build())


def test_each_term_has_its_definition_axioms_module_and_kind(ontology):
    state = ontology.terms[NKG + "SovereignState"]
    assert (state.kind, state.module, state.label) == ("class", "ontology/core.ttl", "sovereign state")
    assert state.definition == "A country as a political actor."
    assert state.labels == [("sovereign state", "en"), ("সার্বভৌম রাষ্ট্র", "bn")]
    assert state.supers == [NKG + "Actor"] and state.disjoint == [NKG + "IntelligenceAgency"]
    assert state.range_of == [NKG + "belongsToState"]
    belongs = ontology.terms[NKG + "belongsToState"]
    assert (belongs.kind, belongs.domain, belongs.range) == ("object property", [NKG + "IntelligenceAgency"],
                                                             [NKG + "SovereignState"])
    assert belongs.inverse == [NKG + "hasStateBody"] and ontology.terms[NKG + "hasStateBody"].inverse == [
        NKG + "belongsToState"]
    visit = ontology.terms[NKG + "Visit"]
    assert visit.cameo_code == "042" and visit.module == "ontology/engagement.ttl"
    assert ontology.terms[NKG + "Consultation"].subs == [NKG + "Visit"]
    assert ontology.terms[NKG + "involvesState"].chains == ["nkg:hasParticipant ∘ nkg:belongsToState"]
    assert ontology.terms[NKG + "IntelligenceEngagement"].sufficient == [
        "nkg:Engagement and (nkg:hasParticipant some nkg:IntelligenceAgency)"]
    assert ontology.terms[NKG + "SeniorLevel"].kind == "value"
    assert ontology.terms[NKG + "SeniorLevel"].schemes == [NKG + "LevelScheme"]
    assert not ontology.terms["http://semanticweb.cs.vu.nl/2009/11/sem/Actor"].own
    assert ontology.title == "demo ontology" and ontology.version == "0.1"


def test_usage_is_counted_at_each_level_as_a_query_sees_it(ontology):
    # The visit is reported: no visit at the confirmed level; the closure makes it an intelligence
    # engagement (ISI takes part) at the same level.
    assert ontology.terms[NKG + "Visit"].usage == {"confirmed": 0, "reported": 1, "assessed": 1}
    assert ontology.terms[NKG + "IntelligenceEngagement"].usage == {"confirmed": 0, "reported": 1, "assessed": 1}
    assert ontology.terms[NKG + "IntelligenceAgency"].usage == {"confirmed": 1, "reported": 1, "assessed": 1}
    assert ontology.terms[NKG + "hasParticipant"].usage == {"confirmed": 0, "reported": 2, "assessed": 2}
    assert ontology.terms[NKG + "involvesState"].usage["reported"] == 1  # ISI belongs to Pakistan


def test_markdown_has_the_diagrams_every_term_and_links_that_resolve(project: Path, ontology):
    text = api.ontology_docs(project)[MARKDOWN_PATH]
    assert "```mermaid\nclassDiagram" in text
    assert "  Actor <|-- SovereignState" in text and "  IntelligenceAgency --> SovereignState : belongsToState" in text
    assert '  Consultation["nkg:Consultation<br/>CAMEO 04"]' in text and "  Consultation --> Visit" in text
    headings = re.findall(r"^### (\S+)$", text, re.MULTILINE)
    assert set(headings) >= {t.curie for t in ontology.terms.values()}
    anchors = {re.sub(r"[^a-z0-9 _-]", "", h.lower()).replace(" ", "-")
               for h in re.findall(r"^#+ (.+)$", text, re.MULTILINE)}
    links = set(re.findall(r"\]\(#([^)]+)\)", text))
    assert links and links <= anchors, links - anchors
    assert "- **CAMEO code**: 042" in text
    assert "- **instances**: confirmed 0, reported 1, assessed 1" in text


class _Page(HTMLParser):
    """The ids, in-page links, outside references and unclosed tags of an HTML page."""

    VOID: ClassVar[set[str]] = {"meta", "br", "img", "link", "hr", "input"}

    def __init__(self):
        super().__init__()
        self.ids, self.links, self.outside, self.open = set(), set(), [], []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.add(attrs["id"])
        if attrs.get("href", "").startswith("#"):
            self.links.add(attrs["href"][1:])
        elif "href" in attrs or "src" in attrs or tag in ("script", "link", "img", "iframe"):
            self.outside.append((tag, attrs))
        if tag not in self.VOID:
            self.open.append(tag)

    def handle_endtag(self, tag):
        assert self.open and self.open.pop() == tag, f"</{tag}> closes nothing open"


def test_html_is_one_self_contained_page_whose_links_resolve(project: Path, ontology):
    page = _Page()
    page.feed(api.ontology_docs(project)[HTML_PATH])
    assert page.outside == [] and page.open == []
    assert page.links and page.links <= page.ids
    assert {"nkgvisit", "nkgbelongstostate", "hierarchy", "engagement-types"} <= page.ids


def test_describe_prints_what_the_docs_say(project: Path):
    result = CliRunner().invoke(main, ["--project", str(project), "describe", "Visit"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "nkg:Visit  (class, ontology/engagement.ttl)"
    for expected in ("definition:  CAMEO 042: a visit.", "CAMEO code:  042", "subclass of: nkg:Consultation",
                     "instances:   confirmed 0, reported 1, assessed 1"):
        assert any(line.strip() == expected for line in lines), expected
    by_label = CliRunner().invoke(main, ["--project", str(project), "describe", "sovereign state"])
    assert by_label.output.startswith("nkg:SovereignState")


def test_an_unknown_term_suggests_the_closest_and_exits_2(project: Path):
    result = CliRunner().invoke(main, ["--project", str(project), "describe", "nkg:Vist"])
    assert result.exit_code == 2 and "nkg:Vist is not a term of the ontology; did you mean nkg:Visit" in result.output
    assert "Traceback" not in result.output
    unknown_prefix = CliRunner().invoke(main, ["--project", str(project), "describe", "xyz:Visit"])
    assert unknown_prefix.exit_code == 2 and "unknown prefix 'xyz'" in unknown_prefix.output


def test_describe_without_a_build_says_how_to_get_usage_counts(project: Path, tmp_path: Path):
    bare = tmp_path / "bare"
    (bare / "graph").mkdir(parents=True)
    (bare / "ontology").mkdir()
    (bare / "ontology" / "core.ttl").write_text(CORE, encoding="utf-8")
    text = " ".join(api.describe("nkg:Actor", project=bare).render().split())
    assert "definition: Anyone who acts." in text and "no build: run `newskg build`" in text
    with pytest.raises(UsageError):
        api.describe("nkg:Nothing", project=bare)


def test_docs_writes_the_ontology_docs_and_check_finds_them_stale(project: Path, tmp_path: Path):
    project = Path(shutil.copytree(project, tmp_path / "copy"))  # edited below: not the shared one

    def docs(*args: str):
        return CliRunner().invoke(main, ["--project", str(project), "docs", *args])

    written = docs()
    assert written.exit_code == 0, written.output
    assert (project / MARKDOWN_PATH).is_file() and (project / HTML_PATH).is_file()
    assert docs("--check").exit_code == 0
    (project / MARKDOWN_PATH).write_text("edited by hand\n", encoding="utf-8")
    stale = docs("--check")
    assert stale.exit_code == 1 and "docs/ontology.md" in stale.output
    assert (project / MARKDOWN_PATH).read_text(encoding="utf-8") == "edited by hand\n"  # --check changes nothing
    # An ontology edit makes the docs stale too: the build is redone first, then compared.
    docs()
    with (project / "ontology" / "core.ttl").open("a", encoding="utf-8") as f:
        f.write('nkg:Person a owl:Class ; rdfs:label "person"@en ; skos:definition "One."@en ; '
                "rdfs:subClassOf nkg:Actor .\n")
    assert docs("--check").exit_code == 1


def test_this_projects_committed_ontology_docs_are_current(project_root: Path):
    """The committed docs/ontology.* are what `newskg docs` generates now (run it and commit them)."""
    api.build(project_root)  # the usage counts come from a current build; skipped when there is one
    for relpath, text in api.ontology_docs(project_root).items():
        assert (project_root / relpath).read_text(encoding="utf-8") == text, \
            f"{relpath} is stale: run `newskg docs` and commit it"
