"""Fuzz every API operation from its own OpenAPI schema, in process, against the demo.

Schemathesis generates requests (valid and invalid) from ``/api/openapi.json`` and sends them to the
Django WSGI application with a council officer's API token. Every answer must be something other
than a server error, and every answer the schema describes must match it. Hypothesis runs
derandomised with a fixed number of examples per operation, so the run is the same every time.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
import schemathesis
from django.core import signals
from django.core.serializers.json import DjangoJSONEncoder
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
)

from commonground.accounts.services import api_token_create
from commonground.api import api

from .conftest import Worlds

EXAMPLES_PER_OPERATION = 25
CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]


@pytest.fixture(autouse=True)
def _keep_the_test_connection() -> Any:
    """Keep the one database connection the demo was loaded in, as Django's test client does.

    The WSGI handler closes connections when a request starts and ends; inside the test's open
    transaction that would close it and lose the demo (SQLite's in-memory database ignores it).
    """
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def bearer(worlds: Worlds, db: Any) -> dict[str, str]:
    _token, key = api_token_create(actor=worlds.bath["council.officer"], name="fuzz")
    return {"Authorization": f"Bearer {key}"}


def _load_schema() -> Any:
    """The schema ``/api/openapi.json`` serves, bound to the in-process WSGI application.

    It is built at import, before any database exists, so it is taken from the API object itself
    (exactly what the endpoint returns) rather than fetched through a request.
    """
    raw = json.loads(json.dumps(api.get_openapi_schema(), cls=DjangoJSONEncoder))
    loaded = schemathesis.openapi.from_dict(raw)
    loaded.app = get_wsgi_application()
    return loaded


schema = _load_schema()


@schema.parametrize()
@settings(
    max_examples=EXAMPLES_PER_OPERATION,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_api_never_errors_and_keeps_to_its_schema(case: Any, bearer: dict[str, str]) -> None:
    case.call_and_validate(headers=bearer, checks=CHECKS)
