from django.contrib import admin

from commonground.core.admin import AuditedAdmin

from .models import (
    Application,
    Assignment,
    Criterion,
    Fund,
    FundraisingBid,
    FundTheme,
    Grant,
    Milestone,
    MonitoringReturn,
    PastGrant,
    PastGrantImport,
    Payment,
    PostFunding,
    Round,
    Variation,
)


class CriterionInline(admin.TabularInline):
    model = Criterion
    extra = 0


class ThemeInline(admin.TabularInline):
    model = FundTheme
    extra = 0


@admin.register(Fund)
class FundAdmin(AuditedAdmin):
    list_display = ["name", "code", "council", "source", "amount"]
    inlines = [ThemeInline, CriterionInline]
    readonly_fields = ["public_id"]


@admin.register(Round)
class RoundAdmin(AuditedAdmin):
    list_display = ["name", "fund", "opens_on", "closes_on"]
    list_select_related = ["fund"]


@admin.register(Application)
class ApplicationAdmin(AuditedAdmin):
    list_display = ["title", "reference", "applicant", "round", "status"]
    list_filter = ["status"]
    list_select_related = ["applicant", "round__fund"]
    search_fields = ["title", "reference", "applicant__name"]
    raw_id_fields = ["applicant", "round", "ward", "theme"]


@admin.register(Assignment)
class AssignmentAdmin(AuditedAdmin):
    list_display = ["application", "assessor", "interest", "submitted_at"]
    raw_id_fields = ["application", "assessor"]


class MilestoneInline(admin.TabularInline):
    model = Milestone
    extra = 0


class PaymentInline(admin.TabularInline):
    model = Payment
    extra = 0


@admin.register(Grant)
class GrantAdmin(AuditedAdmin):
    list_display = ["reference", "title", "recipient", "fund", "amount_awarded", "status"]
    list_filter = ["status", "fund"]
    list_select_related = ["recipient", "fund"]
    search_fields = ["reference", "title", "recipient__name"]
    raw_id_fields = ["recipient", "application", "ward"]
    inlines = [MilestoneInline, PaymentInline]


@admin.register(MonitoringReturn)
class MonitoringReturnAdmin(AuditedAdmin):
    list_display = ["grant", "period_start", "period_end", "spend"]
    raw_id_fields = ["grant"]


@admin.register(Variation)
class VariationAdmin(AuditedAdmin):
    list_display = ["grant", "kind", "status"]
    raw_id_fields = ["grant"]


@admin.register(FundraisingBid)
class FundraisingBidAdmin(AuditedAdmin):
    list_display = ["title", "host", "funder_name", "status", "deadline"]
    list_filter = ["status"]


@admin.register(PostFunding)
class PostFundingAdmin(AuditedAdmin):
    list_display = ["organiser", "share_percent", "starts_on", "ends_on"]
    raw_id_fields = ["organiser", "bid", "grant"]


@admin.register(PastGrantImport)
class PastGrantImportAdmin(AuditedAdmin):
    list_display = ["file_name", "grant_count", "created_at"]
    readonly_fields = ["problems"]


@admin.register(PastGrant)
class PastGrantAdmin(AuditedAdmin):
    list_display = ["identifier", "funder_name", "recipient_name", "amount_awarded", "award_date"]
    search_fields = ["identifier", "recipient_name", "title"]
    raw_id_fields = ["batch"]
