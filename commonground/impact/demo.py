"""Impact's part of the synthetic demo, for the Better Together programme.

Targets for the shared indicators; a synthetic residents' survey (loneliness and volunteering,
clearly labelled as demo figures); the real FixMyStreet report counts per LSOA, and the Whiteway
fly-tipping comparison from the method notes; a published impact report for 2025/26 with its PDF,
and a draft for 2026/27 still being written. Running it again changes nothing that exists.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db import transaction

from commonground.accounts.models import User
from commonground.places.models import Lsoa
from commonground.programme.models import Organisation, Programme

from . import comparison as comparing
from . import services
from .framework import install_defaults
from .models import Comparison, Indicator, Measurement, Report, ReportSection, ScopeKind
from .periods import programme_year
from .scopes import Scope

FIXMYSTREET_FILE = "reports_fixmystreet/fms_lsoa_yearly_counts_banes_exeter.csv"
HOST_MANAGER_EMAIL = "host.manager@demo.commonground.test"

# The Whiteway comparison as worked through in docs/impact-method.md.
WHITEWAY = ("E01014458", "E01014461")
LATER_ORGANISING_WARDS = (
    "Keynsham South",
    "Walcot",
    "Lambridge",
    "Combe Down",
    "Odd Down",
    "Radstock",
    "Timsbury",
    "Clutton & Farmborough",
)
COMPARISON_TITLE = "Whiteway: rubbish and fly-tipping reports before and after organising began"

# Targets per programme year (2025/26 was the first, part year; 2026/27 the first full one).
TARGETS: dict[str, tuple[str, str]] = {
    "residents_listened_to": ("800", "2000"),
    "residents_involved_in_action": ("80", "250"),
    "volunteers": ("10", "40"),
    "volunteer_hours": ("300", "1500"),
    "new_groups_formed": ("2", "5"),
    "projects_started": ("3", "8"),
    "projects_self_sustaining": ("1", "3"),
    "matters_resolved": ("15", "40"),
    "service_improvements_adopted": ("1", "3"),
    "yearly_savings": ("5000", "25000"),
    "lonely_often_or_always": ("9", "8"),
    "formal_volunteering_rate": ("20", "23"),
}
SURVEY = (
    "Better Together residents' survey (synthetic demo figures), February 2026: 412 adults in the "
    "five neighbourhoods answered on the doorstep and on paper."
)
SURVEY_FIGURES = {"lonely_often_or_always": "9.4", "formal_volunteering_rate": "19.0"}

PUBLISHED_TITLE = "Better Together: impact report 2025/26"
DRAFT_TITLE = "Better Together: impact report 2026/27"
PUBLISHED_SECTIONS = {
    ReportSection.Kind.SUMMARY: (
        "In its first months Better Together placed organisers in Whiteway, Foxhill and Odd "
        "Down and Radstock. They knocked on doors and listened: what residents love about where "
        "they live, what worries them and what they would do about it.\n\n"
        "The figures below are counted from the programme's own records, so they cannot be "
        "typed twice; the survey figures are a baseline for the years to come."
    ),
    ReportSection.Kind.LESSONS: (
        "Evening door-knocking reached more people in work than daytime rounds did.\n\n"
        "Residents' groups formed fastest where there was already somewhere to meet; where there "
        "was none, finding a room came first.\n\n"
        "Ideas for services need a named officer to answer within eight weeks, as the "
        "co-operation agreement says; where that happened, residents stayed involved."
    ),
}
DRAFT_SUMMARY = (
    "This year all five organisers are in post. This summary will be finished when the year's "
    "figures are complete in April."
)


def _actor() -> User | None:
    return User.objects.filter(email=HOST_MANAGER_EMAIL).first()


def _load_fixmystreet(actor: User | None) -> int:
    indicator = Indicator.objects.get(code="fixmystreet_rubbish_reports")
    if Measurement.objects.filter(indicator=indicator).exists():
        return 0
    path = settings.DATA_DIR / FIXMYSTREET_FILE
    if not path.is_file():
        return 0
    summary = services.measurements_load_fixmystreet(
        actor=actor, indicator=indicator, counts_csv=path, category_code="B26"
    )
    return summary["added"]


def _targets(actor: User | None, programme: Programme, host: Organisation) -> int:
    scope = Scope.of(programme)
    made = 0
    indicators = {i.code: i for i in Indicator.objects.filter(code__in=TARGETS)}
    for code, values in TARGETS.items():
        for year, value in zip((2025, 2026), values, strict=True):
            period = programme_year(year, starts_month=programme.year_starts_month)
            if (
                indicators[code]
                .targets.filter(scope_key=scope.key, period_start=period.start)
                .exists()
            ):
                continue
            services.target_set(
                actor=actor,
                indicator=indicators[code],
                scope=scope,
                organisation=host,
                period_start=period.start,
                period_end=period.end,
                value=Decimal(value),
                note="Agreed with the council at the start of the programme year.",
            )
            made += 1
    return made


def _survey(actor: User | None, programme: Programme, host: Organisation) -> int:
    scope = Scope.of(programme)
    made = 0
    for code, value in SURVEY_FIGURES.items():
        indicator = Indicator.objects.get(code=code)
        if Measurement.objects.filter(indicator=indicator, scope_key=scope.key).exists():
            continue
        services.measurement_record(
            actor=actor,
            indicator=indicator,
            scope=scope,
            organisation=host,
            period_start=date(2026, 2, 1),
            period_end=date(2026, 2, 28),
            value=Decimal(value),
            evidence=SURVEY,
            base=412,
        )
        made += 1
    return made


def _comparison(actor: User | None, host: Organisation) -> Comparison | None:
    existing = Comparison.objects.filter(title=COMPARISON_TITLE).first()
    if existing is not None:
        return existing
    indicator = Indicator.objects.get(code="fixmystreet_rubbish_reports")
    if not Measurement.objects.filter(
        indicator=indicator, scope_key__startswith=f"{ScopeKind.LSOA}:"
    ).exists():
        return None
    later = tuple(
        Lsoa.objects.filter(
            authority__code="E06000022", ward__name__in=LATER_ORGANISING_WARDS
        ).values_list("code", flat=True)
    )
    request = comparing.ComparisonRequest(
        indicator=indicator,
        treated_codes=WHITEWAY,
        start_year=2009,
        first_year=2007,
        last_year=2017,
        band_width=1,
        same_authority=True,
        exclude_organised=False,
        exclude_codes=later,
    )
    return services.comparison_save(
        actor=actor, title=COMPARISON_TITLE, organisation=host, request=request
    )


def _reports(
    actor: User | None, programme: Programme, host: Organisation, comparison: Comparison | None
) -> tuple[int, int]:
    scope = Scope.of(programme)
    published = drafts = 0
    first_year = programme_year(2025, starts_month=programme.year_starts_month)
    report = Report.objects.filter(title=PUBLISHED_TITLE).first()
    if report is None:
        report = services.report_create(
            actor=actor,
            title=PUBLISHED_TITLE,
            scope=scope,
            organisation=host,
            period_start=first_year.start,
            period_end=first_year.end,
        )
        for section in report.sections.all():
            services.report_section_save(
                actor=actor,
                report=report,
                section=section,
                heading=section.heading,
                body=PUBLISHED_SECTIONS[section.kind],
            )
        if comparison is not None:
            services.report_update(
                actor=actor,
                report=report,
                title=report.title,
                period_start=report.period_start,
                period_end=report.period_end,
                comparisons=[comparison],
            )
    if not report.versions.exists():
        services.report_publish(actor=actor, report=report, make_pdf_now=True)
        published += 1
    if not Report.objects.filter(title=DRAFT_TITLE).exists():
        second_year = programme_year(2026, starts_month=programme.year_starts_month)
        draft = services.report_create(
            actor=actor,
            title=DRAFT_TITLE,
            scope=scope,
            organisation=host,
            period_start=second_year.start,
            period_end=second_year.end,
        )
        summary = draft.sections.get(kind=ReportSection.Kind.SUMMARY)
        services.report_section_save(
            actor=actor, report=draft, section=summary, heading=summary.heading, body=DRAFT_SUMMARY
        )
        if comparison is not None:
            services.report_update(
                actor=actor,
                report=draft,
                title=draft.title,
                period_start=draft.period_start,
                period_end=draft.period_end,
                comparisons=[comparison],
            )
        drafts += 1
    return published, drafts


def demo_load() -> str:
    install_defaults(Indicator)
    programme = Programme.objects.filter(slug="better-together").first()
    host = Organisation.objects.filter(slug="regen-bath").first()
    if programme is None or host is None:
        return "skipped: the Better Together programme is not in the demo"
    actor = _actor()
    with transaction.atomic():
        loaded = _load_fixmystreet(actor)
        targets = _targets(actor, programme, host)
        survey = _survey(actor, programme, host)
    comparison = _comparison(actor, host)
    published, drafts = _reports(actor, programme, host, comparison)
    return (
        f"{loaded} FixMyStreet yearly figures, {targets} targets, {survey} survey figures, "
        f"{'a' if comparison else 'no'} comparison, {published} report published, "
        f"{drafts} draft"
    )
