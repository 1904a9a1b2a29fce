"""/api/v2/openapi.json describes what the API answers: schemathesis generates
requests from it and checks every answer against it."""

import pytest
import schemathesis
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import override_settings
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.images.tests.utils import get_test_image_file
from wagtail.models import Collection

from cms.api.openapi import openapi_document

from .conftest import when

pytestmark = pytest.mark.django_db

EXAMPLES = 40  # per operation: about 15 s for all nine

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


def test_the_description_lists_every_endpoint_and_filter(client):
    response = client.get("/api/v2/openapi.json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert "RateLimit-Limit" in response
    document = response.json()
    assert document["openapi"].startswith("3.")
    assert set(document["paths"]) == {
        "/api/v2/articles/",
        "/api/v2/articles/{id}/",
        "/api/v2/pages/",
        "/api/v2/pages/{id}/",
        "/api/v2/images/",
        "/api/v2/images/{id}/",
        "/api/v2/documents/",
        "/api/v2/documents/{id}/",
        "/api/v2/openapi.json",
    }
    listing = document["paths"]["/api/v2/articles/"]["get"]
    params = {param["name"]: param for param in listing["parameters"]}
    assert set(params) == {
        "office",
        "region",
        "country",
        "topic",
        "locale",
        "published_from",
        "published_to",
        "original_published_from",
        "original_published_to",
        "search",
        "search_operator",
        "order",
        "fields",
        "limit",
        "offset",
    }
    assert "lon" in params["office"]["schema"]["items"]["enum"]
    assert params["limit"]["schema"]["maximum"] == 100
    assert set(listing["responses"]) == {"200", "304", "400", "401", "429"}
    article = document["components"]["schemas"]["Article"]["properties"]
    for name in ("source_url", "original_language", "translation_state", "republish"):
        assert name in article
    assert article["office"]["properties"]["code"] == {"type": "string"}
    assert article["body"]["nullable"] is True


@pytest.fixture
def api_schema(db, published):
    """The API as a WSGI application on the test database. Django's handler
    closes the database connection around each request, which would end the
    test's transaction: the test client avoids it the same way."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        with override_settings(
            TSUNAGU_API={"ANON_RATE_PER_MINUTE": 1_000_000, "TRUSTED_PROXY_COUNT": 0}
        ):
            yield schemathesis.openapi.from_wsgi("/api/v2/openapi.json", WSGIHandler())
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def published(publish):
    image = get_image_model().objects.create(
        title="Photo",
        file=get_test_image_file(),
        collection=Collection.get_first_root_node(),
    )
    document = get_document_model().objects.create(
        title="Report", file=SimpleUploadedFile("r.txt", b"hello")
    )
    article = publish(
        title="Schemathesis article",
        countries=("GB",),
        topics=("multicultural",),
        body="<p>Body</p>",
        original_published_at=when("2025-01-01T00:00:00"),
    )
    return {"articles": article, "images": image, "documents": document}


def test_real_items_match_the_description(api_schema, published):
    operations = {
        result.ok().label: result.ok() for result in api_schema.get_all_operations()
    }
    office_page = published["articles"].get_parent()
    for name, pk in [
        *((name, item.pk) for name, item in published.items()),
        ("pages", published["articles"].pk),
        ("pages", office_page.pk),
        ("pages", office_page.get_parent().pk),
    ]:
        detail = operations[f"GET /api/v2/{name}/{{id}}/"]
        response = detail.Case(path_parameters={"id": pk}).call_and_validate(
            checks=CHECKS
        )
        assert response.status_code == 200, (name, pk)
    for name, query in [
        ("articles", {"fields": "*"}),
        ("articles", {"fields": "_,title,body", "search": "Schemathesis"}),
        ("pages", {"type": "cms.ArticlePage", "fields": "*"}),
        ("pages", {"type": "cms.OfficePage"}),
        ("images", {"fields": "*"}),
        ("documents", {"fields": "*"}),
    ]:
        listing = operations[f"GET /api/v2/{name}/"]
        response = listing.Case(query=query).call_and_validate(checks=CHECKS)
        assert response.status_code == 200, (name, query)
        assert response.json()["items"], (name, query)


def test_the_api_answers_as_its_description_says(api_schema):
    """Every operation, positive examples (bounded, fixed seed): no server
    error, only described statuses and content types, bodies as described."""
    # Schemathesis leaves out the description's own URL.
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) == 8
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def answers_as_described(case):
            case.call_and_validate(checks=CHECKS)

        answers_as_described()


def test_the_document_is_built_without_a_request():
    assert openapi_document()["components"]["securitySchemes"]["partnerKey"]
