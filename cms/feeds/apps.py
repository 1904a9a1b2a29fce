from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FeedsConfig(AppConfig):
    """RSS, Atom and JSON Feed for partners, and the content generation that
    every cached list and feed response is keyed on (``cms.caching``)."""

    name = "cms.feeds"
    label = "tsunagu_feeds"
    verbose_name = _("Feeds")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import signal_handlers  # noqa: F401
