"""bench-api only: production's settings with Wagtail's API v2 as it comes
out of the box (bench/api_oob_urls.py): no response cache, no rate limit, no
declared parameters."""

from cms.settings.production import *  # noqa: F403

ROOT_URLCONF = "bench.api_oob_urls"
