"""The outbox in the admin: the deliveries list, retry and skip, the
dashboard panel and the page editor's panel."""

import re

import pytest
from django.urls import reverse

from publishers.channels import ChannelError
from publishers.models import Delivery
from publishers.services import delivery_run

from . import channels as recording

pytestmark = pytest.mark.django_db

State = Delivery.State


def failed_delivery(make_article, title: str, **kwargs) -> Delivery:
    article = make_article(title, **kwargs)
    delivery = Delivery.objects.get(page_key=article.pk, channel="social")
    recording.fail_next(ChannelError("401: the keys were refused", permanent=True))
    delivery_run(delivery_id=delivery.pk)
    delivery.refresh_from_db()
    assert delivery.state == State.FAILED
    return delivery


def test_hq_sees_failing_deliveries_and_retries_one(
    client, user_in_group, make_article
):
    delivery = failed_delivery(make_article, "Échec")
    client.force_login(user_in_group("HQ reviewers"))
    listing = client.get(reverse("publishers_deliveries"), {"state": "failing"})
    assert listing.status_code == 200
    html = listing.content.decode()
    assert f'data-delivery="{delivery.pk}"' in html
    assert "401: the keys were refused" in html
    response = client.post(
        reverse("publishers_delivery_retry", args=[delivery.pk]),
        {"next": reverse("publishers_deliveries")},
    )
    assert response.status_code == 302
    delivery.refresh_from_db()
    assert delivery.state == State.PENDING and delivery.attempts == 0
    delivery_run(delivery_id=delivery.pk)
    delivery.refresh_from_db()
    assert delivery.state == State.DONE


def test_an_operator_can_skip_a_delivery(client, user_in_group, make_article):
    delivery = failed_delivery(make_article, "Sauté")
    client.force_login(user_in_group("HQ reviewers"))
    client.post(reverse("publishers_delivery_skip", args=[delivery.pk]))
    delivery.refresh_from_db()
    assert delivery.state == State.SKIPPED
    # Nothing left to act on: no button, and a second skip changes nothing.
    html = client.get(reverse("publishers_deliveries")).content.decode()
    row = html[html.index(f'data-delivery="{delivery.pk}"') :].split("</tr>")[0]
    assert "publishers_delivery" not in row and "/skip/" not in row


def test_office_editors_see_and_act_on_their_offices_only(
    client, user_in_group, make_article
):
    paris = failed_delivery(make_article, "Paris échoue")
    london = failed_delivery(make_article, "London fails", office="lon", locale="en")
    client.force_login(user_in_group("Office editors: lon"))
    html = client.get(reverse("publishers_deliveries")).content.decode()
    assert f'data-delivery="{london.pk}"' in html
    assert f'data-delivery="{paris.pk}"' not in html
    refused = client.post(reverse("publishers_delivery_retry", args=[paris.pk]))
    assert refused.status_code == 404
    paris.refresh_from_db()
    assert paris.state == State.FAILED


def test_the_dashboard_counts_each_channel_and_lists_failures(
    client, user_in_group, make_article
):
    delivery = failed_delivery(make_article, "Tableau de bord")
    client.force_login(user_in_group("HQ reviewers"))
    html = client.get(reverse("wagtailadmin_home")).content.decode()
    panel = html[html.index("data-deliveries-panel") :]
    assert f'data-failing="{delivery.pk}"' in panel
    assert "data-subscribers" in panel  # HQ sees the newsletter's audience
    row = re.search(r'<tr data-channel="social">(.*?)</tr>', panel, re.S).group(1)
    assert re.findall(r"<td>(?:<strong>)?(\d+)", row) == ["0", "0", "0", "1"]


def test_the_page_editor_shows_each_channels_state(client, user_in_group, make_article):
    delivery = failed_delivery(make_article, "Dans l'éditeur")
    client.force_login(user_in_group("Office editors: par"))
    html = client.get(
        reverse("wagtailadmin_pages:edit", args=[delivery.page_key])
    ).content.decode()
    panel = html[html.index("data-page-deliveries") :]
    assert 'data-channel="social" data-state="failed"' in panel


def test_people_outside_the_newsroom_see_nothing(client, django_user_model):
    from django.contrib.auth.models import Permission

    user = django_user_model.objects.create_user("visitor", password="pw")
    user.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client.force_login(user)
    assert client.get(reverse("publishers_deliveries")).status_code in (302, 403)
