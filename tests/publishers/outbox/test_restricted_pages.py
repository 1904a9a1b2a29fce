"""A page with a view restriction (password, login, groups), or under one, is
never sent anywhere: no partner webhook, no X post, no urgent newsletter, no
line in a newsletter issue. Checked when the delivery is made and again when
it is sent; a withheld delivery says why in the Deliveries admin."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core import mail
from django.utils import timezone, translation
from wagtail.models import PageViewRestriction

from cms.models import DigestIssuePage, NewsletterIndexPage
from cms.selectors import page_is_public, pages_restricted
from publishers.backends.newsletter import newsletter_backend
from publishers.channels import channels_all
from publishers.digest import digest_email_render, week_start_of
from publishers.models import Delivery, PartnerWebhook
from publishers.newsletter.addresses import email_key
from publishers.newsletter.models import Subscriber
from publishers.panels import explanation
from publishers.services import delivery_run

from . import channels as recording
from .conftest import CHANNELS

pytestmark = pytest.mark.django_db

State = Delivery.State
SECRET_TITLE = "Réunion à huis clos"
SECRET_SUMMARY = "Ce que seuls les membres savent."


def restrict(page, kind: str = PageViewRestriction.PASSWORD) -> PageViewRestriction:
    restriction = PageViewRestriction.objects.create(
        page=page, restriction_type=kind, password="hush"
    )
    if kind == PageViewRestriction.GROUPS:
        restriction.groups.set(Group.objects.all()[:1])
    return restriction


def publish_restricted(make_article, *, on: str, kind: str, **fields):
    article = make_article(
        SECRET_TITLE, summary=SECRET_SUMMARY, publish=False, **fields
    )
    restrict(article if on == "page" else article.get_parent(), kind)
    article.save_revision().publish()
    article.refresh_from_db()
    return article


def announcing(article):
    return Delivery.objects.filter(
        page_key=article.pk, channel__in=["webhooks", "social"]
    )


def assert_nothing_of_it_kept(rows) -> None:
    assert rows
    for row in rows:
        assert row.state == State.SKIPPED
        assert row.payload == Delivery.WITHHELD_RESTRICTED
        assert SECRET_SUMMARY not in str(row.payload)


@pytest.mark.parametrize("on", ["page", "section"])
@pytest.mark.parametrize(
    "kind",
    [
        PageViewRestriction.PASSWORD,
        PageViewRestriction.LOGIN,
        PageViewRestriction.GROUPS,
    ],
)
def test_publishing_a_restricted_page_sends_nothing_to_partners_or_x(
    make_article, receiver, on, kind
):
    PartnerWebhook.objects.create(organisation="Préfecture", url=receiver.url)
    article = publish_restricted(make_article, on=on, kind=kind)
    rows = list(Delivery.objects.filter(page_key=article.pk).exclude(channel="website"))
    assert {row.channel for row in rows} == {"webhooks", "social"}
    assert_nothing_of_it_kept(rows)
    for row in rows:
        assert delivery_run(delivery_id=row.pk) == "not due"
    assert receiver.events == []
    assert recording.REMOTE == []


def test_a_public_page_still_goes_out(make_article, receiver):
    PartnerWebhook.objects.create(organisation="Préfecture", url=receiver.url)
    article = make_article("Ouvert à tous")
    assert page_is_public(page_id=article.pk)
    for row in announcing(article):
        assert delivery_run(delivery_id=row.pk).startswith("done")
    assert len(receiver.events) == 1
    assert len(recording.REMOTE) == 1


def test_a_restriction_added_after_enqueueing_cancels_the_send(make_article, receiver):
    PartnerWebhook.objects.create(organisation="Préfecture", url=receiver.url)
    article = make_article(SECRET_TITLE, summary=SECRET_SUMMARY)
    rows = list(announcing(article))
    assert len(rows) == 2 and all(row.state == State.PENDING for row in rows)
    restrict(article.get_parent(), PageViewRestriction.LOGIN)
    assert pages_restricted([article.pk]) == {article.pk}
    for row in rows:
        assert delivery_run(delivery_id=row.pk) == "skipped: the page is restricted"
        row.refresh_from_db()
    assert_nothing_of_it_kept(rows)
    assert receiver.events == []
    assert recording.REMOTE == []


def test_unpublishing_a_restricted_page_tells_nobody(make_article, receiver):
    PartnerWebhook.objects.create(organisation="Préfecture", url=receiver.url)
    article = publish_restricted(
        make_article, on="page", kind=PageViewRestriction.LOGIN
    )
    article.unpublish()
    rows = list(
        Delivery.objects.filter(
            page_key=article.pk, purpose=Delivery.Purpose.UNPUBLISH
        ).exclude(channel="website")
    )
    assert_nothing_of_it_kept(rows)


def test_the_deliveries_admin_says_why_a_delivery_was_withheld(
    make_article, receiver, client
):
    PartnerWebhook.objects.create(organisation="Préfecture", url=receiver.url)
    article = publish_restricted(
        make_article, on="page", kind=PageViewRestriction.PASSWORD
    )
    row = Delivery.objects.get(page_key=article.pk, channel="webhooks")
    admin = get_user_model().objects.filter(is_superuser=True).first()
    client.force_login(admin)
    response = client.get("/admin/deliveries/", {"page": article.pk})
    assert response.status_code == 200
    html = response.content.decode()
    with translation.override("ja"):
        why = explanation(row)
        assert "パスワード" in why  # translated into Japanese
    assert why in html


@pytest.fixture
def newsletter(settings):
    settings.TSUNAGU_PUBLISHERS = {
        **CHANNELS,
        "newsletter": {"BACKEND": "publishers.channels.newsletter.NewsletterChannel"},
    }
    settings.TSUNAGU_NEWSLETTER = {}
    newsletter_backend.cache_clear()
    channels_all.cache_clear()
    Subscriber.objects.create(
        email="reader@city.example.jp",
        email_key=email_key("reader@city.example.jp"),
        organisation="札幌市",
        status=Subscriber.Status.SUBSCRIBED,
        consent_version="2026-11",
    )
    yield
    newsletter_backend.cache_clear()
    channels_all.cache_clear()


def test_a_restricted_urgent_article_is_not_mailed(make_article, newsletter):
    article = publish_restricted(
        make_article,
        on="page",
        kind=PageViewRestriction.LOGIN,
        office="syd",
        locale="ja",
        countries=("AU",),
        topics=("disaster-safety",),
    )
    row = Delivery.objects.get(page_key=article.pk, channel="newsletter")
    assert_nothing_of_it_kept([row])
    assert mail.outbox == []


def test_a_hand_built_issue_shows_no_draft_and_no_restricted_article(
    make_article, client
):
    public = make_article("公開の記事", office="par", locale="ja")
    draft = make_article("下書きの記事", office="par", locale="ja", publish=False)
    hidden = make_article("限定の記事", office="par", locale="ja")
    restrict(hidden, PageViewRestriction.LOGIN)
    never_published = make_article(
        "未公開の訂正", office="par", locale="ja", publish=False
    )
    archive = NewsletterIndexPage.objects.get(locale__language_code="ja")
    issue = DigestIssuePage(
        title="手作りの号",
        slug="hand-built",
        week_start=week_start_of(timezone.now()),
        subject="手作りの号",
        sections=[
            (
                "section",
                {
                    "heading": "欧州",
                    "region": None,
                    "articles": [draft, hidden, public],
                },
            ),
            ("section", {"heading": "空", "region": None, "articles": [draft]}),
        ],
        corrections=[("correction", hidden), ("correction", never_published)],
    )
    archive.add_child(instance=issue)
    issue.save_revision().publish()
    email = digest_email_render(issue=issue, unsubscribe_url="https://x.invalid/")
    web = client.get(issue.url).content.decode()
    for text in (email.html, email.text, web):
        assert "公開の記事" in text
        for title in ("下書きの記事", "限定の記事", "未公開の訂正", "空"):
            assert title not in text, title
