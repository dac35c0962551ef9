"""Response headers and request rate limits that protect every page.

The Content Security Policy allows scripts and styles only from this site, so injected markup cannot
run script; templates therefore never use inline ``<script>`` blocks or event-handler attributes.
Rate limits slow down password guessing, form spam and API scraping. They count per client address
(hashed) in the database with one atomic statement per request, so every worker and every server
shares the counts and no two requests can both read the same count.
"""

from __future__ import annotations

import hashlib
import random
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string

from .middleware import client_address
from .models import RateCount

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


def count_request(key: str, *, expires: float) -> int:
    """Add one to the count under ``key`` and return the new count, in one statement."""
    quote = connection.ops.quote_name
    table, key_, expires_, count_ = (
        quote(name) for name in (RateCount._meta.db_table, "key", "expires", "count")
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({key_}, {expires_}, {count_}) VALUES (%s, %s, 1) "
            f"ON CONFLICT ({key_}) DO UPDATE SET {count_} = {table}.{count_} + 1 "
            f"RETURNING {count_}",
            [key, expires],
        )
        return int(cursor.fetchone()[0])


def forget_expired_counts(now: float | None = None) -> int:
    deleted, _ = RateCount.objects.filter(expires__lt=now or time.time()).delete()
    return deleted


class RateLimitMiddleware:
    """Answer 429 once a client address has made too many matching requests in a window."""

    # About one request in this many also deletes the counts of windows that have ended.
    SWEEP_ONE_IN = 500

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.limits = _limits()

    def __call__(self, request: HttpRequest) -> HttpResponse:
        for limit in self.limits:
            if request.method in limit.methods and request.path.startswith(limit.prefixes):
                now = time.time()
                window = int(now) // limit.seconds
                client = hashlib.sha256(client_address(request).encode()).hexdigest()[:32]
                count = count_request(
                    f"{limit.name}:{client}:{window}", expires=(window + 1) * limit.seconds
                )
                if random.randrange(self.SWEEP_ONE_IN) == 0:
                    forget_expired_counts(now)
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
