"""What the admin says after a save is in Japanese too: every edit form of
our apps' viewsets is sent back unchanged, as a browser sends it, and the
message shown next is read with the same rules as the screens."""

from html.parser import HTMLParser

import pytest
from django.contrib.auth import get_user_model
from django.urls import NoReverseMatch, reverse
from wagtail.admin.viewsets import viewsets

from .admin_text import english_left, page_read
from .test_admin_japanese import OUR_APPS, _user_data

pytestmark = pytest.mark.django_db


class _Form(HTMLParser):
    """The fields of the page's main form, with the values a browser sends."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.data: dict[str, list[str]] = {}
        self._in_form = False
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list) -> None:
        values = dict(attrs)
        if tag == "form" and values.get("method", "").lower() == "post":
            self._in_form = "data-edit-form" in values or not self.data
        if not self._in_form or not values.get("name"):
            if tag == "option" and self._select and "selected" in values:
                self.data.setdefault(self._select, []).append(values.get("value", ""))
            return
        name = values["name"]
        if tag == "input":
            kind = values.get("type", "text")
            if kind in ("checkbox", "radio"):
                if "checked" in values:
                    self.data.setdefault(name, []).append(values.get("value", "on"))
            elif kind not in ("submit", "button", "file"):
                self.data.setdefault(name, []).append(values.get("value", ""))
        elif tag == "select":
            self._select = name
        elif tag == "textarea":
            self._textarea = name
            self.data.setdefault(name, []).append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "form":
            self._in_form = False

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self.data[self._textarea][-1] += data


def _edit_urls() -> list[str]:
    urls = []
    for viewset in viewsets.viewsets:
        model = getattr(viewset, "model", None)
        if not hasattr(model, "_meta") or model._meta.app_label not in OUR_APPS:
            continue
        first = model._default_manager.order_by("pk").first()
        if first is not None:
            try:
                urls.append(reverse(f"{viewset.url_namespace}:edit", args=[first.pk]))
            except NoReverseMatch:
                continue
    return urls


def test_saving_each_of_our_forms_says_so_in_japanese(client):
    client.force_login(get_user_model().objects.get(username="admin"))
    data = _user_data()
    said: dict[str, list[str]] = {}
    saved = 0
    for url in _edit_urls():
        form = _Form()
        form.feed(client.get(url).content.decode())
        response = client.post(url, form.data, follow=True)
        messages = [str(message) for message in response.context["messages"]]
        saved += bool(messages)
        # A message may hold HTML (Wagtail's "Edit" button).
        english = english_left(
            [text for message in messages for text in page_read(message)[0]], data
        )
        if english:
            said[url] = english
    assert saved >= 5
    assert said == {}
