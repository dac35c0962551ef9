from __future__ import annotations

import json
import os
import subprocess
import sys
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command

from commonground.core.audit import audit_record, audit_source
from commonground.core.models import AuditEvent
from commonground.core.suppression import display_count, suppressed_count
from commonground.settings.env import email_settings, env_bool

REPO = Path(__file__).resolve().parents[3]


@pytest.mark.django_db
def test_stats_json_counts_the_main_records() -> None:
    out = StringIO()
    call_command("stats", "--json", stdout=out)
    counts = json.loads(out.getvalue())
    assert counts["lsoas"] == 32844
    assert counts["authorities"] == 317
    assert {"organisations", "organisers", "users"} <= set(counts)


@pytest.mark.django_db
def test_demo_loads_twice_without_duplicates() -> None:
    call_command("load_demo", stdout=StringIO())
    first = StringIO()
    call_command("stats", "--json", stdout=first)
    call_command("load_demo", stdout=StringIO())
    second = StringIO()
    call_command("stats", "--json", stdout=second)
    before, after = json.loads(first.getvalue()), json.loads(second.getvalue())
    before.pop("audit_events"), after.pop("audit_events")
    assert before == after
    from commonground.programme.models import Organiser

    banes = Organiser.objects.filter(programme__slug="better-together", kind="paid")
    assert sorted(banes.values_list("neighbourhoods__name", flat=True)) == sorted(
        [
            "Whiteway",
            "Foxhill and Odd Down",
            "Radstock",
            "Timsbury, Farmborough and Camerton",
            "London Road and Snowhill",
        ]
    )
    assert Organiser.objects.filter(programme__slug="exeter-organisers").count() == 3


@pytest.mark.django_db
def test_audit_records_where_from() -> None:
    with audit_source("203.0.113.9 POST /x"):
        event = audit_record(actor=None, action="test.thing", object_type="x", object_id="1")
    assert AuditEvent.objects.get(pk=event.pk).source == "203.0.113.9 POST /x"
    assert audit_record(actor=None, action="test.other").source == "command line"


def test_small_counts_are_suppressed() -> None:
    assert [display_count(n) for n in (0, 1, 4, 5, 1200)] == [
        "0",
        "fewer than 5",
        "fewer than 5",
        "5",
        "1,200",
    ]
    assert suppressed_count(3) is None and suppressed_count(7) == 7
    assert display_count(3, suppress=False) == "3"


def test_environment_booleans_are_strict(monkeypatch: Any) -> None:
    monkeypatch.setenv("FLAG", "flase")
    with pytest.raises(ImproperlyConfigured):
        env_bool("FLAG", False)
    monkeypatch.setenv("FLAG", "yes")
    assert env_bool("FLAG", False) is True


def test_email_url() -> None:
    smtp = email_settings("smtp+tls://user:p%40ss@mail.example.test:587")
    assert (smtp["EMAIL_HOST"], smtp["EMAIL_HOST_PASSWORD"], smtp["EMAIL_USE_TLS"]) == (
        "mail.example.test",
        "p@ss",
        True,
    )
    with pytest.raises(ImproperlyConfigured):
        email_settings("carrier-pigeon://")


def _check_production(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    full = {
        k: v
        for k, v in os.environ.items()
        if k not in {"SECRET_KEY", "DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    full.update(
        {
            "DJANGO_SETTINGS_MODULE": "commonground.settings.production",
            "ALLOWED_HOSTS": "cg.example.gov.uk",
            **env,
        }
    )
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=REPO,
        env=full,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_refuses_to_start_without_a_secret_key() -> None:
    result = _check_production({})
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_passes_the_deployment_checks() -> None:
    result = _check_production(
        {"SECRET_KEY": "k" * 20 + "-production-secret-for-the-check-0123456789"}
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.django_db
def test_admin_changes_are_audited(make_user: Any, signed_in: Any) -> None:
    from commonground.accounts.models import Membership, Role
    from commonground.programme.models import Organisation

    council = Organisation.objects.create(name="Council", slug="council", kind="council")
    admin_user = make_user(is_staff=True, is_superuser=True)
    Membership.objects.create(user=admin_user, organisation=council, role=Role.ADMINISTRATOR)
    client = signed_in(admin_user)
    response = client.post(
        f"/admin/programme/organisation/{council.pk}/change/",
        {
            "name": "Renamed Council",
            "slug": "council",
            "kind": "council",
            "org_id": "",
            "website": "",
            "description": "",
        },
    )
    assert response.status_code == 302, response.content[:2000]
    event = AuditEvent.objects.get(action="admin.change", object_id=str(council.pk))
    assert event.actor == admin_user
    assert "name" in event.changes["fields"]


@pytest.mark.django_db
def test_security_headers_forbid_inline_script(client: Any) -> None:
    response = client.get("/places/")
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"


def test_templates_have_no_inline_scripts() -> None:
    """The policy would block them: every script must be a file under static/."""
    import re

    offenders = []
    for template in (REPO / "commonground").rglob("templates/**/*.html"):
        text = template.read_text(encoding="utf-8")
        for match in re.finditer(r"<script\b([^>]*)>", text):
            attributes = match.group(1)
            if "src=" not in attributes and "application/json" not in attributes:
                offenders.append(str(template.relative_to(REPO)))
        if re.search(r"\son[a-z]+=\"", text):
            offenders.append(f"{template.relative_to(REPO)} (event handler attribute)")
    assert offenders == []


@pytest.mark.django_db
def test_login_attempts_are_rate_limited(client: Any, settings: Any) -> None:
    for _ in range(20):
        assert (
            client.post(
                "/accounts/login/", {"email": "x@example.test", "password": "y"}
            ).status_code
            == 200
        )
    refused = client.post("/accounts/login/", {"email": "x@example.test", "password": "y"})
    assert refused.status_code == 429
    assert refused["Retry-After"] == "300"
    assert client.get("/accounts/login/").status_code == 200


@pytest.mark.django_db
def test_api_rate_limit_answers_json(client: Any) -> None:
    from commonground.core.security import Limit, RateLimitMiddleware

    middleware = RateLimitMiddleware(lambda request: None)  # type: ignore[arg-type,return-value]
    middleware.limits = [Limit("api", frozenset({"GET"}), ("/api/",), 2, 60)]
    from django.test import RequestFactory

    request = RequestFactory().get("/api/places/authorities")
    assert middleware(request) is None
    assert middleware(request) is None
    response = middleware(request)
    assert response.status_code == 429
    assert "Too many requests" in json.loads(response.content)["message"]


@pytest.mark.django_db
def test_rate_counts_keep_no_address_and_are_swept_when_their_window_ends() -> None:
    from django.test import RequestFactory

    from commonground.core.models import RateCount
    from commonground.core.security import (
        Limit,
        RateLimitMiddleware,
        count_request,
        forget_expired_counts,
    )

    middleware = RateLimitMiddleware(lambda request: None)  # type: ignore[arg-type,return-value]
    middleware.limits = [Limit("api", frozenset({"GET"}), ("/api/",), 5, 60)]
    request = RequestFactory().get("/api/places/authorities", REMOTE_ADDR="203.0.113.9")
    middleware(request)
    middleware(request)
    (row,) = RateCount.objects.all()
    assert row.count == 2
    assert "203.0.113.9" not in row.key
    # Counting is one atomic statement that returns the new count.
    assert count_request(row.key, expires=row.expires) == 3
    assert forget_expired_counts(row.expires - 1) == 0
    assert forget_expired_counts(row.expires + 1) == 1
    assert not RateCount.objects.exists()


def test_production_collectstatic_finds_every_file_the_static_files_point_at(
    tmp_path: Path, settings: Any
) -> None:
    """Hashed static files follow every url() and source map comment; a missing target stops a deploy."""
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    call_command("collectstatic", interactive=False, verbosity=0)
    manifest = json.loads((tmp_path / "staticfiles.json").read_text())
    assert "build/main.css" in manifest["paths"]
    assert "vendor/vega-interpreter.js" in manifest["paths"]
