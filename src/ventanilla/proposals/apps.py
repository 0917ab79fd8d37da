from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProposalsConfig(AppConfig):
    name = "ventanilla.proposals"
    verbose_name = _("Citizen proposals")

    def ready(self) -> None:
        from ventanilla.proposals import subjects

        subjects.register_proposals()
