"""Copying a page: Wagtail's copy view loads the chosen parent with
``Page.objects.get(id=request.POST["new_parent_page"])`` before its form
runs, so a missing, malformed or unknown id (or one beyond 64 bits) was a
500. The parent is checked first, as the form's own model choice would."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from wagtail import hooks
from wagtail.models import Page


@hooks.register("before_copy_page")
def copy_parent_check(request: HttpRequest, page: Page) -> HttpResponse | None:
    if request.method != "POST":
        return None
    try:
        forms.ModelChoiceField(queryset=Page.objects.all()).clean(
            request.POST.get("new_parent_page", "")
        )
    except ValidationError:
        messages.error(request, _("Choose an existing page to copy it under."))
        return redirect(request.get_full_path())
    return None
