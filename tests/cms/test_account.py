"""Demo users change their admin language on Wagtail's account page.

The page saves the name, e-mail and language in one form; Wagtail requires
a first and a last name, so a user without them could not change anything.
"""

import io
import re

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from wagtail.users.models import UserProfile

pytestmark = pytest.mark.django_db

DEMO_USERS = ["admin", "nyc-editor", "lon-editor", "syd-editor", "hq-reviewer"]


def _form_as_sent(html: str) -> dict[str, str]:
    """The account form's inputs and selected options, as a browser sends them."""
    data = {}
    for tag in re.findall(r"<input[^>]*>", html):
        name = re.search(r'name="([^"]+)"', tag)
        kind = re.search(r'type="([^"]+)"', tag)
        if not name or (kind and kind.group(1) in ("checkbox", "radio", "file")):
            if kind and kind.group(1) in ("checkbox", "radio") and "checked" in tag:
                value = re.search(r'value="([^"]*)"', tag)
                data[name.group(1)] = value.group(1) if value else "on"
            continue
        value = re.search(r'value="([^"]*)"', tag)
        data[name.group(1)] = value.group(1) if value else ""
    for name, body in re.findall(
        r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', html, re.S
    ):
        chosen = re.search(r'<option value="([^"]*)"[^>]*selected', body)
        data[name] = chosen.group(1) if chosen else ""
    return data


@pytest.mark.parametrize("username", DEMO_USERS)
def test_demo_user_changes_the_admin_language_on_the_account_page(client, username):
    user = get_user_model().objects.get(username=username)
    client.force_login(user)
    data = _form_as_sent(client.get("/admin/account/").content.decode())
    data["locale-preferred_language"] = "en"

    response = client.post("/admin/account/", data)

    assert response.status_code == 302, response.content.decode()[:2000]
    assert UserProfile.get_for_user(user).preferred_language == "en"
    assert '<html lang="en"' in client.get("/admin/").content.decode()


def test_demo_users_have_names(db):
    for user in get_user_model().objects.filter(username__in=DEMO_USERS):
        assert user.first_name and user.last_name, user.username
    assert get_user_model().objects.get(username="nyc-editor").get_full_name() == (
        "ニューヨーク 編集担当"
    )


def test_loading_the_demo_again_names_a_demo_user_who_had_no_name(db):
    get_user_model().objects.filter(username="lon-editor").update(
        first_name="", last_name=""
    )
    get_user_model().objects.filter(username="par-editor").update(
        first_name="Marie", last_name="Curie"
    )
    call_command("load_demo", stdout=io.StringIO())
    users = get_user_model().objects
    assert users.get(username="lon-editor").get_full_name() == "ロンドン 編集担当"
    assert users.get(username="par-editor").get_full_name() == "Marie Curie"
