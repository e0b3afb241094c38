"""Status levels: one spelling of the levels, and what each level shows of the real article."""

from __future__ import annotations

from click.testing import CliRunner

from newskg.cli import main
from newskg.cli.query import LEVEL_CHOICES
from newskg.namespaces import LEVELS


def test_the_cli_offers_exactly_the_library_levels():
    assert LEVEL_CHOICES == LEVELS


def test_an_unknown_level_is_a_usage_error(tmp_path):
    result = CliRunner().invoke(main, ["--project", str(tmp_path), "query", "run", "x", "--at", "rumoured"])
    assert result.exit_code == 2 and "rumoured" in result.output
