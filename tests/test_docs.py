"""The docs describe every setting, command and option as they are (datasette's doc tests): the
configuration table in docs/configuration.md row by row against config.Settings, the command
table in docs/cli.md against click, and every relative link in README.md and docs/*.md against
the files and headings it points to."""

from __future__ import annotations

import re
from pathlib import Path

import click
import pytest

from newsarchive import __version__
from newsarchive.cli import cli
from newsarchive.config import PROJECT_URL, Settings

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
CONFIGURATION = (DOCS / "configuration.md").read_text()
COMMAND_TABLE = (DOCS / "cli.md").read_text()
PAGES = [ROOT / "README.md", *sorted(DOCS.glob("*.md"))]

ROWS = {
    name.lower(): (default, meaning)
    for name, default, meaning in re.findall(
        r"^\| `NEWSARCHIVE_(\w+)` \| ([^|]+) \| (.+) \|$", CONFIGURATION, re.MULTILINE
    )
}


def _documented_default(value: object) -> str:
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    if isinstance(value, float) and value.is_integer() and value >= 10:
        return f"`{int(value)}`"
    text = str(value).replace(__version__, "<version>").replace(PROJECT_URL, "project URL")
    return f"`{text}`"


@pytest.mark.parametrize("field", sorted(Settings.model_fields))
def test_every_setting_is_in_the_table_with_its_default(field: str) -> None:
    assert field in ROWS, f"NEWSARCHIVE_{field.upper()} is missing from docs/configuration.md"
    default, meaning = ROWS[field]
    value = Settings.model_fields[field].default
    if value is None:  # unset: the table says what happens then, in words
        assert not default.startswith("`"), default
    else:
        assert default.strip() == _documented_default(value)
    assert len(meaning.split()) >= 3  # it says what the setting does


def test_the_table_has_no_setting_the_code_lacks() -> None:
    assert set(ROWS) == set(Settings.model_fields)


def _commands(group: click.Group, prefix: str = "newsarchive") -> list[tuple[str, click.Command]]:
    found = []
    context = click.Context(group)
    for name in group.list_commands(context):  # (the top group loads its commands on demand)
        command = group.get_command(context, name)
        assert command is not None, name
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
        for line in COMMAND_TABLE.splitlines()
        if line.startswith("| `newsarchive ")
        and re.search(rf"`(newsarchive )?{re.escape(words)}\b", line)
    ]
    assert rows, f"{path} is not in docs/cli.md's command table"
    text = " ".join(rows)
    for param in command.params:
        if isinstance(param, click.Option) and not param.hidden:
            longest = max(param.opts, key=len)
            if longest != "--help":
                assert longest in text, f"{path}: {longest} is not in docs/cli.md"


# Links: [text](target) and ![alt](target), outside code blocks and inline code.
FENCED = re.compile(r"^```.*?^```", re.MULTILINE | re.DOTALL)
INLINE_CODE = re.compile(r"`[^`\n]*`")
LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)[^)]*\)")
SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*:", re.IGNORECASE)  # https:, mailto:, ...


def _prose(page: Path) -> str:
    return INLINE_CODE.sub("", FENCED.sub("", page.read_text()))


def _anchors(page: Path) -> set[str]:
    """The ids GitHub gives the page's headings: lower case, punctuation dropped, spaces to
    hyphens, and -1, -2, ... after a repeated one."""
    seen: dict[str, int] = {}
    anchors = set()
    for heading in re.findall(r"^#{1,6}\s+(.+?)\s*#*$", FENCED.sub("", page.read_text()), re.M):
        slug = re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")
        anchors.add(f"{slug}-{seen[slug]}" if slug in seen else slug)
        seen[slug] = seen.get(slug, 0) + 1
    return anchors


LINKS = [
    (page, target)
    for page in PAGES
    for target in LINK.findall(_prose(page))
    if not SCHEME.match(target)
]


def test_the_docs_have_relative_links() -> None:
    assert len(LINKS) > 20  # the pattern finds them


@pytest.mark.parametrize(
    ("page", "target"), LINKS, ids=[f"{p.relative_to(ROOT)} -> {t}" for p, t in LINKS]
)
def test_every_relative_link_points_to_a_file_that_exists(page: Path, target: str) -> None:
    path, _, anchor = target.partition("#")
    linked = (page.parent / path).resolve() if path else page
    assert linked.is_relative_to(ROOT), f"{target} points outside the repository"
    assert linked.exists(), f"{page.name}: {target} does not exist"
    if anchor and linked.suffix == ".md":
        assert anchor in _anchors(linked), f"{page.name}: {target}: no such heading"


def test_the_readme_links_every_docs_page() -> None:
    linked = {
        (ROOT / target.partition("#")[0]).resolve()
        for page, target in LINKS
        if page.name == "README.md"
    }
    assert [p.name for p in DOCS.glob("*.md") if p not in linked] == []
