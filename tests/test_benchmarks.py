"""The load benchmark runs end to end on both stores at a small size: it loads an empty
database (on PostgreSQL it once hung on its own open transaction) and serves the mix without
errors, with the answer cache off and on."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import IN_CI

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.timeout(300)
def test_the_load_benchmark_loads_an_empty_database_and_serves_the_mix(empty_db_url: str) -> None:
    if shutil.which("wrk") is None:
        if IN_CI:
            pytest.fail("wrk is required when CI=true (apt-get install wrk)")
        pytest.skip("wrk is not installed")
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSARCHIVE_")}
    done = subprocess.run(
        [sys.executable, "benchmarks/load.py", "--database", empty_db_url, "--articles", "200",
         "--workers", "2", "--threads", "2", "--seconds", "1", "--steps", "4"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=240,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    found = json.loads(done.stdout.strip().splitlines()[-1])
    assert found["articles"] == 200
    assert (found["workers"], found["threads"]) == (2, 2)
    for mix in ("steps", "repeated"):
        assert [s["concurrency"] for s in found[mix]] == [4]
        assert all(s["errors"] == 0 and s["rps"] > 0 for s in found[mix]), found[mix]
