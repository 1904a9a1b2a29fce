"""Choosing social backends in settings (TSUNAGU_SOCIAL), and the in-memory
twin the outbox's tests use."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

from publishers.backends.social import (
    DuplicateContent,
    OutcomeUnknown,
    RateLimited,
    Rejected,
    SocialBackend,
    TemporaryError,
    social_backend,
    social_backends,
)
from publishers.backends.social.memory import InMemorySocialBackend
from publishers.backends.social.x import XBackend

MEMORY = "publishers.backends.social.memory.InMemorySocialBackend"
X_OPTIONS = {
    "CONSUMER_KEY": "key",
    "CONSUMER_SECRET": "consumer-secret-value",
    "ACCESS_TOKEN": "1-token",
    "ACCESS_TOKEN_SECRET": "token-secret-value",
}


@pytest.fixture(autouse=True)
def fresh_backends():
    social_backends.cache_clear()
    yield
    social_backends.cache_clear()


@pytest.mark.parametrize("configured", [None, {}])
def test_no_setting_means_no_social_backends(settings, configured):
    if configured is None:
        del settings.TSUNAGU_SOCIAL
    else:
        settings.TSUNAGU_SOCIAL = configured
    assert social_backends() == {}


def test_each_alias_gets_one_backend_per_process():
    with override_settings(
        TSUNAGU_SOCIAL={
            "x": {
                "BACKEND": "publishers.backends.social.x.XBackend",
                "OPTIONS": X_OPTIONS,
            },
            "x_en": {"BACKEND": MEMORY, "OPTIONS": {"USERNAME": "tsunagu_en"}},
        }
    ):
        backends = social_backends()
        assert isinstance(backends["x"], XBackend)
        assert backends["x"].alias == "x"
        assert isinstance(backends["x_en"], InMemorySocialBackend)
        assert backends["x_en"].username == "tsunagu_en"
        assert social_backend("x") is backends["x"]
        assert social_backends() is backends


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        (
            {"BACKEND": "publishers.backends.social.nowhere.Backend"},
            "cannot be imported",
        ),
        ({"BACKEND": "publishers.social_text.hashtag"}, "not a SocialBackend"),
        ({"OPTIONS": {}}, "needs a 'BACKEND'"),
    ],
)
def test_a_bad_backend_names_the_setting(entry, message):
    with (
        override_settings(TSUNAGU_SOCIAL={"x": entry}),
        pytest.raises(ImproperlyConfigured, match=message) as caught,
    ):
        social_backends()
    assert "TSUNAGU_SOCIAL['x']" in str(caught.value)


def test_an_unknown_alias_names_the_setting():
    with (
        override_settings(TSUNAGU_SOCIAL={"x": {"BACKEND": MEMORY}}),
        pytest.raises(ImproperlyConfigured, match="no account 'mastodon'"),
    ):
        social_backend("mastodon")


def test_a_missing_x_key_names_it_and_no_secret():
    options = {k: v for k, v in X_OPTIONS.items() if k != "ACCESS_TOKEN_SECRET"}
    with (
        override_settings(
            TSUNAGU_SOCIAL={
                "x": {
                    "BACKEND": "publishers.backends.social.x.XBackend",
                    "OPTIONS": options,
                }
            }
        ),
        pytest.raises(ImproperlyConfigured, match="ACCESS_TOKEN_SECRET") as caught,
    ):
        social_backends()
    assert "consumer-secret-value" not in str(caught.value)


# -- the in-memory twin ---------------------------------------------------------


@pytest.fixture
def memory():
    return InMemorySocialBackend({}, alias="x")


def test_memory_posts_lists_and_deletes(memory):
    first = memory.post_create(text="one")
    second = memory.post_create(text="two", reply_to_id=first.id)
    assert isinstance(memory, SocialBackend)
    assert memory.texts() == ["one", "two"]
    assert second.reply_to_id == first.id
    since = datetime.now(UTC) - timedelta(minutes=1)
    assert [p.id for p in memory.posts_recent(since=since)] == [second.id, first.id]
    assert memory.posts_recent(since=datetime.now(UTC) + timedelta(minutes=1)) == []
    memory.post_delete(post_id=first.id)
    memory.post_delete(post_id=first.id)  # already gone: done
    assert memory.texts() == ["two"]
    assert [call.operation for call in memory.calls][-2:] == ["post_delete"] * 2


def test_memory_refuses_duplicates_and_texts_over_280_as_x_does(memory):
    memory.post_create(text="same")
    with pytest.raises(DuplicateContent):
        memory.post_create(text="same")
    with pytest.raises(Rejected):
        memory.post_create(text="あ" * 141)
    with pytest.raises(Rejected):
        memory.post_create(text="reply", reply_to_id="404")


def test_memory_fails_as_told(memory):
    reset = datetime.now(UTC) + timedelta(minutes=15)
    memory.fail_next(RateLimited(reset_at=reset, scope="window"))
    memory.fail_next(TemporaryError("down"), operation="account_check")
    with pytest.raises(RateLimited) as caught:
        memory.post_create(text="one")
    assert caught.value.reset_at == reset
    assert "per 15 minutes" in str(caught.value)
    with pytest.raises(TemporaryError):
        memory.account_check()
    assert memory.posts == []
    memory.post_create(text="one")


def test_memory_can_post_and_still_fail_as_when_x_answers_too_late(memory):
    memory.fail_next(OutcomeUnknown("timeout"), after_create=True)
    with pytest.raises(OutcomeUnknown):
        memory.post_create(text="one")
    [post] = memory.posts_recent(since=datetime.now(UTC) - timedelta(minutes=1))
    assert post.text == "one"


def test_rate_limited_checks_its_arguments():
    with pytest.raises(ValueError):
        RateLimited(reset_at=datetime.now(UTC), scope="monthly")
    with pytest.raises(ValueError):
        RateLimited(reset_at=datetime.now(), scope="window")
