from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from commonground.core.caching import cached
from commonground.places.models import Neighbourhood

from .selectors import neighbourhood_report


def index(request: HttpRequest) -> HttpResponse:
    neighbourhoods = Neighbourhood.objects.select_related("authority").order_by(
        "authority__name", "name"
    )
    return render(request, "public/index.html", {"neighbourhoods": neighbourhoods})


def neighbourhood(request: HttpRequest, slug: str) -> HttpResponse:
    """You said, we did: open to anyone, works without JavaScript, names nobody."""
    place = get_object_or_404(Neighbourhood.objects.select_related("authority"), slug=slug)
    report = cached("public-neighbourhood", (place.pk,), lambda: neighbourhood_report(place))
    return render(request, "public/neighbourhood.html", {"report": report})
