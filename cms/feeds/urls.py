from django.urls import path

from ..api.limits import rate_limited
from . import views

# Rate-limited like the API (per address, or per partner key).
feed = rate_limited(views.feed, scope="feeds")

app_name = "feeds"

urlpatterns = [
    path("rss.xml", feed, {"fmt": "rss"}, name="rss"),
    path("atom.xml", feed, {"fmt": "atom"}, name="atom"),
    path("feed.json", feed, {"fmt": "json"}, name="json"),
]
