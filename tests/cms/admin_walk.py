"""Walk every admin route: find the URL patterns, fill their arguments with
demo objects and classify what the response means.

The route table that says who may do what is in ``admin_routes``; this
module is the machinery of ``test_admin_routes``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from django.contrib.messages import ERROR
from django.db import transaction
from django.http import HttpResponse
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

ADMIN_PREFIXES = ("admin/", "django-admin/")


@dataclass(frozen=True)
class Route:
    name: str  # "namespace:name", or the pattern itself when it has no name
    pattern: str  # the full pattern, for filling in and for messages
    callback: object
    params: tuple[str, ...]


def _params(pattern: str) -> tuple[str, ...]:
    return tuple(
        re.findall(r"<(?:\w+:)?(\w+)>", pattern) + re.findall(r"\(\?P<(\w+)>", pattern)
    )


def _walk(patterns, prefix: str, namespace: str | None) -> Iterator[Route]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = namespace
            if entry.namespace:
                inner = (
                    f"{namespace}:{entry.namespace}" if namespace else entry.namespace
                )
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern), inner)
        elif isinstance(entry, URLPattern):
            pattern = prefix + str(entry.pattern)
            if entry.name:
                name = f"{namespace}:{entry.name}" if namespace else entry.name
            else:
                name = pattern
            yield Route(name, pattern, entry.callback, _params(pattern))


def admin_routes() -> list[Route]:
    """Every URL pattern under the admin prefixes, as the resolver holds them."""
    return [
        route
        for route in _walk(get_resolver().url_patterns, "", None)
        if route.pattern.startswith(ADMIN_PREFIXES)
    ]


def fill(pattern: str, values: dict[str, object]) -> str:
    """The URL of a pattern with its parameters replaced by ``values``."""
    path = pattern.lstrip("^").rstrip("$")

    def value(match: re.Match) -> str:
        return str(values[match.group(1)])

    path = re.sub(r"\(\?P<(\w+)>[^)]*\)", value, path)
    path = re.sub(r"<(?:\w+:)?(\w+)>", value, path)
    path = path.replace("\\.", ".").replace("^", "")
    return "/" + path


# What an answer means.
OK = "ok"
DENIED = "denied"
LOGIN = "login"
NOT_FOUND = "404"
NOT_ALLOWED = "405"
ERROR_5XX = "5xx"


def outcome(response: HttpResponse) -> str:
    status = response.status_code
    if status >= 500:
        return ERROR_5XX
    if status == 403:
        return DENIED
    if status == 404:
        return NOT_FOUND
    if status == 405:
        return NOT_ALLOWED
    if status in (301, 302):
        location = response.headers.get("Location", "")
        if "/login/" in location:
            return LOGIN
        queued = getattr(
            getattr(response.wsgi_request, "_messages", None), "_queued_messages", []
        )
        if location.rstrip("/").endswith("/admin") and any(
            m.level == ERROR for m in queued
        ):
            return DENIED
        return OK
    return OK


def request(client: Client, method: str, url: str, **extra) -> HttpResponse:
    """One request whose writes are undone, so a walk leaves the data as it was."""
    with transaction.atomic():
        if method == "POST":
            response = client.post(url, **extra)
        elif method == "PUT":
            response = client.put(url, **extra)
        else:
            response = client.get(url, **extra)
        transaction.set_rollback(True)
    return response


# -- The scene: pages and objects that the walk fills the URLs with -----------


@dataclass
class PageTarget:
    """One page a route is called with, and the objects that hang on it."""

    page: object
    revision_id: int
    translation_id: int
    translation_source_id: int
    string_segment_id: int
    overridable_segment_id: int
    task_state_id: int
    task_id: int
    workflow_state_id: int


def page_target(page, *, workflow_page=None) -> PageTarget:
    """Fill in a page's revision, translation and workflow ids (the workflow
    ones from ``workflow_page`` when the page itself has none)."""
    from wagtail.models import WorkflowState
    from wagtail_localize.models import (
        OverridableSegment,
        StringSegment,
        Translation,
        TranslationSource,
    )

    translation = (
        Translation.objects.filter(
            source__object_id=page.translation_key, target_locale=page.locale
        ).first()
        or Translation.objects.filter(source__object_id=page.translation_key).first()
    )
    source = TranslationSource.objects.filter(object_id=page.translation_key).first()
    segment = StringSegment.objects.filter(source=source).first()
    override = OverridableSegment.objects.filter(source=source).first()
    state = (
        WorkflowState.objects.filter(object_id=str(page.pk)).first()
        or (
            workflow_page is not None
            and WorkflowState.objects.filter(object_id=str(workflow_page.pk)).first()
        )
        or None
    )
    task_state = state.current_task_state if state else None
    return PageTarget(
        page=page,
        revision_id=page.latest_revision_id or 0,
        translation_id=translation.pk if translation else 0,
        translation_source_id=source.pk if source else 0,
        string_segment_id=segment.pk if segment else 0,
        overridable_segment_id=override.pk if override else 0,
        task_state_id=task_state.pk if task_state else 0,
        task_id=task_state.task_id if task_state else 0,
        workflow_state_id=state.pk if state else 0,
    )


def page_values(target: PageTarget) -> dict[str, object]:
    page = target.page
    return {
        "page_id": page.pk,
        # Add and explore under the page's section: an article has no children.
        "parent_page_id": page.get_parent().pk,
        "page_to_move_id": page.pk,
        "page_pk": page.pk,
        "destination_id": page.get_parent().pk,
        "revision_id": target.revision_id,
        "revision_id_a": "earliest",
        "revision_id_b": "latest",
        "translation_id": target.translation_id,
        "translation_source_id": target.translation_source_id,
        "string_segment_id": target.string_segment_id,
        "overridable_segment_id": target.overridable_segment_id,
        "task_state_id": target.task_state_id,
        "task_id": target.task_id,
        "workflow_state_id": target.workflow_state_id,
        "action_name": "approve",
        "object_id": page.pk,
    }


PAGE_PARAMS = frozenset(
    {
        "page_id",
        "parent_page_id",
        "page_to_move_id",
        "page_pk",
        "translation_id",
        "translation_source_id",
        "task_state_id",
        "workflow_state_id",
    }
)


def route_model(route: Route):
    """The model a viewset's route works on, when it says so."""
    view_class = getattr(route.callback, "view_class", None)
    initkwargs = getattr(route.callback, "view_initkwargs", {}) or {}
    return initkwargs.get("model") or getattr(view_class, "model", None)


def object_values(route: Route, objects: dict[str, object]) -> dict[str, object]:
    """Values for the parameters that name an object other than a page."""
    values: dict[str, object] = {
        "filter_spec": "fill-80x80",
        "mode": "default",
        "action": "publish",
        "uidb64": "MQ",
        "token": "no-token",
        "session_id": 0,
        "uploaded_file_id": 0,
        "app_label": "wagtailcore",
        "model_name": "page",
        "app_name": "cms",
        "content_type_app_name": "cms",
        "content_type_model_name": "articlepage",
    }
    for param, key in (
        ("image_id", "image"),
        ("document_id", "document"),
        ("doc_id", "document"),
        ("redirect_id", "redirect"),
        ("collection_id", "collection"),
        ("workflow_pk", "workflow"),
        ("task_id", "task"),
    ):
        values[param] = objects[key].pk
    model = route_model(route)
    if isinstance(model, type):
        # The scene's object of that model, else any row of it.
        obj = (
            next(
                (o for o in objects.values() if type(o) is model),
                None,
            )
            or model._default_manager.first()
        )
        values["pk"] = obj.pk if obj is not None else 0
    return values
