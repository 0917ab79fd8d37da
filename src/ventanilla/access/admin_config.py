"""Django's admin, installed on a site that asks staff for their second factor like the
console (its own module: an admin AppConfig in apps.py would be taken for the access app's)."""

from django.contrib.admin.apps import AdminConfig


class StaffAdminConfig(AdminConfig):
    default_site = "ventanilla.access.admin_site.StaffAdminSite"
