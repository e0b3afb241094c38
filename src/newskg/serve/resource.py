"""A page about one resource: what the build says about it at a level, which graph says so,
and the claims whose content states it, with their status and exact words."""

from __future__ import annotations

from dataclasses import dataclass, field

from newskg.errors import UsageError
from newskg.namespaces import expand_iri
from newskg.project import graph_level, graph_role
from newskg.query.results import Term
from newskg.serve.state import AppState
from newskg.terms import is_absolute_iri

#: Rows shown per table; the page says when there were more.
MAX_ROWS = 500


@dataclass
class StatedBy:
    """A claim whose content states a triple, with its status and its words."""

    claim: str
    status: str
    quotes: list[str] = field(default_factory=list)


@dataclass
class Statement:
    """One triple about the resource (``other`` is the object, or the subject when incoming)."""

    predicate: Term
    other: Term
    where: list[str]
    stated_by: list[StatedBy] = field(default_factory=list)


@dataclass
class ResourceView:
    """Everything the resource page shows."""

    iri: str
    level: str
    outgoing: list[Statement]
    incoming: list[Statement]
    claims: list[StatedBy]
    truncated: bool = False


def parse_iri(text: str) -> str:
    """An absolute IRI from a CURIE (nkr:ISI), <IRI> or IRI; UsageError otherwise."""
    try:
        iri = expand_iri(text)
    except ValueError as err:
        raise UsageError(str(err)) from None
    if not is_absolute_iri(iri):
        raise UsageError(f"{text!r} is not an IRI; give a CURIE like nkr:ISI or a full IRI")
    return iri


def describe_graph(iri: str) -> str:
    """A graph of the build in words: "asserted, reported", "inferred at assessed", "report X"."""
    role = graph_role(iri)
    if role == "facts":
        return f"asserted, {graph_level(iri)}"
    if role == "inferred":
        return f"inferred at {graph_level(iri)}"
    if role == "article":
        return "report " + iri.rsplit("/", 1)[-1]
    return role


def resource_view(state: AppState, iri: str, level: str) -> ResourceView:
    """What the build says about ``iri`` at ``level``, and the claims behind it."""
    visible = set(state.graphs(level))
    claims: dict[str, StatedBy] = {}
    by_triple: dict[tuple, list[StatedBy]] = {}
    for row in state.select("resource-claims.rq", {"x": [iri]}, list(visible)).rows:
        claim = claims.setdefault(row["claim"].value, StatedBy(row["claim"].value,
                                                               row["status"].value.rsplit("#", 1)[-1]))
        if "quote" in row and row["quote"].value not in claim.quotes:
            claim.quotes.append(row["quote"].value)
        triple = (row["s"], row["p"], row["o"])
        if claim not in by_triple.setdefault(triple, []):
            by_triple[triple].append(claim)
    subject = Term("uri", iri)
    outgoing: dict[tuple, Statement] = {}
    rows_out = state.select("resource-out.rq", {"x": [iri]}, list(visible)).rows
    for row in rows_out:
        if row["g"].value not in visible:
            continue
        key = (row["p"], row["o"])
        statement = outgoing.setdefault(key, Statement(row["p"], row["o"], [],
                                                       by_triple.get((subject, row["p"], row["o"]), [])))
        statement.where.append(describe_graph(row["g"].value))
    incoming: dict[tuple, Statement] = {}
    rows_in = state.select("resource-in.rq", {"x": [iri]}, list(visible)).rows
    for row in rows_in:
        if row["g"].value not in visible:
            continue
        key = (row["p"], row["s"])
        statement = incoming.setdefault(key, Statement(row["p"], row["s"], [],
                                                       by_triple.get((row["s"], row["p"], subject), [])))
        statement.where.append(describe_graph(row["g"].value))
    truncated = len(outgoing) > MAX_ROWS or len(incoming) > MAX_ROWS or len(rows_out) >= 2000 or len(rows_in) >= 2000
    return ResourceView(iri, level, list(outgoing.values())[:MAX_ROWS], list(incoming.values())[:MAX_ROWS],
                        sorted(claims.values(), key=lambda c: c.claim), truncated)
