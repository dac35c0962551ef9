"""What action holds about a resident: their part in groups and the connections recorded for them."""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext as _

from commonground.listening.models import Resident
from commonground.privacy.rights import Change, Record, Section, text

from .models import Involvement, NetworkLink


def _links(resident: Resident):  # type: ignore[no-untyped-def]
    return NetworkLink.objects.filter(Q(from_resident=resident) | Q(to_resident=resident))


def find(resident: Resident) -> list[Section]:
    involvements = Involvement.objects.filter(resident=resident).select_related("group")
    links = _links(resident).select_related(
        "from_group", "to_group", "from_organisation", "to_organisation", "brokered_by"
    )

    def other_end(link: NetworkLink) -> str:
        if link.from_resident_id == resident.pk:
            end = link.to_group or link.to_organisation
            return str(end) if end else _("another resident")
        end = link.from_group or link.from_organisation
        return str(end) if end else _("another resident")

    return [
        Section(
            key="group_involvement",
            title=_("Groups they are involved in"),
            records=[
                Record(
                    heading=involvement.group.name,
                    rows=[
                        (_("Group"), involvement.group.name),
                        (_("Role"), involvement.get_role_display()),
                        (_("From"), text(involvement.started_on)),
                        (_("Until"), text(involvement.ended_on)),
                        (_("Agreed to be recorded on"), text(involvement.consent_given_on)),
                    ],
                )
                for involvement in involvements
            ],
        ),
        Section(
            key="connections",
            title=_("Connections made"),
            records=[
                Record(
                    heading=other_end(link),
                    rows=[
                        (_("Connected with"), other_end(link)),
                        (_("Description"), link.description),
                        (_("Made on"), text(link.made_on)),
                        (
                            _("Introduced by"),
                            link.brokered_by.full_name if link.brokered_by else "",
                        ),
                    ],
                )
                for link in links
            ],
        ),
    ]


def erase(resident: Resident, *, dry_run: bool) -> list[Change]:
    involvements = Involvement.objects.filter(resident=resident)
    described = _links(resident).exclude(description="")
    changes = [
        Change(
            "action.Involvement",
            "keep",
            involvements.count(),
            _(
                "Their part in groups stays, pointing at the emptied record, so group sizes and "
                "the ladder of involvement keep their counts."
            ),
        ),
        Change(
            "action.NetworkLink",
            "anonymise",
            described.count(),
            _(
                "The description of connections made with them removed; the connection is still "
                "counted."
            ),
        ),
    ]
    if not dry_run:
        described.update(description="")
    return changes
