from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SearchIndexConfig(AppConfig):
    name = "cms.search"
    label = "tsunagu_search"
    verbose_name = _("Search index")
    default_auto_field = "django.db.models.BigAutoField"
