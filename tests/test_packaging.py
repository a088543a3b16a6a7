"""The wheel carries everything an installed newsarchive needs: its migrations (which live in the
top-level migrations/ folder of the checkout), templates and static files."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import venv
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# What a build leaves in the tree it builds, and what no build reads (.git, .venv, caches)
NOT_COPIED = shutil.ignore_patterns(".*", "build", "dist", "*.egg-info", "__pycache__", "*.db*")


def test_an_installed_wheel_migrates_a_database_from_anywhere(tmp_path: Path) -> None:
    # The wheel is built from a copy of the checkout: a build writes build/ and
    # src/newsarchive.egg-info into the tree it builds, which another build at the same time (a
    # second test run, an editable install) would share, and where files of an earlier build
    # (modules since moved or deleted) would end up in this wheel.
    tree = tmp_path / "tree"
    shutil.copytree(ROOT, tree, ignore=NOT_COPIED)
    dist = tmp_path / "dist"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
         "--quiet", "-w", str(dist), str(tree)],
        check=True, capture_output=True, cwd=tmp_path,
    )  # fmt: skip
    [wheel] = dist.glob("newsarchive-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "newsarchive/migrations/env.py" in names
    assert "newsarchive/migrations/script.py.mako" in names
    assert any(n.startswith("newsarchive/migrations/versions/") and "0001" in n for n in names)
    assert "newsarchive/admin/templates/base.html" in names
    assert "newsarchive/admin/static/admin.css" in names
    for init in (ROOT / "src" / "newsarchive").rglob("__init__.py"):  # every subpackage
        assert f"newsarchive/{init.relative_to(ROOT / 'src' / 'newsarchive')}" in names

    # a fresh venv with only the wheel; its dependencies come from this one's site-packages
    target = tmp_path / "venv"
    venv.create(target, with_pip=False)
    python = target / "bin" / "python"
    site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True, capture_output=True, text=True,
    ).stdout.strip()  # fmt: skip
    zipfile.ZipFile(wheel).extractall(site)
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSARCHIVE_")}
    env["PYTHONPATH"] = sysconfig.get_paths()["purelib"]  # the dependencies, not newsarchive
    env["NEWSARCHIVE_DATABASE_URL"] = f"sqlite:///{tmp_path / 'archive.db'}"
    where = subprocess.run(
        [str(python), "-c", "import newsarchive; print(newsarchive.__file__)"],
        check=True, capture_output=True, text=True, env=env, cwd=tmp_path,
    ).stdout  # fmt: skip
    assert where.startswith(site), where
    upgraded = subprocess.run(
        [str(python), "-m", "newsarchive", "db", "upgrade"],
        capture_output=True, text=True, env=env, cwd=tmp_path,
    )  # fmt: skip
    assert upgraded.returncode == 0, upgraded.stderr
    current = subprocess.run(
        [str(python), "-m", "newsarchive", "db", "current"],
        capture_output=True, text=True, env=env, cwd=tmp_path,
    )  # fmt: skip
    assert "(head)" in current.stdout, current.stdout + current.stderr
