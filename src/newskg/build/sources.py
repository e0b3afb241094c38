"""Find the project's input files, decide each one's named graph, and parse them.

Conventions (docs/architecture.md, docs/status-levels.md): ontology/**/*.ttl go to the
ontology graph, except shapes files (SHACL, validated against but never reasoned over);
graph/background.ttl to the background graph; graph/<slug>/**/*.ttl to that report's graph,
whose text is graph/<slug>/source.txt. TriG files (graph/background.trig,
graph/<slug>/**/*.trig) hold claim content: each named graph is one claim's content, named by
the claim.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Dataset, Graph, URIRef
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID

from newskg.errors import InputMissingError, Problem, RdfSyntaxError
from newskg.namespaces import BACKGROUND_GRAPH, ONTOLOGY_GRAPH, article_graph, bind_prefixes, shorten

SHAPES_SUFFIX = "shapes.ttl"


@dataclass(frozen=True)
class InputFile:
    """One Turtle file of the project and the named graph it belongs to."""

    path: Path  # absolute
    relpath: str  # relative to the project root, with forward slashes
    role: str  # ontology | shapes | background | article | content
    graph: URIRef | None  # None for shapes and content (whose graphs are named in the file)
    slug: str | None = None  # the report, for article and content files of a report

    def sha256(self) -> str:
        return hashlib.sha256(self.path.read_bytes()).hexdigest()


@dataclass(frozen=True)
class Report:
    """One encoded report: its folder, slug, graph and stored text."""

    slug: str
    folder: Path
    graph: URIRef
    text_path: Path


def discover_inputs(root: Path) -> list[InputFile]:
    """All input files of the project at `root`, in a stable order.

    Raises InputMissingError if ontology/ or graph/ is missing, or a Turtle file sits
    directly under graph/ with a name other than background.ttl.
    """
    root = root.resolve()
    found: list[InputFile] = []
    ontology_dir, graph_dir = root / "ontology", root / "graph"
    for folder in (ontology_dir, graph_dir):
        if not folder.is_dir():
            raise InputMissingError(
                f"{folder} is not a folder: a newskg project needs ontology/ and graph/ "
                f"(use --project to point at one)"
            )
    for path in sorted(ontology_dir.rglob("*.ttl")):
        role = "shapes" if path.name.endswith(SHAPES_SUFFIX) else "ontology"
        graph = None if role == "shapes" else ONTOLOGY_GRAPH
        found.append(InputFile(path, _rel(path, root), role, graph))
    paths = sorted([*graph_dir.rglob("*.ttl"), *graph_dir.rglob("*.trig")])
    for path in paths:
        parts = path.relative_to(graph_dir).parts
        content = path.suffix == ".trig"
        if len(parts) == 1:
            if path.stem != "background":
                raise InputMissingError(
                    f"{_rel(path, root)}: a file directly under graph/ must be background.ttl or "
                    f"background.trig; put a report's files in graph/<slug>/"
                )
            if content:
                found.append(InputFile(path, _rel(path, root), "content", None))
            else:
                found.append(InputFile(path, _rel(path, root), "background", BACKGROUND_GRAPH))
        else:
            slug = parts[0]
            if content:
                found.append(InputFile(path, _rel(path, root), "content", None, slug))
            else:
                found.append(InputFile(path, _rel(path, root), "article", article_graph(slug), slug))
    return found


def discover_reports(root: Path) -> list[Report]:
    """The report folders under graph/ (each holding Turtle files and source.txt)."""
    graph_dir = root.resolve() / "graph"
    reports = []
    for folder in sorted(p for p in graph_dir.iterdir() if p.is_dir()) if graph_dir.is_dir() else []:
        if any(folder.rglob("*.ttl")) or any(folder.rglob("*.trig")):
            reports.append(
                Report(folder.name, folder, article_graph(folder.name), folder / "source.txt")
            )
    return reports


def _rel(path: Path, root: Path) -> str:
    return path.relative_to(root).as_posix()


def parse_turtle(path: Path, label: str | None = None) -> Graph:
    """Parse one Turtle file; a syntax error names the file, line and column."""
    graph = Graph()
    _parse_into(graph, path, "turtle", label)
    return graph


def parse_trig(path: Path, label: str | None = None) -> Dataset:
    """Parse one TriG file into a Dataset; a syntax error names the file, line and column."""
    dataset = Dataset()
    _parse_into(dataset, path, "trig", label)
    return dataset


def _parse_into(graph: Graph, path: Path, fmt: str, label: str | None) -> None:
    data = path.read_text(encoding="utf-8")
    try:
        graph.parse(data=data, format=fmt, publicID=path.as_uri())
    except SyntaxError as err:  # rdflib's BadSyntax is a SyntaxError
        line, column, why = _locate(err, data)
        raise RdfSyntaxError(label or str(path), line, column, why) from err
    except Exception as err:  # rdflib raises plain exceptions for e.g. unknown prefixes
        raise RdfSyntaxError(label or str(path), None, None, str(err)) from err


def _locate(err: SyntaxError, data: str) -> tuple[int | None, int | None, str]:
    index = getattr(err, "_i", None)
    why = getattr(err, "_why", None) or str(err)
    if index is None:
        return getattr(err, "lineno", None), getattr(err, "offset", None), why
    # BadSyntax's offset counts UTF-8 bytes; map it back to characters for the column.
    prefix = data.encode("utf-8")[:index].decode("utf-8", errors="ignore")
    line = prefix.count("\n") + 1
    column = len(prefix) - (prefix.rfind("\n") + 1) + 1
    return line, column, why


@dataclass
class Sources:
    """Every input parsed: the named graphs, the SHACL shapes, and where each claim's content came from."""

    dataset: Dataset
    shapes: Graph
    #: claim IRI -> the file that holds its content graph (the project-relative path)
    content_files: dict[URIRef, str] = field(default_factory=dict)
    #: every Turtle file of the reports and the background, parsed on its own (for messages
    #: that name the file)
    turtle_files: dict[str, Graph] = field(default_factory=dict)
    #: content problems found while reading (triples outside any named graph, a claim's
    #: content in two files)
    problems: list[Problem] = field(default_factory=list)

    def content_graphs(self) -> list[Graph]:
        """The content graph of every claim, in a stable order."""
        return [self.dataset.graph(iri) for iri in sorted(self.content_files)]


def load_dataset(inputs: list[InputFile]) -> Sources:
    """Parse every input into its named graph (claim content into one graph per claim)."""
    dataset = Dataset()
    bind_prefixes(dataset)
    sources = Sources(dataset, Graph())
    for item in inputs:
        if item.role == "content":
            _load_content(sources, item)
            continue
        parsed = parse_turtle(item.path, item.relpath)
        if item.role in ("article", "background"):
            sources.turtle_files[item.relpath] = parsed
        target = sources.shapes if item.graph is None else sources.dataset.graph(item.graph)
        for triple in parsed:
            target.add(triple)
    return sources


def _load_content(sources: Sources, item: InputFile) -> None:
    parsed = parse_trig(item.path, item.relpath)
    for graph in parsed.graphs():
        if not len(graph):
            continue
        name = graph.identifier
        if name == DATASET_DEFAULT_GRAPH_ID or not isinstance(name, URIRef):
            first = next(iter(graph))
            sources.problems.append(Problem(
                "claim-content", f"{len(graph)} triple(s) outside any claim's graph, e.g. "
                f"{' '.join(shorten(str(t)) for t in first)}; put each in the graph of the claim that "
                "states it", path=item.relpath))
            continue
        if name in sources.content_files and sources.content_files[name] != item.relpath:
            sources.problems.append(Problem(
                "claim-content", f"the content of {shorten(str(name))} is also in "
                f"{sources.content_files[name]}; keep one graph per claim", path=item.relpath))
        sources.content_files[name] = item.relpath
        target = sources.dataset.graph(name)
        for triple in graph:
            target.add(triple)
