"""The README documents every setting, command and option as they are (datasette's doc tests):
the configuration table row by row against config.Settings, the command table against click."""

from __future__ import annotations

import re
from pathlib import Path

import click
import pytest

from newsarchive import __version__
from newsarchive.cli import cli
from newsarchive.config import PROJECT_URL, Settings

README = (Path(__file__).resolve().parents[1] / "README.md").read_text()
ROWS = {
    name.lower(): (default, meaning)
    for name, default, meaning in re.findall(
        r"^\| `NEWSARCHIVE_(\w+)` \| ([^|]+) \| (.+) \|$", README, re.MULTILINE
    )
}


def _readme_default(value: object) -> str:
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    if isinstance(value, float) and value.is_integer() and value >= 10:
        return f"`{int(value)}`"
    text = str(value).replace(__version__, "<version>").replace(PROJECT_URL, "project URL")
    return f"`{text}`"


@pytest.mark.parametrize("field", sorted(Settings.model_fields))
def test_every_setting_is_in_the_table_with_its_default(field: str) -> None:
    assert field in ROWS, f"NEWSARCHIVE_{field.upper()} is missing from the README table"
    default, meaning = ROWS[field]
    value = Settings.model_fields[field].default
    if value is None:  # unset: the README says what happens then, in words
        assert not default.startswith("`"), default
    else:
        assert default.strip() == _readme_default(value)
    assert len(meaning.split()) >= 3  # it says what the setting does


def test_the_table_has_no_setting_the_code_lacks() -> None:
    assert set(ROWS) == set(Settings.model_fields)


def _commands(group: click.Group, prefix: str = "newsarchive") -> list[tuple[str, click.Command]]:
    found = []
    for name, command in sorted(group.commands.items()):
        path = f"{prefix} {name}"
        if isinstance(command, click.Group):
            found += _commands(command, path)
        else:
            found.append((path, command))
    return found


COMMANDS = _commands(cli)


@pytest.mark.parametrize(("path", "command"), COMMANDS, ids=[p for p, _c in COMMANDS])
def test_every_command_and_option_is_in_the_command_table(
    path: str, command: click.Command
) -> None:
    words = path.split(" ", 1)[1]
    rows = [  # its row: `newsarchive db upgrade ...` / `db downgrade REV` / ...
        line
        for line in README.splitlines()
        if line.startswith("| `newsarchive ")
        and re.search(rf"`(newsarchive )?{re.escape(words)}\b", line)
    ]
    assert rows, f"{path} is not in the README's command table"
    text = " ".join(rows)
    for param in command.params:
        if isinstance(param, click.Option) and not param.hidden:
            longest = max(param.opts, key=len)
            if longest != "--help":
                assert longest in text, f"{path}: {longest} is not in the README"
