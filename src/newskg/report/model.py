"""What the analyst's view shows, as plain data: reports, claims, anchors, engagements, actors.

Everything here is read from the build by SPARQL (newskg.report.data) and rendered by
newskg.report.html; nothing in this module touches RDF or HTML.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from newskg.namespaces import LEVELS

#: Statuses in the order the view lists them, strongest first.
STATUSES = ("Confirmed", "Reported", "Assessed", "NotEvidenced", "Denied", "Background")
#: Status -> index into LEVELS (docs/status-levels.md); statuses not listed enter no level.
#: Spelled here so the view does not import the build package (rdflib, owlrl); a test checks
#: it equals newskg.build.levels.STATUS_LEVEL.
STATUS_LEVEL = {"Background": 0, "Confirmed": 0, "Reported": 1, "Assessed": 2}
#: The relations between claims the view shows, with how each reads from either end.
CLAIM_RELATIONS = {
    "supports": ("supports", "supported by"),
    "qualifies": ("qualifies", "qualified by"),
    "contradicts": ("contradicts", "contradicted by"),
    "restates": ("restates", "restated by"),
}
#: Index meaning "enters no level" (NotEvidenced, Denied, negative polarity): below every level.
NO_LEVEL = len(LEVELS)


def claim_level(status: str, negative: bool) -> int:
    """The level index of a claim (0 confirmed ... 2 assessed), or NO_LEVEL."""
    if negative:
        return NO_LEVEL
    return STATUS_LEVEL.get(status, NO_LEVEL)


def best_status(statuses) -> str | None:
    """The strongest of some statuses, in the order of STATUSES (None for none)."""
    present = set(statuses)
    ranked = [s for s in STATUSES if s in present]
    return ranked[0] if ranked else None


@dataclass(frozen=True)
class Named:
    """An IRI with its display name (label, else CURIE)."""

    iri: str
    label: str


@dataclass
class Anchor:
    """Where a claim's words are in the report text: code-point offsets, end exclusive."""

    iri: str
    dom_id: str
    start: int
    end: int
    exact: str


@dataclass
class ClaimLink:
    """A relation from one claim to another, as read from ``claim``'s side."""

    relation: str        # supports | qualifies | contradicts | restates
    phrase: str          # "supports" or "supported by"
    other: str           # the other claim's IRI


@dataclass
class Claim:
    """One claim of a report with everything the view says about it."""

    iri: str
    dom_id: str
    status: str
    source_kind: Named | None = None
    certainty: Named | None = None
    polarity: Named | None = None
    temporality: Named | None = None
    claim_time: str = ""            # when the claim was made (xsd:date), if the report says
    generic: bool = False           # a generic or habitual statement
    comment: str = ""
    attributed_to: list[Named] = field(default_factory=list)
    facts: list[Named] = field(default_factory=list)
    conditions: list[Named] = field(default_factory=list)  # what it is conditional on
    anchors: list[Anchor] = field(default_factory=list)
    links: list[ClaimLink] = field(default_factory=list)

    @property
    def negative(self) -> bool:
        return self.polarity is not None and self.polarity.iri.endswith("#Negative")

    @property
    def level(self) -> int:
        return claim_level(self.status, self.negative)

    @property
    def first_offset(self) -> int:
        return min((a.start for a in self.anchors), default=-1)


@dataclass
class Segment:
    """A run of the text with the same set of covering anchors (none: plain text)."""

    start: int
    end: int
    text: str
    anchors: list[Anchor] = field(default_factory=list)
    claims: list[Claim] = field(default_factory=list)

    @property
    def level(self) -> int:
        return min((c.level for c in self.claims), default=NO_LEVEL)

    @property
    def status(self) -> str | None:
        return best_status(c.status for c in self.claims)


@dataclass
class Engagement:
    """An engagement the report describes, with its time and the claims about it."""

    iri: str
    label: str
    kind: str = ""
    time_label: str = ""
    not_before: str | None = None   # xsd:date lexical form
    not_after: str | None = None
    approximate: bool = False
    participants: list[Named] = field(default_factory=list)
    claims: list[Claim] = field(default_factory=list)

    @property
    def status(self) -> str | None:
        return best_status(c.status for c in self.claims)

    @property
    def level(self) -> int:
        return min((c.level for c in self.claims), default=NO_LEVEL)

    @property
    def dated(self) -> bool:
        return bool(self.not_before or self.not_after)


@dataclass
class Actor:
    """A node of the actor map: kind is state | intelligence | government | institution | group."""

    iri: str
    label: str
    kind: str
    state: str | None = None   # IRI of the state it belongs to


@dataclass
class InferredTriple:
    """One triple inference added at a level (shown as CURIEs or labels)."""

    subject: Named
    predicate: Named
    object: Named


@dataclass
class LevelInference:
    """What inference added at one level: the build-wide counts and the report's own triples."""

    level: str
    total: int
    facts: int = 0   # asserted fact triples of the level (the build's facts/<level> graph)
    triples: list[InferredTriple] = field(default_factory=list)


@dataclass
class Report:
    """One report of the build, ready to render."""

    slug: str
    graph: str
    document: str
    headline: str
    text: str
    dom_prefix: str
    alternative_headline: str = ""
    authors: list[Named] = field(default_factory=list)
    publishers: list[Named] = field(default_factory=list)
    date_printed: str = ""
    date_modified: str = ""
    dateline: str = ""
    claims: list[Claim] = field(default_factory=list)
    engagements: list[Engagement] = field(default_factory=list)
    actors: list[Actor] = field(default_factory=list)
    inference: list[LevelInference] = field(default_factory=list)
    segments: list[Segment] = field(default_factory=list)

    def claims_by_status(self) -> list[tuple[str, list[Claim]]]:
        """The claims grouped by status (strongest first), each group in text order."""
        groups = []
        for status in STATUSES:
            members = sorted((c for c in self.claims if c.status == status), key=lambda c: (c.first_offset, c.iri))
            if members:
                groups.append((status, members))
        return groups

    def counts(self) -> dict[tuple[str, str], int]:
        """(status, source kind label) -> number of claims."""
        table: dict[tuple[str, str], int] = {}
        for claim in self.claims:
            kind = claim.source_kind.label if claim.source_kind else "(none)"
            table[(claim.status, kind)] = table.get((claim.status, kind), 0) + 1
        return table

    def claim(self, iri: str) -> Claim | None:
        return next((c for c in self.claims if c.iri == iri), None)
