"""Wagtail admin views that answer a malformed request with a 500; here,
with a 400. Mounted in front of Wagtail's own URLs (cms/urls.py)."""

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.urls import path
from wagtail.admin.auth import permission_denied, require_admin_access
from wagtail.contrib.redirects import views as redirect_views

# The signed hidden fields of the redirect import's confirmation form: its
# clean() reads them before checking that they came (KeyError, a 500).
REDIRECT_IMPORT_FIELDS = ("import_file_name", "input_format")


def redirects_process_import(request: HttpRequest) -> HttpResponse:
    if not redirect_views.permission_checker.policy.user_has_any_permission(
        request.user, {"add"}
    ):
        return permission_denied(request)
    missing = [name for name in REDIRECT_IMPORT_FIELDS if not request.POST.get(name)]
    if missing:
        return HttpResponseBadRequest(f"Missing field: {', '.join(missing)}")
    return redirect_views.process_import(request)


def admin_input_urls() -> list:
    return [
        path(
            "admin/redirects/import/process/",
            require_admin_access(redirects_process_import),
            name="cms_redirects_process_import",
        ),
    ]
