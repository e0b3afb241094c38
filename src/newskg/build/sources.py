"""Find the project's input files, decide each one's named graph, and parse them.

Conventions (docs/architecture.md): ontology/**/*.ttl go to the ontology graph, except
shapes files (SHACL, validated against but never reasoned over); graph/background.ttl to
the background graph; graph/<slug>/**/*.ttl to that report's graph, whose text is
graph/<slug>/source.txt.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from rdflib import Dataset, Graph, URIRef

from newskg.errors import InputMissingError, RdfSyntaxError
from newskg.namespaces import BACKGROUND_GRAPH, ONTOLOGY_GRAPH, article_graph, bind_prefixes

SHAPES_SUFFIX = "shapes.ttl"


@dataclass(frozen=True)
class InputFile:
    """One Turtle file of the project and the named graph it belongs to."""

    path: Path  # absolute
    relpath: str  # relative to the project root, with forward slashes
    role: str  # ontology | shapes | background | article
    graph: URIRef | None  # None for shapes
    slug: str | None = None  # for role == article

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
    for path in sorted(graph_dir.rglob("*.ttl")):
        parts = path.relative_to(graph_dir).parts
        if len(parts) == 1:
            if path.name != "background.ttl":
                raise InputMissingError(
                    f"{_rel(path, root)}: a file directly under graph/ must be background.ttl; "
                    f"put a report's files in graph/<slug>/"
                )
            found.append(InputFile(path, _rel(path, root), "background", BACKGROUND_GRAPH))
        else:
            slug = parts[0]
            found.append(InputFile(path, _rel(path, root), "article", article_graph(slug), slug))
    return found


def discover_reports(root: Path) -> list[Report]:
    """The report folders under graph/ (each holding Turtle files and source.txt)."""
    graph_dir = root.resolve() / "graph"
    reports = []
    for folder in sorted(p for p in graph_dir.iterdir() if p.is_dir()) if graph_dir.is_dir() else []:
        if any(folder.rglob("*.ttl")):
            reports.append(
                Report(folder.name, folder, article_graph(folder.name), folder / "source.txt")
            )
    return reports


def _rel(path: Path, root: Path) -> str:
    return path.relative_to(root).as_posix()


def parse_turtle(path: Path, label: str | None = None) -> Graph:
    """Parse one Turtle file; a syntax error names the file, line and column."""
    data = path.read_text(encoding="utf-8")
    graph = Graph()
    try:
        graph.parse(data=data, format="turtle", publicID=path.as_uri())
    except SyntaxError as err:  # rdflib's BadSyntax is a SyntaxError
        line, column, why = _locate(err, data)
        raise RdfSyntaxError(label or str(path), line, column, why) from err
    except Exception as err:  # rdflib raises plain exceptions for e.g. unknown prefixes
        raise RdfSyntaxError(label or str(path), None, None, str(err)) from err
    return graph


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


def load_dataset(inputs: list[InputFile]) -> tuple[Dataset, Graph]:
    """Parse every input into its named graph; return (dataset, shapes graph)."""
    dataset = bind_prefixes(Dataset())
    shapes = Graph()
    for item in inputs:
        parsed = parse_turtle(item.path, item.relpath)
        target = shapes if item.graph is None else dataset.graph(item.graph)
        for triple in parsed:
            target.add(triple)
    return dataset, shapes
