"""The impact pages as each kind of user meets them."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from commonground.accounts.models import Role
from commonground.accounts.testing import verified_client
from commonground.impact import services
from commonground.impact.models import Comparison, Measurement, Report, Target

from .factories import PERIOD, build_world, conversation, indicator, member, report

pytestmark = pytest.mark.django_db


@pytest.fixture
def worlds(db: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    return build_world("own"), build_world("other")


@pytest.fixture
def manager_client(worlds: Any) -> tuple[Any, Client]:
    user = member(worlds[0], Role.HOST_MANAGER, "manager@example.test")
    return user, verified_client(user)


def publish(made: Report) -> Any:
    services.report_section_save(
        actor=None,
        report=made,
        section=made.sections.first(),
        heading="Summary",
        body="A good year.",
    )
    return services.report_publish(actor=None, report=made)


def test_pages_of_the_framework_open_for_everyone_signed_in(worlds: Any, client: Client) -> None:
    councillor = verified_client(member(worlds[0], Role.COUNCILLOR, "councillor@example.test"))
    for url in (
        reverse("impact:index"),
        reverse("impact:indicator_list"),
        reverse("impact:indicator_detail", args=["residents_listened_to"]),
        reverse("impact:indicator_detail", args=["lonely_often_or_always"]),
        reverse("impact:compare"),
        reverse("impact:report_list"),
    ):
        response = councillor.get(url)
        assert response.status_code == 200, url
        assert "INVALID_TEMPLATE_VARIABLE" not in response.content.decode(), url
    assert councillor.get(reverse("impact:report_create")).status_code == 403
    assert (
        councillor.get(
            reverse("impact:measurement_create", args=["lonely_often_or_always"])
        ).status_code
        == 403
    )
    anonymous = client.get(reverse("impact:index"))
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]


def test_a_manager_records_a_survey_figure_with_evidence(worlds: Any, manager_client: Any) -> None:
    own, _other = worlds
    _user, client = manager_client
    url = reverse("impact:measurement_create", args=["lonely_often_or_always"])
    page = client.get(url).content.decode()
    assert f'value="programme:{own["programme"].slug}"' in page
    assert "programme:other-programme" not in page

    missing = client.post(
        url,
        {
            "scope": f"programme:{own['programme'].slug}",
            "organisation": own["host"].pk,
            "period_start": "2026-09-01",
            "period_end": "2026-09-30",
            "value": "12",
        },
    )
    assert missing.status_code == 200 and "There is a problem" in missing.content.decode()
    assert not Measurement.objects.exists()

    foreign = client.post(
        url,
        {
            "scope": "programme:other-programme",
            "organisation": own["host"].pk,
            "period_start": "2026-09-01",
            "period_end": "2026-09-30",
            "value": "12",
            "evidence": "Survey",
        },
    )
    assert foreign.status_code == 200 and not Measurement.objects.exists()

    done = client.post(
        url,
        {
            "scope": f"programme:{own['programme'].slug}",
            "organisation": own["host"].pk,
            "period_start": "2026-09-01",
            "period_end": "2026-09-30",
            "value": "12.5",
            "base": "300",
            "evidence": "Residents' survey, September 2026",
        },
    )
    assert done.status_code == 302
    made = Measurement.objects.get()
    assert made.value == 12.5 and made.recorded_by == _user

    correct = reverse("impact:measurement_correct", args=[made.public_id])
    assert (
        client.post(
            correct, {"value": "13", "evidence": made.evidence, "reason": "Typo"}
        ).status_code
        == 302
    )
    detail = client.get(
        reverse("impact:indicator_detail", args=["lonely_often_or_always"])
    ).content.decode()
    assert "measurement.correct" in detail and "Typo" in detail


def test_computed_indicators_have_no_form_to_type_into(manager_client: Any) -> None:
    _user, client = manager_client
    assert (
        client.get(reverse("impact:measurement_create", args=["residents_listened_to"])).status_code
        == 403
    )
    page = client.get(
        reverse("impact:indicator_detail", args=["residents_listened_to"])
    ).content.decode()
    assert "never typed in" in page
    assert "Record a figure" not in page


def test_a_manager_sets_a_target(worlds: Any, manager_client: Any) -> None:
    own, _other = worlds
    _user, client = manager_client
    response = client.post(
        reverse("impact:target_create", args=["residents_listened_to"]),
        {
            "scope": f"programme:{own['programme'].slug}",
            "organisation": own["host"].pk,
            "period_start": "2026-04-01",
            "period_end": "2027-03-31",
            "value": "1500",
        },
    )
    assert response.status_code == 302
    target = Target.objects.get()
    assert target.value == 1500 and target.organisation == own["host"]
    edit = client.get(reverse("impact:target_update", args=[target.public_id]))
    assert edit.status_code == 200


def test_writing_and_publishing_a_report(worlds: Any, manager_client: Any, client: Client) -> None:
    own, other = worlds
    _user, manager = manager_client
    for day in range(1, 9):
        conversation(own, day=date(2026, 6, day))
    response = manager.post(
        reverse("impact:report_create"),
        {
            "title": "Our year",
            "scope": f"programme:{own['programme'].slug}",
            "organisation": own["host"].pk,
            "period_start": "2026-04-01",
            "period_end": "2027-03-31",
        },
    )
    assert response.status_code == 302
    made = Report.objects.get(title="Our year")
    draft = manager.get(made.get_absolute_url()).content.decode()
    for heading in (
        "Indicators against targets",
        "What residents said",
        "Money in and out",
        "Equality reach",
        "Lessons learned",
    ):
        assert heading in draft
    assert "<svg" in draft and 'role="img"' in draft

    summary = made.sections.get(kind="summary")
    assert (
        manager.post(
            reverse("impact:section_edit", args=[made.public_id, summary.pk]),
            {"heading": "Summary", "body": "We listened."},
        ).status_code
        == 302
    )
    assert (
        manager.post(
            reverse("impact:section_add", args=[made.public_id]),
            {"heading": "Thanks", "body": "To volunteers."},
        ).status_code
        == 302
    )
    extra = made.sections.get(heading="Thanks")
    assert (
        manager.post(reverse("impact:section_delete", args=[made.public_id, extra.pk])).status_code
        == 302
    )
    assert not made.sections.filter(heading="Thanks").exists()

    outsider = verified_client(member(other, Role.HOST_MANAGER, "outsider@example.test"))
    assert outsider.get(made.get_absolute_url()).status_code == 403
    assert outsider.get(reverse("impact:report_publish", args=[made.public_id])).status_code == 403

    response = manager.post(
        reverse("impact:report_publish", args=[made.public_id]), {"change_note": ""}
    )
    assert response.status_code == 302
    version = made.versions.get()
    assert response["Location"] == version.get_absolute_url()

    public = client.get(version.get_absolute_url())
    assert public.status_code == 200
    body = public.content.decode()
    assert "We listened." in body and "Version 1, published" in body
    assert "The PDF is being made." in body
    assert client.get(reverse("impact:version_pdf", args=[made.public_id, 1])).status_code == 202

    services.report_version_make_pdf(version=version)
    pdf = client.get(reverse("impact:version_pdf", args=[made.public_id, 1]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert "Download the PDF" in client.get(version.get_absolute_url()).content.decode()
    csv_body = b"".join(
        client.get(
            reverse("impact:version_figures", args=[made.public_id, 1, "csv"])
        ).streaming_content
    )
    assert b"residents_listened_to" in csv_body


def test_the_public_version_page_is_cheap_to_show(
    worlds: Any, client: Client, django_assert_max_num_queries: Any
) -> None:
    version = publish(report(worlds[0]))
    with django_assert_max_num_queries(8):
        assert client.get(version.get_absolute_url()).status_code == 200


def test_the_impact_home_page_is_cheap_to_show(
    worlds: Any, manager_client: Any, django_assert_max_num_queries: Any
) -> None:
    _user, client = manager_client
    for _ in range(3):
        publish(report(worlds[0]))
    with django_assert_max_num_queries(25):
        assert client.get(reverse("impact:index")).status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get(reverse("impact:indicator_list")).status_code == 200


def test_an_older_version_points_to_the_latest(worlds: Any, client: Client) -> None:
    made = report(worlds[0])
    first = publish(made)
    services.report_publish(actor=None, report=made, change_note="Corrected the summary.")
    page = client.get(first.get_absolute_url()).content.decode()
    assert "This is not the latest version." in page
    assert client.get(reverse("impact:version_detail", args=[made.public_id, 9])).status_code == 404


def test_the_comparison_page_runs_and_saves(worlds: Any, manager_client: Any) -> None:
    own, _other = worlds
    _user, client = manager_client
    rubbish = indicator("fixmystreet_rubbish_reports")
    lsoas = [
        "E01014458",
        "E01014461",
        "E01014462",
        "E01014463",
        "E01014464",
        "E01014459",
        "E01014460",
    ]
    for position, code in enumerate(lsoas):
        from commonground.places.models import Lsoa

        lsoa = Lsoa.objects.get(code=code)
        for year in range(2010, 2016):
            Measurement.objects.create(
                indicator=rubbish,
                for_lsoa=lsoa,
                period_start=date(year, 1, 1),
                period_end=date(year, 12, 31),
                value=position + (3 if code in lsoas[:2] and year >= 2013 else 0),
                evidence="test",
                source="open_data",
            )
    query = {
        "indicator": rubbish.pk,
        "lsoa_codes": "E01014458 E01014461",
        "start_year": "2013",
        "band_width": "2",
        "same_authority": "on",
        "broad_class": "on",
    }
    page = client.get(reverse("impact:compare"), query)
    assert page.status_code == 200
    body = page.content.decode()
    assert "What this can and cannot show" in body and "Save this comparison" in body

    saved = client.post(
        reverse("impact:comparison_save"),
        {
            **{k: str(v) for k, v in query.items()},
            "title": "Test comparison",
            "organisation": own["host"].pk,
        },
    )
    assert saved.status_code == 302
    comparison = Comparison.objects.get()
    assert comparison.result["n_treated"] == 2
    assert client.get(comparison.get_absolute_url()).status_code == 200

    bad = client.get(reverse("impact:compare"), {**query, "lsoa_codes": "", "start_year": "2013"})
    assert "Choose a neighbourhood or list the LSOA codes" in bad.content.decode()


def test_the_api_gives_figures_only_for_your_own_scopes(worlds: Any, manager_client: Any) -> None:
    own, other = worlds
    _user, client = manager_client
    conversation(own, day=date(2026, 6, 1))
    codes = [item["code"] for item in client.get("/api/impact/indicators").json()]
    assert "residents_listened_to" in codes
    url = "/api/impact/indicators/residents_listened_to/figure"
    figure = client.get(
        url,
        {"scope": f"programme:{own['programme'].slug}", "start": PERIOD.start, "end": PERIOD.end},
    )
    assert (
        figure.status_code == 200
        and figure.json()["value"] == "1"
        and figure.json()["status"] == "counted"
    )
    refused = client.get(
        url,
        {"scope": f"programme:{other['programme'].slug}", "start": PERIOD.start, "end": PERIOD.end},
    )
    assert refused.status_code == 403
    version = publish(report(own))
    snapshot = client.get(f"/api/impact/reports/{version.report.public_id}/versions/1").json()
    assert snapshot["snapshot"]["title"] == version.snapshot["title"]


def test_the_dashboard_shows_the_impact_panel(worlds: Any, manager_client: Any) -> None:
    own, _other = worlds
    _user, client = manager_client
    draft = report(own)
    page = client.get("/dashboard/").content.decode()
    assert ">Impact</h2>" in page and draft.title in page and "Draft" in page

    published = publish(report(own))
    councillor = verified_client(member(own, Role.COUNCILLOR, "councillor@example.test"))
    page = councillor.get("/dashboard/").content.decode()
    assert published.get_absolute_url() in page
    assert draft.get_absolute_url() not in page


def test_officers_add_indicators_and_hosts_cannot(worlds: Any) -> None:
    own, _other = worlds
    officer = verified_client(member(own, Role.COUNCIL_OFFICER, "officer@example.test"))
    host = verified_client(member(own, Role.HOST_MANAGER, "host@example.test"))
    url = reverse("impact:indicator_create")
    assert host.get(url).status_code == 403
    response = officer.post(
        url,
        {
            "code": "community_events",
            "name": "Community events held",
            "definition": "Events residents organised.",
            "how_counted": "Entered each quarter from the events diary.",
            "unit": "people",
            "direction": "up",
            "method": "entered",
            "aggregation": "sum",
        },
    )
    assert response.status_code == 302
    assert indicator("community_events").method == "entered"
    edit = officer.post(
        reverse("impact:indicator_update", args=["community_events"]),
        {
            "name": "Community events",
            "definition": "Events residents organised.",
            "how_counted": "From the diary.",
            "unit": "people",
            "direction": "up",
            "aggregation": "sum",
            "is_active": "on",
        },
    )
    assert edit.status_code == 302 and indicator("community_events").name == "Community events"


def test_editing_a_published_report_marks_it_changed(worlds: Any, manager_client: Any) -> None:
    own, _other = worlds
    _user, client = manager_client
    made = report(own)
    publish(made)
    response = client.post(
        reverse("impact:report_edit", args=[made.public_id]),
        {"title": "Our first year", "period_start": "2026-04-01", "period_end": "2027-03-31"},
    )
    assert response.status_code == 302
    made.refresh_from_db()
    assert made.title == "Our first year" and made.changed_since_published
    assert "Changed since published" in client.get(reverse("impact:index")).content.decode()
