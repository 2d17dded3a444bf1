from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse


@login_required
def caseload(request: HttpRequest) -> HttpResponse:
    return HttpResponse("caseload")


@login_required
def client_search(request: HttpRequest) -> HttpResponse:
    return HttpResponse("clients")


@login_required
def team(request: HttpRequest) -> HttpResponse:
    return HttpResponse("team")
