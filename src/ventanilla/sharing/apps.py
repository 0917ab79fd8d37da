from django.apps import AppConfig


class SharingConfig(AppConfig):
    name = "ventanilla.sharing"
    label = "sharing"
