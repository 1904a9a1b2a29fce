"""merge_fields_ensure through mailchimp_marketing, over real HTTP, against
the local fake of Mailchimp's API: a member naming a merge tag the audience
lacks is refused, as Mailchimp refuses it, until the field is made; making
it is idempotent and leaves the audience's own fields alone."""

import pytest

from publishers.backends.newsletter import Rejected, TemporaryError

EMAIL = "kokusai@city.example.jp"
FIELDS = {"ORG": "所属団体", "PREF": "都道府県"}
VALUES = {"ORG": "横浜市", "PREF": "神奈川県"}


def merge_fields_path(mailchimp) -> str:
    return f"/lists/{mailchimp.list_id}/merge-fields"


def posted_tags(mailchimp) -> list[str]:
    return [
        r.body["tag"]
        for r in mailchimp.requests_to(merge_fields_path(mailchimp), "POST")
    ]


def test_a_merge_tag_the_audience_lacks_is_refused_naming_the_field(backend, mailchimp):
    with pytest.raises(Rejected) as refused:
        backend.member_upsert(email=EMAIL, merge_fields=VALUES, interests={})

    assert refused.value.status == 400
    assert refused.value.title == "Invalid Resource"
    assert refused.value.errors[0]["field"] == "merge_fields.ORG"
    assert mailchimp.member(EMAIL) is None


def test_ensure_makes_hidden_text_fields_then_members_carry_them(backend, mailchimp):
    backend.merge_fields_ensure(fields=FIELDS)

    org = mailchimp.audience.merge_fields["ORG"]
    assert (org.name, org.type, org.public, org.required) == (
        "所属団体",
        "text",
        False,
        False,
    )
    assert mailchimp.audience.merge_fields["PREF"].name == "都道府県"
    (read,) = mailchimp.requests_to(merge_fields_path(mailchimp), "GET")
    assert read.query["count"] == ["1000"]
    member = backend.member_upsert(email=EMAIL, merge_fields=VALUES, interests={})
    assert member.merge_fields == VALUES


def test_ensure_twice_makes_nothing_more(backend, mailchimp):
    backend.merge_fields_ensure(fields=FIELDS)
    backend.merge_fields_ensure(fields=FIELDS)

    assert posted_tags(mailchimp) == ["ORG", "PREF"]


def test_a_field_already_there_is_left_as_it_is(backend, mailchimp):
    # An operator made ORG by hand, named in English.
    mailchimp.merge_field_add("ORG", "Organisation")

    backend.merge_fields_ensure(fields=FIELDS)

    assert posted_tags(mailchimp) == ["PREF"]
    assert mailchimp.audience.merge_fields["ORG"].name == "Organisation"
    # Mailchimp's own fields are untouched too.
    assert {"FNAME", "LNAME", "ADDRESS", "PHONE"} <= set(
        mailchimp.audience.merge_fields
    )


def test_ensure_reads_past_mailchimps_first_page(backend, mailchimp):
    for n in range(12):
        mailchimp.merge_field_add(f"EXTRA{n}", f"Extra {n}")
    mailchimp.merge_field_add("ORG", "所属団体")

    backend.merge_fields_ensure(fields=FIELDS)

    assert posted_tags(mailchimp) == ["PREF"]


def test_a_field_made_meanwhile_by_another_worker_is_fine(backend, mailchimp):
    # Another worker made ORG after this one read the fields: Mailchimp
    # refuses a second ORG, and a second look finds it there.
    mailchimp.merge_field_add("ORG", "所属団体")
    stale = {"merge_fields": [], "list_id": mailchimp.list_id, "total_items": 0}
    mailchimp.fail_next(
        200, path=merge_fields_path(mailchimp), method="GET", body=stale
    )

    backend.merge_fields_ensure(fields=FIELDS)

    refused, created = mailchimp.requests_to(merge_fields_path(mailchimp), "POST")
    assert (refused.body["tag"], refused.status) == ("ORG", 400)
    assert (created.body["tag"], created.status) == ("PREF", 200)
    assert "PREF" in mailchimp.audience.merge_fields


def test_a_refused_field_that_is_not_there_is_raised(backend, mailchimp):
    mailchimp.fail_next(
        400,
        path=merge_fields_path(mailchimp),
        method="POST",
        title="Invalid Resource",
        detail="The resource submitted could not be validated.",
    )

    with pytest.raises(Rejected, match="Invalid Resource"):
        backend.merge_fields_ensure(fields=FIELDS)

    assert "ORG" not in mailchimp.audience.merge_fields


def test_a_lost_answer_is_temporary_and_the_next_ensure_finishes(backend, mailchimp):
    mailchimp.drop_connection_next(path=merge_fields_path(mailchimp), method="POST")

    with pytest.raises(TemporaryError, match="lost"):
        backend.merge_fields_ensure(fields=FIELDS)
    backend.merge_fields_ensure(fields=FIELDS)

    # ORG was made by the request whose answer was lost, and not again.
    assert posted_tags(mailchimp) == ["ORG", "PREF"]
    assert set(FIELDS) <= set(mailchimp.audience.merge_fields)
