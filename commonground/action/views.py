from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.forms import Form
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from commonground.accounts.models import Role
from commonground.accounts.rules import organisation_ids
from commonground.core.suppression import display_count
from commonground.listening.models import Resident
from commonground.places.models import Neighbourhood
from commonground.programme.models import Organisation, Organiser

from . import forms, hsds, ical, reports, selectors, services
from .agenda import carried_forward
from .models import (
    ActionPlan,
    ActionPlanItem,
    Forum,
    ForumAction,
    Group,
    Idea,
    Matter,
    MatterCategory,
    Meeting,
    Milestone,
    Project,
    ProjectPhoto,
    RoutingDefault,
    RoutingRule,
    ToolkitEntry,
)
from .routing import choose_route, matching_rules

# --- helpers ------------------------------------------------------------------------------------


def _require(request: HttpRequest, permission: str, obj: Any = None) -> None:
    if not request.user.has_perm(permission, obj):
        raise PermissionDenied


def _page(request: HttpRequest, queryset: Any, per_page: int = 25) -> dict[str, Any]:
    page = Paginator(queryset, per_page).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    encoded = query.urlencode()
    return {"page_obj": page, "querystring_without_page": f"{encoded}&" if encoded else ""}


def _matter_page(request: HttpRequest, queryset: Any) -> dict[str, Any]:
    """A page of matters with how many residents raised each, counted for that page only."""
    context = _page(request, queryset)
    context["page_obj"].object_list = selectors.attach_residents_raised(
        context["page_obj"].object_list
    )
    return context


def _errors_to_form(form: Form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, problems in error.message_dict.items():
            form.add_error(field if field in form.fields else None, problems)
    else:
        form.add_error(None, error.messages)


def _form_page(
    request: HttpRequest,
    form: Form,
    *,
    title: str,
    submit_label: str,
    save: Callable[[dict[str, Any]], Any],
    success: Callable[[Any], str],
    message: str,
    caption: str = "",
    intro: str = "",
    back_url: str = "",
    multipart: bool = False,
) -> HttpResponse:
    """Show a form; on a valid POST call the service, and put its ValidationError back on the form."""
    if request.method == "POST" and form.is_valid():
        try:
            result = save(form.cleaned_data)
        except ValidationError as error:
            _errors_to_form(form, error)
        else:
            messages.success(request, message)
            return redirect(success(result))
    return render(
        request,
        "action/form.html",
        {
            "form": form,
            "title": title,
            "submit_label": submit_label,
            "caption": caption,
            "intro": intro,
            "back_url": back_url,
            "multipart": multipart,
        },
    )


def _url_or_blank(obj: Any) -> str:
    """A link to another app's page, or nothing while that page does not exist."""
    try:
        return obj.get_absolute_url()
    except NoReverseMatch:
        return ""


def _councils_for(user: Any) -> Any:
    if user.has_perm("accounts.admin_site"):
        return Organisation.objects.filter(kind=Organisation.Kind.COUNCIL).order_by("name")
    return Organisation.objects.filter(
        pk__in=organisation_ids(user, Role.COUNCIL_OFFICER), kind=Organisation.Kind.COUNCIL
    ).order_by("name")


def _hosts_for(user: Any) -> list[Organisation]:
    """The hosts the user works in; groups, links and projects are held by the first of them."""
    hosts = list(Organisation.objects.filter(pk__in=selectors.host_ids(user)).order_by("name"))
    if not hosts:
        # Only organisers and host managers hold these records (an administrator account included).
        raise PermissionDenied
    return hosts


def _conversation_choices(
    request: HttpRequest, search: str = "", limit: int = 30, field: str = "conversations"
) -> Any:
    """Conversations to pick from: the viewer's most recent (optionally matching words) and any
    already chosen. A submitted choice is checked against everything the viewer may open, so one
    found by an earlier search is still accepted."""
    from commonground.listening.selectors import conversation_list_visible_to

    visible = conversation_list_visible_to(user=request.user)
    matching = conversation_list_visible_to(user=request.user, search=search)
    shown = list(matching.values_list("pk", flat=True)[:limit])
    chosen = [value for value in request.POST.getlist(field) if value.isdigit()]
    chosen += [value for value in request.GET.getlist(field) if value.isdigit()]
    return visible.filter(pk__in=[*shown, *(int(value) for value in chosen)])


@login_required
def index(request: HttpRequest) -> HttpResponse:
    user = request.user
    context = {
        "can_raise": user.has_perm("action.add_matter"),
        "queue": selectors.queue_counts(user=user),
    }
    return render(request, "action/index.html", context)


# --- matters ------------------------------------------------------------------------------------


@login_required
def matter_list(request: HttpRequest) -> HttpResponse:
    _require(request, "action.view_matter_list")
    status = request.GET.get("status", "")
    category = MatterCategory.objects.filter(pk=request.GET.get("category") or None).first()
    neighbourhood = Neighbourhood.objects.filter(
        slug=request.GET.get("neighbourhood") or ""
    ).first()
    search = request.GET.get("q", "").strip()
    matters = selectors.matter_list_visible_to(
        user=request.user,
        status=status or None,
        category=category,
        neighbourhood=neighbourhood,
        overdue=request.GET.get("overdue") == "1",
        search=search,
    )
    context = {
        "statuses": Matter.Status.choices,
        "status": status,
        "categories": MatterCategory.objects.select_related("theme"),
        "category": category,
        "neighbourhoods": Neighbourhood.objects.order_by("name"),
        "neighbourhood": neighbourhood,
        "q": search,
        "overdue": request.GET.get("overdue") == "1",
        "now": timezone.now(),
        "can_raise": request.user.has_perm("action.add_matter"),
        **_matter_page(request, matters),
    }
    return render(request, "action/matter_list.html", context)


@login_required
def matter_queue(request: HttpRequest) -> HttpResponse:
    """A partner's queue: what has been routed to them, most urgent first."""
    show = request.GET.get("show", "open")
    if show not in {"open", "new", "overdue", "closed", "all"}:
        show = "open"
    matters = selectors.matter_queue_for(user=request.user, show=show)
    context = {
        "show": show,
        "counts": selectors.queue_counts(user=request.user),
        "now": timezone.now(),
        "organisations": Organisation.objects.filter(
            pk__in=organisation_ids(
                request.user, Role.PARTNER_OFFICER, Role.COUNCIL_OFFICER, Role.HOST_MANAGER
            )
        ),
        **_matter_page(request, matters),
    }
    return render(request, "action/matter_queue.html", context)


@login_required
def matter_raise(request: HttpRequest) -> HttpResponse:
    """Raise a matter; if it looks like one already raised, offer to add to that one instead."""
    _require(request, "action.add_matter")
    search = request.GET.get("q", "").strip()
    choices = _conversation_choices(request, search=search)
    initial = {}
    if request.GET.get("conversation"):
        initial["conversations"] = choices.filter(public_id=request.GET["conversation"])
    form = forms.MatterRaiseForm(request.POST or None, conversations=choices, initial=initial)
    duplicates: list[Matter] = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        chosen = list(data["conversations"])
        place = services.place_for(lsoa=data["lsoa"], neighbourhood=data["neighbourhood"])
        if place.authority is None and place.neighbourhood is None:
            place = services._place_from_conversations(chosen)
        if not request.POST.get("confirm_new"):
            duplicates = [
                matter
                for matter in selectors.possible_duplicates_of(
                    category=data["category"],
                    lsoa_id=place.lsoa.pk if place.lsoa else None,
                    neighbourhood_id=place.neighbourhood.pk if place.neighbourhood else None,
                    lon=None,
                    lat=None,
                    raised_at=timezone.now(),
                )
                if matter.is_public or request.user.has_perm("action.view_matter", matter)
            ]
        if not duplicates:
            try:
                matter = services.matter_raise(
                    actor=request.user,
                    title=data["title"],
                    description=data["description"],
                    category=data["category"],
                    conversations=chosen,
                    lsoa=place.lsoa,
                    neighbourhood=place.neighbourhood,
                    authority=place.authority,
                    address=data["address"],
                    is_public=data["is_public"],
                )
            except ValidationError as error:
                _errors_to_form(form, error)
            else:
                messages.success(
                    request,
                    _("The matter was raised and sent to %(organisation)s, %(team)s.")
                    % {"organisation": matter.routed_to, "team": matter.team},
                )
                return redirect(matter)
    context = {"form": form, "duplicates": duplicates, "q": search}
    return render(request, "action/matter_raise.html", context)


@login_required
@require_POST
def matter_add_conversations(request: HttpRequest, public_id: str) -> HttpResponse:
    matter = get_object_or_404(Matter, public_id=public_id)
    _require(request, "action.add_matter")
    if not (matter.is_public or request.user.has_perm("action.view_matter", matter)):
        raise PermissionDenied
    from commonground.listening.selectors import conversation_list_visible_to

    form = forms.AddConversationsForm(
        request.POST, conversations=conversation_list_visible_to(user=request.user)
    )
    if not form.is_valid():
        messages.error(request, _("Choose the conversations to add."))
        return redirect("action:matter_raise")
    services.matter_add_conversations(
        actor=request.user, matter=matter, conversations=form.cleaned_data["conversations"]
    )
    messages.success(request, _("The conversations were added to this matter."))
    return redirect(matter)


def _matter(public_id: str) -> Matter:
    return get_object_or_404(
        Matter.objects.select_related(*selectors.MATTER_RELATED, "merged_into", "routing_rule"),
        public_id=public_id,
    )


@login_required
def matter_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    matter = _matter(public_id)
    _require(request, "action.view_matter", matter)
    user = request.user
    can_change = user.has_perm("action.change_matter", matter)
    can_merge = user.has_perm("action.merge_matter", matter)
    raised = selectors.residents_raised(matter)
    visible_conversations = list(selectors.matter_conversations_for(user=user, matter=matter))
    context = {
        "matter": matter,
        "residents_raised": raised,
        "residents_raised_display": display_count(raised),
        "conversation_count": matter.conversations.count(),
        "visible_conversations": [(c, _url_or_blank(c)) for c in visible_conversations],
        "updates": matter.updates.select_related("actor", "actor_organisation"),
        "duplicates": selectors.possible_duplicates(user=user, matter=matter)
        if can_merge and matter.status != Matter.Status.MERGED
        else [],
        "merged_from": with_counts(matter.merged_from.all()),
        "can_change": can_change,
        "can_route": user.has_perm("action.route_matter", matter),
        "can_merge": can_merge,
        "now": timezone.now(),
    }
    return render(request, "action/matter_detail.html", context)


def with_counts(queryset: Any) -> Any:
    return selectors.with_residents_raised(queryset.select_related("category__theme"))


@login_required
@require_POST
def matter_acknowledge(request: HttpRequest, public_id: str) -> HttpResponse:
    matter = _matter(public_id)
    _require(request, "action.change_matter", matter)
    form = forms.AcknowledgeForm(request.POST)
    form.is_valid()
    try:
        services.matter_acknowledge(
            actor=request.user, matter=matter, public_note=form.cleaned_data.get("public_note", "")
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Acknowledged. Everyone who should know has been told."))
    return redirect(matter)


@login_required
def matter_status(request: HttpRequest, public_id: str) -> HttpResponse:
    matter = _matter(public_id)
    _require(request, "action.change_matter", matter)
    return _form_page(
        request,
        forms.MatterStatusForm(request.POST or None, initial={"status": Matter.Status.IN_PROGRESS}),
        title=_("Update the status"),
        caption=f"{matter.reference} {matter.title}",
        submit_label=_("Save and tell people"),
        save=lambda data: services.matter_update_status(actor=request.user, matter=matter, **data),
        success=lambda result: matter.get_absolute_url(),
        message=_("The status was updated. Everyone who should know has been told."),
        back_url=matter.get_absolute_url(),
    )


@login_required
def matter_close(request: HttpRequest, public_id: str) -> HttpResponse:
    matter = _matter(public_id)
    _require(request, "action.change_matter", matter)
    return _form_page(
        request,
        forms.MatterCloseForm(request.POST or None, initial={"outcome": Matter.Status.RESOLVED}),
        title=_("Close the matter"),
        caption=f"{matter.reference} {matter.title}",
        submit_label=_("Close and tell people"),
        save=lambda data: services.matter_close(actor=request.user, matter=matter, **data),
        success=lambda result: matter.get_absolute_url(),
        message=_("The matter was closed. Everyone who should know has been told."),
        back_url=matter.get_absolute_url(),
    )


@login_required
def matter_reopen(request: HttpRequest, public_id: str) -> HttpResponse:
    matter = _matter(public_id)
    if not (
        request.user.has_perm("action.change_matter", matter)
        or request.user.has_perm("action.route_matter", matter)
    ):
        raise PermissionDenied
    return _form_page(
        request,
        forms.MatterReopenForm(request.POST or None),
        title=_("Reopen the matter"),
        caption=f"{matter.reference} {matter.title}",
        submit_label=_("Reopen"),
        save=lambda data: services.matter_reopen(actor=request.user, matter=matter, **data),
        success=lambda result: matter.get_absolute_url(),
        message=_("The matter was reopened."),
        back_url=matter.get_absolute_url(),
    )


@login_required
def matter_reroute(request: HttpRequest, public_id: str) -> HttpResponse:
    matter = _matter(public_id)
    _require(request, "action.route_matter", matter)
    return _form_page(
        request,
        forms.MatterRerouteForm(
            request.POST or None, initial={"organisation": matter.routed_to, "team": matter.team}
        ),
        title=_("Send the matter elsewhere"),
        caption=f"{matter.reference} {matter.title}",
        submit_label=_("Send"),
        save=lambda data: services.matter_reroute(actor=request.user, matter=matter, **data),
        success=lambda result: matter.get_absolute_url(),
        message=_("The matter was sent on. Everyone who should know has been told."),
        back_url=matter.get_absolute_url(),
    )


@login_required
def matter_merge(request: HttpRequest, public_id: str, other_id: str) -> HttpResponse:
    keep = _matter(public_id)
    duplicate = _matter(other_id)
    _require(request, "action.merge_matter", keep)
    _require(request, "action.merge_matter", duplicate)
    if request.method == "POST":
        try:
            services.matter_merge(actor=request.user, keep=keep, duplicate=duplicate)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                _("%(reference)s was merged into this matter.")
                % {"reference": duplicate.reference},
            )
        return redirect(keep)
    context = {
        "keep": keep,
        "duplicate": duplicate,
        "keep_raised": display_count(selectors.residents_raised(keep)),
        "duplicate_raised": display_count(selectors.residents_raised(duplicate)),
    }
    return render(request, "action/matter_merge.html", context)


# --- routing ------------------------------------------------------------------------------------


@login_required
def routing(request: HttpRequest) -> HttpResponse:
    _require(request, "action.view_routingrule")
    rules_list = [
        (rule, request.user.has_perm("action.change_routingrule", rule))
        for rule in selectors.routing_rules_for(user=request.user)
    ]
    context = {
        "rules": rules_list,
        "defaults": RoutingDefault.objects.select_related(
            "council", "authority", "organisation", "owner"
        ),
        "categories": MatterCategory.objects.select_related("theme").order_by("theme__name"),
        "can_add": request.user.has_perm("action.add_routingrule"),
    }
    return render(request, "action/routing.html", context)


@login_required
def routing_preview(request: HttpRequest) -> HttpResponse:
    """ "Where would this go?": try a category and place against the rules without raising anything."""
    _require(request, "action.view_routingrule")
    form = forms.RoutingPreviewForm(request.GET or None)
    route = None
    candidates = []
    problem = ""
    if request.GET and form.is_valid():
        data = form.cleaned_data
        place = services.place_for(lsoa=data["lsoa"], neighbourhood=data["neighbourhood"])
        candidates = matching_rules(data["category"], place)
        try:
            route = choose_route(data["category"], place)
        except ValidationError as error:
            problem = " ".join(error.messages)
    context = {"form": form, "route": route, "candidates": candidates, "problem": problem}
    return render(request, "action/routing_preview.html", context)


@login_required
def routing_rule_create(request: HttpRequest) -> HttpResponse:
    _require(request, "action.add_routingrule")
    return _form_page(
        request,
        forms.RoutingRuleForm(request.POST or None, councils=_councils_for(request.user)),
        title=_("Add a routing rule"),
        submit_label=_("Save rule"),
        save=lambda data: _save_rule(request, None, data),
        success=lambda rule: "action:routing",
        message=_("The rule was saved. Try it with “Where would this go?”."),
        back_url=reverse("action:routing"),
    )


def _save_rule(request: HttpRequest, rule: RoutingRule | None, data: dict[str, Any]) -> RoutingRule:
    council = data["council"]
    if not request.user.has_perm("action.add_routingrule") or (
        not request.user.has_perm("accounts.admin_site")
        and council.pk not in organisation_ids(request.user, Role.COUNCIL_OFFICER)
    ):
        raise PermissionDenied
    fields = {k: v for k, v in data.items() if k != "council"}
    fields["authority"] = council.authority
    if rule is None:
        return services.routing_rule_create(actor=request.user, council=council, **fields)
    fields["council"] = council
    return services.routing_rule_update(actor=request.user, rule=rule, data=fields)


@login_required
def routing_rule_update(request: HttpRequest, public_id: str) -> HttpResponse:
    rule = get_object_or_404(RoutingRule, public_id=public_id)
    _require(request, "action.change_routingrule", rule)
    initial = {
        "council": rule.council,
        "category": rule.category,
        "neighbourhood": rule.neighbourhood,
        "ward": rule.ward,
        "lsoa": rule.lsoa.code if rule.lsoa else "",
        "partner": rule.partner,
        "team": rule.team,
        "owner": rule.owner,
        "priority": rule.priority,
        "is_active": rule.is_active,
        "note": rule.note,
    }
    return _form_page(
        request,
        forms.RoutingRuleForm(
            request.POST or None, councils=_councils_for(request.user), initial=initial
        ),
        title=_("Change a routing rule"),
        submit_label=_("Save rule"),
        save=lambda data: _save_rule(request, rule, data),
        success=lambda result: "action:routing",
        message=_("The rule was saved."),
        back_url=reverse("action:routing"),
    )


@login_required
def routing_default(request: HttpRequest) -> HttpResponse:
    _require(request, "action.add_routingrule")

    def save(data: dict[str, Any]) -> RoutingDefault:
        council = data["council"]
        return services.routing_default_set(
            actor=request.user,
            council=council,
            authority=council.authority,
            organisation=data["organisation"],
            team=data["team"],
            owner=data["owner"],
        )

    return _form_page(
        request,
        forms.RoutingDefaultForm(request.POST or None, councils=_councils_for(request.user)),
        title=_("Name the default owner"),
        intro=_(
            "Matters that no rule covers in the council's area go to this person, so nothing goes nowhere."
        ),
        submit_label=_("Save"),
        save=save,
        success=lambda result: "action:routing",
        message=_("The default owner was saved."),
        back_url=reverse("action:routing"),
    )


@login_required
def category_create(request: HttpRequest) -> HttpResponse:
    _require(request, "action.add_routingrule")
    form = forms.MatterCategoryCreateForm(request.POST or None)
    return _form_page(
        request,
        form,
        title=_("Add a category of matter"),
        submit_label=_("Save"),
        save=lambda data: services.matter_category_create(actor=request.user, **data),
        success=lambda result: "action:routing",
        message=_("The category was added."),
        back_url=reverse("action:routing"),
    )


@login_required
def category_update(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request, "action.add_routingrule")
    category = get_object_or_404(MatterCategory.objects.select_related("theme"), pk=pk)
    form = forms.MatterCategoryForm(
        request.POST or None, instance=MatterCategory.objects.get(pk=category.pk)
    )
    return _form_page(
        request,
        form,
        title=_("Target time and details"),
        caption=category.name,
        submit_label=_("Save"),
        save=lambda data: services.matter_category_update(
            actor=request.user, category=category, data=data
        ),
        success=lambda result: "action:routing",
        message=_("The category was saved."),
        back_url=reverse("action:routing"),
    )


# --- groups and the network ---------------------------------------------------------------------


@login_required
def group_list(request: HttpRequest) -> HttpResponse:
    _require(request, "action.view_group")
    neighbourhood = Neighbourhood.objects.filter(
        slug=request.GET.get("neighbourhood") or ""
    ).first()
    search = request.GET.get("q", "").strip()
    groups = selectors.group_list(user=request.user, neighbourhood=neighbourhood, search=search)
    context = {
        "neighbourhoods": Neighbourhood.objects.order_by("name"),
        "neighbourhood": neighbourhood,
        "q": search,
        "can_add": request.user.has_perm("action.add_group"),
        **_page(request, groups),
    }
    return render(request, "action/group_list.html", context)


@login_required
def group_create(request: HttpRequest) -> HttpResponse:
    _require(request, "action.add_group")
    hosts = _hosts_for(request.user)

    def save(data: dict[str, Any]) -> Group:
        return services.group_create(actor=request.user, host=hosts[0], **data)

    return _form_page(
        request,
        forms.GroupForm(request.POST or None),
        title=_("Add a group"),
        intro=_("The group's records are held by %(host)s.") % {"host": hosts[0]},
        submit_label=_("Save group"),
        save=save,
        success=lambda group: group.get_absolute_url(),
        message=_("The group was added."),
        back_url=reverse("action:group_list"),
    )


def _group(slug: str) -> Group:
    return get_object_or_404(Group.objects.select_related("host", "neighbourhood"), slug=slug)


@login_required
def group_detail(request: HttpRequest, slug: str) -> HttpResponse:
    group = _group(slug)
    _require(request, "action.view_group", group)
    context = {
        "group": group,
        "people": selectors.group_people(user=request.user, group=group),
        "people_count": group.involvements.filter(ended_on__isnull=True).count(),
        "can_see_people": request.user.has_perm("action.view_group_people", group),
        "can_change": request.user.has_perm("action.change_group", group),
        "activities": group.activities.all(),
        "projects": group.projects_led.all(),
        "supporters": group.supporting_organisations.all(),
        "themes": group.themes.all(),
    }
    return render(request, "action/group_detail.html", context)


@login_required
def group_update(request: HttpRequest, slug: str) -> HttpResponse:
    group = _group(slug)
    _require(request, "action.change_group", group)
    form = forms.GroupForm(
        request.POST or None,
        instance=Group.objects.get(pk=group.pk),
        initial={
            "themes": group.themes.all(),
            "supporting_organisations": group.supporting_organisations.all(),
        },
    )

    def save(data: dict[str, Any]) -> Group:
        data = dict(data)
        themes = data.pop("themes")
        supporters = data.pop("supporting_organisations")
        return services.group_update(
            actor=request.user,
            group=group,
            data=data,
            themes=themes,
            supporting_organisations=supporters,
        )

    return _form_page(
        request,
        form,
        title=_("Change the group"),
        caption=group.name,
        submit_label=_("Save group"),
        save=save,
        success=lambda result: group.get_absolute_url(),
        message=_("The group was saved."),
        back_url=group.get_absolute_url(),
    )


@login_required
def group_activity_add(request: HttpRequest, slug: str) -> HttpResponse:
    group = _group(slug)
    _require(request, "action.change_group", group)
    return _form_page(
        request,
        forms.GroupActivityForm(request.POST or None),
        title=_("Add an activity or service"),
        caption=group.name,
        submit_label=_("Save"),
        save=lambda data: services.group_activity_add(actor=request.user, group=group, **data),
        success=lambda result: group.get_absolute_url(),
        message=_("The activity was added."),
        back_url=group.get_absolute_url(),
    )


@login_required
def involvement_add(request: HttpRequest, slug: str) -> HttpResponse:
    group = _group(slug)
    _require(request, "action.add_involvement", group)
    residents = Resident.objects.filter(
        host=group.host, merged_into__isnull=True, contact_removed_at__isnull=True
    ).order_by("full_name")
    return _form_page(
        request,
        forms.InvolvementForm(request.POST or None, residents=residents),
        title=_("Add someone to the group"),
        caption=group.name,
        intro=_("Only add residents who have agreed to be listed as part of this group."),
        submit_label=_("Add"),
        save=lambda data: services.involvement_add(actor=request.user, group=group, **data),
        success=lambda result: group.get_absolute_url(),
        message=_("They were added to the group."),
        back_url=group.get_absolute_url(),
    )


@login_required
def network_index(request: HttpRequest) -> HttpResponse:
    _require(request, "action.view_network")
    return render(
        request, "action/network_index.html", {"patches": selectors.patches_for(user=request.user)}
    )


@login_required
def network_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """The network in a patch as a list (works without JavaScript), a graph on top, and its growth."""
    _require(request, "action.view_network")
    neighbourhood = get_object_or_404(Neighbourhood, slug=slug)
    network = selectors.network_for(user=request.user, neighbourhood=neighbourhood)
    growth = selectors.network_growth(neighbourhood=neighbourhood)
    context = {
        "neighbourhood": neighbourhood,
        "network": network,
        "entries": network.neighbours(),
        "graph": network.as_json(),
        "growth": growth,
        "growth_totals": {
            "links": sum(m.links_brokered for m in growth),
            "firsts": sum(m.first_actions for m in growth),
            "leaders": sum(m.new_leaders for m in growth),
            "house_groups": sum(m.house_groups for m in growth),
        },
        "can_add_link": request.user.has_perm("action.add_networklink"),
    }
    return render(request, "action/network_detail.html", context)


@login_required
def network_link_add(request: HttpRequest) -> HttpResponse:
    _require(request, "action.add_networklink")
    hosts = _hosts_for(request.user)
    residents = Resident.objects.filter(
        host__in=hosts, merged_into__isnull=True, contact_removed_at__isnull=True
    ).order_by("full_name")
    groups = Group.objects.order_by("name")
    organiser = Organiser.objects.filter(user=request.user).first()
    initial = {"made_on": timezone.localdate()}
    if request.GET.get("neighbourhood"):
        initial["neighbourhood"] = Neighbourhood.objects.filter(
            slug=request.GET["neighbourhood"]
        ).first()

    def save(data: dict[str, Any]) -> Any:
        return services.network_link_add(
            actor=request.user,
            host=hosts[0],
            made_on=data["made_on"],
            from_end=data["from_end"],
            to_end=data["to_end"],
            description=data["description"],
            brokered_by=organiser if data["brokered"] else None,
            neighbourhood=data["neighbourhood"],
        )

    return _form_page(
        request,
        forms.NetworkLinkForm(
            request.POST or None, residents=residents, groups=groups, initial=initial
        ),
        title=_("Record a link"),
        intro=_("Who did you put in touch with whom?"),
        submit_label=_("Save link"),
        save=save,
        success=lambda link: reverse("action:network_detail", args=[link.neighbourhood.slug]),
        message=_("The link was recorded."),
        back_url=reverse("action:network_index"),
    )


# --- projects -----------------------------------------------------------------------------------


@login_required
def project_list(request: HttpRequest) -> HttpResponse:
    _require(request, "action.view_project")
    neighbourhood = Neighbourhood.objects.filter(
        slug=request.GET.get("neighbourhood") or ""
    ).first()
    status = request.GET.get("status", "")
    projects = selectors.project_list(
        user=request.user,
        neighbourhood=neighbourhood,
        status=status,
        needs_help=request.GET.get("needs_help") == "1",
        search=request.GET.get("q", "").strip(),
    )
    context = {
        "neighbourhoods": Neighbourhood.objects.order_by("name"),
        "neighbourhood": neighbourhood,
        "statuses": Project.Status.choices,
        "status": status,
        "needs_help": request.GET.get("needs_help") == "1",
        "q": request.GET.get("q", "").strip(),
        "can_add": request.user.has_perm("action.add_project"),
        **_page(request, projects),
    }
    return render(request, "action/project_list.html", context)


@login_required
def project_create(request: HttpRequest) -> HttpResponse:
    _require(request, "action.add_project")
    hosts = _hosts_for(request.user)
    groups = Group.objects.filter(host__in=hosts).order_by("name")

    def save(data: dict[str, Any]) -> Project:
        data = dict(data)
        for name in ("sustainability", "sustainability_note"):
            data.pop(name, None)
        return services.project_create(actor=request.user, host=hosts[0], **data)

    return _form_page(
        request,
        forms.ProjectForm(request.POST or None, groups=groups),
        title=_("Start a project"),
        submit_label=_("Save project"),
        save=save,
        success=lambda project: project.get_absolute_url(),
        message=_("The project was saved."),
        back_url=reverse("action:project_list"),
    )


def _project(slug: str) -> Project:
    return get_object_or_404(
        Project.objects.select_related("host", "lead_group", "neighbourhood__authority"), slug=slug
    )


@login_required
def project_detail(request: HttpRequest, slug: str) -> HttpResponse:
    project = _project(slug)
    _require(request, "action.view_project", project)
    user = request.user
    can_change = user.has_perm("action.change_project", project)
    photos = [
        photo
        for photo in project.photos.select_related("project")
        if user.has_perm("action.view_projectphoto", photo)
    ]
    conversation_count = project.conversations.count()
    context = {
        "project": project,
        "can_change": can_change,
        "milestones": project.milestones.all(),
        "events": project.events.all(),
        "volunteer_time": project.volunteer_time.select_related("event")[:20],
        "outcomes": project.outcomes.all(),
        "photos": photos,
        "themes": project.themes.all(),
        "guides": project.toolkit_entries.all(),
        "suggested_guides": selectors.toolkit_suggestions_for(project),
        "totals": selectors.project_totals(project),
        "conversation_count": conversation_count,
        "conversation_count_display": display_count(conversation_count),
        "milestone_statuses": Milestone.Status.choices,
    }
    return render(request, "action/project_detail.html", context)


@login_required
def project_update(request: HttpRequest, slug: str) -> HttpResponse:
    project = _project(slug)
    _require(request, "action.change_project", project)
    groups = Group.objects.filter(host=project.host).order_by("name")
    form = forms.ProjectForm(
        request.POST or None,
        groups=groups,
        instance=Project.objects.get(pk=project.pk),
        initial={"themes": project.themes.all(), "toolkit_entries": project.toolkit_entries.all()},
    )

    def save(data: dict[str, Any]) -> Project:
        data = dict(data)
        themes = data.pop("themes")
        guides = data.pop("toolkit_entries")
        return services.project_update(
            actor=request.user, project=project, data=data, themes=themes, toolkit_entries=guides
        )

    return _form_page(
        request,
        form,
        title=_("Change the project"),
        caption=project.title,
        submit_label=_("Save project"),
        save=save,
        success=lambda result: project.get_absolute_url(),
        message=_("The project was saved."),
        back_url=project.get_absolute_url(),
    )


def _project_child_page(
    request: HttpRequest,
    slug: str,
    form_class: type[Form],
    service: Callable[..., Any],
    title: str,
    message: str,
    multipart: bool = False,
) -> HttpResponse:
    project = _project(slug)
    _require(request, "action.change_project", project)
    form = form_class(request.POST or None, request.FILES or None)
    return _form_page(
        request,
        form,
        title=title,
        caption=project.title,
        submit_label=_("Save"),
        save=lambda data: service(actor=request.user, project=project, **data),
        success=lambda result: project.get_absolute_url(),
        message=message,
        back_url=project.get_absolute_url(),
        multipart=multipart,
    )


@login_required
def milestone_add(request: HttpRequest, slug: str) -> HttpResponse:
    return _project_child_page(
        request,
        slug,
        forms.MilestoneForm,
        services.milestone_add,
        _("Add a milestone"),
        _("The milestone was added."),
    )


@login_required
@require_POST
def milestone_update(request: HttpRequest, pk: int) -> HttpResponse:
    milestone = get_object_or_404(Milestone.objects.select_related("project"), pk=pk)
    _require(request, "action.change_project", milestone.project)
    form = forms.MilestoneStatusForm(request.POST)
    if form.is_valid():
        services.milestone_update(
            actor=request.user, milestone=milestone, status=form.cleaned_data["status"]
        )
        messages.success(request, _("The milestone was updated."))
    return redirect(milestone.project)


@login_required
def project_event_add(request: HttpRequest, slug: str) -> HttpResponse:
    return _project_child_page(
        request,
        slug,
        forms.ProjectEventForm,
        services.project_event_add,
        _("Add an event"),
        _("The event was added."),
    )


@login_required
def volunteer_time_add(request: HttpRequest, slug: str) -> HttpResponse:
    return _project_child_page(
        request,
        slug,
        forms.VolunteerTimeForm,
        services.volunteer_time_add,
        _("Record volunteer time"),
        _("The volunteer time was recorded."),
    )


@login_required
def outcome_add(request: HttpRequest, slug: str) -> HttpResponse:
    return _project_child_page(
        request,
        slug,
        forms.OutcomeForm,
        services.outcome_add,
        _("Record an outcome"),
        _("The outcome was recorded."),
    )


def _photo_service(*, actor: Any, project: Project, photo: Any, **data: Any) -> ProjectPhoto:
    return services.project_photo_add(
        actor=actor, project=project, name=photo.name, stream=photo, size=photo.size, **data
    )


@login_required
def photo_add(request: HttpRequest, slug: str) -> HttpResponse:
    return _project_child_page(
        request,
        slug,
        forms.ProjectPhotoForm,
        _photo_service,
        _("Add a photo"),
        _("The photo was added."),
        multipart=True,
    )


@login_required
def photo(request: HttpRequest, public_id: str) -> HttpResponse:
    """Photos live outside the web root; this is the only way to them, and it checks first."""
    found = get_object_or_404(ProjectPhoto.objects.select_related("project"), public_id=public_id)
    _require(request, "action.view_projectphoto", found)
    try:
        handle = found.file.open("rb")
    except FileNotFoundError:
        raise Http404(_("The photo file is missing.")) from None
    response = FileResponse(handle, content_type=found.content_type)
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Disposition"] = "inline"
    return response


# --- Open Referral feed -------------------------------------------------------------------------


def openreferral_root(request: HttpRequest) -> JsonResponse:
    return JsonResponse(hsds.api_root(request))


def openreferral_services(request: HttpRequest) -> JsonResponse:
    return JsonResponse(hsds.service_page(request))


def openreferral_service(request: HttpRequest, public_id: str) -> JsonResponse:
    return JsonResponse(hsds.service_detail(public_id))


def openreferral_organizations(request: HttpRequest) -> JsonResponse:
    return JsonResponse(hsds.organization_page(request))


def openreferral_organization(request: HttpRequest, public_id: str) -> JsonResponse:
    return JsonResponse(hsds.organization_detail(public_id))


# --- forums and plans ---------------------------------------------------------------------------


@login_required
def forum_list(request: HttpRequest) -> HttpResponse:
    _require(request, "action.view_forum")
    context = {
        "forums": selectors.forum_list(user=request.user),
        "can_add": request.user.has_perm("action.add_forum"),
    }
    return render(request, "action/forum_list.html", context)


@login_required
def forum_create(request: HttpRequest) -> HttpResponse:
    _require(request, "action.add_forum")

    def save(data: dict[str, Any]) -> Forum:
        council = data["council"]
        if council.authority is None:
            raise ValidationError({"council": _("The council has no local authority set.")})
        return services.forum_create(actor=request.user, authority=council.authority, **data)

    return _form_page(
        request,
        forms.ForumForm(request.POST or None, councils=_councils_for(request.user)),
        title=_("Add a forum or cluster"),
        submit_label=_("Save forum"),
        save=save,
        success=lambda forum: forum.get_absolute_url(),
        message=_("The forum was added."),
        back_url=reverse("action:forum_list"),
    )


def _forum(slug: str) -> Forum:
    return get_object_or_404(
        Forum.objects.select_related("council", "organisation", "authority"), slug=slug
    )


@login_required
def forum_detail(request: HttpRequest, slug: str) -> HttpResponse:
    forum = _forum(slug)
    _require(request, "action.view_forum", forum)
    now = timezone.now()
    context = {
        "forum": forum,
        "members": forum.members.filter(left_on__isnull=True).select_related("organisation"),
        "upcoming": forum.meetings.filter(starts_at__gte=now).order_by("starts_at"),
        "past": forum.meetings.filter(starts_at__lt=now).order_by("-starts_at")[:10],
        "open_actions": forum.actions.filter(status=ForumAction.Status.OPEN).select_related(
            "raised_at"
        ),
        "plans": forum.action_plans.all(),
        "neighbourhoods": forum.neighbourhoods.all(),
        "can_change": request.user.has_perm("action.change_forum", forum),
    }
    return render(request, "action/forum_detail.html", context)


@login_required
def forum_member_add(request: HttpRequest, slug: str) -> HttpResponse:
    forum = _forum(slug)
    _require(request, "action.change_forum", forum)
    return _form_page(
        request,
        forms.ForumMemberForm(request.POST or None),
        title=_("Add a member"),
        caption=forum.name,
        submit_label=_("Add member"),
        save=lambda data: services.forum_member_add(actor=request.user, forum=forum, **data),
        success=lambda result: forum.get_absolute_url(),
        message=_("The member was added."),
        back_url=forum.get_absolute_url(),
    )


@login_required
def meeting_create(request: HttpRequest, slug: str) -> HttpResponse:
    forum = _forum(slug)
    _require(request, "action.change_forum", forum)
    return _form_page(
        request,
        forms.MeetingForm(request.POST or None),
        title=_("Plan a meeting"),
        caption=forum.name,
        intro=_("A draft agenda is written from the area's evidence; you can change it after."),
        submit_label=_("Plan meeting"),
        save=lambda data: services.meeting_create(actor=request.user, forum=forum, **data),
        success=lambda meeting: meeting.get_absolute_url(),
        message=_("The meeting was planned and its agenda drafted."),
        back_url=forum.get_absolute_url(),
    )


@login_required
def forum_action_add(request: HttpRequest, slug: str) -> HttpResponse:
    forum = _forum(slug)
    _require(request, "action.change_forum", forum)
    meeting = forum.meetings.filter(public_id=request.GET.get("meeting") or None).first()
    return _form_page(
        request,
        forms.ForumActionForm(request.POST or None),
        title=_("Add an action"),
        caption=str(meeting) if meeting else forum.name,
        submit_label=_("Add action"),
        save=lambda data: services.forum_action_add(
            actor=request.user, forum=forum, raised_at=meeting, **data
        ),
        success=lambda result: meeting.get_absolute_url() if meeting else forum.get_absolute_url(),
        message=_("The action was added. It will be carried forward until it is done."),
        back_url=meeting.get_absolute_url() if meeting else forum.get_absolute_url(),
    )


@login_required
def forum_action_update(request: HttpRequest, public_id: str) -> HttpResponse:
    action = get_object_or_404(ForumAction.objects.select_related("forum"), public_id=public_id)
    _require(request, "action.change_forum", action.forum)
    return _form_page(
        request,
        forms.ForumActionUpdateForm(
            request.POST or None,
            initial={"status": action.status, "progress_note": action.progress_note},
        ),
        title=_("Update an action"),
        caption=action.description,
        submit_label=_("Save"),
        save=lambda data: services.forum_action_update(actor=request.user, action=action, **data),
        success=lambda result: action.forum.get_absolute_url(),
        message=_("The action was updated."),
        back_url=action.forum.get_absolute_url(),
    )


def forum_calendar(request: HttpRequest, slug: str) -> HttpResponse:
    """An iCalendar feed of the forum's meetings; public when the forum publishes its dates."""
    forum = _forum(slug)
    if not forum.is_public and not request.user.has_perm("action.view_forum", forum):
        raise Http404
    meetings = forum.meetings.exclude(status=Meeting.Status.CANCELLED).order_by("starts_at")
    body = ical.calendar(
        name=forum.name,
        meetings=meetings,
        base_url=request.build_absolute_uri("/"),
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{forum.slug}.ics"'
    return response


def _meeting(public_id: str) -> Meeting:
    return get_object_or_404(Meeting.objects.select_related("forum__council"), public_id=public_id)


@login_required
def meeting_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    meeting = _meeting(public_id)
    _require(request, "action.view_forum", meeting.forum)
    can_change = request.user.has_perm("action.change_forum", meeting.forum)
    context = {
        "meeting": meeting,
        "forum": meeting.forum,
        "items": meeting.agenda_items.all(),
        "carried_forward": carried_forward(meeting.forum, meeting.starts_at),
        "actions_raised": meeting.actions_raised.all(),
        "can_change": can_change,
        "item_form": forms.AgendaItemForm() if can_change else None,
        "is_planned": meeting.status == Meeting.Status.PLANNED,
    }
    return render(request, "action/meeting_detail.html", context)


@login_required
@require_POST
def meeting_redraft(request: HttpRequest, public_id: str) -> HttpResponse:
    meeting = _meeting(public_id)
    _require(request, "action.change_forum", meeting.forum)
    try:
        services.meeting_redraft_agenda(actor=request.user, meeting=meeting)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The agenda was drafted again from the latest evidence."))
    return redirect(meeting)


@login_required
@require_POST
def meeting_item_add(request: HttpRequest, public_id: str) -> HttpResponse:
    meeting = _meeting(public_id)
    _require(request, "action.change_forum", meeting.forum)
    form = forms.AgendaItemForm(request.POST)
    if form.is_valid():
        services.agenda_item_add(actor=request.user, meeting=meeting, **form.cleaned_data)
        messages.success(request, _("The item was added to the agenda."))
    else:
        messages.error(request, _("Give the agenda item a title."))
    return redirect(meeting)


@login_required
@require_POST
def meeting_publish(request: HttpRequest, public_id: str) -> HttpResponse:
    meeting = _meeting(public_id)
    _require(request, "action.change_forum", meeting.forum)
    try:
        services.meeting_publish_agenda(actor=request.user, meeting=meeting)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The agenda was published."))
    return redirect(meeting)


@login_required
def meeting_minutes(request: HttpRequest, public_id: str) -> HttpResponse:
    meeting = _meeting(public_id)
    _require(request, "action.change_forum", meeting.forum)
    return _form_page(
        request,
        forms.MinutesForm(request.POST or None, initial={"minutes": meeting.minutes}),
        title=_("Minutes"),
        caption=str(meeting),
        submit_label=_("Save minutes"),
        save=lambda data: services.meeting_record_minutes(
            actor=request.user, meeting=meeting, **data
        ),
        success=lambda result: meeting.get_absolute_url(),
        message=_("The minutes were saved and the meeting marked as held."),
        back_url=meeting.get_absolute_url(),
    )


@login_required
def plan_list(request: HttpRequest) -> HttpResponse:
    _require(request, "action.view_actionplan")
    plans = ActionPlan.objects.select_related("forum", "programme").order_by("-starts_on")
    context = {"plans": plans, "can_add": request.user.has_perm("action.add_actionplan")}
    return render(request, "action/plan_list.html", context)


@login_required
def plan_create(request: HttpRequest) -> HttpResponse:
    _require(request, "action.add_actionplan")
    forums = Forum.objects.order_by("name")

    def save(data: dict[str, Any]) -> ActionPlan:
        probe = ActionPlan(forum=data["forum"], programme=data["programme"])
        if not request.user.has_perm("action.change_actionplan", probe):
            raise ValidationError(_("You can only make plans for your own forum or programme."))
        return services.action_plan_create(actor=request.user, **data)

    return _form_page(
        request,
        forms.ActionPlanForm(request.POST or None, forums=forums),
        title=_("Start an action plan"),
        submit_label=_("Save plan"),
        save=save,
        success=lambda plan: plan.get_absolute_url(),
        message=_("The plan was saved."),
        back_url=reverse("action:plan_list"),
    )


def _plan(public_id: str) -> ActionPlan:
    return get_object_or_404(
        ActionPlan.objects.select_related("forum", "programme"), public_id=public_id
    )


@login_required
def plan_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    plan = _plan(public_id)
    _require(request, "action.view_actionplan", plan)
    items = plan.items.select_related("organisation", "theme").prefetch_related("updates")
    context = {
        "plan": plan,
        "items": items,
        "can_change": request.user.has_perm("action.change_actionplan", plan),
        "periods": reports.half_years_since(plan.starts_on),
    }
    return render(request, "action/plan_detail.html", context)


@login_required
def plan_item_add(request: HttpRequest, public_id: str) -> HttpResponse:
    plan = _plan(public_id)
    _require(request, "action.change_actionplan", plan)
    return _form_page(
        request,
        forms.ActionPlanItemForm(request.POST or None),
        title=_("Add an item"),
        caption=plan.title,
        submit_label=_("Add item"),
        save=lambda data: services.action_plan_item_add(actor=request.user, plan=plan, **data),
        success=lambda result: plan.get_absolute_url(),
        message=_("The item was added."),
        back_url=plan.get_absolute_url(),
    )


@login_required
def plan_item_progress(request: HttpRequest, public_id: str) -> HttpResponse:
    item = get_object_or_404(ActionPlanItem.objects.select_related("plan"), public_id=public_id)
    _require(request, "action.change_actionplan", item.plan)
    return _form_page(
        request,
        forms.ActionPlanProgressForm(request.POST or None, initial={"status": item.status}),
        title=_("Record progress"),
        caption=item.title,
        submit_label=_("Save progress"),
        save=lambda data: services.action_plan_item_progress(actor=request.user, item=item, **data),
        success=lambda result: item.plan.get_absolute_url(),
        message=_("The progress was recorded."),
        back_url=item.plan.get_absolute_url(),
    )


@login_required
def plan_report(request: HttpRequest, public_id: str) -> HttpResponse:
    """The six-monthly progress report for a plan."""
    plan = _plan(public_id)
    _require(request, "action.view_actionplan", plan)
    periods = reports.half_years_since(plan.starts_on)
    chosen = request.GET.get("period") or (periods[-1].key if periods else "")
    period = next((p for p in periods if p.key == chosen), None)
    if period is None:
        raise Http404(_("There is no such period for this plan."))
    context = {
        "plan": plan,
        "period": period,
        "periods": periods,
        "report": reports.plan_progress_report(plan, period),
    }
    return render(request, "action/plan_report.html", context)


# --- ideas --------------------------------------------------------------------------------------


@login_required
def idea_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    ideas = selectors.idea_list_visible_to(
        user=request.user, status=status, search=request.GET.get("q", "").strip()
    )
    context = {
        "statuses": Idea.Status.choices,
        "status": status,
        "q": request.GET.get("q", "").strip(),
        "can_add": request.user.has_perm("action.add_idea"),
        "can_see_savings": request.user.has_perm("action.view_savings"),
        **_page(request, ideas),
    }
    return render(request, "action/idea_list.html", context)


@login_required
def idea_pipeline(request: HttpRequest) -> HttpResponse:
    columns = selectors.idea_pipeline(user=request.user)
    context = {
        "columns": columns,
        "estimated": sum((c.estimated for c in columns if c.status != Idea.Status.REJECTED), 0),
        "realised": sum((c.realised for c in columns), 0),
    }
    return render(request, "action/idea_pipeline.html", context)


@login_required
def idea_savings(request: HttpRequest) -> HttpResponse:
    _require(request, "action.view_savings")
    by_neighbourhood = selectors.savings_totals(user=request.user, by="neighbourhood")
    by_organiser = selectors.savings_totals(user=request.user, by="organiser")
    context = {
        "by_neighbourhood": by_neighbourhood,
        "by_organiser": by_organiser,
        "total": reports.total_savings(by_neighbourhood),
    }
    return render(request, "action/idea_savings.html", context)


@login_required
def idea_create(request: HttpRequest) -> HttpResponse:
    _require(request, "action.add_idea")
    organiser = Organiser.objects.filter(user=request.user).select_related("host").first()
    initial = {"response_due_on": timezone.localdate() + timezone.timedelta(weeks=8)}
    councils = Organisation.objects.filter(kind=Organisation.Kind.COUNCIL)
    if councils.count() == 1:
        initial["council"] = councils.first()

    def save(data: dict[str, Any]) -> Idea:
        host = services.acting_organisation(
            request.user, prefer=[organiser.host_id] if organiser else []
        )
        return services.idea_create(actor=request.user, host=host, organiser=organiser, **data)

    return _form_page(
        request,
        forms.IdeaForm(
            request.POST or None,
            conversations=_conversation_choices(request),
            forums=Forum.objects.order_by("name"),
            initial=initial,
        ),
        title=_("Bring an idea"),
        intro=_(
            "An idea for doing a service differently. It becomes a business case as it is assessed."
        ),
        submit_label=_("Save idea"),
        save=save,
        success=lambda idea: idea.get_absolute_url(),
        message=_("The idea was saved. The council owes a response by the date given."),
        back_url=reverse("action:idea_list"),
    )


def _idea(public_id: str) -> Idea:
    return get_object_or_404(
        Idea.objects.select_related(
            "neighbourhood",
            "organiser",
            "council",
            "service_organisation",
            "owner",
            "host",
            "forum",
        ),
        public_id=public_id,
    )


@login_required
def idea_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    idea = _idea(public_id)
    _require(request, "action.view_idea", idea)
    context = {
        "idea": idea,
        "progress": idea.progress.select_related("actor"),
        "themes": idea.themes.all(),
        "conversation_count": display_count(idea.conversations.count()),
        "can_change": request.user.has_perm("action.change_idea", idea),
        "next_statuses": [
            Idea.Status(s).label for s in sorted(services.IDEA_TRANSITIONS[idea.status])
        ],
    }
    return render(request, "action/idea_detail.html", context)


@login_required
def idea_case(request: HttpRequest, public_id: str) -> HttpResponse:
    idea = _idea(public_id)
    _require(request, "action.change_idea", idea)
    return _form_page(
        request,
        forms.IdeaCaseForm(request.POST or None, instance=Idea.objects.get(pk=idea.pk)),
        title=_("The business case"),
        caption=idea.title,
        submit_label=_("Save business case"),
        save=lambda data: services.idea_update_case(actor=request.user, idea=idea, data=data),
        success=lambda result: idea.get_absolute_url(),
        message=_("The business case was saved."),
        back_url=idea.get_absolute_url(),
    )


@login_required
def idea_move(request: HttpRequest, public_id: str) -> HttpResponse:
    idea = _idea(public_id)
    _require(request, "action.change_idea", idea)
    allowed = [s for s in Idea.PIPELINE if s in services.IDEA_TRANSITIONS[idea.status]]
    if not allowed:
        messages.error(request, _("An adopted idea has reached the end of the pipeline."))
        return redirect(idea)
    return _form_page(
        request,
        forms.IdeaMoveForm(request.POST or None, allowed=allowed),
        title=_("Move the idea on"),
        caption=idea.title,
        submit_label=_("Save"),
        save=lambda data: services.idea_move(actor=request.user, idea=idea, **data),
        success=lambda result: idea.get_absolute_url(),
        message=_("The idea was moved on and its timeline updated."),
        back_url=idea.get_absolute_url(),
    )


@login_required
def idea_progress(request: HttpRequest, public_id: str) -> HttpResponse:
    idea = _idea(public_id)
    _require(request, "action.change_idea", idea)
    return _form_page(
        request,
        forms.IdeaProgressForm(request.POST or None),
        title=_("Record progress"),
        caption=idea.title,
        submit_label=_("Save"),
        save=lambda data: services.idea_record_progress(actor=request.user, idea=idea, **data),
        success=lambda result: idea.get_absolute_url(),
        message=_("The progress was added to the timeline."),
        back_url=idea.get_absolute_url(),
    )


# --- toolkit ------------------------------------------------------------------------------------


def toolkit_list(request: HttpRequest) -> HttpResponse:
    """The library of good practice; anyone may read what is published."""
    form = forms.ToolkitSearchForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    entries = selectors.toolkit_search(
        user=request.user,
        query=data.get("q", ""),
        theme=data.get("theme"),
        area_type=data.get("area_type", ""),
        kind=data.get("kind", ""),
    )
    context = {
        "form": form,
        "searched": bool(request.GET),
        "can_add": request.user.is_authenticated
        and request.user.has_perm("action.add_toolkitentry"),
        **_page(request, entries, per_page=20),
    }
    return render(request, "action/toolkit_list.html", context)


def toolkit_detail(request: HttpRequest, slug: str) -> HttpResponse:
    entry = get_object_or_404(
        ToolkitEntry.objects.select_related("organisation").prefetch_related(
            "themes", "area_type_tags"
        ),
        slug=slug,
    )
    can_change = request.user.is_authenticated and request.user.has_perm(
        "action.change_toolkitentry", entry
    )
    if not entry.is_published and not can_change:
        raise Http404
    projects = entry.projects.filter(Q(is_public=True)).select_related("neighbourhood")
    context = {
        "entry": entry,
        "paragraphs": [p.strip() for p in entry.body.split("\n\n") if p.strip()],
        "projects": projects,
        "can_change": can_change,
    }
    return render(request, "action/toolkit_detail.html", context)


@login_required
def toolkit_create(request: HttpRequest) -> HttpResponse:
    _require(request, "action.add_toolkitentry")
    organisation = services.acting_organisation(request.user)
    return _form_page(
        request,
        forms.ToolkitEntryForm(request.POST or None),
        title=_("Write a toolkit entry"),
        submit_label=_("Save entry"),
        save=lambda data: services.toolkit_entry_create(
            actor=request.user, organisation=organisation, **data
        ),
        success=lambda entry: entry.get_absolute_url(),
        message=_("The entry was saved."),
        back_url=reverse("action:toolkit_list"),
    )


@login_required
def toolkit_update(request: HttpRequest, slug: str) -> HttpResponse:
    entry = get_object_or_404(ToolkitEntry, slug=slug)
    _require(request, "action.change_toolkitentry", entry)
    initial = {
        "title": entry.title,
        "kind": entry.kind,
        "summary": entry.summary,
        "body": entry.body,
        "themes": entry.themes.all(),
        "area_types": entry.area_types,
        "is_published": entry.is_published,
    }

    def save(data: dict[str, Any]) -> ToolkitEntry:
        data = dict(data)
        themes = data.pop("themes")
        area_types = data.pop("area_types")
        return services.toolkit_entry_update(
            actor=request.user, entry=entry, data=data, themes=themes, area_types=area_types
        )

    return _form_page(
        request,
        forms.ToolkitEntryForm(request.POST or None, initial=initial),
        title=_("Change a toolkit entry"),
        caption=entry.title,
        submit_label=_("Save entry"),
        save=save,
        success=lambda result: entry.get_absolute_url(),
        message=_("The entry was saved."),
        back_url=entry.get_absolute_url(),
    )
