from django.contrib import admin

from commonground.core.admin import AuditedAdmin

from .models import Agreement, Commitment, Organisation, Organiser, Programme, TrainingRecord


@admin.register(Organisation)
class OrganisationAdmin(AuditedAdmin):
    list_display = ["name", "kind", "org_id", "authority"]
    list_filter = ["kind"]
    search_fields = ["name", "org_id"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Programme)
class ProgrammeAdmin(AuditedAdmin):
    list_display = ["name", "council", "starts_on", "ends_on"]
    filter_horizontal = ["organisations"]
    prepopulated_fields = {"slug": ["name"]}


class TrainingInline(admin.TabularInline):
    model = TrainingRecord
    extra = 0


@admin.register(Organiser)
class OrganiserAdmin(AuditedAdmin):
    """Supervision notes are deliberately absent: only the organiser and their host's managers read them."""

    list_display = ["full_name", "host", "programme", "stage", "placement_starts_on"]
    list_filter = ["stage", "host", "kind"]
    search_fields = ["full_name"]
    filter_horizontal = ["neighbourhoods"]
    inlines = [TrainingInline]


class CommitmentInline(admin.TabularInline):
    model = Commitment
    extra = 0


@admin.register(Agreement)
class AgreementAdmin(AuditedAdmin):
    list_display = ["title", "programme", "status", "signed_on"]
    filter_horizontal = ["parties"]
    inlines = [CommitmentInline]
