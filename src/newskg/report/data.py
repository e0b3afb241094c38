"""Read the reports of a build by SPARQL into the view's model (newskg.report.model).

Every query is a file in sparql/ run through a newskg engine, the same engines as
`newskg query run`; nothing here reads the Turtle sources. The only file read besides the
build is each report's text, found through its document's ``nkg:sourceText``: the text the
build's anchors index into (checked here, quote against offsets).
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from newskg.errors import BuildMissingError, InputMissingError, UsageError
from newskg.namespaces import ARTICLE_GRAPH_BASE, LEVELS, PREFIXES, shorten
from newskg.project import Project, graph_role
from newskg.query.catalog import prologue_for
from newskg.query.results import SelectResult, Term
from newskg.query.sparql import values_block, where_group_offsets
from newskg.report.model import (
    CLAIM_RELATIONS,
    Actor,
    Anchor,
    Claim,
    ClaimLink,
    Engagement,
    InferredTriple,
    LevelInference,
    Named,
    Report,
)
from newskg.report.text import check_anchors, segments
from newskg.terms import is_absolute_iri
from newskg.textfile import read_text

NKG = PREFIXES["nkg"]
#: Actor kinds of the map, most specific first: the first class an actor belongs to wins.
ACTOR_KINDS = (("SovereignState", "state"), ("IntelligenceAgency", "intelligence"),
               ("GovernmentBody", "government"), ("Organisation", "institution"),
               ("UnnamedGroup", "group"), ("Person", "person"), ("Actor", "other"))


def _sparql(name: str) -> str:
    return resources.files("newskg.report").joinpath("sparql").joinpath(name).read_text(encoding="utf-8")


class ReportReader:
    """Runs the view's queries on one engine over the graphs of the weakest level (every fact)."""

    def __init__(self, project: Project, engine):
        self.project = project
        self.engine = engine
        self.build = project.build()
        # Claims of every status are shown; the level switch greys, so read every level's facts.
        self.graphs = self.build.default_graphs(LEVELS[-1])
        self._labels: dict[str, str] = {}

    # --- running queries ------------------------------------------------------------------------

    def select(self, name: str, values: dict[str, list[str]] | None = None) -> list[dict[str, Term]]:
        """Rows of query ``name`` with each variable of ``values`` bound to those IRIs."""
        text = _sparql(name)
        for var, iris in (values or {}).items():
            good = [i for i in iris if is_absolute_iri(i)]
            if not good:
                return []
            start, _ = where_group_offsets(text)
            block = f" VALUES ?{var} {{ {' '.join(f'<{i}>' for i in good)} }}"
            text = text[:start] + block + text[start:]
        result = self.engine.query(prologue_for(text) + text, "SELECT", self.graphs)
        assert isinstance(result, SelectResult)
        return result.rows

    def select_one(self, name: str, var: str, iri: str) -> list[dict[str, Term]]:
        """Rows of query ``name`` with ``?var`` bound to one IRI (a single-row VALUES)."""
        text = _sparql(name)
        start, _ = where_group_offsets(text)
        text = text[:start] + values_block({var: f"<{iri}>"}) + text[start:]
        result = self.engine.query(prologue_for(text) + text, "SELECT", self.graphs)
        return result.rows

    def names(self, iris) -> list[Named]:
        """Each IRI with its English (or untagged) label, else its CURIE."""
        self.fetch_labels(iris)
        return [Named(i, self._labels.get(i) or shorten(i)) for i in iris]

    def fetch_labels(self, iris) -> None:
        missing = sorted({i for i in iris if i not in self._labels})
        if not missing:
            return
        best: dict[str, tuple[int, str]] = {}
        for row in self.select("labels.rq", {"x": missing}):
            term = row["label"]
            rank = 0 if term.lang and term.lang.startswith("en") else (1 if not term.lang else 2)
            current = best.get(row["x"].value)
            if current is None or (rank, term.value) < current:
                best[row["x"].value] = (rank, term.value)
        for iri in missing:
            self._labels[iri] = best[iri][1] if iri in best else ""

    # --- reports --------------------------------------------------------------------------------

    def documents(self) -> dict[str, dict[str, Term]]:
        """slug -> the document row of each report graph in the build."""
        found: dict[str, dict[str, Term]] = {}
        for row in self.select("documents.rq"):
            graph = row["g"].value
            if graph_role(graph) == "article" and graph not in {r["g"].value for r in found.values()}:
                found[graph[len(ARTICLE_GRAPH_BASE):]] = row
        return found

    def report(self, slug: str, row: dict[str, Term], dom_prefix: str) -> Report:
        """One report, read whole: metadata, text, claims, segments, engagements, actors, inference."""
        graph, doc = row["g"].value, row["doc"].value
        path, text = self.source_text(slug, row["sourceText"].value)
        report = Report(slug=slug, graph=graph, document=doc, text=text, dom_prefix=dom_prefix,
                        headline=_value(row, "headline") or slug,
                        alternative_headline=_value(row, "alternative"),
                        date_modified=_value(row, "modified"), date_printed=_value(row, "printed"),
                        dateline=_value(row, "dateline"))
        people = self.select_one("document-people.rq", "g", graph)
        report.authors = self.names([r["who"].value for r in people if r["role"].value.endswith("author")])
        report.publishers = self.names([r["who"].value for r in people if r["role"].value.endswith("publisher")])
        report.claims = self.claims(graph, dom_prefix)
        check_anchors(text, report.claims, self.project.relative(path))
        report.segments = segments(text, report.claims)
        report.engagements = self.engagements(graph, report)
        report.actors = self.actors(report.engagements)
        report.inference = self.inference(report)
        return report

    def source_text(self, slug: str, relative: str) -> tuple[Path, str]:
        """The path and text ``nkg:sourceText`` names, relative to the report's folder (and inside it)."""
        folder = self.project.report_text(slug).parent.resolve()
        path = (folder / relative).resolve()
        if not path.is_relative_to(folder):
            raise BuildMissingError(f"report {slug}: nkg:sourceText {relative!r} points outside {folder}")
        try:
            return path, read_text(path, self.project.relative(path), keep_bom=True)
        except FileNotFoundError:
            raise InputMissingError(f"report {slug}: its text {self.project.relative(path)} is missing") from None

    def claims(self, graph: str, dom_prefix: str) -> list[Claim]:
        """The report's claims with attributions, facts, anchors and links, in text order."""
        claims: dict[str, Claim] = {}
        for row in self.select_one("claims.rq", "g", graph):
            iri = row["claim"].value
            if iri in claims:
                continue
            status = row["status"].value.rsplit("#", 1)[-1]
            claim = Claim(iri, "", status, comment=_value(row, "comment"), claim_time=_value(row, "claimTime"),
                          generic=_value(row, "generic") == "true")
            claim.source_kind, claim.certainty, claim.polarity, claim.temporality = (
                self.names([row[k].value])[0] if k in row else None
                for k in ("sourceKind", "certainty", "polarity", "temporality"))
            claims[iri] = claim
        for row in self.select_one("claim-anchors.rq", "g", graph):
            claim = claims[row["claim"].value]
            claim.anchors.append(Anchor(row["anchor"].value, "", int(row["start"].value),
                                        int(row["end"].value), row["exact"].value))
        values = self.select_one("claim-values.rq", "g", graph)
        self.fetch_labels({r["value"].value for r in values if r["value"].kind == "uri"})
        for row in values:
            owner, prop, value = claims.get(row["claim"].value), row["property"].value, row["value"].value
            if owner is None:
                continue
            local = prop[len(NKG):]
            if local == "attributedTo":
                owner.attributed_to += self.names([value])
            elif local == "denotes":
                owner.facts += self.names([value])
            elif local == "conditionalOn":
                owner.conditions += self.names([value])
            elif value in claims:
                forward, backward = CLAIM_RELATIONS[local]
                owner.links.append(ClaimLink(local, forward, value))
                claims[value].links.append(ClaimLink(local, backward, owner.iri))
        ordered = sorted(claims.values(), key=lambda c: (c.first_offset, c.iri))
        for number, claim in enumerate(ordered, start=1):
            claim.dom_id = f"{dom_prefix}-claim-{number}"
            claim.anchors.sort(key=lambda a: (a.start, a.end, a.iri))
            for index, anchor in enumerate(claim.anchors, start=1):
                anchor.dom_id = f"{dom_prefix}-quote-{number}-{index}"
        return ordered

    def engagements(self, graph: str, report: Report) -> list[Engagement]:
        """Every engagement the report's claims describe, with participants, time and claims."""
        found: dict[str, Engagement] = {}
        codes: dict[str, tuple[int, str]] = {}
        for row in self.select_one("engagements.rq", "g", graph):
            iri, type_ = row["engagement"].value, row["type"].value
            found.setdefault(iri, Engagement(iri, ""))
            rank = (len(_value(row, "code")), type_)
            if iri not in codes or rank > codes[iri]:
                codes[iri] = rank
        if not found:
            return []
        self.fetch_labels(list(found) + [t for _, t in codes.values()])
        for iri, engagement in found.items():
            engagement.label = self._labels.get(iri) or shorten(iri)
            engagement.kind = self._labels.get(codes[iri][1]) or shorten(codes[iri][1])
        participants: dict[str, list[str]] = {}
        for row in self.select_one("engagement-details.rq", "g", graph):
            engagement, what, value = found[row["engagement"].value], row["what"].value, row["value"].value
            if what == "claim":
                claim = report.claim(value)
                if claim and claim not in engagement.claims:
                    engagement.claims.append(claim)
            elif what == "participant":
                participants.setdefault(engagement.iri, []).append(value)
            elif what == "time" and _bounds(row) > _bounds_of(engagement):
                engagement.time_label = _value(row, "timeLabel")
                engagement.not_before = _value(row, "notBefore") or None
                engagement.not_after = _value(row, "notAfter") or None
                engagement.approximate = _value(row, "approximate") == "true"
        for iri, actors in participants.items():
            found[iri].participants = self.names(sorted(set(actors)))
        return sorted(found.values(), key=lambda e: (e.not_before or e.not_after or "9999", e.label))

    def actors(self, engagements: list[Engagement]) -> list[Actor]:
        """The participants of the engagements and the states they belong to, with their kinds."""
        iris = sorted({p.iri for e in engagements for p in e.participants})
        kinds: dict[str, set[str]] = {}
        states: dict[str, set[str]] = {}
        for row in self.select("actors.rq", {"actor": iris}):
            target = kinds if row["what"].value == "kind" else states
            target.setdefault(row["actor"].value, set()).add(row["value"].value)
        extra = sorted({s for found in states.values() for s in found} - set(iris))
        if extra:  # a state only reached through belongsToState still anchors its bodies on the map
            for row in self.select("actors.rq", {"actor": extra}):
                if row["what"].value == "kind":
                    kinds.setdefault(row["actor"].value, set()).add(row["value"].value)
        actors = []
        for named in self.names(iris + extra):
            kind = next((k for cls, k in ACTOR_KINDS if NKG + cls in kinds.get(named.iri, ())), "other")
            own_states = sorted(s for s in states.get(named.iri, ()) if s != named.iri)
            actors.append(Actor(named.iri, named.label, kind, own_states[0] if own_states else None))
        return actors

    def inference(self, report: Report) -> list[LevelInference]:
        """Per level: how many triples inference added to the build, and those about this report's
        own nodes and actors."""
        own = {report.document} | {a.iri for a in report.actors} | {e.iri for e in report.engagements}
        own |= {f.iri for c in report.claims for f in c.facts}
        base = report.document.rsplit("/", 1)[0] + "/"
        graphs = self.build.graphs()
        counts = {g.iri: g.triples for g in graphs if g.role == "inferred"}
        facts = {g.iri.rsplit("/", 1)[-1]: g.triples for g in graphs if g.role == "facts"}
        levels = []
        for level in LEVELS:
            iri = next((g for g in counts if g.endswith("/" + level)), None)
            if iri is None:
                continue
            rows = [r for r in self.select_one("inferred.rq", "inferred", iri)
                    if r["s"].value in own or r["s"].value.startswith(base)]
            self.fetch_labels({t.value for r in rows for t in r.values() if t.kind == "uri"})
            triples = [InferredTriple(*(self._named(r[k]) for k in ("s", "p", "o"))) for r in rows]
            levels.append(LevelInference(level, counts[iri], facts.get(level, 0), triples))
        return levels

    def _named(self, term: Term) -> Named:
        if term.kind == "uri":
            return Named(term.value, self._labels.get(term.value) or shorten(term.value))
        return Named("", term.value)


def _value(row: dict[str, Term], name: str) -> str:
    term = row.get(name)
    return term.value if term is not None else ""


def _bounds(row: dict[str, Term]) -> int:
    return ("notBefore" in row) + ("notAfter" in row)


def _bounds_of(engagement: Engagement) -> int:
    return -1 if not engagement.time_label and not engagement.dated else bool(engagement.not_before) + bool(engagement.not_after)


def load_reports(project: Project, slugs: list[str] | None = None, engine=None) -> list[Report]:
    """The reports of the build (all, or those named by slug, in that order), read whole.

    Raises UsageError for a slug the build has no report of, BuildMissingError without a build.
    """
    from newskg import api

    reader = ReportReader(project, engine or api.open_engine(project))
    documents = reader.documents()
    if not documents:
        raise UsageError("the build has no report: a report is a folder graph/SLUG/ with its text and claims")
    wanted = list(dict.fromkeys(slugs)) if slugs else sorted(documents)
    unknown = [s for s in wanted if s not in documents]
    if unknown:
        available = ", ".join(sorted(documents)) or "none"
        raise UsageError(f"no report {', '.join(repr(s) for s in unknown)} in the build; reports: {available}")
    return [reader.report(slug, documents[slug], f"r{index}") for index, slug in enumerate(wanted, start=1)]
