from django.apps import AppConfig


class ChannelsConfig(AppConfig):
    name = "ventanilla.channels"
    label = "channels"

    def ready(self) -> None:
        from ventanilla.channels import sign_in_log

        sign_in_log.connect()
