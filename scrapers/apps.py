from django.apps import AppConfig


class ScrapersConfig(AppConfig):
    name = "scrapers"
    default_auto_field = "django.db.models.BigAutoField"
