from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "ventanilla.demo"
    label = "demo"
