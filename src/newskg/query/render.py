"""Query results as text: tables for people, standard formats for programs.

SELECT: ``table`` (aligned, IRIs shortened to CURIEs), ``markdown``, ``csv`` (SPARQL 1.1
CSV), ``tsv`` (SPARQL 1.1 TSV), ``json`` (SPARQL 1.1 Query Results JSON), ``xml`` (SPARQL
Query Results XML Format).
ASK: ``true``/``false`` (``json`` and ``xml`` give their formats' boolean form).
CONSTRUCT/DESCRIBE: ``turtle``, ``ntriples``, ``jsonld``, ``trig``, ``nquads``. A CONSTRUCT
result has no graph, so TriG and N-Quads put its triples in the default graph (plain Turtle
triples, N-Triples lines) rather than in a graph name we would have to invent.
"""

from __future__ import annotations

import functools
import io
import json
import re

from newskg.errors import UsageError
from newskg.namespaces import shorten
from newskg.query.results import AskResult, GraphResult, Result, SelectResult, Term
from newskg.terms import escape_string

SELECT_FORMATS = ("table", "csv", "tsv", "json", "markdown", "xml")
GRAPH_FORMATS = ("turtle", "ntriples", "jsonld", "trig", "nquads")
ALL_FORMATS = SELECT_FORMATS + GRAPH_FORMATS


def default_format(result: Result) -> str:
    """``turtle`` for triples, ``table`` otherwise."""
    return "turtle" if isinstance(result, GraphResult) else "table"


def render(result: Result, fmt: str | None = None) -> str:
    """The text of ``result`` in format ``fmt`` (None: the default for its kind).

    Raises UsageError for a format that does not apply to the result's kind.
    """
    fmt = fmt or default_format(result)
    if isinstance(result, AskResult):
        if fmt in GRAPH_FORMATS:
            raise UsageError(f"--format {fmt} is for CONSTRUCT queries; an ASK answers true or false")
        if fmt == "json":
            return json.dumps({"head": {}, "boolean": result.value}) + "\n"
        if fmt == "xml":
            return ask_xml(result)
        return ("true" if result.value else "false") + "\n"
    if isinstance(result, SelectResult):
        renderers = {"table": select_table, "markdown": select_markdown, "csv": select_csv,
                     "tsv": select_tsv, "json": select_json, "xml": select_xml}
        if fmt not in renderers:
            raise UsageError(f"--format {fmt} is for CONSTRUCT queries; a SELECT takes {', '.join(SELECT_FORMATS)}")
        return renderers[fmt](result)
    if fmt not in GRAPH_FORMATS:
        raise UsageError(f"--format {fmt} is for SELECT queries; a CONSTRUCT takes {', '.join(GRAPH_FORMATS)}")
    return graph_text(result, fmt)


# --- terms --------------------------------------------------------------------------------------


def term_ntriples(term: Term) -> str:
    """A term in N-Triples / SPARQL syntax: <iri>, _:b, "lex"@lang, "lex"^^<dt>."""
    if term.kind == "uri":
        return f"<{term.value}>"
    if term.kind == "bnode":
        return f"_:{term.value}"
    text = f'"{escape_string(term.value)}"'
    if term.lang:
        return f"{text}@{term.lang}"
    if term.datatype:
        return f"{text}^^<{term.datatype}>"
    return text


def term_display(term: Term | None) -> str:
    """A term for people: IRIs as CURIEs where a project prefix fits, literals as their text."""
    if term is None:
        return ""
    if term.kind == "uri":
        return shorten(term.value)
    if term.kind == "bnode":
        return f"_:{term.value}"
    return term.value


# --- SELECT -------------------------------------------------------------------------------------


def select_json(result: SelectResult) -> str:
    """SPARQL 1.1 Query Results JSON."""
    bindings = []
    for row in result.rows:
        binding = {}
        for name, term in row.items():
            item: dict[str, str] = {"type": term.kind, "value": term.value}
            if term.lang:
                item["xml:lang"] = term.lang
            elif term.datatype:
                item["datatype"] = term.datatype
            binding[name] = item
        bindings.append(binding)
    return json.dumps({"head": {"vars": result.variables}, "results": {"bindings": bindings}},
                      ensure_ascii=False, indent=1) + "\n"


_XML_HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">\n'


@functools.cache
def _xml_forbidden() -> re.Pattern:
    # Characters XML 1.0 cannot carry at all, not even as character references. Compiled on
    # first use: a charset with non-ASCII members costs milliseconds, and `query run` imports this.
    return re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _xml_text(value: str, attribute: bool = False) -> str:
    if _xml_forbidden().search(value):
        raise UsageError("a value holds a control character that XML 1.0 cannot carry; use --format json")
    value = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    # Escaped in text too: a CR would otherwise be normalised away by any XML parser.
    value = value.replace("\r", "&#13;")
    return value.replace('"', "&quot;").replace("\n", "&#10;").replace("\t", "&#9;") if attribute else value


def _xml_term(term: Term) -> str:
    if term.kind == "uri":
        return f"<uri>{_xml_text(term.value)}</uri>"
    if term.kind == "bnode":
        return f"<bnode>{_xml_text(term.value)}</bnode>"
    if term.lang:
        return f'<literal xml:lang="{_xml_text(term.lang, True)}">{_xml_text(term.value)}</literal>'
    if term.datatype:
        return f'<literal datatype="{_xml_text(term.datatype, True)}">{_xml_text(term.value)}</literal>'
    return f"<literal>{_xml_text(term.value)}</literal>"


def select_xml(result: SelectResult) -> str:
    """SPARQL Query Results XML Format (https://www.w3.org/TR/rdf-sparql-XMLres/)."""
    lines = [_XML_HEAD + "  <head>"]
    lines += [f'    <variable name="{_xml_text(v, True)}"/>' for v in result.variables]
    lines += ["  </head>", "  <results>"]
    for row in result.rows:
        lines.append("    <result>")
        lines += [f'      <binding name="{_xml_text(v, True)}">{_xml_term(row[v])}</binding>'
                  for v in result.variables if v in row]
        lines.append("    </result>")
    lines += ["  </results>", "</sparql>"]
    return "\n".join(lines) + "\n"


def ask_xml(result: AskResult) -> str:
    """The boolean form of the SPARQL Query Results XML Format."""
    return _XML_HEAD + f"  <head/>\n  <boolean>{'true' if result.value else 'false'}</boolean>\n</sparql>\n"


def select_csv(result: SelectResult) -> str:
    """SPARQL 1.1 CSV: plain values (IRIs bare, literals lexical, blank nodes _:x), CRLF lines."""
    import csv  # only this format needs it; `query run` imports this module

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(result.variables)
    for row in result.rows:
        cells = []
        for name in result.variables:
            term = row.get(name)
            cells.append("" if term is None else (f"_:{term.value}" if term.kind == "bnode" else term.value))
        writer.writerow(cells)
    return out.getvalue()


def select_tsv(result: SelectResult) -> str:
    """SPARQL 1.1 TSV: header of ?vars, each cell an RDF term in SPARQL syntax."""
    lines = ["\t".join(f"?{v}" for v in result.variables)]
    for row in result.rows:
        lines.append("\t".join("" if row.get(v) is None else term_ntriples(row[v]) for v in result.variables))
    return "\n".join(lines) + "\n"


def _display_rows(result: SelectResult) -> list[list[str]]:
    # One line a cell: a quote may hold a newline; tables are read, not parsed. Each term is
    # displayed once: the rows of a large answer share the same few term objects (an engine
    # converts each distinct term once), so they are looked up by identity, which costs no
    # hashing of their fields; an equal term that is another object is displayed again, alike.
    shown: dict[int, str] = {}
    variables = result.variables
    rows = []
    for row in result.rows:
        cells = []
        for name in variables:
            term = row.get(name)
            if term is None:
                cells.append("")
                continue
            text = shown.get(id(term))
            if text is None:
                text = shown[id(term)] = " ".join(term_display(term).split())
            cells.append(text)
        rows.append(cells)
    return rows


def select_table(result: SelectResult) -> str:
    """An aligned text table with a row count, for reading in a terminal."""
    rows = _display_rows(result)
    widths = [max([len(v)] + [len(r[i]) for r in rows]) for i, v in enumerate(result.variables)]
    line = "  ".join(f"{{:<{w}}}" for w in widths).format  # each cell padded to its column's width
    lines = [line(*result.variables).rstrip(), "  ".join("-" * w for w in widths)]
    lines += [line(*r).rstrip() for r in rows]
    lines.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(lines) + "\n"


def select_markdown(result: SelectResult) -> str:
    """A GitHub-flavoured Markdown table (pipes in values escaped)."""
    def cell(text: str) -> str:
        return text.replace("\\", "\\\\").replace("|", "\\|")

    lines = ["| " + " | ".join(result.variables) + " |", "|" + "---|" * len(result.variables)]
    lines += ["| " + " | ".join(cell(c) for c in r) + " |" for r in _display_rows(result)]
    return "\n".join(lines) + "\n"


# --- CONSTRUCT ----------------------------------------------------------------------------------


def _to_oxigraph(term: Term):
    import pyoxigraph

    if term.kind == "uri":
        return pyoxigraph.NamedNode(term.value)
    if term.kind == "bnode":
        return pyoxigraph.BlankNode(term.value)
    if term.lang:
        return pyoxigraph.Literal(term.value, language=term.lang)
    if term.datatype:
        return pyoxigraph.Literal(term.value, datatype=pyoxigraph.NamedNode(term.datatype))
    return pyoxigraph.Literal(term.value)


def graph_text(result: GraphResult, fmt: str) -> str:
    """Triples as Turtle or TriG (project prefixes), N-Triples or N-Quads (sorted, one a line;
    the same lines, as every triple is in the default graph) or JSON-LD."""
    if fmt in ("ntriples", "nquads"):
        lines = sorted({" ".join(term_ntriples(t) for t in triple) + " ." for triple in result.triples})
        return "".join(line + "\n" for line in lines)
    import pyoxigraph

    from newskg.namespaces import PREFIXES

    triples = [pyoxigraph.Triple(*(_to_oxigraph(t) for t in triple)) for triple in result.triples]
    statements: list[pyoxigraph.Triple] | list[pyoxigraph.Quad] = triples
    if fmt == "trig":
        statements = [pyoxigraph.Quad(t.subject, t.predicate, t.object, pyoxigraph.DefaultGraph()) for t in triples]
    rdf_format = {"turtle": pyoxigraph.RdfFormat.TURTLE, "trig": pyoxigraph.RdfFormat.TRIG,
                  "jsonld": pyoxigraph.RdfFormat.JSON_LD}[fmt]
    used = {p: iri for p, iri in PREFIXES.items()
            if any(t.kind == "uri" and t.value.startswith(iri) for triple in result.triples for t in triple)}
    data = pyoxigraph.serialize(statements, format=rdf_format, prefixes=used)
    assert data is not None  # without an output file, serialize returns the bytes
    return data.decode("utf-8")
