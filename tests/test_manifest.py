"""Reading the build manifest: one clear error for a missing or broken build, everywhere."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from newskg.cli import main
from newskg.errors import BuildMissingError
from newskg.project import Build


def test_written_manifest_reads_back(tmp_path: Path):
    Build(tmp_path).write_manifest({"format": 1, "graphs": []})
    assert Build(tmp_path).manifest() == {"format": 1, "graphs": []}


@pytest.mark.parametrize("content, reason", [
    (None, "is missing"),
    ('{"graphs": [', "is corrupt"),
    ('{"format": 1}', "is corrupt"),
    ('{"graphs": {}}', "is corrupt"),
])
def test_missing_or_broken_manifest_is_build_missing(tmp_path: Path, content, reason):
    if content is not None:
        (tmp_path / "manifest.json").write_text(content, encoding="utf-8")
    with pytest.raises(BuildMissingError, match=reason) as err:
        Build(tmp_path).manifest()
    assert "newskg build" in str(err.value)
    assert Build(tmp_path).manifest_or_none() is None


@pytest.mark.parametrize("command", [
    ["stats"],
    ["query", "run", "claim-counts-by-status"],
    ["load", "--endpoint", "http://127.0.0.1:9/sparql"],
])
def test_every_command_says_to_build_first(tmp_path: Path, project_root: Path, command):
    # A project with sources but no build/.
    for name in ("ontology", "graph", "queries"):
        (tmp_path / name).symlink_to(project_root / name)
    result = CliRunner().invoke(main, ["--project", str(tmp_path), *command])
    assert result.exit_code == 1, result.output
    assert "run `newskg build` first" in result.output
    assert "Traceback" not in result.output
