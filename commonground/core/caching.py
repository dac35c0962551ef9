"""Reads kept in each server process's memory, and dropped the moment anything changes.

Busy pages (the dashboard, the area evidence pages, the public neighbourhood pages) are built from
many queries whose answer only changes when somebody changes a record. :func:`cached` keeps such an
answer in the process's own memory under a key that includes the *data version*:

- a number in the database (table ``core_dataversion``), raised by one after every transaction that
  saved a record or wrote a (non-read) audit event, so every worker and server sees the change;
- a counter in the process itself, raised at once by every save, so the process that made a change
  sees it even before its transaction commits.

While a transaction has changed something and not yet committed, nothing is read from or kept in
the cache, so an answer that shows a change later rolled back is never kept.

Any change anywhere therefore makes every cached answer unreachable, which is always correct;
cached answers also expire after ``COMMONGROUND_CACHE_SECONDS`` (60 by default; 0 turns caching
off), which bounds what a bulk ``update()`` that writes no audit event could leave stale. Only
process memory holds cached answers, never the database or disk, so personal data on a dashboard
is not copied anywhere that erasure would have to reach.
"""

from __future__ import annotations

import hashlib
import itertools
import threading
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from django.apps import apps
from django.conf import settings
from django.core.cache import caches
from django.db import connection, transaction
from django.db.models.signals import m2m_changed, post_save
from django.utils import timezone, translation

T = TypeVar("T")
CACHE_ALIAS = "local"
_MISSING = object()

# Saved on every sign-in, two-factor check or request, and never shown on a cached page.
IGNORED_MODELS = {
    "core.dataversion",
    "core.ratecount",
    "sessions.session",
    "otp_totp.totpdevice",
    "otp_static.staticdevice",
    "otp_static.statictoken",
}
# Audit actions that record a read, not a change.
READ_ACTIONS = (".view", ".export", ".download")

_local = itertools.count(1)
_local_generation = next(_local)
_lock = threading.Lock()


def _seconds() -> int:
    return int(getattr(settings, "COMMONGROUND_CACHE_SECONDS", 60))


def data_version() -> tuple[int, int]:
    """The shared version (one small query) and this process's own generation."""
    table = connection.ops.quote_name("core_dataversion")
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT version FROM {table} WHERE id = 1")
        row = cursor.fetchone()
    return (row[0] if row else 0), _local_generation


def _raise_shared_version() -> None:
    table = connection.ops.quote_name("core_dataversion")
    with connection.cursor() as cursor:
        # An upsert, so a database emptied without migrations (a test's flush) still counts.
        cursor.execute(
            f"INSERT INTO {table} (id, version) VALUES (1, 1) "
            f"ON CONFLICT (id) DO UPDATE SET version = {table}.version + 1"
        )


def _change_pending() -> bool:
    """Whether this connection's open transaction has changed something not yet committed."""
    return any(entry[1] is _raise_shared_version for entry in connection.run_on_commit)


def changed() -> None:
    """Something changed: drop this process's cached answers now, every process's on commit."""
    global _local_generation
    with _lock:
        _local_generation = next(_local)
    # Once per transaction is enough; Django forgets the callbacks of a rolled-back transaction.
    if not _change_pending():
        transaction.on_commit(_raise_shared_version)


def cached(name: str, parts: tuple[Hashable, ...], compute: Callable[[], T]) -> T:
    """``compute()``, or the answer it gave for the same ``parts`` since the last change."""
    seconds = _seconds()
    if seconds <= 0 or _change_pending():
        # Inside a transaction that has changed something, an answer could show what is then
        # rolled back: compute it, and keep it for nobody.
        return compute()
    shared, local = data_version()
    raw = repr(
        (name, parts, shared, local, translation.get_language(), timezone.localdate().isoformat())
    )
    key = f"cg:{name}:{hashlib.sha256(raw.encode()).hexdigest()}"
    store = caches[CACHE_ALIAS]
    value = store.get(key, _MISSING)
    if value is _MISSING:
        value = compute()
        store.set(key, value, seconds)
    return value  # type: ignore[return-value]


def _on_save(sender: Any, instance: Any, raw: bool = False, **kwargs: Any) -> None:
    if sender._meta.apps is not apps:
        return  # a migration's historical model: the tables may not all exist yet
    label = sender._meta.label_lower
    if label in IGNORED_MODELS:
        return
    if label == "core.auditevent" and str(instance.action).endswith(READ_ACTIONS):
        return
    update_fields = kwargs.get("update_fields")
    if label == settings.AUTH_USER_MODEL.lower() and update_fields == frozenset({"last_login"}):
        return
    changed()


def _on_m2m(sender: Any, action: str, **kwargs: Any) -> None:
    if action.startswith("post_") and sender._meta.apps is apps:
        changed()


def connect() -> None:
    post_save.connect(_on_save, dispatch_uid="commonground-data-version")
    m2m_changed.connect(_on_m2m, dispatch_uid="commonground-data-version-m2m")


def cache_parts(*values: Any) -> tuple[Hashable, ...]:
    """Turn model instances into their primary keys, for use in ``parts``."""
    return tuple(getattr(value, "pk", value) for value in values)


__all__ = ["cache_parts", "cached", "changed", "connect", "data_version"]
