"""Contract: what tweepy sends for each of XBackend's operations is what X's
published API description accepts, checked by Stoplight Prism serving
../shared/specs (X_SPEC, with OAuth 1.0a described as a header).

Prism's answers are the description's examples, not state, and some of them
tweepy cannot read (X's own example date-times lack the milliseconds tweepy
requires): the operations may end in a SocialError here; what is asserted is
that Prism found nothing wrong with the requests. Behaviour over several
calls is tested against the stateful fake (test_x_backend.py)."""

import contextlib
from datetime import UTC, datetime, timedelta

import pytest

from publishers.backends.social import RemotePost, SocialError
from publishers.backends.social.x import XBackend
from tests.fakes.prism import X_SPEC, prism_mock

POST_ID = "1346889436626259968"


@pytest.fixture(scope="module")
def prism():
    with prism_mock(X_SPEC) as mock:
        yield mock


@pytest.fixture
def backend(prism):
    prism.violations_new()  # forget what earlier tests caused
    return XBackend(
        {
            "CONSUMER_KEY": "contract-consumer-key",
            "CONSUMER_SECRET": "contract-consumer-secret",
            "ACCESS_TOKEN": "1500000000000000001-contractToken",
            "ACCESS_TOKEN_SECRET": "contract-token-secret",
            "API_URL": prism.url,
            "TIMEOUT_SECONDS": (5, 10),
        },
        alias="x",
    )


def request_violations(prism) -> list[str]:
    """Violations in what was sent since the last call. Prism also logs
    where the description's own example answers break its schemas
    ("response.…"): those are not ours."""
    return [
        violation
        for violation in prism.violations_new()
        if not violation.startswith("Violation: response")
    ]


def served(prism, method: str, path: str) -> bool:
    return f"[HTTP SERVER] {method} {path} " in prism.log()


def test_post_create_sends_what_x_accepts(prism, backend):
    post = backend.post_create(
        text="リヨン市、外国人住民センターを開設 https://example.jp/a"
    )
    assert isinstance(post, RemotePost)
    assert served(prism, "post", "/2/tweets")
    assert request_violations(prism) == []


def test_a_reply_sends_what_x_accepts(prism, backend):
    backend.post_create(text="Part 2", reply_to_id=POST_ID)
    assert request_violations(prism) == []


def test_post_delete_sends_what_x_accepts(prism, backend):
    backend.post_delete(post_id=POST_ID)
    assert served(prism, "delete", f"/2/tweets/{POST_ID}")
    assert request_violations(prism) == []


# X's example posts lack a field tweepy expects; it warns, which is not ours.
@pytest.mark.filterwarnings("ignore:Tweet data missing")
@pytest.mark.parametrize("limit", [1, 42, 100, 250])
def test_posts_recent_sends_what_x_accepts(prism, backend, limit):
    since = datetime.now(UTC) - timedelta(hours=6, microseconds=123)
    with contextlib.suppress(SocialError):
        backend.posts_recent(since=since, limit=limit)
    assert served(prism, "get", "/2/users/1500000000000000001/tweets")
    assert request_violations(prism) == []


def test_account_check_sends_what_x_accepts(prism, backend):
    with contextlib.suppress(SocialError):
        backend.account_check()
    assert served(prism, "get", "/2/users/me")
    assert request_violations(prism) == []


def test_the_contract_check_sees_a_request_x_would_refuse(prism, backend):
    # The same client asking for 2 posts a page, which X's description does
    # not allow (5 to 100): Prism must say so, or the tests above prove nothing.
    with contextlib.suppress(Exception):
        backend.client.get_users_tweets(
            "1500000000000000001", user_auth=True, max_results=2
        )
    assert any("max_results" in v for v in request_violations(prism))
