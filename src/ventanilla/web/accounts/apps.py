from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "ventanilla.web.accounts"
    label = "accounts"

    def ready(self) -> None:
        from ventanilla.web.accounts import language, sign_in_log

        sign_in_log.connect()
        language.connect()
