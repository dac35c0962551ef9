from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from .services import user_requires_two_factor

# Paths a signed-in user may reach before completing two-factor authentication. The account page
# is not among them: it makes API tokens, which would otherwise skip the second factor. The API
# checks verification itself (commonground/api.py), so that it can answer in JSON.
_OPEN_PREFIXES = (
    "/accounts/login/",
    "/accounts/logout/",
    "/accounts/two-factor/",
    "/static/",
    "/api/",
    "/open311/",
    "/public/",
    "/accessibility",
    "/privacy",
)


class RequireTwoFactorMiddleware:
    """Users whose role can reach personal data must finish two-factor login before anything else."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            user.is_authenticated
            and not request.path.startswith(_OPEN_PREFIXES)
            and request.path != "/"
            and not user.is_verified()
            and user_requires_two_factor(user)
        ):
            has_device = user.totpdevice_set.filter(confirmed=True).exists()
            target = "accounts:two_factor_verify" if has_device else "accounts:two_factor_setup"
            return redirect(f"{redirect(target).url}?next={request.get_full_path()}")
        return self.get_response(request)
