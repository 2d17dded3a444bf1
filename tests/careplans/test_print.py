"""The printable care plan in the client's language: the print page (print CSS) and the PDF
(fpdf2, DejaVu Sans embedded), their labels in Spanish or English, the client's own words as
entered, accented and non-Latin names, and the export audit."""

from __future__ import annotations

import re
import zlib
from datetime import date
from typing import Any

import pytest
from django.urls import reverse

from casework.audit.models import AuditEvent
from casework.careplans import services
from casework.careplans.i18n import plan_language
from casework.careplans.models import CarePlan
from tests import factories

# ----------------------------------------------------------------------------------------------
# Reading the text back out of a PDF, in pure Python (no poppler, no pypdf): fpdf2 writes each
# embedded font's glyph ids in literal strings and a ToUnicode map per font.

ESCAPES = {ord("n"): b"\n", ord("r"): b"\r", ord("t"): b"\t", ord("b"): b"\b", ord("f"): b"\f"}
OBJECT = re.compile(rb"(\d+) 0 obj(.*?)endobj", re.S)
STREAM = re.compile(rb"stream\r?\n(.*?)\r?\nendstream", re.S)
TOKENS = re.compile(rb"/([A-Za-z0-9]+)\s+[\d.]+\s+Tf|(\()")


def _literal(stream: bytes, index: int) -> tuple[bytes, int]:
    """The literal string opening at ``stream[index]`` (a "("), escapes resolved, and the index
    just after it."""
    depth, index, out = 1, index + 1, bytearray()
    while index < len(stream):
        byte = stream[index]
        if byte == 0x5C:  # backslash
            following = stream[index + 1]
            if following in ESCAPES:
                out += ESCAPES[following]
                index += 2
            elif 0x30 <= following <= 0x37:
                digits = re.match(rb"[0-7]{1,3}", stream[index + 1 : index + 4]).group()
                out.append(int(digits, 8) & 0xFF)
                index += 1 + len(digits)
            else:
                if following not in b"\r\n":
                    out.append(following)
                index += 2
            continue
        if byte == 0x28:
            depth += 1
        elif byte == 0x29:
            depth -= 1
            if not depth:
                return bytes(out), index + 1
        out.append(byte)
        index += 1
    return bytes(out), index


def _cmap(stream: bytes) -> dict[int, str]:
    cmap = {}
    for block in re.findall(rb"beginbfchar(.*?)endbfchar", stream, re.S):
        for src, dst in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            cmap[int(src, 16)] = bytes.fromhex(dst.decode()).decode("utf-16-be")
    for block in re.findall(rb"beginbfrange(.*?)endbfrange", stream, re.S):
        for low, high, dst in re.findall(
            rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block
        ):
            for offset, code in enumerate(range(int(low, 16), int(high, 16) + 1)):
                cmap[code] = chr(int(dst, 16) + offset)
    return cmap


def pdf_text(data: bytes) -> str:
    """The text of a PDF written by fpdf2 with embedded TrueType fonts."""
    objects = {int(number): body for number, body in OBJECT.findall(data)}

    def content(body: bytes) -> bytes:
        match = STREAM.search(body)
        if match is None:
            return b""
        try:
            return zlib.decompress(match.group(1))
        except zlib.error:
            return match.group(1)

    maps: dict[bytes, dict[int, str]] = {}
    for body in objects.values():
        for name, number in re.findall(rb"/(F\d+)\s+(\d+) 0 R", body):
            to_unicode = re.search(rb"/ToUnicode\s+(\d+) 0 R", objects.get(int(number), b""))
            if to_unicode:
                maps[name] = _cmap(content(objects[int(to_unicode.group(1))]))
    lines: list[str] = []
    for body in objects.values():
        stream = content(body)
        if b"BT" not in stream or b"Tf" not in stream:
            continue
        cmap: dict[int, str] = {}
        index, line = 0, []
        while match := TOKENS.search(stream, index):
            if match.group(1):
                cmap = maps.get(match.group(1), {})
                index = match.end()
                lines.append("".join(line))
                line = []
                continue
            glyphs, index = _literal(stream, match.start(2))
            line.append(
                "".join(
                    cmap.get(int.from_bytes(glyphs[i : i + 2], "big"), "")
                    for i in range(0, len(glyphs) - 1, 2)
                )
            )
        lines.append("".join(line))
    return "\n".join(line for line in lines if line)


def squeeze(text: str) -> str:
    """Without whitespace: a wrapped line in the PDF still matches the sentence."""
    return "".join(text.split())


def test_pdf_text_reader_reads_fpdf2_output():
    from fpdf import FPDF

    from casework.careplans.pdf import FONTS

    pdf = FPDF()
    pdf.add_font("DejaVu", "", str(FONTS / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(FONTS / "DejaVuSans-Bold.ttf"))
    pdf.add_page()
    pdf.set_font("DejaVu", "", 12)
    pdf.cell(0, 6, "Señora (Zoë) \\ Михаил", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "B", 12)
    pdf.cell(0, 6, "Acción")
    text = pdf_text(bytes(pdf.output()))
    assert "Señora (Zoë) \\ Михаил" in text and "Acción" in text


# ----------------------------------------------------------------------------------------------
# Plans to print


def build_plan(user: Any, program: Any, *, language: str, given: str, family: str) -> CarePlan:
    person = factories.client(
        user, given_name=given, family_name=family, preferred_language=language
    )
    case = factories.case(user, client=person, program=program, to="planning")
    plan = services.plan_create(acting_user=user, case=case, title="Plan")

    def step(function: Any, **kwargs: Any) -> Any:
        current = CarePlan.objects.get(pk=plan.pk)
        return function(acting_user=user, plan=current, expected_version=current.version, **kwargs)

    need = step(
        services.need_add,
        data={"code": "Z59.41", "display": "Food insecurity", "priority": 1},
    )
    goal = step(
        services.goal_add,
        data={
            "client_words": "Quiero volver a trabajar en la panadería",
            "statement": "Return to part-time work within 90 days",
            "target": "20 horas por semana",
            "target_date": date(2026, 6, 1),
            "lifecycle_status": "active",
            "priority": 1,
            "need_ids": [str(need.pk)],
        },
    )
    step(services.strength_add, data={"description": "Sabe hornear pan"})
    step(
        services.intervention_add,
        data={
            "description": "Llamar a la agencia de empleo",
            "owner_type": "client",
            "goal_id": str(goal.pk),
            "due_date": date(2026, 2, 1),
        },
    )
    step(
        services.education_record,
        data={"topic": "medications", "method": "verbal", "teach_back": "understood"},
    )
    step(services.plan_update, changes={"self_management": "Caminar cada mañana"})
    return CarePlan.objects.get(pk=plan.pk)


@pytest.fixture
def spanish(world: Any) -> CarePlan:
    return build_plan(world.casey, world.program, language="es-MX", given="Zoë", family="Núñez")


@pytest.fixture
def english(world: Any) -> CarePlan:
    return build_plan(world.casey, world.program, language="en", given="Ben", family="Okafor")


def test_language_choice():
    assert plan_language("es") == "es" and plan_language("es-MX") == "es"
    assert plan_language("en") == "en" and plan_language("zh-Hant") == "en"
    assert plan_language(None) == "en"
    assert plan_language("en", "es") == "es" and plan_language("es", "EN") == "en"
    assert plan_language("es", "fr") == "es"


def test_print_page_in_spanish_for_a_spanish_speaking_client(client, world, spanish):
    client.force_login(world.casey)
    response = client.get(reverse("careplans:print", args=[spanish.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="es">' in html
    for heading in ("Plan de atención", "Mis metas", "Mis fortalezas", "Quién hace qué"):
        assert heading in html, heading
    assert "My goals" not in html
    assert "Quiero volver a trabajar en la panadería" in html
    assert "20 horas por semana" in html and "Llamar a la agencia de empleo" in html
    assert "Zoë Núñez" in html and "Medicamentos" in html and "Todavía no aceptado" in html
    assert "careplans/print.css" in html
    event = AuditEvent.objects.filter(action="export", object_id=str(spanish.pk)).last()
    assert event is not None and event.client_id == spanish.client_id
    assert event.detail["format"] == "print" and event.detail["language"] == "es"


def test_print_page_in_english_and_the_language_override(client, world, english):
    client.force_login(world.casey)
    url = reverse("careplans:print", args=[english.pk])
    html = client.get(url).content.decode()
    assert "My goals" in html and "Mis metas" not in html
    html = client.get(url, {"lang": "es"}).content.decode()
    assert "Mis metas" in html
    # The client's words are never translated.
    assert "Quiero volver a trabajar en la panadería" in html


def test_print_css_hides_the_screen_bar():
    from pathlib import Path

    from django.contrib.staticfiles import finders

    css = Path(finders.find("careplans/print.css")).read_text(encoding="utf-8")
    assert "@media print" in css and ".no-print" in css


def test_pdf_in_spanish_with_the_goals_in_the_clients_words(client, world, spanish):
    client.force_login(world.casey)
    response = client.get(reverse("careplans:pdf", args=[spanish.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    body = response.content
    assert body.startswith(b"%PDF")
    text = squeeze(pdf_text(body))
    for expected in (
        "Plan de atención: Zoë Núñez",
        "Mis metas",
        "Quiero volver a trabajar en la panadería",
        "20 horas por semana",
        "Mis fortalezas",
        "Sabe hornear pan",
        "Llamar a la agencia de empleo",
        "Caminar cada mañana",
        "Medicamentos",
        "Todavía no aceptado",
    ):
        assert squeeze(expected) in text, expected
    assert "Mygoals" not in text
    event = AuditEvent.objects.filter(action="export", object_id=str(spanish.pk)).last()
    assert event is not None and event.detail["format"] == "pdf"


def test_pdf_in_english_with_a_non_latin_name_and_a_signature(client, world, english):
    person = english.client
    person.given_name, person.family_name = "Михаил", "Ødegård"
    person.save()
    plan = CarePlan.objects.get(pk=english.pk)
    png = (
        "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk"
        "YPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
    )
    services.plan_agree(
        acting_user=world.casey,
        plan=plan,
        expected_version=plan.version,
        method="signature",
        agreed_by_name="Михаил Ødegård",
        signature=png,
    )
    client.force_login(world.casey)
    body = client.get(reverse("careplans:pdf", args=[plan.pk])).content
    text = squeeze(pdf_text(body))
    assert squeeze("Care plan: Михаил Ødegård") in text
    assert "Mygoals" in text and "Quierovolveratrabajarenlapanadería" in text
    assert "Signedonscreen" in text
    assert b"/Subtype /Image" in body
    spanish = client.get(reverse("careplans:pdf", args=[plan.pk]), {"lang": "es"}).content
    assert "Firmadoenpantalla" in squeeze(pdf_text(spanish))


@pytest.mark.parametrize("who", ["chris", "olive"])
def test_others_cannot_print(client, world, spanish, who):
    client.force_login(getattr(world, who))
    assert client.get(reverse("careplans:pdf", args=[spanish.pk])).status_code == 404
    assert client.get(reverse("careplans:print", args=[spanish.pk])).status_code == 404
    assert not AuditEvent.objects.filter(action="export", object_id=str(spanish.pk)).exists()


def test_printed_dates_are_the_agencys_day_not_utc(settings):
    from datetime import UTC, datetime

    from casework.careplans.templatetags.careplans_print import plan_day

    settings.TIME_ZONE = "America/New_York"
    late_evening = datetime(2026, 11, 24, 2, 30, tzinfo=UTC)  # 21:30 on the 23rd in New York
    assert plan_day(late_evening, "es") == "23/11/2026"
    assert plan_day(late_evening, "en") == "Nov 23, 2026"
    assert plan_day(date(2026, 1, 5), "es") == "05/01/2026"
    assert plan_day(None, "en") == "—"


def test_pdf_and_print_through_the_api_with_a_bearer_token(world, api, spanish):
    casey = api(world.casey)
    pdf = casey.get(f"/api/v1/care-plans/{spanish.pk}/pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    text = squeeze(pdf_text(pdf.content))
    assert squeeze("Quiero volver a trabajar en la panadería") in text
    assert squeeze("Mis metas") in text
    page = casey.get(f"/api/v1/care-plans/{spanish.pk}/print")
    assert page.status_code == 200
    assert "Quiero volver a trabajar en la panadería" in page.content.decode()
    english = casey.get(f"/api/v1/care-plans/{spanish.pk}/pdf", lang="en")
    assert squeeze("My goals") in squeeze(pdf_text(english.content))
    assert api(world.olive).get(f"/api/v1/care-plans/{spanish.pk}/pdf").status_code == 404
