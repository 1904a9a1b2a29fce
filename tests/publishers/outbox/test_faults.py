"""Faults with real processes: a worker killed after X got the post and
before the outcome was written; pages published by wagtail-localize's
editor path. Every delivery ends done exactly once, counted on the fake's
side."""

import os
import signal
from datetime import timedelta

import pytest
from django.test import override_settings
from django.utils import timezone
from django.utils.text import slugify

from cms.models import ArticlePage, OfficePage
from cms.newsroom.setup import newsroom_setup
from publishers.backends.social import social_backends
from publishers.channels import Change, channels_all
from publishers.channels.social import SocialChannel
from publishers.models import Delivery
from publishers.services import delivery_run, outbox_sweep
from publishers.tasks import deliver
from tests.conftest import DB_WORKER_ARGS, wait_until
from tests.fakes.x_server import XServer
from tests.publishers.x.conftest import x_options

State = Delivery.State


def french_article(title: str) -> ArticlePage:
    section = OfficePage.objects.get(office__code="par", locale__language_code="fr")
    article = ArticlePage(title=title, slug=slugify(title), summary="Résumé.")
    section.add_child(instance=article)
    article.save_revision().publish()
    article.refresh_from_db()
    return article


@pytest.mark.processes
def test_a_worker_killed_after_x_got_the_post_posts_it_once(processes):
    newsroom_setup()
    article = french_article("Le worker est tué")  # no X channel yet: no row
    with XServer() as x:
        options = x_options(x)
        social = {
            "x": {
                "BACKEND": "publishers.backends.social.x.XBackend",
                "OPTIONS": options,
            }
        }
        channels = {
            "x": {
                "BACKEND": "publishers.channels.social.SocialChannel",
                "OPTIONS": {"LOCALES": ["fr"]},
            }
        }
        with override_settings(TSUNAGU_SOCIAL=social, TSUNAGU_PUBLISHERS=channels):
            social_backends.cache_clear()
            channels_all.cache_clear()
            channel = SocialChannel("x", channels["x"]["OPTIONS"])
            change = Change(
                page=article,
                purpose="publish",
                revision_id=article.live_revision_id,
                urls={},
            )
            delivery = Delivery.objects.create(
                page=article,
                page_key=article.pk,
                page_title=article.title,
                channel="x",
                purpose="publish",
                revision_key=article.live_revision_id,
                payload=channel.payload(change=change, target=""),
            )
            deliver.using(backend="db").enqueue(delivery.pk)
            # X gets the post, then holds its answer: the worker waits.
            x.timeout_after_arrival_next(hold_seconds=60)
            env = {
                "X_CONSUMER_KEY": options["CONSUMER_KEY"],
                "X_CONSUMER_SECRET": options["CONSUMER_SECRET"],
                "X_ACCESS_TOKEN": options["ACCESS_TOKEN"],
                "X_ACCESS_TOKEN_SECRET": options["ACCESS_TOKEN_SECRET"],
                "X_API_URL": x.url,
                "X_LOCALES": "fr",
                "X_TIMEOUT_SECONDS": "50",
                "WORKER_HEARTBEAT_SECONDS": "1",
            }
            worker = processes.start("worker-1", *DB_WORKER_ARGS, **env)
            wait_until(lambda: x.live_posts(), what="the post to reach X")
            os.kill(worker.pid, signal.SIGKILL)
            worker.wait(timeout=10)

            delivery.refresh_from_db()
            assert delivery.state == State.SENDING and delivery.sent_at
            # Time passes: the dead worker's lease runs out; the sweep rings.
            Delivery.objects.filter(pk=delivery.pk).update(
                lease_until=timezone.now() - timedelta(seconds=1)
            )
            outbox_sweep()  # the immediate backend runs it here
            delivery.refresh_from_db()
            assert delivery.state == State.DONE, delivery.last_error
            # (The sweep also made posts for other pages it found published
            # in the last minutes with no X delivery: the demo's.)
            (post,) = [p for p in x.live_posts() if p.text.startswith(article.title)]
            assert delivery.remote_id == post.id
            assert x.created[post.text] == 1
            assert x.duplicates() == {}
        social_backends.cache_clear()
        channels_all.cache_clear()


@pytest.mark.processes
def test_the_database_restarted_while_a_post_was_in_flight(processes):
    """PostgreSQL drops every connection while X holds its answer to a post:
    the worker cannot record the outcome; its lease runs out, the sweep
    rings again, the post is found and not sent twice. The worker, given a
    new connection, delivers the next article too."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("a file database has no server to restart (PostgreSQL only)")
    newsroom_setup()
    first = french_article("La base redémarre")
    second = french_article("Après le redémarrage")
    with XServer() as x:
        options = x_options(x)
        channel = SocialChannel("x", {"LOCALES": ["fr"]})
        social = {
            "x": {
                "BACKEND": "publishers.backends.social.x.XBackend",
                "OPTIONS": options,
            }
        }
        with override_settings(TSUNAGU_SOCIAL=social):
            social_backends.cache_clear()

            def delivery_for(article):
                change = Change(
                    page=article,
                    purpose="publish",
                    revision_id=article.live_revision_id,
                    urls={},
                )
                return Delivery.objects.create(
                    page=article,
                    page_key=article.pk,
                    page_title=article.title,
                    channel="x",
                    purpose="publish",
                    revision_key=article.live_revision_id,
                    payload=channel.payload(change=change, target=""),
                )

            delivery = delivery_for(first)
            deliver.using(backend="db").enqueue(delivery.pk)
            x.delay_seconds = 3  # the answer comes after the restart
            env = {
                "X_CONSUMER_KEY": options["CONSUMER_KEY"],
                "X_CONSUMER_SECRET": options["CONSUMER_SECRET"],
                "X_ACCESS_TOKEN": options["ACCESS_TOKEN"],
                "X_ACCESS_TOKEN_SECRET": options["ACCESS_TOKEN_SECRET"],
                "X_API_URL": x.url,
                "X_LOCALES": "fr",
                "WORKER_HEARTBEAT_SECONDS": "1",
            }
            worker = processes.start("worker-1", *DB_WORKER_ARGS, **env)
            wait_until(
                lambda: x.requests_to("/2/tweets", "POST"),
                what="the post to go out",
            )
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
            wait_until(lambda: x.live_posts(), what="X to take the post")
            x.delay_seconds = 0
            wait_until(
                lambda: "lost the database" in processes.output(worker),
                what="the worker to notice the lost connection",
                timeout=30,
            )
            delivery.refresh_from_db()
            assert delivery.state == State.SENDING  # the outcome was not written
            # The lease runs out; the run the sweep rings for looks first.
            Delivery.objects.filter(pk=delivery.pk).update(
                lease_until=timezone.now() - timedelta(seconds=1)
            )
            channels = {
                "x": {
                    "BACKEND": "publishers.channels.social.SocialChannel",
                    "OPTIONS": {"LOCALES": ["fr"]},
                }
            }
            with override_settings(TSUNAGU_PUBLISHERS=channels):
                channels_all.cache_clear()
                delivery_run(delivery_id=delivery.pk)
            channels_all.cache_clear()
            delivery.refresh_from_db()
            assert delivery.state == State.DONE, delivery.last_error
            (post,) = [p for p in x.live_posts() if p.text.startswith(first.title)]
            assert delivery.remote_id == post.id
            assert x.duplicates() == {}
            # The worker lives on with a new connection.
            later = delivery_for(second)
            deliver.using(backend="db").enqueue(later.pk)
            try:
                wait_until(
                    lambda: Delivery.objects.get(pk=later.pk).state == State.DONE,
                    what="the worker to deliver after the restart",
                    timeout=30,
                )
            except AssertionError:
                raise AssertionError(processes.output(worker)[-4000:]) from None
            assert worker.poll() is None, processes.output(worker)[-3000:]
        social_backends.cache_clear()
