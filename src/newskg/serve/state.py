"""What the web app keeps between requests: one engine over the build, reopened when the
build changes, and the reports read from it.

Requests run in a thread pool; one lock serialises the engine and the caches, since a
local app serves one analyst and the queries take milliseconds.
"""

from __future__ import annotations

import threading
from importlib import resources
from typing import TYPE_CHECKING

from newskg.namespaces import LEVELS
from newskg.project import Project
from newskg.query.catalog import prologue_for
from newskg.query.results import Result, SelectResult
from newskg.query.sparql import where_group_offsets

if TYPE_CHECKING:
    from newskg.query.engines import Engine


class AppState:
    """The project, the default level, and the build as last seen."""

    def __init__(self, project: Project, level: str = LEVELS[0]):
        self.project = project
        self.level = level
        self._lock = threading.RLock()
        self._stamp: tuple | None = None
        self._engine: Engine | None = None
        self._reports: list | None = None

    def _build_stamp(self) -> tuple:
        # The manifest is written last and swapped in with the build: its identity marks a new build.
        stat = self.project.build().manifest_path.stat()
        return stat.st_mtime_ns, stat.st_ino, stat.st_size

    def _fresh(self) -> Engine:
        """The engine, reopened (and the reports forgotten) when the build was replaced."""
        from newskg import api

        try:
            stamp = self._build_stamp()
        except FileNotFoundError:
            stamp = None
        if stamp != self._stamp or self._engine is None:
            self.project.build().manifest()  # BuildMissingError with the usual hint
            self._engine = api.open_engine(self.project)
            self._reports = None
            self._stamp = stamp
        return self._engine

    def execute(self, prepared) -> Result | None:
        """Run a prepared saved query (newskg.api.prepare_query) on the build."""
        from newskg import api

        with self._lock:
            return api.execute(prepared, self._fresh()).result

    def select(self, package_query: str, values: dict[str, list[str]], graphs: list[str]) -> SelectResult:
        """Run one of this package's queries (sparql/NAME) with VALUES bound, over ``graphs``."""
        text = resources.files("newskg.serve").joinpath("sparql").joinpath(package_query).read_text("utf-8")
        start, _ = where_group_offsets(text)
        block = "".join(f" VALUES ?{var} {{ {' '.join(f'<{i}>' for i in iris)} }}" for var, iris in values.items())
        text = text[:start] + block + text[start:]
        with self._lock:
            result = self._fresh().query(prologue_for(text) + text, "SELECT", graphs)
        assert isinstance(result, SelectResult)
        return result

    def reports(self) -> list:
        """Every report of the build, read once per build."""
        from newskg import report

        with self._lock:
            engine = self._fresh()
            if self._reports is None:
                self._reports = report.load(self.project, engine=engine)
            return self._reports

    def graphs(self, level: str) -> list[str]:
        """The default graphs of a level (every graph a query at that level reads)."""
        with self._lock:
            self._fresh()
            return self.project.build().default_graphs(level)

    def graph_iris(self) -> list[str]:
        with self._lock:
            self._fresh()
            return self.project.build().graph_iris()
