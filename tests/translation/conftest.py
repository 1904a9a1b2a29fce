"""Fixtures for the translation stage: the in-memory backend and drafts."""

import itertools

import pytest
from django.test import override_settings
from wagtail.models import Locale

from cms.models import ArticlePage, OfficePage
from translation.backends import backend_get

_slugs = itertools.count(1)

PARAGRAPHS = [
    "La ville de Lyon ouvre un centre pour les résidents étrangers.",
    "Le centre propose des cours de français et une aide administrative.",
    "Les écoles de la métropole accueillent des élèves de 40 pays.",
    "Un jumelage avec une ville japonaise est à l'étude.",
]


@pytest.fixture
def memory_backend():
    """The in-memory translation service, clean for each test."""
    with override_settings(
        TSUNAGU_TRANSLATION={"BACKEND": "memory", "FORMALITY": "prefer_more"}
    ):
        backend = backend_get()
        backend.reset()
        yield backend
        backend.reset()


def french_draft(*, paragraphs=None, title="Lyon accueille les nouveaux arrivants"):
    """A French article draft in the Paris office's section, as the scrapers
    make them (never published)."""
    fr = Locale.objects.get(language_code="fr")
    section = OfficePage.objects.get(office__code="par", locale=fr)
    page = ArticlePage(
        title=title,
        slug=f"test-article-{next(_slugs)}",
        live=False,
        summary="Un centre pour les résidents étrangers.",
        body="".join(f"<p>{text}</p>" for text in paragraphs or PARAGRAPHS),
        office=section.office,
        source_name="Ville de Lyon",
        source_url="https://www.lyon.fr/actualite/centre",
        original_language="fr",
    )
    section.add_child(instance=page)
    page.save_revision()
    return page


@pytest.fixture
def draft(db):
    return french_draft()
