"""Result formats: the standard ones parse back to the same terms."""

from __future__ import annotations

import csv
import io
import json
import random

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


def test_shorten_makes_a_curie_only_of_a_local_name_of_word_characters_dots_dashes_and_slashes():
    from newskg.namespaces import PREFIXES, shorten

    def by_the_rule(iri: str) -> str:  # the rule as written before shorten was cached
        best, chosen = "", ""
        for prefix, base in PREFIXES.items():
            if iri.startswith(base) and len(base) > len(best):
                best, chosen = base, prefix
        local = iri[len(best):]
        if best and local and all(c.isalnum() or c in "-_./" for c in local) and not local.endswith((".", "/")):
            return f"{chosen}:{local}"
        return f"<{iri}>"

    rng = random.Random(7)
    characters = "aZ09_-./ é€‿·٣ⅷ²\u0301#?%"  # letters, digits of other scripts, a combining mark
    for base in [*PREFIXES.values(), "https://elsewhere.example/"]:
        for _ in range(300):
            iri = base + "".join(rng.choice(characters) for _ in range(rng.randint(0, 6)))
            assert shorten(iri) == shorten(iri) == by_the_rule(iri), iri
    assert shorten(PREFIXES["nkr"] + "report-1/claim-2") == "nkr:report-1/claim-2"
