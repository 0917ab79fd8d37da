from django.apps import AppConfig


class AccessConfig(AppConfig):
    name = "ventanilla.access"
    label = "access"
