"""The admin's e-mails reach Japanese editors in Japanese: Wagtail's review
notifications (submitted, approved, rejected) of the Translation review
workflow, read with the same rules as the admin's screens."""

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from wagtail.models import Locale

from cms.models import ArticlePage

from .admin_text import english_left
from .test_admin_japanese import _user_data

pytestmark = pytest.mark.django_db


def _english_in_outbox() -> dict[str, list[str]]:
    data = _user_data()
    found = {}
    for message in mail.outbox:
        english = english_left([message.subject, *message.body.splitlines()], data)
        if english:
            found[", ".join(message.to)] = english
    return found


@pytest.fixture
def submitted():
    """A Japanese article of New York's, submitted for review by its editor."""
    users = get_user_model().objects
    editor = users.get(username="nyc-editor")
    page = ArticlePage.objects.filter(
        locale=Locale.get_default(), office__code="nyc"
    ).first()
    page.save_revision(user=editor)
    state = page.get_workflow().start(page, editor)
    return state, users.get(username="hq-reviewer")


def test_reviewers_are_told_in_japanese_that_a_page_waits_for_them(submitted):
    recipients = {address for message in mail.outbox for address in message.to}
    assert "hq-reviewer@example.org" in recipients
    assert _english_in_outbox() == {}
    assert any("承認待ち" in message.subject for message in mail.outbox)


@pytest.mark.parametrize("action", ["approve", "reject"])
def test_the_editor_is_told_in_japanese_what_the_reviewer_decided(submitted, action):
    state, reviewer = submitted
    mail.outbox.clear()
    task_state = state.current_task_state
    task_state.task.specific.on_action(
        task_state, reviewer, action, comment="ご確認ください"
    )
    assert any("nyc-editor@example.org" in message.to for message in mail.outbox)
    assert _english_in_outbox() == {}
