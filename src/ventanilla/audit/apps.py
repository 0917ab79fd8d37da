from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "ventanilla.audit"
    label = "audit"

    def ready(self) -> None:
        from django.core import checks

        from ventanilla.audit.checks import sink_configured

        checks.register(sink_configured, checks.Tags.security, deploy=False)
