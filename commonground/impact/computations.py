"""Figures counted from the records of ``listening``, ``insight``, ``action`` and ``funding``.

Each computed indicator is a function ``f(*, period, organisation=None, programme=None, area=None)``
returning a ``Decimal`` (or ``None`` where the figure is not counted at that level), listed in
:data:`COMPUTED` by indicator code. The registry also looks for the same dictionary in each app's own
``indicators.py``; an app's own function wins, so these can move into the app that owns the records
without anything else changing.

The other apps are built alongside this one, so every read goes through :func:`_model`, which raises
:class:`Unavailable` when a model or field is not (yet) there; the indicator then says "not yet
available" instead of failing. The report's other sections (themes heard, what changed, money,
case studies, equality answers) are read here for the same reason.
"""

from __future__ import annotations

import functools
import logging
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, TypeVar, cast

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist, FieldError
from django.db.models import Count, Exists, Model, OuterRef, Q, QuerySet, Sum
from django.urls import NoReverseMatch

from commonground.places.models import LocalAuthority, Lsoa, Neighbourhood, Ward

from .periods import Period

ComputeFunction = Callable[..., Decimal | None]
Reader = TypeVar("Reader", bound=Callable[..., Any])
logger = logging.getLogger(__name__)


class Unavailable(Exception):
    """The records a figure is counted from are not in this installation (yet)."""


def guarded(function: Reader) -> Reader:
    """A field the reader relies on has gone or been renamed: say "not available", and log it."""

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return function(*args, **kwargs)
        except FieldError as error:
            logger.warning("%s cannot read the records it needs: %s", function.__name__, error)
            raise Unavailable(str(error)) from error

    return cast(Reader, wrapper)


def _model(label: str, *fields: str) -> type[Model]:
    try:
        model = apps.get_model(label)
    except LookupError as error:
        raise Unavailable(label) from error
    names = {field.name for field in model._meta.get_fields()}
    missing = [field for field in fields if field.split("__")[0] not in names]
    if missing:
        raise Unavailable(f"{label} has no {', '.join(missing)}")
    return model


# --------------------------------------------------------------------------- scope filters


@dataclass(frozen=True)
class Paths:
    """Where a model keeps the things a scope is matched on (``None`` where it has none)."""

    host: str | None = None
    programme: tuple[str, ...] = ()
    programme_by_host: bool = False
    lsoa: str | None = None
    ward: str | None = None
    authority: str | None = None
    neighbourhood: str | None = None


def _programme_host_ids(programme: Any) -> set[int]:
    from .scopes import programme_host_ids

    return programme_host_ids(programme)


def _area_q(paths: Paths, area: Any) -> Q | None:
    if isinstance(area, LocalAuthority):
        if paths.authority:
            return Q(**{paths.authority: area})
        if paths.lsoa:
            return Q(**{f"{paths.lsoa}__authority": area})
        if paths.neighbourhood:
            return Q(**{f"{paths.neighbourhood}__authority": area})
    elif isinstance(area, Ward):
        if paths.ward:
            return Q(**{paths.ward: area})
        if paths.lsoa:
            return Q(**{f"{paths.lsoa}__ward": area})
        if paths.neighbourhood:
            return Q(**{f"{paths.neighbourhood}__lsoas__ward": area})
    elif isinstance(area, Neighbourhood):
        condition = Q()
        if paths.lsoa:
            condition |= Q(**{f"{paths.lsoa}__in": area.lsoas.all()})
        if paths.neighbourhood:
            condition |= Q(**{paths.neighbourhood: area})
        return condition or None
    elif isinstance(area, Lsoa):
        if paths.lsoa:
            return Q(**{paths.lsoa: area})
        if paths.neighbourhood:
            return Q(**{f"{paths.neighbourhood}__lsoas": area})
    return None


def scoped(
    model: type[Model],
    paths: Paths,
    *,
    organisation: Any = None,
    programme: Any = None,
    area: Any = None,
) -> QuerySet[Any] | None:
    """The model's records in the scope, each once; ``None`` if the scope cannot apply to it."""
    if organisation is not None:
        if not paths.host:
            return None
        condition = Q(**{paths.host: organisation})
    elif programme is not None:
        condition = Q()
        for path in paths.programme:
            condition |= Q(**{path: programme})
        if paths.programme_by_host and paths.host:
            condition |= Q(**{f"{paths.host}__in": _programme_host_ids(programme)})
        if not condition:
            return None
    elif area is not None:
        area_condition = _area_q(paths, area)
        if area_condition is None:
            return None
        condition = area_condition
    else:
        return model._default_manager.all()
    if not _crosses_many(model, condition):
        # Every path is a plain foreign key: a join cannot repeat a record, and a straight filter
        # keeps the planner's estimates honest (a nested ``pk IN (...)`` did not, on PostgreSQL).
        return model._default_manager.filter(condition)
    return model._default_manager.filter(
        pk__in=model._default_manager.filter(condition).values("pk")
    )


def _lookups(condition: Q) -> Iterator[str]:
    for child in condition.children:
        if isinstance(child, Q):
            yield from _lookups(child)
        else:
            yield child[0]


def _crosses_many(model: type[Model], condition: Q) -> bool:
    """Whether any lookup in ``condition`` goes through a many-valued relation (so may repeat rows)."""
    for lookup in _lookups(condition):
        current: Any = model
        for part in lookup.split("__"):
            try:
                field = current._meta.get_field(part)
            except (FieldDoesNotExist, AttributeError):
                break  # a transform or lookup such as ``in``: the path ends here
            if field.many_to_many or field.one_to_many:
                return True
            if not field.is_relation:
                break
            current = field.related_model
    return False


def _in_period(field: str, period: Period, *, moment: bool = False) -> Q:
    if moment:
        return Q(**{f"{field}__gte": period.start_moment, f"{field}__lt": period.end_moment})
    return Q(**{f"{field}__gte": period.start, f"{field}__lte": period.end})


CONVERSATION = Paths(
    host="host", programme=("programme",), lsoa="lsoa", ward="ward", authority="authority"
)
INVOLVEMENT = Paths(
    host="group__host", programme_by_host=True, neighbourhood="group__neighbourhood"
)
GROUP = Paths(host="host", programme_by_host=True, neighbourhood="neighbourhood")
PROJECT = Paths(host="host", programme_by_host=True, neighbourhood="neighbourhood")
VOLUNTEER_TIME = Paths(
    host="project__host", programme_by_host=True, neighbourhood="project__neighbourhood"
)
MATTER = Paths(
    host="raised_by_organisation",
    programme=("conversations__programme",),
    programme_by_host=True,
    lsoa="lsoa",
    ward="ward",
    authority="authority",
    neighbourhood="neighbourhood",
)
IDEA = Paths(
    host="host",
    programme=("organiser__programme",),
    programme_by_host=True,
    neighbourhood="neighbourhood",
)
EQUALITY = Paths(host="host", programme=("programme",), lsoa="lsoa")


def _decimal(value: Any) -> Decimal:
    return Decimal(value or 0)


# --------------------------------------------------------------------------- listening


LADDER_INVOLVED = ("attended", "volunteering", "leading")
INVOLVEMENT_VOLUNTEERING = ("volunteer", "leader", "founder")


def _conversations(period: Period, **scope: Any) -> QuerySet[Any] | None:
    model = _model(
        "listening.Conversation", "host", "programme", "lsoa", "happened_at", "resident", "ladder"
    )
    queryset = scoped(model, CONVERSATION, **scope)
    if queryset is None:
        return None
    return queryset.filter(_in_period("happened_at", period, moment=True))


@guarded
def residents_listened_to(*, period: Period, **scope: Any) -> Decimal | None:
    conversations = _conversations(period, **scope)
    if conversations is None:
        return None
    try:
        from commonground.listening.counting import residents_listened_to as count_rule
    except ImportError as error:
        raise Unavailable("listening.counting") from error
    return Decimal(count_rule(conversations))


@guarded
def residents_involved_in_action(*, period: Period, **scope: Any) -> Decimal | None:
    conversations = _conversations(period, **scope)
    if conversations is None:
        return None
    stepped_up = conversations.filter(ladder__in=LADDER_INVOLVED)
    anonymous = stepped_up.filter(resident__isnull=True).count()
    named = set(
        stepped_up.filter(resident__isnull=False).values_list("resident_id", flat=True).distinct()
    )
    try:
        involvement = _model("action.Involvement", "group", "resident", "started_on")
    except Unavailable:
        involvement = None
    if involvement is not None:
        joined = scoped(involvement, INVOLVEMENT, **scope)
        if joined is not None:
            named |= set(
                joined.filter(_in_period("started_on", period))
                .values_list("resident_id", flat=True)
                .distinct()
            )
    return Decimal(anonymous + len(named))


# --------------------------------------------------------------------------- action


@guarded
def volunteers(*, period: Period, **scope: Any) -> Decimal | None:
    model = _model("action.Involvement", "group", "resident", "role", "started_on", "ended_on")
    queryset = scoped(model, INVOLVEMENT, **scope)
    if queryset is None:
        return None
    active = queryset.filter(
        Q(started_on__lte=period.end),
        Q(ended_on__isnull=True) | Q(ended_on__gte=period.start),
        role__in=INVOLVEMENT_VOLUNTEERING,
    )
    return Decimal(active.values("resident_id").distinct().count())


@guarded
def volunteer_hours(*, period: Period, **scope: Any) -> Decimal | None:
    model = _model("action.VolunteerTime", "project", "worked_on", "hours")
    queryset = scoped(model, VOLUNTEER_TIME, **scope)
    if queryset is None:
        return None
    total = queryset.filter(_in_period("worked_on", period)).aggregate(total=Sum("hours"))
    return _decimal(total["total"])


@guarded
def new_groups_formed(*, period: Period, **scope: Any) -> Decimal | None:
    model = _model("action.Group", "host", "neighbourhood", "formed_on")
    queryset = scoped(model, GROUP, **scope)
    if queryset is None:
        return None
    return Decimal(queryset.filter(_in_period("formed_on", period)).count())


def _projects(**scope: Any) -> QuerySet[Any] | None:
    model = _model(
        "action.Project", "host", "neighbourhood", "starts_on", "status", "sustainability"
    )
    return scoped(model, PROJECT, **scope)


@guarded
def projects_started(*, period: Period, **scope: Any) -> Decimal | None:
    projects = _projects(**scope)
    if projects is None:
        return None
    return Decimal(
        projects.filter(_in_period("starts_on", period)).exclude(status="planning").count()
    )


@guarded
def projects_self_sustaining(*, period: Period, **scope: Any) -> Decimal | None:
    projects = _projects(**scope)
    if projects is None:
        return None
    return Decimal(
        projects.filter(starts_on__lte=period.end).exclude(sustainability="not_yet").count()
    )


@guarded
def matters_resolved(*, period: Period, **scope: Any) -> Decimal | None:
    model = _model("action.Matter", "status", "closed_at", "raised_by_organisation")
    queryset = scoped(model, MATTER, **scope)
    if queryset is None:
        return None
    return Decimal(
        queryset.filter(_in_period("closed_at", period, moment=True), status="resolved").count()
    )


def _adopted_ideas(period: Period, **scope: Any) -> QuerySet[Any] | None:
    """Ideas adopted in the period: dated by their 'adopted' progress entry, else the response."""
    idea = _model("action.Idea", "status", "host", "responded_on", "yearly_saving_realised")
    progress = _model("action.IdeaProgress", "idea", "on", "status_after")
    queryset = scoped(idea, IDEA, **scope)
    if queryset is None:
        return None
    adoption = progress._default_manager.filter(idea=OuterRef("pk"), status_after="adopted")
    return queryset.filter(status="adopted").filter(
        Q(Exists(adoption.filter(_in_period("on", period))))
        | (Q(~Exists(adoption)) & _in_period("responded_on", period))
    )


@guarded
def service_improvements_adopted(*, period: Period, **scope: Any) -> Decimal | None:
    ideas = _adopted_ideas(period, **scope)
    return None if ideas is None else Decimal(ideas.count())


@guarded
def yearly_savings(*, period: Period, **scope: Any) -> Decimal | None:
    ideas = _adopted_ideas(period, **scope)
    if ideas is None:
        return None
    return _decimal(ideas.aggregate(total=Sum("yearly_saving_realised"))["total"])


COMPUTED: dict[str, ComputeFunction] = {
    "residents_listened_to": residents_listened_to,
    "residents_involved_in_action": residents_involved_in_action,
    "volunteers": volunteers,
    "volunteer_hours": volunteer_hours,
    "new_groups_formed": new_groups_formed,
    "projects_started": projects_started,
    "projects_self_sustaining": projects_self_sustaining,
    "matters_resolved": matters_resolved,
    "service_improvements_adopted": service_improvements_adopted,
    "yearly_savings": yearly_savings,
}
"""Which app's records each is counted from, for the day it moves there."""
OWNING_APP: dict[str, str] = {
    "residents_listened_to": "listening",
    "residents_involved_in_action": "listening",
    "volunteers": "action",
    "volunteer_hours": "action",
    "new_groups_formed": "action",
    "projects_started": "action",
    "projects_self_sustaining": "action",
    "matters_resolved": "action",
    "service_improvements_adopted": "action",
    "yearly_savings": "action",
}


# --------------------------------------------------------------------------- report sections


@guarded
def listened_by_lsoa(*, period: Period, **scope: Any) -> tuple[dict[int, int], int]:
    """Residents listened to per LSOA id, and how many had no known LSOA (e.g. by phone)."""
    conversations = _conversations(period, **scope)
    if conversations is None:
        return {}, 0
    counted = conversations.filter(counts_toward_listened=True)
    by_lsoa = dict(
        counted.filter(lsoa__isnull=False)
        .values_list("lsoa_id")
        .annotate(n=Count("pk"))
        .values_list("lsoa_id", "n")
    )
    return by_lsoa, counted.filter(lsoa__isnull=True).count()


@guarded
def themes_heard(*, period: Period, limit: int = 10, **scope: Any) -> dict[str, Any]:
    """Conversations in the scope and period, and how many raised each theme (most first)."""
    conversations = _conversations(period, **scope)
    if conversations is None:
        return {"conversations": 0, "themes": []}
    tag = _model("insight.ConversationTag", "conversation", "theme", "status")
    counted_statuses = tuple(getattr(tag, "COUNTED", ("applied", "confirmed")))
    # Counted from the conversations' side as one join, so the scope's filter and the tags' are
    # planned together rather than as a subquery inside a subquery.
    rows = (
        conversations.filter(theme_tags__status__in=counted_statuses)
        .values("theme_tags__theme__slug", "theme_tags__theme__name")
        .annotate(n=Count("pk", distinct=True))
        .order_by("-n", "theme_tags__theme__name")[:limit]
    )
    return {
        "conversations": conversations.count(),
        "themes": [
            {
                "slug": row["theme_tags__theme__slug"],
                "name": row["theme_tags__theme__name"],
                "count": row["n"],
            }
            for row in rows
        ],
    }


@guarded
def approved_quotes(
    *, period: Period, theme_slugs: Iterable[str], limit: int = 3, **scope: Any
) -> list[dict[str, str]]:
    """Quotes approved for publication (personal details already removed), one per theme."""
    conversations = _conversations(period, **scope)
    if conversations is None:
        return []
    quote = _model("insight.Quote", "conversation", "theme", "text", "status")
    chosen: list[dict[str, str]] = []
    for slug in theme_slugs:
        found = (
            quote._default_manager.filter(
                conversation__in=conversations.values("pk"), theme__slug=slug, status="approved"
            )
            .select_related("theme")
            .order_by("-created_at")
            .first()
        )
        if found is not None:
            chosen.append({"theme": found.theme.name, "text": found.text})
        if len(chosen) >= limit:
            break
    return chosen


def _url(obj: Any) -> str:
    try:
        return str(obj.get_absolute_url())
    except (NoReverseMatch, AttributeError):
        return ""


@guarded
def what_changed(*, period: Period, **scope: Any) -> dict[str, Any]:
    """Projects, matters resolved and service changes in the period; only public ones are named."""
    result: dict[str, Any] = {"projects": [], "matters": None, "improvements": []}
    try:
        projects = _projects(**scope)
    except Unavailable:
        projects = None
    if projects is not None:
        active = (
            projects.filter(Q(starts_on__lte=period.end) | Q(starts_on__isnull=True))
            .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=period.start))
            .exclude(status="planning")
            .filter(is_public=True)
            .select_related("neighbourhood")
            .order_by("-starts_on", "title")
        )
        result["projects"] = [
            {
                "title": project.title,
                "summary": project.summary,
                "status": str(project.get_status_display()),
                "sustainability": str(project.get_sustainability_display()),
                "self_sustaining": project.sustainability != "not_yet",
                "started": project.starts_on.isoformat() if project.starts_on else "",
                "started_in_period": bool(project.starts_on and period.contains(project.starts_on)),
                "neighbourhood": project.neighbourhood.name if project.neighbourhood else "",
            }
            for project in active[:25]
        ]
    try:
        matter = _model("action.Matter", "status", "closed_at", "raised_at", "category")
        matters = scoped(matter, MATTER, **scope)
    except Unavailable:
        matters = None
    if matters is not None:
        resolved = matters.filter(_in_period("closed_at", period, moment=True), status="resolved")
        raised = matters.filter(_in_period("raised_at", period, moment=True))
        by_category = (
            resolved.values("category__theme__name").annotate(n=Count("pk")).order_by("-n")[:10]
        )
        result["matters"] = {
            "raised": raised.count(),
            "resolved": resolved.count(),
            "by_category": [
                {"category": row["category__theme__name"], "resolved": row["n"]}
                for row in by_category
            ],
        }
    try:
        ideas = _adopted_ideas(period, **scope)
    except Unavailable:
        ideas = None
    if ideas is not None:
        result["improvements"] = [
            {
                "title": idea.title,
                "service": idea.service_affected,
                "estimated_saving": _money(idea.yearly_saving_estimated),
                "realised_saving": _money(idea.yearly_saving_realised),
                "avoided_demand": idea.avoided_demand,
            }
            for idea in ideas.filter(is_public=True).order_by("title")[:25]
        ]
    return result


def _money(value: Any) -> str | None:
    return None if value is None else str(Decimal(value).quantize(Decimal("0.01")))


GRANT_RECEIVED = Paths(
    host="recipient", programme_by_host=True, ward="ward", authority="recipient__authority"
)


def _grants_given(grant: type[Model], **scope: Any) -> QuerySet[Any] | None:
    """Grants made from funds the scope runs: a council's funds, or a programme's."""
    if scope.get("organisation") is not None:
        return grant._default_manager.filter(fund__council=scope["organisation"])
    if scope.get("programme") is not None:
        return grant._default_manager.filter(fund__programme=scope["programme"])
    return None


@guarded
def money_in_and_out(*, period: Period, **scope: Any) -> dict[str, Any] | None:
    """Grants the scope received and grants it gave, with what was paid and spent in the period.

    Money in: grants to the scope's hosts (or organisations in the area), the payments they
    received in the period and the spending their monitoring returns reported for periods ending in
    it. Money out: grants from funds the scope runs, to others.
    """
    try:
        grant = _model("funding.Grant", "fund", "recipient", "amount_awarded", "awarded_on")
        payment = _model("funding.Payment", "grant", "amount", "status", "paid_on")
        monitoring_return = _model("funding.MonitoringReturn", "grant", "period_end", "spend")
    except Unavailable:
        return None
    received = scoped(grant, GRANT_RECEIVED, **scope)
    given = _grants_given(grant, **scope)
    if received is None and given is None:
        return None
    received = received if received is not None else grant._default_manager.none()
    given = (
        given.exclude(pk__in=received.values("pk"))
        if given is not None
        else grant._default_manager.none()
    )
    every = grant._default_manager.filter(
        Q(pk__in=received.values("pk")) | Q(pk__in=given.values("pk"))
    )
    paid = dict(
        payment._default_manager.filter(
            grant__in=every.values("pk"), status="paid", **_range("paid_on", period)
        )
        .values("grant_id")
        .annotate(total=Sum("amount"))
        .values_list("grant_id", "total")
    )
    returns = monitoring_return._default_manager.filter(
        grant__in=received.values("pk"), **_range("period_end", period)
    )
    spent = dict(
        returns.values("grant_id").annotate(total=Sum("spend")).values_list("grant_id", "total")
    )

    def rows(grants: QuerySet[Any]) -> list[dict[str, Any]]:
        listed = []
        for item in grants.select_related("fund", "recipient").order_by("reference"):
            awarded_in_period = period.contains(item.awarded_on)
            if not (awarded_in_period or item.pk in paid or item.pk in spent):
                continue
            listed.append(
                {
                    "reference": item.reference,
                    "fund": item.fund.name,
                    "title": item.title,
                    "recipient": item.recipient.name,
                    "awarded": _money(item.amount_awarded),
                    "awarded_in_period": awarded_in_period,
                    "paid_in_period": _money(paid.get(item.pk, 0)),
                    "spent_in_period": _money(spent.get(item.pk, 0)),
                }
            )
        return listed

    def total(listed: list[dict[str, Any]], key: str, *, only_awarded: bool = False) -> str | None:
        return _money(
            sum(
                (
                    Decimal(row[key])
                    for row in listed
                    if row["awarded_in_period"] or not only_awarded
                ),
                Decimal(0),
            )
        )

    money_in, money_out = rows(received), rows(given)
    figures: dict[str, Decimal] = {}
    try:
        figure = _model("funding.ReturnFigure", "monitoring_return", "indicator_code", "value")
        for code, amount in (
            figure._default_manager.filter(monitoring_return__in=returns.values("pk"))
            .values("indicator_code")
            .annotate(total=Sum("value"))
            .values_list("indicator_code", "total")
        ):
            figures[code] = Decimal(amount)
    except Unavailable:
        pass
    return {
        "grants": money_in,
        "total_awarded": total(money_in, "awarded", only_awarded=True),
        "total_paid": total(money_in, "paid_in_period"),
        "total_spent": total(money_in, "spent_in_period"),
        "grants_given": money_out,
        "given_awarded": total(money_out, "awarded", only_awarded=True),
        "given_paid": total(money_out, "paid_in_period"),
        "return_figures": {code: _money(value) for code, value in sorted(figures.items())},
        "other_funding": _bids_awarded(period, **scope),
    }


def _range(field: str, period: Period) -> dict[str, Any]:
    return {f"{field}__gte": period.start, f"{field}__lte": period.end}


def _bids_awarded(period: Period, **scope: Any) -> list[dict[str, Any]]:
    try:
        bid = _model("funding.FundraisingBid", "host", "status", "amount_awarded")
    except Unavailable:
        return []
    bids = scoped(bid, Paths(host="host", programme_by_host=True), **scope)
    if bids is None:
        return []
    overlapping = bids.filter(status="awarded").filter(
        Q(funding_starts_on__isnull=True) | Q(funding_starts_on__lte=period.end),
        Q(funding_ends_on__isnull=True) | Q(funding_ends_on__gte=period.start),
    )
    return [
        {
            "funder": item.funder_name,
            "title": item.title,
            "awarded": _money(item.amount_awarded),
            "until": item.funding_ends_on.isoformat() if item.funding_ends_on else "",
        }
        for item in overlapping.order_by("funder_name", "title")[:20]
    ]


@guarded
def case_studies(*, period: Period, limit: int = 5, **scope: Any) -> list[dict[str, str]]:
    """Published toolkit case studies written by the scope's organisations or about its projects."""
    try:
        entry = _model("action.ToolkitEntry", "kind", "organisation", "is_published", "summary")
    except Unavailable:
        return []
    condition = Q()
    organisation = scope.get("organisation")
    programme = scope.get("programme")
    if organisation is not None:
        condition |= Q(organisation=organisation)
    if programme is not None:
        condition |= Q(organisation_id__in=_programme_host_ids(programme) | {programme.council_id})
    try:
        projects = _projects(**scope)
    except Unavailable:
        projects = None
    if projects is not None:
        condition |= Q(projects__in=projects.values("pk"))
    if not condition:
        return []
    entries = (
        entry._default_manager.filter(condition, kind="case_study", is_published=True)
        .distinct()
        .order_by("title")[:limit]
    )
    return [{"title": item.title, "summary": item.summary, "url": _url(item)} for item in entries]


@guarded
def equality_answers(*, period: Period, **scope: Any) -> dict[str, Counter[str]] | None:
    """Counts of each answer to each equality question, never linked to anyone."""
    try:
        model = _model("listening.EqualityMonitoring", "host", "programme", "month", "lsoa")
    except Unavailable:
        return None
    queryset = scoped(model, EQUALITY, **scope)
    if queryset is None:
        return None
    queryset = queryset.filter(month__gte=period.start.replace(day=1), month__lte=period.end)
    questions = tuple(getattr(model, "QUESTIONS", ()))
    answers: dict[str, Counter[str]] = {}
    for question in questions:
        answers[question] = Counter(
            dict(
                queryset.exclude(**{question: ""})
                .values_list(question)
                .annotate(n=Count("pk"))
                .values_list(question, "n")
            )
        )
    return answers


def equality_labels() -> dict[str, tuple[str, list[tuple[str, str]]]]:
    """Question -> (label, [(answer, label)...]) as the listening app words them."""
    try:
        model = _model("listening.EqualityMonitoring")
    except Unavailable:
        return {}
    labels: dict[str, tuple[str, list[tuple[str, str]]]] = {}
    for question in getattr(model, "QUESTIONS", ()):
        field = model._meta.get_field(question)
        labels[question] = (
            str(field.verbose_name),
            [(str(value), str(label)) for value, label in field.choices or []],
        )
    return labels
