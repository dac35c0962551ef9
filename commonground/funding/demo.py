"""Synthetic funding for the demo, shaped on the council papers.

A £1m Performance Reward "Main Fund" with 16 projects (Better Together among them, at £106,000)
with milestones and an exit strategy, some milestones late; a £300,000 small grants pot with a round
being scored by two assessors; a £105,000 Community Empowerment Fund with an open round; hosts' bids
with CIL and New Homes Bonus match funding and how each organiser post is funded. Recipient groups,
people and figures are invented; dates are fixed so that the demo is the same wherever it loads.
The real 360Giving sample files are imported as other funders' past grants when present.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone

from commonground.accounts.models import User
from commonground.core.audit import audit_record
from commonground.places.models import Ward
from commonground.programme.models import Organisation, Organiser, Programme

from . import services
from .models import (
    Application,
    Assignment,
    Criterion,
    Fund,
    FundraisingBid,
    FundTheme,
    Grant,
    Milestone,
    MonitoringReturn,
    PastGrant,
    PastGrantImport,
    Payment,
    PostFunding,
    ReturnFigure,
    Round,
    Score,
    Variation,
)

SEED = 2012
DOMAIN = "demo.commonground.test"
UK = ZoneInfo("Europe/London")
SAMPLE_FOLDER = Path(__file__).resolve().parents[2] / "data" / "standards" / "360giving"


def _moment(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=UK)


# title, recipient slug, recipient name, ward, amount, theme, what it does
MAIN_FUND_PROJECTS: list[tuple[str, str, str, str, int, str, str]] = [
    (
        "Better Together",
        "regen-bath",
        "",
        "Southdown",
        106_000,
        "Building community capacity",
        "Community organisers listen to residents face to face in Radstock, Foxhill and "
        "Whiteway, help them act together, and grow projects that reduce demand on public "
        "services, such as clean-ups that cut flytipping.",
    ),
    (
        "Employee volunteering brokerage",
        "volunteer-connect",
        "Volunteer Connect (demo)",
        "Kingsmead",
        94_000,
        "Growing local organisations",
        "Matches employers' volunteering days with community groups that need hands and skills.",
    ),
    (
        "Village agents",
        "rural-links",
        "Rural Links Network (demo)",
        "Chew Valley",
        88_000,
        "Reducing demand on public services",
        "Trusted local people help older residents in villages find support before a crisis.",
    ),
    (
        "Community energy share offer",
        "bathavon-energy",
        "Bathavon Community Energy (demo)",
        "Bathavon North",
        82_000,
        "Growing local organisations",
        "Raises community shares for solar roofs on schools; surplus goes to a local fund.",
    ),
    (
        "Community radio: skills and local news",
        "somer-radio",
        "Somer Valley Community Radio (demo)",
        "Midsomer Norton North",
        78_000,
        "Building community capacity",
        "Trains volunteers to make local news and to run the station without grant funding.",
    ),
    (
        "Repair café and tool library",
        "twerton-fixit",
        "Twerton Fix-It Collective (demo)",
        "Twerton",
        72_000,
        "Environment and neighbourhoods",
        "Residents repair and lend tools, cutting waste and bringing neighbours together.",
    ),
    (
        "Youth-led street sport",
        "odd-down-youth-sport",
        "Odd Down Youth Sport CIC (demo)",
        "Odd Down",
        68_000,
        "Reducing demand on public services",
        "Young people run evening sport on the estate, with coaching qualifications for leaders.",
    ),
    (
        "Dementia-friendly Keynsham",
        "keynsham-memory-friends",
        "Keynsham Memory Friends (demo)",
        "Keynsham North",
        64_000,
        "Reducing demand on public services",
        "Shops, buses and clubs learn to support people with dementia and their carers.",
    ),
    (
        "Community food hub",
        "radstock-food-hub",
        "Radstock Food Hub (demo)",
        "Radstock",
        60_000,
        "Reducing demand on public services",
        "Surplus food, cooking sessions and advice in one place, run by volunteers.",
    ),
    (
        "Men's shed",
        "paulton-mens-shed",
        "Paulton Men's Shed (demo)",
        "Paulton",
        56_000,
        "Building community capacity",
        "A workshop where older men meet, make and mend, reducing isolation.",
    ),
    (
        "Timebank",
        "somer-timebank",
        "Somer Timebank (demo)",
        "Peasedown",
        52_000,
        "Building community capacity",
        "Residents trade hours of help; an hour of gardening buys an hour of IT help.",
    ),
    (
        "Befriending isolated older people",
        "westfield-befrienders",
        "Westfield Befrienders (demo)",
        "Westfield",
        48_000,
        "Reducing demand on public services",
        "Volunteers visit and phone older residents who live alone.",
    ),
    (
        "Digital skills for job seekers",
        "foxhill-digital-den",
        "Foxhill Digital Den (demo)",
        "Combe Down",
        42_000,
        "Growing local organisations",
        "Drop-in help with online job searches, forms and video interviews.",
    ),
    (
        "Community growing spaces",
        "moorlands-growing",
        "Moorlands Growing Together (demo)",
        "Moorlands",
        36_000,
        "Environment and neighbourhoods",
        "Turns unused corners of council land into shared vegetable beds.",
    ),
    (
        "Play rangers in parks",
        "keynsham-play-rangers",
        "Keynsham Play Rangers (demo)",
        "Keynsham South",
        30_000,
        "Environment and neighbourhoods",
        "Trained rangers run free outdoor play in parks after school and in the holidays.",
    ),
    (
        "Credit union outreach",
        "credit-union-outreach",
        "Bath and Somer Credit Union Outreach (demo)",
        "Walcot",
        24_000,
        "Reducing demand on public services",
        "Savings clubs in schools and affordable loans instead of doorstep lenders.",
    ),
]

MILESTONES = [
    ("Lead worker in post and a residents' steering group formed", date(2025, 11, 28)),
    ("Activities running and the first residents involved", date(2026, 3, 31)),
    ("Mid-point review; exit strategy agreed with the council", date(2026, 9, 30)),
    ("Running without this grant: exit strategy in place", date(2027, 8, 31)),
]
# Project number -> statuses of its four milestones (met unless listed). Today in the demo's story
# is late November 2026, so an unmet milestone due before then is late.
MILESTONE_STATUS = {
    5: ["met", "met", "in_progress", "not_started"],
    7: ["met", "met", "missed", "not_started"],
    9: ["met", "met", "not_started", "not_started"],
    12: ["met", "in_progress", "not_started", "not_started"],
    16: ["met", "met", "met", "met"],
}
FLAGGED_AT_RISK = {
    13: "The lead worker left in October; the group is recruiting and activity has paused."
}
CLOSED = {16}

SMALL_GRANT_APPLICANTS = [
    # slug, name, title, amount, ward, theme, summary
    (
        "whiteway-residents",
        "Whiteway Residents Association (demo)",
        "Whiteway summer street party",
        3_500,
        "Southdown",
        "Community events",
        "A street party on the green with stalls from local groups, to meet new neighbours.",
    ),
    (
        "southdown-litter-heroes",
        "Southdown Litter Heroes (demo)",
        "Litter-pick kit for monthly clean-ups",
        1_800,
        "Southdown",
        "Clean and green",
        "Pickers, hoops and high-visibility vests for the monthly clean-up.",
    ),
    (
        "radstock-chess-chat",
        "Radstock Chess and Chat (demo)",
        "Chess and chat club",
        2_400,
        "Radstock",
        "Older people and isolation",
        "A weekly club in the library for anyone who wants a game and a cup of tea.",
    ),
    (
        "odd-down-youth-sport",
        "Odd Down Youth Sport CIC (demo)",
        "Youth podcast workshops",
        4_800,
        "Odd Down",
        "Young people",
        "Young people learn to record and edit a podcast about their estate.",
    ),
    (
        "keynsham-repair-cafe",
        "Keynsham Repair Café (demo)",
        "Tools for the repair café",
        2_950,
        "Keynsham East",
        "Clean and green",
        "Soldering irons, sewing machines and a PAT tester for monthly repair sessions.",
    ),
    (
        "paulton-mens-shed",
        "Paulton Men's Shed (demo)",
        "Monthly lunch club",
        4_000,
        "Paulton",
        "Older people and isolation",
        "A cooked lunch once a month for older residents, cooked by shed members.",
    ),
    (
        "timsbury-walkers",
        "Timsbury Walkers (demo)",
        "Village walks for health",
        1_200,
        "Timsbury",
        "Older people and isolation",
        "Led walks of an hour on Tuesdays, with a trained walk leader.",
    ),
]


class _Context:
    def __init__(self) -> None:
        self.random = random.Random(SEED)
        self.council = Organisation.objects.get(slug="banes-council")
        self.authority = self.council.authority
        self.wards = {ward.name: ward for ward in Ward.objects.filter(authority__code="E06000022")}
        self.officer = User.objects.filter(email=f"council.officer@{DOMAIN}").first()
        self.host_manager = User.objects.filter(email=f"host.manager@{DOMAIN}").first()
        self.partner = User.objects.filter(email=f"partner.officer@{DOMAIN}").first()
        self.forum = User.objects.filter(email=f"forum.member@{DOMAIN}").first()

    def organisation(self, slug: str, name: str) -> Organisation:
        organisation, _created = Organisation.objects.get_or_create(
            slug=slug,
            defaults={
                "name": name,
                "kind": Organisation.Kind.COMMUNITY_GROUP,
                "authority": self.authority,
            },
        )
        return organisation


def _fund(
    context: _Context,
    *,
    slug: str,
    code: str,
    name: str,
    source: str,
    amount: int,
    themes: list[str],
    criteria: list[tuple[str, int, str]],
    **rules: Any,
) -> tuple[Fund, bool]:
    existing = Fund.objects.filter(slug=slug).first()
    if existing is not None:
        return existing, False
    fund = Fund.objects.create(
        slug=slug,
        code=code,
        name=name,
        council=context.council,
        source=source,
        amount=Decimal(amount),
        programme=Programme.objects.filter(slug="better-together").first(),
        **rules,
    )
    for theme in themes:
        FundTheme.objects.create(fund=fund, name=theme)
    for position, (criterion, weight, guidance) in enumerate(criteria, start=1):
        Criterion.objects.create(
            fund=fund, name=criterion, weight=weight, guidance=guidance, position=position
        )
    return fund, True


def _main_fund(context: _Context) -> str:
    fund, created = _fund(
        context,
        slug="main-fund",
        code="MF",
        name="Performance Reward Main Fund (demo)",
        source=Fund.Source.PERFORMANCE_REWARD,
        amount=1_000_000,
        source_detail="One-off reward for meeting Local Area Agreement targets",
        description="A larger-scale investment fund to build capacity in the community. Its "
        "principles: one-off funding only; pump-prime activity that becomes sustainable in its "
        "own right; reduce the need for future funding, built around invest to save; an exit "
        "strategy in place; realistic milestones.",
        one_off=True,
        invest_to_save=True,
        exit_strategy_required=True,
        milestones_required=True,
        themes=[
            "Building community capacity",
            "Reducing demand on public services",
            "Growing local organisations",
            "Environment and neighbourhoods",
        ],
        criteria=[
            ("Builds capacity in the community", 3, "Residents gain skills, networks and power."),
            ("Invest to save", 3, "Evidence that it reduces future demand or cost."),
            (
                "Becomes sustainable",
                2,
                "A credible exit strategy; pump-priming, not running costs.",
            ),
            ("Realistic milestones", 2, "Deliverable by this group, on these dates."),
            ("Reaches people seldom heard", 1, "People public services have struggled to engage."),
        ],
    )
    if not created:
        return "Main Fund already loaded"
    main_round = Round.objects.create(
        fund=fund,
        name="Open call 2025",
        opens_on=date(2025, 3, 3),
        closes_on=date(2025, 4, 30),
        decision_by=date(2025, 6, 30),
    )
    themes = {theme.name: theme for theme in fund.themes.all()}
    rng = context.random
    for number, (title, slug, name, ward, amount, theme, summary) in enumerate(
        MAIN_FUND_PROJECTS, start=1
    ):
        recipient = (
            Organisation.objects.get(slug=slug) if not name else context.organisation(slug, name)
        )
        reference = f"MF-2025-{number:03d}"
        application = Application.objects.create(
            round=main_round,
            applicant=recipient,
            reference=reference,
            title=title,
            summary=summary,
            theme=themes[theme],
            amount_requested=Decimal(amount + rng.choice([0, 0, 4_000, 8_000])),
            match_funding=Decimal(rng.choice([0, 5_000, 10_000, 15_000])),
            match_funding_source="Host's own reserves and in-kind volunteer time",
            starts_on=date(2025, 9, 1),
            ends_on=date(2027, 8, 31),
            ward=context.wards.get(ward),
            proposed_milestones="\n".join(
                f"{due:%B %Y}: {milestone}" for milestone, due in MILESTONES
            ),
            exit_strategy="Volunteers trained to run the activity; income from small charges "
            "and local sponsors; the group applies to other funders in year two.",
            invest_to_save_case="Fewer calls on council and NHS services by residents who "
            "are now supported by neighbours.",
            expected_saving=Decimal(amount // 4),
            status=Application.Status.AWARDED,
            submitted_at=_moment(date(2025, 4, 10 + number % 15)),
            moderated_score=Decimal(rng.randint(620, 890)) / 10,
            moderation_note="Assessors broadly agreed; moderated to the mean.",
            moderated_by=context.officer,
            moderated_at=_moment(date(2025, 5, 28)),
            decision_reasons="Recommended by the Public Services Board: meets the Main Fund's "
            "principles, with milestones and an exit strategy to be agreed in the funding "
            "agreement.",
            decided_by=context.officer,
            decided_at=_moment(date(2025, 6, 26)),
        )
        closed = number in CLOSED
        grant = Grant.objects.create(
            fund=fund,
            application=application,
            reference=reference,
            recipient=recipient,
            title=title,
            description=summary,
            amount_awarded=Decimal(amount),
            awarded_on=date(2025, 7, 14),
            starts_on=date(2025, 9, 1),
            ends_on=date(2027, 8, 31),
            ward=context.wards.get(ward),
            conditions="Quarterly monitoring returns against the shared indicators; the second "
            "instalment follows the mid-point review; the last follows the closure report.",
            exit_strategy=application.exit_strategy,
            at_risk_flag=number in FLAGGED_AT_RISK,
            at_risk_reason=FLAGGED_AT_RISK.get(number, ""),
            status=Grant.Status.CLOSED if closed else Grant.Status.ACTIVE,
            closed_on=date(2026, 10, 31) if closed else None,
            exit_outcome=Grant.ExitOutcome.SUSTAINED if closed else "",
            closure_report="Every milestone met early. The service now runs as a social "
            "enterprise on members' fees and a local sponsor."
            if closed
            else "",
        )
        statuses = MILESTONE_STATUS.get(number, ["met", "met", "met", "in_progress"])
        for (milestone_title, due), status in zip(MILESTONES, statuses, strict=True):
            met = status == Milestone.Status.MET
            Milestone.objects.create(
                grant=grant,
                title=milestone_title,
                due_on=due,
                status=status,
                completed_on=min(due, date(2026, 10, 20)) if met else None,
                evidence="Minutes of the steering group; photographs; attendance records."
                if met
                else "",
            )
        first = (Decimal(amount) * Decimal("0.4")).quantize(Decimal("1"))
        held = number == 12
        instalments = [
            (date(2025, 9, 15), first, date(2025, 9, 12), ""),
            (
                date(2026, 9, 15),
                first,
                None if held else date(2026, 9, 18),
                "Held until the mid-point review is complete" if held else "",
            ),
            (
                date(2026, 10, 20) if closed else date(2027, 9, 15),
                Decimal(amount) - 2 * first,
                date(2026, 10, 22) if closed else None,
                "",
            ),
        ]
        for due, value, paid_on, note in instalments:
            Payment.objects.create(
                grant=grant,
                due_on=due,
                amount=value,
                status=Payment.Status.PAID if paid_on else Payment.Status.SCHEDULED,
                paid_on=paid_on,
                note=note,
            )
        for start, end, share in [
            (date(2025, 9, 1), date(2026, 2, 28), Decimal("0.35")),
            (date(2026, 3, 1), date(2026, 8, 31), Decimal("0.3")),
        ]:
            monitoring_return = MonitoringReturn.objects.create(
                grant=grant,
                period_start=start,
                period_end=end,
                narrative="Activities ran as planned; residents are taking on more of the "
                "organising. Recruiting volunteers in the evenings has been slower.",
                spend=(Decimal(amount) * share * Decimal(rng.randint(85, 110)) / 100).quantize(
                    Decimal("1")
                ),
                submitted_by=context.host_manager if slug == "regen-bath" else None,
            )
            listened = 415 if slug == "regen-bath" else rng.randint(40, 260)
            figures = {
                "residents_listened_to": listened,
                "residents_involved_in_action": rng.randint(12, max(13, listened // 3)),
                "volunteers": rng.randint(5, 40),
                "volunteer_hours": rng.randint(80, 900),
                "new_groups_formed": rng.randint(0, 3),
            }
            ReturnFigure.objects.bulk_create(
                ReturnFigure(
                    monitoring_return=monitoring_return, indicator_code=code, value=Decimal(value)
                )
                for code, value in figures.items()
            )
        if number == 9:
            Variation.objects.create(
                grant=grant,
                kind=Variation.Kind.TIMING,
                reason="The hub's building lease was delayed by four months; we ask to finish "
                "in December 2027 instead of August.",
                new_ends_on=date(2027, 12, 31),
                requested_by=context.host_manager,
            )
        if number == 3:
            Variation.objects.create(
                grant=grant,
                kind=Variation.Kind.BUDGET,
                reason="Mileage costs were lower than planned; we return the difference.",
                amount_change=Decimal(-4_000),
                status=Variation.Status.APPROVED,
                requested_by=None,
                decided_by=context.officer,
                decided_at=_moment(date(2026, 5, 12)),
                decision_note="Approved; the grant is reduced by £4,000.",
            )
            grant.amount_awarded -= Decimal(4_000)
            grant.save(update_fields=["amount_awarded"])
    for number, (title, name, amount) in enumerate(
        [
            ("Town-centre events programme", "Keynsham Events Partnership (demo)", 120_000),
            ("Community transport minibus", "Chew Valley Minibus Group (demo)", 85_000),
            ("Skate park feasibility", "Radstock Skaters (demo)", 40_000),
        ],
        start=17,
    ):
        Application.objects.create(
            round=main_round,
            applicant=context.organisation(f"declined-{number}", name),
            reference=f"MF-2025-{number:03d}",
            title=title,
            summary="A project that did not meet the fund's invest-to-save principle.",
            amount_requested=Decimal(amount),
            starts_on=date(2025, 9, 1),
            ends_on=date(2026, 8, 31),
            exit_strategy="To be developed.",
            proposed_milestones="To be agreed.",
            invest_to_save_case="Not stated.",
            status=Application.Status.DECLINED,
            submitted_at=_moment(date(2025, 4, 28)),
            moderated_score=Decimal(rng.randint(300, 480)) / 10,
            moderation_note="Below the threshold of 55 agreed by the board.",
            moderated_by=context.officer,
            moderated_at=_moment(date(2025, 5, 28)),
            decision_reasons="Scored below the threshold: the running costs would recur and "
            "there was no exit strategy.",
            decided_by=context.officer,
            decided_at=_moment(date(2025, 6, 26)),
        )
    late = (
        Milestone.objects.filter(grant__fund=fund, due_on__lt=timezone.localdate())
        .exclude(status=Milestone.Status.MET)
        .values("grant")
        .distinct()
        .count()
    )
    return f"Main Fund: {len(MAIN_FUND_PROJECTS)} grants, {late} with late milestones"


def _assign(
    application: Application,
    assessor: User | None,
    officer: User | None,
    *,
    interest: str = Assignment.Interest.UNDECLARED,
    scores: list[int] | None = None,
    submitted: bool = False,
    note: str = "",
) -> None:
    if assessor is None:
        return
    assignment = Assignment.objects.create(
        application=application,
        assessor=assessor,
        assigned_by=officer,
        interest=interest,
        interest_note=note,
        declared_at=_moment(date(2026, 11, 5)) if interest != "undeclared" else None,
        submitted_at=_moment(date(2026, 11, 12)) if submitted else None,
    )
    criteria = list(application.round.fund.criteria.all())
    for criterion, value in zip(criteria, scores or [], strict=False):
        Score.objects.create(
            assignment=assignment,
            criterion=criterion,
            score=value,
            comment="Clear local need; residents are running it." if value >= 4 else "",
        )


def _small_grants(context: _Context) -> str:
    fund, created = _fund(
        context,
        slug="small-grants",
        code="SG",
        name="Small Grants Pot (demo)",
        source=Fund.Source.PERFORMANCE_REWARD,
        amount=300_000,
        source_detail="Part of the one-off Performance Reward, set aside for small grants",
        description="Grants of up to £5,000 for residents' groups to start something local.",
        max_award=Decimal(5_000),
        themes=[
            "Community events",
            "Clean and green",
            "Young people",
            "Older people and isolation",
        ],
        criteria=[
            ("Local need shown", 2, "What residents said; who will benefit."),
            ("Residents run it", 2, "Local people plan and run the activity."),
            ("Value for money", 1, "Costs are reasonable and other help is used."),
        ],
    )
    if not created:
        return "small grants already loaded"
    themes = {theme.name: theme for theme in fund.themes.all()}
    rng = context.random
    first = Round.objects.create(
        fund=fund,
        name="2026 round 1",
        opens_on=date(2026, 3, 2),
        closes_on=date(2026, 5, 29),
        decision_by=date(2026, 7, 10),
        budget=Decimal(60_000),
    )
    for number, (slug, name, title, amount, ward, theme, summary) in enumerate(
        SMALL_GRANT_APPLICANTS[:6], start=1
    ):
        applicant = context.organisation(slug, name)
        reference = f"SG-2026-{number:03d}"
        application = Application.objects.create(
            round=first,
            applicant=applicant,
            reference=reference,
            title=f"{title} (spring)",
            summary=summary,
            theme=themes[theme],
            amount_requested=Decimal(amount),
            starts_on=date(2026, 8, 1),
            ends_on=date(2027, 7, 31),
            ward=context.wards.get(ward),
            status=Application.Status.AWARDED,
            submitted_at=_moment(date(2026, 5, 1 + number)),
            moderated_score=Decimal(rng.randint(600, 900)) / 10,
            moderation_note="Assessors agreed.",
            moderated_by=context.officer,
            moderated_at=_moment(date(2026, 6, 20)),
            decision_reasons="Meets the fund's purpose and is run by residents.",
            decided_by=context.officer,
            decided_at=_moment(date(2026, 7, 8)),
        )
        grant = Grant.objects.create(
            fund=fund,
            application=application,
            reference=reference,
            recipient=applicant,
            title=application.title,
            description=summary,
            amount_awarded=Decimal(amount),
            awarded_on=date(2026, 7, 8),
            starts_on=date(2026, 8, 1),
            ends_on=date(2027, 7, 31),
            ward=context.wards.get(ward),
        )
        Payment.objects.create(
            grant=grant,
            due_on=date(2026, 8, 1),
            amount=Decimal(amount),
            status=Payment.Status.PAID,
            paid_on=date(2026, 7, 30),
        )
        Milestone.objects.create(
            grant=grant,
            title="Activity held and photographs sent",
            due_on=date(2026, 10, 31) if number % 3 else date(2027, 3, 31),
            status=Milestone.Status.MET if number % 2 else Milestone.Status.IN_PROGRESS,
            completed_on=date(2026, 10, 10) if number % 2 else None,
            evidence="Photographs and a headcount." if number % 2 else "",
        )
    second = Round.objects.create(
        fund=fund,
        name="2026 round 2",
        opens_on=date(2026, 9, 1),
        closes_on=date(2026, 10, 30),
        decision_by=date(2026, 12, 18),
        budget=Decimal(60_000),
    )
    officer, partner, forum = context.officer, context.partner, context.forum
    plans: list[tuple[str, list[tuple[Any, str, list[int] | None, bool, str]]]] = [
        # status, [(assessor, interest, scores, submitted, note)]
        (
            "in_assessment",
            [(partner, "none", [4, 4, 3], True, ""), (forum, "undeclared", None, False, "")],
        ),
        (
            "in_assessment",
            [
                (partner, "none", [3, 2], False, ""),
                (forum, "conflict", None, False, "I volunteer with this group every month."),
            ],
        ),
        (
            "in_assessment",
            [(partner, "none", [4, 5, 4], True, ""), (forum, "none", [3, 4, 4], True, "")],
        ),
        (
            "in_assessment",
            [(partner, "undeclared", None, False, ""), (forum, "none", [4], False, "")],
        ),
        (
            "moderated",
            [(partner, "none", [4, 3, 4], True, ""), (forum, "none", [3, 4, 3], True, "")],
        ),
        ("submitted", []),
        ("submitted", []),
    ]
    for number, (
        (slug, name, title, amount, ward, theme, summary),
        (status, assessors),
    ) in enumerate(zip(SMALL_GRANT_APPLICANTS, plans, strict=True), start=7):
        application = Application.objects.create(
            round=second,
            applicant=context.organisation(slug, name),
            reference=f"SG-2026-{number:03d}",
            title=title,
            summary=summary,
            theme=themes[theme],
            amount_requested=Decimal(amount),
            match_funding=Decimal(rng.choice([0, 250, 500])),
            match_funding_source="Members' subscriptions",
            starts_on=date(2027, 1, 15),
            ends_on=date(2027, 12, 31),
            ward=context.wards.get(ward),
            exit_strategy="Members will carry on with small charges.",
            status=status,
            submitted_at=_moment(date(2026, 10, 1 + number)),
            moderated_score=Decimal("71.5") if status == "moderated" else None,
            moderation_note="Both assessors recommend; moderated to the mean."
            if status == "moderated"
            else "",
            moderated_by=officer if status == "moderated" else None,
            moderated_at=_moment(date(2026, 11, 20)) if status == "moderated" else None,
        )
        for assessor, interest, scores, submitted, note in assessors:
            _assign(
                application,
                assessor,
                officer,
                interest=interest,
                scores=scores,
                submitted=submitted,
                note=note,
            )
    Application.objects.create(
        round=second,
        applicant=Organisation.objects.get(slug="regen-bath"),
        title="Pop-up listening café",
        summary="A monthly café in the precinct where organisers listen to residents.",
        theme=themes["Community events"],
        amount_requested=Decimal(2_500),
        created_by=context.host_manager,
    )
    return "small grants: 6 awarded, 7 applications in round 2 (4 being scored), 1 draft"


def _community_empowerment(context: _Context) -> str:
    fund, created = _fund(
        context,
        slug="community-empowerment-fund",
        code="CEF",
        name="Community Empowerment Fund (demo)",
        source=Fund.Source.COMMUNITY_EMPOWERMENT,
        amount=105_000,
        source_detail="Allocated by Cabinet to improvements in local engagement",
        description="Supports the Connecting Communities framework: area forums, the toolkit "
        "of good practice, and engagement in communities the council has struggled to reach.",
        exit_strategy_required=True,
        milestones_required=True,
        max_award=Decimal(25_000),
        themes=["Area forums", "Seldom-heard communities"],
        criteria=[
            ("Strengthens local engagement", 3, "Links residents, councillors and services."),
            ("Reaches seldom-heard residents", 2, ""),
            ("Lasting legacy", 1, "What remains when the money is spent."),
        ],
    )
    if not created:
        return "Community Empowerment Fund already loaded"
    Round.objects.create(
        fund=fund,
        name="Local engagement projects 2026–27",
        opens_on=date(2026, 11, 2),
        closes_on=date(2027, 1, 29),
        decision_by=date(2027, 3, 12),
        budget=Decimal(60_000),
    )
    grant = Grant.objects.create(
        fund=fund,
        reference="CEF-2026-001",
        recipient=Organisation.objects.get(slug="regen-bath"),
        title="Listening to feed the Somer Valley forum",
        description="Organisers summarise what residents said for each Somer Valley forum "
        "meeting, so its agenda starts from evidence.",
        amount_awarded=Decimal(18_000),
        awarded_on=date(2026, 6, 1),
        starts_on=date(2026, 6, 1),
        ends_on=date(2027, 5, 31),
        ward=context.wards.get("Radstock"),
        exit_strategy="The forum's members take over the summaries using the toolkit.",
    )
    Payment.objects.create(
        grant=grant,
        due_on=date(2026, 6, 15),
        amount=Decimal(9_000),
        status=Payment.Status.PAID,
        paid_on=date(2026, 6, 12),
    )
    Payment.objects.create(grant=grant, due_on=date(2026, 12, 15), amount=Decimal(9_000))
    for title, due, status in [
        ("First evidence summary at the forum", date(2026, 7, 16), "met"),
        ("Forum members trained to write summaries", date(2026, 10, 30), "in_progress"),
        ("Forum writes its own summary", date(2027, 4, 30), "not_started"),
    ]:
        Milestone.objects.create(
            grant=grant,
            title=title,
            due_on=due,
            status=status,
            completed_on=due if status == "met" else None,
            evidence="Agenda and minutes of the July forum." if status == "met" else "",
        )
    return "Community Empowerment Fund: 1 grant, a round open for applications"


def _fundraising(context: _Context) -> str:
    if FundraisingBid.objects.exists():
        return "fundraising already loaded"
    hosts = {
        slug: Organisation.objects.get(slug=slug)
        for slug in ["regen-bath", "riverside-trust", "whipton-together"]
    }
    bids = {}
    for key, host, values in [
        (
            "team",
            "regen-bath",
            {
                "funder_name": "Somerset Community Foundation (demo)",
                "title": "Keeping the organiser team after Better Together",
                "amount_requested": Decimal(150_000),
                "match_funding": Decimal(20_000),
                "match_funding_source": "Community Empowerment Fund (council)",
                "status": FundraisingBid.Status.SUBMITTED,
                "deadline": date(2026, 9, 30),
                "decision_expected_on": date(2027, 1, 29),
                "funding_starts_on": date(2026, 11, 2),
                "funding_ends_on": date(2029, 10, 31),
            },
        ),
        (
            "foxhill",
            "regen-bath",
            {
                "funder_name": "Curo Foundation (demo)",
                "title": "An organiser post for Foxhill and Odd Down",
                "amount_requested": Decimal(38_000),
                "status": FundraisingBid.Status.PLANNED,
                "deadline": date(2026, 11, 13),
                "funding_starts_on": date(2027, 9, 7),
                "funding_ends_on": date(2028, 9, 6),
            },
        ),
        (
            "kit",
            "regen-bath",
            {
                "funder_name": "Local Environment Trust (demo)",
                "title": "Clean-up equipment for Whiteway",
                "amount_requested": Decimal(6_000),
                "status": FundraisingBid.Status.AWARDED,
                "amount_awarded": Decimal(6_000),
                "deadline": date(2026, 2, 27),
                "funding_starts_on": date(2026, 4, 1),
                "funding_ends_on": date(2027, 3, 31),
            },
        ),
        (
            "wonford",
            "riverside-trust",
            {
                "funder_name": "Devon Community Foundation (demo)",
                "title": "Community organisers for Wonford and St David's, 2027–2030",
                "amount_requested": Decimal(90_000),
                "match_funding": Decimal(30_000),
                "match_funding_source": "Exeter CIL, through Exeter Community Forum",
                "status": FundraisingBid.Status.SUBMITTED,
                "deadline": date(2026, 10, 15),
                "decision_expected_on": date(2027, 1, 29),
                "funding_starts_on": date(2027, 2, 2),
                "funding_ends_on": date(2030, 1, 31),
            },
        ),
        (
            "health",
            "riverside-trust",
            {
                "funder_name": "Integrated care partnership (demo)",
                "title": "A health and wellbeing organiser beside the community connectors",
                "amount_requested": Decimal(45_000),
                "match_funding": Decimal(15_000),
                "match_funding_source": "New Homes Bonus (city council)",
                "status": FundraisingBid.Status.PLANNED,
                "deadline": date(2027, 2, 26),
                "funding_starts_on": date(2027, 6, 1),
                "funding_ends_on": date(2029, 5, 31),
            },
        ),
        (
            "whipton",
            "whipton-together",
            {
                "funder_name": "Exeter Community Forum CIL allocation (demo)",
                "title": "Whipton organiser, 2026–2029",
                "amount_requested": Decimal(75_000),
                "status": FundraisingBid.Status.AWARDED,
                "amount_awarded": Decimal(75_000),
                "deadline": date(2025, 11, 28),
                "funding_starts_on": date(2026, 2, 2),
                "funding_ends_on": date(2029, 1, 31),
            },
        ),
    ]:
        bids[key] = FundraisingBid.objects.create(host=hosts[host], **values)
    better_together = Grant.objects.filter(reference="MF-2025-001").first()
    national = "National Community Organisers programme (training year)"
    plan = [
        # organiser, bid, grant, source, share, from, until
        ("Tamsin Okafor-Reeve", None, None, national, 100, date(2025, 11, 3), date(2026, 11, 1)),
        (
            "Tamsin Okafor-Reeve",
            None,
            better_together,
            "",
            50,
            date(2026, 11, 2),
            date(2027, 8, 31),
        ),
        ("Tamsin Okafor-Reeve", "team", None, "", 50, date(2026, 11, 2), date(2029, 10, 31)),
        ("Rhys Lindqvist", None, None, national, 100, date(2025, 11, 3), date(2026, 11, 1)),
        ("Rhys Lindqvist", None, better_together, "", 100, date(2026, 11, 2), date(2027, 8, 31)),
        ("Priya Castellano", None, None, national, 100, date(2026, 1, 12), date(2027, 1, 11)),
        ("Priya Castellano", "team", None, "", 100, date(2027, 1, 12), date(2029, 10, 31)),
        ("Owain Matsuda", None, None, national, 100, date(2026, 5, 4), date(2027, 5, 3)),
        ("Bethan Adeyemi-Clark", None, None, national, 100, date(2026, 9, 7), date(2027, 9, 6)),
        ("Bethan Adeyemi-Clark", "foxhill", None, "", 100, date(2027, 9, 7), date(2028, 9, 6)),
        ("Jonah Fairweather-Ng", "whipton", None, "", 50, date(2026, 2, 2), date(2029, 1, 31)),
        (
            "Jonah Fairweather-Ng",
            None,
            None,
            "New Homes Bonus (city council)",
            50,
            date(2026, 2, 2),
            date(2027, 3, 31),
        ),
        ("Maisie Oduya", None, None, national, 100, date(2026, 2, 2), date(2027, 2, 1)),
        ("Maisie Oduya", "wonford", None, "", 60, date(2027, 2, 2), date(2030, 1, 31)),
        (
            "Kit Varga-Holloway",
            None,
            None,
            "Exeter CIL, through Exeter Community Forum",
            40,
            date(2026, 6, 1),
            date(2027, 5, 31),
        ),
        ("Kit Varga-Holloway", "wonford", None, "", 60, date(2026, 6, 1), date(2030, 1, 31)),
    ]
    organisers = {o.full_name: o for o in Organiser.objects.all()}
    count = 0
    for name, bid, grant, source, share, starts, ends in plan:
        organiser = organisers.get(name)
        if organiser is None or (grant is None and bid is None and not source):
            continue
        PostFunding.objects.create(
            organiser=organiser,
            bid=bids.get(bid) if bid else None,
            grant=grant,
            source_name=source,
            share_percent=share,
            starts_on=starts,
            ends_on=ends,
        )
        count += 1
    return f"fundraising: {len(bids)} bids, {count} post funding entries"


def _past_grants() -> str:
    files = sorted(SAMPLE_FOLDER.glob("sample_*"))
    if not files:
        return "no 360Giving sample files found"
    imported = 0
    for path in files:
        if PastGrantImport.objects.filter(file_name=path.name).exists():
            continue
        try:
            summary = services.past_grants_import(actor=None, path=path)
        except services.ImportRefused:
            continue
        imported += summary.imported
    return f"past grants: {PastGrant.objects.count()} held ({imported} imported now)"


@transaction.atomic
def demo_load() -> str:
    if not Organisation.objects.filter(slug="banes-council").exists():
        return "skipped: the programme demo is not loaded"
    context = _Context()
    parts = [
        _main_fund(context),
        _small_grants(context),
        _community_empowerment(context),
        _fundraising(context),
        _past_grants(),
    ]
    audit_record(
        actor=None, action="demo.load", object_type="demo", object_repr="Synthetic funding demo"
    )
    return "; ".join(parts)
