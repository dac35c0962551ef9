from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control

from . import selectors, services
from .forms import NeighbourhoodForm
from .models import LocalAuthority, Lsoa, Neighbourhood, Ward


def authority_list(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()
    results = None
    if query:
        found = (
            Lsoa.objects.select_related("authority")
            .filter(
                Q(code__iexact=query)
                | Q(name__icontains=query)
                | Q(authority__name__icontains=query)
            )
            .order_by("code")
        )
        results = Paginator(found, 25).get_page(request.GET.get("page"))
    context = {
        "authorities": selectors.mapped_authorities(),
        "q": query,
        "page_obj": results,
        "querystring_without_page": f"q={query}&" if query else "",
        "total_lsoas": Lsoa.objects.count(),
    }
    return render(request, "places/authority_list.html", context)


def authority_detail(request: HttpRequest, code: str) -> HttpResponse:
    authority = get_object_or_404(LocalAuthority, code=code)
    lsoas = selectors.lsoas_in(authority=authority)
    context = {
        "authority": authority,
        "summary": selectors.deprivation_summary(lsoas),
        "profile": selectors.domain_profile(lsoas),
        "lsoas": lsoas,
        "wards": authority.wards.order_by("name"),
        "neighbourhoods": selectors.neighbourhoods_in(authority=authority),
        "has_map": bool(authority.boundary),
        "geojson_url": f"/places/authorities/{authority.code}/lsoas.geojson",
        "can_add_neighbourhood": request.user.has_perm("places.add_neighbourhood"),
    }
    return render(request, "places/authority_detail.html", context)


@cache_control(max_age=3600)
def authority_geojson(request: HttpRequest, code: str) -> JsonResponse:
    authority = get_object_or_404(LocalAuthority, code=code)
    return JsonResponse(selectors.feature_collection(selectors.lsoas_in(authority=authority)))


def ward_detail(request: HttpRequest, code: str) -> HttpResponse:
    ward = get_object_or_404(Ward.objects.select_related("authority"), code=code)
    lsoas = selectors.lsoas_in(ward=ward)
    context = {
        "ward": ward,
        "lsoas": lsoas,
        "summary": selectors.deprivation_summary(lsoas),
        "profile": selectors.domain_profile(lsoas),
        "geojson_url": f"/places/wards/{ward.code}/lsoas.geojson",
    }
    return render(request, "places/ward_detail.html", context)


@cache_control(max_age=3600)
def ward_geojson(request: HttpRequest, code: str) -> JsonResponse:
    ward = get_object_or_404(Ward, code=code)
    return JsonResponse(selectors.feature_collection(selectors.lsoas_in(ward=ward)))


def lsoa_detail(request: HttpRequest, code: str) -> HttpResponse:
    lsoa = get_object_or_404(Lsoa.objects.select_related("authority", "ward"), code=code)
    context = {
        "lsoa": lsoa,
        "domains": lsoa.domain_deciles(),
        "neighbourhoods": lsoa.neighbourhoods.all(),
        "gp_practices": lsoa.gp_practices.all(),
        "geojson_url": f"/places/lsoas/{lsoa.code}/lsoa.geojson" if lsoa.boundary else "",
    }
    return render(request, "places/lsoa_detail.html", context)


def lsoa_geojson(request: HttpRequest, code: str) -> JsonResponse:
    return JsonResponse(selectors.feature_collection(Lsoa.objects.filter(code=code)))


def neighbourhood_detail(request: HttpRequest, slug: str) -> HttpResponse:
    neighbourhood = get_object_or_404(Neighbourhood.objects.select_related("authority"), slug=slug)
    lsoas = selectors.lsoas_in(neighbourhood=neighbourhood)
    context = {
        "neighbourhood": neighbourhood,
        "lsoas": lsoas,
        "summary": selectors.deprivation_summary(lsoas),
        "profile": selectors.domain_profile(lsoas),
        "geojson_url": f"/places/neighbourhoods/{neighbourhood.slug}/lsoas.geojson",
        "organisers": neighbourhood.organisers.select_related("host"),
        "can_change": request.user.has_perm("places.change_neighbourhood", neighbourhood),
    }
    return render(request, "places/neighbourhood_detail.html", context)


def neighbourhood_geojson(request: HttpRequest, slug: str) -> JsonResponse:
    neighbourhood = get_object_or_404(Neighbourhood, slug=slug)
    return JsonResponse(
        selectors.feature_collection(selectors.lsoas_in(neighbourhood=neighbourhood))
    )


def _neighbourhood_form(
    request: HttpRequest, authority: LocalAuthority, neighbourhood: Neighbourhood | None
) -> HttpResponse:
    initial = {}
    if neighbourhood is not None:
        initial = {
            "name": neighbourhood.name,
            "description": neighbourhood.description,
            "lsoas": list(neighbourhood.lsoas.all()),
        }
    form = NeighbourhoodForm(request.POST or None, authority=authority, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if neighbourhood is None:
                neighbourhood = services.neighbourhood_create(
                    actor=request.user,
                    name=data["name"],
                    authority=authority,
                    lsoas=list(data["lsoas"]),
                    description=data["description"],
                )
            else:
                services.neighbourhood_update(
                    actor=request.user,
                    neighbourhood=neighbourhood,
                    name=data["name"],
                    lsoas=list(data["lsoas"]),
                    description=data["description"],
                )
        except ValidationError as error:
            for field, problems in error.message_dict.items():
                form.add_error(field if field in form.fields else None, problems)
        else:
            messages.success(request, _("%(name)s was saved.") % {"name": neighbourhood.name})
            return redirect(neighbourhood)
    selected = (
        {lsoa.code for lsoa in form.cleaned_data.get("lsoas", [])}
        if form.is_bound and hasattr(form, "cleaned_data")
        else {lsoa.code for lsoa in initial.get("lsoas", [])}
    )
    context = {
        "form": form,
        "authority": authority,
        "neighbourhood": neighbourhood,
        "selected": selected,
        "geojson_url": f"/places/authorities/{authority.code}/lsoas.geojson",
    }
    return render(request, "places/neighbourhood_form.html", context)


@login_required
def neighbourhood_create(request: HttpRequest, code: str) -> HttpResponse:
    if not request.user.has_perm("places.add_neighbourhood"):
        raise PermissionDenied
    authority = get_object_or_404(LocalAuthority.objects.exclude(boundary=""), code=code)
    return _neighbourhood_form(request, authority, None)


@login_required
def neighbourhood_update(request: HttpRequest, slug: str) -> HttpResponse:
    neighbourhood = get_object_or_404(Neighbourhood.objects.select_related("authority"), slug=slug)
    if not request.user.has_perm("places.change_neighbourhood", neighbourhood):
        raise PermissionDenied
    return _neighbourhood_form(request, neighbourhood.authority, neighbourhood)
