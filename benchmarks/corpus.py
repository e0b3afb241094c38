"""Generate a synthetic newskg project of a chosen size, deterministically, for benchmarks.

The project has the real ontology/ and queries/, a pool of shared actors (states and their
ministries, armed forces, intelligence agencies, security agencies, think tanks, ministers,
plus authors and publishers) described in graph/background.ttl with their types and ties as
Background claim content in graph/background.trig, and N reports graph/report-00001/ ...
each with source.txt, document.ttl, claims.ttl, anchors.ttl and content.trig in the format
of docs/status-levels.md (one named graph per claim, named by the claim). What a report says
is in corpus_story.py.

Files are written with plain string formatting (rdflib serialisation would take minutes at
a million triples); rdflib is used only to count the ontology's triples.

Usage:  python benchmarks/corpus.py OUT_DIR --triples 100000 --seed 1
        python benchmarks/corpus.py OUT_DIR --reports 50
        python benchmarks/corpus.py          (10k triples, seed 0, into benchmarks/out/corpus)
From Python: generate(out_dir, triples=100_000, seed=1) -> stats dict.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import shutil
import sys
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from random import Random

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus_story import CONTEXT_CHARS, Claim, Story, lit

REPO = Path(__file__).resolve().parent.parent
RESOURCE = "https://w3id.org/newskg/resource/"
#: Written into OUT_DIR; a folder holding it may be overwritten by the next run, any other may not.
MARKER = "corpus.json"
#: Approximate asserted triples of one report, to size the actor pool before generating.
TRIPLES_PER_REPORT = 850

PREFIXES = """@prefix nkg:    <https://w3id.org/newskg/ontology#> .
@prefix nkr:    <https://w3id.org/newskg/resource/> .
@prefix rdfs:   <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd:    <http://www.w3.org/2001/XMLSchema#> .
@prefix skos:   <http://www.w3.org/2004/02/skos/core#> .
@prefix dct:    <http://purl.org/dc/terms/> .
@prefix oa:     <http://www.w3.org/ns/oa#> .
@prefix time:   <http://www.w3.org/2006/time#> .
@prefix schema: <http://schema.org/> .
"""

ROOTS = ["Val", "Kest", "Mor", "Tar", "Zel", "Ost", "Bel", "Cor", "Dun", "Esk", "Fal", "Gor", "Hal", "Ilm",
         "Jor", "Kal", "Lun", "Mir", "Nor", "Pel", "Ras", "Sel", "Tov", "Ul", "Var", "Wes", "Yar", "Zan"]
# "ëa" puts a letter outside ASCII into names, so that code-point offsets differ from byte offsets.
ENDINGS = ["oria", "mark", "avia", "land", "esh", "ania", "ova", "enia", "ëa"]
FIRST = ["Ana", "Bora", "Cato", "Dara", "Emil", "Fenna", "Goran", "Hana", "Ivo", "Jana", "Kiran", "Lea",
         "Milan", "Nora", "Oren", "Petra", "Rafi", "Sana", "Tomas", "Vera"]
LAST = ["Adler", "Brandt", "Castell", "Dorin", "Ekdal", "Farrow", "Grell", "Hollis", "Ivers", "Jansky",
        "Kovic", "Lind", "Marek", "Novak", "Orsini", "Pavel", "Quell", "Rosen", "Sorel", "Tamm"]
PAPERS = ["Chronicle", "Herald", "Observer", "Gazette", "Courier", "Tribune"]

# Bodies of each state: key, IRI suffix, class, label, words in the text, parent body (None: the state).
BODIES = [
    ("fm", "ForeignMinistry", "nkg:ForeignMinistry", "Ministry of Foreign Affairs ({s})",
     "{s}’s foreign ministry", None),
    ("dm", "DefenceMinistry", "nkg:DefenceMinistry", "Ministry of Defence ({s})", "{s}’s defence ministry", None),
    ("af", "ArmedForces", "nkg:ArmedForces", "{s} Armed Forces", "{s}’s armed forces", None),
    ("ml", "MilitaryLeadership", "nkg:MilitaryLeadership", "{s} Joint Chiefs of Staff",
     "{s}’s top military leadership", "af"),
    ("milint", "MilitaryIntelligence", "nkg:MilitaryIntelligenceAgency", "{s} Directorate of Military Intelligence",
     "{s}’s military intelligence directorate", "af"),
    ("civint", "IntelligenceService", "nkg:CivilianIntelligenceAgency", "{s} National Intelligence Service",
     "{s}’s National Intelligence Service", None),
    ("sec", "BorderSecurityForce", "nkg:SecurityAgency", "{s} Border Security Force",
     "{s}’s border security force", None),
    ("tt", "StrategicStudiesInstitute", "nkg:ThinkTank", "{s} Institute of Strategic Studies",
     "the {s} Institute of Strategic Studies", None),
]


@dataclass(frozen=True)
class Actor:
    """A shared actor (nkr:): its IRI, type, label, how the text names it, and its parent tie."""

    iri: str
    cls: str
    label: str
    text: str
    parent: tuple[str, str] | None = None  # (property, IRI)


@dataclass
class State:
    """A sovereign state of the pool and its bodies and ministers, by key (fm, dm, ..., dmin)."""

    name: str
    iri: str
    bodies: dict[str, Actor]


class Pool:
    """The actors every report draws on: states with their bodies, authors, publishers."""

    def __init__(self, rng: Random, states: int, authors: int, publishers: int):
        names = [r + e for r in ROOTS for e in ENDINGS]
        people = iter(rng.sample([(f, last) for f in FIRST for last in LAST], 2 * states + authors))
        self.states = [self._state(name, people) for name in rng.sample(names, states)]
        self.authors = [self._person(*next(people), None) for _ in range(authors)]
        cities = rng.sample(names, publishers)
        self.publishers = [Actor(f"nkr:{_ascii(c)}{p}", "nkg:NewsOrganisation", f"The {c} {p}", c.upper())
                           for c, p in zip(cities, (rng.choice(PAPERS) for _ in cities), strict=True)]

    @staticmethod
    def body(state: State, key: str) -> Actor:
        """One body of a state (see BODIES) or its minister (fmin, dmin)."""
        return state.bodies[key]

    def _state(self, name: str, people: Iterator[tuple[str, str]]) -> State:
        iri = f"nkr:{_ascii(name)}"
        bodies: dict[str, Actor] = {}
        for key, suffix, cls, label, text, parent in BODIES:
            tie = ("nkg:belongsToState", iri) if parent is None else ("nkg:subOrganisationOf", bodies[parent].iri)
            bodies[key] = Actor(f"{iri}{suffix}", cls, label.format(s=name), text.format(s=name), tie)
        bodies["fmin"] = self._person(*next(people), f"{name}’s foreign minister")
        bodies["dmin"] = self._person(*next(people), f"{name}’s defence minister")
        return State(name, iri, bodies)

    @staticmethod
    def _person(first: str, last: str, role: str | None) -> Actor:
        text = f"{role}, {first} {last}," if role else f"{first} {last}"
        return Actor(f"nkr:{first}{last}", "nkg:Person", f"{first} {last}", text)

    def actors(self) -> list[Actor]:
        """Every actor of the pool except the states, in a stable order."""
        bodies = [actor for state in self.states for actor in state.bodies.values()]
        return bodies + self.authors + self.publishers


def _ascii(name: str) -> str:
    return name.replace("ë", "e")


def _kebab(iri: str) -> str:
    local = iri.split(":", 1)[1]
    return "".join("-" + ch.lower() if ch.isupper() and i else ch.lower() for i, ch in enumerate(local))


# ---------------------------------------------------------------- Turtle and TriG as strings

def _block(subject: str, pairs: list[tuple[str, str]], indent: str = "") -> str:
    """One subject and its predicate-object pairs as a Turtle statement."""
    body = f" ;\n{indent}    ".join(f"{p} {o}" for p, o in pairs)
    return f"{indent}{subject} {body} .\n"


def _grouped(triples: list[tuple[str, str, str]], indent: str) -> str:
    """Triples (already grouped by subject, in order) as Turtle statements."""
    out: list[str] = []
    subject = ""  # no subject is "": the first triple starts a statement
    pairs: list[tuple[str, str]] = []
    for s, p, o in triples:
        if s != subject and pairs:
            out.append(_block(subject, pairs, indent))
            pairs = []
        subject = s
        pairs.append((p, o))
    if pairs:
        out.append(_block(subject, pairs, indent))
    return "".join(out)


def _trig_graph(name: str, triples: list[tuple[str, str, str]]) -> str:
    return f"{name} {{\n{_grouped(triples, '    ')}}}\n\n"


def _header(comment: str, art: str | None = None) -> str:
    prefix = f"@prefix art:    <{RESOURCE}{art}/> .\n" if art else "@prefix bg:     <" + RESOURCE + "background/> .\n"
    return f"# {comment}\n{PREFIXES}{prefix}\n"


# ---------------------------------------------------------------- background

def background_files(pool: Pool) -> tuple[str, str, int]:
    """(background.ttl, background.trig, asserted triples): labels, Background claims, their content."""
    ttl, trig, count = [], [], 0
    entries: list[tuple[str, str, str, tuple[str, str] | None]] = [
        (state.iri, "nkg:SovereignState", state.name, None) for state in pool.states]
    entries += [(a.iri, a.cls, a.label, a.parent) for a in pool.actors()]
    for iri, cls, label, parent in entries:
        names = [("rdfs:label", lit(label))]
        if "IntelligenceAgency" in cls:  # the agency's short name, as in the real background ("ISI")
            names.append(("skos:altLabel", lit("".join(w[0] for w in label.split() if w[0].isupper()))))
        ttl.append(_block(iri, names))
        facts = [("type", (iri, "a", cls))]
        if parent:
            facts.append(("state" if parent[0] == "nkg:belongsToState" else "parent", (iri, *parent)))
        for suffix, triple in facts:
            claim = f"bg:{_kebab(iri)}-{suffix}"
            ttl.append(_block(claim, [("a", "nkg:Claim"), ("nkg:hasStatus", "nkg:Background"),
                                      ("nkg:hasSourceKind", "nkg:ReferenceSource"),
                                      ("dct:source", f"<https://example.org/newskg-corpus/reference/{iri[4:]}>")]))
            trig.append(_trig_graph(claim, [triple]))
            count += 5
        count += len(names)
    comment = "Synthetic background (benchmarks/corpus.py): {}"
    return (_header(comment.format("labels of the shared actors and Background claims")) + "\n".join(ttl),
            _header(comment.format("the content of each Background claim")) + "".join(trig), count)


# ---------------------------------------------------------------- one report

@dataclass
class ReportFiles:
    """A generated report: its files' text, and what it adds to the corpus's counts."""

    slug: str
    files: dict[str, str]
    triples: int  # distinct asserted triples, not counting shortcut edges (counted corpus-wide)
    quads: int
    shortcuts: set[tuple[str, str, str]]
    claims: Counter[str]
    classes: Counter[str]


def make_report(index: int, pool: Pool, seed: int) -> ReportFiles:
    """Report number `index` (from 1) of the corpus made with `seed`; the same inputs give the same report."""
    rng = Random(f"newskg-corpus:{seed}:{index}")
    slug = f"report-{index:05d}"
    a, b, c = rng.sample(pool.states, 3)
    author, publisher = rng.choice(pool.authors), rng.choice(pool.publishers)
    published = dt.date(2024, 1, 1) + dt.timedelta(days=rng.randint(0, 900))
    story = Story(rng, pool, (a, b, c), published, author, publisher, publisher.text)
    story.tell(extra_rounds=rng.choice([0, 0, 1, 1, 2, 3]))
    text = story.layout()

    document = _document(story)
    claims_ttl = [_block(node, [("a", "nkg:UnnamedGroup"), ("rdfs:label", lit(label))])
                  for node, label in story.groups.items()]
    anchors_ttl, content_trig = [], []
    count = len(document) + 2 * len(story.groups)
    quads = count
    content: set[tuple[str, str, str]] = set()
    shortcuts: set[tuple[str, str, str]] = set()
    for claim in story.claims:
        described, anchored = _claim(claim), _anchor(claim, text)
        claims_ttl.append(_block(claim.node, described))
        anchors_ttl += [_block(node, pairs) for node, pairs in anchored] + ["\n"]
        own = list(dict.fromkeys(claim.content))  # a graph holds a triple once
        content_trig.append(_trig_graph(claim.node, own))
        written = len(described) + sum(len(pairs) for _, pairs in anchored)
        count, quads = count + written, quads + written + len(own)
        for triple in own:
            # Only shortcut edges have a shared subject; the same edge may come from other reports.
            (shortcuts if triple[0].startswith("nkr:") else content).add(triple)
    files = {
        "source.txt": text,
        "document.ttl": _header("The report itself: what was published, by whom, when, where its text is.", slug)
        + _block("art:article", document),
        "claims.ttl": _header("The claim layer: unnamed groups and one claim per attributed statement.", slug)
        + "\n".join(claims_ttl),
        "anchors.ttl": _header("Text anchors: each claim's quote, with context and code-point offsets into source.txt.",
                               slug) + "".join(anchors_ttl),
        "content.trig": _header("Claim content: one named graph per claim, named by the claim.", slug)
        + "".join(content_trig),
    }
    return ReportFiles(slug, files, count + len(content), quads, shortcuts,
                       Counter(claim.status for claim in story.claims), Counter(fact.cls for fact in story.facts))


def _document(story: Story) -> list[tuple[str, str]]:
    """The article node's predicate-object pairs."""
    day = story.published.isoformat()
    return [("a", "nkg:NewsArticle"), ("rdfs:label", lit(f"{story.headline} ({story.publisher.label}, {day})")),
            ("schema:headline", lit(story.headline, None)), ("schema:alternativeHeadline", lit(story.standfirst, None)),
            ("schema:author", story.author.iri), ("schema:publisher", story.publisher.iri),
            ("schema:dateModified", f'"{day}T09:30:00+00:00"^^xsd:dateTime'),
            ("nkg:lastUpdatedAsPrinted", lit(story.printed_time(), None)),
            ("schema:dateline", lit(story.dateline, None)), ("nkg:sourceText", lit("source.txt", None))]


def _claim(claim: Claim) -> list[tuple[str, str]]:
    """A claim's predicate-object pairs in claims.ttl."""
    return ([("a", "nkg:Claim"), ("nkg:denotes", claim.denotes.node), ("nkg:hasStatus", claim.status),
             ("nkg:hasSourceKind", claim.kind)] + [("nkg:attributedTo", who) for who in claim.attributed]
            + [("nkg:hasCertainty", claim.certainty), ("nkg:hasPolarity", claim.polarity),
               ("nkg:reportedIn", "art:article")] + claim.links + [("nkg:hasAnchor", f"{claim.node}-a1")])


def _anchor(claim: Claim, text: str) -> list[tuple[str, list[tuple[str, str]]]]:
    """The anchor of a claim and its two selectors, as (node, pairs), from the laid-out text."""
    anchor, start = f"{claim.node}-a1", claim.start
    end = start + len(claim.quote)
    assert text[start:end] == claim.quote, claim.node  # a layout bug, not bad input
    quote = [("a", "oa:TextQuoteSelector"), ("oa:exact", lit(claim.quote, None))]
    if start:
        quote.append(("oa:prefix", lit(text[max(0, start - CONTEXT_CHARS):start], None)))
    quote.append(("oa:suffix", lit(text[end:end + CONTEXT_CHARS], None)))
    return [(anchor, [("a", "nkg:TextAnchor"), ("oa:hasSource", "art:article"),
                      ("oa:hasSelector", f"{anchor}-quote"), ("oa:hasSelector", f"{anchor}-position")]),
            (f"{anchor}-quote", quote),
            (f"{anchor}-position", [("a", "oa:TextPositionSelector"),
                                    ("oa:start", f'"{start}"^^xsd:nonNegativeInteger'),
                                    ("oa:end", f'"{end}"^^xsd:nonNegativeInteger')])]


# ---------------------------------------------------------------- the corpus

def _ontology_triples(root: Path) -> int:
    from rdflib import Graph  # only here: the rest of the generator needs no RDF library

    graph = Graph()
    for path in sorted((root / "ontology").rglob("*.ttl")):
        if not path.name.endswith("shapes.ttl"):  # SHACL is validated against, never asserted
            graph.parse(path, format="turtle")
    return len(graph)


def _prepare(out: Path) -> None:
    """Make `out` an empty folder, refusing to clear anything this generator did not write."""
    if out.resolve() == REPO.resolve():
        raise FileExistsError(f"refusing to generate into the repository itself: {out}")
    if out.exists() and any(out.iterdir()):
        if not (out / MARKER).is_file():
            raise FileExistsError(f"{out} is not empty and holds no {MARKER}: not a corpus this script made")
        shutil.rmtree(out)
    out.mkdir(parents=True, exist_ok=True)


def generate(out_dir, triples: int | None = None, reports: int | None = None, seed: int = 0,
             progress: bool = False) -> dict:
    """Write a synthetic project to `out_dir`: `reports` reports, or as many as come closest to
    `triples` distinct asserted triples (ontology and background included). Returns statistics:
    reports, triples (distinct asserted), quads (statements in the files, a triple counted once
    per claim graph that holds it), claims by status, fact nodes by class, seconds, bytes.
    """
    if (triples is None) == (reports is None):
        raise ValueError("give exactly one of triples and reports")
    started = time.perf_counter()
    out = Path(out_dir)
    _prepare(out)
    for part in ("ontology", "queries"):
        shutil.copytree(REPO / part, out / part)
    ontology = _ontology_triples(out)
    if reports is not None:
        expected = reports
    else:
        assert triples is not None  # exactly one of the two, checked above
        expected = max(1, (triples - ontology) // TRIPLES_PER_REPORT)
    rng = Random(f"newskg-corpus:{seed}:pool")
    pool = Pool(rng, states=max(6, min(60, round(2 * math.sqrt(expected)))),
                authors=max(3, min(200, expected // 10)), publishers=max(2, min(30, expected // 50)))
    graph_dir = out / "graph"
    graph_dir.mkdir()
    ttl, trig, background = background_files(pool)
    (graph_dir / "background.ttl").write_text(ttl, encoding="utf-8")
    (graph_dir / "background.trig").write_text(trig, encoding="utf-8")
    total, quads, size = ontology + background, ontology + background, len(ttl.encode()) + len(trig.encode())
    shortcuts: set[tuple[str, str, str]] = set()
    statuses: Counter[str] = Counter()
    classes: Counter[str] = Counter()
    index, last_report = 0, time.perf_counter()
    while reports is None or index < reports:
        report = make_report(index + 1, pool, seed)
        added = report.triples + len(report.shortcuts - shortcuts)
        # With a triple target, stop at the report count that lands closest to it (at least one report).
        if triples is not None and index and abs(total + added - triples) >= abs(total - triples):
            break
        index += 1
        folder = graph_dir / report.slug
        folder.mkdir()
        for name, text in report.files.items():
            data = text.encode("utf-8")
            (folder / name).write_bytes(data)
            size += len(data)
        total, quads = total + added, quads + report.quads
        shortcuts |= report.shortcuts
        statuses.update(report.claims)
        classes.update(report.classes)
        if progress and time.perf_counter() - last_report > 2:
            last_report = time.perf_counter()
            print(f"corpus: {index} reports, {total:,} triples, {last_report - started:.1f} s", file=sys.stderr)
    stats = {"seed": seed, "reports": index, "triples": total, "quads": quads, "ontology_triples": ontology,
             "background_triples": background, "states": len(pool.states), "shortcut_edges": len(shortcuts),
             "claims": sum(statuses.values()), "claims_by_status": dict(sorted(statuses.items())),
             "facts_by_class": dict(sorted(classes.items()))}
    # The marker holds only what the inputs determine, so that two runs give identical folders.
    (out / MARKER).write_text(json.dumps({"generator": "benchmarks/corpus.py", "target_triples": triples,
                                          "target_reports": reports, **stats}, indent=2) + "\n")
    stats.update(bytes=size, seconds=round(time.perf_counter() - started, 2))
    return stats


def main(argv: list[str] | None = None) -> None:
    """The command line: see the module docstring."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    # A default folder (git-ignored) lets `make benchmark`, which runs every script bare, run this one too.
    parser.add_argument("out_dir", type=Path, nargs="?", default=REPO / "benchmarks" / "out" / "corpus",
                        help="folder to write the project to (created; a corpus made before is replaced; "
                             "default benchmarks/out/corpus)")
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--triples", type=int, help="approximate distinct asserted triples (default 10000)")
    size.add_argument("--reports", type=int, help="exact number of reports")
    parser.add_argument("--seed", type=int, default=0, help="same seed, same files (default 0)")
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress on stderr")
    args = parser.parse_args(argv)
    triples = args.triples if args.triples or args.reports else 10_000
    try:
        stats = generate(args.out_dir, triples=triples, reports=args.reports, seed=args.seed, progress=not args.quiet)
    except (FileExistsError, ValueError) as err:
        parser.error(str(err))
    print(json.dumps(stats, indent=2))


if __name__ == "__main__":
    main()
