from django.apps import AppConfig


class PartiesConfig(AppConfig):
    name = "ventanilla.parties"
    label = "parties"
