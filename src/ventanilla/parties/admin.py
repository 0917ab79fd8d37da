"""Parties in the admin are for administrators fixing reference problems; day-to-day work on
personal data goes through the console and the API, where every read is scoped."""

from django.contrib import admin

from ventanilla.parties.models import ContactPoint, Identifier, Party, Representation


class IdentifierInline(admin.TabularInline[Identifier, Party]):
    model = Identifier
    extra = 0


class ContactPointInline(admin.TabularInline[ContactPoint, Party]):
    model = ContactPoint
    extra = 0
    exclude = ["normalized"]


@admin.register(Party)
class PartyAdmin(admin.ModelAdmin[Party]):
    list_display = ["sort_name", "kind", "status", "birth_date"]
    list_filter = ["kind", "status"]
    readonly_fields = ["sort_name", "merged_into"]
    inlines = [IdentifierInline, ContactPointInline]
    show_full_result_count = False

    def has_add_permission(self, request: object) -> bool:
        # Parties are created through the service, which validates and indexes them.
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False


@admin.register(Representation)
class RepresentationAdmin(admin.ModelAdmin[Representation]):
    list_display = ["representative", "kind", "represented", "valid_from", "valid_until"]
    raw_id_fields = ["representative", "represented"]
