"""Cached answers for busy pages are dropped the moment anything changes, in every process."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.db import connection, transaction

from commonground.core import caching
from commonground.core.audit import audit_record
from commonground.core.models import DataVersion
from commonground.programme.models import Organisation

pytestmark = pytest.mark.django_db


def _counter() -> tuple[list[int], Any]:
    calls: list[int] = []

    def compute() -> int:
        calls.append(1)
        return len(calls)

    return calls, compute


def _commit() -> None:
    """What a commit does to the callbacks: run them and forget them (the test never commits)."""
    pending = list(connection.run_on_commit)
    del connection.run_on_commit[:]
    for _sids, callback, _robust in pending:
        callback()


def test_an_answer_is_reused_until_a_change_is_committed() -> None:
    _calls, compute = _counter()
    assert caching.cached("test", ("a",), compute) == 1
    assert caching.cached("test", ("a",), compute) == 1
    assert caching.cached("test", ("b",), compute) == 2, "other parts, other answer"
    Organisation.objects.create(name="Riverside Trust", slug="riverside", kind="host")
    # Until the change commits, answers are computed afresh and kept for nobody.
    assert caching.cached("test", ("a",), compute) == 3
    assert caching.cached("test", ("a",), compute) == 4
    _commit()
    assert caching.cached("test", ("a",), compute) == 5
    assert caching.cached("test", ("a",), compute) == 5


def test_an_answer_computed_before_a_rollback_is_not_reused_after_it() -> None:
    _calls, compute = _counter()
    assert caching.cached("test", ("a",), compute) == 1
    with pytest.raises(RuntimeError), transaction.atomic():
        Organisation.objects.create(name="Riverside Trust", slug="riverside", kind="host")
        assert caching.cached("test", ("a",), compute) == 2
        raise RuntimeError("rolled back")
    # The process's own counter moved on, so nothing computed inside the transaction is found.
    assert caching.cached("test", ("a",), compute) == 3


def test_a_change_committed_by_another_process_drops_the_answer() -> None:
    _calls, compute = _counter()
    caching.cached("test", ("a",), compute)
    # What another worker's commit does: raise the shared number.
    with connection.cursor() as cursor:
        cursor.execute("UPDATE core_dataversion SET version = version + 1 WHERE id = 1")
    assert caching.cached("test", ("a",), compute) == 2
    assert caching.cached("test", ("a",), compute) == 2


def test_a_commit_raises_the_shared_version_once_per_transaction() -> None:
    before = DataVersion.objects.get(pk=1).version
    Organisation.objects.create(name="One", slug="one", kind="host")
    Organisation.objects.create(name="Two", slug="two", kind="host")
    assert len(connection.run_on_commit) == 1
    _commit()
    assert DataVersion.objects.get(pk=1).version == before + 1


def test_an_emptied_version_table_still_counts() -> None:
    DataVersion.objects.all().delete()
    _commit()
    Organisation.objects.create(name="One", slug="one", kind="host")
    _commit()
    assert DataVersion.objects.get(pk=1).version == 1


def test_reads_sessions_and_sign_ins_change_nothing(django_user_model: Any) -> None:
    user = django_user_model.objects.create_user(
        email="reader@example.test", password="a-long-test-password-1", full_name="Reader"
    )
    _commit()
    before = caching.data_version()
    store = SessionStore()
    store["x"] = 1
    store.save()
    audit_record(actor=user, action="personal_data.view", object_type="resident")
    user.save(update_fields=["last_login"])
    assert caching.data_version() == before
    assert list(connection.run_on_commit) == []
    audit_record(actor=user, action="resident.update", object_type="resident")
    assert caching.data_version() != before
    assert len(connection.run_on_commit) == 1


def test_caching_can_be_turned_off(settings: Any) -> None:
    settings.COMMONGROUND_CACHE_SECONDS = 0
    calls, compute = _counter()
    caching.cached("test", ("a",), compute)
    caching.cached("test", ("a",), compute)
    assert len(calls) == 2


def test_the_dashboard_is_built_once_and_rebuilt_after_a_change(
    make_user: Any, signed_in: Any
) -> None:
    from django.db import connection as conn
    from django.test.utils import CaptureQueriesContext

    host = Organisation.objects.create(name="Riverside Trust", slug="riverside", kind="host")
    user = make_user("host_manager", host)
    client = signed_in(user)
    _commit()
    with CaptureQueriesContext(conn) as first:
        assert client.get("/dashboard/").status_code == 200
    with CaptureQueriesContext(conn) as second:
        assert client.get("/dashboard/").status_code == 200
    assert len(second) < len(first) - 3, "the panels' queries are not repeated"
    Organisation.objects.get(pk=host.pk).save()
    _commit()
    with CaptureQueriesContext(conn) as third:
        assert client.get("/dashboard/").status_code == 200
    assert len(third) == len(first), "a committed change rebuilds the panels"
