from __future__ import annotations

from django.contrib import admin

from .models import AcceptedPatch, AuthorityAdjacency, Scenario


@admin.register(Scenario)
class ScenarioAdmin(admin.ModelAdmin):
    list_display = ["__str__", "authority", "status", "saved_at", "created_by", "created_at"]
    list_filter = ["status", "authority"]
    search_fields = ["name"]
    readonly_fields = ["public_id", "parameters", "results", "created_at", "updated_at"]


@admin.register(AcceptedPatch)
class AcceptedPatchAdmin(admin.ModelAdmin):
    list_display = ["scenario", "patch_number", "neighbourhood", "accepted_by", "created_at"]


@admin.register(AuthorityAdjacency)
class AuthorityAdjacencyAdmin(admin.ModelAdmin):
    list_display = ["authority", "lsoa_count", "source_updated_at", "updated_at"]
    readonly_fields = ["neighbours"]
