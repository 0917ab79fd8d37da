from django.apps import AppConfig


class InteractionsConfig(AppConfig):
    name = "ventanilla.interactions"
    label = "interactions"
