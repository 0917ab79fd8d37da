from django.apps import AppConfig


class Citizen360Config(AppConfig):
    name = "ventanilla.citizen360"
    label = "citizen360"
