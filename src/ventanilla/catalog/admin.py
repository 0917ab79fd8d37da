"""The catalogue is configuration without personal data: agencies, channels, life events, public
services and holidays are edited here. Every change is recorded in the audit log with its new
values (``ventanilla.access.admin_audit``); the lists and pages are not readings of anyone's
data."""

from django.contrib import admin

from ventanilla.catalog.models import Agency, Channel, Holiday, LifeEvent, PublicService


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin[Agency]):
    audit_reads = False
    list_display = ["code", "name_es", "kind", "path"]
    search_fields = ["code", "name_es", "name_en"]
    readonly_fields = ["path"]


@admin.register(Channel)
class ChannelAdmin(admin.ModelAdmin[Channel]):
    audit_reads = False
    list_display = ["code", "name_es", "name_en", "assisted"]


@admin.register(LifeEvent)
class LifeEventAdmin(admin.ModelAdmin[LifeEvent]):
    audit_reads = False
    list_display = ["code", "name_es", "kind", "position"]
    list_editable = ["position"]
    search_fields = ["code", "name_es", "name_en"]


@admin.register(PublicService)
class PublicServiceAdmin(admin.ModelAdmin[PublicService]):
    audit_reads = False
    list_display = ["code", "name_es", "department", "deadline_days", "active"]
    list_filter = ["active", "department"]
    search_fields = ["code", "name_es", "name_en"]
    filter_horizontal = ["channels", "life_events"]


@admin.register(Holiday)
class HolidayAdmin(admin.ModelAdmin[Holiday]):
    """A department's calendar is its own days off and those of every agency above it."""

    audit_reads = False
    list_display = ["date", "name_es", "agency"]
    list_filter = ["agency"]
    list_select_related = ["agency"]
    date_hierarchy = "date"
