"""Administration of the action app's reference data. Residents' involvement in groups is left out:
only the host's organisers see who is in a group."""

from django.contrib import admin

from commonground.core.admin import AuditedAdmin

from .models import (
    Forum,
    Group,
    Idea,
    Matter,
    MatterCategory,
    Project,
    RoutingDefault,
    RoutingRule,
    ToolkitEntry,
)


@admin.register(MatterCategory)
class MatterCategoryAdmin(AuditedAdmin):
    list_display = ["theme", "service_code", "target_days", "group", "is_active"]
    list_filter = ["is_active", "group"]
    search_fields = ["theme__name", "service_code"]


@admin.register(RoutingRule)
class RoutingRuleAdmin(AuditedAdmin):
    list_display = ["council", "category", "area_label", "partner", "team", "priority", "is_active"]
    list_filter = ["council", "partner", "is_active"]
    raw_id_fields = ["lsoa", "ward", "neighbourhood", "owner"]


@admin.register(RoutingDefault)
class RoutingDefaultAdmin(AuditedAdmin):
    list_display = ["council", "authority", "organisation", "team", "owner"]


@admin.register(Matter)
class MatterAdmin(AuditedAdmin):
    list_display = ["title", "category", "routed_to", "status", "raised_at", "due_at", "is_public"]
    list_filter = ["status", "source", "is_public", "routed_to"]
    search_fields = ["title"]
    raw_id_fields = [
        "lsoa",
        "ward",
        "neighbourhood",
        "authority",
        "raised_by",
        "owner",
        "merged_into",
    ]
    exclude = ["conversations"]


@admin.register(Group)
class GroupAdmin(AuditedAdmin):
    list_display = ["name", "kind", "host", "neighbourhood", "is_published"]
    list_filter = ["kind", "is_published"]
    search_fields = ["name"]
    filter_horizontal = ["supporting_organisations", "themes"]


@admin.register(Project)
class ProjectAdmin(AuditedAdmin):
    list_display = ["title", "host", "neighbourhood", "status", "sustainability", "is_public"]
    list_filter = ["status", "sustainability"]
    search_fields = ["title"]
    exclude = ["conversations"]
    filter_horizontal = ["themes", "toolkit_entries"]


@admin.register(Forum)
class ForumAdmin(AuditedAdmin):
    list_display = ["name", "council", "authority", "is_public"]
    filter_horizontal = ["neighbourhoods", "wards"]


@admin.register(Idea)
class IdeaAdmin(AuditedAdmin):
    list_display = ["title", "status", "council", "response_due_on", "yearly_saving_estimated"]
    list_filter = ["status"]
    search_fields = ["title"]
    exclude = ["conversations"]


@admin.register(ToolkitEntry)
class ToolkitEntryAdmin(AuditedAdmin):
    list_display = ["title", "kind", "is_published"]
    list_filter = ["kind", "is_published"]
    search_fields = ["title", "summary"]
