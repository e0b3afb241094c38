"""`newskg new-report`: the folder it makes, the text as stored, the metadata, the refusals.

The first report's source.txt is the saved page without its breadcrumb line and its footer, in
UTF-8, NFC, with LF line ends and one final newline; new-report must store a text the same way.
"""

from __future__ import annotations

import shutil
import unicodedata
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Graph, Literal, URIRef
from rdflib import namespace as rdfns

from newskg import api
from newskg.authoring import REPORT_FILES, check_slug, normalise_text
from newskg.build import build_project
from newskg.cli import main
from newskg.errors import UsageError
from newskg.namespaces import DCT, NKG, NKR, SCHEMA, article_graph, article_resource_namespace

FIRST = "pakistan-bangladesh-links-2025"
HEADLINE = "Pakistan and Bangladesh Quietly Rebuild Intelligence and Defence Links"
TEXT = "Talks in Dhaka\n\nOfficials said the talks went well.\n"


@pytest.fixture
def project(tmp_path: Path, project_root: Path) -> Path:
    """A project with the real ontology and checks, and no report yet (so it builds quickly)."""
    root = tmp_path / "project"
    shutil.copytree(project_root / "ontology", root / "ontology")
    shutil.copytree(project_root / "queries", root / "queries")
    (root / "graph").mkdir()
    return root


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def new_report(project: Path, *args: str, text: bytes | None = None):
    source = project.parent / "page.txt"
    source.write_bytes(TEXT.encode() if text is None else text)
    return CliRunner().invoke(main, ["--project", str(project), "new-report", *args, "--source", str(source)])


# ---------------------------------------------------------------------------------- the text


def test_the_first_reports_text_is_reproduced_from_its_saved_page(project_root: Path, tmp_path: Path):
    stored = (project_root / "graph" / FIRST / "source.txt").read_bytes()
    # The page as a browser saves it: the breadcrumb before the headline, the site's footer after
    # the body, Windows line ends.
    page = (f"Home > World > {HEADLINE}\n\n".encode() + stored
            + "\nMost Popular\n\nThe Sunday Guardian is India’s fastest growing News channel\n".encode())
    page = page.replace(b"\n", b"\r\n")
    normalised = normalise_text(page, "page.txt", start_at=HEADLINE, end_before="Most Popular")
    assert normalised.text.encode("utf-8") == stored
    assert "made line ends LF" in normalised.changes
    assert any("cut 2 line(s) before" in c for c in normalised.changes)


def test_the_text_is_stored_utf8_nfc_with_lf_and_one_final_newline():
    decomposed = unicodedata.normalize("NFD", "Café in Dhaka\r\n\r\nSaid: “yes”\r\n\r\n\r\n")
    normalised = normalise_text(b"\xef\xbb\xbf" + decomposed.encode("utf-8"), "page.txt")
    assert normalised.text == "Café in Dhaka\n\nSaid: “yes”\n"
    assert unicodedata.is_normalized("NFC", normalised.text)
    assert normalised.changes == ["removed the byte-order mark", "made line ends LF", "composed characters to NFC",
                                  "trimmed blank lines at either end; one newline at the end"]


def test_a_text_that_needs_nothing_is_stored_as_it_is():
    assert normalise_text(TEXT.encode(), "page.txt").changes == []


@pytest.mark.parametrize("raw, words", [
    (b"caf\xe9\n", "not UTF-8 (byte 0xe9 at offset 3)"),
    (b"a\x00b\n", "NUL"),
    (b"\n \n", "no text is left"),
])
def test_unreadable_text_is_refused(raw: bytes, words: str):
    with pytest.raises(UsageError, match=words.replace("(", r"\(").replace(")", r"\)")):
        normalise_text(raw, "page.txt")


def test_a_cut_line_that_is_not_there_is_refused():
    with pytest.raises(UsageError, match=r"--end-before: no line of page\.txt reads 'Most Popular'"):
        normalise_text(TEXT.encode(), "page.txt", end_before="Most Popular")


# ---------------------------------------------------------------------------------- the folder


def test_new_report_makes_the_folder_and_its_metadata(project: Path):
    result = new_report(project, "dhaka-talks", "--author", "Jane Doe", "--author", "Zoë Ahmed",
                        "--publisher", "nkr:TheSundayGuardian", "--date", "2026-01-15",
                        "--url", "https://example.org/talks")
    assert result.exit_code == 0, result.output
    folder = project / "graph" / "dhaka-talks"
    assert sorted(p.name for p in folder.iterdir()) == sorted(REPORT_FILES)
    assert (folder / "source.txt").read_text(encoding="utf-8") == TEXT
    document = Graph().parse(folder / "document.ttl", format="turtle")
    article = article_resource_namespace("dhaka-talks")["article"]
    assert (article, rdfns.RDF.type, NKG.NewsArticle) in document
    # No --title: the headline is the text's first line.
    assert document.value(article, SCHEMA.headline) == Literal("Talks in Dhaka")
    assert set(document.objects(article, SCHEMA.author)) == {NKR.JaneDoe, NKR.ZoeAhmed}
    assert document.value(NKR.ZoeAhmed, rdfns.RDFS.label) == Literal("Zoë Ahmed", lang="en")
    # A publisher given as a CURIE is the project's resource; the new report does not rename it.
    assert document.value(article, SCHEMA.publisher) == NKR.TheSundayGuardian
    assert document.value(NKR.TheSundayGuardian, rdfns.RDFS.label) is None
    assert document.value(article, SCHEMA.datePublished) == Literal("2026-01-15", datatype=rdfns.XSD.date)
    assert document.value(article, DCT.source) == URIRef("https://example.org/talks")
    assert document.value(article, NKG.sourceText) == Literal("source.txt")


def test_the_empty_encoding_files_parse_and_hold_no_triple(project: Path):
    assert new_report(project, "dhaka-talks").exit_code == 0
    folder = project / "graph" / "dhaka-talks"
    for name in ("claims.ttl", "nodes.ttl", "anchors.ttl"):
        assert len(Graph().parse(folder / name, format="turtle")) == 0, name
    assert "art:claim-example {" in (folder / "content.trig").read_text()  # an example, commented out
    from rdflib import Dataset

    assert len(Dataset().parse(folder / "content.trig", format="trig")) == 0


def test_the_new_report_builds_as_it_is(project: Path):
    assert new_report(project, "dhaka-talks", "--title", "Talks in Dhaka", "--date",
                      "2026-01-15T09:30:00+06:00").exit_code == 0
    result = build_project(project)
    graphs = {g["iri"]: g["triples"] for g in result.manifest["graphs"]}
    assert graphs[str(article_graph("dhaka-talks"))] > 0
    assert "graph/dhaka-talks/document.ttl" in {i["path"] for i in result.manifest["inputs"]}
    assert [w for w in result.warnings if w.severity == "error"] == []


def test_the_api_reads_text_given_as_bytes(project: Path):
    created = api.new_report("from-stdin", "<stdin>", project=project, text=b"Headline\r\nBody.\r\n",
                             title="A title")
    assert created.folder == project / "graph" / "from-stdin"
    assert (created.folder / "source.txt").read_bytes() == b"Headline\nBody.\n"
    assert created.changes == ["made line ends LF"]


def test_the_command_reads_stdin(project: Path):
    result = CliRunner().invoke(main, ["--project", str(project), "new-report", "piped", "--source", "-"],
                                input=b"Piped headline\nBody.\n")
    assert result.exit_code == 0, result.output
    assert (project / "graph" / "piped" / "source.txt").read_text() == "Piped headline\nBody.\n"


# ---------------------------------------------------------------------------------- refusals


def test_an_existing_slug_is_refused_and_nothing_is_written(project: Path):
    assert new_report(project, "dhaka-talks").exit_code == 0
    before = snapshot(project)
    result = new_report(project, "dhaka-talks", text=b"Another text\n")
    assert result.exit_code == 2
    assert "report 'dhaka-talks' exists (graph/dhaka-talks)" in result.output
    assert snapshot(project) == before


@pytest.mark.parametrize("slug, why", [
    ("Dhaka-Talks", "capital letters"),
    ("dhaka_talks", "'_'"),
    ("dhaka talks", "' '"),
    ("../outside", "'.', '/'"),
    ("dhaka.talks", "'.'"),
    ("dhākā", "'ā'"),
    ("a" * 81, "longer than 80"),
])
def test_an_unsafe_slug_is_refused_saying_why_and_nothing_is_written(project: Path, slug: str, why: str):
    before = snapshot(project)
    result = new_report(project, slug)
    assert result.exit_code == 2, result.output
    assert "unsafe report slug" in result.output and why in result.output
    assert snapshot(project) == before
    assert not (project.parent / "outside").exists()


def test_an_empty_slug_or_one_read_as_an_option_is_refused():
    with pytest.raises(UsageError, match="the slug is empty"):
        check_slug("")
    with pytest.raises(UsageError, match="starts with '-'"):
        check_slug("-dhaka")


@pytest.mark.parametrize("args, words", [
    (["--date", "15/01/2026"], "neither a date"),
    (["--url", "example.org/talks"], "not an http(s) URL"),
    (["--author", "অভিনন্দন"], "cannot make a resource name"),
    (["--end-before", "Most Popular"], "no line of"),
])
def test_bad_metadata_is_refused_and_nothing_is_written(project: Path, args: list[str], words: str):
    before = snapshot(project)
    result = new_report(project, "dhaka-talks", *args)
    assert result.exit_code == 2 and words in result.output
    assert snapshot(project) == before
    assert [p.name for p in project.iterdir() if p.name.startswith(".new-report")] == []


def test_a_missing_source_file_is_a_usage_error(project: Path):
    result = CliRunner().invoke(main, ["--project", str(project), "new-report", "x", "--source",
                                       str(project / "nope.txt")])
    assert result.exit_code == 2 and "nope.txt" in result.output and "No such file" in result.output
    assert not (project / "graph" / "x").exists()
    with pytest.raises(UsageError, match="cannot read"):
        api.new_report("x", project / "nope.txt", project=project)


def test_a_folder_that_is_no_project_is_refused(tmp_path: Path):
    source = tmp_path / "page.txt"
    source.write_text(TEXT)
    result = CliRunner().invoke(main, ["--project", str(tmp_path), "new-report", "x", "--source", str(source)])
    assert result.exit_code == 1 and "is not a folder" in result.output
    assert not (tmp_path / "graph").exists()
