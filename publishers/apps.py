from django.apps import AppConfig


class PublishersConfig(AppConfig):
    name = "publishers"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import signal_handlers

        signal_handlers.connect()
