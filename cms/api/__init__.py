"""Wagtail API v2 for partners: read-only, live and public content only.

Wagtail 8's API v3 preview is deliberately not installed: it shows drafts to
logged-in callers and has write endpoints.

- ``views``: the endpoints (articles, pages, images, documents);
- ``params`` and ``filters``: every query parameter, declared once;
- ``fields``: articles' provenance and the republishing right;
- ``limits``: partner keys and rate limits, around every API view;
- ``openapi``: /api/v2/openapi.json, built from the same declarations.
"""

from .router import api_router

__all__ = ["api_router"]
