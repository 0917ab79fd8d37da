from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DebatesConfig(AppConfig):
    name = "ventanilla.debates"
    verbose_name = _("Debates")

    def ready(self) -> None:
        from ventanilla.debates import subjects

        subjects.register_debates()
