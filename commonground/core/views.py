from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from .caching import cached
from .dashboards import dashboard_context


def home(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("core:dashboard")
    return render(request, "core/home.html")


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    user = request.user
    context = cached("dashboard", (user.pk,), lambda: dashboard_context(user))
    return render(request, "core/dashboard.html", context)


def accessibility(request: HttpRequest) -> HttpResponse:
    return render(request, "core/accessibility.html")


def privacy_notice(request: HttpRequest) -> HttpResponse:
    """Public: retention periods and recipients come from the same sources as the officers' record."""
    from commonground.privacy.governance import may_read_processing_record, privacy_notice_context

    context = privacy_notice_context()
    context["may_read_processing_record"] = may_read_processing_record(request.user)
    return render(request, "core/privacy_notice.html", context)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "403.html", status=403)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    return render(request, "500.html", status=500)
