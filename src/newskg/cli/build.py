"""CLI commands of the build pipeline: build, check, stats, explain."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from newskg.explain import ClashReport, Explanation

from newskg.cli import EXIT_FAILURE


def _root(ctx: click.Context) -> Path:
    return Path(ctx.obj["project"])


def _progress(quiet: bool):
    """The progress callback: prints each stage (unless ``quiet``) and stops the command there if
    Ctrl-C was pressed and its KeyboardInterrupt lost (`newskg.cli.raise_if_interrupted`)."""
    from newskg.cli import raise_if_interrupted

    def say(message: str) -> None:
        raise_if_interrupted()
        if not quiet:
            click.echo(f"  {message} ...", err=True)

    return say


class _StageTimer:
    """Wall and CPU seconds of each stage the progress lines name, for --timings: a stage
    runs from its progress line to the next one (the last to `done`)."""

    def __init__(self, progress) -> None:
        import time

        self.progress = progress
        self.stages = [("start (find inputs, fingerprint)", time.perf_counter(), time.process_time())]

    def __call__(self, message: str) -> None:
        import time

        self.stages.append((message, time.perf_counter(), time.process_time()))
        if self.progress:
            self.progress(message)

    def lines(self, loader_peak_kib: int | None = None, loader_cpu_seconds: float | None = None) -> list[str]:
        """One line a stage, then the peak memory; ``loader_peak_kib``, ``loader_cpu_seconds``:
        the early store loader's (`BuildResult`), said apart: the stages' CPU is this process's,
        and the two peaks may or may not overlap."""
        import resource
        import time

        ends = [(wall, cpu) for _, wall, cpu in self.stages[1:]] + [(time.perf_counter(), time.process_time())]
        rows = [f"{end_wall - wall:8.2f} s wall {end_cpu - cpu:8.2f} s cpu  {message}"
                for (message, wall, cpu), (end_wall, end_cpu) in zip(self.stages, ends, strict=True)]
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
        # Not RUSAGE_CHILDREN: exec records the forking parent's peak as the child's, so any
        # child started late in the build (the loader, the old build's removal) reads as large as
        # this process.
        loader = (f" (and {loader_peak_kib / 1024:.0f} MiB in the store's loader, a process of its own, "
                  "at the same time or not)" if loader_peak_kib else "")
        cpu = ([f"{loader_cpu_seconds:8.2f} s cpu in the store's loader, a process of its own, beside the stages "
                "(their cpu is this process's)"] if loader_cpu_seconds is not None else [])
        return [*rows, *cpu, f"peak memory {peak / 1024:.0f} MiB{loader}"]


@click.command()
@click.option("--force", is_flag=True, help="Rebuild even if no input changed.")
@click.option("--full", is_flag=True,
              help="Reason from scratch even when the last build's reasoning could be extended (its saved "
                   "state is replaced); implies --force.")
@click.option("-q", "--quiet", is_flag=True, help="Print nothing but errors.")
@click.option("-v", "--verbose", is_flag=True, help="List every claim's content graph too, not only their count.")
@click.option("--timings", is_flag=True, help="Print the wall and CPU seconds of each stage, and the peak memory.")
@click.option("--reasoner", type=click.Choice(["rules", "owlrl"]), default="rules", show_default=True,
              help="OWL-RL engine: rules (TBox closed once by owlrl, data by forward chaining; same "
                   "inferences) or owlrl (the reference).")
@click.option("--shacl", type=click.Choice(["sparql", "pyshacl"]), default="sparql", show_default=True,
              help="SHACL validator: sparql (shapes compiled to SPARQL; same problems) or pyshacl (the reference).")
@click.pass_context
def build(ctx: click.Context, force: bool, full: bool, quiet: bool, verbose: bool, timings: bool, reasoner: str,
          shacl: str) -> None:
    """Parse, check and reason over the sources; write build/.

    \b
    Reads ontology/**/*.ttl, graph/**/*.ttl (each report in its own named graph) and
    graph/**/*.trig (each claim's content), checks them (OWL 2 RL profile, quality-check
    queries, text anchors, SHACL shapes), sorts the facts by status level, runs the OWL-RL
    closure level by level and writes build/dataset.trig, build/dataset.nq,
    build/graphs/*.nt and build/manifest.json. The previous build stays untouched
    until the new one is complete.

    \b
    Examples:
      newskg build
      newskg build --force
      newskg build --force --timings             # seconds per stage, peak memory
      newskg build --full                        # reason from scratch, not from the saved state
      newskg build --force --reasoner owlrl      # the reference engine, same result, slower
      newskg --project ../another-project build
    """
    from newskg import api

    progress = timer = _StageTimer(_progress(quiet)) if timings else None
    result = api.build(_root(ctx), force=force or full, full=full, reasoner=reasoner, progress=progress or _progress(quiet),
                       shacl=shacl)
    for warning in result.warnings:
        click.echo(str(warning), err=True)
    if timer:
        for line in timer.lines(result.loader_peak_kib, result.loader_cpu_seconds):
            click.echo(line, err=True)
    if quiet:
        return
    if result.skipped:
        click.echo(f"build is up to date ({result.build_dir}); use --force to rebuild")
        return
    manifest = result.manifest
    content = [g for g in manifest["graphs"] if g["role"] == "content"]
    for graph in manifest["graphs"]:
        if verbose or graph["role"] != "content":
            click.echo(f"{graph['triples']:>8}  {graph['role']:<10}  {graph['iri']}")
    if content and not verbose:
        # One line a claim is thousands of lines on a large corpus: their sum, unless asked.
        click.echo(f"{sum(g['triples'] for g in content):>8}  {'content':<10}  {len(content)} claim graphs "
                   "(-v lists them)")
    click.echo(f"built {result.build_dir} in {result.seconds:.2f} s "
               f"({manifest['noise_removed']} noise triples left out of the inferred graph)")


@click.command()
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True,
              help="table: one problem a line, file:line first; json: a list of objects.")
@click.option("-q", "--quiet", is_flag=True, help="Print only the problems.")
@click.option("--shacl", type=click.Choice(["sparql", "pyshacl"]), default="sparql", show_default=True,
              help="SHACL validator: sparql (shapes compiled to SPARQL; same problems) or pyshacl (the reference).")
@click.pass_context
def check(ctx: click.Context, fmt: str, quiet: bool, shacl: str) -> None:
    """Run every quality check and list all problems; exit 1 if any is an error.

    \b
    The checks: OWL 2 RL profile of each ontology module, queries/checks/*-violation.rq
    (each must return no rows; an undeclared term gets the nearest declared one), text
    anchors against each report's source.txt, properties used outside their declared
    domain or range (judged by the asserted types, before reasoning), OWL-RL consistency,
    and the SHACL shapes of ontology/shapes.ttl. Each problem names its severity, the file
    and line that state its subject (where there is one), the check and the subject.

    \b
    Examples:
      newskg check
      newskg check --format json | jq '.problems[] | select(.severity == "error")'
      newskg check -q || echo "fix the problems above"
    """
    from newskg import api

    problems = sorted(api.check(_root(ctx), progress=_progress(quiet or fmt == "json"), shacl=shacl), key=_place)
    errors = sum(1 for p in problems if p.severity == "error")
    if fmt == "json":
        click.echo(json.dumps({"errors": errors, "warnings": len(problems) - errors,
                               "problems": [p.to_dict() for p in problems]}, indent=2))
    else:
        for line in _problem_table(problems):
            click.echo(line)
    if not quiet and fmt == "table":
        click.echo(f"{errors} error(s), {len(problems) - errors} warning(s)", err=True)
    if errors:
        sys.exit(EXIT_FAILURE)


def _place(problem) -> tuple:
    # Problems with a file first, in file and line order, then the rest as found.
    return (problem.path is None, problem.path or "", problem.line or 0)


def _problem_table(problems) -> list[str]:
    """``file:line  severity  check  subject  message``, the first columns aligned."""
    rows = [(p.where or "-", p.severity, p.check, p.focus or "-", p.message) for p in problems]
    widths = [min(60, max((len(r[i]) for r in rows), default=0)) for i in range(4)]
    return ["  ".join(cell.ljust(width) for cell, width in zip(row[:4], widths, strict=False)) + "  " + row[4] for row in rows]


@click.command()
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table",
              show_default=True, help="Output format.")
@click.pass_context
def stats(ctx: click.Context, fmt: str) -> None:
    """Figures of the build: triples per graph, classes, individuals, claims by status.

    The claims are counted over the whole build, then for each report (its graph) by status
    and by source kind.

    \b
    Examples:
      newskg stats
      newskg stats --format json
    """
    from newskg import api

    figures = api.stats(_root(ctx))
    if fmt == "json":
        click.echo(json.dumps(figures, indent=2))
        return
    click.echo("triples per graph:")
    for iri, count in figures["graphs"].items():
        click.echo(f"  {count:>8}  {iri}")
    for key in ("classes", "individuals", "claims", "noise_removed"):
        click.echo(f"{key.replace('_', ' ')}: {figures[key]}")
    for key in ("claims_by_status", "claims_by_source_kind"):
        click.echo(f"{key.replace('_', ' ')}:")
        for value, count in figures[key].items():
            click.echo(f"  {count:>8}  {value}")
    click.echo("claims per report:")
    for slug, report in figures["reports"].items():
        click.echo(f"  {slug}: {report['claims']} claims")
        for key in ("claims_by_status", "claims_by_source_kind"):
            click.echo(f"    {key.replace('_', ' ').removeprefix('claims ')}:")
            for value, count in report[key].items():
                click.echo(f"    {count:>8}  {value}")


@click.command()
@click.argument("subject", required=False)
@click.argument("predicate", required=False)
@click.argument("object", metavar="OBJECT", required=False)
@click.option("--clash", is_flag=True, help="Explain every inconsistency instead: both sides of each clash.")
@click.pass_context
def explain(ctx: click.Context, subject: str | None, predicate: str | None, object: str | None,
            clash: bool) -> None:
    """Say why the triple SUBJECT PREDICATE OBJECT holds, or why the sources clash.

    \b
    For an inferred triple: the OWL-RL rule and its premises, as a tree down to
    asserted triples. For an asserted one: the file that asserts it. Otherwise: that
    it does not hold (exit 1). Terms are CURIEs (nkg:, nkr:, rdf:, ...) or IRIs;
    the object may be a literal in N3 ("text"@en, 15, "2025-04-01"^^xsd:date).
    It reads the sources, so it also works when the build failed or is stale (it says so).
    --clash (or X rdf:type owl:Nothing) explains each inconsistency: the level where it
    appears, the axiom, and the derivation of both sides; exit 1 if there is none.

    \b
    Examples:
      newskg explain nkr:ISI rdf:type nkg:GovernmentBody
      newskg explain nkr:Pakistan nkg:hasStateBody nkr:ISI
      newskg explain --clash
    """
    from newskg import api
    from newskg.errors import UsageError

    given = [t for t in (subject, predicate, object) if t is not None]
    if clash and given:
        raise UsageError("explain --clash takes no triple")
    if not clash and len(given) != 3:
        raise UsageError("explain needs SUBJECT PREDICATE OBJECT, or --clash")
    result: Explanation | ClashReport
    if clash:
        result = api.explain_clashes(_root(ctx))
    else:
        assert subject is not None and predicate is not None and object is not None  # checked above
        result = api.explain(subject, predicate, object, project=_root(ctx))
    click.echo(result.render())
    if not result.holds:
        sys.exit(EXIT_FAILURE)
