from django.contrib import admin

from .models import ConversationTag, HouseMeeting, TaggerModel, Theme


@admin.register(Theme)
class ThemeAdmin(admin.ModelAdmin):
    list_display = ["name", "parent", "slug", "origin", "is_active"]
    list_filter = ["origin", "is_active"]
    search_fields = ["name", "slug"]


@admin.register(TaggerModel)
class TaggerModelAdmin(admin.ModelAdmin):
    list_display = ["version", "status", "training_size", "macro_f1", "micro_f1", "created_at"]
    readonly_fields = [field.name for field in TaggerModel._meta.fields]

    def has_add_permission(self, request: object) -> bool:
        return False


@admin.register(ConversationTag)
class ConversationTagAdmin(admin.ModelAdmin):
    list_display = ["conversation", "theme", "status", "source", "confidence", "model_version"]
    list_filter = ["status", "source"]
    raw_id_fields = ["conversation", "person", "tagger"]

    # Tags change through the review pages so that the area counts move with them.
    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: object, obj: object = None) -> bool:
        return False


@admin.register(HouseMeeting)
class HouseMeetingAdmin(admin.ModelAdmin):
    list_display = ["title", "host", "theme", "meets_at"]
    raw_id_fields = ["created_by"]
