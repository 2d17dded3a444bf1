"""Assessment pages: a client's assessments with score trends, a one-page form per instrument
rendered from its Questionnaire (save draft / submit), and the result of a submitted one.

Views fetch through access-scoped selectors (``client_get``, ``response_get``), call one service
and render; every page that shows client data writes an audit event.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, cast
from uuid import UUID

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from casework.accounts.models import User
from casework.assessments import services
from casework.assessments.models import AssessmentResponse, Instrument, ResponseStatus
from casework.assessments.schemas import assessment_out, number
from casework.assessments.scoring import InstrumentDefinition, ItemDef, answer_codes
from casework.assessments.selectors import (
    instrument_definition,
    instrument_find,
    instruments_active,
    observations_for_client,
    response_get,
    responses_for_client,
    trends,
)
from casework.audit.services import audit_read, audit_read_many
from casework.clients.selectors import client_get
from casework.core.errors import ApplicationError, NotFound, StaleVersion
from casework.monitoring.selectors import work_items_from_source
from casework.web.access import login_required
from casework.web.errors import error_messages, humanize, web_errors

FIELD_PREFIX = "item-"
WIDGETS = {
    "choice": "radio",
    "open-choice": "radio",
    "boolean": "boolean",
    "text": "textarea",
    "string": "text",
    "integer": "number",
    "decimal": "number",
    "date": "date",
}


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


# ----------------------------------------------------------------------------------------------
# The form, built from the Questionnaire


@dataclass
class OptionView:
    code: str
    display: str
    value: Any
    checked: bool


@dataclass
class ItemView:
    key: str
    name: str
    code: str
    text: str
    widget: str
    required: bool
    options: list[OptionView] = field(default_factory=list)
    value: str = ""
    error: str = ""


@dataclass
class SectionView:
    label: str
    items: list[ItemView]


def _raw_values(definition: InstrumentDefinition, answers: dict[str, Any]) -> dict[str, Any]:
    """Stored answers as form values: option codes (a list for multi-select), or text."""
    values: dict[str, Any] = {}
    for key, answer in answer_codes(answers).items():
        item = definition.item(key)
        if item is None:
            continue
        if item.type == "boolean":
            values[key] = "true" if answer else "false"
        elif isinstance(answer, list):
            values[key] = [str(a) for a in answer if a is not None]
        else:
            values[key] = "" if answer is None else str(answer)
    return values


def _posted(request: HttpRequest, definition: InstrumentDefinition) -> dict[str, Any]:
    """What the form sent, per item key (``None`` for an item left empty)."""
    values: dict[str, Any] = {}
    for item in definition.answerable:
        name = FIELD_PREFIX + item.key
        if item.repeats:
            chosen = [v for v in request.POST.getlist(name) if v]
            values[item.key] = chosen or None
        else:
            raw = request.POST.get(name, "").strip()
            values[item.key] = raw or None
    return values


def _answers_from(values: dict[str, Any]) -> dict[str, Any]:
    """Form values -> service answers (booleans as booleans; empty items left out)."""
    answers: dict[str, Any] = {}
    for key, value in values.items():
        if value is None:
            continue
        if value in ("true", "false"):
            answers[key] = value == "true"
        else:
            answers[key] = value
    return answers


def _item_view(item: ItemDef, values: dict[str, Any], errors: dict[str, str]) -> ItemView:
    current = values.get(item.key)
    chosen = set(current) if isinstance(current, list) else {current} if current else set()
    widget = WIDGETS.get(item.type, "text")
    if item.repeats and item.options:
        widget = "checkbox"
    view = ItemView(
        key=item.key,
        name=FIELD_PREFIX + item.key,
        code=item.code,
        text=item.text,
        widget=widget,
        required=item.required,
        value="" if isinstance(current, list) or current is None else str(current),
        error=errors.get(item.key) or errors.get(item.code, ""),
    )
    view.options = [
        OptionView(
            code=str(option.code),
            display=option.display,
            value=number(option.value) if option.value is not None else None,
            checked=str(option.code) in chosen,
        )
        for option in item.options
        if option.code is not None
    ]
    return view


def _sections(
    definition: InstrumentDefinition, values: dict[str, Any], errors: dict[str, str]
) -> list[SectionView]:
    """Items grouped as the Questionnaire groups them, or by the screening domains of a flat
    LOINC form (the AHC), or as one list."""
    items = {item.key: item for item in definition.answerable}
    groups: list[tuple[str, list[str]]] = [
        (section.text, list(section.items)) for section in definition.sections
    ]
    if not groups:
        domains = definition.scoring.get("domains") or []
        placed: set[str] = set()
        for domain in domains:
            keys = [str(k) for k in domain.get("items", []) if str(k) in items]
            placed.update(keys)
            groups.append((str(domain.get("label", "")), keys))
        rest = [key for key in items if key not in placed]
        if rest and domains:
            groups.append(("Other questions", rest))
        elif rest:
            groups.append(("", rest))
    sections = []
    for label, keys in groups:
        views = [_item_view(items[key], values, errors) for key in keys if key in items]
        if views:
            sections.append(SectionView(label=label, items=views))
    return sections


def _form_context(
    *,
    client: Any,
    instrument: Instrument,
    values: dict[str, Any],
    errors: dict[str, str] | None = None,
    error_lines: list[str] | None = None,
    response: AssessmentResponse | None = None,
) -> dict[str, Any]:
    definition = instrument_definition(instrument)
    return {
        "client": client,
        "instrument": instrument,
        "description": instrument.definition.get("description", ""),
        "copyright": instrument.definition.get("copyright", ""),
        "sections": _sections(definition, values, errors or {}),
        "error_lines": error_lines or [],
        "response": response,
        "field_prefix": FIELD_PREFIX,
    }


def _refusal(exc: ApplicationError) -> tuple[dict[str, str], list[str]]:
    per_item = {
        str(item["field"]): humanize(str(item.get("message", "")))
        for item in exc.errors
        if item.get("field")
    }
    return per_item, error_messages(exc)


# ----------------------------------------------------------------------------------------------
# Pages


@login_required
@web_errors
def assessment_list(request: HttpRequest, client_id: UUID) -> HttpResponse:
    """A client's assessments, newest first, with first-vs-latest per score code."""
    user = _user(request)
    client = client_get(user=user, client_id=client_id)
    responses = list(responses_for_client(client=client).order_by("-created_at", "-id")[:200])
    observations = observations_for_client(client=client)
    audit_read(actor=user, obj=client, client_id=client.pk, purpose="assessments")
    audit_read_many(
        actor=user,
        object_type="assessments.assessmentresponse",
        ids=[response.pk for response in responses],
    )
    context = {
        "client": client,
        "responses": responses,
        "trends": trends(observations),
        "instruments": list(instruments_active()),
    }
    return render(request, "assessments/list.html", context)


@login_required
@web_errors
def assessment_new(request: HttpRequest, client_id: UUID) -> HttpResponse:
    """The one-page form of an instrument (``?instrument=<code>``); "Save draft" keeps what is
    answered so far, "Submit" scores it."""
    user = _user(request)
    client = client_get(user=user, client_id=client_id)
    code = request.GET.get("instrument") or request.POST.get("instrument") or ""
    instrument = instrument_find(code)
    if instrument is None:
        raise NotFound("Instrument not found.")
    if request.method != "POST":
        audit_read(actor=user, obj=client, client_id=client.pk, purpose="assessment form")
        context = _form_context(client=client, instrument=instrument, values={})
        return render(request, "assessments/form.html", context)
    definition = instrument_definition(instrument)
    values = _posted(request, definition)
    draft = request.POST.get("action") == "draft"
    try:
        response = services.assessment_create(
            acting_user=user,
            client=client,
            instrument_code=instrument.code,
            answers=_answers_from(values),
            status=ResponseStatus.DRAFT if draft else ResponseStatus.COMPLETED,
        )
    except NotFound:
        raise
    except ApplicationError as exc:
        errors, lines = _refusal(exc)
        context = _form_context(
            client=client, instrument=instrument, values=values, errors=errors, error_lines=lines
        )
        return render(request, "assessments/form.html", context, status=exc.status_code)
    return _after_save(request, response, draft=draft)


def _after_save(request: HttpRequest, response: AssessmentResponse, *, draft: bool) -> HttpResponse:
    if draft:
        messages.success(request, "Draft saved. You can come back to it from the client's list.")
    else:
        messages.success(request, f"{response.instrument.short_name} submitted.")
    return redirect(reverse("assessments:detail", args=[response.pk]))


@login_required
@web_errors
def assessment_detail(request: HttpRequest, assessment_id: UUID) -> HttpResponse:
    """A draft reopens in its form; a completed assessment shows its result."""
    user = _user(request)
    response = response_get(user=user, response_id=assessment_id)
    client = response.client
    instrument = response.instrument
    definition = instrument_definition(instrument)
    if response.status == ResponseStatus.DRAFT:
        if request.method == "POST":
            return _save_draft(request, response, definition)
        audit_read(actor=user, obj=response, client_id=client.pk, purpose="draft")
        context = _form_context(
            client=client,
            instrument=instrument,
            values=_raw_values(definition, response.answers),
            response=response,
        )
        return render(request, "assessments/form.html", context)
    audit_read(actor=user, obj=response, client_id=client.pk)
    work_items = list(
        work_items_from_source(source_type=services.RESPONSE_TYPE, source_id=str(response.pk))
    )
    context = {
        "client": client,
        "response": response,
        "result": assessment_out(response),
        "work_items": work_items,
    }
    return render(request, "assessments/detail.html", context)


def _save_draft(
    request: HttpRequest, response: AssessmentResponse, definition: InstrumentDefinition
) -> HttpResponse:
    user = _user(request)
    values = _posted(request, definition)
    draft = request.POST.get("action") == "draft"
    answers = {key: value for key, value in values.items()}
    answers.update(_answers_from(values))
    try:
        version = int(request.POST.get("version", ""))
    except ValueError:
        version = response.version
    try:
        if draft:
            services.assessment_update_draft(
                acting_user=user, response=response, expected_version=version, answers=answers
            )
        else:
            services.assessment_complete(
                acting_user=user, response=response, expected_version=version, answers=answers
            )
    except NotFound:
        raise
    except ApplicationError as exc:
        errors, lines = _refusal(exc)
        response.refresh_from_db()
        if isinstance(exc, StaleVersion):
            # Show what is stored now; the person re-enters their change knowingly.
            values = _raw_values(definition, response.answers)
        context = _form_context(
            client=response.client,
            instrument=response.instrument,
            values=values,
            errors=errors,
            error_lines=lines,
            response=response,
        )
        return render(request, "assessments/form.html", context, status=exc.status_code)
    return _after_save(request, response, draft=draft)
