from django.apps import AppConfig


class MergingConfig(AppConfig):
    name = "ventanilla.merging"
    label = "merging"
