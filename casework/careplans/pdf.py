"""The care plan as a PDF in the client's language, built with fpdf2 (pure Python).

DejaVu Sans is embedded (``fonts/``, licence there) so accented and non-Latin names and goals
render; labels come from :mod:`casework.careplans.i18n`, and goals are the client's words as
entered, never translated.
"""

from __future__ import annotations

import base64
import binascii
import io
from datetime import date, datetime
from pathlib import Path
from typing import Any

from django.utils import timezone
from fpdf import FPDF
from fpdf.fonts import FontFace

from casework.careplans.i18n import Labels
from casework.careplans.models import CarePlan

FONTS = Path(__file__).resolve().parent / "fonts"
FAMILY = "DejaVu"
PNG_PREFIX = "data:image/png;base64,"


def _day(value: date | datetime | None, labels: Labels) -> str:
    if value is None:
        return "—"
    if isinstance(value, datetime):
        # The day where the agency is, not in UTC.
        value = timezone.localdate(value) if timezone.is_aware(value) else value.date()
    return value.strftime("%d/%m/%Y") if labels.language == "es" else value.strftime("%b %d, %Y")


class PlanDocument(FPDF):
    def __init__(self, labels: Labels, footer_text: str) -> None:
        super().__init__(orientation="portrait", unit="mm", format="Letter")
        self.labels = labels
        self.footer_text = footer_text
        self.add_font(FAMILY, "", str(FONTS / "DejaVuSans.ttf"))
        self.add_font(FAMILY, "B", str(FONTS / "DejaVuSans-Bold.ttf"))
        self.set_auto_page_break(auto=True, margin=18)
        self.set_margins(18, 16, 18)

    def footer(self) -> None:
        self.set_y(-13)
        self.set_font(FAMILY, "", 8)
        self.set_text_color(100, 100, 100)
        self.cell(0, 6, f"{self.footer_text} · {self.page_no()}/{{nb}}", align="C")
        self.set_text_color(0, 0, 0)

    # Small building blocks --------------------------------------------------------------------

    def heading(self, text: str) -> None:
        self.ln(3)
        self.set_font(FAMILY, "B", 13)
        self.multi_cell(0, 7, text, new_x="LMARGIN", new_y="NEXT")
        self.set_draw_color(180, 180, 180)
        self.line(self.l_margin, self.get_y(), self.w - self.r_margin, self.get_y())
        self.ln(1.5)
        self.set_font(FAMILY, "", 10)

    def paragraph(self, text: str, *, bold: bool = False, size: float = 10) -> None:
        self.set_font(FAMILY, "B" if bold else "", size)
        self.multi_cell(0, 5.2, text, new_x="LMARGIN", new_y="NEXT")
        self.set_font(FAMILY, "", 10)

    def fact(self, label: str, value: str) -> None:
        if not value:
            return
        self.set_font(FAMILY, "B", 9.5)
        self.cell(self.get_string_width(f"{label}: ") + 1, 5, f"{label}: ")
        self.set_font(FAMILY, "", 9.5)
        self.multi_cell(0, 5, value, new_x="LMARGIN", new_y="NEXT")

    def empty(self) -> None:
        self.set_text_color(100, 100, 100)
        self.paragraph(self.labels["none"])
        self.set_text_color(0, 0, 0)

    def rows(self, header: list[str], rows: list[list[str]], widths: tuple[int, ...]) -> None:
        if not rows:
            self.empty()
            return
        self.set_font(FAMILY, "", 9)
        with self.table(
            col_widths=widths,
            headings_style=FontFace(emphasis="BOLD", fill_color=(235, 238, 242)),
            line_height=5,
            text_align="LEFT",
        ) as table:
            table.row(header)
            for values in rows:
                table.row(values)
        self.set_font(FAMILY, "", 10)


def _signature_png(data_url: str) -> io.BytesIO | None:
    if not data_url.startswith(PNG_PREFIX):
        return None
    try:
        return io.BytesIO(base64.b64decode(data_url[len(PNG_PREFIX) :], validate=True))
    except (binascii.Error, ValueError):
        return None


def plan_pdf_bytes(plan: CarePlan, *, labels: Labels, printed_at: datetime) -> bytes:
    """The whole plan: client, needs, goals (client's words first), strengths, barriers,
    self-management, who does what by when, education, agreement."""
    t = labels
    client = plan.client
    pdf = PlanDocument(t, f"{t['care_plan']} · {client.full_name} · {t['version']} {plan.version}")
    pdf.set_title(f"{t['care_plan']} — {client.full_name}")
    pdf.set_lang(t.language)
    pdf.set_creator("casework")
    pdf.add_page()

    pdf.set_font(FAMILY, "B", 18)
    pdf.multi_cell(0, 9, f"{t['care_plan']}: {client.full_name}", new_x="LMARGIN", new_y="NEXT")
    if plan.title:
        pdf.paragraph(plan.title, size=11)
    pdf.ln(1)
    pdf.fact(t["born"], _day(client.birth_date, t))
    pdf.fact(t["program"], plan.case.program.name)
    manager = plan.case.case_manager
    pdf.fact(t["case_manager"], manager.display_name if manager else "—")
    period = ""
    if plan.period_start or plan.period_end:
        period = f"{_day(plan.period_start, t)} \N{EN DASH} {_day(plan.period_end, t)}"
    pdf.fact(t["period"], period)
    pdf.fact(t["version"], str(plan.version))
    pdf.fact(t["printed"], _day(printed_at, t))

    pdf.heading(t["goals"])
    goals = list(plan.goals.prefetch_related("needs", "strengths"))
    if not goals:
        pdf.empty()
    for number, goal in enumerate(goals, start=1):
        pdf.paragraph(f"{number}. “{goal.client_words}”", bold=True, size=11)
        pdf.fact(t["statement"], goal.statement)
        pdf.fact(t["measure"], goal.measure)
        pdf.fact(t["baseline"], goal.baseline)
        pdf.fact(t["target"], goal.target)
        if goal.target_date:
            pdf.fact(t["target_date"], _day(goal.target_date, t))
        pdf.fact(t["priority"], t.priority(goal.priority))
        pdf.fact(t["status"], t.choice(goal.lifecycle_status))
        pdf.ln(1.5)

    pdf.heading(t["needs"])
    needs = list(plan.needs.all())
    pdf.rows(
        [t["needs"], t["priority"], t["status"]],
        [
            [
                f"{need.display} ({need.code})"
                + (f"\n{need.description}" if need.description else ""),
                t.priority(need.priority),
                t.choice(need.status),
            ]
            for need in needs
        ],
        (60, 20, 20),
    )

    pdf.heading(t["strengths"])
    strengths = list(plan.strengths.all())
    if not strengths:
        pdf.empty()
    for strength in strengths:
        pdf.paragraph(f"• {strength.description}")

    pdf.heading(t["barriers"])
    barriers = list(plan.barriers.all())
    pdf.rows(
        [t["barriers"], t["plan_to_address"]],
        [[barrier.description, barrier.plan_to_address or "—"] for barrier in barriers],
        (50, 50),
    )

    pdf.heading(t["self_management"])
    if plan.self_management:
        pdf.paragraph(plan.self_management)
    else:
        pdf.empty()
    if plan.crisis_plan:
        pdf.paragraph(t["crisis_plan"], bold=True)
        pdf.paragraph(plan.crisis_plan)

    pdf.heading(t["interventions"])
    interventions = list(plan.interventions.select_related("owner_user"))
    pdf.rows(
        [t["action"], t["who"], t["due"], t["status"]],
        [
            [
                item.description,
                _owner(item, t),
                _day(item.due_date, t) if item.due_date else "—",
                t.choice(item.status),
            ]
            for item in interventions
        ],
        (50, 25, 13, 12),
    )

    education = list(plan.education.all())
    if education:
        pdf.heading(t["education"])
        pdf.rows(
            [t["topic"], t["method"], t["teach_back"], t["date"]],
            [
                [
                    t.choice(row.topic) + (f"\n{row.detail}" if row.detail else ""),
                    t.choice(row.method),
                    t.choice(row.teach_back),
                    _day(row.given_on, t),
                ]
                for row in education
            ],
            (40, 18, 30, 12),
        )

    pdf.heading(t["agreement"])
    _agreement(pdf, plan, t)
    return bytes(pdf.output())


def _owner(item: Any, t: Labels) -> str:
    who = t.choice(item.owner_type)
    name = item.owner_user.display_name if item.owner_user else item.owner_name
    return f"{who}: {name}" if name else who


def _agreement(pdf: PlanDocument, plan: CarePlan, t: Labels) -> None:
    if not plan.agreed_at:
        pdf.paragraph(t["not_agreed"])
        pdf.ln(14)
        y = pdf.get_y()
        pdf.line(pdf.l_margin, y, pdf.l_margin + 80, y)
        pdf.line(pdf.l_margin + 100, y, pdf.l_margin + 150, y)
        pdf.set_font(FAMILY, "", 8.5)
        pdf.cell(100, 5, t["signature"])
        pdf.cell(50, 5, t["date"], new_x="LMARGIN", new_y="NEXT")
        return
    how = t["agreed_signature"] if plan.agreement_method == "signature" else t["agreed_verbal"]
    pdf.fact(t["agreed_by"], plan.agreed_by_name)
    pdf.fact(t["agreed_on"], f"{_day(plan.agreed_at, t)} — {how}")
    if plan.witness_name:
        pdf.fact(t["witness"], plan.witness_name)
    image = _signature_png(plan.signature or "")
    if image is not None:
        try:
            pdf.image(image, w=60)
        except Exception:
            pdf.paragraph(t["agreed_signature"])
