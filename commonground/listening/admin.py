"""Only reference tables are in the Django admin. Residents and conversations are not: the admin would
bypass the host boundary and the audit of every view of personal data."""

from django.contrib import admin

from commonground.core.admin import AuditedAdmin

from .models import Postcode, Street


@admin.register(Postcode)
class PostcodeAdmin(AuditedAdmin):
    list_display = ["code", "lsoa", "source"]
    list_filter = ["source"]
    search_fields = ["code"]
    raw_id_fields = ["lsoa"]


@admin.register(Street)
class StreetAdmin(AuditedAdmin):
    list_display = ["name", "locality", "lsoa", "is_synthetic"]
    search_fields = ["name", "locality"]
    raw_id_fields = ["lsoa"]
