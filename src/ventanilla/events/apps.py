from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "ventanilla.events"
    label = "events"
