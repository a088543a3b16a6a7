"""The command group: every command listed with its own summary, and a start that loads none
of them (`--help` and `--version` took 1.3 s when every command module came with them)."""

from __future__ import annotations

import subprocess
import sys

import click
import pytest

from newsarchive.cli import COMMANDS, cli


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_each_listed_summary_is_the_start_of_the_commands_own_help(name: str) -> None:
    command = cli.get_command(click.Context(cli), name)
    assert command is not None
    assert command.name == name
    summary = COMMANDS[name][2].removesuffix(".")
    own = " ".join((command.help or "").split())
    assert own.startswith(summary[: len(summary) // 2]), (summary, own)


@pytest.mark.parametrize("flag", ["--help", "--version"])
def test_help_and_version_load_no_command(flag: str) -> None:
    probe = (
        "import sys\n"
        "from newsarchive.cli import cli\n"
        f"sys.argv = ['newsarchive', '{flag}']\n"
        "try:\n    cli()\nexcept SystemExit:\n    pass\n"
        "heavy = ('trafilatura', 'sqlalchemy', 'pydantic', 'newsarchive.services')\n"
        "print('loaded:', sorted(m for m in heavy if m in sys.modules))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True
    ).stdout
    assert out.strip().endswith("loaded: []"), out
    assert "newsarchive" in out
