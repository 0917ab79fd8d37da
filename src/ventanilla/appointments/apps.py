from django.apps import AppConfig


class AppointmentsConfig(AppConfig):
    name = "ventanilla.appointments"
    label = "appointments"
