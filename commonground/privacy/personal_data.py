"""Consent records a host holds about a resident, for subject access and erasure."""

from __future__ import annotations

from django.utils.translation import gettext as _

from commonground.listening.models import Resident

from .models import Consent
from .rights import Change, Record, Section, text


def _consents(resident: Resident) -> list[Consent]:
    return list(
        Consent.objects.filter(resident=resident)
        .select_related("host", "conversation")
        .prefetch_related("partners")
        .order_by("given_at", "id")
    )


def find(resident: Resident) -> list[Section]:
    return [
        Section(
            key="consents",
            title=_("Consents"),
            note=_(
                "Each consent in the words the resident was shown, and whether it was withdrawn."
            ),
            records=[
                Record(
                    heading=f"{consent.get_purpose_display()} – {text(consent.given_at)}",
                    rows=[
                        (_("Purpose"), consent.get_purpose_display()),
                        (_("Lawful basis"), consent.get_lawful_basis_display()),
                        (_("Wording shown"), consent.wording),
                        (_("Wording version"), consent.wording_version),
                        (
                            _("Explicit consent for special category information"),
                            text(consent.explicit_special_category),
                        ),
                        (_("Partners named"), ", ".join(p.name for p in consent.partners.all())),
                        (_("How it was given"), consent.get_method_display()),
                        (_("Given"), text(consent.given_at)),
                        (_("Taken by"), consent.taken_by_name),
                        (_("Given to"), consent.host.name),
                        (_("How to withdraw"), consent.how_to_withdraw),
                        (_("Withdrawn"), text(consent.withdrawn_at)),
                        (_("Withdrawal note"), consent.withdrawal_note),
                        (_("In force"), text(consent.is_active)),
                    ],
                )
                for consent in _consents(resident)
            ],
        )
    ]


def erase(resident: Resident, *, dry_run: bool) -> list[Change]:
    consents = Consent.objects.filter(resident=resident)
    change = Change(
        "privacy.Consent",
        "remove",
        consents.count(),
        _("Every consent record, in force or withdrawn, with the partners it named."),
    )
    if not dry_run:
        Consent.partners.through.objects.filter(consent__in=consents).delete()
        consents.delete()
    return [change]
