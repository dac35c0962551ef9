from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.forms import Form
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    JsonResponse,
    StreamingHttpResponse,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from commonground.places.models import Neighbourhood

from . import comparison as comparing
from . import opendata, selectors, services
from .forms import (
    ComparisonForm,
    ComparisonSaveForm,
    IndicatorEditForm,
    IndicatorForm,
    MeasurementCorrectForm,
    MeasurementForm,
    PublishForm,
    ReportEditForm,
    ReportForm,
    SectionForm,
    TargetForm,
)
from .models import Comparison, Indicator, Measurement, Report, ReportSection, ReportVersion, Target
from .presentation import comparison_chart, report_charts
from .reporting import build_snapshot
from .scopes import Scope


def _require(request: HttpRequest, permission: str, obj: Any = None) -> None:
    if not request.user.has_perm(permission, obj):
        raise PermissionDenied


def _page(request: HttpRequest, queryset: Any, per_page: int = 25) -> dict[str, Any]:
    page = Paginator(queryset, per_page).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    encoded = query.urlencode()
    return {"page_obj": page, "querystring_without_page": f"{encoded}&" if encoded else ""}


def _errors_into(form: Form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, problems in error.message_dict.items():
            form.add_error(field if field in form.fields else None, problems)
    else:
        form.add_error(None, error.messages)


def _chosen_scope(request: HttpRequest, form: Form) -> Scope | None:
    """The scope picked in a form, if it is one the user may act for."""
    key = form.cleaned_data.get("scope", "")
    allowed = {scope.key: scope for scope in selectors.scopes_for(user=request.user)}
    if key not in allowed:
        form.add_error("scope", _("Choose one of the programmes, organisations or places listed."))
        return None
    organisation = form.cleaned_data.get("organisation")
    if organisation is not None and not request.user.has_perm(
        "impact.act_for_organisation", organisation
    ):
        form.add_error("organisation", _("You cannot act for that organisation."))
        return None
    return allowed[key]


# --------------------------------------------------------------------------- overview


@login_required
def index(request: HttpRequest) -> HttpResponse:
    user = request.user
    context = {
        "indicators": selectors.indicator_list(user=user),
        "reports": selectors.report_list_visible_to(user=user)[:10],
        "published": selectors.published_versions()[:10],
        "comparisons": selectors.comparisons_visible_to(user=user)[:5],
        "can_add_report": user.has_perm("impact.add_report"),
        "can_add_indicator": user.has_perm("impact.add_indicator"),
        "can_compare": user.has_perm("impact.add_comparison"),
    }
    return render(request, "impact/index.html", context)


@login_required
def indicator_list(request: HttpRequest) -> HttpResponse:
    context = {
        "indicators": selectors.indicator_list(user=request.user, include_inactive=True),
        "can_add": request.user.has_perm("impact.add_indicator"),
    }
    return render(request, "impact/indicator_list.html", context)


@login_required
def indicator_create(request: HttpRequest) -> HttpResponse:
    _require(request, "impact.add_indicator")
    form = IndicatorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            indicator = services.indicator_create(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            _errors_into(form, error)
        else:
            messages.success(
                request, _("The indicator %(name)s was added.") % {"name": indicator.name}
            )
            return redirect(indicator)
    return render(request, "impact/indicator_form.html", {"form": form, "indicator": None})


@login_required
def indicator_update(request: HttpRequest, code: str) -> HttpResponse:
    indicator = get_object_or_404(Indicator, code=code)
    _require(request, "impact.change_indicator", indicator)
    initial = {name: getattr(indicator, name) for name in services.INDICATOR_EDITABLE}
    form = IndicatorEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.indicator_update(
                actor=request.user, indicator=indicator, data=form.cleaned_data
            )
        except ValidationError as error:
            _errors_into(form, error)
        else:
            messages.success(request, _("The indicator was saved."))
            return redirect(indicator)
    return render(request, "impact/indicator_form.html", {"form": form, "indicator": indicator})


@login_required
def indicator_detail(request: HttpRequest, code: str) -> HttpResponse:
    indicator = get_object_or_404(Indicator, code=code)
    _require(request, "impact.view_indicator", indicator)
    periods = selectors.recent_programme_years(today=timezone.localdate())
    context: dict[str, Any] = {
        "indicator": indicator,
        "periods": periods,
        "figures": selectors.figures_for(user=request.user, indicator=indicator, periods=periods),
        "targets": selectors.targets_of(indicator=indicator)[:50],
        "change_log": selectors.change_log(indicator=indicator),
        "can_record": indicator.method == Indicator.Method.ENTERED
        and request.user.has_perm("impact.add_measurement"),
        "can_set_target": request.user.has_perm("impact.add_target"),
        "can_change": request.user.has_perm("impact.change_indicator", indicator),
    }
    if not indicator.is_computed:
        context.update(_page(request, selectors.measurements_of(indicator=indicator)))
    return render(request, "impact/indicator_detail.html", context)


# --------------------------------------------------------------------------- figures and targets


@login_required
def measurement_create(request: HttpRequest, code: str) -> HttpResponse:
    indicator = get_object_or_404(Indicator, code=code)
    _require(request, "impact.add_measurement")
    if indicator.method != Indicator.Method.ENTERED:
        raise PermissionDenied
    form = MeasurementForm(
        request.POST or None,
        scope_choices=selectors.scope_choices(user=request.user),
        organisations=selectors.acting_organisations(user=request.user),
        unit=indicator.unit,
    )
    if request.method == "POST" and form.is_valid():
        scope = _chosen_scope(request, form)
        if scope is not None:
            data = {k: v for k, v in form.cleaned_data.items() if k != "scope"}
            try:
                services.measurement_record(
                    actor=request.user, indicator=indicator, scope=scope, **data
                )
            except ValidationError as error:
                _errors_into(form, error)
            else:
                messages.success(request, _("The figure was recorded."))
                return redirect(indicator)
    return render(request, "impact/measurement_form.html", {"form": form, "indicator": indicator})


@login_required
def measurement_correct(request: HttpRequest, public_id: str) -> HttpResponse:
    measurement = get_object_or_404(
        Measurement.objects.select_related("indicator"), public_id=public_id
    )
    _require(request, "impact.change_measurement", measurement)
    initial = {
        "value": measurement.value,
        "base": measurement.base,
        "evidence": measurement.evidence,
        "evidence_url": measurement.evidence_url,
    }
    form = MeasurementCorrectForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.measurement_correct(
                actor=request.user, measurement=measurement, **form.cleaned_data
            )
        except ValidationError as error:
            _errors_into(form, error)
        else:
            messages.success(
                request, _("The figure was corrected; the old one is in the change log.")
            )
            return redirect(measurement.indicator)
    return render(
        request,
        "impact/measurement_form.html",
        {"form": form, "indicator": measurement.indicator, "measurement": measurement},
    )


@login_required
def target_create(request: HttpRequest, code: str) -> HttpResponse:
    indicator = get_object_or_404(Indicator, code=code)
    _require(request, "impact.add_target")
    return _target_form(request, indicator, None)


@login_required
def target_update(request: HttpRequest, public_id: str) -> HttpResponse:
    target = get_object_or_404(Target.objects.select_related("indicator"), public_id=public_id)
    _require(request, "impact.change_target", target)
    return _target_form(request, target.indicator, target)


def _target_form(request: HttpRequest, indicator: Indicator, target: Target | None) -> HttpResponse:
    initial = {}
    if target is not None:
        initial = {
            "scope": target.scope_key,
            "organisation": target.organisation,
            "period_start": target.period_start,
            "period_end": target.period_end,
            "value": target.value,
            "note": target.note,
        }
    form = TargetForm(
        request.POST or None,
        initial=initial,
        scope_choices=selectors.scope_choices(user=request.user),
        organisations=selectors.acting_organisations(user=request.user),
    )
    if request.method == "POST" and form.is_valid():
        scope = _chosen_scope(request, form)
        if scope is not None:
            data = {k: v for k, v in form.cleaned_data.items() if k != "scope"}
            try:
                services.target_set(actor=request.user, indicator=indicator, scope=scope, **data)
            except ValidationError as error:
                _errors_into(form, error)
            else:
                messages.success(request, _("The target was saved."))
                return redirect(indicator)
    return render(
        request, "impact/target_form.html", {"form": form, "indicator": indicator, "target": target}
    )


# --------------------------------------------------------------------------- comparisons


def _comparison_form(request: HttpRequest, data: Any) -> ComparisonForm:
    return ComparisonForm(
        data,
        indicators=Indicator.objects.filter(
            pk__in=[i.pk for i in comparing.indicators_with_lsoa_series()]
        ),
        neighbourhoods=Neighbourhood.objects.order_by("name"),
    )


def _comparison_request(cleaned: dict[str, Any]) -> comparing.ComparisonRequest:
    return comparing.ComparisonRequest(
        indicator=cleaned["indicator"],
        treated_codes=cleaned["treated_codes"],
        start_year=cleaned["start_year"],
        first_year=cleaned.get("first_year"),
        last_year=cleaned.get("last_year"),
        exclude_years=cleaned.get("exclude_year_list", ()),
        band_width=cleaned["band_width"],
        broad_class=cleaned["broad_class"],
        same_authority=cleaned["same_authority"],
        exclude_organised=cleaned["exclude_organised"],
    )


@login_required
def compare(request: HttpRequest) -> HttpResponse:
    _require(request, "impact.view_comparison")
    asked = "indicator" in request.GET
    form = _comparison_form(
        request,
        request.GET if asked else None,
    )
    if not asked:
        form.initial.update({"same_authority": True, "exclude_organised": True, "band_width": 1})
    context: dict[str, Any] = {"form": form, "result": None}
    if asked and form.is_valid():
        try:
            result = comparing.run(_comparison_request(form.cleaned_data))
        except comparing.ComparisonError as error:
            form.add_error(None, str(error))
        else:
            stored = comparing.result_as_json(result)
            context["result"] = stored
            context["chart"] = comparison_chart(
                stored,
                indicator=form.cleaned_data["indicator"].name,
                start_year=form.cleaned_data["start_year"],
                chart_id="chart-comparison",
            )
            context["years"] = _comparison_years(stored)
            if request.user.has_perm("impact.add_comparison"):
                context["save_form"] = ComparisonSaveForm(
                    organisations=selectors.acting_organisations(user=request.user),
                    initial={"title": _default_title(form.cleaned_data)},
                )
                context["hidden"] = [
                    (name, value) for name, values in request.GET.lists() for value in values
                ]
    return render(request, "impact/comparison_form.html", context)


def _default_title(cleaned: dict[str, Any]) -> str:
    place = cleaned.get("neighbourhood") or ", ".join(cleaned["treated_codes"][:3])
    return f"{cleaned['indicator'].name}: {place} from {cleaned['start_year']}"


def _comparison_years(result: dict[str, Any]) -> list[dict[str, Any]]:
    years = sorted(set(result["treated_means"]) | set(result["comparison_means"]), key=int)
    pre = {str(year) for year in result["pre_years"]}
    return [
        {
            "year": year,
            "treated": result["treated_means"].get(year),
            "comparison": result["comparison_means"].get(year),
            "before": year in pre,
        }
        for year in years
    ]


@login_required
@require_POST
def comparison_save(request: HttpRequest) -> HttpResponse:
    _require(request, "impact.add_comparison")
    form = _comparison_form(request, request.POST)
    save_form = ComparisonSaveForm(
        request.POST, organisations=selectors.acting_organisations(user=request.user)
    )
    if form.is_valid() and save_form.is_valid():
        organisation = save_form.cleaned_data["organisation"]
        _require(request, "impact.act_for_organisation", organisation)
        try:
            saved = services.comparison_save(
                actor=request.user,
                title=save_form.cleaned_data["title"],
                organisation=organisation,
                request=_comparison_request(form.cleaned_data),
                neighbourhood=form.cleaned_data.get("neighbourhood"),
            )
        except (comparing.ComparisonError, ValidationError) as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("The comparison was saved."))
            return redirect(saved)
    else:
        messages.error(
            request, _("The comparison could not be saved: check the title and choices.")
        )
    return redirect("impact:compare")


@login_required
def comparison_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    saved = get_object_or_404(
        Comparison.objects.select_related("indicator", "organisation", "neighbourhood"),
        public_id=public_id,
    )
    _require(request, "impact.view_comparison", saved)
    context = {
        "comparison": saved,
        "result": saved.result,
        "chart": comparison_chart(
            saved.result,
            indicator=saved.indicator.name,
            start_year=saved.start_year,
            chart_id="chart-comparison",
        ),
        "years": _comparison_years(saved.result),
    }
    return render(request, "impact/comparison_detail.html", context)


# --------------------------------------------------------------------------- reports


@login_required
def report_list(request: HttpRequest) -> HttpResponse:
    context = {
        **_page(request, selectors.report_list_visible_to(user=request.user)),
        "published": selectors.published_versions(),
        "can_add": request.user.has_perm("impact.add_report"),
    }
    return render(request, "impact/report_list.html", context)


@login_required
def report_create(request: HttpRequest) -> HttpResponse:
    _require(request, "impact.add_report")
    form = ReportForm(
        request.POST or None,
        scope_choices=selectors.scope_choices(user=request.user),
        organisations=selectors.acting_organisations(user=request.user),
    )
    if request.method == "POST" and form.is_valid():
        scope = _chosen_scope(request, form)
        if scope is not None:
            try:
                report = services.report_create(
                    actor=request.user,
                    title=form.cleaned_data["title"],
                    scope=scope,
                    organisation=form.cleaned_data["organisation"],
                    period_start=form.cleaned_data["period_start"],
                    period_end=form.cleaned_data["period_end"],
                )
            except ValidationError as error:
                _errors_into(form, error)
            else:
                messages.success(
                    request,
                    _(
                        "The draft report was made. Write the summary and lessons before publishing."
                    ),
                )
                return redirect(report)
    return render(request, "impact/report_form.html", {"form": form, "report": None})


def _report(public_id: str) -> Report:
    return get_object_or_404(
        Report.objects.select_related(
            "organisation",
            "for_programme",
            "for_organisation",
            "for_neighbourhood",
            "for_authority",
        ),
        public_id=public_id,
    )


@login_required
def report_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    report = _report(public_id)
    _require(request, "impact.view_report", report)
    snapshot = build_snapshot(report)
    can_change = request.user.has_perm("impact.change_report", report)
    narrative = [
        {
            "kind": section.kind,
            "heading": section.heading,
            "body": section.body,
            "edit_url": reverse("impact:section_edit", args=[report.public_id, section.pk])
            if can_change
            else "",
            "delete_url": reverse("impact:section_delete", args=[report.public_id, section.pk])
            if can_change
            else "",
        }
        for section in report.sections.all()
    ]
    context = {
        "report": report,
        "snapshot": snapshot,
        "charts": report_charts(snapshot),
        "narrative": narrative,
        "versions": selectors.versions_of(report=report),
        "change_log": selectors.report_change_log(report=report),
        "can_change": can_change,
        "can_publish": request.user.has_perm("impact.publish_report", report),
    }
    return render(request, "impact/report_detail.html", context)


@login_required
def report_edit(request: HttpRequest, public_id: str) -> HttpResponse:
    report = _report(public_id)
    _require(request, "impact.change_report", report)
    form = ReportEditForm(
        request.POST or None,
        comparisons=selectors.comparisons_visible_to(user=request.user),
        initial={
            "title": report.title,
            "period_start": report.period_start,
            "period_end": report.period_end,
            "comparisons": list(report.comparisons.all()),
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.report_update(actor=request.user, report=report, **form.cleaned_data)
        except ValidationError as error:
            _errors_into(form, error)
        else:
            messages.success(request, _("The report was saved."))
            return redirect(report)
    return render(request, "impact/report_form.html", {"form": form, "report": report})


@login_required
def section_edit(
    request: HttpRequest, public_id: str, section_id: int | None = None
) -> HttpResponse:
    report = _report(public_id)
    _require(request, "impact.change_report", report)
    section = None
    if section_id is not None:
        section = get_object_or_404(ReportSection, pk=section_id, report=report)
    initial = {"heading": section.heading, "body": section.body} if section else {}
    form = SectionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.report_section_save(
                actor=request.user, report=report, section=section, **form.cleaned_data
            )
        except ValidationError as error:
            _errors_into(form, error)
        else:
            messages.success(request, _("The section was saved."))
            return redirect(report)
    return render(
        request, "impact/section_form.html", {"form": form, "report": report, "section": section}
    )


@login_required
def section_delete(request: HttpRequest, public_id: str, section_id: int) -> HttpResponse:
    report = _report(public_id)
    _require(request, "impact.change_report", report)
    section = get_object_or_404(ReportSection, pk=section_id, report=report)
    if request.method == "POST":
        services.report_section_remove(actor=request.user, section=section)
        messages.success(request, _("The section was removed."))
        return redirect(report)
    return render(request, "impact/section_delete.html", {"report": report, "section": section})


@login_required
def report_publish(request: HttpRequest, public_id: str) -> HttpResponse:
    report = _report(public_id)
    _require(request, "impact.publish_report", report)
    form = PublishForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            version = services.report_publish(
                actor=request.user, report=report, change_note=form.cleaned_data["change_note"]
            )
        except ValidationError as error:
            _errors_into(form, error)
        else:
            messages.success(
                request,
                _("Version %(number)s was published. Its PDF is being made.")
                % {"number": version.number},
            )
            return redirect(version)
    return render(
        request,
        "impact/report_publish.html",
        {"form": form, "report": report, "next_number": report.versions.count() + 1},
    )


def _version(public_id: str, number: int) -> ReportVersion:
    return get_object_or_404(
        ReportVersion.objects.select_related("report").defer("pdf"),
        report__public_id=public_id,
        number=number,
    )


def version_detail(request: HttpRequest, public_id: str, number: int) -> HttpResponse:
    """A published version: open to everyone, signed in or not."""
    version = _version(public_id, number)
    _require(request, "impact.view_reportversion", version)
    latest = version.report.versions.order_by("-number").values_list("number", flat=True).first()
    context = {
        "version": version,
        "report": version.report,
        "snapshot": version.snapshot,
        "charts": report_charts(version.snapshot),
        "latest_number": latest,
        "has_pdf": ReportVersion.objects.filter(pk=version.pk, pdf__isnull=False).exists(),
        "can_view_draft": request.user.has_perm("impact.view_report", version.report),
    }
    return render(request, "impact/report_version.html", context)


def version_pdf(request: HttpRequest, public_id: str, number: int) -> HttpResponse:
    version = get_object_or_404(
        ReportVersion.objects.select_related("report"), report__public_id=public_id, number=number
    )
    _require(request, "impact.view_reportversion", version)
    if version.pdf is None:
        return render(
            request,
            "impact/pdf_pending.html",
            {"version": version, "report": version.report},
            status=202,
        )
    name = f"{slugify(version.snapshot['title'])[:80] or 'impact-report'}-v{version.number}.pdf"
    response = HttpResponse(bytes(version.pdf), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{name}"'
    return response


def version_figures(request: HttpRequest, public_id: str, number: int, fmt: str) -> HttpResponse:
    version = _version(public_id, number)
    _require(request, "impact.view_reportversion", version)
    return _figures_response([version], fmt, f"impact-report-{version.report.public_id}-v{number}")


# --------------------------------------------------------------------------- open data


def open_data(request: HttpRequest) -> HttpResponse:
    context = {
        "versions": selectors.published_versions(),
        "dictionary": opendata.dictionary(),
    }
    return render(request, "impact/open_data.html", context)


def open_data_figures(request: HttpRequest, fmt: str) -> HttpResponse:
    return _figures_response(list(selectors.published_versions()), fmt, "impact-figures")


def open_data_dictionary(request: HttpRequest) -> HttpResponse:
    response = JsonResponse(
        opendata.dictionary(), json_dumps_params={"indent": 2, "ensure_ascii": False}
    )
    response["Content-Disposition"] = 'inline; filename="impact-data-dictionary.json"'
    return response


def _figures_response(versions: list[ReportVersion], fmt: str, stem: str) -> HttpResponse:
    if fmt == "csv":
        response = StreamingHttpResponse(
            opendata.csv_lines(opendata.rows_for(versions)), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="{stem}.csv"'
        return response
    if fmt == "json":
        response = HttpResponse(
            json.dumps(opendata.json_document(versions), indent=2, ensure_ascii=False),
            content_type="application/json",
        )
        response["Content-Disposition"] = f'inline; filename="{stem}.json"'
        return response
    raise Http404
