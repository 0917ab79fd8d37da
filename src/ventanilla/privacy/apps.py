from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "ventanilla.privacy"
    label = "privacy"
