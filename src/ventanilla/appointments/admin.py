"""Offices are configuration without personal data: their desks, the services they give by
appointment (slot length, citizens per slot) and their opening hours are set up here, each change
audited with its new values (``ventanilla.access.admin_audit``). Appointments themselves are
personal data and are worked on in the console, not here."""

from django.contrib import admin

from ventanilla.appointments.models import Desk, Office, OfficeService, OpeningHours


class DeskInline(admin.TabularInline[Desk, Office]):
    model = Desk
    extra = 1


class OfficeServiceInline(admin.TabularInline[OfficeService, Office]):
    model = OfficeService
    extra = 1
    autocomplete_fields = ["service"]


class OpeningHoursInline(admin.TabularInline[OpeningHours, Office]):
    model = OpeningHours
    extra = 1


@admin.register(Office)
class OfficeAdmin(admin.ModelAdmin[Office]):
    audit_reads = False
    list_display = ["name", "code", "agency", "address", "active"]
    list_filter = ["active", "agency"]
    search_fields = ["code", "name", "address"]
    inlines = [DeskInline, OfficeServiceInline, OpeningHoursInline]
