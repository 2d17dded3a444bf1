"""Reads of assessments. The three set-based functions at the bottom are the interface that
risk stratification and the predictive model use (a constant number of queries per batch)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from uuid import UUID

from django.db.models import F, Q, QuerySet, Subquery, Window
from django.db.models.functions import RowNumber

from casework.assessments.models import (
    AssessmentResponse,
    Instrument,
    NeedStatus,
    Observation,
    ProposedNeed,
    ResponseStatus,
)
from casework.assessments.scoring import InstrumentDefinition, definition_from
from casework.clients.models import Client
from casework.clients.selectors import clients_visible_to
from casework.core.errors import NotFound

OPEN_NEED_STATUSES = (NeedStatus.PROPOSED, NeedStatus.ACCEPTED)


# ----------------------------------------------------------------------------------------------
# Instruments (definitions are not client data: anyone signed in may read them)


def instruments_active() -> QuerySet[Instrument]:
    return Instrument.objects.filter(is_active=True).order_by("short_name")


def instrument_find(code: str) -> Instrument | None:
    """The active instrument with this panel code (LOINC or local), also written as
    ``system|code`` or as a Questionnaire URL ending in the code, or with this short name."""
    code = (code or "").strip()
    if not code:
        return None
    candidates = [code, code.rsplit("|", 1)[-1], code.rstrip("/").rsplit("/", 1)[-1]]
    for candidate in dict.fromkeys(c for c in candidates if c):
        found = instruments_active().filter(code=candidate).first()
        if found is not None:
            return found
    by_url = instruments_active().filter(definition__url=code).first()
    return by_url or instruments_active().filter(short_name__iexact=code).first()


def instrument_get(code: str) -> Instrument:
    found = instrument_find(code)
    if found is None:
        raise NotFound("Instrument not found.")
    return found


def instrument_definition(instrument: Instrument) -> InstrumentDefinition:
    return definition_from(instrument.definition, instrument.scoring, instrument.short_name)


# ----------------------------------------------------------------------------------------------
# Responses, observations, needs -- always through the clients the user may see


def responses_visible_to(user: Any) -> QuerySet[AssessmentResponse]:
    visible = clients_visible_to(user).values("pk")
    return AssessmentResponse.objects.filter(client_id__in=Subquery(visible))


def response_get(*, user: Any, response_id: UUID | str) -> AssessmentResponse:
    """A response to an instrument for a client the user may see, or ``NotFound``."""
    try:
        return (
            responses_visible_to(user)
            .select_related("instrument", "client", "started_by", "completed_by")
            .get(pk=response_id)
        )
    except (AssessmentResponse.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound("Assessment not found.") from exc


def response_refreshed(response: AssessmentResponse) -> AssessmentResponse:
    """A response the caller already holds (fetched through ``response_get`` or just written),
    read again with what its output shows."""
    return AssessmentResponse.objects.select_related(
        "instrument", "client", "started_by", "completed_by"
    ).get(pk=response.pk)


def responses_for_client(
    *, client: Client, instrument_code: str = "", status: str = ""
) -> QuerySet[AssessmentResponse]:
    """A client's responses (the caller has already fetched ``client`` through ``client_get``)."""
    queryset = AssessmentResponse.objects.filter(client=client).select_related(
        "instrument", "client", "started_by", "completed_by"
    )
    if instrument_code:
        queryset = queryset.filter(instrument__code=instrument_code)
    if status:
        queryset = queryset.filter(status=status)
    return queryset


def observations_for_client(*, client: Client, code: str = "") -> list[Observation]:
    """A client's coded observations in time order -- one indexed query (``observation_trend``)."""
    queryset = Observation.objects.filter(client=client)
    if code:
        queryset = queryset.filter(code=code)
    return list(queryset.order_by("code", "effective_at", "id"))


@dataclass
class Trend:
    code: str
    system: str
    display: str
    count: int
    first: Observation
    latest: Observation

    @property
    def change(self) -> Decimal | None:
        if self.first.value_decimal is None or self.latest.value_decimal is None:
            return None
        return self.latest.value_decimal - self.first.value_decimal


def trends(observations: Sequence[Observation]) -> list[Trend]:
    """First and latest value per code, from observations already in (code, time) order."""
    grouped: dict[str, list[Observation]] = {}
    for observation in observations:
        grouped.setdefault(observation.code, []).append(observation)
    return [
        Trend(
            code=code,
            system=rows[0].system,
            display=rows[-1].display,
            count=len(rows),
            first=rows[0],
            latest=rows[-1],
        )
        for code, rows in grouped.items()
    ]


def needs_for_client(*, client: Client, status: str = "") -> QuerySet[ProposedNeed]:
    queryset = ProposedNeed.objects.filter(client=client).select_related("response__instrument")
    if status == "open":
        queryset = queryset.filter(status__in=OPEN_NEED_STATUSES)
    elif status:
        queryset = queryset.filter(status=status)
    return queryset.order_by("domain", "-created_at", "id")


# ----------------------------------------------------------------------------------------------
# The set-based interface for stratification and the predictive model


def flags_for_clients(client_ids: Iterable[UUID]) -> dict[UUID, list[dict[str, Any]]]:
    """Flags raised by each client's latest completed response to each instrument.

    Each flag: ``{"code": "phq9_item9_positive", "instrument": "44249-1", "label": "…",
    "severity": "urgent"|"routine"}``. Clients without flags are absent. One query.
    """
    ids = list(client_ids)
    if not ids:
        return {}
    ranked = (
        AssessmentResponse.objects.filter(client_id__in=ids, status=ResponseStatus.COMPLETED)
        .annotate(
            rank=Window(
                RowNumber(),
                partition_by=[F("client_id"), F("instrument_id")],
                order_by=[F("completed_at").desc(), F("created_at").desc()],
            )
        )
        .filter(rank=1)
        .values_list("client_id", "instrument__code", "flags")
    )
    found: dict[UUID, list[dict[str, Any]]] = {}
    for client_id, instrument_code, flags in ranked:
        for flag in flags or []:
            found.setdefault(client_id, []).append({**flag, "instrument": instrument_code})
    return found


def latest_scores_for_clients(
    client_ids: Iterable[UUID], codes: Iterable[str]
) -> dict[UUID, dict[str, float]]:
    """The latest score observation per client for each LOINC score code asked for, e.g.
    ``{"44261-6": 14.0}`` (PHQ-9 total). One query."""
    ids = list(client_ids)
    wanted = list(codes)
    if not ids or not wanted:
        return {}
    ranked = (
        Observation.objects.filter(
            client_id__in=ids, code__in=wanted, value_decimal__isnull=False, status="final"
        )
        .annotate(
            rank=Window(
                RowNumber(),
                partition_by=[F("client_id"), F("code")],
                order_by=[F("effective_at").desc(), F("id").desc()],
            )
        )
        .filter(rank=1)
        .values_list("client_id", "code", "value_decimal")
    )
    found: dict[UUID, dict[str, float]] = {}
    for client_id, code, value in ranked:
        if value is not None:
            found.setdefault(client_id, {})[code] = float(value)
    return found


def open_needs_for_clients(client_ids: Iterable[UUID]) -> dict[UUID, list[str]]:
    """Domains of each client's proposed or accepted social needs, e.g. ``["food", "housing"]``.
    One query."""
    ids = list(client_ids)
    if not ids:
        return {}
    rows = (
        ProposedNeed.objects.filter(client_id__in=ids, status__in=OPEN_NEED_STATUSES)
        .order_by("client_id", "domain")
        .values_list("client_id", "domain")
        .distinct()
    )
    found: dict[UUID, list[str]] = {}
    for client_id, domain in rows:
        found.setdefault(client_id, []).append(domain)
    return found


def open_need_for(*, client_id: UUID, code: str) -> ProposedNeed | None:
    """The client's open need with this code, if one is already proposed or accepted."""
    return (
        ProposedNeed.objects.filter(
            Q(client_id=client_id) & Q(code=code) & Q(status__in=OPEN_NEED_STATUSES)
        )
        .order_by("created_at")
        .first()
    )
