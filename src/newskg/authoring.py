"""Adding a report: its folder, its stored text and metadata, and anchors for its quotes.

`new_report` creates ``graph/<slug>/`` the way the first report is laid out: ``source.txt``
(the text, normalised as the first report's is), ``document.ttl`` (the article's metadata, in
the report's graph) and empty, commented encoding files the build already reads
(``claims.ttl``, ``nodes.ttl``, ``anchors.ttl``, ``content.trig``; docs/status-levels.md). An
empty report builds. `anchor_quotes` locates several quotes at once and gives the Turtle of
their anchors, ready to paste. Nothing is written unless everything checked out.

How the first report's text was normalised (graph/pakistan-bangladesh-links-2025/source.txt
against the page as saved): UTF-8 without a byte-order mark, NFC, LF line ends, the page's
chrome cut (the breadcrumb line before the headline, everything from "Most Popular" on), one
newline at the end; the words themselves untouched. The encoding steps are always applied;
where the chrome begins and ends differs per site, so it is cut only where the caller says
(``start_at``, ``end_before``).
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from newskg.errors import InputMissingError, UsageError
from newskg.namespaces import BASE, PREFIXES
from newskg.project import Project
from newskg.terms import escape_string, is_absolute_iri
from newskg.textfile import read_text

#: A report's slug is a folder name and the last segment of its IRIs (graph, resources).
SLUG_PATTERN = re.compile(r"[a-z0-9][a-z0-9-]*")
SLUG_MAX = 80
#: The files `new_report` writes, in the order it lists them.
REPORT_FILES = ("source.txt", "document.ttl", "claims.ttl", "nodes.ttl", "anchors.ttl", "content.trig")


def check_slug(slug: str) -> None:
    """Refuse a slug that is not a safe IRI path segment and folder name, saying why."""
    if not slug:
        raise UsageError("the slug is empty; use lower-case letters, digits and '-', e.g. dhaka-visit-2026")
    if SLUG_PATTERN.fullmatch(slug) and len(slug) <= SLUG_MAX:
        return
    if len(slug) > SLUG_MAX:
        why = f"it is longer than {SLUG_MAX} characters"
    elif slug.lower() != slug and SLUG_PATTERN.fullmatch(slug.lower()):
        why = ("it has capital letters: IRIs are case-sensitive but folder names on macOS and "
               "Windows are not, so two reports could share a folder")
    elif slug.startswith("-"):
        why = "it starts with '-', which a command line reads as an option"
    else:
        bad = sorted({c for c in slug if not re.fullmatch(r"[a-z0-9-]", c)})
        why = (f"it has {', '.join(repr(c) for c in bad)}: only a-z, 0-9 and '-' go into an IRI "
               "path segment and a file name unescaped (no '/', '.', '%', space or accents)")
    raise UsageError(f"unsafe report slug {slug!r}: {why}; use lower-case letters, digits and '-', "
                     "starting with a letter or digit")


# ------------------------------------------------------------------------------ source text


@dataclass
class NormalisedText:
    """A report's text as stored, and what normalising it changed (one line per change)."""

    text: str
    changes: list[str] = field(default_factory=list)


def normalise_text(raw: bytes, label: str, start_at: str | None = None,
                   end_before: str | None = None) -> NormalisedText:
    """The stored form of a report's text (see the module docstring).

    ``start_at`` keeps the text from the first line that reads exactly so (surrounding spaces
    aside), e.g. the headline; ``end_before`` cuts from the first later line that reads so,
    e.g. "Most Popular". Raises UsageError when the bytes are not UTF-8, hold NUL bytes, a cut
    line is not found, or nothing is left.
    """
    changes = []
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
        changes.append("removed the byte-order mark")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        raise UsageError(f"{label} is not UTF-8 (byte {raw[err.start]:#04x} at offset {err.start}); "
                         "convert it first, e.g. iconv -f windows-1252 -t utf-8") from None
    if "\x00" in text:
        raise UsageError(f"{label} holds NUL bytes: is it a text file?")
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        changes.append("made line ends LF")
    nfc = unicodedata.normalize("NFC", text)
    if nfc != text:
        changes.append("composed characters to NFC")
        text = nfc
    lines = text.split("\n")
    if start_at is not None:
        at = _line_index(lines, start_at, 0, label, "--start-at")
        if at:
            changes.append(f"cut {at} line(s) before {start_at.strip()!r}")
        lines = lines[at:]
    if end_before is not None:
        at = _line_index(lines, end_before, 1 if start_at is not None else 0, label, "--end-before")
        changes.append(f"cut {len(lines) - at} line(s) from {end_before.strip()!r} on")
        lines = lines[:at]
    joined = "\n".join(lines)
    if not joined.strip():
        raise UsageError(f"{label}: no text is left to store")
    stored = joined.strip("\n") + "\n"
    if stored != joined:
        changes.append("trimmed blank lines at either end; one newline at the end")
    return NormalisedText(stored, changes)


def _line_index(lines: list[str], wanted: str, first: int, label: str, option: str) -> int:
    for index in range(first, len(lines)):
        if lines[index].strip() == wanted.strip():
            return index
    raise UsageError(f"{option}: no line of {label} reads {wanted.strip()!r}")


# ------------------------------------------------------------------------------ metadata


@dataclass(frozen=True)
class Byline:
    """An author or publisher: the shared resource (a CURIE) and the name to label it with."""

    curie: str
    name: str | None


def byline(value: str, what: str) -> Byline:
    """A name becomes ``nkr:<CamelCaseName>`` with that name as its label (the first report's
    ``nkr:AbhinandanMishra``); a CURIE (``nkr:X``) or an IRI is used as given."""
    value = value.strip()
    if re.fullmatch(r"nkr:[A-Za-z][A-Za-z0-9_-]*", value):
        return Byline(value, None)
    if re.fullmatch(r"<[^<>\s]+>", value) or (is_absolute_iri(value) and "://" in value):
        iri = value.strip("<>")
        if not is_absolute_iri(iri):
            raise UsageError(f"--{what}: {value!r} is not an absolute IRI")
        return Byline(f"<{iri}>", None)
    ascii_name = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode()
    words = re.findall(r"[A-Za-z0-9]+", ascii_name)
    if not words or not words[0][0].isalpha():
        raise UsageError(f"--{what}: cannot make a resource name from {value!r}; "
                         f"give it as a CURIE, e.g. --{what} nkr:SomeName")
    return Byline("nkr:" + "".join(w[:1].upper() + w[1:] for w in words), value)


def date_literal(value: str) -> str:
    """``2026-01-15`` as an xsd:date, ``2026-01-15T09:30:00+05:30`` as an xsd:dateTime (Turtle)."""
    value = value.strip()
    try:
        date.fromisoformat(value)
        return f'"{value}"^^xsd:date'
    except ValueError:
        pass
    try:
        datetime.fromisoformat(value)
    except ValueError:
        raise UsageError(f"--date: {value!r} is neither a date (2026-01-15) nor a date and time "
                         "(2026-01-15T09:30:00+05:30)") from None
    return f'"{value}"^^xsd:dateTime'


def _lit(value: str, lang: str | None = None) -> str:
    return f'"{escape_string(value)}"' + (f"@{lang}" if lang else "")


def _prefix_block(slug: str, names: tuple[str, ...]) -> str:
    iris = {**PREFIXES, "art": f"{BASE}resource/{slug}/"}
    width = max(len(n) for n in names) + 2
    return "".join(f"@prefix {(n + ':').ljust(width)}<{iris[n]}> .\n" for n in names)


def document_turtle(slug: str, title: str, authors: list[Byline], publisher: Byline | None,
                    date_value: str | None, url: str | None) -> str:
    """``document.ttl``: the article node and the names of its author(s) and publisher."""
    # "Headline (Publisher, 2026-01-15)", as the first report's label reads.
    about = [x for x in (publisher.name if publisher else None, date_value[:10] if date_value else None) if x]
    label = title + (f" ({', '.join(about)})" if about else "")
    lines = ["# The report itself: what was published, by whom, when, and where its stored text is.",
             "# Written by `newskg new-report`; correct or add to it (docs/modelling.md, NewsArticle):",
             "# schema:dateModified and nkg:lastUpdatedAsPrinted when the page prints a last-update time,",
             "# schema:alternativeHeadline for a standfirst, schema:dateline.",
             _prefix_block(slug, ("nkg", "nkr", "art", "rdfs", "xsd", "schema", "dct")).rstrip("\n"),
             "",
             "art:article a nkg:NewsArticle ;",
             f"    rdfs:label {_lit(label, 'en')} ;",
             f"    schema:headline {_lit(title)} ;"]
    lines += [f"    schema:author {a.curie} ;" for a in authors]
    if publisher:
        lines.append(f"    schema:publisher {publisher.curie} ;")
    if date_value:
        lines.append(f"    schema:datePublished {date_literal(date_value)} ;")
    if url:
        lines.append("    # Where the stored text was copied from.")
        lines.append(f"    dct:source <{url}> ;")
    lines.append('    nkg:sourceText "source.txt" .')
    named = [b for b in [*authors, publisher] if b and b.name]
    if named:
        lines += ["", "# Names only: what they are (a person, a news organisation) is reference knowledge, stated",
                  "# by a Background claim in graph/background.ttl and .trig if the project does not know them yet."]
        lines += [f"{b.curie} rdfs:label {_lit(b.name or '', 'en')} ." for b in named]
    return "\n".join(lines) + "\n"


# Headers of the empty encoding files: what goes where (docs/status-levels.md) and an example
# in comments, so that a file can be filled in without opening the first report.
_CLAIMS = """\
# The claim layer: one claim per attributed statement of the report, with exactly one status, a
# source kind, who it is attributed to, certainty, polarity, what it denotes (a fact node) and its
# words (anchors.ttl). What the claim states is its content graph in content.trig.
# Statuses (docs/modelling.md): officially acknowledged = Confirmed; "sources said", "officials said"
# = Reported; judgements, warnings, "could" = Assessed; "no public evidence" = NotEvidenced.
{prefixes}
# art:claim-example a nkg:Claim ;
#     nkg:denotes art:fact-example ;
#     nkg:hasStatus nkg:Reported ;
#     nkg:hasSourceKind nkg:UnnamedSources ;
#     nkg:attributedTo art:sources ;
#     nkg:hasCertainty nkg:Certain ;
#     nkg:hasPolarity nkg:Positive ;
#     nkg:reportedIn art:article ;
#     nkg:hasAnchor art:claim-example-a1 .
"""
_NODES = """\
# The report's own nodes, named: its unnamed sources ("officials", "sources") with their type and
# label, and labels and comments of its fact nodes and time expressions. Nothing here says that
# anything happened: what a claim states about a node is in content.trig.
{prefixes}
# art:sources a nkg:UnnamedGroup ;
#     rdfs:label "sources"@en .
"""
_ANCHORS = """\
# Text anchors of the claims in claims.ttl: each quote with its context and offsets into source.txt
# (Unicode code points, end exclusive). Print them with
#   newskg anchor {slug} "QUOTE" ... --claim art:claim-example --no-prefixes >> graph/{slug}/anchors.ttl
# The build checks every anchor against the text.
{prefixes}"""
_CONTENT = """\
# What each claim of claims.ttl states: one named graph per claim, named by the claim
# (docs/status-levels.md). Every fact triple of the report goes here and in no Turtle file; a triple
# several claims state is repeated in each graph. The claim's status decides at which level it counts.
{prefixes}
# art:claim-example {{
#     art:fact-example a nkg:ConsultationUnspecified ;
#         nkg:hasParticipant nkr:Pakistan , nkr:Bangladesh .
# }}
"""


def encoding_files(slug: str) -> dict[str, str]:
    """The empty, commented encoding files of a new report, by file name."""
    def block(*names: str) -> str:
        return _prefix_block(slug, ("nkg", "nkr", "art", *names))

    return {"claims.ttl": _CLAIMS.format(prefixes=block("rdfs", "xsd")),
            "nodes.ttl": _NODES.format(prefixes=block("rdfs", "xsd", "time")),
            "anchors.ttl": _ANCHORS.format(prefixes=block("xsd", "oa"), slug=slug),
            "content.trig": _CONTENT.format(prefixes=block("rdfs", "xsd", "time"))}


# ------------------------------------------------------------------------------ new report


@dataclass
class NewReport:
    """What `new_report` wrote: the folder, its files, and what normalising the text changed."""

    slug: str
    folder: Path
    files: list[Path]
    changes: list[str]


def new_report(project: Project, slug: str, source: Path | str, *, text: bytes | None = None,
               title: str | None = None, authors: list[str] | tuple[str, ...] = (),
               publisher: str | None = None, date_value: str | None = None, url: str | None = None,
               start_at: str | None = None, end_before: str | None = None) -> NewReport:
    """Create ``graph/<slug>/`` with the stored text, document metadata and empty encoding files.

    ``source`` is the text file (``text`` its bytes, when they come from elsewhere, e.g. stdin;
    ``source`` then only names it in messages). ``title`` defaults to the text's first line.
    Raises UsageError for an unsafe or taken slug, unreadable text, a bad date or URL, and
    InputMissingError when ``project`` has no graph/ folder; the folder is then not created.
    The files are written into a temporary folder and renamed into place, so an interrupted
    run leaves no half report that the build would read.
    """
    check_slug(slug)
    if not project.graph_dir.is_dir():
        raise InputMissingError(f"{project.graph_dir} is not a folder: is {project.root} a newskg project?")
    folder = project.graph_dir / slug
    if folder.exists():
        raise UsageError(f"report {slug!r} exists ({project.relative(folder)}); choose another slug")
    label = str(source)
    if text is None:
        try:
            text = Path(source).read_bytes()
        except OSError as err:
            raise UsageError(f"cannot read {label}: {err.strerror or err}") from None
    stored = normalise_text(text, label, start_at, end_before)
    if url is not None and not (is_absolute_iri(url) and url.startswith(("http://", "https://"))):
        raise UsageError(f"--url: {url!r} is not an http(s) URL")
    headline = (title or next(line.strip() for line in stored.text.split("\n") if line.strip())).strip()
    document = document_turtle(slug, headline, [byline(a, "author") for a in authors],
                               byline(publisher, "publisher") if publisher else None, date_value, url)
    contents = {"source.txt": stored.text, "document.ttl": document, **encoding_files(slug)}

    staging = Path(tempfile.mkdtemp(prefix=f".new-report-{slug}-", dir=project.root))
    try:
        for name in REPORT_FILES:
            with open(staging / name, "w", encoding="utf-8", newline="\n") as handle:
                handle.write(contents[name])
        if folder.exists():  # made by someone else meanwhile
            raise UsageError(f"report {slug!r} exists ({project.relative(folder)}); choose another slug")
        os.rename(staging, folder)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
    return NewReport(slug, folder, [folder / name for name in REPORT_FILES], stored.changes)


# ------------------------------------------------------------------------------ anchors

#: How a claim or anchor may be named in the printed Turtle: a CURIE of the report (or of the
#: shared namespace) whose local name stays one after ``-a1`` is added.
_NODE_NAME = re.compile(r"(art|nkr):[A-Za-z0-9_][A-Za-z0-9_.-]*(?<!\.)")


@dataclass(frozen=True)
class LocatedQuote:
    """One quote found in a report's text, and the anchor (and claim) it is written for."""

    quote: str
    start: int
    end: int
    prefix: str
    suffix: str
    anchor: str
    claim: str | None


@dataclass
class AnchorSnippet:
    """The anchors of several quotes, and their Turtle."""

    source: str  # the stored text, relative to the project
    quotes: list[LocatedQuote]
    turtle: str


def anchor_names(count: int, claims: list[str], anchor: str | None) -> list[tuple[str, str | None]]:
    """(anchor, claim) for each of ``count`` quotes.

    One claim takes every quote, anchors ``<claim>-a1``, ``-a2``, ...; as many claims as quotes
    pair up in order, each anchor ``<claim>-a1``. ``anchor`` names the anchor of a single quote,
    or is the stem of ``<anchor>-1``, ``-2``, ... for several; without claim or anchor the
    placeholder ``art:ANCHOR`` is used, to be renamed.
    """
    for name in [*claims, *([anchor] if anchor else [])]:
        if not _NODE_NAME.fullmatch(name):
            raise UsageError(f"{name!r} is not a node name for the Turtle: use art:name (or nkr:Name)")
    if claims and len(claims) not in (1, count):
        raise UsageError(f"{len(claims)} --claim for {count} quotes: give one claim for all, or one per quote")
    paired: list[str | None] = [*claims] * count if len(claims) == 1 else [*claims] or [None] * count
    names: list[tuple[str, str | None]] = []
    for index, claim in enumerate(paired):
        if anchor:
            name = anchor if count == 1 else f"{anchor}-{index + 1}"
        elif claim:
            name = f"{claim}-a{index + 1 if len(claims) == 1 else 1}"
        else:
            name = "art:ANCHOR" if count == 1 else f"art:ANCHOR-{index + 1}"
        names.append((name, claim))
    return names


def anchor_quotes(project: Project, slug: str, quotes: list[str], *, claims: list[str] | None = None,
                  anchor: str | None = None, occurrence: int | None = None,
                  prefixes: bool = True) -> AnchorSnippet:
    """Locate each quote in ``graph/<slug>/source.txt`` and write the Turtle of its anchor.

    Every quote is checked before anything is returned; the UsageError names each quote that
    is empty, absent (with the nearest words the text has), ambiguous (with its offsets, unless
    ``occurrence`` picks one) or short of ``occurrence``. InputMissingError when the report has
    no stored text. With ``prefixes`` the Turtle starts with the prefixes it uses.
    """
    from newskg.build.anchors import locate_quote, render_anchor_turtle

    check_slug(slug)
    path = project.report_text(slug)
    if not path.is_file():
        raise InputMissingError(f"no stored text for report {slug!r}: {project.relative(path)} is missing")
    quotes = [q for q in quotes if q.strip()]
    if not quotes:
        raise UsageError("no quote given: pass quotes as arguments, or one a line with --from FILE or --from -")
    # Read as the build reads it: a name, an offset and a line for bytes that are not UTF-8.
    text = read_text(path, project.relative(path), keep_bom=True)
    names = anchor_names(len(quotes), list(claims or []), anchor)
    located, failures = [], []
    for quote, (name, claim) in zip(quotes, names, strict=False):
        try:
            start, end, before, after = locate_quote(text, quote, occurrence)
        except UsageError as err:
            failures.append(str(err))
            continue
        located.append(LocatedQuote(quote, start, end, before, after, name, claim))
    label = project.relative(path)
    if failures:
        raise UsageError(f"{label}: " + ("\n  ".join(["", *failures]) if len(failures) > 1 else failures[0]))
    parts = [_prefix_block(slug, ("nkg", "nkr", "art", "oa", "xsd"))] if prefixes else []
    for item in located:
        shown = item.quote if len(item.quote) <= 60 else item.quote[:57] + "..."
        parts.append(f"\n# {label} {item.start}-{item.end}: {shown!r}\n")
        parts.append(render_anchor_turtle(item.anchor, item.quote, item.start, item.end,
                                          item.prefix, item.suffix, claim=item.claim))
    return AnchorSnippet(label, located, "".join(parts).lstrip("\n"))
