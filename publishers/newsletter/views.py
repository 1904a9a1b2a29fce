"""The public newsletter pages: sign-up, confirmation, unsubscription, and
Mailchimp's webhook.

None of them goes through the public response cache (cms/caching.py): they
carry a CSRF token or act on a signed link, and answer ``never_cache``.
Confirmation and unsubscription act on POST only, so that the GET of a mail
scanner following links changes nothing; RFC 8058's one-click POST (body
``List-Unsubscribe=One-Click``) comes from a mail provider, without a CSRF
token, and its signed link is its credential.
"""

from __future__ import annotations

import hmac
import logging
import math
import time

from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import get_language
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods

from cms.api.limits import client_address
from publishers.backends.newsletter import InvalidWebhook, newsletter_backend

from .conf import newsletter_setting
from .consent import consent_get
from .forms import ConfirmForm, SignupForm
from .models import Subscriber
from .services import (
    Confirmation,
    subscriber_confirm,
    subscriber_signup,
    subscriber_unsubscribe,
)
from .tokens import TokenProblem, confirm_token_check, unsubscribe_token_check
from .webhooks import webhook_events_apply

logger = logging.getLogger(__name__)

TEMPLATES = "publishers/newsletter"
RATE_WINDOW_SECONDS = 3600


def _signup_counted(request: HttpRequest) -> int:
    """Count one sign-up POST from this client address in the hour; returns
    the seconds to wait when over NEWSLETTER_SIGNUPS_PER_HOUR, else 0. (A
    fixed window in the shared cache, as cms.api.limits counts.)"""
    now = time.time()
    window = int(now // RATE_WINDOW_SECONDS)
    counter = f"newsletter-signup:{client_address(request)}:{window}"
    cache.add(counter, 0, timeout=RATE_WINDOW_SECONDS * 2)
    try:
        count = cache.incr(counter)
    except ValueError:  # evicted between add and incr
        cache.set(counter, 1, timeout=RATE_WINDOW_SECONDS * 2)
        count = 1
    if count <= newsletter_setting("NEWSLETTER_SIGNUPS_PER_HOUR"):
        return 0
    return max(1, math.ceil((window + 1) * RATE_WINDOW_SECONDS - now))


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def subscribe(request: HttpRequest) -> HttpResponse:
    language = get_language() or "ja"
    consent = consent_get(language=language)
    form = SignupForm()
    if request.method == "POST":
        wait = _signup_counted(request)
        if wait:
            logger.info("Newsletter sign-up rate limit reached")
            response = TemplateResponse(
                request,
                f"{TEMPLATES}/too_many.html",
                {"minutes": math.ceil(wait / 60)},
                status=429,
            )
            response["Retry-After"] = str(wait)
            return response
        form = SignupForm(request.POST)
        if form.is_bot():
            # The same answer as a person gets: nothing tells the bot.
            logger.info("Newsletter sign-up refused: the honeypot was filled")
            return redirect("newsletter_check_email")
        if form.is_valid():
            data = form.cleaned_data
            subscriber_signup(
                email=data["email"],
                organisation=data["organisation"],
                prefecture=data["prefecture"],
                regions=data["regions"],
                topics=data["topics"],
                language=language,
                consent=consent,
            )
            return redirect("newsletter_check_email")
    return TemplateResponse(
        request,
        f"{TEMPLATES}/subscribe.html",
        {
            "form": form,
            "consent": consent,
            "via_mailchimp": newsletter_backend() is not None,
        },
    )


@never_cache
def check_email(request: HttpRequest) -> HttpResponse:
    return TemplateResponse(
        request,
        f"{TEMPLATES}/check_email.html",
        {"via_mailchimp": newsletter_backend() is not None},
    )


_PROBLEMS = {
    TokenProblem.INVALID: 400,
    TokenProblem.EXPIRED: 410,
    TokenProblem.UNKNOWN: 404,
}


def _link_problem(
    request: HttpRequest, problem: TokenProblem, kind: str
) -> HttpResponse:
    return TemplateResponse(
        request,
        f"{TEMPLATES}/link_problem.html",
        {"problem": problem.value, "kind": kind},
        status=_PROBLEMS[problem],
    )


def _choices(subscriber: Subscriber) -> dict:
    """What a confirmation applies: the pending change, or the row."""
    from cms.models import Region, Topic

    from .models import Prefecture

    change = subscriber.pending_change
    if change:
        return {
            "organisation": change.get("organisation", ""),
            "prefecture": Prefecture(change["prefecture"]).label
            if change.get("prefecture")
            else "",
            "regions": list(Region.objects.filter(pk__in=change.get("regions", []))),
            "topics": list(Topic.objects.filter(pk__in=change.get("topics", []))),
        }
    return {
        "organisation": subscriber.organisation,
        "prefecture": subscriber.get_prefecture_display(),
        "regions": list(subscriber.regions.all()),
        "topics": list(subscriber.topics.all()),
    }


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    checked = confirm_token_check(token)
    if checked.problem is not None:
        return _link_problem(request, checked.problem, "confirm")
    subscriber = checked.subscriber
    if request.method == "POST":
        outcome = subscriber_confirm(subscriber=subscriber, nonce=checked.nonce)
        return TemplateResponse(
            request, f"{TEMPLATES}/confirmed.html", {"outcome": outcome.value}
        )
    open_ = bool(subscriber.confirm_nonce) and hmac.compare_digest(
        subscriber.confirm_nonce, checked.nonce
    )
    if not open_:
        outcome = (
            Confirmation.ALREADY
            if subscriber.status == Subscriber.Status.SUBSCRIBED
            and not subscriber.pending_change
            else Confirmation.REPLACED
        )
        return TemplateResponse(
            request, f"{TEMPLATES}/confirmed.html", {"outcome": outcome.value}
        )
    return TemplateResponse(
        request,
        f"{TEMPLATES}/confirm.html",
        {
            "subscriber": subscriber,
            "change": bool(subscriber.pending_change),
            "choices": _choices(subscriber),
            "form": ConfirmForm(),
        },
    )


@csrf_protect
def _unsubscribe_by_form(request: HttpRequest, subscriber: Subscriber) -> HttpResponse:
    subscriber_unsubscribe(subscriber=subscriber, reason="link")
    return TemplateResponse(request, f"{TEMPLATES}/unsubscribed.html", {})


@csrf_exempt
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET: a page with a button; POST from that page (CSRF-checked):
    unsubscribe; POST ``List-Unsubscribe=One-Click`` (RFC 8058, sent by the
    mail provider, no cookies): unsubscribe at once, answer in plain text."""
    checked = unsubscribe_token_check(token)
    one_click = (
        request.method == "POST"
        and request.POST.get("List-Unsubscribe", "").strip() == "One-Click"
    )
    if one_click:
        if checked.problem is not None:
            return HttpResponse(
                "This unsubscribe link is not valid.",
                status=_PROBLEMS[checked.problem],
                content_type="text/plain; charset=utf-8",
            )
        subscriber_unsubscribe(subscriber=checked.subscriber, reason="one-click")
        return HttpResponse("Unsubscribed.", content_type="text/plain; charset=utf-8")
    if checked.problem is not None:
        return _link_problem(request, checked.problem, "unsubscribe")
    if request.method == "POST":
        return _unsubscribe_by_form(request, checked.subscriber)
    return TemplateResponse(
        request,
        f"{TEMPLATES}/unsubscribe.html",
        {"subscriber": checked.subscriber, "form": ConfirmForm()},
    )


@csrf_exempt
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def mailchimp_webhook(request: HttpRequest, secret: str) -> HttpResponse:
    """Mailchimp's audience webhook. The secret in the URL is its only
    credential (Mailchimp signs nothing): a wrong one is a page that does
    not exist. Mailchimp checks the URL with a GET when it is saved."""
    expected = newsletter_setting("MAILCHIMP_WEBHOOK_SECRET")
    backend = newsletter_backend()
    if (
        not expected
        or backend is None
        or not hmac.compare_digest(secret.encode(), str(expected).encode())
    ):
        raise Http404
    if request.method in ("GET", "HEAD"):
        return HttpResponse("ok", content_type="text/plain; charset=utf-8")
    try:
        events = backend.webhook_events(request.POST)
    except InvalidWebhook as error:
        return HttpResponse(
            f"Not a Mailchimp webhook: {error}",
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    notes = webhook_events_apply(events=events)
    logger.info("Mailchimp webhook: %s", "; ".join(notes) or "no events")
    return HttpResponse(
        "\n".join(notes) or "no events", content_type="text/plain; charset=utf-8"
    )
