"""The unsubscribe page (no login: the signed link is the credential) and development's mailbox."""

from __future__ import annotations

from csp.decorators import csp_replace
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from apps.accounts.roles import is_super_admin
from apps.notifications.kinds import UnknownKind, get_kind
from apps.notifications.models import Channel
from apps.notifications.services import EssentialKind, preference_set

from . import selectors
from .unsubscribe import BadToken, read_unsubscribe_token


# No session and no CSRF token: a mail provider's one-click POST (RFC 8058) has
# neither. The signed token is what authorizes, and it only turns emails off.
@csrf_exempt
@login_not_required
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET: a page with one button; POST (that button, or one-click): emails of the kind off."""
    try:
        user_id, kind_name = read_unsubscribe_token(token)
        kind = get_kind(kind_name)
    except (BadToken, UnknownKind):
        return _refused(request, "This unsubscribe link is not valid.", status=400)
    if not get_user_model().objects.filter(pk=user_id).exists():
        return _refused(request, "This account no longer exists.", status=404)
    context = {"kind": kind}
    if request.method == "GET":
        return render(request, "mailing/unsubscribe.html", context)
    try:
        preference_set(user_id=user_id, kind=kind.name, channel=Channel.EMAIL, enabled=False)
    except EssentialKind as error:
        return _refused(request, str(error), status=400)
    return render(request, "mailing/unsubscribed.html", context)


def _refused(request: HttpRequest, reason: str, *, status: int) -> HttpResponse:
    return render(request, "mailing/unsubscribe_refused.html", {"reason": reason}, status=status)


def _super_admin_only(request: HttpRequest) -> None:
    if not is_super_admin(request.user):
        raise PermissionDenied("The development mailbox is for super admins.")


@require_GET
def mailbox(request: HttpRequest) -> HttpResponse:
    """Development: every email sent, newest first."""
    _super_admin_only(request)
    return render(request, "mailing/mailbox.html", {"messages": selectors.mailbox(limit=200)})


@require_GET
def mailbox_message(request: HttpRequest, message_id: int) -> HttpResponse:
    """Development: one email, its text as text and its HTML in a sandboxed frame."""
    _super_admin_only(request)
    message = get_object_or_404(selectors.mailbox(), pk=message_id)
    return render(request, "mailing/mailbox_message.html", {"message": message})


# The email's own HTML, for the frame of mailbox_message only: framed by this site
# alone, sandboxed (no script runs, opaque origin), loading nothing from anywhere.
@require_GET
@xframe_options_sameorigin
@csp_replace(
    {
        "default-src": ["'none'"],
        "style-src": ["'unsafe-inline'"],
        "img-src": ["data:"],
        "script-src": None,
        "connect-src": None,
        "font-src": None,
        "base-uri": ["'none'"],
        "form-action": ["'none'"],
        "frame-ancestors": ["'self'"],
        "sandbox": True,
    }
)
def mailbox_message_html(request: HttpRequest, message_id: int) -> HttpResponse:
    _super_admin_only(request)
    message = get_object_or_404(selectors.mailbox(), pk=message_id)
    return HttpResponse(message.html, content_type="text/html; charset=utf-8")
