"""Bad input, tried as a user would type it: every case ends in one clear `error:` line naming
the file and what to do, with the documented exit code, no traceback, no password shown and
the build left as it was (issue 14, items 1 and 2).

The cases run in-process (CliRunner) against copies of one small built project; the few that
need a real process (permissions without root's override, signals, a closed stdout) run one.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from hostile_support import BASE_ENV, CANARY_PASSWORD, Outcome, check, copy_project, newskg, record, tree
from newskg.build import build_project
from test_build import PREFIXES, write_project

REPORT = "graph/demo/report.ttl"
CONTENT = "graph/demo/content.trig"
TEXT = "graph/demo/source.txt"

QUERIES = {
    "claims.rq": "#+ title: The claims\nSELECT ?claim WHERE { ?claim a nkg:Claim } ORDER BY ?claim\n",
    "echo-text.rq": "#+ title: Echo a text\n#+ param: text | string | - | Any text\nSELECT ?text WHERE { }\n",
    "echo-iri.rq": "#+ title: Echo an IRI\n#+ param: thing | iri | - | Any IRI\nSELECT ?thing WHERE { }\n",
}


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    """A small project (one report, saved queries), built once; each test spoils a copy."""
    root = write_project(tmp_path_factory.mktemp("hostile") / "project")
    (root / "queries").mkdir()
    for name, text in QUERIES.items():
        (root / "queries" / name).write_text(text, encoding="utf-8")
    build_project(root)
    return root


@pytest.fixture
def project(template: Path, tmp_path: Path) -> Path:
    return copy_project(template, tmp_path / "project")


def append(path: Path, data: bytes) -> None:
    with open(path, "ab") as handle:
        handle.write(data)


def new_report(project: Path, name: str) -> Path:
    """A second report folder named ``name`` with a Turtle file of its own."""
    folder = project / "graph" / name
    folder.mkdir()
    (folder / "report.ttl").write_text(PREFIXES + "art:other a nkg:Claim .\n", encoding="utf-8")
    return folder


def link(target: str, at: Path) -> None:
    at.symlink_to(target)


# Each case: how to spoil the project, and what the error must name (the file, what to do).
SPOILED_SOURCES = {
    "truncated-turtle": (lambda p: (p / REPORT).write_bytes((p / REPORT).read_bytes()[:300]),
                         (REPORT + ":", "syntax error")),
    "nul-byte-in-turtle": (lambda p: append(p / REPORT, b'art:x rdfs:comment "a\x00b" .\n'),
                           (REPORT, "NUL byte", "byte offset", "line ")),
    "nul-byte-in-source-text": (lambda p: append(p / TEXT, b"\x00"), (TEXT, "NUL byte")),
    "latin-1-turtle": (lambda p: append(p / REPORT, b'art:x rdfs:comment "caf\xe9" .\n'),
                       (REPORT, "not UTF-8", "0xE9", "line ", "save the file as UTF-8")),
    "latin-1-trig": (lambda p: append(p / CONTENT, b'art:claim-1 { art:x rdfs:comment "\xff" . }\n'),
                     (CONTENT, "not UTF-8", "0xFF")),
    "latin-1-source-text": (lambda p: append(p / TEXT, b"caf\xe9\n"), (TEXT, "not UTF-8", "line 2")),
    "latin-1-ontology": (lambda p: append(p / "ontology/core.ttl", b"# \xe9\n"), ("ontology/core.ttl", "not UTF-8")),
    "literal-as-predicate": (lambda p: append(p / REPORT, b'art:x "lit" art:y .\n'),
                             (REPORT, '"lit" is used as a predicate')),
    "iri-with-a-space": (lambda p: append(p / REPORT, b"<https://x.example/a b> a nkg:Claim .\n"),
                         (REPORT, "<https://x.example/a b>", "a space", "percent-encode")),
    "iri-with-an-escaped-tab": (lambda p: append(p / REPORT, b"<https://x.example/a\\u0009b> a nkg:Claim .\n"),
                                (REPORT, "U+0009")),
    "escaped-surrogate": (lambda p: append(p / REPORT, b'art:x rdfs:comment "a\\uD800b" .\n'),
                          (REPORT, "surrogate")),
    "literal-over-1-MiB": (lambda p: append(p / REPORT, b'art:x rdfs:comment "' + b"x" * (1024 * 1024 + 1) + b'" .\n'),
                           (REPORT, "over the 1 MiB limit", "NEWSKG_MAX_LITERAL_BYTES")),
    "turtle-file-of-50-MB": (lambda p: (p / "graph/demo/big.ttl").write_bytes(b"#" * 50_000_000),
                             ("graph/demo/big.ttl", "larger than 16 MiB", "NEWSKG_MAX_INPUT_BYTES")),
    "source-text-of-50-MB": (lambda p: (p / TEXT).write_bytes(b"x" * 50_000_000), (TEXT, "larger than 16 MiB")),
    "unknown-prefix": (lambda p: append(p / REPORT, b"nope:x a nkg:Claim .\n"), (REPORT, "nope")),
    "slug-with-percent": (lambda p: new_report(p, "my%20report"), ("graph/my%20report/", "'%'", "rename it")),
    "slug-with-a-tab": (lambda p: new_report(p, "my\treport"), ("graph/my\\treport/", "U+0009", "rename it")),
    "slug-with-a-newline": (lambda p: new_report(p, "my\nreport"), ("graph/my\\nreport/", "U+000A")),
    "slug-with-a-space": (lambda p: new_report(p, "my report"), ("graph/my report/", "U+0020", "graph IRI")),
    "slug-not-ascii": (lambda p: new_report(p, "rapport-été"), ("graph/rapport-été/", "'é'")),
    "slug-not-utf-8": (lambda p: new_report(p, os.fsdecode(b"caf\xe9")), ("graph/caf\\udce9/", "rename it")),
    "iri-with-bad-percent-encoding": (lambda p: append(p / REPORT, b"<https://x.example/100%> a nkg:Claim .\n"),
                                      (REPORT, "<https://x.example/100%>", "percent encoding")),
    "slug-starting-with-a-dash": (lambda p: new_report(p, "-x"), ("graph/-x/", "start with a letter or digit")),
    "symlinked-report-folder": (lambda p: link("../real", (p / "graph/demo").rename(p / "real").parent / "graph/demo"),
                                ("graph/demo", "symbolic link", "copy it in")),
    "symlinked-turtle-file": (lambda p: link("report.ttl", p / "graph/demo/again.ttl"),
                              ("graph/demo/again.ttl", "symbolic link")),
    "dangling-link": (lambda p: link("/nonexistent/x.ttl", p / "graph/demo/gone.ttl"), ("graph/demo/gone.ttl",)),
    "symlink-loop": (lambda p: link("loop.ttl", p / "graph/demo/loop.ttl"), ("graph/demo/loop.ttl",)),
    "folder-named-like-turtle": (lambda p: (p / "graph/demo/x.ttl").mkdir(), ("graph/demo/x.ttl/", "is a folder")),
    "file-where-a-folder-should-be": (lambda p: (p / "graph/notes").write_text("to do\n"),
                                      ("graph/notes", "a file where a report folder should be")),
    "turtle-directly-under-graph": (lambda p: (p / "graph/stray.ttl").write_text(PREFIXES),
                                    ("graph/stray.ttl", "background.ttl")),
    "folder-with-only-source-text": (lambda p: (p / "graph/draft").mkdir() or (p / "graph/draft/source.txt").write_text("x"),
                                     ("graph/draft/", "no .ttl or .trig")),
    "empty-report-folder": (lambda p: (p / "graph/empty").mkdir(), ("graph/empty/", "no .ttl or .trig")),
    "hidden-report-folder": (lambda p: (p / "graph/demo").rename(p / "graph/.demo"),
                             ("graph/.demo/", "hidden folder", "rename it")),
    "control-character-in-a-file-name": (lambda p: (p / "graph/demo/a\tb.ttl").write_text(PREFIXES),
                                         ("graph/demo/a\\tb.ttl", "control character")),
    "anchor-offset-not-an-integer": (lambda p: (p / REPORT).write_text(
        (p / REPORT).read_text().replace("oa:start 11", 'oa:start "eleven"')), ("source.txt", "integer")),
}


@pytest.mark.parametrize("case", sorted(SPOILED_SOURCES))
def test_a_spoiled_source_is_refused_naming_it_and_the_build_is_unchanged(project: Path, case: str):
    spoil, mentions = SPOILED_SOURCES[case]
    before = tree(project / "build")
    spoil(project)
    outcome = newskg("build", "--force", project=project)
    check(outcome, kind="bad-input", case=f"build: {case}", code=1, mentions=mentions,
          unchanged=(before, tree(project / "build")), folders=(project / "build",))
    # `check` reads the same sources: it refuses them the same way.
    checked = newskg("check", project=project)
    check(checked, kind="bad-input", case=f"check: {case}", code=1, mentions=mentions[:1], listing=True)


def test_a_byte_order_mark_is_accepted(project: Path):
    append(project / REPORT, b"")
    (project / REPORT).write_bytes(b"\xef\xbb\xbf" + (project / REPORT).read_bytes())
    outcome = newskg("build", "--force", "-q", project=project)
    check(outcome, kind="bad-input", case="build: a byte-order mark", code=0)
    claims = newskg("query", "run", "claims", "--format", "csv", project=project)
    assert claims.exit_code == 0 and "claim-1" in claims.stdout


def test_hidden_files_are_not_read(project: Path):
    # An editor's lock file (a dangling link) and a notebook's checkpoints: not part of the project.
    (project / "graph/demo/.#report.ttl").symlink_to("root@host.1234")
    (project / "graph/.DS_Store").write_bytes(b"\x00\x01")
    outcome = newskg("build", "--force", "-q", project=project)
    check(outcome, kind="bad-input", case="build: hidden files", code=0)


def test_limits_are_configurable(project: Path):
    append(project / REPORT, b'art:x rdfs:comment "' + b"x" * (1024 * 1024 + 1) + b'" .\n')
    outcome = newskg("build", "--force", "-q", project=project, env={"NEWSKG_MAX_LITERAL_BYTES": "4194304"})
    check(outcome, kind="bad-input", case="build: a literal under a raised limit", code=0)
    bad = newskg("build", "--force", project=project, env={"NEWSKG_MAX_LITERAL_BYTES": "lots"})
    check(bad, kind="bad-input", case="build: a limit that is not a number", code=2,
          mentions=("NEWSKG_MAX_LITERAL_BYTES", "positive number"))


# --- the build folder ------------------------------------------------------------------------------


@pytest.mark.parametrize("args", [("query", "run", "claims"), ("stats",), ("query", "run-all"),
                                  ("load", "--endpoint", "http://127.0.0.1:9/sparql")])
def test_a_missing_build_says_to_build(project: Path, args: tuple[str, ...]):
    import shutil

    shutil.rmtree(project / "build")
    outcome = newskg(*args, project=project)
    check(outcome, kind="bad-input", case=f"{args[0]} without a build", code=1,
          mentions=("newskg build",), unchanged=({}, tree(project / "build")))


BROKEN_BUILDS = {
    "truncated-manifest": lambda b: (b / "manifest.json").write_text('{"graphs": [{"iri": "x"'),
    "manifest-not-an-object": lambda b: (b / "manifest.json").write_text("[1, 2]"),
    "dataset-truncated": lambda b: (b / "dataset.nq").write_bytes((b / "dataset.nq").read_bytes()[:100]),
    "dataset-binary": lambda b: (b / "dataset.nq").write_bytes(b"\x00\xff" * 100),
    "graph-file-missing": lambda b: (b / "graphs" / "ontology.nt").unlink(),
}


@pytest.mark.parametrize("case", sorted(BROKEN_BUILDS))
def test_a_broken_build_is_named_and_rebuilt_on_request(project: Path, case: str):
    BROKEN_BUILDS[case](project / "build")
    before = tree(project / "build")
    command = ("load", "--endpoint", "http://127.0.0.1:9/sparql") if case == "graph-file-missing" else (
        "query", "run", "claims")
    for engine in (["--engine", "rdflib"], []) if command[0] == "query" else ([],):
        outcome = newskg(*command, *engine, project=project)
        check(outcome, kind="bad-input", case=f"{' '.join(command[:2])} {' '.join(engine)}: {case}", code=1,
              mentions=("build",), unchanged=(before, tree(project / "build")))
    rebuilt = newskg("build", "--force", "-q", project=project)
    check(rebuilt, kind="bad-input", case=f"build --force after {case}", code=0)


# --- queries ---------------------------------------------------------------------------------------

SPOILED_QUERIES = {
    "syntax-error": (b"#+ title: Broken\nSELECT ?x WHERE { ?x a }\n", 1, ("bad.rq:3:1", "syntax error")),
    "unknown-header": (b"#+ titel: Typo\nSELECT * WHERE { }\n", 1, ("bad.rq:1", "unknown header key")),
    "not-utf-8": (b"#+ title: caf\xe9\nSELECT * WHERE { }\n", 1, ("bad.rq", "not UTF-8", "line 1")),
    "nul-byte": (b"SELECT * WHERE { }\x00\n", 1, ("bad.rq", "NUL byte")),
    "50-MB": (b"#" * 50_000_000, 1, ("bad.rq", "larger than 16 MiB")),
    "update-with-a-title": (b"#+ title: Harmless\nDELETE WHERE { ?s ?p ?o }\n", 2, ("bad.rq", "update")),
    "query-then-drop": (b"SELECT * WHERE { ?s ?p ?o } ; DROP ALL\n", 2, ("bad.rq", "update")),
    "lower-case-insert": (b"insert data { <urn:a> <urn:b> <urn:c> }\n", 2, ("bad.rq", "update")),
    "escaped-drop": (b"SELECT * WHERE { } \\u0044ROP ALL\n", 1, ("bad.rq",)),
    "no-query-form": (b"#+ title: Nothing\n", 1, ("no SELECT",)),
}


@pytest.mark.parametrize("engine", ["embedded", "rdflib"])
@pytest.mark.parametrize("case", sorted(SPOILED_QUERIES))
def test_a_spoiled_query_file_is_refused_and_changes_nothing(project: Path, case: str, engine: str):
    text, code, mentions = SPOILED_QUERIES[case]
    (project / "bad.rq").write_bytes(text)
    before = tree(project / "build")
    outcome = newskg("query", "run", str(project / "bad.rq"), "--engine", engine, project=project)
    check(outcome, kind="bad-input", case=f"query run ({engine}): {case}", code=code, mentions=mentions,
          unchanged=(before, tree(project / "build")))


def test_a_byte_order_mark_in_a_query_is_accepted(project: Path):
    (project / "bom.rq").write_bytes(b"\xef\xbb\xbf" + QUERIES["claims.rq"].encode())
    outcome = newskg("query", "run", str(project / "bom.rq"), "--format", "csv", project=project)
    check(outcome, kind="bad-input", case="query run: a byte-order mark", code=0)
    assert "claim-1" in outcome.stdout


BAD_USAGE = [
    ("build", "--frobnicate"),
    ("query", "run", "claims", "--nope"),
    ("query", "run", "claims", "-p", "text"),
    ("query", "run", "echo-text"),
    ("query", "run", "echo-text", "-p", "text=x", "-p", "other=y"),
    ("query", "run", "claims", "--at", "rumoured"),
    ("query", "run", "claims", "--limit", "-1"),
    ("query", "run", "claims", "--timeout", "0"),
    ("query", "run", "no-such-query"),
    ("frobnicate",),
    ("anchor", "demo"),
    ("load", "--endpoint", "ftp://127.0.0.1/x"),
    ("load", "--endpoint", "http://127.0.0.1:port/"),
    ("query", "run", "claims", "--endpoint", "http://[::1/"),
    ("load", "--endpoint", "http://127.0.0.1:9/", "--preset", "nope"),
    ("load", "--endpoint", "http://127.0.0.1:9/", "--graphs", "no-such-graph"),
    ("load", "--endpoint", "http://127.0.0.1:9/", "--graph-prefix", "not an iri"),
]


@pytest.mark.parametrize("args", BAD_USAGE, ids=" ".join)
def test_a_usage_error_exits_2_without_a_traceback(project: Path, args: tuple[str, ...]):
    before = tree(project / "build")
    outcome = newskg(*args, project=project)
    check(outcome, kind="bad-input", case=" ".join(args), code=2, unchanged=(before, tree(project / "build")))
    assert outcome.stderr.strip(), "a usage error says what is wrong"


def test_anchor_on_a_source_text_that_is_not_utf_8(project: Path):
    append(project / TEXT, b"\xff")
    outcome = newskg("anchor", "demo", "sources said", project=project)
    check(outcome, kind="bad-input", case="anchor: source.txt not UTF-8", code=1, mentions=("source.txt", "UTF-8"))


# --- parameters that try to break out of the query --------------------------------------------------

BREAKOUTS = {
    "double-quote": 'x" } ; DROP ALL ; #',
    "single-quote": "x' } ; DROP ALL ; #",
    "triple-quote": '"""',
    "angle": "> } DROP ALL { <",
    "braces": "} } { {",
    "newline": "a\n} ; DROP ALL\n#",
    "hash": "# } ; DROP ALL",
    "nul": "a\x00b",
    "rtl-marks": "\u202edcba\u200f\u2066x\u2069",
    "backslash-u": "\\u0022 } ; DROP ALL ; #",
    "backslash-U": "\\U00000022",
    "backslashes": "\\\\\\",
    "one-MB": "é" * (512 * 1024),
}


@pytest.mark.parametrize("engine", ["embedded", "rdflib"])
@pytest.mark.parametrize("case", sorted(BREAKOUTS))
def test_a_string_parameter_is_one_literal_on_local_engines(project: Path, case: str, engine: str):
    value = BREAKOUTS[case]
    before = tree(project / "build")
    outcome = newskg("query", "run", "echo-text", "-p", f"text={value}", "--format", "json", "--engine", engine,
                     project=project)
    check(outcome, kind="bad-input", case=f"parameter ({engine}): {case}", code=0,
          unchanged=(before, tree(project / "build")))
    rows = json.loads(outcome.stdout)["results"]["bindings"]
    assert [row["text"]["value"] for row in rows] == [value]


@pytest.mark.parametrize("case", sorted(BREAKOUTS))
def test_an_iri_parameter_never_breaks_out(project: Path, case: str):
    value = "nkr:ISI" + BREAKOUTS[case]
    outcome = newskg("query", "run", "echo-iri", "-p", f"thing={value}", "--format", "json", project=project)
    if outcome.exit_code == 0:  # characters an IRI may hold (RTL marks): bound as that one IRI
        check(outcome, kind="bad-input", case=f"iri parameter: {case}", code=0)
        [row] = json.loads(outcome.stdout)["results"]["bindings"]
        assert row["thing"] == {"type": "uri", "value": "https://w3id.org/newskg/resource/ISI" + BREAKOUTS[case]}
    else:
        check(outcome, kind="bad-input", case=f"iri parameter: {case}", code=2, mentions=("thing", "not an IRI"))


def test_a_value_that_is_not_unicode_text_is_refused(project: Path):
    # What Python makes of bytes that are not UTF-8 on a command line (surrogate escapes).
    outcome = newskg("query", "run", "echo-text", "-p", "text=caf\udce9", project=project)
    check(outcome, kind="bad-input", case="parameter: not Unicode", code=2, mentions=("text", "UTF-8"))


# --- permissions: a real process, without root's power to read and write anything ------------------


def unprivileged(argv: list[str]) -> list[str]:
    """``argv`` as a process that file permissions apply to, even when the tests run as root."""
    if os.geteuid() != 0:
        return argv
    caps = "-dac_override,-dac_read_search"
    return ["setpriv", f"--inh-caps={caps}", f"--bounding-set={caps}", *argv]


def run_cli(project: Path, *args: str, limit: float = 120) -> Outcome:
    env = {k: v for k, v in {**os.environ, **BASE_ENV}.items() if v is not None}
    argv = unprivileged([sys.executable, "-m", "newskg", "--project", str(project), *args])
    done = subprocess.run(argv, capture_output=True, text=True, timeout=limit, env=env)
    return Outcome(done.returncode, done.stdout, done.stderr, 0.0)


PERMISSIONS = {
    "unreadable-report-folder": ("graph/demo", 0o000, "build", 1, ("graph/demo/", "cannot be read", "chmod")),
    "unreadable-turtle-file": (REPORT, 0o000, "build", 1, (REPORT, "Permission denied")),
    "unreadable-source-text": (TEXT, 0o000, "build", 1, (TEXT, "Permission denied")),
    "unwritable-project-root": (".", 0o555, "build", 1, ("cannot write the build", "unchanged")),
    "read-only-build-queried": ("build", 0o555, "query", 0, ()),
}


@pytest.mark.parametrize("case", sorted(PERMISSIONS))
def test_permissions_are_named(project: Path, case: str):
    where, mode, command, code, mentions = PERMISSIONS[case]
    target = project / where
    if case == "unwritable-project-root":
        import shutil

        shutil.rmtree(project / "build")
    if case == "read-only-build-queried":
        for path in [target, *target.rglob("*")]:
            path.chmod(0o555 if path.is_dir() else 0o444)
    before = tree(project / "build")
    saved = target.stat().st_mode
    target.chmod(mode)
    try:
        args = ("build", "--force") if command == "build" else ("query", "run", "claims", "--format", "csv")
        outcome = run_cli(project, *args)
    finally:
        target.chmod(saved)
        for path in project.rglob("*"):
            if not path.is_symlink():
                path.chmod(path.stat().st_mode | 0o700 if path.is_dir() else path.stat().st_mode | 0o600)
    check(outcome, kind="bad-input", case=f"{command}: {case}", code=code, mentions=mentions,
          unchanged=(before, tree(project / "build")))
    if case == "read-only-build-queried":
        assert "claim-1" in outcome.stdout


# --- signals and a closed stdout -------------------------------------------------------------------


def test_an_interrupted_build_says_so_and_leaves_the_build(project: Path):
    before = tree(project / "build")
    env = {k: v for k, v in {**os.environ, **BASE_ENV}.items() if v is not None}
    child = subprocess.Popen([sys.executable, "-m", "newskg", "--project", str(project), "build", "--force"],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    # Interrupt once the build has started its work (its first progress line), as Ctrl-C would.
    assert child.stderr is not None
    first = child.stderr.readline()
    child.send_signal(signal.SIGINT)
    stdout, stderr = child.communicate(timeout=60)
    outcome = Outcome(child.returncode, stdout, first + stderr, 0.0)
    record("bad-input", "build: Ctrl-C", traceback="Traceback" in outcome.output,
           leaked=CANARY_PASSWORD in outcome.output, lost=before != tree(project / "build"))
    assert "parsing" in first
    assert child.returncode == 130 and "interrupted" in stderr and "Traceback" not in stderr
    assert tree(project / "build") == before
    assert not [p for p in project.iterdir() if p.name.startswith(".build-")]


@pytest.mark.parametrize("lost_in", ["newskg.build.reason_by_level", "newskg.build.writer._parse_back"])
def test_an_interrupt_whose_keyboardinterrupt_was_lost_still_stops_the_build(project: Path, monkeypatch, lost_in):
    """CPython drops an exception raised inside a finaliser (a generator being closed): Ctrl-C's
    KeyboardInterrupt can be lost mid-build. The handler's record of it stops the build at its next
    stage, at the latest right before the swap: exit 130, the build as it was."""
    import importlib

    from click.testing import CliRunner

    from newskg.cli import INTERRUPTED, main

    before = tree(project / "build")
    module_name, _, name = lost_in.rpartition(".")
    module = importlib.import_module(module_name)
    real = getattr(module, name)

    def interrupted_and_lost(*args, **kwargs):
        INTERRUPTED.set()  # what the handler does first; the KeyboardInterrupt it raises is lost
        return real(*args, **kwargs)

    monkeypatch.setattr(module, name, interrupted_and_lost)
    result = CliRunner().invoke(main, ["--project", str(project), "build", "--force", "--quiet"])
    assert result.exit_code == 130 and "interrupted" in result.output, result.output
    assert tree(project / "build") == before
    assert not [p for p in project.iterdir() if p.name.startswith(".build-")]


def test_a_closed_stdout_ends_quietly(project: Path):
    env = {k: v for k, v in {**os.environ, **BASE_ENV}.items() if v is not None}
    # A reader that goes away after one byte, as `| head -c 1` does.
    child = subprocess.Popen([sys.executable, "-m", "newskg", "--project", str(project), "query", "run", "echo-text",
                              "-p", "text=" + "x" * 100_000, "--format", "csv"],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    assert child.stdout is not None and child.stderr is not None
    child.stdout.read(1)
    child.stdout.close()
    stderr = child.stderr.read().decode()
    child.wait(timeout=60)
    record("bad-input", "query run | head -c 1", traceback="Traceback" in stderr)
    assert child.returncode in (0, 1) and "Traceback" not in stderr and "Exception" not in stderr
