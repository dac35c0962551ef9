"""Response headers and request rate limits that protect every page.

The Content Security Policy allows scripts and styles only from this site, so injected markup cannot
run script; templates therefore never use inline ``<script>`` blocks or event-handler attributes.
Rate limits slow down password guessing, form spam and API scraping; they count per client address
in the shared cache.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string

from .middleware import client_address

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data: blob:",
        "font-src 'self'",
        "connect-src 'self'",
        "worker-src 'self'",
        "manifest-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
PERMISSIONS_POLICY = "camera=(), microphone=(), payment=(), usb=(), geolocation=(self)"


class SecurityHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        return response


@dataclass(frozen=True)
class Limit:
    name: str
    methods: frozenset[str]
    prefixes: tuple[str, ...]
    requests: int
    seconds: int


def _limits() -> list[Limit]:
    return [
        Limit(name, frozenset(methods), tuple(prefixes), requests, seconds)
        for name, methods, prefixes, requests, seconds in settings.RATE_LIMITS
    ]


class RateLimitMiddleware:
    """Answer 429 once a client address has made too many matching requests in a window."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.limits = _limits()

    def __call__(self, request: HttpRequest) -> HttpResponse:
        for limit in self.limits:
            if request.method in limit.methods and request.path.startswith(limit.prefixes):
                window = int(time.time()) // limit.seconds
                key = f"ratelimit:{limit.name}:{client_address(request)}:{window}"
                if cache.add(key, 1, timeout=limit.seconds):
                    count = 1
                else:
                    try:
                        count = cache.incr(key)
                    except ValueError:
                        count = 1
                if count > limit.requests:
                    return self._refuse(request, limit)
        return self.get_response(request)

    @staticmethod
    def _refuse(request: HttpRequest, limit: Limit) -> HttpResponse:
        message = f"Too many requests. Wait {limit.seconds} seconds and try again."
        if request.path.startswith(("/api/", "/open311/")):
            response: HttpResponse = JsonResponse({"message": message}, status=429)
        else:
            response = HttpResponse(
                render_to_string("429.html", {"message": message}, request=request), status=429
            )
        response["Retry-After"] = str(limit.seconds)
        return response
