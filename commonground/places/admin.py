from django.contrib import admin

from commonground.core.admin import AuditedAdmin

from .models import GpPractice, LocalAuthority, Lsoa, Neighbourhood, Ward


@admin.register(LocalAuthority)
class LocalAuthorityAdmin(AuditedAdmin):
    list_display = ["code", "name"]
    search_fields = ["code", "name"]
    exclude = ["boundary"]


@admin.register(Ward)
class WardAdmin(AuditedAdmin):
    list_display = ["code", "name", "authority", "boundary_source"]
    search_fields = ["code", "name"]
    exclude = ["boundary"]


@admin.register(Lsoa)
class LsoaAdmin(AuditedAdmin):
    list_display = ["code", "name", "authority", "population", "imd_decile", "is_new_community"]
    list_filter = ["imd_decile", "is_new_community"]
    search_fields = ["code", "name"]
    list_select_related = ["authority"]
    exclude = ["boundary"]
    raw_id_fields = ["authority", "ward"]


@admin.register(Neighbourhood)
class NeighbourhoodAdmin(AuditedAdmin):
    list_display = ["name", "authority"]
    search_fields = ["name"]
    raw_id_fields = ["lsoas"]


@admin.register(GpPractice)
class GpPracticeAdmin(AuditedAdmin):
    list_display = ["code", "name", "postcode", "lsoa", "has_community_connector"]
    list_filter = ["has_community_connector", "is_active"]
    search_fields = ["code", "name", "postcode"]
    raw_id_fields = ["lsoa", "authority"]
