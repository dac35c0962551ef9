"""A link from a neighbourhood's place page to its "You said, we did" page."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _


def panel(request: HttpRequest | None, *, neighbourhood: Any = None, **_area: Any) -> str:
    if neighbourhood is None:
        return ""
    return format_html(
        '<p class="govuk-body"><a class="govuk-link" href="{}">{}</a></p>',
        reverse("public:neighbourhood", args=[neighbourhood.slug]),
        _("You said, we did: what residents raised here and what was done"),
    )
