from django import forms
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm

from cms.admin_ui import code_list
from cms.safehttp.validators import validate_outbound_url
from cms.selectors import offices_for_user

from .csv_import import SELECTOR_COLUMNS
from .models import Source


class SourceForm(WagtailAdminModelForm):
    """An editor may only file sources under the offices they work for."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "office" in self.fields and self.for_user is not None:
            offices = offices_for_user(self.for_user)
            self.fields["office"].queryset = offices
            if offices.count() == 1 and not self.instance.pk:
                self.fields["office"].initial = offices.first()


class TryForm(forms.Form):
    """What to try: a URL with its kind and, for list pages, the rule."""

    url = forms.URLField(
        label=_("URL"),
        max_length=2000,
        assume_scheme="https",
        validators=[validate_outbound_url],
    )
    kind = forms.ChoiceField(label=_("kind"), choices=Source.Kind.choices)
    rule_item = forms.CharField(
        label=_("item selector"), required=False, max_length=255
    )
    rule_link = forms.CharField(
        label=_("link selector"), required=False, max_length=255
    )
    rule_title = forms.CharField(
        label=_("title selector"), required=False, max_length=255
    )
    rule_date = forms.CharField(
        label=_("date selector"), required=False, max_length=255
    )
    rule_summary = forms.CharField(
        label=_("summary selector"), required=False, max_length=255
    )

    def clean(self):
        data = super().clean()
        if data.get("kind") == Source.Kind.HTML and not (
            data.get("rule_item") and data.get("rule_title")
        ):
            raise forms.ValidationError(
                _("An HTML list page needs at least the item and title selectors.")
            )
        return data


class ImportForm(forms.Form):
    file = forms.FileField(label=_("CSV file"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = format_html(
            gettext(
                "Columns: {columns}, and for list pages {rules}. UTF-8, first "
                "row the column names."
            ),
            columns=code_list(("office", "name", "url", "kind", "language")),
            rules=code_list(tuple(SELECTOR_COLUMNS)),
        )
