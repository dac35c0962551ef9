"""Data-sharing agreements are read-only in the admin: they are made and ended by the providing host's
managers through the site, so every change is checked and audited the same way. Consent records are
not in the admin at all; they belong with the resident they describe."""

from django.contrib import admin

from .models import DataSharingAgreement


@admin.register(DataSharingAgreement)
class DataSharingAgreementAdmin(admin.ModelAdmin):
    list_display = ["title", "provider", "status", "starts_on", "ends_on"]
    list_filter = ["status"]

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: object, obj: object = None) -> bool:
        return False
