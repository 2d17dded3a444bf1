"""Remote monitoring on the client chart: open alerts (acknowledge in place), one small inline
SVG trend per reading over the last 90 days with its threshold lines, and the check-in link
button. The chart loads the section by HTMX; the same URL is a page of its own."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any, cast
from uuid import UUID

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from casework.accounts.models import User
from casework.audit.services import audit_read_many
from casework.clients.models import Client
from casework.monitoring.forms.remote import AcknowledgeForm, CheckInLinkForm, RevokeForm
from casework.monitoring.selectors import remote as selectors
from casework.monitoring.services import remote as services
from casework.web.access import login_required
from casework.web.errors import form_errors, form_status, is_htmx, web_errors

WIDTH = 320
HEIGHT = 120
PAD_LEFT = 34
PAD_RIGHT = 8
PAD_Y = 10


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


@dataclass
class Line:
    y: float
    value: Decimal
    label: str
    severity: str


@dataclass
class Chart:
    code: str
    label: str
    unit: str
    points: str
    dots: list[tuple[float, float]]
    lines: list[Line]
    rows: list[Any]
    latest: Any
    y_top: str
    y_bottom: str
    # Thresholds over several readings, which no line can draw ("alert on a rise of ≥ …").
    rises: list[str]


def _show(value: Decimal) -> str:
    return format(value.normalize(), "f")


def _chart(trend: selectors.Trend, *, since: datetime, now: datetime) -> Chart:
    """Geometry of one trend: time across, value up; the scale covers the readings and the
    threshold lines in force, so a line is always drawn where it belongs."""
    values = [p.value_decimal for p in trend.points if p.value_decimal is not None]
    bounds: list[tuple[Decimal, str, str]] = []
    effective = trend.effective
    if effective is not None:
        for name, sign, severity in (
            ("critical_high", "≥", "critical"),
            ("high", "≥", "alert"),
            ("low", "<", "alert"),
            ("critical_low", "<", "critical"),
        ):
            bound = getattr(effective, name)
            if bound is not None:
                bounds.append((bound, f"{sign} {_show(bound)} {severity}", severity))
    everything = values + [b[0] for b in bounds]
    top, bottom = max(everything), min(everything)
    if top == bottom:
        top, bottom = top + 1, bottom - 1
    span_value = float(top - bottom)
    span_time = max((now - since).total_seconds(), 1.0)
    plot_width = WIDTH - PAD_LEFT - PAD_RIGHT
    plot_height = HEIGHT - 2 * PAD_Y

    def y_of(value: Decimal) -> float:
        return round(PAD_Y + (float(top - value) / span_value) * plot_height, 1)

    def x_of(at: datetime) -> float:
        offset = min(max((at - since).total_seconds(), 0.0), span_time)
        return round(PAD_LEFT + offset / span_time * plot_width, 1)

    dots = [
        (x_of(p.effective_at), y_of(p.value_decimal))
        for p in trend.points
        if p.value_decimal is not None
    ]
    return Chart(
        code=trend.code,
        label=trend.label,
        unit="" if trend.unit == "{score}" else trend.unit,
        points=" ".join(f"{x},{y}" for x, y in dots),
        dots=dots,
        lines=[Line(y_of(value), value, label, severity) for value, label, severity in bounds],
        rows=list(reversed(trend.points)),
        latest=trend.points[-1],
        y_top=_show(top),
        y_bottom=_show(bottom),
        rises=[
            f"alert on a rise of ≥ {_show(rise)} {trend.unit} in "
            + ("a day" if days == 1 else f"{days} days")
            for rise, days, _ in (effective.rises if effective is not None else ())
        ],
    )


def _section_context(
    user: User, client: Client, *, acknowledge_forms: dict[str, AcknowledgeForm] | None = None
) -> dict[str, Any]:
    now = timezone.now()
    since = now - timedelta(days=selectors.TREND_DAYS)
    alerts = list(selectors.alerts_for_client(client=client).order_by("-created_at", "-id"))
    trends = selectors.trends_for_client(client=client, now=now)
    audit_read_many(actor=user, object_type="monitoring.alert", ids=[a.pk for a in alerts])
    audit_read_many(
        actor=user,
        object_type="assessments.observation",
        ids=[p.pk for trend in trends for p in trend.points],
    )
    forms = acknowledge_forms or {}
    return {
        "client": client,
        "alerts": [
            {
                "alert": alert,
                "form": forms.get(str(alert.pk))
                or AcknowledgeForm(initial={"version": alert.version}, prefix=f"a{alert.pk}"),
            }
            for alert in alerts
        ],
        "charts": [_chart(trend, since=since, now=now) for trend in trends],
        "link_form": CheckInLinkForm(),
        "links": list(selectors.check_in_links_for_client(client=client)),
        "days": selectors.TREND_DAYS,
        "width": WIDTH,
        "height": HEIGHT,
        "pad_left": PAD_LEFT,
        "plot_right": WIDTH - PAD_RIGHT,
    }


def _render(request: HttpRequest, context: dict[str, Any], status: int = 200) -> HttpResponse:
    template = "monitoring/remote_section.html" if is_htmx(request) else "monitoring/remote.html"
    return render(request, template, context, status=status)


@login_required
@web_errors
def client_remote(request: HttpRequest, client_id: UUID) -> HttpResponse:
    """Remote monitoring of one client; an HTMX request (the client chart) gets the section."""
    user = _user(request)
    client = selectors.monitored_client_get(user=user, client_id=client_id)
    return _render(request, _section_context(user, client))


@login_required
@require_POST
@web_errors
def alert_acknowledge(request: HttpRequest, alert_id: UUID) -> HttpResponse:
    """Acknowledge an alert with a note; a stale version says it was changed by someone else."""
    user = _user(request)
    alert = selectors.alert_get(user=user, alert_id=alert_id)
    client = selectors.monitored_client_get(user=user, client_id=alert.client_id)
    form = AcknowledgeForm(request.POST, prefix=f"a{alert.pk}")
    if form.is_valid():
        with form_errors(form):
            services.alert_acknowledge(
                acting_user=user,
                alert=alert,
                expected_version=form.cleaned_data["version"],
                note=form.cleaned_data["note"],
            )
        if not form.errors:
            if is_htmx(request):
                return _render(request, _section_context(user, client))
            messages.success(request, "The alert is acknowledged and its work items closed.")
            return redirect("web:client_detail", client_id=client.pk)
    context = _section_context(user, client, acknowledge_forms={str(alert.pk): form})
    return _render(request, context, status=form_status(form))


@login_required
@require_POST
@web_errors
def check_in_link_new(request: HttpRequest, client_id: UUID) -> HttpResponse:
    """Make a check-in link and show it once (only its digest is kept)."""
    user = _user(request)
    client = selectors.monitored_client_get(user=user, client_id=client_id)
    form = CheckInLinkForm(request.POST)
    url = ""
    link = None
    if form.is_valid():
        with form_errors(form):
            link, path = services.check_in_link_create(
                acting_user=user,
                client=client,
                readings=form.cleaned_data["readings"],
                days=form.cleaned_data["days"],
            )
            url = request.build_absolute_uri(path)
    status = 201 if link is not None else form_status(form)
    template = (
        "monitoring/remote_link_fragment.html"
        if is_htmx(request)
        else "monitoring/remote_link.html"
    )
    response = render(
        request,
        template,
        {"client": client, "form": form, "link": link, "url": url},
        status=status,
    )
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
@web_errors
def check_in_link_revoke(request: HttpRequest, link_id: UUID) -> HttpResponse:
    user = _user(request)
    link = selectors.check_in_link_get(user=user, link_id=link_id)
    form = RevokeForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Reload the page and try again.")
    else:
        with form_errors(form):
            services.check_in_link_revoke(
                acting_user=user, link=link, expected_version=form.cleaned_data["version"]
            )
        if form.errors:
            for error in form.non_field_errors():
                messages.error(request, str(error))
        else:
            messages.success(request, "The check-in link no longer works.")
    return redirect("monitoring:client_remote", client_id=link.client_id)
