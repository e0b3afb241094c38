"""What changed between two builds: the triples added to and removed from each named graph.

A build's named graphs are read from the N-Triples files its manifest lists (graphs/*.nt), so a
diff says, per graph and so per status level, what is asserted or inferred in the new build and
not in the old, and the reverse. That is how an ontology edit shows its effect on the derived
facts before anyone loads them: build, edit, build again (the build keeps the replaced one as
build.prev/), then diff.

Graphs whose files are byte-identical are equal without parsing (the writer sorts its lines).
Blank nodes have no identity across builds, so each is named by its surroundings (`_structural`):
the same restriction or list gets the same name in both builds, whatever else changed. RDF
canonicalisation (RDFC-1.0) would not do: it numbers blank nodes in order, so one new
restriction renames the others and they would show as removed and added. Only pyoxigraph is
used, no rdflib.

The output formats: a table for people, JSON for programs, and patches: TriG or N-Quads with
the added and the removed triples of each graph G as two graphs (``<DIFF_BASE>added/<name>`` and
``<DIFF_BASE>removed/<name>``, name being G's file name in graphs/ without .nt, e.g.
``inferred-confirmed``), and RDF Patch (``A``/``D`` quads in G itself, which Jena's RDF Delta
applies to a store).
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from newskg.errors import BuildMissingError, UsageError
from newskg.namespaces import BASE, PREFIXES, shorten
from newskg.project import MANIFEST_FORMAT, MANIFEST_NAME, Build, BuildGraph, graph_file_name, graph_level

#: Graph names of the TriG and N-Quads patches: DIFF_BASE + "added/" + graph name, or "removed/".
DIFF_BASE = BASE + "diff/"
DIFF_FORMATS = ("table", "json", "trig", "nquads", "patch")
RDF_TYPE = PREFIXES["rdf"] + "type"
#: How the summary groups graphs, in the order it lists them; ontology, reports and background
#: are seen at every level, a claim's content at none (docs/status-levels.md).
SUMMARY_ROWS = ("every level", "confirmed", "reported", "assessed", "claim content")
_EVERY_LEVEL_ROLES = ("ontology", "article", "background")
_DAMAGED = "the build is damaged: rebuild it (`newskg build --force`) or compare another"


@dataclass(frozen=True)
class TermCount:
    """How many added and removed triples have this predicate (or, for rdf:type, this class)."""

    iri: str
    added: int
    removed: int


@dataclass
class GraphDiff:
    """One named graph in either build: the triples only the new build has, and only the old."""

    iri: str
    role: str
    level: str | None
    in_old: bool
    in_new: bool
    #: sorted by their N-Triples text; pyoxigraph Triples
    added: list = field(default_factory=list)
    removed: list = field(default_factory=list)

    @property
    def name(self) -> str:
        """The graph's file name in graphs/ without .nt: ontology, inferred-confirmed, content/<slug>/<claim>."""
        return graph_file_name(self.iri)[: -len(".nt")]

    @property
    def kind(self) -> str:
        """``inferred`` for what the closure added, ``asserted`` for every other graph."""
        return "inferred" if self.role == "inferred" else "asserted"

    @property
    def row(self) -> str:
        """The summary row the graph counts in: its level, every level, or claim content."""
        if self.level:
            return self.level
        return "every level" if self.role in _EVERY_LEVEL_ROLES else "claim content"

    @property
    def status(self) -> str:
        """added | removed (the whole graph is in one build only) | changed | unchanged."""
        if not self.in_old:
            return "added"
        if not self.in_new:
            return "removed"
        return "changed" if self.added or self.removed else "unchanged"

    @property
    def changed(self) -> bool:
        return bool(self.added or self.removed)

    def by_predicate(self) -> list[TermCount]:
        """Added and removed counts per predicate, most changed first."""
        return _counts([t.predicate.value for t in self.added], [t.predicate.value for t in self.removed])

    def by_class(self) -> list[TermCount]:
        """Added and removed ``rdf:type`` counts per class (IRIs only), most changed first."""
        def classes(triples: list) -> list[str]:
            return [t.object.value for t in triples
                    if t.predicate.value == RDF_TYPE and _is_iri(t.object)]

        return _counts(classes(self.added), classes(self.removed))


def _is_iri(term) -> bool:
    import pyoxigraph

    return isinstance(term, pyoxigraph.NamedNode)


def _counts(added: list[str], removed: list[str]) -> list[TermCount]:
    plus, minus = Counter(added), Counter(removed)
    counts = [TermCount(iri, plus[iri], minus[iri]) for iri in set(plus) | set(minus)]
    return sorted(counts, key=lambda c: (-(c.added + c.removed), c.iri))


@dataclass
class BuildDiff:
    """Two builds compared graph by graph (every graph of either build, in build order)."""

    old: Build
    new: Build
    old_manifest: dict
    new_manifest: dict
    graphs: list[GraphDiff]

    @property
    def changed(self) -> bool:
        """True when any graph gained or lost a triple (or a graph appeared or went, non-empty)."""
        return any(g.changed for g in self.graphs)

    @property
    def changed_graphs(self) -> list[GraphDiff]:
        return [g for g in self.graphs if g.changed]

    def summary(self) -> dict[str, dict[str, tuple[int, int]]]:
        """(added, removed) per summary row (level) and kind (asserted, inferred)."""
        table: dict[str, dict[str, tuple[int, int]]] = {row: {} for row in SUMMARY_ROWS}
        for graph in self.graphs:
            added, removed = table[graph.row].get(graph.kind, (0, 0))
            table[graph.row][graph.kind] = (added + len(graph.added), removed + len(graph.removed))
        return table

    def inputs(self) -> dict[str, list[str]]:
        """Input files (ontology modules, report files) added, removed or changed, by the manifests' hashes."""
        old = {i["path"]: i.get("sha256") for i in self.old_manifest.get("inputs", [])}
        new = {i["path"]: i.get("sha256") for i in self.new_manifest.get("inputs", [])}
        return {"added": sorted(set(new) - set(old)), "removed": sorted(set(old) - set(new)),
                "changed": sorted(p for p in set(old) & set(new) if old[p] != new[p])}


# --- reading and comparing ------------------------------------------------------------------------


def open_build(path: Path, what: str) -> tuple[Build, dict]:
    """The build folder at ``path`` and its manifest; UsageError when it is no build folder.

    ``what`` names the argument in messages (``old build``, ``new build``).
    """
    path = Path(path)
    if not path.exists():
        raise UsageError(f"{what} {path}: no such folder")
    if not path.is_dir():
        raise UsageError(f"{what} {path} is not a folder")
    build = Build(path.resolve())
    if not build.manifest_path.is_file():
        raise UsageError(f"{what} {path} is not a build folder (it has no {MANIFEST_NAME})")
    return build, build.manifest(hint=_DAMAGED)


def _check_formats(old: tuple[Path, dict], new: tuple[Path, dict]) -> None:
    (old_path, old_manifest), (new_path, new_manifest) = old, new
    old_format, new_format = old_manifest.get("format"), new_manifest.get("format")
    if old_format != new_format:
        raise UsageError(f"cannot compare builds of different formats: {old_path} has format {old_format}, "
                         f"{new_path} has format {new_format}; rebuild the older one with this newskg")
    if old_format != MANIFEST_FORMAT:
        raise UsageError(f"{old_path} and {new_path} have build format {old_format}; "
                         f"this newskg reads format {MANIFEST_FORMAT}")


def diff_builds(old_dir: Path, new_dir: Path) -> BuildDiff:
    """Compare two build folders graph by graph.

    Raises UsageError when a folder is not a build or the two have different formats,
    BuildMissingError when a build is damaged (a graph file missing or not N-Triples).
    """
    old, old_manifest = open_build(old_dir, "old build")
    new, new_manifest = open_build(new_dir, "new build")
    _check_formats((old_dir, old_manifest), (new_dir, new_manifest))
    old_graphs = {g.iri: g for g in old.graphs(_DAMAGED)}
    new_graphs = {g.iri: g for g in new.graphs(_DAMAGED)}
    # New build order first, then graphs only the old build had, in its order.
    order = list(new_graphs) + [iri for iri in old_graphs if iri not in new_graphs]
    graphs = []
    for iri in order:
        before, after = old_graphs.get(iri), new_graphs.get(iri)
        role = (after or before).role  # type: ignore[union-attr]
        diff = GraphDiff(iri, role, graph_level(iri), before is not None, after is not None)
        diff.added, diff.removed = _compare(before, after)
        graphs.append(diff)
    return BuildDiff(old, new, old_manifest, new_manifest, graphs)


def _compare(before: BuildGraph | None, after: BuildGraph | None) -> tuple[list, list]:
    """(added, removed) triples between two versions of one graph (None: absent)."""
    old_text = before.path.read_bytes() if before else b""
    new_text = after.path.read_bytes() if after else b""
    if old_text == new_text:  # the writer sorts its lines: same bytes, same graph, no parsing
        return [], []
    old_triples = _triples(old_text, before)
    new_triples = _triples(new_text, after)
    return _sorted(new_triples - old_triples), _sorted(old_triples - new_triples)


def _triples(data: bytes, graph: BuildGraph | None) -> set:
    import pyoxigraph

    if not data:
        return set()
    try:
        triples = [q.triple for q in pyoxigraph.parse(data, format=pyoxigraph.RdfFormat.N_TRIPLES)]
    except SyntaxError as err:
        where = graph.path if graph else "a graph file"
        raise BuildMissingError(f"{where} is not N-Triples ({err}); {_DAMAGED}") from None
    return _structural(triples) if b"_:" in data else set(triples)


def _structural(triples: list) -> set:
    """The triples with each blank node renamed after its surroundings, not its label.

    Colour refinement (Weisfeiler-Lehman), one group of linked blank nodes at a time: every
    blank node of the group starts alike and, round after round, takes the colour of what its
    triples hold in and out of it, until no colour class of the group splits. A name then depends
    only on the group and the named nodes and literals around it, so a restriction or list that
    did not change keeps its name from build to build. (Blank nodes that nothing tells apart,
    which OWL's trees of restrictions and lists never are, would share a name.)
    """
    import pyoxigraph

    def is_blank(term) -> bool:
        return isinstance(term, pyoxigraph.BlankNode)

    # Union-find: blank nodes linked by a triple are one group.
    parent: dict = {}

    def root(b):
        while parent.setdefault(b, b) != b:
            parent[b] = parent[parent[b]]
            b = parent[b]
        return b

    plain: set = set()
    by_group: dict[object, list] = {}
    for t in triples:
        if is_blank(t.subject) and is_blank(t.object):
            parent[root(t.subject)] = root(t.object)
    for t in triples:
        if is_blank(t.subject) or is_blank(t.object):
            by_group.setdefault(root(t.subject if is_blank(t.subject) else t.object), []).append(t)
        else:
            plain.add(t)
    colour: dict = {}
    for group in by_group.values():
        colour.update(_refine(group, is_blank))

    def rename(term):
        return pyoxigraph.BlankNode("b" + colour[term][:24]) if is_blank(term) else term

    return plain | {pyoxigraph.Triple(rename(t.subject), t.predicate, rename(t.object))
                    for group in by_group.values() for t in group}


def _refine(triples: list, is_blank) -> dict:
    """Colour refinement of one group of blank nodes, to a stable partition: blank node -> colour."""
    import hashlib

    blanks = {t for triple in triples for t in (triple.subject, triple.object) if is_blank(t)}
    colour = dict.fromkeys(blanks, "")
    classes = 1
    while True:
        seen: dict = {b: [colour[b]] for b in blanks}
        for t in triples:
            obj = colour[t.object] if is_blank(t.object) else str(t.object)
            subj = colour[t.subject] if is_blank(t.subject) else str(t.subject)
            if is_blank(t.subject):
                seen[t.subject].append(f"> {t.predicate} {obj}")
            if is_blank(t.object):
                seen[t.object].append(f"< {subj} {t.predicate}")
        colour = {b: hashlib.sha256("\n".join(sorted(parts)).encode()).hexdigest() for b, parts in seen.items()}
        # Each colour includes the last, so classes only split: an unchanged count is stable.
        if len(set(colour.values())) == classes:
            return colour
        classes = len(set(colour.values()))


def _sorted(triples: set) -> list:
    return sorted(triples, key=str)


# --- rendering --------------------------------------------------------------------------------------


def render_diff(diff: BuildDiff, fmt: str = "table", triples: bool = False) -> str:
    """The diff as text: ``table`` (``triples`` lists them too), ``json``, ``trig``, ``nquads``, ``patch``."""
    if fmt == "table":
        return diff_table(diff, triples)
    if fmt == "json":
        return json.dumps(diff_json(diff), indent=1, ensure_ascii=False) + "\n"
    if fmt in ("trig", "nquads"):
        return diff_dataset(diff, fmt)
    if fmt == "patch":
        return diff_patch(diff)
    raise UsageError(f"unknown diff format {fmt!r}; formats: {', '.join(DIFF_FORMATS)}")


def _signed(added: int, removed: int) -> str:
    return f"+{added} -{removed}"


def _display(triple) -> str:
    return " ".join(shorten(t.value) if _is_iri(t) else str(t) for t in (triple.subject, triple.predicate,
                                                                            triple.object))


def _label(build: Build, manifest: dict) -> str:
    return f"{build.dir.name} ({manifest.get('built_at', 'built at an unknown time')})"


def diff_table(diff: BuildDiff, triples: bool = False) -> str:
    """For people: what changed in the inputs, a summary by level, then each changed graph by
    predicate (and by class under rdf:type), optionally with its triples."""
    lines = [f"{_label(diff.old, diff.old_manifest)} -> {_label(diff.new, diff.new_manifest)}"]
    inputs = diff.inputs()
    for how in ("changed", "added", "removed"):
        if inputs[how]:
            lines.append(f"inputs {how}: {', '.join(inputs[how])}")
    if not diff.changed:
        lines.append(f"no change: the {len(diff.graphs)} graphs hold the same triples")
        return "\n".join(lines) + "\n"
    lines += ["", f"{'level':<15} {'asserted':>14} {'inferred':>14}"]
    for row, kinds in diff.summary().items():
        cells = [_signed(*kinds[k]) if k in kinds else "-" for k in ("asserted", "inferred")]
        lines.append(f"{row:<15} {cells[0]:>14} {cells[1]:>14}")
    for graph in diff.changed_graphs:
        whole = {"added": ", new graph", "removed": ", graph gone"}.get(graph.status, "")
        lines += ["", f"{graph.name} ({graph.row}, {graph.kind}{whole}): "
                      f"{_signed(len(graph.added), len(graph.removed))}"]
        classes = graph.by_class()
        for count in graph.by_predicate():
            lines.append(f"  {_signed(count.added, count.removed):>10}  {shorten(count.iri)}")
            if count.iri == RDF_TYPE:
                lines += [f"  {'':>10}  {_signed(c.added, c.removed):>10}  {shorten(c.iri)}" for c in classes]
        if triples:
            lines += [f"  + {_display(t)}" for t in graph.added]
            lines += [f"  - {_display(t)}" for t in graph.removed]
    lines += ["", f"{len(diff.changed_graphs)} of {len(diff.graphs)} graphs changed"]
    return "\n".join(lines) + "\n"


def diff_json(diff: BuildDiff) -> dict:
    """For programs: the builds, changed inputs, the summary and every changed graph with its
    counts and triples (N-Triples, blank nodes named after their surroundings)."""
    def build_info(build: Build, manifest: dict) -> dict:
        return {"path": str(build.dir), "built_at": manifest.get("built_at"),
                "fingerprint": manifest.get("fingerprint"), "format": manifest.get("format")}

    def counts(items: list[TermCount]) -> list[dict]:
        return [{"iri": c.iri, "added": c.added, "removed": c.removed} for c in items]

    return {
        "old": build_info(diff.old, diff.old_manifest),
        "new": build_info(diff.new, diff.new_manifest),
        "changed": diff.changed,
        "inputs": diff.inputs(),
        "summary": {row: {kind: {"added": a, "removed": r} for kind, (a, r) in kinds.items()}
                    for row, kinds in diff.summary().items()},
        "graphs": [{"iri": g.iri, "name": g.name, "role": g.role, "level": g.level, "kind": g.kind,
                    "status": g.status, "added": len(g.added), "removed": len(g.removed),
                    "predicates": counts(g.by_predicate()), "classes": counts(g.by_class()),
                    "added_triples": [f"{t} ." for t in g.added],
                    "removed_triples": [f"{t} ." for t in g.removed]}
                   for g in diff.changed_graphs],
        "unchanged_graphs": len(diff.graphs) - len(diff.changed_graphs),
    }


def patch_graph(graph: GraphDiff, side: str) -> str:
    """The IRI of the graph that holds one side (``added``, ``removed``) of ``graph`` in a patch."""
    return f"{DIFF_BASE}{side}/{graph.name}"


def diff_dataset(diff: BuildDiff, fmt: str) -> str:
    """The added and removed triples of each changed graph as two named graphs, TriG or N-Quads."""
    import pyoxigraph

    quads = []
    for graph in diff.changed_graphs:
        for side, triples in (("added", graph.added), ("removed", graph.removed)):
            name = pyoxigraph.NamedNode(patch_graph(graph, side))
            quads += [pyoxigraph.Quad(t.subject, t.predicate, t.object, name) for t in triples]
    if fmt == "nquads":
        return "".join(f"{q} .\n" for q in quads)
    text = "".join(f"{q}\n" for q in quads)
    prefixes = {p: iri for p, iri in {"added": DIFF_BASE + "added/", "removed": DIFF_BASE + "removed/",
                                      **PREFIXES}.items() if f"<{iri}" in text}
    data = pyoxigraph.serialize(quads, format=pyoxigraph.RdfFormat.TRIG, prefixes=prefixes)
    assert data is not None  # without an output file, serialize returns the bytes
    return data.decode("utf-8")


def diff_patch(diff: BuildDiff) -> str:
    """RDF Patch (https://afs.github.io/rdf-delta/rdf-patch.html): one transaction that deletes
    the removed and adds the added triples, each in its own graph, turning the old build's
    graphs into the new one's."""
    lines = ["TX ."]
    for graph in diff.changed_graphs:
        lines += [f"D {t} <{graph.iri}> ." for t in graph.removed]
    for graph in diff.changed_graphs:
        lines += [f"A {t} <{graph.iri}> ." for t in graph.added]
    lines.append("TC .")
    return "\n".join(lines) + "\n"
