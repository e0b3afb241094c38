"""Typed errors of the library. The CLI turns them into messages in one place.

Each error carries its exit code: 1 for a failure (bad data, unreachable store,
failed check), 2 for a usage error (unknown query, bad parameter).
"""

from __future__ import annotations

from dataclasses import dataclass, field


class NewskgError(Exception):
    """Base of every error a user can cause or meet; never shown as a traceback."""

    exit_code = 1


class UsageError(NewskgError):
    """The command was asked for something that does not exist or is malformed."""

    exit_code = 2


class InputMissingError(NewskgError):
    """A folder or file the command needs is not there."""


class BuildMissingError(NewskgError):
    """The build folder is absent or incomplete; run `newskg build` first."""


class RdfSyntaxError(NewskgError):
    """An RDF file failed to parse; names the file, line and column."""

    def __init__(self, path: str, line: int | None, column: int | None, detail: str):
        self.path, self.line, self.column, self.detail = path, line, column, detail
        where = path
        if line is not None:
            where += f":{line}"
            if column is not None:
                where += f":{column}"
        super().__init__(f"{where}: syntax error: {detail}")


@dataclass
class Problem:
    """One finding of a check: what is wrong, where, and how bad.

    ``path`` is the project-relative file the problem is in and ``line`` (1-based) the line
    there that states ``focus`` (the subject the problem is about, as a CURIE or <IRI>), or
    ``triple`` when the problem is about one triple, where the source has such a line; both
    are filled in after the check by `newskg.build.locations.locate`.
    """

    check: str
    message: str
    severity: str = "error"
    focus: str | None = None
    path: str | None = None
    line: int | None = None
    #: (subject, predicate, object) when the problem is about one triple; only for locating it
    triple: tuple | None = field(default=None, repr=False, compare=False)

    @property
    def where(self) -> str:
        """``path:line``, ``path``, or empty when the problem has no place in a file."""
        if not self.path:
            return ""
        return f"{self.path}:{self.line}" if self.line else self.path

    def to_dict(self) -> dict:
        """The problem as plain data (for JSON output)."""
        return {"severity": self.severity, "check": self.check, "path": self.path, "line": self.line,
                "focus": self.focus, "message": self.message}

    def __str__(self) -> str:
        where = f"{self.where}: " if self.path else ""
        focus = f" [{self.focus}]" if self.focus else ""
        return f"{where}{self.severity}: {self.check}: {self.message}{focus}"


class ValidationError(NewskgError):
    """One or more checks failed (SHACL, text anchors, undeclared terms, ...)."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        lines = [str(p) for p in problems]
        super().__init__(f"{len(problems)} problem(s):\n  " + "\n  ".join(lines))


class InconsistencyError(NewskgError):
    """The OWL-RL closure found a contradiction (e.g. disjoint classes share a member)."""

    def __init__(self, findings: list[tuple[str, str]]):
        # findings: (rule id, message naming the individuals)
        self.findings = findings
        lines = [f"{rule}: {msg}" for rule, msg in findings]
        super().__init__("the graph is inconsistent:\n  " + "\n  ".join(lines))


class QueryNotFoundError(UsageError):
    """No saved query of that name; suggests close names."""

    def __init__(self, name: str, suggestions: list[str], available: list[str]):
        self.name, self.suggestions, self.available = name, suggestions, available
        msg = f"no saved query named {name!r}"
        if suggestions:
            msg += "; did you mean: " + ", ".join(suggestions) + "?"
        else:
            msg += "; available: " + ", ".join(available)
        super().__init__(msg)


class ParameterError(UsageError):
    """A query parameter is unknown, missing, or of the wrong type."""


class QuerySyntaxError(NewskgError):
    """A saved query does not parse; names the file and position."""


class EndpointError(NewskgError):
    """A SPARQL endpoint or graph store could not be reached or answered with an error."""


class LoadError(NewskgError):
    """Loading into a triple store failed; names the graph and what the store answered."""


class InputError(NewskgError):
    """An input file or folder is refused: unreadable, not UTF-8, a name that cannot be a graph
    IRI, a term no RDF store accepts, or a value over a size limit. Names the file and what to do."""


class UnsupportedShapeError(InputError):
    """A SHACL shape uses a feature the SPARQL validator does not compile (newskg.build.shapes);
    names the shape and the feature. `--shacl pyshacl` validates any shapes graph."""


class BuildBusyError(NewskgError):
    """Another `newskg build` is writing the same build folder right now."""


class BuildWriteError(NewskgError, OSError):
    """The build folder could not be written (permissions, disk full, a parse-back that failed);
    the previous build is unchanged. Also an OSError, which is what it reports, so callers that
    catch the system's errors keep catching it."""
