from django.apps import AppConfig


class IdentityConfig(AppConfig):
    name = "ventanilla.identity"
    label = "identity"
