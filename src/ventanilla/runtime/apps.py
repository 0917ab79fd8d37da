from django.apps import AppConfig


class RuntimeConfig(AppConfig):
    name = "ventanilla.runtime"
    label = "runtime"
