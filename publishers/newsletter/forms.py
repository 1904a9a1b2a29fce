"""The public sign-up form."""

from __future__ import annotations

import unicodedata

from django import forms
from django.utils.translation import gettext_lazy as _

from cms.forms import BoundedModelMultipleChoiceField
from cms.models import Region, Topic

from .models import Prefecture

#: The honeypot's name: no browser autofills a field called so, and people
#: never see it; a bot that fills every field fills it.
HONEYPOT = "leave_this_empty"


class EmailAddressField(forms.EmailField):
    def to_python(self, value):
        # Full-width letters and ＠ are easy to type on a Japanese keyboard.
        value = super().to_python(value)
        return unicodedata.normalize("NFKC", value) if value else value


class SignupForm(forms.Form):
    email = EmailAddressField(
        label=_("E-mail address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    organisation = forms.CharField(
        label=_("Organisation"),
        max_length=200,
        help_text=_("Your municipality, prefecture or organisation."),
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
    )
    prefecture = forms.ChoiceField(
        label=_("Prefecture"),
        choices=[("", _("(none)")), *Prefecture.choices],
        required=False,
    )
    regions = BoundedModelMultipleChoiceField(
        label=_("Regions of interest"),
        queryset=Region.objects.all(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Urgent news (disasters, safety) is sent for these regions."),
        error_messages={"required": _("Choose at least one region.")},
    )
    topics = BoundedModelMultipleChoiceField(
        label=_("Topics of interest"),
        queryset=Topic.objects.all(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    consent = forms.BooleanField(
        label=_("I agree to the text above."),
        error_messages={
            "required": _(
                "Tick the box to agree: without your consent the newsletter "
                "cannot be sent to you."
            )
        },
    )
    leave_this_empty = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def __init__(self, *args, **kwargs) -> None:
        # No colon after the labels: the page's languages do not all use one.
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    def is_bot(self) -> bool:
        return bool(self.data.get(HONEYPOT, "").strip())


class ConfirmForm(forms.Form):
    """The button of the confirmation and unsubscribe pages (CSRF only)."""
