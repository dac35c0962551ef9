"""No page and no API operation lets one organisation reach another's records by changing an id.

Every URL pattern that takes a parameter is found by walking Django's URL resolver, so a new page is
covered as soon as it is mounted: it must either be given a way to find one of Bath's records below,
or be named in ``NOT_ORGANISATION_RECORDS`` with the reason it shows nothing private. Then each role
in Exeter asks for Bath's record, by GET and by POST, and must be refused (403 or 404; 405 when the
view does not take that method). Any answer that does come back (a redirect, a 405) is also checked
for the names and words Bath's residents gave, which must never appear.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from commonground.accounts.models import ApiToken
from commonground.accounts.services import api_token_create
from commonground.accounts.testing import verified_client

from .conftest import OUTSIDER_ROLES, Worlds

pytestmark = pytest.mark.django_db

BATH = "E06000022"

# Patterns with parameters that do not name one organisation's record. Each says why.
NOT_ORGANISATION_RECORDS: dict[str, str] = {
    # Places are open data: authorities, wards, LSOAs and neighbourhoods are shown to anyone.
    **{
        f"places:{name}": "open geography"
        for name in (
            "authority_detail",
            "authority_geojson",
            "ward_detail",
            "ward_geojson",
            "lsoa_detail",
            "lsoa_geojson",
            "neighbourhood_detail",
            "neighbourhood_geojson",
        )
    },
    "api:get_lsoa": "open geography",
    # Pages for residents show only what has been published.
    "public:neighbourhood": "published 'you said, we did' for residents",
    # Open311 is a public standard interface with its own API keys; fuzzed in test_open311_fuzz.py.
    **{
        f"open311:{name}": "public Open311 GeoReport interface"
        for name in (
            "discovery",
            "services",
            "service_definition",
            "requests",
            "request_detail",
            "token_detail",
            "bad_url",
        )
    },
    # Open Referral (HSDS) publishes groups and projects as open data.
    "action:openreferral_service": "published Open Referral directory",
    "action:openreferral_organization": "published Open Referral directory",
    # The parameter is a file format, not a record.
    "listening:import_template": "blank import template",
    "impact:open_data_figures": "published open data",
    "funding:export_grants": "360Giving export of the viewer's own funds",
    # The organisation directory is shown to anyone signed in (docs/permissions.md).
    "programme:organisation_detail": "organisation directory",
}

# Records every signed-in member may see, whoever owns them, by a deliberate rule in the app's
# rules.py. They are still reached with Bath's record and checked for Bath's private words.
SHARED_BY_DESIGN: dict[str, str] = {
    # action/rules.py: groups, projects, forums (with their meetings and calendar), action plans
    # and the toolkit of good practice are shown to anyone signed in, so that areas learn from
    # each other; residents' details on them are shown only to their host.
    "action:group_detail": "action.view_group",
    "action:project_detail": "action.view_project",
    "action:forum_detail": "action.view_forum",
    "action:forum_calendar": "action.view_forum",
    "action:meeting_detail": "action.view_forum",
    "action:plan_detail": "action.view_actionplan",
    "action:plan_report": "action.view_actionplan",
    "action:toolkit_detail": "toolkit of good practice",
    # Matter categories and the theme taxonomy are one list for the whole deployment, looked
    # after by council officers (action.add_routingrule, insight.change_theme); emerging themes
    # are proposed additions to that list.
    "action:category_update": "shared matter categories",
    "insight:theme_update": "insight.change_theme",
    "insight:emerging_detail": "insight.view_emergingcluster",
    # funding/rules.py: funds and awarded grants are published (360Giving).
    "funding:fund_detail": "funding.view_fund",
    "funding:grant_detail": "funding.view_grant",
    "api:get_grant": "funding.view_grant",
    # impact/rules.py: shared indicators and comparisons are one catalogue; a published report
    # version is public; a target set from an indicator page belongs to the viewer's organisation.
    "impact:indicator_detail": "impact.view_indicator",
    "impact:indicator_update": "impact.change_indicator",
    "impact:target_create": "target for the viewer's own organisation",
    "impact:comparison_detail": "impact.view_comparison",
    "impact:version_detail": "impact.view_reportversion",
    "impact:version_pdf": "impact.view_reportversion",
    "impact:version_figures": "impact.view_reportversion",
    "api:get_version": "impact.view_reportversion",
}

# Place-keyed pages show each viewer only what they may see of an area; they are reached with
# Bath's places and checked for Bath's private words rather than for a refusal.
PLACE_KEYED = {
    "insight:area_evidence",
    "insight:area_theme",
    "insight:meeting_create",
    "insight:what_we_heard",
    "insight:what_we_heard_pdf",
    "action:network_detail",
    "priorities:markings",
    "api:area_evidence",
    "api:listening_postcode",
    "api:get_figure",
    "places:neighbourhood_create",
    "places:neighbourhood_update",
}


def _first(model_path: str, **filters: Any) -> Any:
    from django.apps import apps

    model = apps.get_model(model_path)
    found = model.objects.filter(**filters).order_by("pk").first()
    assert found is not None, f"the demo has no {model_path} for {filters}"
    return found


def _pid(model_path: str, **filters: Any) -> dict[str, Any]:
    return {"public_id": _first(model_path, **filters).public_id}


def _bath_conversation() -> Any:
    return _first("listening.Conversation", host__slug="regen-bath")


def _report() -> Any:
    return _first("impact.Report", versions__isnull=False)


def _token() -> dict[str, Any]:
    from commonground.accounts.models import User

    owner = User.objects.get(email="council.officer@demo.commonground.test")
    token = (
        ApiToken.objects.filter(user=owner).first()
        or api_token_create(actor=owner, name="other organisation's token")[0]
    )
    return {"pk": token.pk}


def _review_tag() -> dict[str, Any]:
    tag = _first("insight.ConversationTag", conversation__host__slug="regen-bath")
    return {"public_id": tag.conversation.public_id, "tag_id": tag.pk}


def _matters() -> dict[str, Any]:
    first, second = list(
        _first("action.Matter").__class__.objects.filter(authority__code=BATH).order_by("pk")[:2]
    )
    return {"public_id": first.public_id, "other_id": second.public_id}


def _section() -> dict[str, Any]:
    report = _first("impact.Report", sections__isnull=False)
    return {"public_id": report.public_id, "section_id": report.sections.first().pk}


def _version(suffix: dict[str, Any] | None = None) -> Callable[[], dict[str, Any]]:
    def kwargs() -> dict[str, Any]:
        report = _report()
        return {
            "public_id": report.public_id,
            "number": report.versions.first().number,
            **(suffix or {}),
        }

    return kwargs


# How to find one of Bath's records for each pattern, as the pattern's keyword arguments.
BATH_RECORDS: dict[str, Callable[[], dict[str, Any]]] = {
    "accounts:token_revoke": _token,
    # programme
    "programme:organisation_update": lambda: {"slug": "regen-bath"},
    "programme:programme_detail": lambda: {"slug": "better-together"},
    **{
        f"programme:{name}": lambda: _pid("programme.Organiser", host__slug="regen-bath")
        for name in ("organiser_detail", "organiser_update", "training_add")
    },
    "programme:agreement_detail": lambda: _pid("programme.Agreement"),
    "programme:commitment_update": lambda: _pid("programme.Commitment"),
    "api:get_organiser": lambda: {
        "organiser_id": _first("programme.Organiser", host__slug="regen-bath").public_id
    },
    # listening
    **{
        f"listening:{name}": lambda: {"public_id": _bath_conversation().public_id}
        for name in ("conversation_detail", "conversation_correct")
    },
    "api:listening_detail": lambda: {"conversation_id": _bath_conversation().public_id},
    "listening:follow_up_close": lambda: _pid(
        "listening.FollowUp", conversation__host__slug="regen-bath"
    ),
    **{
        f"listening:{name}": lambda: _pid("listening.Resident", host__slug="regen-bath")
        for name in ("resident_detail", "resident_update")
    },
    "listening:consent_withdraw": lambda: _pid(
        "privacy.Consent", resident__host__slug="regen-bath"
    ),
    "listening:organiser_progress": lambda: _pid("programme.Organiser", host__slug="regen-bath"),
    **{
        f"listening:{name}": lambda: _pid("listening.CanvassAssignment", host__slug="regen-bath")
        for name in ("assignment_detail", "assignment_geojson")
    },
    "listening:import_detail": lambda: _pid("listening.ImportBatch", host__slug="regen-bath"),
    # insight
    "insight:theme_update": lambda: {"slug": _first("insight.Theme").slug},
    **{
        f"insight:{name}": lambda: {"public_id": _bath_conversation().public_id}
        for name in ("review_item", "review_tag_add", "review_finish")
    },
    "insight:review_tag_confirm": _review_tag,
    "insight:review_tag_reject": _review_tag,
    "insight:meeting_detail": lambda: _pid("insight.HouseMeeting", host__slug="regen-bath"),
    "insight:emerging_detail": lambda: _pid("insight.EmergingCluster"),
    "insight:quote_detail": lambda: _pid("insight.Quote"),
    # action
    **{
        f"action:{name}": lambda: _pid("action.Matter", authority__code=BATH, is_public=False)
        for name in (
            "matter_detail",
            "matter_acknowledge",
            "matter_status",
            "matter_close",
            "matter_reopen",
            "matter_reroute",
            "matter_add_conversations",
        )
    },
    "action:matter_merge": _matters,
    "action:routing_rule_update": lambda: _pid("action.RoutingRule", council__slug="banes-council"),
    "action:category_update": lambda: {"pk": _first("action.MatterCategory").pk},
    **{
        f"action:{name}": lambda: {"slug": _first("action.Group", host__slug="regen-bath").slug}
        for name in ("group_detail", "group_update", "group_activity_add", "involvement_add")
    },
    **{
        f"action:{name}": lambda: {"slug": _first("action.Project", host__slug="regen-bath").slug}
        for name in (
            "project_detail",
            "project_update",
            "milestone_add",
            "project_event_add",
            "volunteer_time_add",
            "outcome_add",
            "photo_add",
        )
    },
    "action:milestone_update": lambda: {
        "pk": _first("action.Milestone", project__host__slug="regen-bath").pk
    },
    "action:photo": lambda: _pid("action.ProjectPhoto", project__host__slug="regen-bath"),
    **{
        f"action:{name}": lambda: {
            "slug": _first("action.Forum", council__slug="banes-council").slug
        }
        for name in (
            "forum_detail",
            "forum_member_add",
            "meeting_create",
            "forum_action_add",
            "forum_calendar",
        )
    },
    **{
        f"action:{name}": lambda: _pid("action.Meeting", forum__council__slug="banes-council")
        for name in (
            "meeting_detail",
            "meeting_redraft",
            "meeting_item_add",
            "meeting_publish",
            "meeting_minutes",
        )
    },
    "action:forum_action_update": lambda: _pid(
        "action.ForumAction", forum__council__slug="banes-council"
    ),
    **{
        f"action:{name}": lambda: _pid("action.ActionPlan", programme__slug="better-together")
        for name in ("plan_detail", "plan_item_add", "plan_report")
    },
    "action:plan_item_progress": lambda: _pid(
        "action.ActionPlanItem", plan__programme__slug="better-together"
    ),
    **{
        f"action:{name}": lambda: _pid("action.Idea", council__slug="banes-council")
        for name in ("idea_detail", "idea_case", "idea_move", "idea_progress")
    },
    **{
        f"action:{name}": lambda: {
            "slug": _first("action.ToolkitEntry", organisation__authority__code=BATH).slug
        }
        for name in ("toolkit_detail", "toolkit_update")
    },
    # funding
    **{
        f"funding:{name}": lambda: {
            "slug": _first("funding.Fund", council__slug="banes-council").slug
        }
        for name in (
            "fund_detail",
            "fund_theme_add",
            "fund_criterion_add",
            "round_create",
            "fund_grants",
            "fund_applications",
        )
    },
    "funding:application_create": lambda: _pid(
        "funding.Round", fund__council__slug="banes-council"
    ),
    **{
        f"funding:{name}": lambda: _pid(
            "funding.Application", round__fund__council__slug="banes-council"
        )
        for name in (
            "application_detail",
            "application_update",
            "application_submit",
            "application_withdraw",
            "attachment_add",
            "assessor_assign",
            "application_moderate",
            "application_decide",
        )
    },
    "funding:attachment_download": lambda: _pid("funding.Attachment"),
    **{
        f"funding:{name}": lambda: _pid(
            "funding.Assignment", application__round__fund__council__slug="banes-council"
        )
        for name in ("assignment_score", "assignment_declare")
    },
    **{
        f"funding:{name}": lambda: _pid("funding.Grant", fund__council__slug="banes-council")
        for name in (
            "grant_detail",
            "payment_add",
            "milestone_add",
            "return_add",
            "variation_add",
            "grant_risk",
            "grant_close",
        )
    },
    **{
        f"api:{name}": lambda: {
            "grant_id": _first("funding.Grant", fund__council__slug="banes-council").public_id
        }
        for name in ("get_grant", "get_grant_monitoring")
    },
    "funding:payment_paid": lambda: _pid(
        "funding.Payment", grant__fund__council__slug="banes-council"
    ),
    "funding:milestone_update": lambda: _pid(
        "funding.Milestone", grant__fund__council__slug="banes-council"
    ),
    "funding:variation_decide": lambda: _pid(
        "funding.Variation", grant__fund__council__slug="banes-council"
    ),
    "funding:bid_update": lambda: _pid("funding.FundraisingBid", host__slug="regen-bath"),
    "funding:post_funding_add": lambda: _pid("programme.Organiser", host__slug="regen-bath"),
    # impact
    **{
        f"impact:{name}": lambda: {"code": _first("impact.Indicator").code}
        for name in ("indicator_detail", "indicator_update", "measurement_create", "target_create")
    },
    "impact:measurement_correct": lambda: _pid(
        "impact.Measurement", organisation__authority__code=BATH
    ),
    "impact:target_update": lambda: _pid("impact.Target", organisation__authority__code=BATH),
    "impact:comparison_detail": lambda: _pid(
        "impact.Comparison", organisation__authority__code=BATH
    ),
    **{
        f"impact:{name}": lambda: {"public_id": _report().public_id}
        for name in ("report_detail", "report_edit", "section_add", "report_publish")
    },
    "impact:section_edit": _section,
    "impact:section_delete": _section,
    "impact:version_detail": _version(),
    "impact:version_pdf": _version(),
    "impact:version_figures": _version({"fmt": "csv"}),
    "api:get_version": lambda: {
        "report_id": _report().public_id,
        "number": _report().versions.first().number,
    },
    # priorities
    **{
        f"priorities:{name}": lambda: _pid("priorities.Scenario")
        for name in ("scenario_detail", "scenario_status", "scenario_save", "scenario_delete")
    },
    "priorities:scenario_accept": lambda: {
        "public_id": _first("priorities.Scenario").public_id,
        "number": 1,
    },
    "api:get_scenario": lambda: {"scenario_id": _first("priorities.Scenario").public_id},
    # privacy
    **{
        f"privacy:{name}": lambda: _pid("listening.Resident", host__slug="regen-bath")
        for name in ("resident_rights", "resident_export", "resident_erase")
    },
    **{
        f"privacy:{name}": lambda: _pid("privacy.DataSharingAgreement")
        for name in ("agreement_detail", "agreement_end")
    },
    # place-keyed pages, reached with Bath's places
    "insight:area_evidence": lambda: {"kind": "authority", "code": BATH},
    "insight:area_theme": lambda: {
        "kind": "authority",
        "code": BATH,
        "slug": _first("insight.Theme").slug,
    },
    "insight:meeting_create": lambda: {
        "kind": "authority",
        "code": BATH,
        "slug": _first("insight.Theme").slug,
    },
    "insight:what_we_heard": lambda: {"slug": "whiteway"},
    "insight:what_we_heard_pdf": lambda: {"slug": "whiteway"},
    "action:network_detail": lambda: {"slug": "whiteway"},
    "priorities:markings": lambda: {"code": BATH},
    "api:area_evidence": lambda: {"kind": "authority", "code": BATH},
    "api:listening_postcode": lambda: {"postcode": _bath_conversation().postcode or "BA2 1AA"},
    "api:get_figure": lambda: {"code": _first("impact.Indicator").code},
    "places:neighbourhood_create": lambda: {"code": BATH},
    "places:neighbourhood_update": lambda: {"slug": "whiteway"},
}


def _walk(patterns: list[Any], prefix: str = "") -> Iterator[tuple[str, URLPattern]]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            namespace = f"{prefix}{entry.namespace}:" if entry.namespace else prefix
            yield from _walk(entry.url_patterns, namespace)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{prefix}{entry.name}", entry


def patterns_with_parameters() -> set[str]:
    """Every named pattern outside the Django admin whose route takes a parameter."""
    found = set()
    for name, pattern in _walk(get_resolver().url_patterns):
        if name.startswith("admin:"):
            continue
        if re.search(r"<\w|\(\?P<", str(pattern.pattern)):
            found.add(name)
    return found


def test_every_page_with_a_parameter_is_covered() -> None:
    """A new page with an id fails here until it is given one of Bath's records (or a reason)."""
    missing = patterns_with_parameters() - set(BATH_RECORDS) - set(NOT_ORGANISATION_RECORDS)
    assert not missing, f"add these to BATH_RECORDS or NOT_ORGANISATION_RECORDS: {sorted(missing)}"
    stale = (set(BATH_RECORDS) | set(NOT_ORGANISATION_RECORDS)) - patterns_with_parameters()
    assert not stale, f"these patterns no longer exist: {sorted(stale)}"


def _private_words() -> list[str]:
    """Names and words from Bath's residents and supervision that no Exeter member should ever see.

    Words a quote approved for publication carries are left out: that text was redacted and
    approved to be shown on area pages to anyone who may see area evidence.
    """
    from commonground.insight.models import Quote
    from commonground.listening.models import Conversation, Resident
    from commonground.programme.models import SupervisionNote

    words = [
        name
        for name in Resident.objects.filter(host__slug="regen-bath")
        .exclude(full_name="")
        .values_list("full_name", flat=True)[:200]
        if len(name) > 6
    ]
    words += [
        text[:40]
        for text in Conversation.objects.filter(host__slug="regen-bath")
        .exclude(concerns="")
        .values_list("concerns", flat=True)[:200]
        if len(text) > 30
    ]
    words += [note.notes[:40] for note in SupervisionNote.objects.all()]
    published = " ".join(
        Quote.objects.filter(status=Quote.Status.APPROVED).values_list("text", flat=True)
    )
    words = [word for word in words if word not in published]
    assert len(words) > 100
    return words


REFUSED = {403, 404}


@pytest.mark.parametrize("role", OUTSIDER_ROLES)
def test_no_role_reaches_another_organisations_record(worlds: Worlds, role: str) -> None:
    client = verified_client(worlds.exeter[role])
    private_words = _private_words()
    covered = patterns_with_parameters() & set(BATH_RECORDS)
    reached: list[str] = []
    leaked: list[str] = []
    for name in sorted(covered):
        url = reverse(name, kwargs=BATH_RECORDS[name]())
        for method in ("get", "post"):
            response = getattr(client, method)(url)
            body = b"".join(response) if response.streaming else response.content
            text = body.decode("utf-8", "replace")
            expect_refusal = name not in PLACE_KEYED and name not in SHARED_BY_DESIGN
            if expect_refusal and response.status_code not in REFUSED | {405}:
                reached.append(f"{method.upper()} {name} {url} -> {response.status_code}")
            leaked += [
                f"{method.upper()} {name}: {word!r}" for word in private_words if word in text
            ]
    assert not reached + leaked, "\n".join(reached + leaked)
