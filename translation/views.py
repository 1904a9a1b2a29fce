"""Admin views of the translation stage."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from wagtail.admin.utils import get_valid_next_url_from_request
from wagtail_localize.models import Translation
from wagtail_localize.views.edit_translation import user_can_edit_instance

from .backends import backend_get
from .services import translation_request


@require_POST
def machine_translate(request: HttpRequest, translation_id: int) -> HttpResponse:
    """wagtail-localize's "Machine translate" button, answered by a job of
    ours: with the page and the user, through the memory, the budget and the
    ledger, outside the editor's request."""
    translation = get_object_or_404(Translation, pk=translation_id)
    target = translation.get_target_instance()
    if not user_can_edit_instance(request.user, target):
        raise PermissionDenied
    source = translation.source.get_source_instance()
    backend = backend_get()
    if not backend.can_translate(
        translation.source.locale.language_code,
        translation.target_locale.language_code,
    ):
        messages.warning(
            request, _("Machine translation is off: set DEEPL_AUTH_KEY to turn it on.")
        )
    else:
        translation_request(
            page=source,
            locales=[translation.target_locale],
            user=request.user,
            reason="editor: machine translate",
            submit_for_review=False,
        )
        messages.success(
            request,
            _(
                "Machine translation with %(service)s is on its way: the strings "
                "fill in within a minute; reload this page to see them."
            )
            % {"service": backend.display_name},
        )
    return redirect(
        get_valid_next_url_from_request(request) or reverse("wagtailadmin_home")
    )
