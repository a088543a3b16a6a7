"""The README documents every setting and command (datasette's doc tests)."""

from pathlib import Path

import pytest

from newsarchive.cli import cli
from newsarchive.config import Settings

README = (Path(__file__).resolve().parents[1] / "README.md").read_text()


@pytest.mark.parametrize("field", sorted(Settings.model_fields))
def test_every_setting_is_in_the_readme_table(field: str) -> None:
    assert f"| `NEWSARCHIVE_{field.upper()}` |" in README


@pytest.mark.parametrize("command", sorted(cli.commands))
def test_every_command_is_in_the_readme(command: str) -> None:
    assert f"`newsarchive {command}" in README
