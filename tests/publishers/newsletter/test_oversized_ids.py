"""Ids beyond the database's integer range are "not a valid choice" in every
multiple choice of ours (sign-up regions and topics, Wagtail's admin
many-to-many fields), never a 500."""

import pytest
from django.core.exceptions import ValidationError
from wagtail.admin.forms.models import formfield_for_dbfield

from cms.forms import BoundedModelMultipleChoiceField
from cms.models import ArticlePage, Region

pytestmark = pytest.mark.django_db

HUGE = [str(2**70), str(-(2**70)), str(2**63)]


@pytest.mark.parametrize("field", ["regions", "topics"])
@pytest.mark.parametrize("value", HUGE)
def test_signup_with_an_id_beyond_64_bits_shows_the_form_again(client, field, value):
    data = {
        "email": "oversized@example.com",
        "organisation": "Ville",
        "regions": [str(Region.objects.first().pk)],
        "consent": "on",
    }
    data[field] = [value]
    response = client.post("/newsletter/", data)
    assert response.status_code == 200
    assert "oversized@example.com" in response.content.decode()


@pytest.mark.parametrize("name", ["countries", "topics"])
def test_admin_many_to_many_fields_refuse_ids_beyond_64_bits(name):
    field = formfield_for_dbfield(ArticlePage._meta.get_field(name))
    assert isinstance(field, BoundedModelMultipleChoiceField)
    for value in HUGE:
        with pytest.raises(ValidationError) as caught:
            field.clean([value])
        assert caught.value.code == "invalid_choice"


def test_ids_in_range_are_still_chosen():
    regions = list(Region.objects.order_by("pk")[:2])
    field = BoundedModelMultipleChoiceField(queryset=Region.objects.all())
    assert list(field.clean([str(r.pk) for r in regions]).order_by("pk")) == regions
