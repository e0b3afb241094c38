"""A reload as one SPARQL Update of the difference: what the store holds in the targets against the build.

Used by `newskg load` with the oxigraph preset when some target graphs exist (see
docs/loading.md, "Reload by difference"). The store's current content of the targets is read
in one SELECT (``?g ?s ?p ?o``, as SPARQL TSV), the build's from dataset.nq; both are parsed by
pyoxigraph into an in-memory store and written back as N-Quads, so both sides are spelled
alike, and as Oxigraph stores them: it keeps values, not lexical forms (``"05"^^xsd:nonNegativeInteger``
is stored and answered as ``"5"^^xsd:integer``), so comparing the file's text with the store's
answer would see a change where there is none. The lines are then compared as sets.

Blank nodes have no identity across requests, so a graph holding one (in the build or in the
store) cannot be diffed triple by triple: it is dropped and inserted whole, in the same update.
All inserted triples are in one ``INSERT DATA``, so a blank node two graphs share stays one node.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

#: A SPARQL TSV row ``?g \t ?s \t ?p \t ?o``: its first field (the graph) and the rest.
_TSV_ROW = re.compile(rb"^([^\t\n]*)\t([^\n]*)$", re.MULTILINE)


def read_query(targets: list[str]) -> str:
    """One SELECT of every quad of the targets (index lookups per graph; others' graphs are not scanned)."""
    values = " ".join(f"<{iri}>" for iri in targets)
    return f"SELECT ?g ?s ?p ?o WHERE {{ VALUES ?g {{ {values} }} GRAPH ?g {{ ?s ?p ?o }} }}"


def store_lines(tsv: bytes) -> list[bytes]:
    """The quads of a SPARQL TSV answer to ``read_query``, as canonical N-Quads lines.

    TSV writes each term in Turtle syntax (tabs, newlines escaped inside literals), so a row
    ``G<tab>S<tab>P<tab>O`` is the TriG statement ``G { S P O . }``: pyoxigraph parses it in one
    call, without a Python object per row.
    """
    header, _, rows = tsv.partition(b"\n")
    if header.split(b"\t") != [b"?g", b"?s", b"?p", b"?o"]:
        raise ValueError(f"not the expected SPARQL TSV header: {header[:100]!r}")
    trig = _TSV_ROW.sub(rb"\1 { \2 . }", rows).replace(b"\t", b" ")
    return _canonical(trig)


def build_lines(path: Path, renames: dict[str, str]) -> list[bytes]:
    """The quads of dataset.nq in the graphs ``renames`` names, each renamed, as canonical N-Quads lines."""
    lines = _canonical(path)
    if all(old == new for old, new in renames.items()) and len(renames) == len(_graphs_of(lines)):
        return lines
    wanted = {f"<{old}>".encode(): f"<{new}>".encode() for old, new in renames.items()}
    kept = []
    for line in lines:
        cut = line.rindex(b" <") + 1
        new = wanted.get(line[cut:-2])
        if new is not None:
            kept.append(line[:cut] + new + b" .")
    return kept


def _canonical(source: bytes | Path) -> list[bytes]:
    """N-Quads lines (without their newline) as Oxigraph writes what it stores: ``source`` is
    TriG text, or the path of an N-Quads file."""
    import pyoxigraph  # only a reload parses; keep it out of CLI start-up

    store = pyoxigraph.Store()
    if isinstance(source, bytes):
        store.bulk_load(input=source, format=pyoxigraph.RdfFormat.TRIG)
    else:
        store.bulk_load(path=str(source), format=pyoxigraph.RdfFormat.N_QUADS)
    text = store.dump(format=pyoxigraph.RdfFormat.N_QUADS)
    del store
    assert text is not None  # dump() without an output returns the bytes
    lines = text.split(b"\n")
    if lines and not lines[-1]:
        lines.pop()
    return lines


def _graphs_of(lines: list[bytes]) -> set[bytes]:
    return {line[line.rindex(b" <") + 2:-3] for line in lines}


def _has_blank_node(line: bytes) -> bool:
    """The quad's subject or object is a blank node (or a triple term holding one).

    Subject and predicate hold no space in N-Quads, so the object starts after the second one;
    ``_:`` inside a literal is not a blank node."""
    if line.startswith((b"_:", b"<<")):
        return True
    obj = line.split(b" ", 2)[2]
    return obj.startswith(b"_:") or (obj.startswith(b"<<") and b"_:" in obj)


@dataclass
class Difference:
    """What one update must do so that every target holds exactly the build's triples."""

    delete: list[bytes] = field(default_factory=list)
    insert: list[bytes] = field(default_factory=list)
    #: targets dropped first: the build's empty graphs, and graphs with blank nodes (re-inserted whole)
    drop: list[str] = field(default_factory=list)
    unchanged: int = 0

    @property
    def empty(self) -> bool:
        return not (self.delete or self.insert or self.drop)

    @property
    def changed(self) -> int:
        """Quads deleted or inserted."""
        return len(self.delete) + len(self.insert)

    def update_text(self) -> bytes:
        """The one SPARQL Update: drops, then ``DELETE DATA``, then ``INSERT DATA`` (empty parts left out).

        Canonical N-Quads terms are valid SPARQL terms (strings escaped as N-Triples escapes them)."""
        parts = [f"DROP SILENT GRAPH <{iri}>".encode() for iri in self.drop]
        for verb, lines in ((b"DELETE DATA", self.delete), (b"INSERT DATA", self.insert)):
            if lines:
                parts.append(verb + b" {\n" + b"\n".join(map(_as_graph_pattern, lines)) + b"\n}")
        return b" ;\n".join(parts)


def _isomorphic(left: list[bytes], right: list[bytes]) -> bool:
    """The two sets of quads are the same up to blank-node names (RDF canonicalisation, RDFC-1.0),
    taken together, so a blank node that two graphs share must be shared on both sides."""
    import pyoxigraph

    if len(left) != len(right):
        return False
    sides = []
    for lines in (left, right):
        dataset = pyoxigraph.Dataset(pyoxigraph.parse(b"\n".join(lines), format=pyoxigraph.RdfFormat.N_QUADS))
        dataset.canonicalize(pyoxigraph.CanonicalizationAlgorithm.UNSTABLE)
        sides.append({str(quad) for quad in dataset})
    return sides[0] == sides[1]


def _as_graph_pattern(line: bytes) -> bytes:
    """``S P O <g> .`` as ``GRAPH <g> { S P O }``."""
    cut = line.rindex(b" <")
    return b"GRAPH " + line[cut + 1:-2] + b" { " + line[:cut] + b" }"


def difference(current: list[bytes], wanted: list[bytes], empty_targets: set[str]) -> Difference:
    """The update turning ``current`` (the store's quads in the targets) into ``wanted`` (the build's).

    Both are canonical N-Quads lines. ``empty_targets``: targets the build has no triple for;
    they are dropped (a fresh load leaves no such graph, and Oxigraph keeps emptied graphs)."""
    whole = {iri.encode() for iri in empty_targets}
    for line in (*(x for x in current if b"_:" in x), *(x for x in wanted if b"_:" in x)):
        if _has_blank_node(line):
            whole.add(line[line.rindex(b" <") + 2:-3])
    whole_lines: list[bytes] = []
    if whole:
        ends = tuple(b" <" + iri + b"> ." for iri in whole)
        old_lines = [line for line in current if line.endswith(ends)]
        current = [line for line in current if not line.endswith(ends)]
        whole_lines = [line for line in wanted if line.endswith(ends)]
        wanted = [line for line in wanted if not line.endswith(ends)]
        blank = whole - {iri.encode() for iri in empty_targets}
        if blank and _isomorphic(old_lines, whole_lines):
            # The graphs with blank nodes hold what the build has, up to the blank nodes' names.
            whole -= blank
            whole_lines = []
    have, want = set(current), set(wanted)
    delete = [line for line in current if line not in want]
    insert = [line for line in wanted if line not in have] + whole_lines
    return Difference(delete, insert, sorted(iri.decode() for iri in whole), len(want) - len(insert) + len(whole_lines))
