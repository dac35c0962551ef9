from typing import Any

from django.contrib import admin
from django.db import transaction

from .audit import audit_record
from .models import AuditEvent


class AuditedAdmin(admin.ModelAdmin):
    """Changes made in the Django admin are audited like any other write."""

    def save_model(self, request: Any, obj: Any, form: Any, change: bool) -> None:
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            action = "change" if change else "add"
            audit_record(
                actor=request.user,
                action=f"admin.{action}",
                obj=obj,
                changes={"fields": list(form.changed_data)},
            )

    def delete_model(self, request: Any, obj: Any) -> None:
        with transaction.atomic():
            audit_record(actor=request.user, action="admin.delete", obj=obj)
            super().delete_model(request, obj)

    def delete_queryset(self, request: Any, queryset: Any) -> None:
        with transaction.atomic():
            for obj in queryset:
                audit_record(actor=request.user, action="admin.delete", obj=obj)
            super().delete_queryset(request, queryset)


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: the audit trail is evidence and is never edited by hand."""

    list_display = ["at", "actor_label", "action", "object_type", "object_repr", "source"]
    list_filter = ["action", "object_type"]
    search_fields = ["actor_label", "object_repr", "object_id"]
    date_hierarchy = "at"

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
