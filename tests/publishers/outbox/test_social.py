"""The X channel through the outbox: tweepy over real HTTP to the local fake
X API, every post counted on the fake's side."""

from datetime import timedelta

import pytest
from django.utils import timezone

from publishers.backends.social import social_backends
from publishers.channels import channels_all
from publishers.models import ChannelUse, Delivery
from publishers.services import delivery_run
from publishers.social_text import weighted_length
from tests.fakes.x_server import XServer
from tests.publishers.x.conftest import x_options

pytestmark = pytest.mark.django_db

State = Delivery.State


@pytest.fixture(scope="module")
def x_running():
    with XServer() as server:
        yield server


@pytest.fixture
def x(x_running, settings):
    """The fake X, and the outbox's "x" channel pointed at it (Japanese and
    French articles, so the demo sections serve)."""
    x_running.reset()
    settings.TSUNAGU_SOCIAL = {
        "x": {
            "BACKEND": "publishers.backends.social.x.XBackend",
            "OPTIONS": x_options(x_running),
        }
    }
    settings.TSUNAGU_PUBLISHERS = {
        "x": {
            "BACKEND": "publishers.channels.social.SocialChannel",
            "OPTIONS": {"LOCALES": ["ja", "fr"]},
        }
    }
    social_backends.cache_clear()
    channels_all.cache_clear()
    yield x_running
    social_backends.cache_clear()
    channels_all.cache_clear()


def x_delivery(article, purpose="publish") -> Delivery:
    return Delivery.objects.get(page_key=article.pk, channel="x", purpose=purpose)


def again(delivery: Delivery) -> str:
    Delivery.objects.filter(pk=delivery.pk).update(
        next_attempt_at=timezone.now() - timedelta(seconds=1)
    )
    return delivery_run(delivery_id=delivery.pk)


def test_a_published_article_is_posted_once_with_its_link(make_article, x):
    article = make_article(
        "Budget participatif : les résultats",
        summary="La Ville publie les projets retenus. " * 20,
        topics=("exchange",),
    )
    delivery = x_delivery(article)
    text = delivery.payload["text"]
    assert article.get_full_url() in text
    assert weighted_length(text) <= 280
    assert delivery_run(delivery_id=delivery.pk).startswith("done")
    (post,) = x.live_posts()
    delivery.refresh_from_db()
    assert delivery.remote_id == post.id
    assert post.text == text
    assert ChannelUse.objects.get(channel="x").count_with_link == 1


def test_a_correction_answers_the_post_and_a_withdrawal_deletes_it(make_article, x):
    article = make_article("Chiffres du recensement")
    delivery_run(delivery_id=x_delivery(article).pk)
    (first,) = x.live_posts()
    article.correction = "La population est de 2,1 millions, pas 2,4."
    article.save_revision().publish()
    correction = x_delivery(article, "correction")
    assert delivery_run(delivery_id=correction.pk).startswith("done")
    reply = next(post for post in x.live_posts() if post.id != first.id)
    assert reply.reply_to == first.id
    assert "2,1 millions" in reply.text
    article.unpublish()
    assert delivery_run(delivery_id=x_delivery(article, "unpublish").pk).startswith(
        "done"
    )
    assert first.id not in {post.id for post in x.live_posts()}


def test_a_timeout_after_the_post_arrived_is_not_posted_again(make_article, x):
    article = make_article("Délai dépassé")
    delivery = x_delivery(article)
    x.timeout_after_arrival_next()
    assert delivery_run(delivery_id=delivery.pk).startswith("unknown")
    assert len(x.live_posts()) == 1  # it did arrive
    assert again(delivery).startswith("done")
    delivery.refresh_from_db()
    assert delivery.remote_id == x.live_posts()[0].id
    assert x.duplicates() == {}
    assert len(x.requests_to("/2/tweets", "POST")) == 1


def test_a_dropped_connection_before_handling_is_sent_after_looking(make_article, x):
    article = make_article("Connexion perdue")
    delivery = x_delivery(article)
    x.drop_connection_next(path="/2/tweets", method="POST")
    delivery_run(delivery_id=delivery.pk)
    assert x.live_posts() == []
    assert again(delivery).startswith("done")
    assert len(x.live_posts()) == 1 and x.duplicates() == {}


def test_the_24_hour_user_limit_waits_for_its_reset(make_article, x):
    article = make_article("Limite du jour")
    delivery = x_delivery(article)
    reset = int(x.now()) + 6 * 3600
    x.fail_next(
        429,
        headers={
            "x-user-limit-24hour-limit": "17",
            "x-user-limit-24hour-remaining": "0",
            "x-user-limit-24hour-reset": str(reset),
        },
        path="/2/tweets",
        method="POST",
    )
    delivery_run(delivery_id=delivery.pk)
    delivery.refresh_from_db()
    assert delivery.state == State.PENDING
    assert delivery.attempts == 0
    assert abs(delivery.next_attempt_at.timestamp() - reset) < 2


def test_bad_keys_wait_for_an_operator(make_article, x, settings):
    settings.TSUNAGU_SOCIAL = {
        "x": {
            "BACKEND": "publishers.backends.social.x.XBackend",
            "OPTIONS": x_options(x, CONSUMER_SECRET="not-the-secret"),
        }
    }
    social_backends.cache_clear()
    article = make_article("Mauvaises clés")
    delivery = x_delivery(article)
    delivery_run(delivery_id=delivery.pk)
    delivery.refresh_from_db()
    assert delivery.state == State.FAILED
    assert "not-the-secret" not in delivery.last_error
    assert x.live_posts() == []


def test_a_duplicate_on_a_first_send_waits_for_an_operator(make_article, x):
    article = make_article("Déjà publié")
    delivery = x_delivery(article)
    x.post_add(delivery.payload["text"])  # posted by hand in X's app
    delivery_run(delivery_id=delivery.pk)
    delivery.refresh_from_db()
    assert delivery.state == State.FAILED
    assert "duplicate" in delivery.last_error.lower()


def test_x_down_for_an_hour_then_posted_once(make_article, x, settings):
    """Every post answered 503 for an hour of simulated time (the outbox's
    waits added up instead of slept): then one post, no duplicate."""
    settings.TSUNAGU_OUTBOX = {"MAX_ATTEMPTS": 8, "RETRY_BASE_SECONDS": 30}
    article = make_article("Panne d'une heure")
    delivery = x_delivery(article)
    simulated = timedelta()
    runs = 0
    while delivery.state != State.DONE and runs < 20:
        if simulated < timedelta(hours=1):
            x.fail_next(503, path="/2/tweets", method="POST")
        again(delivery)
        runs += 1
        delivery.refresh_from_db()
        if delivery.next_attempt_at:
            simulated += delivery.next_attempt_at - timezone.now()
    assert delivery.state == State.DONE
    assert simulated >= timedelta(hours=1)
    assert runs <= 8
    assert len(x.live_posts()) == 1 and x.duplicates() == {}


def test_the_daily_cap_makes_posts_wait_for_tomorrow(make_article, x, settings):
    settings.TSUNAGU_PUBLISHERS = {
        "x": {
            "BACKEND": "publishers.channels.social.SocialChannel",
            "OPTIONS": {"LOCALES": ["fr"], "DAILY_CAP": 1},
        }
    }
    channels_all.cache_clear()
    first, second = make_article("Un"), make_article("Deux")
    assert delivery_run(delivery_id=x_delivery(first).pk).startswith("done")
    delivery = x_delivery(second)
    delivery_run(delivery_id=delivery.pk)
    delivery.refresh_from_db()
    assert delivery.state == State.PENDING and delivery.attempts == 0
    assert "daily cap" in delivery.last_error
    tomorrow = timezone.localdate() + timedelta(days=1)
    assert timezone.localtime(delivery.next_attempt_at).date() == tomorrow
    assert len(x.live_posts()) == 1


def test_articles_in_other_languages_are_not_posted(make_article, x):
    article = make_article("In English", office="lon", locale="en")
    assert not Delivery.objects.filter(page_key=article.pk, channel="x").exists()
