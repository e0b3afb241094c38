"""The analyst's view: the reports of a build as one self-contained HTML page.

Read from the build by SPARQL (newskg.report.data), rendered with Jinja2 templates shipped
as package data (newskg.report.html). The functions here are the Python API of
`newskg report`; they return data, print nothing and raise the errors of newskg.errors.

    >>> from newskg import report
    >>> written = report.write_report("path/to/project", "out.html")   # doctest: +SKIP
    >>> print(report.format_summary(report.summarize(written.reports)))  # doctest: +SKIP
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from newskg.errors import UsageError
from newskg.namespaces import LEVELS
from newskg.project import Project
from newskg.report.summary import Summary, format_summary, summarize

if TYPE_CHECKING:
    from newskg.report.html import Link
    from newskg.report.model import Report

__all__ = ["Summary", "WrittenReport", "format_summary", "load", "render", "summarize", "summary", "write_report"]

PathLike = str | Path


def _project(project: PathLike | Project) -> Project:
    return project if isinstance(project, Project) else Project.at(project)


def _check_level(level: str) -> None:
    if level not in LEVELS:
        raise UsageError(f"unknown level {level!r}; levels: {', '.join(LEVELS)}")


def load(project: PathLike | Project = ".", slugs: list[str] | None = None, *, engine=None) -> list[Report]:
    """The reports of the build (all, or those named by slug), read by SPARQL.

    Raises UsageError for an unknown slug and BuildMissingError when there is no build.
    """
    from newskg.report.data import load_reports

    return load_reports(_project(project), list(slugs) if slugs else None, engine)


def render(reports: list[Report], *, level: str = LEVELS[0], link: Link | None = None,
           nav: list[tuple[str, str]] | None = None) -> str:
    """The page of ``reports`` as HTML text, its level switch at ``level``."""
    from newskg.report.html import render_reports

    _check_level(level)
    return render_reports(reports, level=level, link=link, nav=nav)


@dataclass
class WrittenReport:
    """What `write_report` wrote: the file and the reports it shows."""

    path: Path
    reports: list[Report]


def write_report(project: PathLike | Project, output: PathLike, slugs: list[str] | None = None, *,
                 level: str = LEVELS[0]) -> WrittenReport:
    """Write the page of the build's reports (or those of ``slugs``) to ``output``.

    Everything is read and rendered before the file is touched, and the file is replaced in
    one rename: a bad slug or a missing build leaves ``output`` as it was.
    """
    _check_level(level)
    output = Path(output)
    if output.is_dir():
        raise UsageError(f"{output} is a folder; give a file name such as {output / 'report.html'}")
    if not output.parent.is_dir():
        raise UsageError(f"cannot write {output}: folder {output.parent} does not exist")
    reports = load(project, slugs)
    page = render(reports, level=level)
    handle, temporary = tempfile.mkstemp(prefix=".report-", suffix=".html", dir=output.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(page)
        # mkstemp makes the file private (0600); give it the mode any new file would get.
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temporary, 0o666 & ~umask)
        os.replace(temporary, output)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return WrittenReport(output.resolve(), reports)


def summary(project: PathLike | Project = ".", slugs: list[str] | None = None) -> Summary:
    """The one-screen figures of the build's reports (claims by status, engagements, inference)."""
    return summarize(load(project, slugs))
