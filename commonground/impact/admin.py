from typing import Any

from django.contrib import admin

from commonground.core.admin import AuditedAdmin

from .models import Comparison, Indicator, Measurement, Report, ReportSection, ReportVersion, Target


@admin.register(Indicator)
class IndicatorAdmin(AuditedAdmin):
    list_display = ["name", "code", "unit", "method", "is_active"]
    list_filter = ["method", "is_active"]
    search_fields = ["name", "code"]

    def get_readonly_fields(self, request: Any, obj: Any = None) -> list[str]:
        """The code and method never change once made: returns and reports rely on them."""
        return ["code", "method"] if obj is not None else []


@admin.register(Measurement)
class MeasurementAdmin(AuditedAdmin):
    list_display = ["indicator", "scope_key", "period_start", "period_end", "value", "source"]
    list_filter = ["indicator", "source"]
    search_fields = ["scope_key"]
    raw_id_fields = [
        "for_programme",
        "for_organisation",
        "for_authority",
        "for_ward",
        "for_neighbourhood",
        "for_lsoa",
    ]


@admin.register(Target)
class TargetAdmin(AuditedAdmin):
    list_display = ["indicator", "scope_key", "period_start", "period_end", "value"]
    list_filter = ["indicator"]


@admin.register(Comparison)
class ComparisonAdmin(AuditedAdmin):
    list_display = ["title", "indicator", "organisation", "start_year", "created_at"]
    readonly_fields = ["result"]


class SectionInline(admin.StackedInline):
    model = ReportSection
    extra = 0


@admin.register(Report)
class ReportAdmin(AuditedAdmin):
    list_display = ["title", "organisation", "scope_key", "period_start", "period_end", "status"]
    list_filter = ["status"]
    inlines = [SectionInline]


@admin.register(ReportVersion)
class ReportVersionAdmin(admin.ModelAdmin):
    """Published versions are frozen: the admin shows them and changes nothing."""

    list_display = ["report", "number", "published_at", "pdf_pages"]
    readonly_fields = [
        "report",
        "number",
        "snapshot",
        "change_note",
        "published_at",
        "published_by",
    ]
    exclude = ["pdf"]

    def has_add_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False
