from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.middleware.csp import ContentSecurityPolicyMiddleware


class PublicSiteCSPMiddleware(ContentSecurityPolicyMiddleware):
    """Django's CSP middleware, for the public site only.

    The Wagtail admin relies on inline scripts and styles of its own; a strict
    policy there would break it, and it is behind a login anyway.
    """

    def process_response(
        self, request: HttpRequest, response: HttpResponse
    ) -> HttpResponse:
        if request.path.startswith(settings.TSUNAGU_CSP_EXEMPT_PREFIXES):
            return response
        return super().process_response(request, response)
