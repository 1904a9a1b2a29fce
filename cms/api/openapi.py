"""/api/v2/openapi.json: an OpenAPI 3.0 description built from the code.

The parameters come from the endpoints' declarations (``params``), which are
also what parses them; the article schema from the fields the endpoint
serialises (the model's fields and the serializers of office, topics and
countries); the codes a filter takes (offices, regions, ...) from the
database at the time of the request. Tests run schemathesis against it.
"""

from typing import Any

from django.conf import settings
from django.db import models
from django.http import HttpRequest, JsonResponse
from rest_framework import serializers
from wagtail.fields import RichTextField

from translation.models import TranslationState

from ..models import ArticlePage
from . import params as p
from .fields import (
    REPUBLISH_FULL,
    REPUBLISH_SUMMARY,
    ArticleBodyField,
    RepublishField,
    TranslationStateField,
)
from .limits import WINDOW_SECONDS
from .views import ArticlesAPIViewSet, PartnerAPIMixin

STRING = {"type": "string"}
NULLABLE_DATETIME = {"type": "string", "format": "date-time", "nullable": True}


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _model_field_schema(field: models.Field) -> dict:
    if isinstance(field, models.DateTimeField):
        schema = {"type": "string", "format": "date-time"}
    elif isinstance(field, models.DateField):
        schema = {"type": "string", "format": "date"}
    elif isinstance(field, models.BooleanField):
        schema = {"type": "boolean"}
    elif isinstance(field, models.IntegerField | models.AutoField):
        schema = {"type": "integer"}
    elif isinstance(field, models.CharField | models.TextField | RichTextField):
        schema = dict(STRING)
    else:  # pragma: no cover - a new field type needs a line above
        raise TypeError(f"no OpenAPI schema for {field!r}")
    if field.null:
        schema["nullable"] = True
    return schema


def _serializer_schema(serializer: serializers.BaseSerializer) -> dict:
    """A DRF ModelSerializer (office, topic, country) as an object schema."""
    if isinstance(serializer, serializers.ListSerializer):
        return {"type": "array", "items": _serializer_schema(serializer.child)}
    properties = {}
    for name, field in serializer.get_fields().items():
        if isinstance(field, serializers.RelatedField | serializers.CharField):
            schema = dict(STRING)
        else:  # pragma: no cover
            raise TypeError(f"no OpenAPI schema for {field!r}")
        if field.allow_null:
            schema["nullable"] = True
        properties[name] = schema
    return {
        "type": "object",
        "properties": properties,
        "required": list(properties),
        "additionalProperties": False,
    }


def _api_field_schema(model: type[models.Model], api_field) -> dict:
    serializer = api_field.serializer
    if isinstance(serializer, ArticleBodyField):
        return {
            "type": "string",
            "nullable": True,
            "description": "HTML; null where the source allows only its summary "
            "and a link (republish: summary).",
        }
    if isinstance(serializer, TranslationStateField):
        return {
            "type": "string",
            "enum": list(TranslationState.State.values),
            "description": "Where the text stands: the original, awaiting "
            "translation, machine-translated (not yet reviewed), or reviewed.",
        }
    if isinstance(serializer, RepublishField):
        return {
            "type": "string",
            "enum": [REPUBLISH_FULL, REPUBLISH_SUMMARY],
            "description": "What the source allows: the full text, or only the "
            "summary and a link to the original.",
        }
    if serializer is not None:
        schema = _serializer_schema(serializer)
        field = model._meta.get_field(api_field.name)
        if field.null and schema["type"] == "object":
            schema = {**schema, "nullable": True}
        return schema
    return _model_field_schema(model._meta.get_field(api_field.name))


def _locales() -> list[str]:
    return [code for code, _name in settings.WAGTAIL_CONTENT_LANGUAGES]


def _page_meta_properties() -> dict:
    return {
        "type": STRING,
        "detail_url": {"type": "string", "format": "uri"},
        "html_url": {"type": "string", "nullable": True},
        "slug": STRING,
        "first_published_at": NULLABLE_DATETIME,
        "last_published_at": NULLABLE_DATETIME,
        "locale": {"type": "string", "enum": _locales()},
        "show_in_menus": {"type": "boolean"},
        "seo_title": STRING,
        "search_description": STRING,
        "alias_of": {"type": "object", "nullable": True},
        "parent": {"type": "object", "nullable": True},
    }


def article_schema() -> dict:
    view = ArticlesAPIViewSet
    meta = _page_meta_properties()
    properties: dict[str, Any] = {
        "id": {"type": "integer"},
        "meta": {
            "type": "object",
            "properties": {name: meta[name] for name in view.meta_fields},
            "additionalProperties": False,
        },
    }
    for api_field in view.get_body_fields(ArticlePage):
        if api_field.name != "id":
            properties[api_field.name] = _api_field_schema(ArticlePage, api_field)
    return {
        "type": "object",
        "description": "An article. A listing leaves the body out unless "
        "fields=body or fields=* asks for it; `fields` can leave out others.",
        "properties": properties,
        "additionalProperties": False,
    }


def page_schema() -> dict:
    return {
        "type": "object",
        "description": "A page; with one `type` or on the detail URL, the "
        "fields of its type too (an article's as on the articles endpoint).",
        "properties": {
            "id": {"type": "integer"},
            "meta": {
                "type": "object",
                "properties": _page_meta_properties(),
                "additionalProperties": False,
            },
            "title": STRING,
        },
        "additionalProperties": True,
    }


def media_schema(*, image: bool) -> dict:
    properties: dict[str, Any] = {
        "id": {"type": "integer"},
        "meta": {
            "type": "object",
            "properties": {
                "type": STRING,
                "detail_url": {"type": "string", "format": "uri"},
                "tags": {"type": "array", "items": STRING},
                "download_url": STRING,
            },
            "additionalProperties": False,
        },
        "title": STRING,
    }
    if image:
        properties |= {"width": {"type": "integer"}, "height": {"type": "integer"}}
    return {"type": "object", "properties": properties, "additionalProperties": False}


def _listing_schema(item: str) -> dict:
    return {
        "type": "object",
        "properties": {
            "meta": {
                "type": "object",
                "properties": {
                    "total_count": {
                        "type": "integer",
                        "description": "Matching items in all, past this page.",
                    }
                },
                "required": ["total_count"],
                "additionalProperties": False,
            },
            "items": {"type": "array", "items": _ref(item)},
        },
        "required": ["meta", "items"],
        "additionalProperties": False,
    }


RATE_HEADERS = {
    "RateLimit-Limit": "Requests allowed in the window.",
    "RateLimit-Remaining": "Requests left in the window.",
    "RateLimit-Reset": "Seconds until the window ends.",
}


def _rate_headers() -> dict:
    headers = {
        name: {"description": text, "schema": {"type": "integer"}}
        for name, text in RATE_HEADERS.items()
    }
    headers["RateLimit-Policy"] = {
        "description": f"The limit and its window: `60;w={WINDOW_SECONDS}`.",
        "schema": STRING,
    }
    return headers


def _ok(schema: dict, description: str) -> dict:
    return {
        "description": description,
        "headers": _rate_headers(),
        "content": {"application/json": {"schema": schema}},
    }


def _error_response(description: str, headers: dict | None = None) -> dict:
    return {
        "description": description,
        "headers": headers or {},
        "content": {"application/json": {"schema": _ref("Error")}},
    }


def _errors(*statuses: str) -> dict:
    return {status: {"$ref": f"#/components/responses/{status}"} for status in statuses}


def _operation(
    view: type[PartnerAPIMixin],
    *,
    name: str,
    listing: bool,
    summary: str,
    schema: dict,
) -> dict:
    declared = view.listing_params() if listing else view.detail_params()
    parameters = [param.openapi() for param in declared]
    if not listing:
        parameters.insert(0, {"$ref": "#/components/parameters/id"})
    responses = {"200": _ok(schema, summary), **_errors("400", "401", "429")}
    if view.cache_answers:
        responses["304"] = {
            "description": "Not modified: the ETag sent in If-None-Match (or "
            "the time in If-Modified-Since) is still current.",
            "headers": _rate_headers(),
        }
    if not listing:
        responses |= _errors("404")
    return {
        "get": {
            "operationId": f"{name}_{'listing' if listing else 'detail'}",
            "summary": summary,
            "tags": [name],
            "parameters": parameters,
            "security": [{}, {"partnerKey": []}],
            "responses": responses,
        }
    }


def openapi_document() -> dict:
    from .router import api_router  # the router imports this module's view

    paths: dict[str, Any] = {}
    for name, view in api_router._endpoints.items():
        schema_name = view.openapi_schema
        paths[f"/api/v2/{name}/"] = _operation(
            view,
            name=name,
            listing=True,
            summary=f"List {name}",
            schema=_listing_schema(schema_name),
        )
        paths[f"/api/v2/{name}/{{id}}/"] = _operation(
            view,
            name=name,
            listing=False,
            summary=f"One of the {name}",
            schema=_ref(schema_name),
        )
    paths["/api/v2/openapi.json"] = {
        "get": {
            "operationId": "openapi",
            "summary": "This description",
            "tags": ["meta"],
            "security": [{}, {"partnerKey": []}],
            "responses": {
                "200": _ok({"type": "object"}, "The OpenAPI document"),
                **_errors("401", "429"),
            },
        }
    }
    anon = settings.TSUNAGU_API["ANON_RATE_PER_MINUTE"]
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "Tsunagu partner API",
            "version": "2",
            "description": (
                "Wagtail API v2 over Tsunagu's published articles: live, public "
                "pages only, never drafts. Articles carry their provenance (source, "
                "original language and time, jurisdiction, translation state) and "
                "what their source allows to be republished. Errors are "
                '`{"message": "..."}`. Without a key each address may make '
                f"{anon} requests a minute; a partner key (Authorization: Bearer "
                "…) has its own, higher limit. Over the limit the answer is 429 "
                "with Retry-After."
            ),
        },
        "paths": paths,
        "components": {
            "schemas": {
                "Article": article_schema(),
                "Page": page_schema(),
                "Image": media_schema(image=True),
                "Document": media_schema(image=False),
                "Error": {
                    "type": "object",
                    "properties": {"message": STRING},
                    "required": ["message"],
                    "additionalProperties": False,
                },
            },
            "parameters": {
                "id": {
                    "name": "id",
                    "in": "path",
                    "required": True,
                    "schema": {"type": "integer", "minimum": 0, "maximum": p.MAX_ID},
                }
            },
            "responses": {
                "400": _error_response(
                    "A parameter is unknown or its value cannot be used; the "
                    "message says which and why."
                ),
                "401": _error_response(
                    "The partner key is unknown or revoked.",
                    {"WWW-Authenticate": {"schema": STRING}},
                ),
                "404": _error_response("No such public item."),
                "429": _error_response(
                    "Too many requests in this minute.",
                    {
                        "Retry-After": {
                            "description": "Seconds to wait.",
                            "schema": {"type": "integer"},
                        },
                        **_rate_headers(),
                    },
                ),
            },
            "securitySchemes": {
                "partnerKey": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "A partner key from Tsunagu (managed in the "
                    "admin); optional, for a higher rate limit.",
                }
            },
        },
    }


def openapi_view(request: HttpRequest) -> JsonResponse:
    return JsonResponse(openapi_document(), json_dumps_params={"ensure_ascii": False})
