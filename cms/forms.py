"""Form fields every form of ours uses for choosing rows by id.

Django bounds the ids of a single choice (an exact lookup out of the
database's integer range finds nothing), but not those of a multiple choice:
an id beyond 64 bits reaches the database in an ``IN`` list and the driver
raises (SQLite's OverflowError, PostgreSQL's NumericValueOutOfRange), a 500
instead of "not a valid choice". ``BoundedModelMultipleChoiceField`` refuses
such ids first; it is used by our own forms, and by every many-to-many field
of Wagtail's admin forms (pages, snippets, settings) through Wagtail's
form-field overrides.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.db import connection, models
from wagtail.admin.forms.models import register_form_field_override
from wagtail.admin.forms.pages import CopyForm


class BoundedModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    def _check_values(self, value):
        key = self.to_field_name or "pk"
        field = (
            self.queryset.model._meta.pk
            if key == "pk"
            else self.queryset.model._meta.get_field(key)
        )
        if isinstance(field, models.IntegerField | models.AutoField):
            low, high = connection.ops.integer_field_range(field.get_internal_type())
            for given in value if isinstance(value, list | tuple | set) else []:
                try:
                    number = int(str(given).strip())
                except ValueError:
                    continue  # Django's own check names it
                if (low is not None and number < low) or (
                    high is not None and number > high
                ):
                    raise ValidationError(
                        self.error_messages["invalid_choice"],
                        code="invalid_choice",
                        params={"value": given},
                    )
        return super()._check_values(value)


register_form_field_override(
    models.ManyToManyField,
    override={"form_class": BoundedModelMultipleChoiceField},
)


class ArticleCopyForm(CopyForm):
    """Wagtail's copy form, refusing a section of another office: the copy
    keeps the article's office, and ``ArticlePage.clean`` would refuse it
    while Wagtail copies (a ValidationError out of the view, a 500)."""

    def clean(self) -> dict:
        from .models.pages import OFFICE_MISMATCH

        cleaned_data = super().clean()
        parent = cleaned_data.get("new_parent_page") or self.page.get_parent()
        if self.page.specific.office_mismatch(parent):
            self.add_error("new_parent_page", OFFICE_MISMATCH)
        return cleaned_data
