"""Error pages render whatever state the site is in."""

import pytest
from django.core.management import call_command


@pytest.mark.django_db(transaction=True)
def test_the_404_page_renders_on_a_site_with_no_pages_or_locales(client):
    # What a fresh database looks like before newsroom_setup (and what the
    # transactional tests leave behind them).
    call_command("flush", interactive=False, verbosity=0)
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    response = client.get("/newsletter/webhooks/mailchimp/wrong/")
    assert response.status_code == 404
