from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LoopsConfig(AppConfig):
    name = "ventanilla.loops"
    verbose_name = _("From complaints to participation")
