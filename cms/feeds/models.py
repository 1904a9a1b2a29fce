"""The content generation: one row, bumped whenever public content changes.

It lives in the database, not in the cache: the web process, the worker and
the scheduler (which runs scheduled publishing) share no local-memory cache,
and a bump written in the publishing transaction becomes visible exactly when
the content it announces does (see ``cms.caching``).
"""

import secrets

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

GENERATION_ROW = 1


def generation_token() -> str:
    return secrets.token_hex(8)


class ContentGeneration(models.Model):
    """``value`` counts changes for people; ``token`` is what cache keys use.

    A random token, not the count: a database restored from a backup (or a
    test's rolled-back transaction) goes back to an old count while a shared
    cache still holds responses keyed on it.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=GENERATION_ROW)
    value = models.BigIntegerField(_("generation"), default=0)
    token = models.CharField(_("token"), max_length=32, default=generation_token)
    changed_at = models.DateTimeField(_("changed at"), default=timezone.now)

    class Meta:
        verbose_name = _("content generation")

    def __str__(self) -> str:
        return f"{self.value} ({self.changed_at:%Y-%m-%d %H:%M:%S})"
