from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "ventanilla.audit"
    label = "audit"
