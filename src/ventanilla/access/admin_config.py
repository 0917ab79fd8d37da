"""Django's admin, installed on a site that asks staff for their second factor like the
console (its own module: an admin AppConfig in apps.py would be taken for the access app's)."""

from django.contrib.admin.apps import AdminConfig


class StaffAdminConfig(AdminConfig):
    default_site = "ventanilla.access.admin_site.StaffAdminSite"

    def ready(self) -> None:
        super().ready()  # discovers every app's admin module
        # Then every model admin, whichever app registered it, records its changes (and its
        # readings of personal data) in the audit log.
        from django.contrib import admin

        from ventanilla.access.admin_audit import audit_every_admin

        audit_every_admin(admin.site)
