"""A response goes out only after its transaction committed: over real HTTP, a read right
after a write sees it (both stores)."""

from __future__ import annotations

import httpx

from newsarchive.config import Settings
from tests.admin.conftest import LiveServer
from tests.api.conftest import AUTH


def test_a_read_right_after_a_write_sees_it(settings: Settings) -> None:
    with LiveServer(settings) as live, httpx.Client(base_url=live.url, headers=AUTH) as client:
        for n in range(25):
            created = client.post("/api/sources", json={"name": f"source {n}"})
            assert created.status_code == 201, created.text
            path = f"/api/sources/{created.json()['id']}"
            assert client.get(path).status_code == 200
            assert client.patch(path, json={"interval": 30 + n}).status_code == 200
            assert client.get(path).json()["interval"] == 30 + n
            assert client.delete(path).status_code == 204
            assert client.get(path).status_code == 404
