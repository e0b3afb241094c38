"""The level view: what every status level reads, merged into the store's default graph.

A query at a level reads as its default graph the ontology, every report's graph, the
background, and the facts and inferences of that level and the stronger ones
(docs/status-levels.md): on a corpus of a thousand reports, a list of a thousand graphs.
Oxigraph evaluates each triple pattern once per graph of such a list (measured at 100k
triples: 122 graphs, 31.8 s for an entity query that reads one graph in 0.4 s); even three
graphs cost three index lookups a pattern. So the store holds, in its *default graph*, the
RDF merge of the default graph of the weakest requirement, `confirmed` (ontology, article/*,
background, facts/confirmed, inferred/confirmed), which every level reads: a query at
`confirmed` reads that one graph, at `reported` it and two more, at `assessed` four more.

Why the default graph and not a named view graph: a ``GRAPH ?g`` pattern ranges over named
graphs only, so the view never shows up as a graph of the build; nor is it in dataset.nq,
dataset.trig, the manifest or what `newskg load` sends (it exists only in the store).

The view is a set (an RDF merge), as the SPARQL default graph is; a triple that two merged
graphs both hold is read once, as every other engine (rdflib, a remote store) reads it.

Who writes it: the build, into its persistent store (`load_store`, with a record beside the
store naming the graphs merged); `Build.open_view` for a build small enough to be loaded
into memory from dataset.nq (`merge_view`). An engine asks `StoreView.dataset` for the
default graph of a query: the view replaces the graphs it merges only when the query reads
every one of them, so any other choice of graphs is answered from the graphs themselves.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from newskg.errors import BuildMissingError, BuildWriteError

if TYPE_CHECKING:
    from newskg.project import Build

#: The record of a persistent store's view, beside the store in the build folder.
VIEW_RECORD = "store-view.json"
VIEW_FORMAT = 1


@dataclass(frozen=True)
class StoreView:
    """The named graphs merged into a store's default graph."""

    graphs: frozenset[str]

    def dataset(self, graphs: Sequence[str]) -> list[str | None]:
        """The default graph to send for a query that reads ``graphs``: None stands for the
        store's default graph (the view), which replaces the graphs it merges when ``graphs``
        holds all of them; otherwise ``graphs`` unchanged."""
        if not self.graphs <= set(graphs):
            return list(graphs)
        rest = list(dict.fromkeys(g for g in graphs if g not in self.graphs))
        return [None, *rest]


def view_graphs(graph_iris: Iterable[str]) -> list[str]:
    """The graphs of a build that every level reads (those of `confirmed`): the view's."""
    from newskg.namespaces import LEVELS
    from newskg.project import graph_level, graph_role, level_roles_and_levels

    every, levels = level_roles_and_levels(LEVELS[0])
    return [iri for iri in graph_iris if graph_role(iri) in every or graph_level(iri) in levels]


def load_store(build: Build, store) -> StoreView:
    """Bulk-load the build's dataset.nq into a new persistent ``store``, with the level view in
    its default graph, and write the view's record beside the store (`record_view`).

    One load of one stream: dataset.nq, then the graph file of each graph of the view (N-Triples
    lines are N-Quads lines of the default graph). A store names the blank nodes of what it
    loads afresh, consistently within one document only, so this is what keeps a blank node
    of the ontology the same node in its named graph and in the view. The graph files hold
    exactly the lines dataset.nq holds for their graphs. What bulk loading raises (SyntaxError,
    MemoryError, ValueError) goes to the caller.
    """
    import pyoxigraph

    files = view_files(build)
    # Lenient: the syntax is still parsed, but IRIs and language tags are not validated again
    # (~15 % of the load's CPU at a million triples). Every term of the lines was written by
    # pyoxigraph from a term it had validated; only the graph names were written as text by
    # newskg, and they are validated by record_view.
    with io.BufferedReader(_ChainedFiles([build.nquads_path, *files.values()]), 1 << 20) as stream:
        store.bulk_load(stream, format=pyoxigraph.RdfFormat.N_QUADS, lenient=True)
    return record_view(build, store, files)


def record_view(build: Build, store, files: dict[str, Path] | None = None) -> StoreView:
    """Check that the complete ``store`` of the build merges into its default graph exactly the
    graphs of the view it holds, and write the view's record beside it. ``files``: the view's
    graph files (`view_files`) when the caller has them already.

    BuildWriteError when it does not (a newskg bug); ValueError for a graph name that is no IRI."""
    import pyoxigraph

    if files is None:
        files = view_files(build)
    names = [g.value for g in store.named_graphs() if isinstance(g, pyoxigraph.NamedNode)]
    for name in names:
        pyoxigraph.NamedNode(name)  # ValueError for an IRI a strict parse refuses
    held = set(view_graphs(names))
    if held != {iri for iri, path in files.items() if path.stat().st_size}:  # an empty graph is in no store
        raise BuildWriteError(f"the level view of the new store merges {len(files)} graph files but the store holds "
                              f"{len(held)} such graphs (e.g. {sorted(held ^ set(files))[:3]}); the previous build "
                              "is unchanged. This is a newskg bug: please report it")
    return write_view_record(build, store, files)


def facts_and_inferred(graph_iris: Iterable[str]) -> list[str]:
    """The graphs of a build that the pipeline makes (facts and inferred, every level), not parses."""
    from newskg.project import graph_role

    return [iri for iri in graph_iris if graph_role(iri) in ("facts", "inferred")]


def made_loads(build: Build, made: Sequence[str]) -> list[tuple[str, str | None]]:
    """What completes a store that holds the sources' named graphs and their share of the view
    (`newskg.build.early_store`): (graph file, graph IRI) for each graph of ``made`` (the facts
    and inferred ones), then (graph file, None: the default graph) for those of the view.

    Each file is loaded as a document of its own, so the caller makes sure that they hold no
    blank node (another load than the sources' would make it another node)."""
    paths = {iri: str(build.graph_path(iri)) for iri in made}
    return [(paths[iri], iri) for iri in made] + [(paths[iri], None) for iri in view_graphs(made)]


def write_view_record(build: Build, store, files: Iterable[str], triples: int | None = None) -> StoreView:
    """Record beside the build's store that its default graph merges the graphs ``files``, and
    how many triples it holds: ``triples`` when the caller knows it, else counted by the store."""
    graphs = sorted(files)
    if triples is None:
        triples = default_graph_size(store)
    record = {"format": VIEW_FORMAT, "graphs": graphs, "triples": triples}
    (build.dir / VIEW_RECORD).write_text(json.dumps(record) + "\n", encoding="utf-8")
    return StoreView(frozenset(graphs))


def view_files(build: Build) -> dict[str, Path]:
    """IRI -> graph file of each graph of the view the build wrote (ontology.nt, background.nt,
    article-<slug>.nt, facts-confirmed.nt, inferred-confirmed.nt: `newskg.project.graph_file_name`,
    read backwards and checked)."""
    from newskg.namespaces import ARTICLE_GRAPH_BASE, FACTS_GRAPH_BASE, GRAPH_BASE, INFERRED_GRAPH_BASE
    from newskg.project import graph_file_name

    folder = build.graph_path(GRAPH_BASE + "ontology").parent
    bases = {"article-": ARTICLE_GRAPH_BASE, "facts-": FACTS_GRAPH_BASE, "inferred-": INFERRED_GRAPH_BASE}
    files = {}
    for path in sorted(folder.glob("*.nt")):
        stem = path.stem
        base = next((b for prefix, b in bases.items() if stem.startswith(prefix)), None)
        iri = base + stem.split("-", 1)[1] if base else GRAPH_BASE + stem
        if view_graphs([iri]) and graph_file_name(iri) == path.name:
            files[iri] = path
    return files


def merge_view(store) -> StoreView:
    """Merge the graphs of the view in an in-memory ``store`` (a small build loaded from
    dataset.nq) into its default graph, with one SPARQL update."""
    import pyoxigraph

    graphs = view_graphs(g.value for g in store.named_graphs() if isinstance(g, pyoxigraph.NamedNode))
    if graphs:
        store.update(" ;\n".join(f"ADD <{iri}> TO DEFAULT" for iri in graphs))
    return StoreView(frozenset(graphs))


def read_view(build: Build) -> StoreView | None:
    """The view of the build's persistent store, from its record; None for a store written
    before there were views (its queries then read the graphs themselves)."""
    path = build.dir / VIEW_RECORD
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as err:
        raise BuildMissingError(f"{path} is corrupt ({type(err).__name__}: {err}); "
                                "run `newskg build --force`") from None
    if (not isinstance(record, dict) or record.get("format") != VIEW_FORMAT
            or not isinstance(record.get("graphs"), list)
            or not all(isinstance(g, str) for g in record["graphs"])):
        raise BuildMissingError(f"{path} is not a view record this newskg reads; run `newskg build --force`")
    return StoreView(frozenset(record["graphs"]))


def recorded_view_size(build: Build) -> int | None:
    """The triples of the store's default graph as the store counted them when its view record
    was written (`write_view_record`, once the store was complete); None without a record.
    ValueError for a record without a count."""
    path = build.dir / VIEW_RECORD
    if not path.is_file():
        return None
    triples = json.loads(path.read_text(encoding="utf-8")).get("triples")
    if not isinstance(triples, int):
        raise ValueError(f"{VIEW_RECORD} holds no count of the view's triples")
    return triples


def default_graph_size(store) -> int:
    """How many triples the store's default graph holds (counted by the store, not in Python)."""
    answer = store.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    return int(next(iter(answer))[0].value)


class _ChainedFiles(io.RawIOBase):
    """Several files read as one binary stream, for one bulk load; each ends in a newline, so
    a file whose last line lacked one cannot run into the next."""

    def __init__(self, paths: Iterable[Path]) -> None:
        super().__init__()
        self._paths = iter(paths)
        self._file: io.BufferedReader | None = None
        self._newline = False

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        while True:
            if self._newline:
                self._newline = False
                buffer[0:1] = b"\n"
                return 1
            if self._file is None:
                path = next(self._paths, None)
                if path is None:
                    return 0
                self._file = open(path, "rb")  # noqa: SIM115 - closed when read to its end
            count = self._file.readinto(buffer)
            if count:
                return count
            self._file.close()
            self._file = None
            self._newline = True

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
        super().close()
