"""The README's generated sections match the code: it cannot go stale."""

from __future__ import annotations

from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from newskg.cli import main
from newskg.docs import replace_section, update_document
from newskg.errors import NewskgError


def test_readme_is_up_to_date(project_root: Path):
    result = CliRunner().invoke(main, ["--project", str(project_root), "docs", "--check"])
    assert result.exit_code == 0, "README.md is stale: run `newskg docs` and commit it\n" + result.output


def test_readme_shows_the_two_commands(project_root: Path):
    text = (project_root / "README.md").read_text(encoding="utf-8")
    assert "make run" in text and "make test" in text


def test_every_command_is_in_the_reference(project_root: Path):
    text = (project_root / "README.md").read_text(encoding="utf-8")
    for name in main.list_commands(click.Context(main)):
        assert f"### `newskg {name}`" in text


def test_check_detects_a_stale_section_without_writing(tmp_path: Path):
    doc = tmp_path / "README.md"
    doc.write_text("x\n<!-- BEGIN a -->\nold\n<!-- END a -->\n")
    assert update_document(doc, {"a": "new"}, check=True)
    assert "old" in doc.read_text()
    assert update_document(doc, {"a": "new"})
    assert not update_document(doc, {"a": "new"}, check=True)


def test_missing_markers_are_an_error():
    with pytest.raises(NewskgError, match="no section markers"):
        replace_section("no markers here", "a", "body")


def test_readme_examples_name_real_queries(project_root: Path):
    import re

    from newskg.query.catalog import list_saved_queries

    text = (project_root / "README.md").read_text(encoding="utf-8")
    named = set(re.findall(r"newskg query run ([a-z][a-z0-9-]*[a-z0-9])(?![\w.-])", text))
    available = {q.name for q in list_saved_queries(project_root / "queries")}
    assert named and named <= available, f"README names queries that do not exist: {named - available}"
