from django.apps import AppConfig


class ClassifierConfig(AppConfig):
    name = "ventanilla.classifier"
    label = "classifier"
