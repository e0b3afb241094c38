"""Data checks that need no reasoning: SHACL shapes, and the quality-check queries.

``validate_shapes`` validates the graphs the caller has prepared (the build passes the
asserted and inferred triples, ontology included, so class targets see subclass members)
with SHACL compiled to SPARQL (newskg.build.shapes) or with pyshacl, the reference;
it never infers anything itself. ``run_quality_checks`` runs every
``queries/checks/*-violation.rq`` over the graph with pyoxigraph: a check passes when its query
returns no rows, and each row becomes one Problem.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from rdflib import Dataset, Graph
from rdflib.namespace import RDF, SH

from newskg.errors import Problem, QuerySyntaxError
from newskg.namespaces import bind_prefixes, shorten
from newskg.query.catalog import prologue_for, read_saved_query

#: The file-name ending that marks a quality check (see docs/architecture.md).
CHECK_SUFFIX = "-violation.rq"
#: The variable a check query projects for the message of a row, if it has one.
MESSAGE_VARIABLE = "message"
#: The SHACL validators: the default (SPARQL on pyoxigraph), then the reference (pyshacl).
SHACL_ENGINES = ("sparql", "pyshacl")


def validate_shapes(data: Graph | Iterable[Graph], shapes: Graph, shacl: str = SHACL_ENGINES[0]) -> list[Problem]:
    """Validate ``data`` (a graph, or the union of several) against the SHACL ``shapes``.

    One Problem per validation result; none when the data conforms (pyshacl's
    ``allow_warnings``: warnings alone are no failure). No inference: the validator sees exactly
    the triples given. Each Problem names the focus node (as a CURIE where possible) and
    carries the shape's sh:message; its severity is "error" for sh:Violation and "warning"
    otherwise. ``shacl`` picks the engine: "sparql" (newskg.build.shapes, compiled to SPARQL on
    pyoxigraph; refuses a shape it does not compile with UnsupportedShapeError) or "pyshacl"
    (the reference). Both give the same Problems in the same order.
    """
    if shacl not in SHACL_ENGINES:
        raise ValueError(f"unknown SHACL engine {shacl!r}; one of {', '.join(SHACL_ENGINES)}")
    graphs = [data] if isinstance(data, Graph) else list(data)
    if shacl == "sparql":
        from newskg.build.shapes import validate_graphs_sparql

        return validate_graphs_sparql(graphs, shapes)
    import pyshacl  # imported here: slow, and only validation needs it

    if len(graphs) == 1:
        union = graphs[0]
    else:
        union = bind_prefixes(Graph())
        for graph in graphs:
            for triple in graph:
                union.add(triple)
    conforms, report, _ = pyshacl.validate(
        union, shacl_graph=shapes, inference="none", advanced=False, allow_warnings=True
    )
    if conforms:
        return []
    problems = []
    # The report's sh:result list only: the results pyshacl nests under an sh:node result
    # (sh:detail) say why a value failed, about the value, not about a focus node of the data.
    results = [r for report_node in report.subjects(RDF.type, SH.ValidationReport)
               for r in report.objects(report_node, SH.result)]
    for result in results:
        focus = report.value(result, SH.focusNode)
        path = report.value(result, SH.resultPath)
        messages = sorted(str(m) for m in report.objects(result, SH.resultMessage))
        message = messages[0] if messages else "does not conform to its shape"
        if path is not None and not messages:
            message += f" (path {_show(path)})"
        severity = "error" if report.value(result, SH.resultSeverity) == SH.Violation else "warning"
        problems.append(Problem("shacl", message, severity, _show(focus)))
    return sorted(problems, key=lambda p: (p.focus or "", p.message, p.severity))


def run_quality_checks(data: Graph | Any, checks_dir: Path) -> list[Problem]:
    """Run every ``*-violation.rq`` in ``checks_dir`` over ``data``; one Problem per row.

    ``data`` is an rdflib Graph or Dataset, or a pyoxigraph Store (the build's sources are
    already in one: no copy). A check's default graph is the union of every graph of
    ``data``; the named graphs of a Dataset or Store (each claim's content) stay available to
    ``GRAPH`` patterns.

    The Problem's check is the file's stem, its severity the query's ``#+ severity:`` header
    (error when absent), its focus the first projected value of the row and its message the
    ``?message`` value, or else the query's title followed by the row's other values.
    Raises QuerySyntaxError naming the file when a check does not parse.
    """
    paths = sorted(Path(checks_dir).glob("*" + CHECK_SUFFIX))
    if not paths:
        return []
    store = _load_store(data)
    problems: list[Problem] = []
    for path in paths:
        query = read_saved_query(path)
        try:
            solutions = store.query(prologue_for(query.text) + query.text, use_default_graph_as_union=True)
        except SyntaxError as err:
            raise QuerySyntaxError(f"{path}: syntax error: {err}") from None
        names = [v.value for v in solutions.variables]
        for solution in solutions:
            values = {name: solution[name] for name in names}
            problems.append(_problem_for_row(query.name, query.title, query.severity, names, values))
    return problems


def start_quality_checks(data: Graph | Any, checks_dir: Path) -> Callable[[], list[Problem]]:
    """`run_quality_checks` in a thread (pyoxigraph evaluates SPARQL without the GIL, so other
    checks can run meanwhile); the function returned waits for it and returns its problems, or
    raises what it raised."""
    from newskg.background import Background

    return Background("quality-checks", run_quality_checks, data, checks_dir).result


def _load_store(data: Graph | Any):
    import pyoxigraph

    if isinstance(data, pyoxigraph.Store):
        return data
    store = pyoxigraph.Store()
    if isinstance(data, Dataset):
        # Named graphs stay named (a check may ask GRAPH ?claim { ... } of claim content);
        # the checks' default graph is the union of all of them.
        store.bulk_load(data.serialize(format="nquads", encoding="utf-8"), format=pyoxigraph.RdfFormat.N_QUADS)
    else:
        store.bulk_load(data.serialize(format="nt", encoding="utf-8"), format=pyoxigraph.RdfFormat.N_TRIPLES)
    return store


def _problem_for_row(check: str, title: str, severity: str | None, names: list[str],
                     values: dict) -> Problem:
    shown = {name: _show_oxigraph(value) for name, value in values.items() if value is not None}
    focus = shown.get(names[0]) if names else None
    if MESSAGE_VARIABLE in shown:
        message = shown[MESSAGE_VARIABLE]
    else:
        rest = [f"{n}={shown[n]}" for n in names[1:] if n in shown and n != MESSAGE_VARIABLE]
        message = title + (f" ({', '.join(rest)})" if rest else "")
    return Problem(check, message, severity or "error", focus)


def _show(term) -> str:
    text = str(term)
    return shorten(text) if "://" in text else text


def _show_oxigraph(term) -> str:
    import pyoxigraph

    if isinstance(term, pyoxigraph.NamedNode):
        return shorten(term.value)
    if isinstance(term, pyoxigraph.BlankNode):
        return f"_:{term.value}"
    return term.value
