"""The words a resident hears before they agree to anything, in one place.

The capture form, the printable listening sheet and the consent record all use these, so what is
stored as "the wording shown" is exactly what was shown. Change the version when the words change.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.translation import gettext as _

WORDING_VERSION = "2026-01"


def identified_wording(host_name: str) -> str:
    return _(
        "We would like to keep your name and contact details so that %(host)s can get back in touch "
        "with you about what you told us. We will not pass them to anyone else. You can ask us to "
        "delete them at any time."
    ) % {"host": host_name}


def shareable_wording(host_name: str, partner_names: Iterable[str]) -> str:
    partners = ", ".join(partner_names) or _("the partners named on this sheet")
    return _(
        "We would like to keep your name and contact details so that %(host)s can get back in touch "
        "with you, and pass them to %(partners)s so they can help with what you raised. They will "
        "use them only for that. You can ask us to delete them at any time."
    ) % {"host": host_name, "partners": partners}


def special_category_wording() -> str:
    return _(
        "Some of what you told us is about your health, beliefs or background. Do you agree that we "
        "keep it with your name? If not, we will keep what you said without your name."
    )


def how_to_withdraw(host_name: str) -> str:
    return _(
        "Tell your community organiser, or contact %(host)s. We will remove your contact details "
        "within one month and tell you when we have."
    ) % {"host": host_name}


def location_wording() -> str:
    return _(
        "May we keep the exact place we met (your street or postcode)? If not, we keep only the "
        "neighbourhood."
    )
