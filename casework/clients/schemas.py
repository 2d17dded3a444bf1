from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from ninja import Schema
from pydantic import Field

from casework.core.schemas import InputSchema, IsoDate, StrictBool, StrictInt

Sex = Literal["female", "male", "other", "unknown"]


class IdentifierIn(InputSchema):
    type: str = Field(description="HL7 v2-0203 code: MR, MA (Medicaid), MC, MB, SS, DL, PI")
    value: str = Field(min_length=1, max_length=80)
    assigner: str = ""


class IdentifierOut(Schema):
    id: str
    type: str
    type_display: str
    value: str
    assigner: str


class ClientIn(InputSchema):
    given_name: str = Field(min_length=1, max_length=100)
    family_name: str = Field(min_length=1, max_length=100)
    birth_date: IsoDate
    middle_name: str = Field("", max_length=100)
    preferred_name: str = Field("", max_length=100)
    sex: Sex = "unknown"
    gender_identity: str = ""
    pronouns: str = Field("", max_length=40)
    preferred_language: str = Field("en", description="BCP 47 tag, e.g. en, es, es-MX")
    interpreter_needed: StrictBool = False
    phone: str = Field("", max_length=40)
    email: str = Field("", max_length=254)
    address_line: str = Field("", max_length=200)
    city: str = Field("", max_length=100)
    state: str = Field("", max_length=40)
    postal_code: str = Field("", max_length=20)
    identifiers: list[IdentifierIn] = Field(default_factory=list)
    refuse_duplicates: StrictBool = Field(
        False,
        description="Answer 409 with the candidates instead of creating when a likely "
        "duplicate exists (the default creates and lists them in possible_duplicates).",
    )


class ClientPatch(InputSchema):
    version: StrictInt = Field(description="The version you read; a stale one is refused (409).")
    given_name: str | None = Field(None, min_length=1, max_length=100)
    family_name: str | None = Field(None, min_length=1, max_length=100)
    middle_name: str | None = Field(None, max_length=100)
    preferred_name: str | None = Field(None, max_length=100)
    birth_date: IsoDate | None = None
    sex: Sex | None = None
    gender_identity: str | None = None
    pronouns: str | None = Field(None, max_length=40)
    preferred_language: str | None = None
    interpreter_needed: StrictBool | None = None
    phone: str | None = Field(None, max_length=40)
    email: str | None = Field(None, max_length=254)
    address_line: str | None = Field(None, max_length=200)
    city: str | None = Field(None, max_length=100)
    state: str | None = Field(None, max_length=40)
    postal_code: str | None = Field(None, max_length=20)
    deceased_date: IsoDate | None = None


class CaseSummary(Schema):
    id: str
    program_id: str
    program: str
    status: str
    case_manager: str | None


class DuplicateOut(Schema):
    client_id: str | None
    name: str | None = None
    birth_date: str | None = None
    reasons: str
    score: float | None = None


class ClientOut(Schema):
    id: str
    version: int
    given_name: str
    middle_name: str
    family_name: str
    preferred_name: str
    name: str
    birth_date: date
    age: int
    sex: str
    gender_identity: str
    pronouns: str
    preferred_language: str
    interpreter_needed: bool
    phone: str
    email: str
    address_line: str
    city: str
    state: str
    postal_code: str
    deceased_date: date | None
    identifiers: list[IdentifierOut]
    created_at: datetime
    updated_at: datetime


class ClientCreatedOut(ClientOut):
    possible_duplicates: list[DuplicateOut]


class ClientDetailOut(ClientOut):
    cases: list[CaseSummary]


class ClientPage(Schema):
    items: list[ClientOut]
    next: str | None


def client_out(client: Any) -> dict[str, Any]:
    from django.utils import timezone

    from casework.cases.services import age_on

    return {
        "id": str(client.id),
        "version": client.version,
        "given_name": client.given_name,
        "middle_name": client.middle_name,
        "family_name": client.family_name,
        "preferred_name": client.preferred_name,
        "name": client.full_name,
        "birth_date": client.birth_date,
        "age": age_on(client.birth_date, timezone.localdate()),
        "sex": client.sex,
        "gender_identity": client.gender_identity,
        "pronouns": client.pronouns,
        "preferred_language": client.preferred_language,
        "interpreter_needed": client.interpreter_needed,
        "phone": client.phone,
        "email": client.email,
        "address_line": client.address_line,
        "city": client.city,
        "state": client.state,
        "postal_code": client.postal_code,
        "deceased_date": client.deceased_date,
        "identifiers": [
            {
                "id": str(identifier.id),
                "type": identifier.type,
                "type_display": identifier.get_type_display(),
                "value": identifier.value,
                "assigner": identifier.assigner,
            }
            for identifier in client.identifiers.all()
        ],
        "created_at": client.created_at,
        "updated_at": client.updated_at,
    }


class ConditionIn(InputSchema):
    system: str = Field(
        "http://hl7.org/fhir/sid/icd-10-cm",
        description="http://hl7.org/fhir/sid/icd-10-cm (default) or http://snomed.info/sct",
    )
    code: str = Field(min_length=1, max_length=20)
    display: str = Field("", max_length=250)
    clinical_status: Literal["active", "resolved", "inactive"] = "active"
    onset_date: IsoDate | None = None
    abatement_date: IsoDate | None = None


class ConditionOut(Schema):
    id: str
    system: str
    code: str
    display: str
    clinical_status: str
    onset_date: date | None
    abatement_date: date | None
    source: str


class UtilizationIn(InputSchema):
    kind: Literal["emergency", "inpatient", "observation"]
    started_at: datetime
    ended_at: datetime | None = None
    acute: StrictBool = Field(False, description="Emergent/urgent admission (LACE 'A')")
    facility: str = Field("", max_length=160)
    diagnosis_system: str = Field("", max_length=80)
    diagnosis_code: str = Field("", max_length=20)
    diagnosis_display: str = Field("", max_length=250)


class UtilizationOut(Schema):
    id: str
    kind: str
    started_at: datetime
    ended_at: datetime | None
    acute: bool
    facility: str
    diagnosis_code: str
    diagnosis_display: str
    source: str


def condition_out(condition: Any) -> dict[str, Any]:
    return {
        "id": str(condition.id),
        "system": condition.system,
        "code": condition.code,
        "display": condition.display,
        "clinical_status": condition.clinical_status,
        "onset_date": condition.onset_date,
        "abatement_date": condition.abatement_date,
        "source": condition.source,
    }


def utilization_out(event: Any) -> dict[str, Any]:
    return {
        "id": str(event.id),
        "kind": event.kind,
        "started_at": event.started_at,
        "ended_at": event.ended_at,
        "acute": event.acute,
        "facility": event.facility,
        "diagnosis_code": event.diagnosis_code,
        "diagnosis_display": event.diagnosis_display,
        "source": event.source,
    }
