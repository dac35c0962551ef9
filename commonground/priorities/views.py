from __future__ import annotations

from typing import Any
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from commonground.places.models import LocalAuthority

from . import planning, presentation, selectors, services
from .forms import (
    AcceptPatchForm,
    MarkCommunitiesForm,
    MarkPracticesForm,
    PlanForm,
    SaveScenarioForm,
)
from .models import AcceptedPatch, Scenario
from .need import PlanningInputError
from .optimiser import TooManyOrganisersError
from .themes import themes_heard_by_lsoa

WAITING_HINT_AFTER_SECONDS = 120


def _require(request: HttpRequest, permission: str, obj: Any = None) -> None:
    if not request.user.has_perm(permission, obj):
        raise PermissionDenied


def _themes_for(authorities: list[LocalAuthority]) -> list[str]:
    names: set[str] = set()
    for authority in authorities:
        for by_theme in themes_heard_by_lsoa(authority_code=authority.code).values():
            names.update(by_theme)
    return sorted(names)


def _scenario(request: HttpRequest, public_id: UUID, permission: str) -> Scenario:
    scenario = get_object_or_404(
        Scenario.objects.select_related("authority", "created_by", "saved_by"),
        public_id=public_id,
    )
    _require(request, permission, scenario)
    return scenario


@login_required
def planner(request: HttpRequest) -> HttpResponse:
    _require(request, "priorities.view_planner")
    authorities = selectors.plannable_authorities(user=request.user)
    authority_list = list(authorities)
    initial: dict[str, Any] = {}
    source = request.GET.get("from")
    if source:
        try:
            earlier = _scenario(request, UUID(source), "priorities.view_scenario")
        except ValueError:
            earlier = None
        if earlier is not None:
            initial = PlanForm.initial_from(
                planning.PlanParameters.from_dict(earlier.parameters), earlier.authority
            )
    elif request.GET.get("authority"):
        initial = {"authority": request.GET["authority"]}
    form = PlanForm(
        request.POST or None,
        authorities=authorities,
        themes=_themes_for(authority_list),
        initial=initial,
    )
    if request.method == "POST":
        if not authority_list:
            raise PermissionDenied
        if form.is_valid():
            authority = form.cleaned_data["authority"]
            _require(request, "priorities.plan_localauthority", authority)
            try:
                scenario = services.scenario_start(
                    actor=request.user, authority=authority, parameters=form.parameters()
                )
            except TooManyOrganisersError as error:
                form.add_error("organisers", str(error))
            except PlanningInputError as error:
                form.add_error(None, str(error))
            else:
                return redirect(scenario)
    context = {
        "form": form,
        "can_plan": bool(authority_list),
        "themes_available": bool(form.fields["themes"].choices),
        "unsaved": selectors.unsaved_scenarios_of(user=request.user),
        "saved": selectors.scenario_list_visible_to(user=request.user)[:5],
        "markable": selectors.markable_authorities(user=request.user),
    }
    return render(request, "priorities/planner.html", context)


@login_required
def scenario_list(request: HttpRequest) -> HttpResponse:
    _require(request, "priorities.view_planner")
    authority = None
    code = request.GET.get("authority")
    if code:
        authority = LocalAuthority.objects.filter(code=code).first()
    scenarios = selectors.scenario_list_visible_to(user=request.user, authority=authority)
    page = Paginator(scenarios, 25).get_page(request.GET.get("page"))
    context = {
        "page_obj": page,
        "querystring_without_page": f"authority={code}&" if code else "",
        "authority": authority,
        "authorities": LocalAuthority.objects.exclude(boundary="").order_by("name"),
    }
    return render(request, "priorities/scenario_list.html", context)


def _status_document(scenario: Scenario) -> dict[str, Any]:
    return {
        "status": scenario.status,
        "status_label": scenario.get_status_display(),
        "stage": scenario.stage,
        "stage_label": scenario.get_stage_display(),
        "note": scenario.progress_note,
        "finished": not scenario.is_pending,
        "url": scenario.get_absolute_url(),
    }


@login_required
def scenario_status(request: HttpRequest, public_id: UUID) -> JsonResponse:
    scenario = _scenario(request, public_id, "priorities.view_scenario")
    return JsonResponse(_status_document(scenario))


@login_required
def scenario_detail(request: HttpRequest, public_id: UUID) -> HttpResponse:
    scenario = _scenario(request, public_id, "priorities.view_scenario")
    parameters = planning.PlanParameters.from_dict(scenario.parameters)
    context: dict[str, Any] = {
        "scenario": scenario,
        "parameter_rows": presentation.describe_parameters(parameters),
        "status": _status_document(scenario),
        "can_delete": request.user.has_perm("priorities.delete_scenario", scenario),
        "can_plan_again": request.user.has_perm(
            "priorities.plan_localauthority", scenario.authority
        ),
    }
    if scenario.is_pending:
        waited = (timezone.now() - scenario.created_at).total_seconds()
        context["worker_may_be_stopped"] = (
            scenario.status == Scenario.Status.QUEUED and waited > WAITING_HINT_AFTER_SECONDS
        )
        return render(request, "priorities/scenario_progress.html", context)
    if scenario.status == Scenario.Status.FAILED:
        return render(request, "priorities/scenario_failed.html", context)
    results = scenario.results
    patches = [patch["lsoas"] for patch in results.get("patches", [])]
    accepted = {
        item.patch_number: item
        for item in AcceptedPatch.objects.filter(scenario=scenario).select_related("neighbourhood")
    }
    adjacency = planning.authority_adjacency(scenario.authority)
    theme_counts = themes_heard_by_lsoa(authority_code=scenario.authority.code)
    views = presentation.patch_views(
        results,
        theme_counts=theme_counts,
        nearby=selectors.organisers_near(
            authority=scenario.authority, patches=patches, adjacency=adjacency
        ),
        accepted=accepted,
    )
    can_accept = request.user.has_perm("priorities.accept_scenario", scenario)
    context.update(
        {
            "results": results,
            "patches": views,
            "baseline": results["baseline"],
            "comparison": results["comparison"],
            "themes_recorded": bool(theme_counts),
            "can_save": request.user.has_perm("priorities.save_scenario", scenario),
            "can_accept": can_accept,
            "save_form": SaveScenarioForm(initial={"name": scenario.name, "notes": scenario.notes}),
            "map_data": {
                "geojson_url": reverse(
                    "places:authority_geojson", kwargs={"code": scenario.authority.code}
                ),
                "patches": [
                    {"number": view.number, "lsoas": view.lsoa_codes, "name": view.suggested_name}
                    for view in views
                ],
            },
        }
    )
    return render(request, "priorities/scenario_detail.html", context)


@login_required
@require_POST
def scenario_save(request: HttpRequest, public_id: UUID) -> HttpResponse:
    scenario = _scenario(request, public_id, "priorities.save_scenario")
    form = SaveScenarioForm(request.POST)
    if form.is_valid():
        try:
            services.scenario_save(
                actor=request.user,
                scenario=scenario,
                name=form.cleaned_data["name"],
                notes=form.cleaned_data["notes"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request, _("The scenario “%(name)s” was saved.") % {"name": scenario.name}
            )
            return redirect(scenario)
    return render(request, "priorities/scenario_save.html", {"scenario": scenario, "form": form})


@login_required
def scenario_accept(request: HttpRequest, public_id: UUID, number: int) -> HttpResponse:
    scenario = _scenario(request, public_id, "priorities.accept_scenario")
    try:
        patch = services.patch_of(scenario, number)
    except ValidationError:
        raise Http404(_("This scenario has no patch %(number)s.") % {"number": number}) from None
    form = AcceptPatchForm(request.POST or None, initial={"name": patch["suggested_name"]})
    if request.method == "POST" and form.is_valid():
        try:
            neighbourhood = services.scenario_accept_patch(
                actor=request.user,
                scenario=scenario,
                patch_number=number,
                name=form.cleaned_data["name"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _(
                    "Patch %(number)s is now the neighbourhood %(name)s, ready for an "
                    "organiser's placement."
                )
                % {"number": number, "name": neighbourhood.name},
            )
            return redirect(neighbourhood)
    context = {"scenario": scenario, "patch": patch, "form": form}
    return render(request, "priorities/scenario_accept.html", context)


@login_required
def scenario_delete(request: HttpRequest, public_id: UUID) -> HttpResponse:
    scenario = _scenario(request, public_id, "priorities.delete_scenario")
    error = ""
    if request.method == "POST":
        try:
            services.scenario_delete(actor=request.user, scenario=scenario)
        except ValidationError as problem:
            error = " ".join(problem.messages)
        else:
            messages.success(request, _("The scenario was deleted."))
            return redirect("priorities:planner")
    return render(
        request, "priorities/scenario_delete.html", {"scenario": scenario, "error": error}
    )


@login_required
def scenario_compare(request: HttpRequest) -> HttpResponse:
    _require(request, "priorities.view_planner")
    wanted: list[UUID] = []
    for value in request.GET.getlist("scenario"):
        try:
            wanted.append(UUID(value))
        except ValueError:
            continue
    scenarios = selectors.scenarios_to_compare(user=request.user, public_ids=wanted)
    columns = []
    first_patches: set[tuple[str, ...]] = set()
    for index, scenario in enumerate(scenarios):
        results = scenario.results
        patch_sets = {tuple(patch["lsoas"]) for patch in results.get("patches", [])}
        if index == 0:
            first_patches = patch_sets
        columns.append(
            {
                "scenario": scenario,
                "parameters": presentation.describe_parameters(
                    planning.PlanParameters.from_dict(scenario.parameters)
                ),
                "results": results,
                "shared_with_first": len(patch_sets & first_patches),
                "lsoa_count": sum(len(patch["lsoas"]) for patch in results.get("patches", [])),
            }
        )
    context = {
        "columns": columns,
        "too_few": len(columns) < 2,
        "parameter_labels": [label for label, _value in columns[0]["parameters"]]
        if columns
        else [],
    }
    return render(request, "priorities/scenario_compare.html", context)


@login_required
def markings(request: HttpRequest, code: str) -> HttpResponse:
    authority = get_object_or_404(LocalAuthority.objects.exclude(boundary=""), code=code)
    _require(request, "priorities.change_markings", authority)
    practices = list(selectors.practices_in(authority=authority))
    lsoas = list(selectors.lsoas_for_marking(authority=authority))
    practice_choices = [
        (
            p.code,
            _("%(name)s (%(code)s, %(postcode)s)%(where)s")
            % {
                "name": str(p),
                "code": p.code,
                "postcode": p.postcode or _("no postcode"),
                "where": ""
                if p.lsoa_id
                else _(" – no location, so it cannot mark the areas near it"),
            },
        )
        for p in practices
    ]
    lsoa_choices = [
        (
            lsoa.code,
            f"{lsoa.code} {lsoa.name} – {lsoa.ward.name if lsoa.ward else ''}, "
            + _("population %(population)s, IMD decile %(decile)s")
            % {"population": lsoa.population or "?", "decile": lsoa.imd_decile},
        )
        for lsoa in lsoas
    ]
    which = request.POST.get("form") if request.method == "POST" else None
    practice_form = MarkPracticesForm(
        request.POST if which == "practices" else None,
        choices=practice_choices,
        initial={"practices": [p.code for p in practices if p.has_community_connector]},
    )
    community_form = MarkCommunitiesForm(
        request.POST if which == "lsoas" else None,
        choices=lsoa_choices,
        initial={"lsoas": [lsoa.code for lsoa in lsoas if lsoa.is_new_community]},
    )
    if which == "practices" and practice_form.is_valid():
        changed = services.connectors_mark(
            actor=request.user,
            practices=practices,
            chosen=set(practice_form.cleaned_data["practices"]),
        )
        messages.success(
            request,
            _("Community connectors saved: %(count)s practices changed.") % {"count": changed},
        )
        return redirect("priorities:markings", code=authority.code)
    if which == "lsoas" and community_form.is_valid():
        changed = services.new_communities_mark(
            actor=request.user, lsoas=lsoas, chosen=set(community_form.cleaned_data["lsoas"])
        )
        messages.success(
            request,
            _("New and growing communities saved: %(count)s areas changed.") % {"count": changed},
        )
        return redirect("priorities:markings", code=authority.code)
    context = {
        "authority": authority,
        "practice_form": practice_form,
        "community_form": community_form,
        "connector_count": sum(p.has_community_connector for p in practices),
        "new_community_count": sum(lsoa.is_new_community for lsoa in lsoas),
        "practices_without_location": sum(1 for p in practices if not p.lsoa_id),
    }
    return render(request, "priorities/markings.html", context)
