"""XBackend through tweepy, over real HTTP, against the local fake of X's
API v2 (tests/fakes/x_server.py): what it sends, what it returns, and which
domain error each of X's failures becomes."""

import logging
import socket
import time
from datetime import UTC, datetime, timedelta

import pytest
import tweepy
from django.core.exceptions import ImproperlyConfigured

from publishers.backends.social import (
    Account,
    ConfigurationError,
    DuplicateContent,
    OutcomeUnknown,
    RateLimited,
    Rejected,
    RemotePost,
    SocialError,
    TemporaryError,
)
from publishers.backends.social.x import XBackend
from publishers.social_text import post_matches
from tests.fakes import x_rules

from .conftest import TEST_TIMEOUT, x_options

URL = "https://tsunagu.example.jp/ja/articles/lyon-centre/"
TEXT = f"リヨン市、外国人住民センターを開設\n{URL}\n#パリ事務所"


def an_hour_ago():
    return datetime.now(UTC) - timedelta(hours=1)


# -- what it does ---------------------------------------------------------------


def test_post_create_publishes_and_returns_the_post(x_backend, x_server):
    post = x_backend.post_create(text=TEXT)
    assert isinstance(post, RemotePost)
    assert x_rules.ID.fullmatch(post.id)
    assert post.url == f"https://x.com/i/web/status/{post.id}"
    assert post.created_at.tzinfo is not None
    # X shows the link wrapped in t.co; the outbox compares with post_matches.
    assert URL not in post.text and "https://t.co/" in post.text
    assert post_matches(sent=TEXT, seen=post.text)
    [request] = x_server.requests_to("/2/tweets", "POST")
    assert request.body == {"text": TEXT}
    assert request.headers["authorization"].startswith("OAuth ")
    assert x_server.created[TEXT] == 1


def test_post_create_with_reply_to_id_makes_a_reply(x_backend, x_server):
    first = x_backend.post_create(text="Thread, part 1")
    reply = x_backend.post_create(text="Thread, part 2", reply_to_id=first.id)
    assert reply.reply_to_id == first.id
    assert x_server.requests[-1].body == {
        "text": "Thread, part 2",
        "reply": {"in_reply_to_tweet_id": first.id},
    }
    [newest, _] = x_backend.posts_recent(since=an_hour_ago())
    assert newest.id == reply.id and newest.reply_to_id == first.id


def test_html_special_characters_come_back_as_sent(x_backend):
    post = x_backend.post_create(text="Lyon & Paris <2026>")
    assert post.text == "Lyon & Paris <2026>"
    [recent] = x_backend.posts_recent(since=an_hour_ago())
    assert recent.text == "Lyon & Paris <2026>"


def test_post_delete_deletes_and_a_post_already_gone_counts_as_done(
    x_backend, x_server
):
    post = x_backend.post_create(text=TEXT)
    x_backend.post_delete(post_id=post.id)
    assert x_server.live_posts() == []
    x_backend.post_delete(post_id=post.id)  # 404 from X: done all the same
    assert [r.status for r in x_server.requests_to(f"/2/tweets/{post.id}")] == [
        200,
        404,
    ]


def test_posts_recent_lists_the_accounts_posts_since_newest_first(x_backend, x_server):
    x_server.post_add("Yesterday's post", created=time.time() - 86400)
    texts = [f"Post {n}" for n in range(7)]
    for text in texts:
        x_backend.post_create(text=text)
    recent = x_backend.posts_recent(since=an_hour_ago())
    assert [post.text for post in recent] == texts[::-1]
    assert all(post.created_at >= an_hour_ago() for post in recent)
    assert [p.text for p in x_backend.posts_recent(since=an_hour_ago(), limit=3)] == [
        "Post 6",
        "Post 5",
        "Post 4",
    ]
    # X serves 5 to 100 a page: a limit of 3 asks for 5.
    assert x_server.requests[-1].query["max_results"] == ["5"]
    assert x_server.requests[-1].query["tweet.fields"] == [
        "created_at,referenced_tweets"
    ]


def test_posts_recent_follows_pages(x_backend, x_server):
    now = time.time()
    for n in range(130):
        x_server.post_add(f"Seeded post {n}", created=now - 600 + n)
    recent = x_backend.posts_recent(since=an_hour_ago(), limit=120)
    assert len(recent) == 120
    assert recent[0].text == "Seeded post 129"
    assert recent[-1].text == "Seeded post 10"
    pages = x_server.requests_to(f"/2/users/{x_server.user_id}/tweets")
    assert [page.query["max_results"] for page in pages] == [["100"], ["20"]]
    assert "pagination_token" in pages[1].query


def test_posts_recent_misses_a_post_x_has_not_yet_put_on_the_timeline(
    x_backend, x_server
):
    # X's timelines lag behind posting: an empty answer right after an
    # unknown outcome does not prove the post is missing.
    x_server.timeline_delay_seconds = 30
    x_backend.post_create(text=TEXT)
    assert x_backend.posts_recent(since=an_hour_ago()) == []
    x_server.advance(31)
    assert len(x_backend.posts_recent(since=an_hour_ago())) == 1


def test_account_check_names_the_account(x_backend, x_server):
    assert x_backend.account_check() == Account(
        id=x_server.user_id, username="tsunagu_news", name="Tsunagu"
    )


def test_the_client_is_built_once_and_only_when_needed(x_backend):
    assert "client" not in x_backend.__dict__
    x_backend.account_check()
    client = x_backend.client
    x_backend.account_check()
    assert x_backend.client is client
    assert client.wait_on_rate_limit is False


# -- rate limits -------------------------------------------------------------------


def test_a_used_up_15_minute_window_is_rate_limited_until_its_reset(
    x_backend, x_server
):
    x_server.window_limits["create"] = 2
    x_backend.post_create(text="one")
    x_backend.post_create(text="two")
    with pytest.raises(RateLimited) as caught:
        x_backend.post_create(text="three")
    answer = x_server.requests[-1]
    assert answer.status == 429
    assert caught.value.scope == "window"
    reset = int(x_server._buckets["window:create"].reset)
    assert caught.value.reset_at == datetime.fromtimestamp(reset, UTC)
    assert x_server.created["three"] == 0


def test_the_accounts_24_hour_cap_is_rate_limited_until_its_reset(x_backend, x_server):
    x_server.user_day_limit = 2
    x_backend.post_create(text="one")
    x_backend.post_create(text="two")
    with pytest.raises(RateLimited) as caught:
        x_backend.post_create(text="three")
    assert caught.value.scope == "user_24h"
    assert caught.value.reset_at > datetime.now(UTC) + timedelta(hours=23)
    # A day later (on the fake's clock) posting works again.
    x_server.advance(24 * 3600)
    x_backend.post_create(text="three")


def test_the_apps_24_hour_cap_is_rate_limited_until_its_reset(x_backend, x_server):
    x_server.app_day_limit = 1
    x_backend.post_create(text="one")
    with pytest.raises(RateLimited) as caught:
        x_backend.post_create(text="two")
    assert caught.value.scope == "app_24h"
    assert "per 24 hours for the app" in str(caught.value)


def test_when_several_limits_are_used_up_the_latest_reset_wins(x_backend, x_server):
    now = int(time.time())
    x_server.fail_next(
        429,
        headers={
            "x-rate-limit-limit": "100",
            "x-rate-limit-remaining": "0",
            "x-rate-limit-reset": str(now + 600),
            "x-user-limit-24hour-limit": "17",
            "x-user-limit-24hour-remaining": "0",
            "x-user-limit-24hour-reset": str(now + 7200),
            # Not used up: its later reset does not count.
            "x-app-limit-24hour-limit": "10000",
            "x-app-limit-24hour-remaining": "9000",
            "x-app-limit-24hour-reset": str(now + 80000),
        },
    )
    with pytest.raises(RateLimited) as caught:
        x_backend.post_create(text=TEXT)
    assert caught.value.scope == "user_24h"
    assert caught.value.reset_at == datetime.fromtimestamp(now + 7200, UTC)


def test_a_429_without_headers_waits_a_window(x_backend, x_server):
    x_server.fail_next(429, headers={"content-type": "application/json"})
    with pytest.raises(RateLimited) as caught:
        x_backend.account_check()
    assert caught.value.scope == "window"
    assert caught.value.reset_at > datetime.now(UTC) + timedelta(minutes=14)


# -- refusals --------------------------------------------------------------------


def test_a_duplicate_text_is_duplicate_content(x_backend, x_server):
    x_backend.post_create(text=TEXT)
    with pytest.raises(DuplicateContent):
        x_backend.post_create(text=TEXT)
    assert x_server.requests[-1].status == 403
    assert x_server.created[TEXT] == 1


def test_a_403_about_the_app_is_a_configuration_error_not_a_duplicate(
    x_backend, x_server
):
    x_server.fail_next(
        403,
        body={
            "title": "Client Forbidden",
            "detail": "When authenticating requests to the Twitter API v2 "
            "endpoints, you must use keys and tokens from a Twitter developer "
            "App that is attached to a Project.",
            "type": "https://api.twitter.com/2/problems/client-forbidden",
            "reason": "client-not-enrolled",
            "registration_url": "https://developer.x.com/en/portal/projects",
        },
    )
    with pytest.raises(ConfigurationError, match="attached to a Project"):
        x_backend.post_create(text=TEXT)


def test_an_app_without_write_permission_is_a_configuration_error(x_backend, x_server):
    x_server.fail_next(
        403,
        body=x_rules.problem(
            403,
            "Your client app is not configured with the appropriate oauth1 app "
            "permissions for this endpoint.",
            x_rules.PROBLEM + "oauth1-permissions",
        ),
    )
    with pytest.raises(ConfigurationError, match="Read and write"):
        x_backend.post_create(text=TEXT)


def test_a_reply_to_a_deleted_post_is_rejected(x_backend):
    post = x_backend.post_create(text="To be deleted")
    x_backend.post_delete(post_id=post.id)
    with pytest.raises(Rejected, match="deleted or not visible"):
        x_backend.post_create(text="A reply", reply_to_id=post.id)


@pytest.mark.parametrize(
    "option",
    ["CONSUMER_KEY", "CONSUMER_SECRET", "ACCESS_TOKEN", "ACCESS_TOKEN_SECRET"],
)
def test_wrong_keys_are_a_configuration_error_that_names_no_secret(
    make_x_backend, x_server, caplog, option
):
    wrong = "1500000000000000001-wrong" if option == "ACCESS_TOKEN" else "wrong"
    backend = make_x_backend(**{option: wrong})
    with caplog.at_level(logging.DEBUG), pytest.raises(ConfigurationError) as caught:
        backend.post_create(text=TEXT)
    assert x_server.requests[-1].status == 401
    assert "401" in str(caught.value)
    credentials = x_server.credentials
    for secret in (credentials.consumer_secret, credentials.access_token_secret):
        assert secret not in str(caught.value)
        assert secret not in caplog.text
    assert "wrong" not in repr(backend)


def test_a_400_is_rejected(x_backend, x_server):
    x_server.fail_next(400, body=x_rules.invalid_request("Bad text", "text", "x").body)
    with pytest.raises(Rejected, match="400"):
        x_backend.post_create(text=TEXT)


def test_a_text_over_280_is_rejected_before_any_request(x_backend, x_server):
    with pytest.raises(Rejected, match="281"):
        x_backend.post_create(text="あ" * 140 + "a")
    with pytest.raises(Rejected):
        x_backend.post_create(text="   ")
    with pytest.raises(Rejected):
        x_backend.post_create(text="reply", reply_to_id="not-an-id")
    with pytest.raises(Rejected):
        x_backend.post_delete(post_id="../users/me")
    assert x_server.requests == []


# -- failures and unknown outcomes -----------------------------------------------


@pytest.mark.parametrize("status", [500, 502, 503])
def test_a_5xx_to_a_read_or_a_delete_is_temporary(x_backend, x_server, status):
    x_server.fail_next(status, times=2)
    with pytest.raises(TemporaryError, match=str(status)):
        x_backend.account_check()
    with pytest.raises(TemporaryError):
        x_backend.post_delete(post_id="1")


def test_a_5xx_to_a_post_is_an_unknown_outcome(x_backend, x_server):
    # X has been seen to publish and answer 503: the outbox must look first.
    x_server.fail_next(503, body="<html>Service Unavailable</html>")
    with pytest.raises(OutcomeUnknown, match="503"):
        x_backend.post_create(text=TEXT)


def test_a_timeout_after_the_post_arrived_is_an_unknown_outcome_and_the_post_exists(
    x_backend, x_server
):
    x_server.timeout_after_arrival_next(hold_seconds=TEST_TIMEOUT[1] + 2)
    started = time.monotonic()
    with pytest.raises(OutcomeUnknown, match="may exist"):
        x_backend.post_create(text=TEXT)
    assert time.monotonic() - started < TEST_TIMEOUT[1] + 1
    # The post is on X: the outbox's look finds it, so it never posts twice.
    assert x_server.created[TEXT] == 1
    [found] = x_backend.posts_recent(since=an_hour_ago())
    assert post_matches(sent=TEXT, seen=found.text)


def test_a_connection_dropped_before_handling_is_unknown_and_nothing_was_posted(
    x_backend, x_server
):
    x_server.drop_connection_next()
    with pytest.raises(OutcomeUnknown):
        x_backend.post_create(text=TEXT)
    assert x_server.created[TEXT] == 0
    assert x_backend.posts_recent(since=an_hour_ago()) == []
    # Nothing found: sending again is safe, and posts once.
    x_backend.post_create(text=TEXT)
    assert x_server.created[TEXT] == 1


def test_a_connection_dropped_after_handling_is_unknown_and_the_post_exists(
    x_backend, x_server
):
    x_server.drop_connection_next(after_handling=True)
    with pytest.raises(OutcomeUnknown):
        x_backend.post_create(text=TEXT)
    assert x_server.created[TEXT] == 1


def test_a_dropped_connection_to_a_read_is_temporary(x_backend, x_server):
    x_server.drop_connection_next()
    with pytest.raises(TemporaryError):
        x_backend.account_check()


def test_a_refused_connection_is_temporary_and_nothing_was_sent(make_x_backend):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    backend = make_x_backend(API_URL=f"http://127.0.0.1:{port}")
    with pytest.raises(TemporaryError, match="nothing was sent"):
        backend.post_create(text=TEXT)


def test_the_timeout_is_applied_to_every_call(x_backend, x_server):
    x_server.delay_seconds = TEST_TIMEOUT[1] + 2
    started = time.monotonic()
    with pytest.raises(TemporaryError, match="did not answer"):
        x_backend.account_check()
    assert time.monotonic() - started < TEST_TIMEOUT[1] + 1


def test_an_answer_tweepy_cannot_read_is_temporary(x_backend, x_server):
    x_server.fail_next(
        200,
        body={"data": {"id": "1", "name": "T", "username": "t", "created_at": "x"}},
    )
    x_server.fail_next(500, body='["not", "an", "object"]')
    x_server.fail_next(200, body="<html>maintenance</html>")
    for _ in range(3):
        with pytest.raises(TemporaryError, match="could not be read"):
            x_backend.account_check()


def test_an_unreadable_answer_to_a_post_is_an_unknown_outcome(x_backend, x_server):
    x_server.fail_next(201, body="<html>Created</html>")
    with pytest.raises(OutcomeUnknown, match="could not be read"):
        x_backend.post_create(text=TEXT)


def test_a_post_answer_without_an_id_is_an_unknown_outcome(x_backend, x_server):
    x_server.fail_next(201, body={"data": {"text": TEXT}})
    with pytest.raises(OutcomeUnknown, match="no post id"):
        x_backend.post_create(text=TEXT)


def test_every_error_is_a_social_error_and_tweepy_never_leaks(x_backend, x_server):
    for status in (400, 401, 403, 404, 409, 429, 500):
        x_server.fail_next(status)
        with pytest.raises(SocialError) as caught:
            x_backend.account_check()
        assert isinstance(caught.value.__cause__, tweepy.HTTPException)


# -- options -----------------------------------------------------------------------


@pytest.mark.parametrize("missing", ["CONSUMER_SECRET", "ACCESS_TOKEN"])
def test_a_missing_option_is_named(x_server, missing):
    options = x_options(x_server)
    del options[missing]
    with pytest.raises(ImproperlyConfigured, match=missing) as caught:
        XBackend(options, alias="x")
    assert "TSUNAGU_SOCIAL['x']['OPTIONS']" in str(caught.value)
    assert x_server.credentials.consumer_secret not in str(caught.value)


def test_an_unknown_option_is_named(x_server):
    with pytest.raises(ImproperlyConfigured, match=r"TIMEOUT\b"):
        XBackend(x_options(x_server, TIMEOUT=3), alias="x")


@pytest.mark.parametrize(
    ("value", "expected"), [(7, (7.0, 7.0)), ((1, 30), (1.0, 30.0)), ("4", (4.0, 4.0))]
)
def test_timeout_seconds_is_one_number_or_a_pair(x_server, value, expected):
    backend = XBackend(x_options(x_server, TIMEOUT_SECONDS=value))
    assert backend.timeout == expected


@pytest.mark.parametrize("value", [0, -1, (1, 0), "soon", (1, 2, 3)])
def test_a_bad_timeout_is_refused(x_server, value):
    with pytest.raises(ImproperlyConfigured, match="TIMEOUT_SECONDS"):
        XBackend(x_options(x_server, TIMEOUT_SECONDS=value))


def test_without_api_url_the_timeout_adapter_is_mounted_for_x(x_server):
    options = x_options(x_server)
    del options["API_URL"]
    backend = XBackend(options)
    adapter = backend.client.session.get_adapter("https://api.x.com/2/tweets")
    assert adapter.timeout == backend.timeout
    assert backend.client.session.get_adapter("https://api.twitter.com/2/x") is adapter
    assert adapter.api_url == ""
