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
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID

from newskg.background import InTurn
from newskg.build.memory import NamedGraphs, add_triples, new_graph
from newskg.errors import InputError, InputMissingError, Problem, RdfSyntaxError
from newskg.limits import describe, max_literal_bytes
from newskg.namespaces import BACKGROUND_GRAPH, ONTOLOGY_GRAPH, article_graph, bind_prefixes, shorten
from newskg.terms import IRI_FORBIDDEN, is_absolute_iri
from newskg.textfile import decode, read_bytes

SHAPES_SUFFIX = "shapes.ttl"


@dataclass(frozen=True)
class InputFile:
    """One Turtle file of the project and the named graph it belongs to."""

    path: Path  # absolute
    relpath: str  # relative to the project root, with forward slashes
    role: str  # ontology | shapes | background | article | content
    graph: URIRef | None  # None for shapes and content (whose graphs are named in the file)
    slug: str | None = None  # the report, for article and content files of a report
    _digest: list[str] = field(default_factory=list, compare=False, repr=False)

    def sha256(self) -> str:
        """The file's SHA-256 (hex), read once: the fingerprint, the reasoner's key and the
        manifest each ask for every input, and must describe the same bytes."""
        if not self._digest:
            self._digest.append(hashlib.sha256(self.path.read_bytes()).hexdigest())
        return self._digest[0]


@dataclass(frozen=True)
class Report:
    """One encoded report: its folder, slug, graph and stored text."""

    slug: str
    folder: Path
    graph: URIRef
    text_path: Path


#: A report folder's name becomes one segment of IRIs (its graph, its resources): letters,
#: digits, ``.``, ``_`` and ``-`` only (RFC 3986 unreserved, without ``~``), starting with a
#: letter or digit, so it never needs percent-encoding and means the same in every store.
SLUG = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")
INPUT_SUFFIXES = (".ttl", ".trig")
TEXT_NAME = "source.txt"


def slug_problem(name: str) -> str | None:
    """Why a folder name cannot be a report's slug, or None when it can."""
    if SLUG.fullmatch(name):
        return None
    odd = sorted({c for c in name if not re.fullmatch(r"[A-Za-z0-9._-]", c)})
    if odd:
        shown = ", ".join(repr(c) if c.isprintable() and c != " " else f"U+{ord(c):04X}" for c in odd)
        why = f"its name holds {shown}"
    elif len(name) > 100:
        why = "its name is longer than 100 characters"
    else:
        why = "its name must start with a letter or digit"
    return (f"{why}, and a report's folder name becomes part of its graph IRI; rename it with letters, "
            "digits, '.', '_' and '-' only (e.g. my-report-2025)")


@dataclass
class _Survey:
    """What is under ontology/ and graph/: the input files, the report folders, and every
    entry refused (with its reason), so nothing is ever left out in silence."""

    root: Path
    inputs: list[InputFile] = field(default_factory=list)
    reports: list[Report] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)

    def refuse(self, path: Path, why: str) -> None:
        shown = _rel(path, self.root) + ("/" if path.is_dir() and not path.is_symlink() else "")
        if not shown.isprintable():  # a newline in a name would split the message
            shown = shown.encode("unicode_escape").decode("ascii")
        self.refused.append(f"{shown}: {why}")

    def raise_refused(self) -> None:
        if self.refused:
            raise InputError(f"{len(self.refused)} input(s) refused:\n  "
                             + "\n  ".join(self.refused))


def _survey(root: Path) -> _Survey:
    """Walk ontology/ and graph/ once, deciding for every entry: an input, a report, or refused.

    Hidden files (a name starting with '.': editor droppings such as .#report.ttl) are not
    read. A hidden folder is not read either (a notebook's .ipynb_checkpoints/ would add a
    second copy of every triple), but one holding .ttl or .trig files is refused, so that a
    report is never left out in silence. Symbolic links are refused rather than followed: a
    build must be reproducible from the project folder alone (the manifest records inputs
    relative to it), and a link can point outside, loop or dangle. Copy the folder in instead.
    """
    survey = _Survey(root.resolve())
    root = survey.root
    ontology_dir, graph_dir = root / "ontology", root / "graph"
    for folder in (ontology_dir, graph_dir):
        if not folder.is_dir():
            raise InputMissingError(
                f"{folder} is not a folder: a newskg project needs ontology/ and graph/ "
                f"(use --project to point at one)"
            )
    for path in _files(ontology_dir, survey, (".ttl",)):
        role = "shapes" if path.name.endswith(SHAPES_SUFFIX) else "ontology"
        graph = None if role == "shapes" else ONTOLOGY_GRAPH
        survey.inputs.append(InputFile(path, _rel(path, root), role, graph))
    for entry in _entries(graph_dir, survey):
        path = Path(entry.path)
        if entry.is_symlink():
            survey.refuse(path, "is a symbolic link; newskg reads only what is inside the project, so that a "
                                "build can be made again from the project alone: copy it in instead")
        elif entry.is_dir():
            _survey_report(path, survey)
        elif entry.name in ("background.ttl", "background.trig"):
            content = path.suffix == ".trig"
            survey.inputs.append(InputFile(path, _rel(path, root), "content" if content else "background",
                                           None if content else BACKGROUND_GRAPH))
        elif path.suffix in INPUT_SUFFIXES:
            survey.refuse(path, "a file directly under graph/ must be background.ttl or background.trig; "
                                "put a report's files in graph/<slug>/")
        else:
            survey.refuse(path, "a file where a report folder should be: graph/ holds background.ttl, "
                                "background.trig and one folder per report; move it into a report's folder "
                                "or out of graph/")
    survey.inputs.sort(key=lambda item: (item.role not in ("ontology", "shapes"), item.path))
    return survey


def _survey_report(folder: Path, survey: _Survey) -> None:
    slug = folder.name
    why = slug_problem(slug)
    if why:
        survey.refuse(folder, why)
        return
    before = len(survey.refused)
    files = _files(folder, survey, (*INPUT_SUFFIXES, TEXT_NAME))
    if len(survey.refused) > before:
        return
    encoded = [p for p in files if p.suffix in INPUT_SUFFIXES]
    if not encoded:
        survey.refuse(folder, "holds no .ttl or .trig file, so it would build into nothing; encode the report "
                              "(docs/modelling.md) or move the folder out of graph/ until it is encoded")
        return
    text = folder / TEXT_NAME
    if text in files:
        # Only checked here: the anchors read it with its byte-order mark, if any, kept.
        decode(read_bytes(text, _rel(text, survey.root)), _rel(text, survey.root), keep_bom=True)
    for path in encoded:
        content = path.suffix == ".trig"
        survey.inputs.append(InputFile(path, _rel(path, survey.root), "content" if content else "article",
                                       None if content else article_graph(slug), slug))
    survey.reports.append(Report(slug, folder, article_graph(slug), text))


def _entries(folder: Path, survey: _Survey) -> list[os.DirEntry]:
    """The entries of ``folder`` that are not hidden, sorted by name; an unreadable folder is
    refused, and so is a hidden folder that holds inputs."""
    try:
        with os.scandir(folder) as found:
            entries = sorted(found, key=lambda e: e.name)
    except OSError as err:
        survey.refuse(folder, f"cannot be read ({err.strerror or err}); make it readable (chmod) or move it "
                              "out of the project")
        return []
    shown = []
    for entry in entries:
        if not entry.name.startswith("."):
            shown.append(entry)
        elif entry.is_dir(follow_symlinks=False) and _holds_inputs(Path(entry.path)):
            survey.refuse(Path(entry.path), "a hidden folder holding .ttl or .trig files, which newskg does not "
                                            "read; rename it without the leading '.' to build it, or move it out")
    return shown


def _holds_inputs(folder: Path) -> bool:
    try:
        return any(p.suffix in INPUT_SUFFIXES for p in folder.rglob("*"))
    except OSError:
        return True  # cannot tell: say so rather than skip it


def _files(folder: Path, survey: _Survey, wanted: tuple[str, ...]) -> list[Path]:
    """Files under ``folder`` whose name ends with one of ``wanted``, sorted; symbolic links that
    would be read, unreadable folders and folders named like an input are refused."""
    found: list[Path] = []
    for entry in _entries(folder, survey):
        path = Path(entry.path)
        is_input = entry.name.endswith(wanted)
        if entry.is_symlink():
            if is_input or entry.is_dir():
                survey.refuse(path, "is a symbolic link; newskg reads only what is inside the project, so that "
                                    "a build can be made again from the project alone: copy it in instead")
        elif entry.is_dir():
            if is_input:
                survey.refuse(path, "is a folder, but its name is that of an input file; rename it")
            else:
                found += _files(path, survey, wanted)
        elif is_input and not entry.name.isprintable():
            survey.refuse(path, "its name holds a control character (a tab, a newline); rename it")
        elif is_input:
            found.append(path)
    return found


def discover_inputs(root: Path) -> list[InputFile]:
    """All input files of the project at `root`, in a stable order.

    Raises InputMissingError if ontology/ or graph/ is missing, and InputError listing every
    entry refused (a report folder whose name cannot be a graph IRI segment, one with nothing
    to build, a symbolic link, an unreadable folder, a stray file under graph/).
    """
    survey = _survey(root)
    survey.raise_refused()
    return survey.inputs


def discover_reports(root: Path) -> list[Report]:
    """The report folders under graph/ (each holding Turtle or TriG files and source.txt).

    Raises as `discover_inputs` does, and InputError when a source.txt is unreadable, holds a
    NUL byte or is not UTF-8 (naming the byte offset and line).
    """
    survey = _survey(root)
    survey.raise_refused()
    return survey.reports


def discover_sources(root: Path) -> tuple[list[InputFile], list[Report]]:
    """`discover_inputs` and `discover_reports` from one walk of the project (38,000 paths at a
    million triples: a second of walking saved)."""
    survey = _survey(root)
    survey.raise_refused()
    return survey.inputs, survey.reports


def _rel(path: Path, root: Path) -> str:
    return path.relative_to(root).as_posix()


def parse_turtle(path: Path, label: str | None = None) -> Graph:
    """Parse one Turtle file; a syntax error names the file, line and column."""
    graph = new_graph()
    parsed = read_rdf(path, "turtle", label)
    add_triples(graph, parsed.statements)
    for prefix, iri in parsed.prefixes.items():  # as rdflib's parser binds them
        graph.bind(prefix, iri)
    return graph


def parse_trig(path: Path, label: str | None = None) -> Dataset:
    """Parse one TriG file into a Dataset; a syntax error names the file, line and column."""
    dataset = Dataset()
    for s, p, o, g in read_rdf(path, "trig", label).quads:
        dataset.graph(g if g is not None else DATASET_DEFAULT_GRAPH_ID).add((s, p, o))
    return dataset


@dataclass
class ParsedFile:
    """One file's statements, as rdflib terms and as pyoxigraph quads (the same statements, in
    the same order, for the store the quality checks query)."""

    #: a TriG file's (subject, predicate, object, graph) quads, graph None for the default
    #: graph; a Turtle file's (subject, predicate, object) triples, all of the default graph
    #: (no fourth term to add and then slice off again, a million statements over)
    statements: list[tuple]
    #: the pyoxigraph quads, or None when only ``nquads`` holds them (read them as `oxigraph`)
    quads_read: list | None
    #: the prefixes the file declares (explain reads a report's art: on the command line)
    prefixes: dict[str, str] = field(default_factory=dict)
    #: whether ``statements`` are quads (a TriG file's) rather than triples
    named_graphs: bool = False
    #: whether ``oxigraph`` certainly holds no blank node (a store may then load it as text: a
    #: load names blank nodes afresh, and the quality checks must name ours)
    blank_free: bool = False
    #: the pyoxigraph quads written as N-Quads (one line each, in order), if they were (a
    #: file read through that text holds no blank node)
    nquads: bytes | None = None
    #: whether rdflib read the file (pyoxigraph's quads then made from rdflib's terms, which
    #: may say ^^xsd:string or a language tag's capitals: a store keeps neither)
    by_rdflib: bool = False

    @property
    def oxigraph(self) -> list:
        """The statements as pyoxigraph quads (a Turtle file's in the graph asked for)."""
        if self.quads_read is None:
            import pyoxigraph

            assert self.nquads is not None
            self.quads_read = list(pyoxigraph.parse(self.nquads, format=pyoxigraph.RdfFormat.N_QUADS))
        return self.quads_read

    @property
    def quads(self) -> list[tuple]:
        """Every statement as a (subject, predicate, object, graph) quad (graph None: the
        default graph)."""
        if self.named_graphs:
            return self.statements
        return [(s, p, o, None) for s, p, o in self.statements]


def read_rdf(path: Path, fmt: str, label: str | None = None, shared_terms: dict | None = None,
             graph: str | None = None) -> ParsedFile:
    """Parse one Turtle or TriG file (``fmt``: turtle | trig) with pyoxigraph, and check its terms.

    rdflib is the reference the rest of the pipeline was written against; pyoxigraph is
    stricter. Whatever pyoxigraph refuses is parsed again with rdflib, so a file is accepted
    or refused, and a refusal worded, exactly as before: a syntax error naming file, line
    and column, or the term no store accepts (check_terms). ``shared_terms`` (a dict kept
    across the files of one build) makes each IRI and literal one rdflib object. ``graph``:
    the named graph a Turtle file's pyoxigraph quads are in (else the default graph).
    """
    import pyoxigraph

    from newskg.build.oxterms import ToRdflib, Unconvertible

    name = label or str(path)
    raw = read_bytes(path, name)
    data = decode(raw, name)
    check_literals = len(raw) > max_literal_bytes()
    rdf_format = pyoxigraph.RdfFormat.TRIG if fmt == "trig" else pyoxigraph.RdfFormat.TURTLE
    into = pyoxigraph.NamedNode(graph) if graph is not None and fmt != "trig" else None
    if _UPPER_CASE_LANGUAGE.search(raw):
        # pyoxigraph lowercases language tags (the same tag by RDF 1.1), rdflib keeps them as
        # written: "@en-GB" must reach build/ as written.
        return _read_with_rdflib(path, data, fmt, name, check_literals, into)
    converter = ToRdflib(name, shared_terms)
    try:
        parser = pyoxigraph.parse(raw, format=rdf_format, base_iri=path.as_uri())
        # The statements as pyoxigraph writes them, N-Triples or N-Quads, one line each, in
        # order: without blank nodes (which must be relabelled) or triple terms (which rdflib
        # cannot hold), the lines give the rdflib terms more cheaply than pyoxigraph's quads,
        # and the quality-check store loads the text (`_read_text`).
        text = pyoxigraph.serialize(parser, format=pyoxigraph.RdfFormat.N_QUADS if fmt == "trig"
                                    else pyoxigraph.RdfFormat.N_TRIPLES) or b""
        if b"_:" not in text and b"<<" not in text:  # (either may also be inside a literal)
            return _read_text(text, fmt, name, check_literals, into, converter, dict(parser.prefixes))
        parser = pyoxigraph.parse(raw, format=rdf_format, base_iri=path.as_uri())
        parsed = list(parser)
        if into is None:
            statements = list(converter.quads(parsed) if fmt == "trig" else converter.triples(parsed))
        else:
            in_graph: list = []
            statements = list(converter.triples(parsed, into, in_graph))
            parsed = in_graph
    except (SyntaxError, Unconvertible):
        return _read_with_rdflib(path, data, fmt, name, check_literals, into)
    # pyoxigraph puts only IRIs in predicate position and no literal as subject: the
    # terms are what is left to check, each once.
    _check_each(converter.terms(), name, check_literals)
    # Most files hold no blank node: their quads need no relabelling (a check per quad otherwise).
    oxigraph = [converter.relabel(q) for q in parsed] if converter.blank_nodes else parsed
    return ParsedFile(statements, oxigraph, dict(parser.prefixes), fmt == "trig", not converter.blank_nodes)


def _read_text(text: bytes, fmt: str, name: str, check_literals: bool, into: Any, converter: Any,
               prefixes: dict[str, str]) -> ParsedFile:
    """The `ParsedFile` of a file pyoxigraph read and wrote as N-Triples (Turtle) or N-Quads
    (TriG) ``text``, which holds no blank node and no triple term."""
    # Each line ends with " .\n", which nowhere else occurs: a literal's line breaks are escaped.
    lines = text.decode("utf-8").split(" .\n")
    lines.pop()  # what follows the last line: nothing
    if fmt == "trig":
        statements = converter.text_quads(lines)
    else:
        statements = converter.text_triples(lines)
        if into is not None:  # each line in the graph: N-Triples to N-Quads
            text = text.replace(b" .\n", f" {into} .\n".encode())
    _check_each(converter.terms(), name, check_literals)
    return ParsedFile(statements, None, prefixes, fmt == "trig", True, text)


#: A language tag with a capital letter (or text that looks like one: then rdflib reads it).
_UPPER_CASE_LANGUAGE = re.compile(rb"[\"']@[A-Za-z0-9-]*[A-Z]")


def _read_with_rdflib(path: Path, data: str, fmt: str, name: str, check_literals: bool,
                      into: Any = None) -> ParsedFile:
    import pyoxigraph

    from newskg.build.oxterms import ToOxigraph

    parsed = Dataset() if fmt == "trig" else Graph()
    try:
        parsed.parse(data=data, format=fmt, publicID=path.as_uri())
    except SyntaxError as err:  # rdflib's BadSyntax is a SyntaxError
        line, column, why = _locate(err, data)
        raise RdfSyntaxError(name, line, column, why) from err
    except Exception as err:  # rdflib raises plain exceptions for e.g. unknown prefixes
        raise RdfSyntaxError(name, None, None, str(err)) from err
    if isinstance(parsed, Dataset):
        quads = [(s, p, o, None if g == DATASET_DEFAULT_GRAPH_ID else g)
                 for s, p, o, g in parsed.quads((None, None, None, None))]
    else:
        quads = [(s, p, o, None) for s, p, o in parsed]
    _check_quads(quads, name, check_literals)
    converter = ToOxigraph()
    try:
        oxigraph = [converter.quad(q) for q in quads]
    except ValueError as err:
        # rdflib read it, the checks let it through, pyoxigraph cannot hold it.
        raise InputError(f"{name}: {err}; no RDF store would accept it, fix it") from None
    prefixes = {p: str(iri) for p, iri in parsed.namespaces()}
    if isinstance(parsed, Dataset):
        return ParsedFile(quads, oxigraph, prefixes, True, by_rdflib=True)
    if into is not None:
        oxigraph = [pyoxigraph.Quad(s, p, o, into) for s, p, o, _default in oxigraph]
    return ParsedFile([q[:3] for q in quads], oxigraph, prefixes, by_rdflib=True)


def check_terms(graph: Graph, name: str, check_literals: bool = True) -> None:
    """Refuse what rdflib reads but no store does: a literal or blank node as predicate, a
    literal as subject, an IRI holding a space or one of <>"{}|^`\\, a string that is not
    Unicode text, a literal over NEWSKG_MAX_LITERAL_BYTES. Raises InputError naming the file."""
    quads = graph.quads((None, None, None, None)) if isinstance(graph, Dataset) else (
        (s, p, o, None) for s, p, o in graph)
    _check_quads(quads, name, check_literals)


def _check_quads(quads, name: str, check_literals: bool) -> None:
    seen: dict = {}  # a dict keeps the order they come in: the first bad term is the one named
    for s, p, o, g in quads:
        if not isinstance(p, URIRef):
            raise InputError(f"{name}: {_show(p)} is used as a predicate; only an IRI can be one")
        if isinstance(s, Literal):
            raise InputError(f"{name}: the literal {_show(s)} is used as a subject; only an IRI or blank "
                             "node can be one")
        seen.update(dict.fromkeys((s, p, o, g)))
    seen.pop(None, None)
    _check_each(seen, name, check_literals)


def _check_each(terms, name: str, check_literals: bool) -> None:
    cap = max_literal_bytes() if check_literals else None
    for term in terms:
        if isinstance(term, URIRef):
            _check_iri(str(term), name)
        elif isinstance(term, Literal):
            _check_literal(term, name, cap)


def _check_iri(iri: str, name: str) -> None:
    import pyoxigraph

    if is_absolute_iri(iri) and not _SURROGATE.search(iri):
        try:
            pyoxigraph.NamedNode(iri)  # RFC 3987, as the engines and stores read IRIs
            return
        except ValueError as err:
            raise InputError(f"{name}: the IRI <{_cut(iri)}> is not valid ({err}); fix it") from None
    bad = IRI_FORBIDDEN.search(iri) or _SURROGATE.search(iri)
    if bad is None:
        why = "is not absolute (it has no scheme such as https:)"
    else:
        char = bad.group()
        why = f"holds {'a space' if char == ' ' else f'U+{ord(char):04X}'}, which no RDF store accepts in an IRI"
    raise InputError(f"{name}: the IRI <{_cut(iri)}> {why}; fix it (percent-encode a space as %20)")


def _check_literal(literal: Literal, name: str, cap: int | None) -> None:
    text = str(literal)
    if _SURROGATE.search(text):
        raise InputError(f"{name}: the literal {_show(literal)} holds an escaped surrogate (\\uD800-\\uDFFF), "
                         "which is not a character; write the character itself")
    if literal.datatype is not None:
        _check_iri(str(literal.datatype), name)
    if cap is not None and len(text) * 4 > cap and len(text.encode("utf-8")) > cap:
        size = len(text.encode("utf-8"))
        raise InputError(f"{name}: a literal of {describe(size)} ({_show(literal)}), over the {describe(cap)} "
                         "limit for one literal (NEWSKG_MAX_LITERAL_BYTES); quote less of the source, or raise "
                         "the limit")


_SURROGATE = re.compile(r"[\ud800-\udfff]")


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


def _cut(text: str, width: int = 60) -> str:
    text = text.encode("unicode_escape").decode("ascii") if not text.isprintable() else text
    return text if len(text) <= width else text[:width] + "..."


def _show(term) -> str:
    if isinstance(term, Literal):
        return f'"{_cut(str(term))}"'
    if isinstance(term, URIRef):
        return f"<{_cut(str(term))}>"
    return f"the blank node _:{_cut(str(term))}"


@dataclass
class Sources:
    """Every input parsed: the named graphs, the SHACL shapes, and where each claim's content came from."""

    dataset: NamedGraphs
    shapes: Graph
    #: claim IRI -> the file that holds its content graph (the project-relative path)
    content_files: dict[URIRef, str] = field(default_factory=dict)
    #: the triples of every Turtle file of the reports and the background, each once, in the
    #: file's order (for messages that name the file; a list, not a graph: only ever read
    #: through, and a graph's indexes would cost a second copy of every report)
    turtle_files: dict[str, list[tuple]] = field(default_factory=dict)
    #: content problems found while reading (triples outside any named graph, a claim's
    #: content in two files)
    problems: list[Problem] = field(default_factory=list)
    #: the named graphs of ``dataset`` (not the shapes) in a pyoxigraph Store, filled while
    #: parsing: what the quality-check queries run on, with no second copy through N-Quads
    #: (the pipeline drops it once they have run); read it through `quality_store`
    store: Any = None
    #: the batch of quads being added to ``store`` in a thread, if one is
    store_loading: InTurn | None = None
    #: whether ``store`` holds each term as the build writes it: False when rdflib normalised
    #: a literal pyoxigraph read ("01"^^xsd:integer is "1" in build/, as rdflib reads it)
    store_exact: bool = True
    #: whether ``store`` holds each string and language-tagged string as the build's graphs do:
    #: False when rdflib read a file (`ParsedFile.by_rdflib`), whose "a"^^xsd:string is "a" in
    #: the store and "a"@en-GB is "a"@en-gb (the SHACL validator reuses the store only if True)
    store_strings_exact: bool = True
    #: the literals with a datatype (neither strings nor language-tagged) of the files pyoxigraph
    #: read, each once: how the build's graphs hold those ``store`` may hold rewritten
    typed_literals: list[Literal] = field(default_factory=list)

    def content_graphs(self) -> list[Graph]:
        """The content graph of every claim, in a stable order."""
        return [self.dataset.graph(iri) for iri in sorted(self.content_files)]

    def add_to_store(self, runs: list[tuple[bool, list]]) -> None:
        """Add the quads of ``runs`` to ``store``, in order, in a thread, after the batch before
        them, beside the parsing of the next files. A run is (as_text, parts): N-Quads texts
        (no blank node in them), or lists of quads.

        A text run goes as one N-Quads text, which pyoxigraph's load parses and indexes
        without the GIL; its bulk_extend holds the GIL for as long as it runs, so the quads it
        took stopped the parsing for ~4 µs each (~5 s of the million-triple corpus's parse).
        The parser writes the text of most files as it reads them (`read_rdf`). Other runs go
        as they are: a load would name their blank nodes afresh. In order, because the store
        answers in an order that follows the order its quads went in."""
        made = [b"".join(parts) if as_text else [q for quads in parts for q in quads] for as_text, parts in runs]
        if self.store_loading is None:
            self.store_loading = InTurn("quality-store", _fill_store)
        self.store_loading.start(self.store, made)

    def quality_store(self) -> Any:
        """``store`` once every batch is in (raising what adding one raised)."""
        if self.store_loading is not None:
            self.store_loading.wait()
        return self.store


def load_dataset(inputs: list[InputFile]) -> Sources:
    """Parse every input into its named graph (claim content into one graph per claim)."""
    import pyoxigraph

    dataset = NamedGraphs()
    bind_prefixes(dataset)  # type: ignore[arg-type]  # (it only binds)
    sources = Sources(dataset, new_graph(), store=pyoxigraph.Store())
    shared: dict = {}
    # The quality-check store is filled in batches, not a file at a time: each call's return
    # waits for the GIL, which the parser holds (the 4,900 files of the million-triple corpus,
    # bulk-loaded one by one beside a busy thread, took 16 s against 9.6 s alone).
    batch = _StoreBatch(sources)
    for item in inputs:
        batch.add_if_full()
        if item.role == "content":
            _load_content(sources, item, shared, batch)
            continue
        parsed = read_rdf(item.path, "turtle", item.relpath, shared,
                          None if item.graph is None else str(item.graph))
        sources.store_strings_exact &= not (parsed.by_rdflib and item.graph is not None)
        triples = parsed.statements
        target = sources.shapes if item.graph is None else sources.dataset.graph(item.graph)
        added = add_triples(target, triples)
        if item.role in ("article", "background"):
            # Each triple new to the graph: then the file repeats none, and its list is its own.
            sources.turtle_files[item.relpath] = triples if added == len(triples) else list(dict.fromkeys(triples))
        if item.graph is not None:
            batch.extend(parsed)
    batch.add()
    sources.store_exact, sources.typed_literals = _as_read(shared)
    return sources


def _as_read(shared: dict) -> tuple[bool, list[Literal]]:
    """Whether each literal rdflib made from pyoxigraph's (``shared``: the build's terms) has
    pyoxigraph's lexical form and language tag (the files read with rdflib are converted
    from rdflib's terms: as written); and those with a datatype (`Sources.typed_literals`)."""
    import pyoxigraph

    literal = pyoxigraph.Literal
    exact = True
    typed = []
    for node, made in shared.items():
        if type(node) is literal:
            if made.datatype is not None:
                typed.append(made)
            if exact and (str(made) != node.value or (made.language or None) != node.language):
                exact = False
    return exact, typed


#: Quads kept for the quality-check store before they are added to it in one go.
_STORE_BATCH = 200_000


class _StoreBatch:
    """The quads for the quality-check store not added yet, in runs of N-Quads texts (no blank
    node in them) and runs of quads (`Sources.add_to_store`)."""

    def __init__(self, sources: Sources) -> None:
        self.sources = sources
        self.runs: list[tuple[bool, list]] = []
        self.size = 0

    def extend(self, parsed: ParsedFile) -> None:
        """Keep the quads of ``parsed`` for the next batch: as its N-Quads text, written if need be
        when it holds no blank node."""
        if parsed.nquads is not None:
            self.extend_text(parsed.nquads, len(parsed.statements))
        else:
            self.extend_quads(parsed.oxigraph, parsed.blank_free)

    def extend_quads(self, quads: list, blank_free: bool) -> None:
        """Keep ``quads`` (``blank_free``: none holds a blank node) for the next batch."""
        if blank_free:
            import pyoxigraph

            self.extend_text(pyoxigraph.serialize(quads, format=pyoxigraph.RdfFormat.N_QUADS) or b"", len(quads))
            return
        self._run(False).append(quads)
        self.size += len(quads)

    def extend_text(self, nquads: bytes, count: int) -> None:
        """Keep the ``count`` quads written ``nquads`` for the next batch."""
        self._run(True).append(nquads)
        self.size += count

    def _run(self, as_text: bool) -> list:
        if not self.runs or self.runs[-1][0] != as_text:
            self.runs.append((as_text, []))
        return self.runs[-1][1]

    def add_if_full(self) -> None:
        """Add the batch if it has grown past `_STORE_BATCH` quads."""
        if self.size > _STORE_BATCH:
            self.add()

    def add(self) -> None:
        """Add the batch to the store (in a thread, `Sources.add_to_store`) and start a new one."""
        self.sources.add_to_store(self.runs)
        self.runs, self.size = [], 0


def _fill_store(store: Any, runs: list) -> None:
    """Add each run to ``store``: N-Quads text loaded, quads bulk-extended."""
    import pyoxigraph

    for run in runs:
        if isinstance(run, bytes):
            # Lenient: the text was written by pyoxigraph from terms it had parsed and validated.
            # `load`, not `bulk_load`: into an in-memory store it costs less CPU for the same
            # quads (load_dataset at 1M: 24.4-25.3 s of CPU against 25.6-26.0 s), and both
            # release the GIL.
            store.load(run, format=pyoxigraph.RdfFormat.N_QUADS, lenient=True)
        else:
            store.bulk_extend(run)


def _load_content(sources: Sources, item: InputFile, shared: dict, batch: _StoreBatch) -> None:
    parsed = read_rdf(item.path, "trig", item.relpath, shared)
    sources.store_strings_exact &= not parsed.by_rdflib
    by_graph: dict = {}  # graph name -> its triples, in the order the file first names them
    current: Any = by_graph  # the graph of the quad before (by_graph: none yet; None is a name)
    triples: list = []
    in_order = True  # each graph's quads one run of the file: then the file's order is by graph
    for s, p, o, g in parsed.statements:
        if g is not current:  # the same name is mostly the same object: no __eq__ per quad
            found = by_graph.get(g)
            if found is None:
                found = by_graph[g] = []
            elif found is not triples:
                in_order = False
            current, triples = g, found
        triples.append((s, p, o))
    oxigraph_by_graph: dict = {}
    if not in_order or not all(isinstance(name, URIRef) for name in by_graph):
        # The store's quads go in by graph, and only those of claims' graphs, as before: each
        # quad's N-Quads line, if the file was read through them, else the quad.
        if parsed.nquads is not None:
            lines = parsed.nquads.split(b"\n")
            lines.pop()  # what follows the last line: nothing
            for quad, line in zip(parsed.statements, lines, strict=True):
                oxigraph_by_graph.setdefault(quad[3], []).append(line)
        else:
            for quad, oxigraph in zip(parsed.statements, parsed.oxigraph, strict=True):
                oxigraph_by_graph.setdefault(quad[3], []).append(oxigraph)
    for name, triples in by_graph.items():
        if name is None or not isinstance(name, URIRef):
            sources.problems.append(Problem(
                "claim-content", f"{len(set(triples))} triple(s) outside any claim's graph, e.g. "
                f"{' '.join(shorten(str(t)) for t in triples[0])}; put each in the graph of the claim that "
                "states it", path=item.relpath))
            continue
        if name in sources.content_files and sources.content_files[name] != item.relpath:
            sources.problems.append(Problem(
                "claim-content", f"the content of {shorten(str(name))} is also in "
                f"{sources.content_files[name]}; keep one graph per claim", path=item.relpath))
        sources.content_files[name] = item.relpath
        add_triples(sources.dataset.graph(name), triples)
        if oxigraph_by_graph:
            grouped = oxigraph_by_graph[name]
            if parsed.nquads is not None:
                batch.extend_text(b"\n".join(grouped) + b"\n", len(grouped))
            else:
                batch.extend_quads(grouped, parsed.blank_free)
    if not oxigraph_by_graph:
        batch.extend(parsed)
