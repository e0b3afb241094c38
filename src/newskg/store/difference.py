"""A reload as one SPARQL Update of the difference: what the store holds in the targets against the build.

Used by `newskg load` with the oxigraph preset when some target graphs exist (see
docs/loading.md, "Reload by difference"). The store's current content of the targets is read
in one SELECT (``?s ?p ?o ?g``, as SPARQL TSV, whose rows are N-Quads lines but for the
separators and the short form of numbers). The build must be compared with it as Oxigraph spells
what it stores: Oxigraph keeps values, not lexical forms (``"05"^^xsd:nonNegativeInteger`` is
stored and answered as ``"5"^^xsd:integer``, ``"1.50"^^xsd:decimal`` as ``1.5``, ``@EN`` as
``@en``), so the file's own text would differ from the store's answer where nothing changed.

``build_lines`` spells the whole build that way: dataset.nq parsed by pyoxigraph into an
in-memory store and written back as N-Quads. ``reload_difference`` gives the same difference
without parsing most of the file: a line of dataset.nq spelled exactly as a line of the store's
answer is that quad (one N-Quads text is one quad), already in the store's spelling, so only the
build's lines that match no line of the answer (changed, or spelled otherwise), and those that
may hold a blank node, are parsed and written back (``read_build`` sorts the file's lines while
the store answers). The lines are then compared as sets. A spelling that still differed would
only make a quad be deleted and inserted again in the same update (never a wrong result); the
tests check that an unchanged reload sends nothing.

Blank nodes have no identity across requests, so a graph holding one (in the build or in the
store) cannot be diffed triple by triple: it is dropped and inserted whole, in the same update.
All inserted triples are in one ``INSERT DATA``, so a blank node two graphs share stays one node.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

XSD = "http://www.w3.org/2001/XMLSchema#"
#: An object written in Turtle's short form in SPARQL TSV (``5``, ``1.5``, ``1E3``, ``true``): no
#: other term starts with a sign, a digit, a dot or a letter.
_SHORT_OBJECT = re.compile(rb"\t([-+0-9.a-z][^\t\n]*)\t")


def read_query(targets: list[str]) -> str:
    """One SELECT of every quad of the targets, in N-Quads order (index lookups per graph;
    others' graphs are not scanned)."""
    values = " ".join(f"<{iri}>" for iri in targets)
    return f"SELECT ?s ?p ?o ?g WHERE {{ VALUES ?g {{ {values} }} GRAPH ?g {{ ?s ?p ?o }} }}"


def read_groups(targets: list[tuple[str, int]], groups: int) -> list[list[str]]:
    """The target graphs (IRI, triples) in at most ``groups`` groups of about as many triples
    each, to be read by as many queries at once; none empty."""
    count = max(1, min(groups, len(targets)))
    held = [0] * count
    members: list[list[str]] = [[] for _ in range(count)]
    for iri, triples in sorted(targets, key=lambda t: (-t[1], t[0])):  # largest first, each to the lightest
        lightest = held.index(min(held))
        members[lightest].append(iri)
        held[lightest] += triples
    return [group for group in members if group]


def graph_counts(lines: list[bytes]) -> dict[str, int]:
    """How many of the N-Quads ``lines`` (`store_lines`) each graph holds, by graph IRI."""
    counts: dict[bytes, int] = {}
    for line in lines:
        graph = line.rsplit(b" ", 2)[1]  # "... <graph> .": an IRI holds no space
        counts[graph] = counts.get(graph, 0) + 1
    return {graph[1:-1].decode("utf-8"): count for graph, count in counts.items()}


def store_lines(tsv: bytes) -> list[bytes]:
    """The quads of Oxigraph's SPARQL TSV answer to ``read_query``, as N-Quads lines.

    TSV writes terms as N-Triples does (tabs and newlines escaped inside literals), but
    numbers and booleans in Turtle's short form, which are written out here. The result is
    Oxigraph's N-Quads spelling of what it stores, except for literals holding control
    characters (TSV writes them raw, N-Quads escapes them): those compare as changed, and
    are deleted and inserted again, which costs a little and changes nothing. Raises
    ValueError for an answer of another shape.
    """
    header, _, rows = tsv.partition(b"\n")
    if header.split(b"\t") != [b"?s", b"?p", b"?o", b"?g"]:
        raise ValueError(f"not the expected SPARQL TSV header: {header[:100]!r}")
    rows = _SHORT_OBJECT.sub(_long_form, rows).replace(b"\t", b" ").replace(b"\n", b" .\n")
    lines = rows.split(b"\n")
    if lines and not lines[-1]:
        lines.pop()
    return lines


def _long_form(found: re.Match[bytes]) -> bytes:
    token = found.group(1)
    if token in (b"true", b"false"):
        kind = "boolean"
    elif re.fullmatch(rb"[-+]?[0-9]+", token):
        kind = "integer"
    elif re.fullmatch(rb"[-+]?[0-9]*\.[0-9]+", token):
        kind = "decimal"
    elif re.fullmatch(rb"[-+]?([0-9]+\.?[0-9]*|\.[0-9]+)[eE][-+]?[0-9]+", token):
        kind = "double"
    else:
        raise ValueError(f"a term of unknown form in the SPARQL TSV answer: {token[:100]!r}")
    return b'\t"' + token + b'"^^<' + XSD.encode() + kind.encode() + b">\t"


def build_lines(path: Path, renames: dict[str, str]) -> list[bytes]:
    """The quads of dataset.nq in the graphs ``renames`` names, each renamed, as canonical N-Quads
    lines: every line parsed and written back (what ``reload_difference`` avoids for the lines
    the store already spells alike)."""
    return _chosen(_canonical(path), renames)


def _chosen(lines: list[bytes], renames: dict[str, str]) -> list[bytes]:
    """The canonical lines in the graphs ``renames`` names, each renamed."""
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


def _canonical(source: Path | bytes) -> list[bytes]:
    """The quads of an N-Quads file (or text) as lines (without their newline), as Oxigraph
    writes what it stores. Raises SyntaxError if it does not parse."""
    import pyoxigraph  # only a reload parses; keep it out of CLI start-up

    store = pyoxigraph.Store()
    if isinstance(source, Path):
        store.bulk_load(path=str(source), format=pyoxigraph.RdfFormat.N_QUADS)
    else:
        store.bulk_load(source, format=pyoxigraph.RdfFormat.N_QUADS)
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


#: Lines put in a set at a time: each step lets the thread reading the store's answer run.
_STEP = 50_000


@dataclass
class BuildSide:
    """dataset.nq's lines, sorted for ``reload_difference`` (by ``read_build``)."""

    #: the lines of the chosen graphs, renamed, that hold no ``_:``: each may be spelled as the store spells it
    plain: set[bytes]
    #: lines to parse whatever the store holds, under their own graph names: those holding ``_:``
    #: (maybe a blank node), and, when graphs are renamed, those not of the form ``... <graph> .``
    other: list[bytes]
    renames: dict[str, str]


def read_build(path: Path, renames: dict[str, str]) -> BuildSide:
    """Read dataset.nq for ``reload_difference``: no parsing, so it can run while the store answers.

    With ``renames`` other than the identity, each line of the form ``... <graph> .`` (an IRI
    without escapes, so the text is the IRI) is renamed, or left out if its graph is not chosen,
    so that it can match the store's line; the others are kept for parsing."""
    text = path.read_bytes()
    lines = text.split(b"\n")
    del text
    if lines and not lines[-1]:
        lines.pop()
    plain: set[bytes] = set()
    other: list[bytes] = []
    if all(old == new for old, new in renames.items()):
        for start in range(0, len(lines), _STEP):
            part = lines[start:start + _STEP]
            odd = [line for line in part if b"_:" in line]
            if odd:
                other.extend(odd)
                part = [line for line in part if b"_:" not in line]
            plain.update(part)
        return BuildSide(plain, other, renames)
    wanted = {f"<{old}>".encode(): f"<{new}>".encode() for old, new in renames.items()}
    for line in lines:
        cut = line.rfind(b" <") + 1
        if b"_:" in line or not cut or not line.endswith(b"> .") or b"\\" in line[cut:]:
            other.append(line)
            continue
        new = wanted.get(line[cut:-2])
        if new is not None:
            plain.add(line[:cut] + new + b" .")
    return BuildSide(plain, other, renames)


def reload_difference(current: list[bytes], build: BuildSide, empty_targets: set[str]) -> Difference:
    """``difference(current, build_lines(dataset.nq, renames), empty_targets)``, parsing only the
    build's lines that no line of ``current`` spells alike (and those that may hold a blank node).

    A build line equal to a line of the store's answer is a quad on both sides, already in the
    store's spelling: it is left out of both sides of ``difference`` (which then compares only
    what may differ), except in graphs holding a blank node, which it compares whole. Raises
    SyntaxError when a line that has to be parsed does not parse."""
    plain = build.plain
    # The store's quads no build line spells alike, and the build lines no store line spells alike.
    gone = [line for line in current if line not in plain]
    unmatched = plain.difference(current)
    both = len(plain) - len(unmatched)
    # Parsed under their own graph names, as build_lines parses them, then chosen and renamed.
    parsed = _chosen(_canonical(b"\n".join([*build.other, *_restored(unmatched, build.renames)])), build.renames)
    # A line that only its spelling kept from matching may be one that another line matched.
    parsed = [line for line in parsed if line not in plain or line in unmatched]
    blank = {_graph_of(line) for line in (*gone, *parsed) if b"_:" in line and _has_blank_node(line)}
    shared: list[bytes] = []
    if blank:
        # A graph with blank nodes is compared whole: its matched lines go back on both sides.
        ends = tuple(b" <" + iri + b"> ." for iri in blank)
        shared = [line for line in current if line.endswith(ends) and line in plain]
        both -= len(shared)
    change = difference([*gone, *shared], [*parsed, *shared], empty_targets)
    change.unchanged += both
    return change


def _graph_of(line: bytes) -> bytes:
    return line[line.rindex(b" <") + 2:-3]


def _restored(lines: set[bytes], renames: dict[str, str]) -> list[bytes]:
    """Renamed build lines under their graphs' own names again (lines of graphs not chosen, which
    only the identity keeps, are left out)."""
    if all(old == new for old, new in renames.items()):
        graphs = {f"<{iri}>".encode() for iri in renames}
        return [line for line in lines if (graph := _plain_graph(line)) is None or graph in graphs]
    back = {f"<{new}>".encode(): f"<{old}>".encode() for old, new in renames.items()}
    restored = []
    for line in lines:
        cut = line.rindex(b" <") + 1
        restored.append(line[:cut] + back[line[cut:-2]] + b" .")
    return restored


def _plain_graph(line: bytes) -> bytes | None:
    """``<graph>`` of a line of the form ``... <graph> .`` whose graph IRI has no escape, else None."""
    cut = line.rfind(b" <") + 1
    if not cut or not line.endswith(b"> .") or b"\\" in line[cut:]:
        return None
    return line[cut:-2]
