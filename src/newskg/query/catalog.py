"""The catalog of saved queries: ``queries/*.rq`` files with their ``#+`` headers.

Header keys (docs/architecture.md): ``title``, ``description`` (may repeat; lines are joined),
``inferred`` (true|false: the answer needs the inferred graph), ``param`` (see
newskg.query.parameters), ``severity`` (checks only), and ``graph``: ``#+ graph: inferred`` (or
``ontology``, ``background``, or a full graph IRI) makes every engine read only the graphs
of that role (at the query's status level) as the default graph instead of every graph of
the level; e.g. "what did inference add about X" reads only the inferred graphs. On an
endpoint the same list is sent as ``default-graph-uri`` parameters.

Reads a file into a SavedQuery (title, description, typed parameters, whether it needs
the inferred graph, which graph it reads), finds one by name (suggesting close names),
checks its syntax (naming file and position), and prepares the exact text an engine
receives: project prefixes the query does not declare, parameters bound as a VALUES
block, an optional LIMIT.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from newskg.errors import QueryNotFoundError, QuerySyntaxError, UsageError
from newskg.project import Build
from newskg.query.parameters import ParameterSpec, parse_parameter_line, resolve_parameters
from newskg.query.sparql import bind_parameters, declared_prefixes, query_form, sparql_tokens, where_group_offsets
from newskg.textfile import read_text

_HEADER_LINE = re.compile(r"^#\+\s*([A-Za-z_-]+)\s*:\s*(.*?)\s*$")
_KNOWN_KEYS = ("title", "description", "inferred", "param", "severity", "graph")
#: Graph names a ``#+ graph:`` header may use instead of a full IRI.
GRAPH_ROLES = ("inferred", "ontology", "background")


@dataclass
class SavedQuery:
    """One saved query: its header fields and its text (the whole file, header included)."""

    name: str
    path: Path
    text: str
    title: str = ""
    description: str = ""
    inferred: bool = False
    graph: str | None = None
    severity: str | None = None
    params: list[ParameterSpec] = field(default_factory=list)

    @property
    def form(self) -> str:
        """SELECT, CONSTRUCT, DESCRIBE, ASK or UPDATE."""
        return query_form(self.text)

    def default_graphs(self, build: Build, level: str) -> list[str]:
        """The graphs this query reads as its default graph at ``level``.

        Without a ``graph:`` header: every graph of that level. ``graph: inferred`` (or
        ``ontology``, ``background``): only the graphs of that role visible at the level.
        A full IRI: exactly that graph.
        """
        if self.graph is None:
            return build.default_graphs(level)
        if self.graph in GRAPH_ROLES:
            return build.default_graphs(level, roles=(self.graph,))
        return [self.graph]


def read_saved_query(path: Path) -> SavedQuery:
    """Read one ``.rq`` file and its header; a malformed header line is a QuerySyntaxError."""
    path = Path(path)
    text = read_text(path)  # InputError naming the file: unreadable, too large, not UTF-8, a NUL byte
    return parse_saved_query(text, path.stem, path)


#: How an ad-hoc query is named in messages, by where its text came from.
STDIN_SOURCE = "<stdin>"
OPTION_SOURCE = "<--query>"


def text_query(text: str, source: str = OPTION_SOURCE) -> SavedQuery:
    """An ad-hoc query from its text (``query run -``, ``--query``), named ``source`` in messages.

    It is read like a saved query, so a ``#+`` header (parameters, ``graph:``) works too.
    Text with nothing but whitespace and comments is a UsageError.
    """
    if not sparql_tokens(text):
        raise UsageError(f"{source}: the query text is empty")
    query = parse_saved_query(text, source, Path(source))
    try:
        _ = query.form
    except QuerySyntaxError as err:  # say where the text came from, as for a file
        raise QuerySyntaxError(f"{source}: {err}") from None
    return query


def parse_saved_query(text: str, name: str, path: Path) -> SavedQuery:
    """A query and its ``#+`` header from its text; ``path`` names it in messages."""
    query = SavedQuery(name=name, path=path, text=text)
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.startswith("#"):
            break
        match = _HEADER_LINE.match(line)
        if not match:
            continue  # an ordinary comment inside the header block
        key, value = match.group(1).lower(), match.group(2)
        where = f"{path}:{number}"
        if key not in _KNOWN_KEYS:
            raise QuerySyntaxError(f"{where}: unknown header key {key!r}; known: {', '.join(_KNOWN_KEYS)}")
        if key == "title":
            query.title = value
        elif key == "description":
            query.description = (query.description + " " + value).strip()
        elif key == "inferred":
            if value.lower() not in ("true", "false"):
                raise QuerySyntaxError(f"{where}: inferred must be true or false, not {value!r}")
            query.inferred = value.lower() == "true"
        elif key == "severity":
            if value not in ("error", "warning"):
                raise QuerySyntaxError(f"{where}: severity must be error or warning, not {value!r}")
            query.severity = value
        elif key == "graph":
            if value not in GRAPH_ROLES and not re.match(r"^[a-z][a-z0-9+.\-]*://\S+$", value):
                raise QuerySyntaxError(f"{where}: graph must be one of {', '.join(GRAPH_ROLES)} or an IRI")
            query.graph = value
        elif key == "param":
            try:
                spec = parse_parameter_line(value)
            except (ValueError, Exception) as err:  # ParameterError from a bad default, too
                raise QuerySyntaxError(f"{where}: {err}") from None
            if any(p.name == spec.name for p in query.params):
                raise QuerySyntaxError(f"{where}: parameter {spec.name!r} declared twice")
            query.params.append(spec)
    return query


def list_saved_queries(queries_dir: Path) -> list[SavedQuery]:
    """Every saved query directly under ``queries_dir`` (not checks/), sorted by name."""
    queries_dir = Path(queries_dir)
    if not queries_dir.is_dir():
        return []
    return [read_saved_query(p) for p in sorted(queries_dir.glob("*.rq"))]


def find_saved_query(queries_dir: Path, name_or_path: str) -> SavedQuery:
    """The saved query named ``name_or_path``, or the ``.rq`` file at that path.

    Raises QueryNotFoundError with close names (difflib) when there is no such query.
    """
    candidate = Path(name_or_path)
    if name_or_path.endswith(".rq") or candidate.parent != Path("."):
        if candidate.is_file():
            return read_saved_query(candidate)
        if (Path(queries_dir) / candidate.name).is_file() and candidate.parent == Path("."):
            return read_saved_query(Path(queries_dir) / candidate.name)
        raise UsageError(f"{name_or_path}: no such query file")
    queries_dir = Path(queries_dir)
    path = queries_dir / f"{name_or_path}.rq"
    if path.is_file():
        return read_saved_query(path)
    available = sorted(p.stem for p in queries_dir.glob("*.rq")) if queries_dir.is_dir() else []
    import difflib  # only when a name is not found

    suggestions = difflib.get_close_matches(name_or_path, available, n=3, cutoff=0.5)
    # Also suggest names that contain what was typed ("timeline" -> "engagement-timeline").
    for name in available:
        if name_or_path and name_or_path in name and name not in suggestions:
            suggestions.append(name)
    raise QueryNotFoundError(name_or_path, suggestions[:5], available)


def check_query_syntax(query: SavedQuery) -> None:
    """Parse the query's own text; a syntax error names the file, line and column.

    The project prefixes are given to the parser rather than prepended, so the
    position reported is the position in the file.
    """
    form = query.form
    if form == "UPDATE":
        return  # parsing an update means running it; the engine reports its errors
    import pyoxigraph

    from newskg.namespaces import PREFIXES

    try:
        pyoxigraph.Store().query(query.text, prefixes=dict(PREFIXES))
    except SyntaxError as err:
        detail = str(err)
        match = re.match(r"error at (\d+):(\d+):\s*(.*)", detail, re.DOTALL)
        if match:
            line, column, detail = match.groups()
            raise QuerySyntaxError(f"{query.path}:{line}:{column}: syntax error: {detail}") from None
        raise QuerySyntaxError(f"{query.path}: syntax error: {detail}") from None


def prologue_for(text: str) -> str:
    """PREFIX lines for every project prefix the text does not declare itself."""
    from newskg.namespaces import PREFIXES

    own = declared_prefixes(text)
    return "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items() if p not in own)


def apply_limit(text: str, limit: int) -> str:
    """Cap the number of results: lower an existing top-level LIMIT or append one."""
    if limit < 0:
        raise ValueError("limit must be >= 0")
    _, close = where_group_offsets(text)
    tokens = [t for t in sparql_tokens(text) if t.start > close]
    for i, token in enumerate(tokens):
        if token.kind == "word" and token.text.upper() == "LIMIT" and i + 1 < len(tokens):
            number = tokens[i + 1]
            digits = re.match(r"\d+", text[number.start:])
            if digits:
                current = int(digits.group())
                end = number.start + len(digits.group())
                return text[: number.start] + str(min(current, limit)) + text[end:]
        if token.kind == "word" and token.text.upper() == "VALUES":
            # A trailing VALUES block must stay last: put the LIMIT before it.
            return text[: token.start] + f"LIMIT {limit}\n" + text[token.start:]
    return text.rstrip() + f"\nLIMIT {limit}\n"


def prepare_query_text(query: SavedQuery, given: Mapping[str, str], limit: int | None = None,
                       reports: Collection[str] | None = None) -> str:
    """The exact text sent to an engine: prologue + query with parameters bound (+ LIMIT).

    ``reports``: the slugs of the build's reports, which a ``report`` parameter must name.
    Raises ParameterError for bad parameters (see newskg.parameters.resolve_parameters).
    """
    terms = resolve_parameters(query.params, given, reports)
    text = bind_parameters(query.text, terms)
    if limit is not None and query.form in ("SELECT", "CONSTRUCT", "DESCRIBE"):
        text = apply_limit(text, limit)
    return prologue_for(query.text) + text


def catalog_markdown(queries: list[SavedQuery]) -> str:
    """A Markdown table of the saved queries (for the README): name, title, parameters, inferred."""
    lines = ["| query | returns | parameters | needs inferred |", "| --- | --- | --- | --- |"]
    for q in queries:
        params = ", ".join(f"`{p.name}` ({p.type}" + (f", default `{p.default}`)" if p.default
                                                      else ", optional)" if p.optional else ")")
                           for p in q.params)
        lines.append(f"| `{q.name}` | {q.title} | {params or '-'} | {'yes' if q.inferred else 'no'} |")
    return "\n".join(lines) + "\n"
