"""The layout's rules, checked on the code itself (README, "How it is built")."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "newsarchive"
MODULES = sorted(SRC.rglob("*.py"))
# The page -> article stages and the fetching of pages know no database, no settings, no web
# framework: every module in these folders, and every other module that calls itself pure.
PURE_FOLDERS = ["extract", "fetch"]
SERVICES = ["ingest", "crawl", "stories", "watch", "search", "archive"]  # take plain values
BANNED_IN_PURE = (
    "newsarchive.archive", "newsarchive.db", "newsarchive.config", "newsarchive.services",
    "newsarchive.ingest", "newsarchive.crawl", "newsarchive.search", "newsarchive.watch",
    "fastapi", "sqlalchemy",
)  # fmt: skip


def says_it_is_pure(path: Path) -> bool:
    first = (ast.get_docstring(ast.parse(path.read_text())) or "").split("\n\n")[0]
    return "pure" in first


PURE = sorted(
    {p for folder in PURE_FOLDERS for p in (SRC / folder).rglob("*.py")}
    | {p for p in MODULES if says_it_is_pure(p)}
)


def imported(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)  # and `from newsarchive import archive` as newsarchive.archive
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def test_the_pure_folders_hold_the_extraction_and_fetching_modules() -> None:
    names = {str(p.relative_to(SRC)) for p in PURE}
    assert {"extract/article.py", "fetch/http.py", "ingest/revisions.py"} <= names


@pytest.mark.parametrize("path", PURE, ids=[str(p.relative_to(SRC)) for p in PURE])
def test_pure_stages_import_no_database_settings_or_web(path: Path) -> None:
    found = [m for m in imported(path) if m.startswith(BANNED_IN_PURE)]
    assert found == []


@pytest.mark.parametrize("package", SERVICES)
def test_services_do_not_read_settings(package: str) -> None:
    readers = [
        str(path.relative_to(SRC))
        for path in (SRC / package).rglob("*.py")
        if {"newsarchive.config", "newsarchive.services"} & imported(path)
    ]
    assert readers == []


def test_no_module_over_400_lines() -> None:
    long = {
        str(p.relative_to(SRC)): n for p in MODULES if (n := len(p.read_text().splitlines())) > 400
    }
    assert long == {}


def test_no_module_is_squeezed_under_the_cap_by_the_formatter_switched_off() -> None:
    squeezed = [str(p.relative_to(SRC)) for p in MODULES if "fmt: skip" in p.read_text()]
    assert squeezed == []


def test_no_function_over_60_lines() -> None:
    long = []
    for path in MODULES:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                if length > 60:
                    long.append(f"{path.relative_to(SRC)}:{node.name} ({length} lines)")
    assert long == []


def test_the_repositories_have_one_way_in() -> None:
    """Outside archive/, code writes `from newsarchive import archive` and `archive.name`:
    never a repository module by its own path."""
    direct = [
        f"{path.relative_to(SRC)}: {name}"
        for path in MODULES
        if "archive" not in path.relative_to(SRC).parts[:-1]
        for name in imported(path)
        if name.startswith("newsarchive.archive.")
    ]
    assert direct == []


def test_admin_requests_own_their_transaction_as_api_requests_do() -> None:
    """Admin handlers take the request's session (committed before the response, rolled back
    on error); none opens a transaction of its own."""
    own = [
        str(path.relative_to(SRC))
        for path in (SRC / "admin").rglob("*.py")
        if "session_scope" in path.read_text() or "sessions()" in path.read_text()
    ]
    assert own == []
