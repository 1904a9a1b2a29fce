"""A view restriction changes what the public may see: a new generation."""

import pytest
from wagtail.models import PageViewRestriction

from cms.caching import generation_get
from cms.models import ArticlePage

pytestmark = pytest.mark.django_db


def test_a_view_restriction_added_or_removed_starts_a_new_generation():
    page = ArticlePage.objects.live().first()
    before = generation_get()
    restriction = PageViewRestriction.objects.create(
        page=page, restriction_type=PageViewRestriction.LOGIN
    )
    assert generation_get().value > before.value
    middle = generation_get()
    restriction.delete()
    assert generation_get().value > middle.value
