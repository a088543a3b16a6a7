"""The API fuzzed from its own OpenAPI schema with schemathesis, on both stores: no server
error and no response the schema does not declare (status, body, content type, headers), for
a bounded and deterministic set of examples per operation, valid and invalid alike."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.generation import GenerationMode
from sqlalchemy.orm import Session, sessionmaker

from newsarchive import archive
from newsarchive.api.app import create_app
from newsarchive.config import Settings
from newsarchive.db.session import session_scope
from tests.api.conftest import AUTH
from tests.factories import add_article

EXAMPLES = 40
CHECKS = [
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
]


@pytest.fixture
def fuzzed_api(settings: Settings, sessions: sessionmaker[Session]) -> Iterator[object]:
    """The app over a small archive: articles (one undated), two sources, a finished run."""
    day = datetime(2024, 1, 1, 12, tzinfo=UTC)
    add_article(sessions, "Harbour opens", "The harbour opens today.", day, authors=["Ann Smith"])
    add_article(sessions, "Cup final", "The harbour cup final.", day, source="beta", language="de")
    add_article(sessions, "Old news", "Long ago in the harbour.", day, date_source="first_seen")
    with session_scope(sessions) as session:
        run = archive.start_run(session, "ingest")
        archive.count(session, run.id, {"fetched": 1, "stored": 1})
        archive.finish_run(session, run.id)
    with TestClient(create_app(settings)) as client:
        schema = schemathesis.openapi.from_asgi("/openapi.json", client.app)
        schema.config.generation.update(
            modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE],
            max_examples=EXAMPLES,
            deterministic=True,
            allow_x00=True,
        )
        yield schema


def test_every_answer_is_declared_and_none_is_a_server_error(fuzzed_api: object) -> None:
    failures = []
    # POST /api/ingest would resolve generated host names, and a revisit the stored articles'
    # (DNS leaves the machine): their refusals, errors and schema are tested in
    # test_ingest.py and test_revisions.py against the local site.
    fetching = ["/api/ingest", "/api/articles/{article_id}/revisit"]
    operations = fuzzed_api.exclude(path=fetching).get_all_operations()  # type: ignore[attr-defined]
    for found in operations:
        operation = found.ok()

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def answers_as_declared(case: object) -> None:
            case.call_and_validate(headers=AUTH, checks=CHECKS)  # type: ignore[attr-defined]

        try:
            answers_as_declared()
        except (Exception, BaseExceptionGroup) as exc:  # every operation tried, all failures shown
            failures.append(f"{operation.label}: {exc}")
    assert failures == [], "\n\n".join(failures)
