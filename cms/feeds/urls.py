from django.urls import path

from . import views

app_name = "feeds"

urlpatterns = [
    path("rss.xml", views.feed, {"fmt": "rss"}, name="rss"),
    path("atom.xml", views.feed, {"fmt": "atom"}, name="atom"),
    path("feed.json", views.feed, {"fmt": "json"}, name="json"),
]
