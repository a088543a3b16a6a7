"""The layout's rules, checked on the code itself (README, "How it is built")."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "newsarchive"
PURE = [
    "urls", "fetch", "charset", "metadata", "dates", "authors", "titles", "page_kind",
    "library_meta", "extract", "revisions", "stories", "health", "discover", "files", "page",
]  # fmt: skip
SERVICES = ["ingest", "search", "archive"]  # take plain values; only entry points read Settings
MODULES = sorted(SRC.rglob("*.py"))


def imported(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


@pytest.mark.parametrize("name", PURE)
def test_pure_stages_import_no_database_settings_or_web(name: str) -> None:
    banned = (
        "newsarchive.archive",
        "newsarchive.db",
        "newsarchive.config",
        "fastapi",
        "sqlalchemy",
    )
    found = [m for m in imported(SRC / "ingest" / f"{name}.py") if m.startswith(banned)]
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


def test_no_function_over_60_lines() -> None:
    long = []
    for path in MODULES:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                if length > 60:
                    long.append(f"{path.relative_to(SRC)}:{node.name} ({length} lines)")
    assert long == []
