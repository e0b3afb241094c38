"""Ad-hoc queries (`query run -`, `--query`), SPARQL XML results, TriG and N-Quads for CONSTRUCT,
and shell completion, over a small hand-written build."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pyoxigraph
import pytest
from click.testing import CliRunner

from newskg.cli import main
from newskg.cli.query import FORMATS
from newskg.errors import UsageError
from newskg.query.render import ALL_FORMATS, render
from newskg.query.results import AskResult, SelectResult, Term

NKG = "https://w3id.org/newskg/ontology#"
NKR = "https://w3id.org/newskg/resource/"
GRAPH = "https://w3id.org/newskg/graph/"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
XSD = "http://www.w3.org/2001/XMLSchema#"
SRX = "{http://www.w3.org/2005/sparql-results#}"

# ISI's type is confirmed; that it met DGFI is only reported.
QUADS = f"""<{NKR}ISI> <{RDF_TYPE}> <{NKG}IntelligenceAgency> <{GRAPH}facts/confirmed> .
<{NKR}ISI> <{NKG}metWith> <{NKR}DGFI> <{GRAPH}facts/reported> .
<{NKR}c1> <{RDF_TYPE}> <{NKG}Claim> <{GRAPH}article/alpha> .
"""
SAVED = """#+ title: Claims of a report
#+ param: report | string | alpha | The report's slug
#+ param: entity | iri | nkr:ISI | An entity
SELECT ?c WHERE { ?c a nkg:Claim }
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    (root / "queries").mkdir(parents=True)
    (root / "queries" / "claims-of-report.rq").write_text(SAVED, encoding="utf-8")
    (root / "queries" / "claim-count.rq").write_text("SELECT (COUNT(*) AS ?n) WHERE { ?c a nkg:Claim }\n")
    for slug in ("alpha", "beta"):
        (root / "graph" / slug).mkdir(parents=True)
    build = root / "build"
    build.mkdir()
    (build / "dataset.nq").write_text(QUADS, encoding="utf-8")
    graphs = [{"iri": GRAPH + name} for name in ("article/alpha", "facts/confirmed", "facts/reported")]
    (build / "manifest.json").write_text(json.dumps({"format": 1, "graphs": graphs}), encoding="utf-8")
    return root


def run(project: Path, *args: str, stdin: str | None = None):
    return CliRunner().invoke(main, ["--project", str(project), "query", "run", *args], input=stdin)


# --- ad-hoc queries ---------------------------------------------------------------------------------


def test_stdin_query_gets_the_project_prefixes_and_the_level(project: Path):
    text = "SELECT ?who WHERE { ?who nkg:metWith nkr:DGFI }"
    confirmed = run(project, "-", "--format", "csv", stdin=text)
    assert confirmed.exit_code == 0, confirmed.output
    assert confirmed.output.splitlines() == ["who"]  # the meeting is only reported
    reported = run(project, "-", "--format", "csv", "--at", "reported", stdin=text)
    assert reported.output.splitlines() == ["who", f"{NKR}ISI"]


def test_query_option_runs_text_with_every_format_and_the_rdflib_engine(project: Path):
    text = "SELECT ?a WHERE { ?a a nkg:IntelligenceAgency }"
    answer = run(project, "--query", text, "--format", "json", "--engine", "rdflib")
    assert answer.exit_code == 0, answer.output
    assert json.loads(answer.output)["results"]["bindings"] == [{"a": {"type": "uri", "value": f"{NKR}ISI"}}]
    shown = run(project, "--query", text, "--show-query")
    assert "PREFIX nkg:" in shown.output and "nkr:ISI" in shown.output


def test_an_ad_hoc_query_may_have_a_header_with_parameters(project: Path):
    text = "#+ param: who | iri | nkr:ISI | Whose meetings\nSELECT ?other WHERE { ?who nkg:metWith ?other }"
    answer = run(project, "-", "-p", "who=nkr:ISI", "--at", "assessed", "--format", "tsv", stdin=text)
    assert answer.exit_code == 0, answer.output
    assert answer.output.splitlines() == ["?other", f"<{NKR}DGFI>"]


@pytest.mark.parametrize("stdin", ["", "   \n", "# only a comment\n"])
def test_an_empty_stdin_query_is_a_usage_error(project: Path, stdin: str):
    answer = run(project, "-", stdin=stdin)
    assert answer.exit_code == 2 and "<stdin>: the query text is empty" in answer.output
    assert "Traceback" not in answer.output


def test_a_name_and_query_text_together_or_neither_are_usage_errors(project: Path):
    both = run(project, "claim-count", "--query", "ASK {}")
    assert both.exit_code == 2 and "not both" in both.output
    neither = run(project)
    assert neither.exit_code == 2 and "--query TEXT" in neither.output


def test_an_ad_hoc_update_is_refused(project: Path):
    answer = run(project, "--query", "DROP ALL")
    assert answer.exit_code == 2 and "--allow-update" in answer.output


def test_an_ad_hoc_syntax_error_names_its_source_and_position(project: Path):
    answer = run(project, "-", stdin="SELECT ?x WHERE { ?x nkg:metWith }")
    assert answer.exit_code == 1 and "<stdin>:1:" in answer.output


# --- SPARQL XML results -----------------------------------------------------------------------------

SELECT = SelectResult(["who", "quote", "n"], [
    {"who": Term("uri", f"{NKR}ISI"), "quote": Term.literal('said "x" <&> \r\nagain', lang="en"),
     "n": Term.literal("15", f"{XSD}integer")},
    {"who": Term("bnode", "b0")},
])


def test_xml_results_parse_back_to_the_same_terms():
    text = render(SELECT, "xml")
    solutions = pyoxigraph.parse_query_results(text, format=pyoxigraph.QueryResultsFormat.XML)
    assert isinstance(solutions, pyoxigraph.QuerySolutions)
    first, second = list(solutions)
    assert first["who"] == pyoxigraph.NamedNode(f"{NKR}ISI")
    assert first["quote"] == pyoxigraph.Literal('said "x" <&> \r\nagain', language="en")
    assert first["n"] == pyoxigraph.Literal("15", datatype=pyoxigraph.NamedNode(f"{XSD}integer"))
    assert isinstance(second["who"], pyoxigraph.BlankNode) and second["quote"] is None
    assert [v.get("name") for v in ET.fromstring(text).iter(f"{SRX}variable")] == ["who", "quote", "n"]


def test_ask_has_the_xml_boolean_form():
    assert [b.text for b in ET.fromstring(render(AskResult(True), "xml")).iter(f"{SRX}boolean")] == ["true"]
    assert bool(pyoxigraph.parse_query_results(render(AskResult(False), "xml"),
                                               format=pyoxigraph.QueryResultsFormat.XML)) is False


def test_a_control_character_xml_cannot_carry_is_a_clear_error():
    with pytest.raises(UsageError, match=r"XML 1\.0 cannot carry"):
        render(SelectResult(["x"], [{"x": Term.literal("bell\x07")}]), "xml")


def test_xml_from_the_command_line(project: Path):
    answer = run(project, "claim-count", "--format", "xml")
    assert answer.exit_code == 0
    assert [v.text for v in ET.fromstring(answer.output).iter(f"{SRX}literal")] == ["1"]


# --- TriG and N-Quads for CONSTRUCT -----------------------------------------------------------------


@pytest.mark.parametrize("fmt, rdf_format", [("trig", pyoxigraph.RdfFormat.TRIG),
                                             ("nquads", pyoxigraph.RdfFormat.N_QUADS)])
def test_construct_as_trig_and_nquads_puts_the_triples_in_the_default_graph(project: Path, fmt, rdf_format):
    answer = run(project, "-", "--format", fmt, "--at", "reported",
                 stdin="CONSTRUCT WHERE { ?s ?p ?o }")
    assert answer.exit_code == 0, answer.output
    quads = list(pyoxigraph.parse(answer.output, format=rdf_format))
    assert {str(q.triple) for q in quads} == {
        f"<{NKR}ISI> <{RDF_TYPE}> <{NKG}IntelligenceAgency>", f"<{NKR}ISI> <{NKG}metWith> <{NKR}DGFI>",
        f"<{NKR}c1> <{RDF_TYPE}> <{NKG}Claim>"}
    assert all(q.graph_name == pyoxigraph.DefaultGraph() for q in quads)


def test_a_select_refuses_a_construct_format(project: Path):
    answer = run(project, "claim-count", "--format", "trig")
    assert answer.exit_code == 2 and "is for CONSTRUCT queries" in answer.output


def test_the_cli_offers_exactly_the_formats_the_renderer_knows():
    # The CLI spells them out so that it starts without importing the renderer.
    assert set(FORMATS) == set(ALL_FORMATS)


# --- shell completion -------------------------------------------------------------------------------


def complete(project: Path, words: str) -> list[str]:
    """What bash completion offers for the last word of ``words`` (click's bash protocol)."""
    words_before = ["newskg", "--project", str(project), *words.split()]
    # The word being completed: the last one, or a new empty one after a trailing space.
    current = len(words_before) if words.endswith(" ") else len(words_before) - 1
    env = {"_NEWSKG_COMPLETE": "bash_complete", "COMP_WORDS": " ".join(words_before), "COMP_CWORD": str(current)}
    result = CliRunner().invoke(main, [], prog_name="newskg", env=env)
    return [line.split(",", 1)[1] for line in result.output.splitlines() if line]


def test_completion_offers_saved_query_names_and_stdin(project: Path):
    assert complete(project, "query run cl") == ["claim-count", "claims-of-report"]
    assert "-" in complete(project, "query run ")
    assert complete(project, "query show claims") == ["claims-of-report"]
    assert "-" not in complete(project, "query show ")


def test_completion_offers_the_query_parameters_and_report_slugs(project: Path):
    assert complete(project, "query run claims-of-report -p ") == ["entity=", "report="]
    assert complete(project, "query run claims-of-report -p e") == ["entity="]
    assert complete(project, "query run claims-of-report -p report=") == ["report=alpha", "report=beta"]
    assert complete(project, "query run claims-of-report -p report=b") == ["report=beta"]
    assert complete(project, "query run claims-of-report -p entity=") == []


def test_completion_and_stdin_queries_import_no_rdflib(project: Path):
    # Completion runs on every <TAB>, and `query run` must start fast: neither may import rdflib.
    script = ("import sys, runpy\n"
              "sys.argv = ['newskg', '--project', sys.argv[1], 'query', 'run', '-', '--format', 'csv']\n"
              "try:\n    runpy.run_module('newskg', run_name='__main__')\nexcept SystemExit:\n    pass\n"
              "print('rdflib' in sys.modules)\n")
    answer = subprocess.run([sys.executable, "-c", script, str(project)], input="ASK {}", capture_output=True,
                            text=True, check=True)
    assert answer.stdout.splitlines()[-1] == "False", answer.stderr
    env = {**os.environ, "_NEWSKG_COMPLETE": "bash_complete",
           "COMP_WORDS": f"newskg --project {project} query run claims-of-report -p report=", "COMP_CWORD": "7"}
    script = ("import sys\nfrom newskg.cli import main\n"
              "try:\n    main(prog_name='newskg')\nexcept SystemExit:\n    pass\n"
              "print('rdflib' in sys.modules, 'pyoxigraph' in sys.modules)\n")
    completion = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True)
    assert completion.stdout.splitlines()[-1] == "False False", completion.stderr
    assert "plain,report=alpha" in completion.stdout
