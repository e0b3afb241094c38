"""Result formats: the standard ones parse back to the same terms."""

from __future__ import annotations

import csv
import io
import json

import pyoxigraph
import pytest

from newskg.errors import UsageError
from newskg.query.render import render
from newskg.query.results import AskResult, GraphResult, SelectResult, Term

NKR = "https://w3id.org/newskg/resource/"
XSD = "http://www.w3.org/2001/XMLSchema#"

RESULT = SelectResult(
    ["who", "quote", "n"],
    [
        {"who": Term("uri", f"{NKR}ISI"), "quote": Term.literal('said, "quietly"\nagain', lang="en"),
         "n": Term.literal("15", f"{XSD}integer")},
        {"who": Term("bnode", "b0"), "quote": Term.literal("a | b")},
    ],
)


def test_json_is_sparql_results_json():
    document = json.loads(render(RESULT, "json"))
    assert document["head"] == {"vars": ["who", "quote", "n"]}
    first, second = document["results"]["bindings"]
    assert first["who"] == {"type": "uri", "value": f"{NKR}ISI"}
    assert first["quote"] == {"type": "literal", "value": 'said, "quietly"\nagain', "xml:lang": "en"}
    assert first["n"] == {"type": "literal", "value": "15", "datatype": f"{XSD}integer"}
    assert "n" not in second and second["who"] == {"type": "bnode", "value": "b0"}


def test_csv_is_sparql_csv():
    text = render(RESULT, "csv")
    assert text.startswith("who,quote,n\r\n")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert rows[1] == [f"{NKR}ISI", 'said, "quietly"\nagain', "15"]
    assert rows[2] == ["_:b0", "a | b", ""]


def test_tsv_cells_are_rdf_terms():
    lines = render(RESULT, "tsv").splitlines()
    assert lines[0] == "?who\t?quote\t?n"
    assert lines[1].split("\t") == [f"<{NKR}ISI>", '"said, \\"quietly\\"\\nagain"@en', f'"15"^^<{XSD}integer>']


def test_table_and_markdown_are_readable():
    table = render(RESULT)
    assert "nkr:ISI" in table and "said, \"quietly\" again" in table and table.endswith("(2 rows)\n")
    markdown = render(RESULT, "markdown").splitlines()
    assert markdown[0] == "| who | quote | n |" and markdown[3] == "| _:b0 | a \\| b |  |"


def test_ask_answers_true_or_false():
    assert render(AskResult(False)) == "false\n"
    assert render(AskResult(True), "csv") == "true\n"
    assert json.loads(render(AskResult(False), "json")) == {"head": {}, "boolean": False}


def test_construct_formats_parse_back():
    graph = GraphResult([(Term("uri", f"{NKR}ISI"), Term("uri", "http://www.w3.org/2000/01/rdf-schema#label"),
                          Term.literal("Inter-Services Intelligence", lang="en"))])
    for fmt, rdf_format in [("turtle", pyoxigraph.RdfFormat.TURTLE), ("ntriples", pyoxigraph.RdfFormat.N_TRIPLES),
                            ("jsonld", pyoxigraph.RdfFormat.JSON_LD)]:
        triples = list(pyoxigraph.parse(render(graph, fmt).encode(), format=rdf_format))
        assert [(t.subject.value, t.object.value, t.object.language) for t in triples] == [
            (f"{NKR}ISI", "Inter-Services Intelligence", "en")], fmt
    assert "@prefix nkr:" in render(graph, "turtle")


def test_formats_of_the_wrong_kind_are_usage_errors():
    with pytest.raises(UsageError):
        render(RESULT, "turtle")
    with pytest.raises(UsageError):
        render(GraphResult([]), "csv")
    with pytest.raises(UsageError):
        render(AskResult(True), "ntriples")
