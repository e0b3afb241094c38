"""Write a build folder atomically: every file into a temporary sibling, then one swap.

An interrupted or failed write leaves the previous build as it was; a kill between
the two renames of the swap is repaired by the next build. The build the swap replaces
is kept as a sibling, build.prev/, so `newskg diff` can say what the new one changed.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from rdflib import Dataset, Graph, URIRef

from newskg.namespaces import bind_prefixes
from newskg.project import GRAPHS_DIR, PERSISTENT_STORE_MIN_QUADS, Build, graph_file_name


def ntriples_lines(graph: Graph) -> list[str]:
    """The graph as sorted N-Triples lines (sorted, so a build is byte-stable)."""
    text = graph.serialize(format="nt", encoding="utf-8").decode("utf-8")
    return sorted(line for line in text.splitlines() if line.strip())


def write_build(build: Build, graphs: dict[str, Graph], manifest: dict) -> None:
    """Write every named graph, the datasets and the manifest, then swap the folder in."""
    build_dir = build.dir
    build_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{build_dir.name}-new-", dir=build_dir.parent))
    try:
        (staging / GRAPHS_DIR).mkdir()
        quads: list[str] = []
        trig = Dataset()
        bind_prefixes(trig)
        for iri, graph in graphs.items():
            lines = ntriples_lines(graph)
            path = staging / GRAPHS_DIR / graph_file_name(iri)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(
                "".join(line + "\n" for line in lines), encoding="utf-8")
            quads += [f"{line[:-1].rstrip()} <{iri}> .\n" for line in lines]
            target = trig.graph(URIRef(iri))
            for triple in graph:
                target.add(triple)
        staged = Build(staging)
        staged.nquads_path.write_text("".join(quads), encoding="utf-8")
        if len(quads) >= PERSISTENT_STORE_MIN_QUADS:
            write_store(staged)
        trig.serialize(destination=str(staged.trig_path), format="trig")
        # The manifest goes last: a folder with a manifest is a complete build.
        staged.write_manifest(manifest)
        _swap_in(staging, build_dir)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def write_store(build: Build) -> None:
    """Bulk-load the build's dataset.nq into its persistent pyoxigraph store."""
    import pyoxigraph

    store = pyoxigraph.Store(str(build.store_path))
    store.bulk_load(path=str(build.nquads_path), format=pyoxigraph.RdfFormat.N_QUADS)
    store.flush()
    # Dropping the last reference closes RocksDB, so the folder can be renamed into place.
    del store


def _previous_path(build_dir: Path) -> Path:
    return build_dir.with_name(f".{build_dir.name}-previous")


def _discarded_path(kept: Path) -> Path:
    return kept.with_name(f".{kept.name}-discarded")


def _swap_in(staging: Path, build_dir: Path) -> None:
    previous = _previous_path(build_dir)
    shutil.rmtree(previous, ignore_errors=True)
    if build_dir.exists():
        os.rename(build_dir, previous)
    os.rename(staging, build_dir)
    _keep_previous(previous, build_dir)


def _keep_previous(previous: Path, build_dir: Path) -> None:
    """Make the replaced build (at its temporary name) the kept one, build.prev/.

    Only renames until the end: build.prev/ is at every moment absent or a complete build
    (the older or the newer one), never half deleted. The older build.prev/ is moved aside
    first and deleted last; a kill leaves at most that leftover, removed by the next swap.
    """
    if not previous.exists():
        return
    kept = Build(build_dir).previous.dir
    discarded = _discarded_path(kept)
    shutil.rmtree(discarded, ignore_errors=True)
    if kept.exists():
        os.rename(kept, discarded)
    os.rename(previous, kept)
    shutil.rmtree(discarded, ignore_errors=True)


def recover_interrupted_swap(build_dir: Path) -> None:
    """Finish or undo a swap that was killed part way."""
    previous = _previous_path(build_dir)
    if not previous.exists():
        return
    if build_dir.exists():
        # Killed after the new build was in place: the old one only had to become build.prev/.
        _keep_previous(previous, build_dir)
    else:
        # Killed between the two renames: the old build is intact under its temporary name;
        # put it back before doing anything else.
        os.rename(previous, build_dir)
