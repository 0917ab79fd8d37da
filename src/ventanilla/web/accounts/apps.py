from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "ventanilla.web.accounts"
    label = "accounts"

    def ready(self) -> None:
        from ventanilla.web.accounts import sign_in_log

        sign_in_log.connect()
