"""Sending a newsletter issue from the admin: send now, schedule, or send a
test to a few addresses first. HQ reviewers and superusers only (they
publish in the Japanese tree and decide what goes to subscribers)."""

from __future__ import annotations

from datetime import datetime

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.validators import validate_email
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cms.models import DigestIssuePage
from cms.selectors import user_is_hq

from .backends.newsletter import NewsletterError, newsletter_backend, quarter_hour_next
from .digest import digest_send, digest_test_send
from .models import Delivery
from .panels import explanation

MAX_TEST_ADDRESSES = 10


class SendForm(forms.Form):
    when = forms.ChoiceField(
        label=gettext_lazy("When"),
        choices=[
            ("now", gettext_lazy("Now")),
            ("at", gettext_lazy("At a time")),
        ],
        initial="now",
        widget=forms.RadioSelect,
    )
    at = forms.DateTimeField(
        label=gettext_lazy("Time"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        help_text=gettext_lazy(
            "Mailchimp sends on quarter hours: the next one is used."
        ),
    )

    def clean(self) -> dict:
        data = super().clean()
        if data.get("when") == "at":
            at: datetime | None = data.get("at")
            if at is None:
                raise forms.ValidationError(_("Give the time to send it."))
            if at <= timezone.now():
                raise forms.ValidationError(_("The time must be in the future."))
            if newsletter_backend() is not None:
                data["at"] = quarter_hour_next(at)
        return data


class TestForm(forms.Form):
    emails = forms.CharField(
        label=gettext_lazy("Send a test to"),
        help_text=gettext_lazy("Up to 10 addresses, separated by commas."),
    )

    def clean_emails(self) -> list[str]:
        emails = [
            email.strip()
            for email in self.cleaned_data["emails"].split(",")
            if email.strip()
        ]
        if not emails or len(emails) > MAX_TEST_ADDRESSES:
            raise forms.ValidationError(_("Give between 1 and 10 addresses."))
        for email in emails:
            validate_email(email)
        return emails


def digest_send_view(request: HttpRequest, pk: int) -> HttpResponse:
    if not user_is_hq(request.user):
        raise PermissionDenied
    issue = get_object_or_404(DigestIssuePage, pk=pk)
    send_form, test_form = SendForm(prefix="send"), TestForm(prefix="test")
    if request.method == "POST":
        if "test" in request.POST:
            test_form = TestForm(request.POST, prefix="test")
            if test_form.is_valid():
                try:
                    note = digest_test_send(
                        issue=issue, emails=test_form.cleaned_data["emails"]
                    )
                except NewsletterError as exc:
                    messages.error(request, _("The test was not sent: %s") % exc)
                else:
                    messages.success(request, _("Test sent: %s") % note)
                    return redirect("publishers_digest_send", pk=issue.pk)
        else:
            send_form = SendForm(request.POST, prefix="send")
            if send_form.is_valid():
                at = (
                    send_form.cleaned_data.get("at")
                    if (send_form.cleaned_data["when"] == "at")
                    else None
                )
                delivery = digest_send(issue=issue, user=request.user, at=at)
                if at:
                    messages.success(
                        request,
                        _("The issue will be sent at %(when)s.")
                        % {"when": timezone.localtime(at).strftime("%Y-%m-%d %H:%M")},
                    )
                else:
                    messages.success(request, _("The issue is being sent."))
                return redirect(
                    reverse("publishers_deliveries") + f"?page={delivery.page_key}"
                )
    deliveries = Delivery.objects.filter(
        page_key=issue.pk, channel="newsletter"
    ).order_by("-created_at")
    return TemplateResponse(
        request,
        "publishers/admin/digest_send.html",
        {
            "issue": issue,
            "send_form": send_form,
            "test_form": test_form,
            "rows": [
                {"delivery": d, "explanation": explanation(d)} for d in deliveries
            ],
            "by_mailchimp": newsletter_backend() is not None,
            "header_title": _("Send “%(title)s”") % {"title": issue.title},
            "header_icon": "mail",
        },
    )


def admin_urls() -> list:
    return [
        path(
            "newsletter/issues/<int:pk>/send/",
            digest_send_view,
            name="publishers_digest_send",
        )
    ]
