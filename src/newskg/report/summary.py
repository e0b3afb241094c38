"""A one-screen summary of the reports of a build, for the terminal (`make run`)."""

from __future__ import annotations

from dataclasses import dataclass, field

from newskg.report.model import STATUSES, Report

STATUS_WORDS = {"NotEvidenced": "not evidenced"}


@dataclass
class ReportSummary:
    """The figures of one report."""

    slug: str
    headline: str
    claims_by_status: dict[str, int]
    top_source_kinds: list[tuple[str, int]]
    engagements: int
    dated_engagements: int
    actors: int
    engagements_by_status: dict[str, int] = field(default_factory=dict)


@dataclass
class Summary:
    """The figures of every report, and what inference added at each level of the build."""

    reports: list[ReportSummary]
    inferred_by_level: dict[str, int]
    facts_by_level: dict[str, int] = field(default_factory=dict)


def summarize(reports: list[Report]) -> Summary:
    """The summary of reports already read (see newskg.report.load)."""
    rows = []
    for report in reports:
        by_status = {s: sum(1 for c in report.claims if c.status == s) for s in STATUSES}
        kinds: dict[str, int] = {}
        for claim in report.claims:
            label = claim.source_kind.label if claim.source_kind else "(none)"
            kinds[label] = kinds.get(label, 0) + 1
        engaged: dict[str, int] = {}
        for engagement in report.engagements:
            key = engagement.status or "no claim"
            engaged[key] = engaged.get(key, 0) + 1
        rows.append(ReportSummary(
            report.slug, report.headline, {s: n for s, n in by_status.items() if n},
            sorted(kinds.items(), key=lambda kv: (-kv[1], kv[0]))[:4],
            len(report.engagements), sum(1 for e in report.engagements if e.dated), len(report.actors),
            engaged))
    inferred = {li.level: li.total for li in reports[0].inference} if reports else {}
    facts = {li.level: li.facts for li in reports[0].inference} if reports else {}
    return Summary(rows, inferred, facts)


def format_summary(summary: Summary, width: int = 88) -> str:
    """The summary as at most a screen of text: a few lines per report, then inference."""
    lines = []
    for row in summary.reports:
        headline = row.headline if len(row.headline) <= width - 2 else row.headline[: width - 3] + "…"
        total = sum(row.claims_by_status.values())
        lines.append(f"# {headline}")
        lines.append(f"  {row.slug}: {total} claims, {row.engagements} engagements "
                     f"({row.dated_engagements} dated), {row.actors} actors on the map")
        statuses = ", ".join(f"{n} {STATUS_WORDS.get(s, s.lower())}" for s, n in row.claims_by_status.items())
        lines.append(f"  claims by status:   {statuses}")
        kinds = ", ".join(f"{n} {kind}" for kind, n in row.top_source_kinds)
        lines.append(f"  top source kinds:   {kinds}")
        engaged = ", ".join(f"{n} {STATUS_WORDS.get(s, s.lower())}" for s, n in _ordered(row.engagements_by_status))
        lines.append(f"  engagements by best status: {engaged or 'none'}")
    if summary.facts_by_level:
        facts = ", ".join(f"{n} {level}" for level, n in summary.facts_by_level.items())
        lines.append(f"fact triples by level (whole build):    {facts}")
    if summary.inferred_by_level:
        inferred = ", ".join(f"{n} {level}" for level, n in summary.inferred_by_level.items())
        lines.append(f"inferred triples by level (whole build): {inferred}")
    return "\n".join(lines) + "\n"


def _ordered(counts: dict[str, int]) -> list[tuple[str, int]]:
    order = [*STATUSES, "no claim"]
    return sorted(counts.items(), key=lambda kv: order.index(kv[0]) if kv[0] in order else len(order))
