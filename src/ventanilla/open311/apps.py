from django.apps import AppConfig


class Open311Config(AppConfig):
    name = "ventanilla.open311"
    label = "open311"
