"""Typed parameters: validation, escaping, and where the VALUES block goes."""

from __future__ import annotations

import pyoxigraph
import pytest

from newskg.errors import ParameterError, QuerySyntaxError
from newskg.query.parameters import ParameterSpec, parse_assignments, parse_parameter_line, resolve_parameters, term_for
from newskg.query.sparql import bind_parameters, query_form, variables_used, where_group_offsets

NKR = "https://w3id.org/newskg/resource/"
XSD = "http://www.w3.org/2001/XMLSchema#"


def spec(type_: str, default: str | None = None, allowed: tuple[str, ...] = ()) -> ParameterSpec:
    return ParameterSpec("v", type_, default, "", allowed)


def test_parameter_line_with_allowed_values():
    parsed = parse_parameter_line("status | iri | nkg:Confirmed | Claim status | nkg:Confirmed, nkg:Reported")
    assert parsed == ParameterSpec("status", "iri", "nkg:Confirmed", "Claim status", ("nkg:Confirmed", "nkg:Reported"))
    assert parse_parameter_line("entity | iri | - | Who").required


@pytest.mark.parametrize("line", ["x | float | 1 | d", "bad-name | iri | - | d", "x | integer | ten | d", "x"])
def test_malformed_parameter_lines_are_refused(line):
    with pytest.raises(ValueError):
        parse_parameter_line(line)


@pytest.mark.parametrize(
    "type_, value, term",
    [
        ("iri", "nkr:ISI", f"<{NKR}ISI>"),
        ("iri", f"<{NKR}DGFI>", f"<{NKR}DGFI>"),
        ("iri", "http://example.org/x", "<http://example.org/x>"),
        ("string", 'say "hi"\\', '"say \\"hi\\"\\\\"'),
        ("integer", "+015", f'"15"^^<{XSD}integer>'),
        ("decimal", "2.50", f'"2.50"^^<{XSD}decimal>'),
        ("date", "2025-04-01", f'"2025-04-01"^^<{XSD}date>'),
        ("boolean", "TRUE", f'"true"^^<{XSD}boolean>'),
    ],
)
def test_values_become_escaped_terms(type_, value, term):
    assert term_for(spec(type_), value) == term


@pytest.mark.parametrize(
    "type_, value",
    [
        ("iri", "nkr:ISI> } ; DROP ALL ; #"),
        ("iri", "http://example.org/a b"),
        ("iri", "<http://e/{x}>"),
        ("iri", "foo:bar"),
        ("iri", "plainword"),
        ("integer", "1.5"),
        ("integer", "ten"),
        ("decimal", "1e5"),
        ("date", "2025-13-01"),
        ("date", "April 2025"),
        ("boolean", "yes"),
    ],
)
def test_bad_values_are_parameter_errors_naming_the_parameter(type_, value):
    with pytest.raises(ParameterError, match="'v'"):
        term_for(spec(type_), value)


def test_hostile_string_stays_one_literal_that_parses():
    hostile = 'x" } ; DROP ALL ; #'
    term = term_for(spec("string"), hostile)
    store = pyoxigraph.Store()
    solutions = store.query(f"SELECT ?v WHERE {{ VALUES ?v {{ {term} }} }}")
    assert isinstance(solutions, pyoxigraph.QuerySolutions)
    answer = list(solutions)
    assert answer[0]["v"].value == hostile


def test_unknown_missing_and_disallowed_parameters():
    specs = [ParameterSpec("entity", "iri", None, "who"), ParameterSpec("n", "integer", "3", "how many")]
    with pytest.raises(ParameterError, match=r"unknown parameter 'nope'.*entity.*n"):
        resolve_parameters(specs, {"entity": "nkr:ISI", "nope": "1"})
    with pytest.raises(ParameterError, match="missing required parameter 'entity'"):
        resolve_parameters(specs, {})
    assert resolve_parameters(specs, {"entity": "nkr:ISI"}) == {
        "entity": f"<{NKR}ISI>", "n": f'"3"^^<{XSD}integer>'}
    limited = [ParameterSpec("s", "iri", "nkg:Confirmed", "", ("nkg:Confirmed", "nkg:Reported"))]
    with pytest.raises(ParameterError, match="allowed values: nkg:Confirmed, nkg:Reported"):
        resolve_parameters(limited, {"s": "nkg:Denied"})


def test_assignments_keep_equals_signs_in_values():
    assert parse_assignments(["q=a=b", "n=1"]) == {"q": "a=b", "n": "1"}
    with pytest.raises(ParameterError):
        parse_assignments(["novalue"])


def test_values_block_goes_first_in_the_where_group_not_in_strings_or_comments():
    text = (
        "# a comment with { braces }\n"
        'SELECT ?x WHERE { # } another\n'
        '  ?x ?p "a { string }" . FILTER(?x != <http://e/x#frag>) }\n'
    )
    start, end = where_group_offsets(text)
    assert text[start - 1] == "{" and text[:start].count("\n") == 1
    assert text[end] == "}" and text[end + 1:] == "\n"
    bound = bind_parameters(text, {"x": "<http://e/a>"})
    assert bound.splitlines()[1] == "SELECT ?x WHERE { VALUES (?x) { (<http://e/a>) } # } another"


def test_construct_template_is_skipped():
    text = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"
    bound = bind_parameters(text, {"s": "<http://e/a>"})
    assert bound == "CONSTRUCT { ?s ?p ?o } WHERE { VALUES (?s) { (<http://e/a>) } ?s ?p ?o }"
    with pytest.raises(QuerySyntaxError):
        bind_parameters("CONSTRUCT WHERE { ?s ?p ?o }", {"s": "<http://e/a>"})


def test_ask_without_where_keyword():
    assert bind_parameters("ASK { ?s ?p ?o }", {"o": '"1"'}) == 'ASK { VALUES (?o) { ("1") } ?s ?p ?o }'


@pytest.mark.parametrize(
    "text, form",
    [
        ("PREFIX a: <http://a/> SELECT * { ?s ?p ?o }", "SELECT"),
        ("ask { ?s ?p ?o }", "ASK"),
        ("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", "CONSTRUCT"),
        ("SELECT * { ?s ?p ?o } ; DROP ALL", "UPDATE"),
        ("INSERT DATA { <a:b> <a:c> <a:d> }", "UPDATE"),
        ("# DELETE in a comment\nSELECT * { ?s ?p \"drop all\" }", "SELECT"),
        ("SELECT * { ?s <http://e/delete> ?o }", "SELECT"),
        ("SELECT * { ?s nkg:load ?o }", "SELECT"),
    ],
)
def test_query_form_detects_updates_only_as_keywords(text, form):
    assert query_form(text) == form


def test_variables_used_ignores_strings():
    assert variables_used('SELECT ?a $b WHERE { ?a ?p "?c" }') == {"a", "b", "p"}


def test_an_empty_default_makes_a_parameter_optional_and_unbound_without_a_value():
    optional = parse_parameter_line("report | report |  | Only this report")
    assert optional.optional and not optional.required and optional.describe() == "report (report, optional)"
    specs = [optional, ParameterSpec("n", "integer", "3", "")]
    assert resolve_parameters(specs, {})["report"] == "UNDEF"
    assert resolve_parameters(specs, {"report": " "})["report"] == "UNDEF"  # an empty form field: every report
    # UNDEF joins with anything: the query's own pattern binds the variable
    store = pyoxigraph.Store()
    for name in ("a", "b"):
        store.add(pyoxigraph.Quad(pyoxigraph.NamedNode(f"http://e/{name}"), pyoxigraph.NamedNode("http://e/in"),
                                  pyoxigraph.NamedNode(f"http://e/{name.upper()}")))
    text = "SELECT ?c ?report WHERE { ?c <http://e/in> ?report } ORDER BY ?c"

    def answer(terms):
        solutions = store.query(bind_parameters(text, terms))
        assert isinstance(solutions, pyoxigraph.QuerySolutions)
        return [s["c"].value for s in solutions]

    assert answer({"report": "UNDEF"}) == ["http://e/a", "http://e/b"]
    assert answer({"report": "<http://e/B>"}) == ["http://e/b"]


def test_a_report_is_its_slug_or_its_documents_iri_and_must_be_one_of_the_builds():
    report = ParameterSpec("report", "report", "", "")
    document = f"<{NKR}first-report/article>"
    for value in ("first-report", "nkr:first-report/article", document):
        assert term_for(report, value, reports=["first-report", "second"]) == document
    with pytest.raises(ParameterError, match="'nope' is no report of the build; its reports: first-report, second"):
        term_for(report, "nope", reports=["second", "first-report"])
    with pytest.raises(ParameterError, match="is not a report"):
        term_for(report, "nkr:first-report/claim-1")  # a report's node, not its document
    with pytest.raises(ParameterError, match="'report'"):
        term_for(report, "nkr:x> } ; DROP ALL ; #", reports=["x"])
    # without the build's reports, only the form is checked
    assert term_for(report, "any-slug") == f"<{NKR}any-slug/article>"
