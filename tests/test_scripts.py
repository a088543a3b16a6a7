"""./scripts/serve and ./scripts/test set up .venv: once, and again only when the dependencies
change, so a start needs no package index once the environment is complete."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_dependencies_are_installed_only_when_they_change(tmp_path: Path) -> None:
    for name in ("pyproject.toml", "constraints.txt"):
        shutil.copy(ROOT / name, tmp_path / name)
    (tmp_path / "scripts").mkdir()
    shutil.copy(ROOT / "scripts" / "_venv.sh", tmp_path / "scripts" / "_venv.sh")
    # a .venv whose python records what it is asked to do (pip itself is not the subject)
    python = tmp_path / ".venv" / "bin" / "python"
    python.parent.mkdir(parents=True)
    python.write_text('#!/bin/sh\necho "$@" >> "$(dirname "$0")/../calls"\n')
    python.chmod(0o755)
    calls = tmp_path / ".venv" / "calls"

    def setup(extras: str = "") -> list[str]:
        calls.unlink(missing_ok=True)
        subprocess.run(
            ["bash", "-c", f'EXTRAS="{extras}" source scripts/_venv.sh'], cwd=tmp_path, check=True
        )
        return calls.read_text().splitlines() if calls.exists() else []

    first = setup("[dev]")
    assert any("install" in c and "-e .[dev]" in c for c in first), first
    assert setup("[dev]") == []  # nothing changed: no pip at all
    assert setup() == []  # a [dev] install also serves ./scripts/serve
    with (tmp_path / "constraints.txt").open("a") as constraints:
        constraints.write("example-package==1.0\n")
    assert any("install" in c for c in setup()), "a changed pin must install again"
