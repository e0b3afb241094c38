"""The new build's store made from the previous build's, by difference, when little changed.

Adding a report to a corpus of a million triples changes a few hundred graphs of tens of
thousands, yet bulk-loading the whole store (every quad and the level view, then compacting)
costs a minute of CPU. Instead: a checkpoint of the previous build's store (RocksDB hard-links
its immutable files: milliseconds), then each changed graph's removed and added triples, and
the level view (`newskg.views`) kept the merge of its graphs.

The difference is taken between the graph files of the two builds (`graphs/*.nt`, sorted
N-Triples lines, byte-stable), not from what the build believes it changed, so whatever
changed is found. The files not read are those the writer took from the previous build
(linked, not written: `newskg.build.reuse`), which are the previous files themselves: at a
thousand reports, all but a few hundred of 2 x 38,000. It is refused (None: the caller
bulk-loads) when the previous build has no store or no view record, was written by another
pyoxigraph, a changed line holds a blank node (a store names the blank nodes it loads afresh:
the file's label is not the store's), or more than `MAX_CHANGED_SHARE` of the new build's
triples changed (then the bulk load is the cheaper).
The writer counts the new store's quads against dataset.nq's before it swaps the build in.
Each update leaves a few small files; RocksDB's own compaction merges them as they pile up
(measured: twelve updates of a 25k-triple build took its store from 23 to 59 files, about five
per column family), so a store updated again and again is not searched file by file.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from newskg.project import GRAPHS_DIR, Build, graph_file_name

#: Above this share of the new build's triples changed, the store is bulk-loaded instead.
MAX_CHANGED_SHARE = 0.1


@dataclass
class GraphChange:
    """One named graph's difference: N-Triples lines (without their newline) gone and new."""

    iri: str
    removed: list[str]
    added: list[str]


def graph_changes(previous: Build, staged: Build, graph_iris: list[str], quads: int,
                  changed: set[str] | None = None,
                  known: Mapping[str, GraphChange] | None = None) -> list[GraphChange] | None:
    """What the staged build's graph files change against the previous build's; None when the
    difference cannot be applied to the previous store (see the module's docstring).

    ``changed``: when the writer knows it, the graphs it wrote; every other graph of both builds
    is the previous build's file, linked (`newskg.build.reuse`), so only these (and the graphs of
    one build only) are read. Without it, every graph file of both builds is compared.

    ``known``: graph IRI -> its change, for graphs of both builds the writer made from the previous
    build's file and a change it checked against that file (`newskg.build.writer`): taken as
    they are, neither file read."""
    from newskg.views import read_view

    manifest = previous.manifest_or_none()
    if (manifest is None or not previous.store_path.is_dir() or read_view(previous) is None
            or manifest.get("tool_versions", {}).get("pyoxigraph") != _pyoxigraph_version()):
        return None
    # Paths made only for the graphs read (strings: pathlib's joins for the 2 x 38,000 graphs of
    # a million triples cost more than reading the few that changed).
    old_files = {g["iri"]: g["file"] for g in manifest.get("graphs", [])}
    new_iris = set(graph_iris)
    budget = int(quads * MAX_CHANGED_SHARE)
    changes = []
    for iri in sorted(old_files.keys() | new_iris):
        if iri in old_files and iri in new_iris and changed is not None and iri not in changed:
            continue
        change = known.get(iri) if known is not None and iri in old_files and iri in new_iris else None
        if change is None:
            old = os.path.join(previous.dir, old_files[iri]) if iri in old_files else None
            new = os.path.join(staged.dir, GRAPHS_DIR, graph_file_name(iri)) if iri in new_iris else None
            if old is not None and new is not None and _same_bytes(old, new):
                continue
            old_lines = set(_lines(old)) if old is not None else set()
            new_lines = set(_lines(new)) if new is not None else set()
            change = GraphChange(iri, sorted(old_lines - new_lines), sorted(new_lines - old_lines))
        budget -= len(change.removed) + len(change.added)
        if budget < 0 or any("_:" in line for line in change.removed + change.added):
            return None
        changes.append(change)
    return changes


def update_store(previous: Build, staged: Build, changes: list[GraphChange]) -> None:
    """The staged build's store: a checkpoint of the previous build's, with ``changes`` applied
    and the view record written."""
    import pyoxigraph as ox

    from newskg.views import recorded_view_size, view_files, write_view_record

    try:
        before = recorded_view_size(previous)
    except ValueError:
        before = None  # counted by the store instead
    ox.Store.read_only(str(previous.store_path)).backup(str(staged.store_path))
    store = ox.Store(str(staged.store_path))
    try:
        files = view_files(staged)
        grown = apply_changes(store, changes, frozenset(files))
        # The view's size from the previous one's and what changed in it: counting the view
        # again took ~0.45 s at a million triples, on the path the build waits for.
        write_view_record(staged, store, files, None if before is None else before + grown)
        store.flush()
    finally:
        del store  # closes RocksDB, so the folder can be renamed into place (or removed)


def apply_changes(store, changes: list[GraphChange], view: frozenset[str]) -> int:
    """Remove and add each graph's lines in ``store``, then keep its default graph the merge of
    the ``view`` graphs (the new build's): a removed triple leaves it only when no graph of the
    view still holds it. Returns how many triples the default graph gained (less those it lost)."""
    import pyoxigraph as ox

    default = ox.DefaultGraph()
    for change in changes:
        graph = ox.NamedNode(change.iri)
        for triple in _triples(change.removed):
            store.remove(ox.Quad(triple.subject, triple.predicate, triple.object, graph))
        store.extend(ox.Quad(t.subject, t.predicate, t.object, graph) for t in _triples(change.added))
    from newskg.views import view_graphs

    # By kind, not by the new build's list: a report deleted is in the view no more, its triples still are.
    viewed = [change for change in changes if view_graphs([change.iri])]
    view_nodes = {ox.NamedNode(iri) for iri in view}
    # A set: two graphs of the view may add the same triple, which the view gains once.
    fresh = {quad for change in viewed for quad in
             (ox.Quad(t.subject, t.predicate, t.object, default) for t in _triples(change.added))
             if quad not in store}
    store.extend(fresh)
    grown = len(fresh)
    for change in viewed:
        for triple in _triples(change.removed):
            held = store.quads_for_pattern(triple.subject, triple.predicate, triple.object)
            if not any(quad.graph_name in view_nodes for quad in held):
                quad = ox.Quad(triple.subject, triple.predicate, triple.object, default)
                if quad in store:
                    store.remove(quad)
                    grown -= 1
    return grown


def _same_bytes(a: str, b: str) -> bool:
    if os.stat(a).st_size != os.stat(b).st_size:
        return False
    with open(a, "rb") as first, open(b, "rb") as second:
        return first.read() == second.read()


def _lines(path: str) -> list[str]:
    try:
        with open(path, encoding="utf-8") as text:
            return text.read().splitlines()
    except FileNotFoundError:  # an empty graph has no file in an older build
        return []


def _triples(lines: list[str]):
    import pyoxigraph as ox

    if not lines:
        return []
    return list(ox.parse("\n".join(lines) + "\n", format=ox.RdfFormat.N_TRIPLES))


def _pyoxigraph_version() -> str:
    from importlib import metadata

    return metadata.version("pyoxigraph")


