"""The newsletter's public URLs, under /newsletter/ (and /en/newsletter/,
... in the other languages): cms/urls.py includes them in i18n_patterns."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.subscribe, name="newsletter_subscribe"),
    path("check-your-email/", views.check_email, name="newsletter_check_email"),
    path("confirm/<str:token>/", views.confirm, name="newsletter_confirm"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="newsletter_unsubscribe"),
    path(
        "webhooks/mailchimp/<str:secret>/",
        views.mailchimp_webhook,
        name="newsletter_mailchimp_webhook",
    ),
]
