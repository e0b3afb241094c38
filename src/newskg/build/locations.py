"""Where a problem is: the file and line that state its subject.

rdflib keeps no line numbers, so the source files are read a second time with a small
Turtle/TriG tokenizer that records, for every IRI, the first line where it starts a
statement (its subject line), names a graph (a claim's content in TriG), or appears at all.
A Problem that names a subject (its ``focus``) then gets the file and line of that subject.
This runs only when a check found something, so a clean build never pays for it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from newskg.errors import Problem
from newskg.namespaces import PREFIXES, expand_iri

# One token of Turtle or TriG. Strings come before everything else so that a '#', '<' or
# '.' inside one is never read as a comment, an IRI or the end of a statement.
_TOKEN = re.compile(r'''
    (?P<space>\s+)
  | (?P<comment>\#[^\n]*)
  | (?P<string>"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^'\\]|\\.|'(?!''))*\'\'\'
               |"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')
  | (?P<iri><[^<>"{}|^`\\\s]*>)
  | (?P<punct>[.;,\[\](){}])
  | (?P<word>[^\s.;,\[\](){}"'<\#]+(?:\.+[^\s.;,\[\](){}"'<\#]+)*)
  | (?P<other>.)
''', re.VERBOSE | re.DOTALL)
_DIRECTIVES = {"@prefix": True, "prefix": False, "@base": True, "base": False}


@dataclass
class FileIndex:
    """The lines of one RDF file where each IRI is a subject, a graph name, or mentioned, and
    where each (subject, predicate) and (subject, predicate, object IRI) is written."""

    path: str
    subjects: dict[str, int] = field(default_factory=dict)
    graphs: dict[str, int] = field(default_factory=dict)
    mentions: dict[str, int] = field(default_factory=dict)
    pairs: dict[tuple[str, str], int] = field(default_factory=dict)
    triples: dict[tuple[str, str, str], int] = field(default_factory=dict)


_RDF_TYPE = PREFIXES["rdf"] + "type"


def index_file(text: str, path: str) -> FileIndex:
    """Tokenize one Turtle or TriG file and record the first line of each IRI's uses.

    A statement is followed term by term (subject, predicate, object; ``;`` and ``,`` repeat
    the last two), so a triple's line is the line of its object, or of its predicate for a
    literal or blank-node object. Nested blank nodes and collections are skipped over.
    """
    index = FileIndex(path)
    prefixes: dict[str, str] = {}
    tokens, line = [], 1
    for match in _TOKEN.finditer(text):
        if match.lastgroup not in ("space", "comment"):
            tokens.append((match.lastgroup, match.group(), line))
        line += match.group().count("\n")
    role, subject, predicate = "subject", None, None
    opened: list[str] = []  # for each open [ or (, the role it fills at the top level
    i = 0
    while i < len(tokens):
        kind, value, line = tokens[i]
        directive = value.lower() if kind == "word" else ""
        if role == "subject" and not opened and directive in _DIRECTIVES:
            # @prefix p: <iri> .  |  PREFIX p: <iri>  |  @base <iri> .  |  BASE <iri>
            if directive.endswith("prefix") and i + 2 < len(tokens):
                prefixes[tokens[i + 1][1].rstrip(":")] = tokens[i + 2][1][1:-1]
                i += 3
            else:
                i += 2
            if _DIRECTIVES[directive] and i < len(tokens) and tokens[i][1] == ".":
                i += 1
            continue
        i += 1
        if kind == "word" and (value.startswith(("@", "^^")) or (role == "subject" and value.upper() == "GRAPH")):
            i += value == "^^"  # a language tag or datatype belongs to the literal before it
            continue
        if kind == "punct":
            if value in "[(":
                opened.append(role if not opened else "")
            elif value in "])":
                top = opened.pop() if opened else ""
                if not opened:
                    role = "predicate" if top == "subject" else "after-object"
                    subject = None if top == "subject" else subject
            elif not opened:
                role = {".": "subject", "{": "subject", "}": "subject", ";": "predicate", ",": "object"}[value]
            continue
        iri = _resolve(kind, value, prefixes)
        if iri:
            index.mentions.setdefault(iri, line)
        if opened:
            continue
        if role == "subject":
            following = tokens[i][1] if i < len(tokens) else ""
            if following == "{":
                if iri:
                    index.graphs.setdefault(iri, line)
                continue
            if iri:
                index.subjects.setdefault(iri, line)
            subject, role = iri, "predicate"
        elif role == "predicate":
            predicate, role = (_RDF_TYPE if value == "a" else iri), "object"
            if subject and predicate:
                index.pairs.setdefault((subject, predicate), line)
        elif role == "object":
            _record(index, subject, predicate, iri, line)
            role = "after-object"
    return index


def _record(index: FileIndex, subject: str | None, predicate: str | None, obj: str | None, line: int) -> None:
    if subject and predicate and obj:
        index.triples.setdefault((subject, predicate, obj), line)


def _resolve(kind: str | None, value: str, prefixes: dict[str, str]) -> str | None:
    if kind == "iri":
        return value[1:-1]
    if kind != "word" or ":" not in value or value.startswith(("_:", "^^", "@")) or value[0].isdigit():
        return None
    prefix, _, local = value.partition(":")
    if prefix not in prefixes:
        return None
    return prefixes[prefix] + re.sub(r"\\(.)", r"\1", local)


class SourceIndex:
    """The line index of every RDF input of a project, built once, on first use."""

    def __init__(self, files: Iterable[tuple[str, Path]]):
        self._files = list(files)
        self._indexes: list[FileIndex] | None = None

    def _all(self) -> list[FileIndex]:
        if self._indexes is None:
            self._indexes = []
            for label, path in self._files:
                try:
                    text = path.read_text(encoding="utf-8")
                except (OSError, UnicodeDecodeError):
                    continue  # unreadable files are reported by the parser, not here
                self._indexes.append(index_file(text, label))
        return self._indexes

    def find_triple(self, triple: tuple, path: str | None = None) -> tuple[str, int] | None:
        """The file and line that write ``triple`` (subject, predicate, object as rdflib terms
        or strings): the object's line, else the predicate's under that subject, else the subject's."""
        s, p, o = (str(t) for t in triple)
        indexes = self._all()
        chosen = [ix for ix in indexes if ix.path == path] or indexes
        for ix in chosen:
            for line in (ix.triples.get((s, p, o)), ix.pairs.get((s, p))):
                if line is not None:
                    return ix.path, line
        return self.find(s, path)

    def find(self, iri: str, path: str | None = None) -> tuple[str, int] | None:
        """The file and line where ``iri`` is best located: a subject line, else a graph name,
        else its first mention; within ``path`` when that is one of the indexed files."""
        indexes = self._all()
        chosen = [ix for ix in indexes if ix.path == path] or indexes
        for table in ("subjects", "graphs", "mentions"):
            for ix in chosen:
                line = getattr(ix, table).get(iri)
                if line is not None:
                    return ix.path, line
        return None


def focus_iri(focus: str | None) -> str | None:
    """The IRI a Problem's focus names (a CURIE, ``<IRI>`` or IRI), or None for anything else."""
    if not focus or focus.startswith(("_:", '"')):
        return None
    try:
        iri = expand_iri(focus)
    except ValueError:
        return None
    return iri if "://" in iri or iri.startswith(tuple(PREFIXES.values())) else None


def locate(problems: list[Problem], index: SourceIndex) -> list[Problem]:
    """Give each problem that has a focus the file and line of that subject (of its triple,
    when it is about one).

    A problem already placed in an RDF file keeps the file and gets the line; one with no
    file, or placed in a file that is not RDF (a report's source.txt), moves to the RDF file
    that states its subject. Problems without a focus, or whose focus no file states, stay
    as they were. The list is changed in place and returned.
    """
    for problem in problems:
        if problem.line is not None:
            continue
        iri = focus_iri(problem.focus)
        if problem.triple is not None:
            found = index.find_triple(problem.triple, problem.path)
        elif iri is not None:
            found = index.find(iri, problem.path)
        else:
            continue
        if found and (problem.path in (None, found[0]) or not _is_rdf(problem.path)):
            problem.path, problem.line = found
    return problems


def _is_rdf(path: str | None) -> bool:
    return path is not None and path.endswith((".ttl", ".trig"))


def clash_subject(message: str) -> str | None:
    """The individual an OWL-RL inconsistency message is about (the member two disjoint
    classes share, the node typed owl:Nothing), as the message spells it, or None."""
    found = re.search(r"common individual (\S+)$", message) or re.search(r"^(\S+) is defined of type", message)
    return found.group(1) if found else None
