"""The HTTP API under /api/, with its OpenAPI schema at /api/docs.

Geography is open data and needs no login. Everything else needs a token (``Authorization: Bearer
<key>``, made on the account page) or a signed-in session. Errors are JSON with a ``message``.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.security import HttpBearer, SessionAuth

from commonground.accounts.services import api_token_user, user_requires_two_factor


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = api_token_user(token)
        if user is not None:
            request.user = user
        return user


class VerifiedSessionAuth(SessionAuth):
    """A signed-in session counts only once its second factor is done, as it does for pages.

    Between the password and the code a session is signed in but unverified; without this check
    the API would answer it, which would make two-factor authentication optional.
    """

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = super().authenticate(request, key)
        if user is None:
            return None
        if user_requires_two_factor(user) and not user.is_verified():
            return None
        return user


token_or_session = [TokenAuth(), VerifiedSessionAuth()]

api = NinjaAPI(
    title="Common Ground API",
    version="1",
    description="Places (open data, no login), the programme register and, as they arrive, listening, insight and action. "
    "Authenticate with `Authorization: Bearer <token>`; tokens are made on your account page.",
    docs_url="/docs",
    urls_namespace="api",
)


def _error(request: HttpRequest, message: str, status: int, detail: Any = None) -> HttpResponse:
    body: dict[str, Any] = {"message": message}
    if detail is not None:
        body["detail"] = detail
    return api.create_response(request, body, status=status)


@api.exception_handler(ValidationError)
def on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    return _error(
        request, "The request is not valid; see detail for each problem.", 422, exc.errors
    )


@api.exception_handler(AuthenticationError)
def on_authentication_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return _error(
        request,
        "Authentication required: send a valid token as 'Authorization: Bearer <token>'.",
        401,
    )


@api.exception_handler(PermissionDenied)
def on_permission_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return _error(request, "You do not have permission to see or change this.", 403)


@api.exception_handler(Http404)
def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return _error(request, str(exc) or "Not found.", 404)


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return _error(request, str(exc), exc.status_code)


def _register_routers() -> None:
    """Mount each app's ``api.router`` at ``/api/<app>/``.

    Routers are authenticated by token or session unless the app's ``api.PUBLIC`` is true (places:
    geography is open data). A public router can still protect single endpoints with ``auth=``.
    """
    from commonground.core.discovery import app_modules

    for label, module in app_modules("api"):
        if getattr(module, "PUBLIC", False):
            api.add_router(f"/{label}/", module.router)
        else:
            api.add_router(f"/{label}/", module.router, auth=token_or_session)


_register_routers()
