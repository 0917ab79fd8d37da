from django.contrib import admin

from ventanilla.catalog.models import Agency, Channel, LifeEvent, PublicService


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin[Agency]):
    list_display = ["code", "name_es", "kind", "path"]
    search_fields = ["code", "name_es", "name_en"]
    readonly_fields = ["path"]


@admin.register(Channel)
class ChannelAdmin(admin.ModelAdmin[Channel]):
    list_display = ["code", "name_es", "name_en", "assisted"]


@admin.register(LifeEvent)
class LifeEventAdmin(admin.ModelAdmin[LifeEvent]):
    list_display = ["code", "name_es", "kind"]
    search_fields = ["code", "name_es", "name_en"]


@admin.register(PublicService)
class PublicServiceAdmin(admin.ModelAdmin[PublicService]):
    list_display = ["code", "name_es", "department", "deadline_days", "active"]
    list_filter = ["active", "department"]
    search_fields = ["code", "name_es", "name_en"]
    filter_horizontal = ["channels", "life_events"]
