from django.apps import AppConfig


class ConsentConfig(AppConfig):
    name = "ventanilla.consent"
    label = "consent"
