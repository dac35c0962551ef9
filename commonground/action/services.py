"""Every write in the action app. Each is atomic, validated and audited; e-mail goes after commit."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.core.files.base import File
from django.db import models, transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _

from commonground.accounts.rules import organisation_ids
from commonground.core.audit import audit_record
from commonground.core.services import save_changes, unique_slug
from commonground.places.lookup import locate
from commonground.places.models import LocalAuthority, Lsoa, Neighbourhood, Ward
from commonground.programme.models import Organisation, Organiser, Programme

from .attachments import check_photo
from .models import (
    ActionPlan,
    ActionPlanItem,
    ActionPlanUpdate,
    AgendaItem,
    Forum,
    ForumAction,
    ForumMember,
    Group,
    GroupActivity,
    Idea,
    IdeaProgress,
    Involvement,
    Matter,
    MatterCategory,
    MatterUpdate,
    Meeting,
    Milestone,
    NetworkLink,
    Outcome,
    Project,
    ProjectEvent,
    ProjectPhoto,
    RoutingDefault,
    RoutingRule,
    ToolkitAreaType,
    ToolkitEntry,
    VolunteerTime,
    target_due_at,
)
from .notifications import notify_matter_change
from .routing import Place, choose_route

MAX_DESCRIPTION = 4000


def _save(instance: Model) -> Model:
    instance.full_clean()
    instance.save()
    return instance


def acting_organisation(user: Any, *roles: str, prefer: Iterable[int] = ()) -> Organisation | None:
    """The organisation a user acts for: one of ``prefer`` where they hold a role, else the first."""
    mine = organisation_ids(user, *roles)
    for organisation_id in prefer:
        if organisation_id in mine:
            return Organisation.objects.get(pk=organisation_id)
    return Organisation.objects.filter(pk__in=mine).order_by("name").first()


# --- matter categories and routing --------------------------------------------------------------


@transaction.atomic
def matter_category_create(
    *,
    actor: Any,
    theme: Any,
    service_code: str,
    target_days: int,
    description: str = "",
    group: str = "",
    keywords: str = "",
) -> MatterCategory:
    category = _save(
        MatterCategory(
            theme=theme,
            service_code=service_code,
            target_days=target_days,
            description=description,
            group=group,
            keywords=keywords,
        )
    )
    audit_record(actor=actor, action="matter_category.create", obj=category)
    return category


@transaction.atomic
def matter_category_update(
    *, actor: Any, category: MatterCategory, data: dict[str, Any]
) -> MatterCategory:
    save_changes(
        actor=actor,
        instance=category,
        data=data,
        action="matter_category.update",
        organisation_id=None,
    )
    return category


@transaction.atomic
def routing_rule_create(*, actor: Any, council: Organisation, **fields: Any) -> RoutingRule:
    if council.kind != Organisation.Kind.COUNCIL:
        raise ValidationError({"council": _("Routing rules belong to a council.")})
    rule = _save(RoutingRule(council=council, **fields))
    audit_record(actor=actor, action="routing_rule.create", obj=rule, organisation_id=council.pk)
    return rule


@transaction.atomic
def routing_rule_update(*, actor: Any, rule: RoutingRule, data: dict[str, Any]) -> RoutingRule:
    save_changes(
        actor=actor,
        instance=rule,
        data=data,
        action="routing_rule.update",
        organisation_id=rule.council_id,
    )
    return rule


@transaction.atomic
def routing_default_set(
    *,
    actor: Any,
    council: Organisation,
    authority: LocalAuthority | None,
    organisation: Organisation,
    team: str,
    owner: Any,
) -> RoutingDefault:
    """Name who receives matters no rule covers in an authority (or everywhere, with no authority)."""
    existing = (
        RoutingDefault.objects.filter(authority=authority).first()
        if authority is not None
        else RoutingDefault.objects.filter(council=council, authority__isnull=True).first()
    )
    default = existing or RoutingDefault(council=council, authority=authority)
    default.council = council
    default.organisation = organisation
    default.team = team
    default.owner = owner
    _save(default)
    audit_record(
        actor=actor,
        action="routing_default.set",
        obj=default,
        organisation_id=council.pk,
        changes={"organisation": organisation.pk, "team": team, "owner": owner.pk},
    )
    return default


# --- matters ------------------------------------------------------------------------------------


def place_for(
    *,
    lsoa: Lsoa | None = None,
    neighbourhood: Neighbourhood | None = None,
    ward: Ward | None = None,
    authority: LocalAuthority | None = None,
    lon: float | None = None,
    lat: float | None = None,
) -> Place:
    """The fullest place known from what was given; a point is looked up to its LSOA."""
    if lsoa is None and lon is not None and lat is not None:
        found = locate(lon, lat)
        if found is not None:
            lsoa = Lsoa.objects.select_related("ward", "authority").get(code=found.lsoa_code)
    if neighbourhood is None and lsoa is not None:
        neighbourhood = lsoa.neighbourhoods.order_by("name").first()
    return Place.of(lsoa=lsoa, ward=ward, neighbourhood=neighbourhood, authority=authority)


def _place_from_conversations(conversations: list[Any]) -> Place:
    for conversation in conversations:
        if conversation.lsoa_id or conversation.neighbourhood_id:
            return place_for(
                lsoa=conversation.lsoa,
                neighbourhood=conversation.neighbourhood,
                authority=conversation.authority,
            )
    return Place()


def _record_update(
    *,
    matter: Matter,
    kind: str,
    actor: Any,
    status_before: str = "",
    public_note: str = "",
    internal_note: str = "",
) -> MatterUpdate:
    organisation = None
    if actor is not None and getattr(actor, "is_authenticated", False):
        organisation = acting_organisation(
            actor, prefer=[matter.routed_to_id, matter.raised_by_organisation_id or 0]
        )
    return MatterUpdate.objects.create(
        matter=matter,
        kind=kind,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        actor_organisation=organisation,
        status_before=status_before,
        status_after=matter.status,
        public_note=public_note,
        internal_note=internal_note,
    )


@transaction.atomic
def matter_raise(
    *,
    actor: Any,
    title: str,
    description: str,
    category: MatterCategory,
    conversations: Iterable[Any] = (),
    lsoa: Lsoa | None = None,
    neighbourhood: Neighbourhood | None = None,
    authority: LocalAuthority | None = None,
    lon: float | None = None,
    lat: float | None = None,
    address: str = "",
    is_public: bool = True,
    source: str = Matter.Source.SITE,
    outside_reports: int = 0,
) -> Matter:
    """Raise a matter and route it at once; everyone who should know is told after commit."""
    conversations = list(conversations)
    if source == Matter.Source.SITE and not conversations:
        raise ValidationError(
            {"conversations": _("Choose at least one conversation in which residents raised this.")}
        )
    if len(description) > MAX_DESCRIPTION:
        raise ValidationError(
            {
                "description": _("Keep the description under %(n)s characters.")
                % {"n": MAX_DESCRIPTION}
            }
        )
    place = place_for(lsoa=lsoa, neighbourhood=neighbourhood, authority=authority, lon=lon, lat=lat)
    if place.authority is None and place.neighbourhood is None:
        place = _place_from_conversations(conversations)
    route = choose_route(category, place)
    now = timezone.now()
    raised_by_organisation = acting_organisation(actor, prefer=[c.host_id for c in conversations])
    matter = Matter(
        title=title.strip(),
        description=description.strip(),
        category=category,
        lsoa=place.lsoa,
        ward=place.ward,
        neighbourhood=place.neighbourhood,
        authority=place.authority,
        lon=round(lon, 4) if lon is not None else None,
        lat=round(lat, 4) if lat is not None else None,
        address=address.strip(),
        source=source,
        outside_reports=outside_reports,
        raised_by=actor if getattr(actor, "is_authenticated", False) else None,
        raised_by_organisation=raised_by_organisation,
        routed_to=route.organisation,
        team=route.team,
        owner=route.owner,
        routing_rule=route.rule,
        routed_by_default=route.by_default,
        routing_reason=route.reason[:255],
        raised_at=now,
        due_at=target_due_at(now, category),
        is_public=is_public,
    )
    _save(matter)
    if conversations:
        matter.conversations.set(conversations)
    _record_update(matter=matter, kind=MatterUpdate.Kind.RAISED, actor=actor)
    _record_update(
        matter=matter, kind=MatterUpdate.Kind.ROUTED, actor=None, internal_note=route.reason
    )
    audit_record(
        actor=actor,
        action="matter.raise",
        obj=matter,
        organisation_id=route.organisation.pk,
        changes={
            "routed_to": route.organisation.pk,
            "rule": route.rule.pk if route.rule else None,
            "by_default": route.by_default,
            "conversations": [c.pk for c in conversations],
            "source": source,
        },
    )
    notify_matter_change(
        matter=matter,
        actor=actor,
        headline=_("New matter for %(organisation)s, %(team)s")
        % {"organisation": route.organisation, "team": route.team},
        note=route.reason,
    )
    return matter


@transaction.atomic
def matter_add_conversations(*, actor: Any, matter: Matter, conversations: Iterable[Any]) -> Matter:
    """Residents raised it again: add their conversations to the matter already open."""
    added = [c for c in conversations if not matter.conversations.filter(pk=c.pk).exists()]
    if not added:
        return matter
    matter.conversations.add(*added)
    _record_update(
        matter=matter,
        kind=MatterUpdate.Kind.NOTE,
        actor=actor,
        internal_note=_("%(n)s more conversation(s) added.") % {"n": len(added)},
    )
    audit_record(
        actor=actor,
        action="matter.add_conversations",
        obj=matter,
        organisation_id=matter.routed_to_id,
        changes={"conversations": [c.pk for c in added]},
    )
    return matter


def _change_status(
    *,
    actor: Any,
    matter: Matter,
    status: str,
    kind: str,
    public_note: str,
    internal_note: str,
    headline: str,
    action: str,
) -> Matter:
    locked = Matter.objects.select_for_update().get(pk=matter.pk)
    before = locked.status
    locked.status = status
    now = timezone.now()
    if status == Matter.Status.ACKNOWLEDGED and locked.acknowledged_at is None:
        locked.acknowledged_at = now
    if status in Matter.DONE_STATUSES:
        locked.closed_at = now
        if locked.acknowledged_at is None:
            locked.acknowledged_at = now
    else:
        locked.closed_at = None
    if public_note.strip():
        locked.public_note = public_note.strip()
    _save(locked)
    _record_update(
        matter=locked,
        kind=kind,
        actor=actor,
        status_before=before,
        public_note=public_note.strip(),
        internal_note=internal_note.strip(),
    )
    audit_record(
        actor=actor,
        action=action,
        obj=locked,
        organisation_id=locked.routed_to_id,
        changes={"status": [before, status]},
    )
    notify_matter_change(matter=locked, actor=actor, headline=headline, note=public_note.strip())
    matter.refresh_from_db()
    return matter


@transaction.atomic
def matter_acknowledge(*, actor: Any, matter: Matter, public_note: str = "") -> Matter:
    if matter.status != Matter.Status.NEW:
        raise ValidationError(_("Only a new matter can be acknowledged."))
    return _change_status(
        actor=actor,
        matter=matter,
        status=Matter.Status.ACKNOWLEDGED,
        kind=MatterUpdate.Kind.ACKNOWLEDGED,
        public_note=public_note,
        internal_note="",
        headline=_("Acknowledged by %(organisation)s") % {"organisation": matter.routed_to},
        action="matter.acknowledge",
    )


@transaction.atomic
def matter_update_status(
    *, actor: Any, matter: Matter, status: str, public_note: str, internal_note: str = ""
) -> Matter:
    if not matter.is_open:
        raise ValidationError(_("This matter is closed; reopen it first."))
    if status not in {Matter.Status.ACKNOWLEDGED, Matter.Status.IN_PROGRESS}:
        raise ValidationError(
            {"status": _("Choose acknowledged or in progress; to finish, close it.")}
        )
    if not public_note.strip():
        raise ValidationError(
            {"public_note": _("Write a note residents can read about this change.")}
        )
    return _change_status(
        actor=actor,
        matter=matter,
        status=status,
        kind=MatterUpdate.Kind.STATUS,
        public_note=public_note,
        internal_note=internal_note,
        headline=_("Now %(status)s") % {"status": Matter.Status(status).label},
        action="matter.update_status",
    )


@transaction.atomic
def matter_close(
    *, actor: Any, matter: Matter, outcome: str, public_note: str, internal_note: str = ""
) -> Matter:
    if not matter.is_open:
        raise ValidationError(_("This matter is already closed."))
    if outcome not in {Matter.Status.RESOLVED, Matter.Status.CLOSED}:
        raise ValidationError(
            {"outcome": _("Say whether it was resolved or closed without action.")}
        )
    if not public_note.strip():
        raise ValidationError({"public_note": _("Say what was done, for residents to read.")})
    return _change_status(
        actor=actor,
        matter=matter,
        status=outcome,
        kind=MatterUpdate.Kind.CLOSED,
        public_note=public_note,
        internal_note=internal_note,
        headline=_("Closed: %(outcome)s") % {"outcome": Matter.Status(outcome).label},
        action="matter.close",
    )


@transaction.atomic
def matter_reopen(*, actor: Any, matter: Matter, reason: str) -> Matter:
    if matter.status not in {Matter.Status.RESOLVED, Matter.Status.CLOSED}:
        raise ValidationError(_("Only a resolved or closed matter can be reopened."))
    if not reason.strip():
        raise ValidationError({"reason": _("Say why it is being reopened.")})
    now = timezone.now()
    Matter.objects.filter(pk=matter.pk).update(due_at=target_due_at(now, matter.category))
    matter.refresh_from_db()
    return _change_status(
        actor=actor,
        matter=matter,
        status=Matter.Status.IN_PROGRESS,
        kind=MatterUpdate.Kind.REOPENED,
        public_note=reason,
        internal_note="",
        headline=_("Reopened"),
        action="matter.reopen",
    )


@transaction.atomic
def matter_reroute(
    *, actor: Any, matter: Matter, organisation: Organisation, team: str, owner: Any, reason: str
) -> Matter:
    """Send a matter somewhere else by hand, for example when the rule chose wrongly."""
    if not reason.strip():
        raise ValidationError({"reason": _("Say why it is being sent elsewhere.")})
    before = matter.routed_to_id
    matter.routed_to = organisation
    matter.team = team
    matter.owner = owner
    matter.routing_rule = None
    matter.routed_by_default = False
    matter.routing_reason = (_("Sent by hand: %(reason)s") % {"reason": reason.strip()})[:255]
    if matter.is_open:
        matter.status = Matter.Status.NEW
        matter.acknowledged_at = None
    _save(matter)
    _record_update(
        matter=matter, kind=MatterUpdate.Kind.ROUTED, actor=actor, internal_note=reason.strip()
    )
    audit_record(
        actor=actor,
        action="matter.reroute",
        obj=matter,
        organisation_id=organisation.pk,
        changes={"routed_to": [before, organisation.pk], "team": team},
    )
    notify_matter_change(
        matter=matter,
        actor=actor,
        headline=_("Sent to %(organisation)s, %(team)s")
        % {"organisation": organisation, "team": team},
        note=reason.strip(),
    )
    return matter


@transaction.atomic
def matter_merge(*, actor: Any, keep: Matter, duplicate: Matter) -> Matter:
    """Fold a duplicate into ``keep``: every conversation and outside report moves with it.

    The duplicate stays, closed as merged and pointing at ``keep``, so its history and Open311
    number still lead somewhere.
    """
    keep = Matter.objects.select_for_update().get(pk=keep.pk)
    duplicate = Matter.objects.select_for_update().get(pk=duplicate.pk)
    if keep.pk == duplicate.pk:
        raise ValidationError(_("A matter cannot be merged into itself."))
    if duplicate.status == Matter.Status.MERGED or keep.status == Matter.Status.MERGED:
        raise ValidationError(_("One of these matters has already been merged."))
    if keep.category_id != duplicate.category_id:
        raise ValidationError(_("Only matters of the same category can be merged."))
    keep.conversations.add(*duplicate.conversations.all())
    keep.outside_reports += duplicate.outside_reports
    keep.raised_at = min(keep.raised_at, duplicate.raised_at)
    _save(keep)
    Matter.objects.filter(merged_into=duplicate).update(merged_into=keep)
    before = duplicate.status
    duplicate.status = Matter.Status.MERGED
    duplicate.merged_into = keep
    duplicate.closed_at = timezone.now()
    duplicate.public_note = _("Duplicate of %(reference)s.") % {"reference": keep.reference}
    _save(duplicate)
    _record_update(
        matter=duplicate,
        kind=MatterUpdate.Kind.MERGED,
        actor=actor,
        status_before=before,
        public_note=duplicate.public_note,
    )
    _record_update(
        matter=keep,
        kind=MatterUpdate.Kind.MERGED,
        actor=actor,
        status_before=keep.status,
        internal_note=_("%(reference)s (%(title)s) was merged into this matter.")
        % {"reference": duplicate.reference, "title": duplicate.title},
    )
    audit_record(
        actor=actor,
        action="matter.merge",
        obj=keep,
        organisation_id=keep.routed_to_id,
        changes={"merged": duplicate.pk},
    )
    notify_matter_change(
        matter=keep,
        actor=actor,
        headline=_("%(reference)s was merged into this matter")
        % {"reference": duplicate.reference},
    )
    return keep


# --- groups and the network ---------------------------------------------------------------------


@transaction.atomic
def group_create(
    *,
    actor: Any,
    name: str,
    host: Organisation,
    kind: str = Group.Kind.RESIDENTS,
    description: str = "",
    neighbourhood: Neighbourhood | None = None,
    supporting_organisations: Iterable[Organisation] = (),
    themes: Iterable[Any] = (),
    formed_on: date | None = None,
    email: str = "",
    website: str = "",
    is_published: bool = False,
    organisation: Organisation | None = None,
) -> Group:
    group = _save(
        Group(
            name=name.strip(),
            slug=unique_slug(Group, name, max_length=150),
            kind=kind,
            description=description,
            host=host,
            neighbourhood=neighbourhood,
            formed_on=formed_on,
            email=email,
            website=website,
            is_published=is_published,
            organisation=organisation,
            created_by=actor,
        )
    )
    group.supporting_organisations.set(list(supporting_organisations))
    group.themes.set(list(themes))
    audit_record(actor=actor, action="group.create", obj=group, organisation_id=host.pk)
    return group


@transaction.atomic
def group_update(
    *,
    actor: Any,
    group: Group,
    data: dict[str, Any],
    supporting_organisations: Iterable[Organisation] | None = None,
    themes: Iterable[Any] | None = None,
) -> Group:
    save_changes(
        actor=actor, instance=group, data=data, action="group.update", organisation_id=group.host_id
    )
    if supporting_organisations is not None:
        group.supporting_organisations.set(list(supporting_organisations))
    if themes is not None:
        group.themes.set(list(themes))
    return group


@transaction.atomic
def group_activity_add(*, actor: Any, group: Group, **fields: Any) -> GroupActivity:
    activity = _save(GroupActivity(group=group, **fields))
    audit_record(
        actor=actor, action="group_activity.add", obj=activity, organisation_id=group.host_id
    )
    return activity


@transaction.atomic
def involvement_add(
    *,
    actor: Any,
    group: Group,
    resident: Any,
    role: str,
    started_on: date,
    consent_given_on: date | None,
) -> Involvement:
    """Record a resident's part in a group; refused without the date they agreed to it."""
    if consent_given_on is None:
        raise ValidationError(
            {"consent_given_on": _("Record when the resident agreed to be listed in this group.")}
        )
    if resident.host_id != group.host_id:
        raise ValidationError(
            {"resident": _("Only residents whose details your host holds can be added.")}
        )
    involvement = _save(
        Involvement(
            group=group,
            resident=resident,
            role=role,
            started_on=started_on,
            consent_given_on=consent_given_on,
            recorded_by=actor,
        )
    )
    audit_record(
        actor=actor, action="involvement.add", obj=involvement, organisation_id=group.host_id
    )
    return involvement


@transaction.atomic
def network_link_add(
    *,
    actor: Any,
    host: Organisation,
    made_on: date,
    from_end: Model,
    to_end: Model,
    description: str = "",
    brokered_by: Organiser | None = None,
    neighbourhood: Neighbourhood | None = None,
) -> NetworkLink:
    """Record that two people, groups or organisations were put in touch."""
    link = NetworkLink(
        host=host,
        made_on=made_on,
        description=description,
        brokered_by=brokered_by,
        neighbourhood=neighbourhood,
    )
    for prefix, end in (("from", from_end), ("to", to_end)):
        label = end._meta.label_lower
        if label == "listening.resident":
            if end.host_id != host.pk:  # type: ignore[attr-defined]
                raise ValidationError(
                    _("Only residents whose details your host holds can be linked.")
                )
            setattr(link, f"{prefix}_resident", end)
        elif label == "action.group":
            setattr(link, f"{prefix}_group", end)
        elif label == "programme.organisation":
            setattr(link, f"{prefix}_organisation", end)
        else:
            raise ValidationError(_("A link joins residents, groups and organisations."))
    if from_end == to_end:
        raise ValidationError(_("A link joins two different people, groups or organisations."))
    _save(link)
    audit_record(actor=actor, action="network_link.add", obj=link, organisation_id=host.pk)
    return link


# --- toolkit ------------------------------------------------------------------------------------


def _set_area_types(entry: ToolkitEntry, area_types: Iterable[str]) -> None:
    wanted = set(area_types)
    entry.area_type_tags.exclude(area_type__in=wanted).delete()
    have = set(entry.area_type_tags.values_list("area_type", flat=True))
    ToolkitAreaType.objects.bulk_create(
        [ToolkitAreaType(entry=entry, area_type=value) for value in sorted(wanted - have)]
    )


@transaction.atomic
def toolkit_entry_create(
    *,
    actor: Any,
    title: str,
    kind: str,
    summary: str,
    body: str,
    themes: Iterable[Any] = (),
    area_types: Iterable[str] = (),
    organisation: Organisation | None = None,
    is_published: bool = True,
) -> ToolkitEntry:
    entry = _save(
        ToolkitEntry(
            title=title.strip(),
            slug=unique_slug(ToolkitEntry, title, max_length=150),
            kind=kind,
            summary=summary,
            body=body,
            organisation=organisation,
            author=actor if getattr(actor, "is_authenticated", False) else None,
            is_published=is_published,
        )
    )
    entry.themes.set(list(themes))
    _set_area_types(entry, area_types)
    audit_record(
        actor=actor,
        action="toolkit_entry.create",
        obj=entry,
        organisation_id=organisation.pk if organisation else None,
    )
    return entry


@transaction.atomic
def toolkit_entry_update(
    *,
    actor: Any,
    entry: ToolkitEntry,
    data: dict[str, Any],
    themes: Iterable[Any] | None = None,
    area_types: Iterable[str] | None = None,
) -> ToolkitEntry:
    save_changes(
        actor=actor,
        instance=entry,
        data=data,
        action="toolkit_entry.update",
        organisation_id=entry.organisation_id,
    )
    if themes is not None:
        entry.themes.set(list(themes))
    if area_types is not None:
        _set_area_types(entry, area_types)
    return entry


# --- projects -----------------------------------------------------------------------------------


@transaction.atomic
def project_create(
    *,
    actor: Any,
    title: str,
    summary: str,
    aims: str,
    host: Organisation,
    lead_group: Group | None = None,
    neighbourhood: Neighbourhood | None = None,
    themes: Iterable[Any] = (),
    conversations: Iterable[Any] = (),
    toolkit_entries: Iterable[ToolkitEntry] = (),
    status: str = Project.Status.PLANNING,
    starts_on: date | None = None,
    ends_on: date | None = None,
    needs_help: bool = False,
    help_wanted: str = "",
    is_public: bool = True,
) -> Project:
    if lead_group is not None and lead_group.host_id != host.pk:
        raise ValidationError({"lead_group": _("Choose a group your host works with.")})
    project = _save(
        Project(
            title=title.strip(),
            slug=unique_slug(Project, title, max_length=150),
            summary=summary,
            aims=aims,
            host=host,
            lead_group=lead_group,
            neighbourhood=neighbourhood,
            status=status,
            starts_on=starts_on,
            ends_on=ends_on,
            needs_help=needs_help,
            help_wanted=help_wanted,
            is_public=is_public,
            created_by=actor,
        )
    )
    project.themes.set(list(themes))
    project.conversations.set(list(conversations))
    project.toolkit_entries.set(list(toolkit_entries))
    audit_record(actor=actor, action="project.create", obj=project, organisation_id=host.pk)
    return project


@transaction.atomic
def project_update(
    *,
    actor: Any,
    project: Project,
    data: dict[str, Any],
    themes: Iterable[Any] | None = None,
    toolkit_entries: Iterable[ToolkitEntry] | None = None,
) -> Project:
    lead_group = data.get("lead_group")
    if lead_group is not None and lead_group.host_id != project.host_id:
        raise ValidationError({"lead_group": _("Choose a group your host works with.")})
    save_changes(
        actor=actor,
        instance=project,
        data=data,
        action="project.update",
        organisation_id=project.host_id,
    )
    if themes is not None:
        project.themes.set(list(themes))
    if toolkit_entries is not None:
        project.toolkit_entries.set(list(toolkit_entries))
    return project


def _project_child(actor: Any, project: Project, instance: Model, action: str) -> Model:
    _save(instance)
    audit_record(actor=actor, action=action, obj=instance, organisation_id=project.host_id)
    return instance


@transaction.atomic
def milestone_add(
    *,
    actor: Any,
    project: Project,
    title: str,
    due_on: date,
    status: str = Milestone.Status.PLANNED,
) -> Milestone:
    return _project_child(  # type: ignore[return-value]
        actor,
        project,
        Milestone(project=project, title=title, due_on=due_on, status=status),
        "milestone.add",
    )


@transaction.atomic
def milestone_update(*, actor: Any, milestone: Milestone, status: str) -> Milestone:
    done_on = milestone.done_on
    if status == Milestone.Status.DONE and done_on is None:
        done_on = timezone.localdate()
    if status != Milestone.Status.DONE:
        done_on = None
    save_changes(
        actor=actor,
        instance=milestone,
        data={"status": status, "done_on": done_on},
        action="milestone.update",
        organisation_id=milestone.project.host_id,
    )
    return milestone


@transaction.atomic
def project_event_add(
    *,
    actor: Any,
    project: Project,
    title: str,
    starts_at: datetime,
    place: str = "",
    attendance: int | None = None,
) -> ProjectEvent:
    return _project_child(  # type: ignore[return-value]
        actor,
        project,
        ProjectEvent(
            project=project, title=title, starts_at=starts_at, place=place, attendance=attendance
        ),
        "project_event.add",
    )


@transaction.atomic
def volunteer_time_add(
    *,
    actor: Any,
    project: Project,
    worked_on: date,
    volunteers: int,
    hours: Decimal,
    note: str = "",
    event: ProjectEvent | None = None,
) -> VolunteerTime:
    if event is not None and event.project_id != project.pk:
        raise ValidationError({"event": _("Choose one of this project's events.")})
    return _project_child(  # type: ignore[return-value]
        actor,
        project,
        VolunteerTime(
            project=project,
            worked_on=worked_on,
            volunteers=volunteers,
            hours=hours,
            note=note,
            event=event,
        ),
        "volunteer_time.add",
    )


@transaction.atomic
def outcome_add(
    *,
    actor: Any,
    project: Project,
    description: str,
    recorded_on: date,
    value: Decimal | None = None,
    unit: str = "",
) -> Outcome:
    return _project_child(  # type: ignore[return-value]
        actor,
        project,
        Outcome(
            project=project,
            description=description,
            recorded_on=recorded_on,
            value=value,
            unit=unit,
        ),
        "outcome.add",
    )


@transaction.atomic
def project_photo_add(
    *,
    actor: Any,
    project: Project,
    name: str,
    stream: IO[bytes],
    size: int,
    caption: str,
    alt_text: str,
    everyone_agreed: bool,
) -> ProjectPhoto:
    """Keep a photo after checking its size and that its bytes really are the image type claimed."""
    if not everyone_agreed:
        raise ValidationError(
            {"everyone_agreed": _("Only keep photos that everyone recognisable in them agreed to.")}
        )
    content_type, extension = check_photo(name, stream, size)
    photo = ProjectPhoto(
        project=project,
        content_type=content_type,
        size=size,
        caption=caption,
        alt_text=alt_text,
        everyone_agreed=everyone_agreed,
        uploaded_by=actor,
    )
    photo.file.save(f"{photo.public_id}{extension}", File(stream), save=False)
    try:
        _save(photo)
    except ValidationError:
        photo.file.delete(save=False)
        raise
    audit_record(
        actor=actor, action="project_photo.add", obj=photo, organisation_id=project.host_id
    )
    return photo


# --- forums, meetings and action plans ----------------------------------------------------------


@transaction.atomic
def forum_create(
    *,
    actor: Any,
    name: str,
    council: Organisation,
    authority: LocalAuthority,
    description: str = "",
    organisation: Organisation | None = None,
    neighbourhoods: Iterable[Neighbourhood] = (),
    wards: Iterable[Ward] = (),
    is_public: bool = True,
) -> Forum:
    forum = _save(
        Forum(
            name=name.strip(),
            slug=unique_slug(Forum, name, max_length=150),
            description=description,
            council=council,
            organisation=organisation,
            authority=authority,
            is_public=is_public,
        )
    )
    forum.neighbourhoods.set(list(neighbourhoods))
    forum.wards.set(list(wards))
    audit_record(actor=actor, action="forum.create", obj=forum, organisation_id=council.pk)
    return forum


@transaction.atomic
def forum_member_add(
    *,
    actor: Any,
    forum: Forum,
    name: str,
    sector: str,
    organisation: Organisation | None = None,
    represents: str = "",
    joined_on: date | None = None,
) -> ForumMember:
    member = _save(
        ForumMember(
            forum=forum,
            name=name,
            sector=sector,
            organisation=organisation,
            represents=represents,
            joined_on=joined_on,
        )
    )
    audit_record(
        actor=actor, action="forum_member.add", obj=member, organisation_id=forum.council_id
    )
    return member


def _write_draft_agenda(meeting: Meeting) -> None:
    from .agenda import draft_agenda

    meeting.agenda_items.filter(drafted_from_evidence=True).delete()
    kept = list(meeting.agenda_items.order_by("order"))
    drafted = draft_agenda(meeting)
    AgendaItem.objects.bulk_create(
        [
            AgendaItem(
                meeting=meeting,
                order=index,
                kind=item.kind,
                title=item.title,
                body=item.body,
                drafted_from_evidence=True,
            )
            for index, item in enumerate(drafted, start=1)
        ]
    )
    for offset, item in enumerate(kept, start=len(drafted) + 1):
        AgendaItem.objects.filter(pk=item.pk).update(order=offset)


@transaction.atomic
def meeting_create(
    *, actor: Any, forum: Forum, starts_at: datetime, ends_at: datetime, place: str
) -> Meeting:
    """Plan a meeting and draft its agenda from the area's evidence."""
    meeting = _save(Meeting(forum=forum, starts_at=starts_at, ends_at=ends_at, place=place))
    _write_draft_agenda(meeting)
    audit_record(
        actor=actor, action="meeting.create", obj=meeting, organisation_id=forum.council_id
    )
    return meeting


@transaction.atomic
def meeting_redraft_agenda(*, actor: Any, meeting: Meeting) -> Meeting:
    if meeting.status != Meeting.Status.PLANNED:
        raise ValidationError(_("The agenda has been published; it can no longer be redrafted."))
    _write_draft_agenda(meeting)
    audit_record(
        actor=actor,
        action="meeting.redraft_agenda",
        obj=meeting,
        organisation_id=meeting.forum.council_id,
    )
    return meeting


@transaction.atomic
def agenda_item_add(*, actor: Any, meeting: Meeting, title: str, body: str = "") -> AgendaItem:
    order = (meeting.agenda_items.aggregate(top=models.Max("order"))["top"] or 0) + 1
    item = _save(AgendaItem(meeting=meeting, order=order, title=title, body=body))
    audit_record(
        actor=actor, action="agenda_item.add", obj=item, organisation_id=meeting.forum.council_id
    )
    return item


@transaction.atomic
def meeting_publish_agenda(*, actor: Any, meeting: Meeting) -> Meeting:
    if meeting.status != Meeting.Status.PLANNED:
        raise ValidationError(_("Only a planned meeting's agenda can be published."))
    save_changes(
        actor=actor,
        instance=meeting,
        data={"status": Meeting.Status.AGENDA_PUBLISHED},
        action="meeting.publish_agenda",
        organisation_id=meeting.forum.council_id,
    )
    return meeting


@transaction.atomic
def meeting_record_minutes(*, actor: Any, meeting: Meeting, minutes: str) -> Meeting:
    if not minutes.strip():
        raise ValidationError({"minutes": _("Write the minutes before saving them.")})
    save_changes(
        actor=actor,
        instance=meeting,
        data={"minutes": minutes.strip(), "status": Meeting.Status.HELD},
        action="meeting.record_minutes",
        organisation_id=meeting.forum.council_id,
    )
    return meeting


@transaction.atomic
def forum_action_add(
    *,
    actor: Any,
    forum: Forum,
    description: str,
    owner: str,
    due_on: date,
    raised_at: Meeting | None = None,
    owner_organisation: Organisation | None = None,
) -> ForumAction:
    if raised_at is not None and raised_at.forum_id != forum.pk:
        raise ValidationError({"raised_at": _("Choose a meeting of this forum.")})
    action = _save(
        ForumAction(
            forum=forum,
            description=description,
            owner=owner,
            due_on=due_on,
            raised_at=raised_at,
            owner_organisation=owner_organisation,
        )
    )
    audit_record(
        actor=actor, action="forum_action.add", obj=action, organisation_id=forum.council_id
    )
    return action


@transaction.atomic
def forum_action_update(
    *, actor: Any, action: ForumAction, status: str, progress_note: str = ""
) -> ForumAction:
    done_on = timezone.localdate() if status == ForumAction.Status.DONE else None
    save_changes(
        actor=actor,
        instance=action,
        data={"status": status, "progress_note": progress_note, "done_on": done_on},
        action="forum_action.update",
        organisation_id=action.forum.council_id,
    )
    return action


@transaction.atomic
def action_plan_create(
    *,
    actor: Any,
    title: str,
    starts_on: date,
    forum: Forum | None = None,
    programme: Programme | None = None,
    description: str = "",
) -> ActionPlan:
    plan = _save(
        ActionPlan(
            title=title,
            starts_on=starts_on,
            forum=forum,
            programme=programme,
            description=description,
        )
    )
    owner = forum.council_id if forum else programme.council_id if programme else None
    audit_record(actor=actor, action="action_plan.create", obj=plan, organisation_id=owner)
    return plan


def _plan_owner(plan: ActionPlan) -> int:
    return plan.forum.council_id if plan.forum_id else plan.programme.council_id


@transaction.atomic
def action_plan_item_add(
    *,
    actor: Any,
    plan: ActionPlan,
    title: str,
    owner: str,
    due_on: date | None = None,
    description: str = "",
    organisation: Organisation | None = None,
    theme: Any = None,
) -> ActionPlanItem:
    item = _save(
        ActionPlanItem(
            plan=plan,
            title=title,
            owner=owner,
            due_on=due_on,
            description=description,
            organisation=organisation,
            theme=theme,
        )
    )
    audit_record(
        actor=actor, action="action_plan_item.add", obj=item, organisation_id=_plan_owner(plan)
    )
    return item


@transaction.atomic
def action_plan_item_progress(
    *, actor: Any, item: ActionPlanItem, status: str, note: str, on: date | None = None
) -> ActionPlanUpdate:
    """Record progress on an item; its status becomes the one reported."""
    if not note.strip():
        raise ValidationError({"note": _("Say what progress was made.")})
    update = _save(
        ActionPlanUpdate(
            item=item, on=on or timezone.localdate(), status=status, note=note.strip(), actor=actor
        )
    )
    save_changes(
        actor=actor,
        instance=item,
        data={"status": status},
        action="action_plan_item.progress",
        organisation_id=_plan_owner(item.plan),
    )
    return update


# --- ideas and business cases -------------------------------------------------------------------

IDEA_TRANSITIONS: dict[str, set[str]] = {
    Idea.Status.IDEA: {Idea.Status.ASSESSED, Idea.Status.REJECTED},
    Idea.Status.ASSESSED: {Idea.Status.APPROVED, Idea.Status.REJECTED, Idea.Status.IDEA},
    Idea.Status.APPROVED: {Idea.Status.PILOTING, Idea.Status.ADOPTED, Idea.Status.REJECTED},
    Idea.Status.PILOTING: {Idea.Status.ADOPTED, Idea.Status.REJECTED, Idea.Status.APPROVED},
    Idea.Status.ADOPTED: set(),
    Idea.Status.REJECTED: {Idea.Status.IDEA},
}


@transaction.atomic
def idea_create(
    *,
    actor: Any,
    title: str,
    summary: str,
    service_affected: str,
    change: str,
    council: Organisation,
    response_due_on: date,
    host: Organisation | None = None,
    organiser: Organiser | None = None,
    neighbourhood: Neighbourhood | None = None,
    forum: Forum | None = None,
    conversations: Iterable[Any] = (),
    themes: Iterable[Any] = (),
    service_organisation: Organisation | None = None,
    raised_on: date | None = None,
    is_public: bool = True,
) -> Idea:
    raised_on = raised_on or timezone.localdate()
    if response_due_on < raised_on:
        raise ValidationError(
            {"response_due_on": _("The response date must be after the idea was raised.")}
        )
    idea = _save(
        Idea(
            title=title.strip(),
            summary=summary,
            service_affected=service_affected,
            change=change,
            council=council,
            response_due_on=response_due_on,
            host=host,
            organiser=organiser,
            neighbourhood=neighbourhood,
            forum=forum,
            service_organisation=service_organisation,
            raised_by=actor if getattr(actor, "is_authenticated", False) else None,
            raised_on=raised_on,
            is_public=is_public,
        )
    )
    idea.conversations.set(list(conversations))
    idea.themes.set(list(themes))
    IdeaProgress.objects.create(
        idea=idea,
        on=raised_on,
        status_after=Idea.Status.IDEA,
        note=_("Idea raised."),
        actor=idea.raised_by,
    )
    audit_record(actor=actor, action="idea.create", obj=idea, organisation_id=council.pk)
    return idea


@transaction.atomic
def idea_update_case(*, actor: Any, idea: Idea, data: dict[str, Any]) -> Idea:
    """Fill in the business case: costs, savings, who benefits, evidence, owner."""
    save_changes(
        actor=actor,
        instance=idea,
        data=data,
        action="idea.update_case",
        organisation_id=idea.council_id,
    )
    return idea


@transaction.atomic
def idea_move(
    *,
    actor: Any,
    idea: Idea,
    status: str,
    note: str,
    rejection_reason: str = "",
    on: date | None = None,
) -> Idea:
    """Move an idea along the pipeline, writing the step into its timeline."""
    if status not in IDEA_TRANSITIONS[idea.status]:
        raise ValidationError(
            {
                "status": _("An idea that is %(now)s cannot become %(next)s.")
                % {"now": idea.get_status_display(), "next": Idea.Status(status).label}
            }
        )
    if not note.strip():
        raise ValidationError({"note": _("Say what happened, for the timeline.")})
    if status == Idea.Status.REJECTED and not rejection_reason.strip():
        raise ValidationError({"rejection_reason": _("Give the reason it was rejected.")})
    on = on or timezone.localdate()
    before = idea.status
    data: dict[str, Any] = {
        "status": status,
        "rejection_reason": rejection_reason.strip() if status == Idea.Status.REJECTED else "",
    }
    if idea.responded_on is None and status != Idea.Status.IDEA:
        data["responded_on"] = on
    save_changes(
        actor=actor, instance=idea, data=data, action="idea.move", organisation_id=idea.council_id
    )
    IdeaProgress.objects.create(
        idea=idea, on=on, status_before=before, status_after=status, note=note.strip(), actor=actor
    )
    return idea


@transaction.atomic
def idea_record_progress(
    *, actor: Any, idea: Idea, note: str, on: date | None = None
) -> IdeaProgress:
    if not note.strip():
        raise ValidationError({"note": _("Write the progress to record.")})
    progress = IdeaProgress.objects.create(
        idea=idea,
        on=on or timezone.localdate(),
        status_before=idea.status,
        status_after=idea.status,
        note=note.strip(),
        actor=actor,
    )
    audit_record(actor=actor, action="idea.progress", obj=idea, organisation_id=idea.council_id)
    return progress
