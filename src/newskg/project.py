"""The project's conventions, spelled once: where its parts live and what a build holds.

A `Project` is a folder with ontology/, graph/, queries/ and build/. A `Build` is one
build folder: its manifest, its named graphs (IRI, role, file, triple count), the
dataset files queries read, and whether it is current. Every command and every library
function asks these two objects for paths, graph roles and file names; nothing else
spells them. No rdflib here: `newskg query run` reads a build and must start fast.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from newskg.errors import BuildMissingError, UsageError
from newskg.namespaces import (
    ARTICLE_GRAPH_BASE,
    BASE,
    FACTS_GRAPH_BASE,
    GRAPH_BASE,
    INFERRED_GRAPH_BASE,
    LEVELS,
)
from newskg.terms import is_absolute_iri

RESOURCE_BASE = BASE + "resource/"

#: What to do when there is no usable build; every "no build" message ends with it.
BUILD_HINT = "run `newskg build` first"

MANIFEST_NAME = "manifest.json"
MANIFEST_FORMAT = 1
#: The manifest's graphs other than claim content, which is all a query needs from it (its
#: level's graphs, the report slugs): a few hundred lines, where the manifest of a thousand
#: reports lists ~38,000 graphs (8.8 MB, 0.1 s to parse on every `query run`). Stamped with the
#: manifest's size and mtime; a manifest that does not match is read instead.
GRAPH_INDEX_NAME = "graph-index.json"
DATASET_NQ = "dataset.nq"
DATASET_TRIG = "dataset.trig"
#: A pyoxigraph (RocksDB) store of the whole dataset, written by the build, opened read-only by
#: queries: no re-parsing of dataset.nq per command.
STORE_DIR = "store"
#: Opening the RocksDB store read-only costs ~45 ms whatever its size; parsing N-Quads into
#: memory costs ~5 us a quad (measured on the article's build). Below this size parsing wins,
#: so smaller builds write no store and queries load dataset.nq.
PERSISTENT_STORE_MIN_QUADS = 20_000
GRAPHS_DIR = "graphs"
#: The build a newer one replaced is kept beside it as <build>.prev (build.prev/), for `newskg diff`.
PREVIOUS_SUFFIX = ".prev"

#: The roles a named graph plays, in the order a build lists them (docs/status-levels.md).
GRAPH_ROLES = ("ontology", "article", "background", "facts", "inferred", "content")
#: Graphs whose role is also their name (and their IRI's last segment).
_FIXED_ROLES = ("ontology", "background")
#: Roles whose graphs are split by level: <role>/<level>.
_LEVEL_ROLES = {"facts": FACTS_GRAPH_BASE, "inferred": INFERRED_GRAPH_BASE}
#: Roles of the graphs every level sees.
_EVERY_LEVEL = ("ontology", "article", "background")

def graph_level(iri: str) -> str | None:
    """The level of a facts/ or inferred/ graph (confirmed, reported, assessed), else None."""
    for base in _LEVEL_ROLES.values():
        if iri.startswith(base) and iri[len(base):] in LEVELS:
            return iri[len(base):]
    return None


def graph_role(iri: str) -> str:
    """ontology | article | background | facts | inferred | content, from a graph IRI of a build.

    Any graph that is none of the project's own is a claim's content graph (named by the claim).
    """
    for role in _FIXED_ROLES:
        if iri == GRAPH_BASE + role:
            return role
    if iri.startswith(ARTICLE_GRAPH_BASE):
        return "article"
    for role, base in _LEVEL_ROLES.items():
        if iri.startswith(base) and graph_level(iri):
            return role
    return "content"


def graph_file_name(iri: str) -> str:
    """The file under build/graphs/ that holds one named graph.

    A claim's content graph goes under content/, named after the claim's IRI below the
    resource namespace (``content/<slug>/<claim>.nt``), or after a hash of any other IRI.
    """
    role = graph_role(iri)
    if role in _FIXED_ROLES:
        return f"{role}.nt"
    if role == "article":
        return f"article-{iri[len(ARTICLE_GRAPH_BASE):]}.nt"
    if role in _LEVEL_ROLES:
        return f"{role}-{graph_level(iri)}.nt"
    local = iri[len(RESOURCE_BASE):] if iri.startswith(RESOURCE_BASE) else ""
    if local and re.fullmatch(r"[A-Za-z0-9._-]+(/[A-Za-z0-9._-]+)*", local) and ".." not in local:
        return f"content/{local}.nt"
    import hashlib  # rare, and `query run` imports this module: keep it out of start-up

    return f"content/{hashlib.sha256(iri.encode()).hexdigest()[:20]}.nt"


def graph_sort_key(iri: str) -> tuple[int, int, str]:
    """Ontology first, then the reports, background, facts and inferences by level, content."""
    level = graph_level(iri)
    return GRAPH_ROLES.index(graph_role(iri)), LEVELS.index(level) if level else 0, iri


def level_roles_and_levels(level: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The roles every level sees, and the levels a query at ``level`` reads facts of."""
    if level not in LEVELS:
        raise UsageError(f"unknown level {level!r}; levels: {', '.join(LEVELS)}")
    return _EVERY_LEVEL, LEVELS[: LEVELS.index(level) + 1]


@dataclass(frozen=True)
class BuildGraph:
    """One named graph of a build: its IRI, role, N-Triples file and triple count."""

    iri: str
    role: str
    path: Path
    triples: int

    @property
    def name(self) -> str:
        """The short name (ontology, article-<slug>, background, inferred): the file stem."""
        return self.path.stem


@dataclass(frozen=True)
class Build:
    """One build folder (by default PROJECT/build) and what it holds."""

    dir: Path

    @property
    def manifest_path(self) -> Path:
        return self.dir / MANIFEST_NAME

    @property
    def nquads_path(self) -> Path:
        return self.dir / DATASET_NQ

    @property
    def trig_path(self) -> Path:
        return self.dir / DATASET_TRIG

    @property
    def store_path(self) -> Path:
        return self.dir / STORE_DIR

    def graph_path(self, iri: str) -> Path:
        """Where this build keeps the N-Triples file of graph ``iri``."""
        return self.dir / GRAPHS_DIR / graph_file_name(iri)

    def manifest(self, hint: str = BUILD_HINT) -> dict:
        """The manifest; BuildMissingError if it is absent, corrupt or lists no graphs."""
        path = self.manifest_path
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if not isinstance(data, dict) or not isinstance(data["graphs"], list):
                raise TypeError("'graphs' is not a list")
        except FileNotFoundError:
            raise BuildMissingError(f"{path} is missing; {hint}") from None
        except (OSError, ValueError, KeyError, TypeError) as err:
            raise BuildMissingError(f"{path} is corrupt ({type(err).__name__}: {err}); {hint}") from None
        return data

    def manifest_or_none(self) -> dict | None:
        """The manifest, or None when there is no usable one (a build then runs)."""
        try:
            return self.manifest()
        except BuildMissingError:
            return None

    def write_manifest(self, manifest: dict) -> None:
        """Write the manifest (and its graph index); a build folder is complete once it has one,
        so write it last."""
        self.manifest_path.write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
        stat = self.manifest_path.stat()
        shared = [str(g["iri"]) for g in manifest["graphs"] if graph_role(str(g["iri"])) != "content"]
        index = {"manifest": [stat.st_size, stat.st_mtime_ns], "graphs": shared}
        (self.dir / GRAPH_INDEX_NAME).write_text(json.dumps(index) + "\n", encoding="utf-8")

    def _indexed_graphs(self) -> list[str] | None:
        """The manifest's graphs other than claim content, from the graph index; None when there
        is none or the manifest is not the one it was written with (then read the manifest)."""
        try:
            index = json.loads((self.dir / GRAPH_INDEX_NAME).read_text(encoding="utf-8"))
            stat = self.manifest_path.stat()
        except (OSError, ValueError):
            return None
        if (not isinstance(index, dict) or index.get("manifest") != [stat.st_size, stat.st_mtime_ns]
                or not isinstance(index.get("graphs"), list) or not all(isinstance(g, str) for g in index["graphs"])):
            return None
        return index["graphs"]

    def _check_manifest(self, hint: str) -> None:
        """BuildMissingError unless the manifest is there and sound; a matching graph index
        vouches for it without parsing it."""
        if self._indexed_graphs() is None:
            self.manifest(hint)

    def dataset(self, hint: str = BUILD_HINT) -> Path:
        """``dataset.nq``, the file local engines read; BuildMissingError if it is missing."""
        self._check_manifest(hint)
        if not self.nquads_path.is_file():
            raise BuildMissingError(f"{self.nquads_path} is missing; {hint}")
        return self.nquads_path

    def open_store(self, hint: str = BUILD_HINT):
        """The build's dataset as a pyoxigraph Store: the persistent store opened read-only,
        or (a small build, which writes none) dataset.nq loaded into memory.

        Its default graph holds the level view (`newskg.views`), a copy of the graphs every
        level reads, except in a store written before there were views: read it through a
        chosen default graph, or count with DISTINCT, never through the union of all graphs
        expecting each triple once per graph.
        """
        return self.open_view(hint)[0]

    def open_view(self, hint: str = BUILD_HINT):
        """The store (as `open_store`) and its level view (`newskg.views.StoreView`; None for a
        persistent store written before there were views)."""
        import pyoxigraph

        from newskg.views import merge_view, read_view

        path = self.dataset(hint)
        if self.store_path.is_dir():
            try:
                store = pyoxigraph.Store.read_only(str(self.store_path))
            except OSError as err:
                raise BuildMissingError(f"{self.store_path} cannot be opened ({err}); "
                                        "run `newskg build --force`") from None
            return store, read_view(self)
        store = pyoxigraph.Store()
        try:
            store.bulk_load(path=str(path), format=pyoxigraph.RdfFormat.N_QUADS)
        except (SyntaxError, MemoryError) as err:  # MemoryError: a term over pyoxigraph's 16 MiB
            raise BuildMissingError(f"{path} does not parse ({err}): run `newskg build --force`") from None
        return store, merge_view(store)

    def graphs(self, hint: str = BUILD_HINT) -> list[BuildGraph]:
        """The named graphs of the manifest, each file checked to exist.

        Raises BuildMissingError when the manifest or a graph file is absent or malformed.
        """
        entries = self.manifest(hint)["graphs"]
        try:
            graphs = [BuildGraph(str(e["iri"]), str(e["role"]), self.dir / e["file"], int(e["triples"]))
                      for e in entries]
        except (ValueError, KeyError, TypeError) as err:
            raise BuildMissingError(
                f"{self.manifest_path} is corrupt ({type(err).__name__}: {err}); {hint}") from None
        for graph in graphs:
            if not is_absolute_iri(graph.iri) or graph.triples < 0:
                raise BuildMissingError(f"{self.manifest_path}: bad graph entry {graph.iri!r}; {hint}")
            if not graph.path.is_file():
                raise BuildMissingError(f"{graph.path} (graph <{graph.iri}>) is missing; {hint}")
        if not graphs:
            raise BuildMissingError(f"{self.manifest_path} lists no graphs; {hint}")
        return graphs

    def graph_iris(self, hint: str = BUILD_HINT) -> list[str]:
        """The IRIs of the build's named graphs, from the manifest alone."""
        try:
            return [str(g["iri"]) for g in self.manifest(hint)["graphs"]]
        except (KeyError, TypeError) as err:
            raise BuildMissingError(f"{self.manifest_path} is corrupt (a graph has no {err}); {hint}") from None

    def report_slugs(self, hint: str = BUILD_HINT) -> list[str]:
        """The slugs of the build's reports (its article graphs), from the manifest alone."""
        iris = self._indexed_graphs()
        return sorted(iri[len(ARTICLE_GRAPH_BASE):] for iri in (self.graph_iris(hint) if iris is None else iris)
                      if graph_role(iri) == "article")

    def default_graphs(self, level: str = LEVELS[0], roles: tuple[str, ...] | None = None,
                       hint: str = BUILD_HINT) -> list[str]:
        """The graphs a query at ``level`` reads as its default graph (docs/status-levels.md).

        The ontology, every report and the background, and the facts and inferences of
        ``level`` and every stronger level. ``roles`` narrows that to some roles (e.g.
        ``("inferred",)``: what inference added, at that level).
        """
        every, levels = level_roles_and_levels(level)
        iris = self._indexed_graphs()
        if iris is None:
            iris = [str(entry.get("iri", "")) for entry in self.manifest(hint)["graphs"]]
        chosen = []
        for iri in iris:
            role = graph_role(iri)
            if roles is not None and role not in roles:
                continue
            if role in every or (graph_level(iri) in levels):
                chosen.append(iri)
        return chosen

    @property
    def previous(self) -> Build:
        """The build this one replaced, which the build's swap keeps as a sibling (build.prev/)."""
        return Build(self.dir.with_name(self.dir.name + PREVIOUS_SUFFIX))

    def is_current(self, fingerprint: str) -> bool:
        """True when the build was made from inputs with this fingerprint."""
        manifest = self.manifest_or_none()
        return manifest is not None and manifest.get("fingerprint") == fingerprint


@dataclass(frozen=True)
class Project:
    """A newskg project folder: ontology/, graph/, queries/ (checks in queries/checks/), build/."""

    root: Path

    @classmethod
    def at(cls, root: str | Path = ".") -> Project:
        """The project at ``root`` (resolved to an absolute path)."""
        return cls(Path(root).resolve())

    @property
    def ontology_dir(self) -> Path:
        return self.root / "ontology"

    @property
    def graph_dir(self) -> Path:
        return self.root / "graph"

    @property
    def queries_dir(self) -> Path:
        return self.root / "queries"

    @property
    def checks_dir(self) -> Path:
        return self.queries_dir / "checks"

    @property
    def build_dir(self) -> Path:
        return self.root / "build"

    @property
    def cache_dir(self) -> Path:
        """Where the build keeps what it can reuse between builds (the TBox closure)."""
        return self.root / ".newskg-cache"

    @property
    def readme(self) -> Path:
        return self.root / "README.md"

    def build(self, build_dir: str | Path | None = None) -> Build:
        """The build folder (PROJECT/build unless another is given); it may not exist yet."""
        return Build(Path(build_dir).resolve() if build_dir else self.build_dir)

    def report_text(self, slug: str) -> Path:
        """Where report ``slug`` keeps its source text."""
        return self.graph_dir / slug / "source.txt"

    def relative(self, path: Path) -> str:
        """``path`` relative to the project root, with forward slashes (for messages and manifests)."""
        try:
            return Path(path).resolve().relative_to(self.root).as_posix()
        except ValueError:
            return str(path)
