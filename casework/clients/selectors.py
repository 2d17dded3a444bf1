"""Reads of clients, always through ``clients_visible_to(user)``."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any
from uuid import UUID

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery

from casework.accounts.models import Role
from casework.cases.models import Case
from casework.cases.selectors import cases_visible_to
from casework.clients.models import Client, ClientIdentifier
from casework.core.errors import NotFound
from casework.core.validation import fold


def clients_visible_to(user: Any) -> QuerySet[Client]:
    """Clients the user may see: through a visible case, or not yet referred anywhere and either
    created by the user or (intake workers) in their organization's intake pipeline."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Client.objects.none()
    if user.organization_id is None:
        return Client.objects.none()
    through_cases = cases_visible_to(user).order_by().values("client_id")
    has_case = Case.objects.filter(client=OuterRef("pk"))
    not_referred = ~Q(Exists(has_case))
    access = Q(id__in=Subquery(through_cases)) | (Q(created_by_id=user.id) & not_referred)
    if user.role == Role.INTAKE:
        access |= not_referred
    return Client.objects.filter(organization_id=user.organization_id).filter(access)


def client_get(*, user: Any, client_id: UUID | str) -> Client:
    try:
        return clients_visible_to(user).get(pk=client_id)
    except (Client.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound("Client not found.") from exc


_DATE_FORMATS = ("%Y-%m-%d", "%m/%d/%Y", "%m-%d-%Y", "%d.%m.%Y")


def _as_date(token: str) -> date | None:
    for pattern in _DATE_FORMATS:
        try:
            return datetime.strptime(token, pattern).date()
        except ValueError:
            continue
    return None


def client_search(*, user: Any, query: str) -> QuerySet[Client]:
    """Search by name (accent- and case-insensitive), date of birth or identifier.

    Every word must match: a date matches the date of birth, a word with digits matches an
    identifier exactly, and other words match any part of the name. "garcia 1980-05-01" finds
    the Garcias born that day.
    """
    queryset = clients_visible_to(user)
    for raw in re.split(r"[\s,]+", (query or "").strip()):
        if not raw:
            continue
        as_date = _as_date(raw)
        if as_date is not None:
            queryset = queryset.filter(birth_date=as_date)
            continue
        identifier = ClientIdentifier.objects.filter(client=OuterRef("pk"), value__iexact=raw)
        word = fold(raw)
        if any(ch.isdigit() for ch in raw):
            queryset = queryset.filter(Exists(identifier))
        elif word:
            queryset = queryset.filter(Q(search_name__contains=word) | Q(Exists(identifier)))
    return queryset
