"""The notification list: newest first, mark one read (and follow its link), mark all read."""

from __future__ import annotations

from typing import cast
from uuid import UUID

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from casework.accounts.models import User
from casework.monitoring.selectors.notifications import notification_get, notifications_for
from casework.monitoring.services.notifications import (
    notification_mark_read,
    notifications_mark_all_read,
)
from casework.web.access import login_required
from casework.web.errors import is_htmx, web_errors

PAGE_SIZE = 100


def _render(request: HttpRequest) -> HttpResponse:
    user = cast(User, request.user)
    show_all = request.GET.get("all") == "1" or request.POST.get("all") == "1"
    notifications = list(notifications_for(user, unread_only=not show_all)[:PAGE_SIZE])
    context = {"notifications": notifications, "show_all": show_all}
    template = (
        "monitoring/_notification_list.html"
        if is_htmx(request)
        else "monitoring/notifications.html"
    )
    return render(request, template, context)


@login_required
@web_errors
def notification_list(request: HttpRequest) -> HttpResponse:
    """Unread notifications (``?all=1``: the latest, read or not)."""
    return _render(request)


@login_required
@require_POST
@web_errors
def notification_read(request: HttpRequest, notification_id: UUID) -> HttpResponse:
    """Mark one read; ``open=1`` then follows its link (ours only)."""
    user = cast(User, request.user)
    notification = notification_get(user=user, notification_id=notification_id)
    notification_mark_read(acting_user=user, notification=notification)
    target = notification.url
    if (
        request.POST.get("open") == "1"
        and target
        and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()})
    ):
        return redirect(target)
    if is_htmx(request):
        return _render(request)
    return redirect("monitoring:notifications")


@login_required
@require_POST
@web_errors
def notification_read_all(request: HttpRequest) -> HttpResponse:
    marked = notifications_mark_all_read(acting_user=cast(User, request.user))
    if is_htmx(request):
        return _render(request)
    messages.success(request, f"{marked} notification{'s' if marked != 1 else ''} marked read.")
    return redirect("monitoring:notifications")
