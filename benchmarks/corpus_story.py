"""One synthetic report for benchmarks/corpus.py: its facts, its claims and the text they quote.

A report tells one story between two states A and B, with a third state C at risk, shaped like
graph/pakistan-bangladesh-links-2025: a rapprochement, the dormancy it ended, foreign-ministry
consultations (Confirmed, with the one shortcut edge), military exchanges with visits, intents,
agreements, intelligence sharing that one side denies, an agreement nobody announced, a risk.
Every CAMEO class of ontology/engagement.ttl and every report status occurs in every report, so
a corpus of any size has them all. A few extra rounds between other pairs of states vary the
size of reports and tie the pool of shared actors together.

Each claim is one sentence: `before + quote + after`. The text is laid out from those
sentences, so every quote's offsets (code points, end exclusive) are known by construction.
Terms are Turtle strings (`art:fact-visit`, `nkr:Valoria`, `"April 2025"@en`); the report's own
nodes use the prefix `art:`, which corpus.py binds to the report's namespace.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass, field
from random import Random

Triple = tuple[str, str, str]

#: Context kept as a quote's prefix and suffix; newskg.build.anchors uses the same length.
CONTEXT_CHARS = 32

TOPICS = ["maritime security", "border management", "counter-terrorism", "cyber security",
          "defence production", "disaster relief", "air defence", "coastal surveillance"]
EXERCISES = ["naval", "counter-terrorism", "air defence", "border security", "search and rescue"]
EQUIPMENT = ["patrol boats", "training aircraft", "armoured vehicles", "radar systems", "drones"]
FORUMS = ["the Coastal States Forum", "the Regional Security Dialogue", "the Ministerial Conference on the Ocean Rim"]
VOICE = "nkg:AuthorVoice"
VERBS = [("Quietly Rebuild", "quietly rebuilt"), ("Steadily Deepen", "steadily deepened"),
         ("Rapidly Expand", "rapidly expanded")]


def lit(text: str, lang: str | None = "en") -> str:
    """A Turtle string literal (language-tagged unless lang is None), escaped."""
    body = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
    return f'"{body}"@{lang}' if lang else f'"{body}"'


def date_lit(day: dt.date) -> str:
    """An xsd:date literal."""
    return f'"{day.isoformat()}"^^xsd:date'


def add_months(day: dt.date, months: int) -> dt.date:
    """The first of the month `months` after (or before, if negative) the month of `day`."""
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


@dataclass
class Fact:
    """A fact node: its description (content triples, its time and agreement nodes included)."""

    node: str
    cls: str
    triples: list[Triple]


@dataclass
class Claim:
    """An attributed statement, the sentence that holds its quote, and its content triples."""

    node: str
    status: str
    kind: str
    attributed: tuple[str, ...]
    certainty: str
    polarity: str
    denotes: Fact
    content: list[Triple]
    before: str
    quote: str
    after: str
    links: list[tuple[str, str]] = field(default_factory=list)
    start: int = -1  # offset of the quote in source.txt, set by Story.layout


class Story:
    """Builds one report's facts, claims and text; see the module docstring for the plot."""

    def __init__(self, rng: Random, pool, states, published: dt.date, author, publisher, dateline: str):
        self.rng, self.pool = rng, pool
        self.a, self.b, self.c = states
        self.published, self.author, self.publisher, self.dateline = published, author, publisher, dateline
        self.facts: list[Fact] = []
        self.claims: list[Claim] = []
        self.paragraphs: list[list[Claim]] = [[]]
        self.groups: dict[str, str] = {}  # unnamed groups used: node -> label
        self._times: dict[str, list[Triple]] = {}
        self._pairs: set[frozenset] = set()  # pairs of states of the extra rounds
        self.headline = self.standfirst = self.topic = ""
        self.months: list[tuple[str, str]] = []  # the story's four months: (node, label)
        self.sources = self.group("sources", "sources")
        self.officials = self.group("officials", "officials")
        self.analysts = self.group("analysts", "security analysts")
        self.agencies = self.group("news-agencies", "international news agencies")

    # ------------------------------------------------------------ building blocks

    def group(self, name: str, label: str) -> str:
        """One of the report's unnamed groups ("sources", "officials"), declared in claims.ttl."""
        node = f"art:{name}"
        self.groups[node] = label
        return node

    def month(self, first: dt.date) -> tuple[str, str]:
        """A calendar month as a time:ProperInterval between two instants: (node, label)."""
        last = first.replace(day=calendar.monthrange(first.year, first.month)[1])
        node, label = f"art:time-{first:%Y-%m}", f"{calendar.month_name[first.month]} {first.year}"
        if node not in self._times:
            begin, end = f"art:time-{first.isoformat()}", f"art:time-{last.isoformat()}"
            self._times[node] = [
                (node, "a", "time:ProperInterval"), (node, "rdfs:label", lit(label)),
                (node, "time:hasBeginning", begin), (node, "time:hasEnd", end),
                (node, "nkg:notBefore", date_lit(first)), (node, "nkg:notAfter", date_lit(last)),
                (begin, "a", "time:Instant"), (begin, "rdfs:label", lit(f"{first.day} {label}")),
                (begin, "time:inXSDDate", date_lit(first)),
                (end, "a", "time:Instant"), (end, "rdfs:label", lit(f"{last.day} {label}")),
                (end, "time:inXSDDate", date_lit(last)),
            ]
        return node, label

    def vague(self, name: str, label: str, not_before: dt.date | None, not_after: dt.date | None) -> str:
        """An approximate interval known only by its words and one or two bounds."""
        node = f"art:time-{name}"
        if node not in self._times:
            triples = [(node, "a", "time:ProperInterval"), (node, "rdfs:label", lit(label))]
            if not_before:
                triples.append((node, "nkg:notBefore", date_lit(not_before)))
            if not_after:
                triples.append((node, "nkg:notAfter", date_lit(not_after)))
            self._times[node] = [*triples, (node, "nkg:approximate", "true")]
        return node

    def fact(self, name: str, cls: str, label: str, participants=(), source=None, target=None,
             level=None, time=None, topics=(), more=()) -> Fact:
        """A fact node with its type, label, actors, level, time (and that time's own triples) and topics."""
        node = f"art:fact-{name}"
        triples = [(node, "a", cls), (node, "rdfs:label", lit(label))]
        triples += [(node, "nkg:hasParticipant", p) for p in participants]
        if source:
            triples.append((node, "nkg:hasSourceActor", source))
        if target:
            triples.append((node, "nkg:hasTargetActor", target))
        if level:
            triples.append((node, "nkg:engagementLevel", level))
        if time:
            triples.append((node, "nkg:hasTime", time))
        triples += [(node, "nkg:topic", t) for t in topics]
        triples += [(node, p, o) for p, o in more]
        if time:
            triples += self._times[time]
        fact = Fact(node, cls, triples)
        self.facts.append(fact)
        return fact

    def claim(self, name, fact, status, kind, who, certainty, before, quote, after,
              content=None, polarity="nkg:Positive", links=()) -> Claim:
        """A claim denoting `fact`; its content is the fact's description unless given."""
        claim = Claim(f"art:claim-{name}", status, kind, tuple(who), certainty, polarity, fact,
                      list(fact.triples if content is None else content), before, quote, after, list(links))
        self.claims.append(claim)
        self.paragraphs[-1].append(claim)
        return claim

    def paragraph(self) -> None:
        """Start a new paragraph of the text."""
        self.paragraphs.append([])

    # ------------------------------------------------------------ the plot

    def tell(self, extra_rounds: int) -> None:
        """Write the whole story: the skeleton every report has, then `extra_rounds` extra rounds."""
        rng, pub = self.rng, self.published
        t1 = add_months(pub, -rng.randint(7, 10))
        t2, t3 = add_months(t1, rng.randint(1, 2)), add_months(t1, rng.randint(2, 3))
        self.months = [self.month(t) for t in (t1, t2, t3, add_months(t3, rng.randint(1, 3)))]
        self.topic = rng.choice(TOPICS)
        shift = self._framing()
        talks = self._consultations(shift)
        negotiation = self._military_exchanges(talks)
        self._cooperation(shift)
        self._intelligence(shift, talks, negotiation)
        risk = self.fact("risk", "nkg:Risk", f"risks for {self.c.name} from the {self.a.name}-{self.b.name} alignment",
                         participants=(self.b.iri,), time=self.vague("over-time", "over time", pub, None),
                         topics=("nkg:SecurityTopic",),
                         more=[("nkg:riskFor", self.c.iri), ("nkg:drivenBy", shift.node)])
        self.claim("risk", risk, "nkg:Assessed", "nkg:Analysts", (self.analysts,), "nkg:Probable",
                   "Analysts warn that ",
                   f"the alignment could, over time, create risks for {self.c.name}’s security", ".")
        for number in range(1, extra_rounds + 1):
            self._extra_round(number)

    def _framing(self) -> Fact:
        """Headline, standfirst and opening: the rapprochement, and the dormancy it ended."""
        a, b, rng = self.a, self.b, self.rng
        author, framing = (self.author.iri,), (self.publisher.iri, self.author.iri)
        shift = self.fact("rapprochement", "nkg:Development",
                          f"{a.name} and {b.name} rebuilding defence and security engagement",
                          participants=(a.iri, b.iri), time=self.vague("past-few-months", "the past few months",
                                                                       None, self.published),
                          topics=("nkg:DefenceTopic", "nkg:SecurityTopic"))
        verb_title, verb = rng.choice(VERBS)
        self.headline = f"{a.name} and {b.name} {verb_title} Security Ties"
        self.standfirst = ("Renewed diplomatic and military engagement signals a shift in regional alignments "
                           f"affecting {self.c.name}")
        self.claim("headline", shift, "nkg:Assessed", VOICE, framing, "nkg:Certain", "", self.headline, "")
        self.claim("standfirst", shift, "nkg:Assessed", VOICE, framing, "nkg:Probable", "", self.standfirst, "")
        self.paragraph()
        self.claim("rapprochement", shift, "nkg:Reported", VOICE, author, "nkg:Certain", f"{self.dateline}: ",
                   f"{a.name} and {b.name} have, over the past few months, {verb} defence and security "
                   "engagement at a level not seen in years", ".")
        since = rng.randint(2008, 2016)
        dormancy = self.fact("dormancy", "nkg:Condition",
                             f"institutional channels between {a.name} and {b.name} largely dormant",
                             participants=(a.iri, b.iri), topics=("nkg:SecurityTopic",),
                             time=self.vague(f"since-{since}", f"since {since}", dt.date(since, 1, 1), None))
        self.claim("dormancy", dormancy, "nkg:Reported", VOICE, author, "nkg:Certain",
                   "This reverses a period in which ",
                   f"institutional channels between the two had remained largely dormant since {since}", ".",
                   content=[*dormancy.triples, (dormancy.node, "nkg:followedBy", shift.node)])
        return shift

    def _consultations(self, shift: Fact) -> Fact:
        """Foreign-ministry consultations: the one Confirmed consultation, so the one shortcut edge."""
        a, b, (month, label) = self.a, self.b, self.months[0]
        fm_a, fm_b = self.pool.body(a, "fm"), self.pool.body(b, "fm")
        gap = self.rng.randint(5, 15)
        talks = self.fact("consultations", "nkg:ConsultationUnspecified",
                          f"foreign secretary-level consultations between {a.name} and {b.name}, {label}",
                          participants=(fm_a.iri, fm_b.iri), level="nkg:ForeignSecretaryLevel", time=month,
                          topics=("nkg:BilateralRelationsTopic",))
        duration = f"art:duration-{gap}-years"
        talks.triples += [(talks.node, "nkg:gapBefore", duration), (duration, "a", "time:Duration"),
                          (duration, "rdfs:label", lit(f"a gap of nearly {gap} years")),
                          (duration, "time:numericDuration", f'"{gap}"^^xsd:decimal'),
                          (duration, "time:unitType", "time:unitYear"), (duration, "nkg:approximate", "true"),
                          (duration, "nkg:qualifierText", lit("nearly", None))]
        self.paragraph()
        news = self.claim("consultations-news", talks, "nkg:Reported", "nkg:NewsAgencies", (self.agencies,),
                          "nkg:Certain", "International news agencies reported that ",
                          f"the foreign secretaries of {a.name} and {b.name} met in {label} "
                          f"after a gap of nearly {gap} years", ".")
        self.claim("consultations-confirmed", talks, "nkg:Confirmed", "nkg:OfficialStatement", (fm_a.iri,),
                   "nkg:Certain", f"{fm_a.text} confirmed that ",
                   f"bilateral consultations with {b.name} were held in {label}", ".",
                   content=[*talks.triples, (a.iri, "nkg:heldConsultationsWith", b.iri)],
                   links=[("nkg:supports", news.node)])
        signal = self.fact("normalisation-signal", "nkg:IntentToCooperate",
                           f"a political signal by {a.name} and {b.name} to normalise engagement",
                           participants=(a.iri, b.iri), time=month, more=[("nkg:subEventOf", talks.node)])
        self.claim("normalisation-signal", signal, "nkg:Assessed", VOICE, (self.author.iri,), "nkg:Certain",
                   "The talks covered the full range of bilateral relations, ",
                   "marking a decisive political signal to normalise and expand engagement", ".")
        return talks

    def _military_exchanges(self, talks: Fact) -> Fact:
        """Senior military exchanges with a visit and a hosted visit, an intent, a negotiation (returned)."""
        a, b, body = self.a, self.b, self.pool.body
        (negotiated, label2), (month, label) = self.months[1], self.months[2]
        exchanges = self.fact("military-exchanges", "nkg:Consultation",
                              f"senior military exchanges between {a.name} and {b.name}, {label}",
                              participants=(body(a, "ml").iri, body(b, "af").iri), level="nkg:SeniorMilitaryLevel",
                              time=month, topics=("nkg:DefenceTopic",))
        self.claim("consultations-followed", talks, "nkg:Reported", "nkg:UnnamedSources", (self.sources,),
                   "nkg:Probable", "According to sources, ",
                   f"the {self.months[0][1]} talks were followed by senior military exchanges", ".",
                   content=[(talks.node, "nkg:followedBy", exchanges.node)])
        self.claim("military-exchanges", exchanges, "nkg:Reported", "nkg:UnnamedSources", (self.sources,),
                   "nkg:Certain", "Sources said that ", f"{body(a, 'ml').text} held talks with {body(b, 'af').text} "
                   f"in {label}", ".")
        visit = self.fact("visit", "nkg:Visit", f"a visit by {a.name}’s military leadership to {b.name}",
                          source=body(a, "ml").iri, target=body(b, "af").iri, level="nkg:SeniorMilitaryLevel",
                          time=month, more=[("nkg:subEventOf", exchanges.node)])
        self.claim("visit", visit, "nkg:Reported", "nkg:UnnamedOfficials", (self.officials,), "nkg:Certain",
                   "The exchanges included ", f"a visit by {body(a, 'ml').text} to {b.name}", ", officials said.")
        hosted = self.fact("hosted-visit", "nkg:HostedVisit",
                           f"{b.name}’s armed forces hosting a delegation of {a.name}’s defence ministry",
                           source=body(b, "af").iri, target=body(a, "dm").iri, time=month,
                           more=[("nkg:subEventOf", exchanges.node)])
        self.claim("hosted-visit", hosted, "nkg:Reported", "nkg:UnnamedSources", (self.sources,), "nkg:Probable",
                   "Sources added that ", f"{body(b, 'af').text} hosted a delegation from {body(a, 'dm').text}", ".")
        intent = self.fact("military-intent", "nkg:IntentToCooperateMilitarily",
                           f"{a.name} and {b.name} intending to deepen military cooperation in {self.topic}",
                           participants=(body(a, "dm").iri, body(b, "dm").iri), topics=("nkg:DefenceTopic",))
        minister = body(a, "dmin")
        self.claim("military-intent", intent, "nkg:Confirmed", "nkg:NamedOfficial", (minister.iri,), "nkg:Certain",
                   f"{minister.text} said that ",
                   f"both governments intend to deepen military cooperation in {self.topic}", ".")
        negotiation = self.fact("negotiation", "nkg:Negotiation",
                                f"negotiations between the defence ministries of {a.name} and {b.name} "
                                "on a cooperation framework", source=body(a, "dm").iri, target=body(b, "dm").iri,
                                time=negotiated, topics=("nkg:DefenceTopic",))
        self.claim("negotiation", negotiation, "nkg:Reported", "nkg:UnnamedOfficials", (self.officials,),
                   "nkg:Probable", "Officials said that ",
                   f"negotiations on a defence cooperation framework began in {label2}", ".")
        return negotiation

    def _cooperation(self, shift: Fact) -> None:
        """Diplomatic, material and military cooperation, and an MoU between think tanks."""
        a, b, body, rng = self.a, self.b, self.pool.body, self.rng
        self.paragraph()
        forum = rng.choice(FORUMS)
        diplomacy = self.fact("diplomatic-cooperation", "nkg:DiplomaticCooperation",
                              f"{a.name} and {b.name} coordinating positions at {forum}",
                              participants=(body(a, "fm").iri, body(b, "fm").iri),
                              topics=("nkg:BilateralRelationsTopic",))
        self.claim("diplomatic-cooperation", diplomacy, "nkg:Reported", "nkg:NewsAgencies", (self.agencies,),
                   "nkg:Certain", "News agencies also reported that ",
                   f"the two foreign ministries coordinated their positions at {forum}", ".")
        tt_a, tt_b, mou = body(a, "tt"), body(b, "tt"), "art:agreement-mou"
        signing = self.fact("mou-signing", "nkg:AgreementSigning",
                            f"{tt_a.label} and {tt_b.label} signing a memorandum of understanding",
                            participants=(tt_a.iri, tt_b.iri), level="nkg:InstitutionalLevel",
                            topics=("nkg:SecurityTopic",), more=[("nkg:concernsAgreement", mou)])
        signing.triples += [(mou, "a", "nkg:MemorandumOfUnderstanding"),
                            (mou, "rdfs:label", lit(f"memorandum of understanding on {self.topic}")),
                            (mou, "nkg:hasParty", tt_a.iri), (mou, "nkg:hasParty", tt_b.iri)]
        self.claim("mou-signing", signing, "nkg:Reported", "nkg:UnnamedOfficials", (self.officials,), "nkg:Certain",
                   "Officials said that, parallel to the official engagement, ",
                   f"{tt_a.text} and {tt_b.text} signed a memorandum of understanding on {self.topic}", ".")
        self.claim("mou-convergence", signing, "nkg:Assessed", VOICE, (self.author.iri,), "nkg:Probable",
                   "Though civilian in nature, ",
                   "such arrangements serve as auxiliary channels for policy convergence", ".",
                   content=[(signing.node, "nkg:createsConditionsFor", shift.node)])
        equipment = rng.choice(EQUIPMENT)
        supply = self.fact("material-cooperation", "nkg:MaterialCooperation",
                           f"{a.name} supplying {equipment} to {b.name}",
                           source=body(a, "af").iri, target=body(b, "af").iri, topics=("nkg:DefenceTopic",))
        self.claim("material-cooperation", supply, "nkg:Reported", "nkg:NewsAgencies", (self.agencies,),
                   "nkg:Probable", "According to news agencies, ",
                   f"{a.name} has supplied {equipment} to {body(b, 'af').text}", ".")
        kind, (month, label) = rng.choice(EXERCISES), self.months[3]
        exercise = self.fact("exercise", "nkg:MilitaryCooperation",
                             f"a joint {kind} exercise of {a.name} and {b.name}, {label}",
                             participants=(body(a, "af").iri, body(b, "af").iri), time=month,
                             topics=("nkg:DefenceTopic",))
        self.claim("exercise", exercise, "nkg:Reported", "nkg:UnnamedSources", (self.sources,), "nkg:Certain",
                   "Sources said that ",
                   f"the armed forces of {a.name} and {b.name} held a joint {kind} exercise in {label}", ".")
        # Confirmed, yet no shortcut: the exercise is no consultation.
        self.claim("exercise-confirmed", exercise, "nkg:Confirmed", "nkg:OfficialStatement", (body(b, "dm").iri,),
                   "nkg:Certain", f"{body(b, 'dm').text} later confirmed that ",
                   f"the {kind} exercise with {a.name} took place", ".")
        # A negative claim whose content is one participant edge: recorded, at no level.
        self.claim("exercise-absent", exercise, "nkg:Reported", "nkg:UnnamedSources", (self.sources,), "nkg:Probable",
                   "The same sources said that ", f"{body(a, 'sec').text} did not take part in the exercise", ".",
                   content=[(exercise.node, "nkg:hasParticipant", body(a, "sec").iri)], polarity="nkg:Negative")

    def _intelligence(self, shift: Fact, talks: Fact, negotiation: Fact) -> None:
        """Intelligence sharing reported and denied, coordination assessed, an agreement not evidenced."""
        a, b, body = self.a, self.b, self.pool.body
        self.paragraph()
        mil_a, mil_b, civ_a, civ_b = body(a, "milint"), body(b, "milint"), body(a, "civint"), body(b, "civint")
        sharing = self.fact("intelligence-sharing", "nkg:IntelligenceSharing",
                            f"{mil_a.label} and {mil_b.label} exchanging threat assessments on {self.topic}",
                            participants=(mil_a.iri, mil_b.iri), topics=("nkg:IntelligenceTopic",))
        reported = self.claim("intelligence-sharing", sharing, "nkg:Reported", "nkg:UnnamedSources", (self.sources,),
                              "nkg:Probable", "Sources said that ",
                              f"{mil_a.text} and {mil_b.text} had exchanged threat assessments on {self.topic}", ".")
        self.claim("intelligence-sharing-denied", sharing, "nkg:Denied", "nkg:OfficialStatement",
                   (body(b, "fm").iri,), "nkg:Certain", f"{body(b, 'fm').text} denied that ",
                   f"its intelligence services had shared any information with {a.name}", ".",
                   polarity="nkg:Negative", links=[("nkg:contradicts", reported.node)])
        coordination = self.fact("intelligence-coordination", "nkg:IntentToCooperateOnIntelligence",
                                 f"closer coordination between {civ_a.label} and {civ_b.label}",
                                 participants=(civ_a.iri, civ_b.iri), topics=("nkg:IntelligenceTopic",))
        assessed = self.claim("intelligence-coordination", coordination, "nkg:Assessed", "nkg:Analysts",
                              (self.analysts,), "nkg:Possible", "Analysts assess that ",
                              f"{civ_a.text} and {civ_b.text} could deepen their coordination", ".")
        self.claim("reset-conditions", shift, "nkg:Assessed", VOICE, (self.author.iri,), "nkg:Certain", "",
                   "The shift has been driven by the consultations and the defence negotiations, creating the "
                   "conditions for closer intelligence coordination", ".",
                   content=[(shift.node, "nkg:drivenBy", talks.node), (shift.node, "nkg:drivenBy", negotiation.node),
                            (shift.node, "nkg:createsConditionsFor", coordination.node)])
        agreement = "art:agreement-intelligence-sharing"
        unannounced = self.fact("intelligence-agreement-signing", "nkg:AgreementSigning",
                                f"{a.name} and {b.name} concluding an intelligence-sharing agreement",
                                participants=(a.iri, b.iri), topics=("nkg:IntelligenceTopic",),
                                more=[("nkg:concernsAgreement", agreement)])
        unannounced.triples += [
            (agreement, "a", "nkg:IntelligenceSharingAgreement"),
            (agreement, "rdfs:label", lit(f"an intelligence-sharing agreement between {a.name} and {b.name}")),
            (agreement, "nkg:hasParty", a.iri), (agreement, "nkg:hasParty", b.iri)]
        self.claim("intelligence-agreement", unannounced, "nkg:NotEvidenced", VOICE, (self.author.iri,),
                   "nkg:Underspecified", "However, ",
                   "neither government has publicly announced a formal intelligence-sharing agreement", ".",
                   links=[("nkg:qualifies", assessed.node)])

    def _extra_round(self, number: int) -> None:
        """Consultations between another pair of states, Confirmed (with a shortcut) or only reported."""
        others = [s for s in self.pool.states if s not in (self.a, self.b)]
        x, y = self.rng.sample(others, 2)
        while frozenset((x.iri, y.iri)) in self._pairs:  # a pair met twice would repeat its quotes
            x, y = self.rng.sample(others, 2)
        self._pairs.add(frozenset((x.iri, y.iri)))
        fm_x, fm_y, ml_x = self.pool.body(x, "fm"), self.pool.body(y, "fm"), self.pool.body(x, "ml")
        when, label = self.month(add_months(self.published, -self.rng.randint(1, 6)))
        cls = self.rng.choice(["nkg:ConsultationUnspecified", "nkg:Negotiation"])
        talks = self.fact(f"round-{number}", cls, f"consultations between {x.name} and {y.name}, {label}",
                          participants=(fm_x.iri, fm_y.iri), level="nkg:ForeignSecretaryLevel", time=when,
                          topics=("nkg:BilateralRelationsTopic",))
        self.paragraph()
        news = self.claim(f"round-{number}-news", talks, "nkg:Reported", "nkg:NewsAgencies", (self.agencies,),
                          "nkg:Certain", "Elsewhere, news agencies reported that ",
                          f"{x.name} and {y.name} held talks in {label}", ".")
        if self.rng.random() < 0.5:
            self.claim(f"round-{number}-confirmed", talks, "nkg:Confirmed", "nkg:OfficialStatement", (fm_x.iri,),
                       "nkg:Certain", f"{fm_x.text} confirmed that ",
                       f"its talks with {y.name} in {label} had taken place", ".",
                       content=[*talks.triples, (x.iri, "nkg:heldConsultationsWith", y.iri)],
                       links=[("nkg:supports", news.node)])
        visit = self.fact(f"round-{number}-visit", "nkg:Visit",
                          f"a visit by {x.name}’s military leadership to {y.name}",
                          source=ml_x.iri, target=self.pool.body(y, "af").iri, time=when,
                          more=[("nkg:followedBy", talks.node)])
        self.claim(f"round-{number}-visit", visit, "nkg:Reported", "nkg:UnnamedSources", (self.sources,),
                   "nkg:Probable", "Sources said that the talks were prepared by ",
                   f"a visit by {ml_x.text} to {y.name}", ".")

    # ------------------------------------------------------------ the text

    def layout(self) -> str:
        """The report's text; sets each claim's `start`. Headline, standfirst, byline, paragraphs."""
        parts: list[str] = []
        length = 0

        def put(piece: str) -> None:
            nonlocal length
            parts.append(piece)
            length += len(piece)  # code points, as anchors count them

        for number, paragraph in enumerate(self.paragraphs):
            for index, claim in enumerate(paragraph):
                if number and index:  # sentences of a body paragraph
                    put(" ")
                put(claim.before)
                claim.start = length
                put(claim.quote)
                put(claim.after)
                if number == 0:  # headline and standfirst, each on its own line
                    put("\n\n")
            if number == 0:
                put(f"By: {self.author.label}\nLast Updated: {self.printed_time()}\n\n")
            elif number < len(self.paragraphs) - 1:
                put("\n\n")
        return "".join(parts) + "\n"

    def printed_time(self) -> str:
        """The last-updated time as the page prints it."""
        return f"{calendar.month_name[self.published.month]} {self.published.day}, {self.published.year} 09:30:00 UTC"
