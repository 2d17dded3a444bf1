"""The scoring engine on every instrument: published worked examples, every band boundary computed
by hand, sex-specific cut-offs, domain rules, answer forms and refusals. No database."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from casework.assessments.loader import INSTRUMENTS_DIR, instrument_files
from casework.assessments.scoring import (
    ALTERNATE_CODE,
    ClientContext,
    InstrumentDefinition,
    definition_from,
    score_response,
)
from casework.core.errors import ValidationFailed

SHARED = (Path(__file__).parents[2] / "../shared/data").resolve()
needs_shared = pytest.mark.skipif(
    not SHARED.is_dir(),
    reason=f"shared data not found at {SHARED} (published examples live outside the repository)",
)

PHQ9_ITEMS = [
    "44250-9",
    "44255-8",
    "44259-0",
    "44254-1",
    "44251-7",
    "44258-2",
    "44252-5",
    "44253-3",
    "44260-8",
]
GAD7_ITEMS = ["69725-0", "68509-9", "69733-4", "69734-2", "69735-9", "69689-8", "69736-7"]
SAFETY = ["95618-5", "95617-7", "95616-9", "95615-1"]
FHIR_ITEM_TYPES = {
    "group",
    "display",
    "boolean",
    "decimal",
    "integer",
    "date",
    "dateTime",
    "time",
    "string",
    "text",
    "url",
    "choice",
    "open-choice",
    "attachment",
    "reference",
    "quantity",
}


def load(name: str) -> InstrumentDefinition:
    data = json.loads((INSTRUMENTS_DIR / f"{name}.json").read_text())
    return definition_from(data["questionnaire"], data["scoring"], data["short_name"])


def spread(items: list[str], total: int, top: int) -> dict[str, int]:
    """Ordinal answers to ``items`` (each 0..top) that add up to ``total``."""
    answers = {}
    left = total
    for code in items:
        value = min(top, left)
        answers[code] = value
        left -= value
    assert left == 0, "total out of range"
    return answers


def loinc_check_digit_ok(code: str) -> bool:
    """LOINC's mod-10 check digit (LOINC Users' Guide, "Calculating mod 10 check digits")."""
    number, check = code.split("-")
    digits = [int(d) for d in reversed(number)]
    total = 0
    for position, digit in enumerate(digits, start=1):
        if position % 2:
            doubled = digit * 2
            total += doubled // 10 + doubled % 10
        else:
            total += digit
    return (10 - total % 10) % 10 == int(check)


# ----------------------------------------------------------------------------------------------
# The files themselves


def _walk(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    found = []
    for item in items:
        found.append(item)
        found += _walk(item.get("item", []))
    return found


@pytest.mark.parametrize("path", instrument_files(), ids=lambda p: p.stem)
def test_every_file_is_a_valid_r4_questionnaire_with_a_cited_source(path: Path) -> None:
    data = json.loads(path.read_text())
    assert set(data) >= {"short_name", "source", "questionnaire", "scoring"}
    assert len(data["source"]) > 60, "cite the instrument's source"
    q = data["questionnaire"]
    assert q["resourceType"] == "Questionnaire"
    # fhir.resources validates the whole resource (R4B shares R4's Questionnaire structure).
    from fhir.resources.R4B.questionnaire import Questionnaire

    Questionnaire.model_validate(q)
    for key in ("id", "url", "name", "title", "status", "code", "item"):
        assert q.get(key), key
    assert q["status"] in {"draft", "active", "retired", "unknown"}
    assert re.fullmatch(r"[A-Za-z0-9\-.]{1,64}", q["id"])
    assert re.fullmatch(r"[A-Z]([A-Za-z0-9_]){0,254}", q["name"])
    panel = q["code"][0]
    loinc = panel["system"] == "http://loinc.org"
    items = _walk(q["item"])
    link_ids = [item["linkId"] for item in items]
    assert len(link_ids) == len(set(link_ids)), "linkIds must be unique"
    for item in items:
        assert item["type"] in FHIR_ITEM_TYPES, item["linkId"]
        assert item.get("text"), item["linkId"]
        if item["type"] in {"group", "display"}:
            continue
        codes = item.get("code", [])
        assert codes and codes[0]["code"] == item["linkId"], "linkId is the item's code"
        if loinc:
            assert codes[0]["system"] == "http://loinc.org"
            assert loinc_check_digit_ok(item["linkId"]), item["linkId"]
        for option in item.get("answerOption", []):
            coding = option["valueCoding"]
            assert coding["system"] and coding["code"] and coding["display"]
            for extension in option.get("extension", []):
                if extension["url"] == "http://hl7.org/fhir/StructureDefinition/ordinalValue":
                    assert isinstance(extension["valueDecimal"], int | float)
                else:
                    assert extension["url"] == ALTERNATE_CODE
                    assert extension["valueCoding"]["code"]
        if item["type"] == "choice" and not item.get("readOnly"):
            assert item.get("answerOption"), item["linkId"]
    if loinc:
        assert loinc_check_digit_ok(panel["code"])
    # The definition reads without error and names every scored item it uses.
    definition = load(path.stem)
    scoring = data["scoring"]
    for rule in [scoring.get("score") or {}, *scoring.get("subscales", [])]:
        for key in rule.get("items", []):
            assert definition.item(key) is not None, key
        if rule.get("code", {}).get("system") == "http://loinc.org":
            assert loinc_check_digit_ok(rule["code"]["code"])


def test_the_shipped_instruments_and_their_panel_codes() -> None:
    codes = {load(path.stem).code for path in instrument_files()}
    assert codes >= {
        "44249-1",
        "55757-9",
        "69737-5",
        "72109-2",
        "96777-8",
        "casework-strengths",
        "casework-katz-adl",
        "casework-lawton-iadl",
        "casework-initial-assessment",
    }


@needs_shared
def test_phq9_items_and_answer_codes_match_the_lhc_forms_loinc_questionnaire() -> None:
    lhc = json.loads((SHARED / "instruments/lhc-forms/lforms_test_R4_phq9.json").read_text())
    theirs = {
        item["code"][0]["code"]: [
            (o["valueCoding"]["code"], _ordinal(o)) for o in item.get("answerOption", [])
        ]
        for item in lhc["item"]
        if item["type"] == "choice"
    }
    ours = load("phq-9")
    assert lhc["code"][0]["code"] == ours.code
    for code, options in theirs.items():
        item = ours.item(code)
        assert item is not None, code
        mine = [(o.code, None if o.value is None else int(o.value)) for o in item.options]
        assert mine == options, code


def _ordinal(option: dict[str, Any]) -> int | None:
    for extension in option.get("extension", []):
        if extension["url"].endswith("ordinalValue"):
            return int(extension["valueDecimal"])
    return None


@needs_shared
def test_ahc_items_and_answer_codes_match_the_loinc_ahc_questionnaire() -> None:
    source = json.loads((SHARED / "instruments/mycareplanner/AHC-questionnaire.json").read_text())
    ours = load("ahc-hrsn")
    assert source["code"][0]["code"] == ours.code
    theirs = [item for group in source["item"] for item in group["item"]]
    assert len(theirs) == 10
    for item in theirs:
        mine = ours.item(item["code"][0]["code"])
        assert mine is not None
        assert mine.repeats == bool(item.get("repeats"))
        assert [o.code for o in mine.options] == [
            o["valueCoding"]["code"] for o in item["answerOption"]
        ]
        assert [o.display for o in mine.options] == [
            o["valueCoding"]["display"] for o in item["answerOption"]
        ]


# ----------------------------------------------------------------------------------------------
# PHQ-9


@pytest.mark.parametrize(
    ("total", "band"),
    [
        (0, "minimal"),
        (4, "minimal"),
        (5, "mild"),
        (9, "mild"),
        (10, "moderate"),
        (14, "moderate"),
        (15, "moderately severe"),
        (19, "moderately severe"),
        (20, "severe"),
        (27, "severe"),
    ],
)
def test_phq9_band_boundaries(total: int, band: str) -> None:
    # Fill from the last item backwards so item 9 is only positive at high totals.
    answers = spread(list(reversed(PHQ9_ITEMS)), total, 3)
    result = score_response(load("phq-9"), answers)
    assert result.score == total
    assert result.band == band
    assert result.score_code == {
        "system": "http://loinc.org",
        "code": "44261-6",
        "display": "Patient Health Questionnaire 9 item (PHQ-9) total score [Reported]",
    }


def test_phq9_item9_flag_is_urgent_whatever_the_total() -> None:
    answers = dict.fromkeys(PHQ9_ITEMS, 0)
    answers["44260-8"] = 1
    result = score_response(load("phq-9"), answers)
    assert result.score == 1 and result.band == "minimal"
    assert [(f["code"], f["severity"]) for f in result.flags] == [("phq9_item9_positive", "urgent")]
    answers["44260-8"] = 0
    assert score_response(load("phq-9"), answers).flags == []


def test_phq9_difficulty_item_is_optional_and_not_scored() -> None:
    answers = dict.fromkeys(PHQ9_ITEMS, 1)
    without = score_response(load("phq-9"), answers)
    with_difficulty = score_response(load("phq-9"), {**answers, "69722-7": "LA6575-0"})
    assert without.score == with_difficulty.score == 9
    assert with_difficulty.answers["69722-7"]["display"] == "Very difficult"


def test_phq9_keeps_the_phq2_subscore_and_ignores_a_reported_total() -> None:
    answers = {**dict.fromkeys(PHQ9_ITEMS, 0), "44250-9": 2, "44255-8": 3, "44261-6": 99}
    result = score_response(load("phq-9"), answers)
    assert result.score == 5
    assert result.subscores["phq2"]["value"] == 5
    assert result.subscores["phq2"]["code"] == "55758-7"
    assert "44261-6" not in result.answers
    assert {row["code"]: row["value"] for row in result.observations()} == {
        "44261-6": Decimal(5),
        "55758-7": Decimal(5),
    }


@needs_shared
def test_phq9_worked_example_from_hl7_sdc() -> None:
    """The HL7 SDC PHQ-9 QuestionnaireResponse, mapped from its linkIds (H1/T1/Q1..Q9, in PHQ-9
    order) to the LOINC items, answers sent as given (SDC's own codes and displays).

    Its answers are 0, 0, 0, 1, 2, 1, 3, 2, 1 by the example's own ordinal values (CSPHQ9 /
    VSPHQ9), which sum to 10: moderate. The example's stated total item (H1/TS) says 13, which
    does not match its own answers; casework ignores a reported total and computes its own."""
    example = json.loads(
        (
            SHARED / "instruments/hl7-sdc/questionnaireresponse-sdc-profile-example-PHQ9.json"
        ).read_text()
    )
    group = example["item"][0]["item"]
    answers: dict[str, Any] = {}
    for entry in group:
        link = entry["linkId"]
        if link.startswith("H1/T1/Q"):
            answers[PHQ9_ITEMS[int(link.rsplit("Q", 1)[1]) - 1]] = entry["answer"][0]
    assert len(answers) == 9
    result = score_response(load("phq-9"), answers)
    assert result.score == 10
    assert result.band == "moderate"
    assert "phq9_item9_positive" in [flag["code"] for flag in result.flags]


# ----------------------------------------------------------------------------------------------
# PHQ-2, GAD-7, AUDIT-C


@pytest.mark.parametrize(("total", "band"), [(0, "negative"), (2, "negative"), (3, "positive")])
def test_phq2_cut_off(total: int, band: str) -> None:
    result = score_response(load("phq-2"), spread(["44250-9", "44255-8"], total, 3))
    assert (result.score, result.band) == (total, band)
    assert (band == "positive") == ("phq2_positive" in [f["code"] for f in result.flags])


@pytest.mark.parametrize(
    ("total", "band"),
    [
        (0, "minimal"),
        (4, "minimal"),
        (5, "mild"),
        (9, "mild"),
        (10, "moderate"),
        (14, "moderate"),
        (15, "severe"),
        (21, "severe"),
    ],
)
def test_gad7_band_boundaries(total: int, band: str) -> None:
    result = score_response(load("gad-7"), spread(GAD7_ITEMS, total, 3))
    assert (result.score, result.band) == (total, band)
    assert result.score_code and result.score_code["code"] == "70274-6"


@pytest.mark.parametrize(
    "answer", ["LA18938-3", "More days than not", "LA6570-1", "More than half the days", 2]
)
def test_gad7_worry_item_takes_loincs_more_days_than_not_and_the_phq_wording(answer: Any) -> None:
    answers = {**dict.fromkeys(GAD7_ITEMS, 0), "68509-9": answer}
    result = score_response(load("gad-7"), answers)
    assert result.score == 2
    assert result.answers["68509-9"]["code"] == "LA18938-3"


@pytest.mark.parametrize(
    ("sex", "total", "positive"),
    [
        ("male", 3, False),
        ("male", 4, True),
        ("female", 2, False),
        ("female", 3, True),
        ("unknown", 3, True),
        ("other", 2, False),
    ],
)
def test_auditc_cut_offs_differ_for_men_and_women(sex: str, total: int, positive: bool) -> None:
    answers = spread(["68518-0", "68519-8", "68520-6"], total, 4)
    result = score_response(load("audit-c"), answers, ClientContext(sex=sex))
    assert result.score == total
    assert result.band == ("positive" if positive else "negative")
    assert ("auditc_positive" in [f["code"] for f in result.flags]) is positive


def test_auditc_by_loinc_answer_codes_and_never_drinking() -> None:
    answers = {"68518-0": "LA18928-4", "68519-8": "LA18930-0", "68520-6": "LA18891-4"}
    result = score_response(load("audit-c"), answers, ClientContext(sex="male"))
    assert result.score == 3 + 2 + 3
    # "Never" on question 1 hides questions 2 and 3 (enableWhen): they are not required.
    never = score_response(load("audit-c"), {"68518-0": "LA6270-8"}, ClientContext(sex="female"))
    assert never.score == 0 and never.band == "negative"
    with pytest.raises(ValidationFailed) as refused:
        score_response(load("audit-c"), {"68518-0": "LA18926-8"})
    assert {e["field"] for e in refused.value.errors} == {"68519-8", "68520-6"}


# ----------------------------------------------------------------------------------------------
# AHC HRSN


@needs_shared
def test_ahc_published_response_from_mycareplanner() -> None:
    """The mycareplanner AHC QuestionnaireResponse: not steady housing (LA31995-6), food
    "Sometimes true" and "Often true", and one safety answer ("Sometimes", 3)."""
    source = json.loads((SHARED / "instruments/mycareplanner/AHC-questionnaire.json").read_text())
    code_of = {
        item["linkId"]: item["code"][0]["code"]
        for group in source["item"]
        for item in group["item"]
    }
    response = json.loads(
        (SHARED / "instruments/mycareplanner/QuestionnaireResponse-AHC.json").read_text()
    )
    answers = {
        code_of[item["linkId"]]: item["answer"][0]["valueCoding"]["code"]
        for group in response["item"]
        for item in group["item"]
    }
    result = score_response(load("ahc-hrsn"), answers)
    domains = result.domains
    assert domains["living_situation"]["positive"] is True
    assert domains["food"]["positive"] is True
    assert domains["interpersonal_safety"]["positive"] is False
    assert domains["interpersonal_safety"]["value"] == 3
    assert domains["interpersonal_safety"]["complete"] is False
    assert domains["transportation"]["positive"] is None  # not asked
    assert result.band == "positive"
    assert result.score is None
    assert [(n["code"], n["snomed_code"]) for n in result.needs] == [
        ("Z59.00", "32911000"),
        ("Z59.41", "733423003"),
    ]
    assert not [f for f in result.flags if f["severity"] == "urgent"]


@pytest.mark.parametrize(("total", "positive"), [(4, False), (10, False), (11, True), (20, True)])
def test_ahc_interpersonal_safety_is_positive_above_ten(total: int, positive: bool) -> None:
    # Never = 1 ... Frequently = 5: spread total - 4 over the four items above their minimum.
    extra = spread(SAFETY, total - 4, 4)
    answers = {code: value + 1 for code, value in extra.items()}
    result = score_response(load("ahc-hrsn"), answers)
    safety = result.domains["interpersonal_safety"]
    assert safety["value"] == total and safety["complete"] is True
    assert safety["positive"] is positive
    assert result.subscores["interpersonal_safety"] == {
        "label": "Interpersonal safety (questions 7-10, 4-20)",
        "system": "http://loinc.org",
        "code": "95614-4",
        "value": total,
    }
    urgent = [f["code"] for f in result.flags if f["severity"] == "urgent"]
    assert urgent == (["ahc_interpersonal_safety_positive"] if positive else [])
    needs = [n["code"] for n in result.needs]
    assert ("Z65.8" in needs) is positive


@pytest.mark.parametrize(
    ("answers", "domain", "positive", "need"),
    [
        ({"71802-3": "LA31993-1"}, "living_situation", False, None),
        ({"71802-3": "LA31994-9"}, "living_situation", True, "Z59.811"),
        ({"71802-3": "LA31995-6"}, "living_situation", True, "Z59.00"),
        ({"96778-6": ["LA9-3"]}, "housing_quality", False, None),
        ({"96778-6": ["LA28580-1", "LA31998-0"]}, "housing_quality", True, "Z59.10"),
        ({"88122-7": "LA28398-8", "88123-5": "LA28398-8"}, "food", False, None),
        ({"88122-7": "LA28398-8", "88123-5": "LA6729-3"}, "food", True, "Z59.41"),
        ({"88122-7": "Often true"}, "food", True, "Z59.41"),
        ({"93030-5": "LA32-8"}, "transportation", False, None),
        ({"93030-5": "LA33-6"}, "transportation", True, "Z59.82"),
        ({"93030-5": True}, "transportation", True, "Z59.82"),
        ({"96779-4": "LA32-8"}, "utilities", False, None),
        ({"96779-4": "LA33-6"}, "utilities", True, "Z59.12"),
        ({"96779-4": "LA32002-0"}, "utilities", True, "Z59.12"),
    ],
)
def test_ahc_domain_rules(
    answers: dict[str, Any], domain: str, positive: bool, need: str | None
) -> None:
    result = score_response(load("ahc-hrsn"), answers)
    assert result.domains[domain]["positive"] is positive
    assert [n["code"] for n in result.needs] == ([need] if need else [])
    assert result.band == ("positive" if positive else "negative")
    for proposed in result.needs:
        assert proposed["system"] == "http://hl7.org/fhir/sid/icd-10-cm"
        assert proposed["code"].startswith("Z")


# ----------------------------------------------------------------------------------------------
# Katz, Lawton, strengths, initial assessment

KATZ = ["bathing", "dressing", "toileting", "transferring", "continence", "feeding"]


@pytest.mark.parametrize(
    ("independent", "band"),
    [
        (6, "full function"),
        (5, "moderate impairment"),
        (4, "moderate impairment"),
        (3, "moderate impairment"),
        (2, "severe impairment"),
        (0, "severe impairment"),
    ],
)
def test_katz_adl_bands(independent: int, band: str) -> None:
    answers = {
        f"katz-{name}": "independent" if n < independent else "dependent"
        for n, name in enumerate(KATZ)
    }
    result = score_response(load("katz-adl"), answers)
    assert (result.score, result.band) == (independent, band)
    assert ("katz_severe_impairment" in [f["code"] for f in result.flags]) is (independent <= 2)


def test_lawton_iadl_total_and_shared_values() -> None:
    definition = load("lawton-iadl")
    best = {item.key: item.options[0].code for item in definition.answerable}
    assert score_response(definition, best).score == 8
    worst = {item.key: item.options[-1].code for item in definition.answerable}
    assert score_response(definition, worst).score == 0
    # Several telephone answers score 1: a bare 1 is kept as the value, without a code.
    numbers = score_response(definition, dict.fromkeys(best, 1))
    assert numbers.score == 8
    assert numbers.answers["lawton-telephone"] == {
        "code": None,
        "system": "",
        "display": "",
        "value": 1,
    }


def test_strengths_assessment_covers_the_seven_life_domains_and_tracks_completeness() -> None:
    definition = load("strengths")
    labels = [section.text for section in definition.sections]
    for domain in (
        "Daily living situation",
        "Financial",
        "Vocational and educational",
        "Social supports",
        "Health",
        "Leisure",
        "Spirituality and culture",
    ):
        assert any(label.startswith(domain) for label in labels), domain
    result = score_response(
        definition,
        {
            "strengths-health-current": "Walks every day; sees Dr. Lee",
            "strengths-health-wants": "Quit smoking",
        },
    )
    assert result.score is None and result.band == ""
    assert result.completeness["answered"] == 2
    assert result.completeness["items"] == 22
    health = next(s for s in result.completeness["sections"] if s["label"] == "Health")
    assert (health["answered"], health["items"]) == (2, 3)


def test_initial_assessment_covers_the_ncqa_domains() -> None:
    definition = load("initial-assessment")
    labels = " | ".join(section.text.lower() for section in definition.sections)
    for domain in (
        "health status",
        "clinical history and medications",
        "activities of daily living",
        "behavioral health and cognition",
        "social determinants",
        "life planning",
        "cultural and linguistic",
        "visual and hearing",
        "caregiver resources",
        "benefits and community resources",
    ):
        assert domain in labels, domain
    result = score_response(
        definition,
        {"cia-pain": "yes", "cia-ed-visits-6m": 2, "cia-advance-directive": "Unknown"},
    )
    assert result.completeness["answered"] == 3
    assert result.answers["cia-pain"] == {"value": True}
    with pytest.raises(ValidationFailed) as refused:
        score_response(definition, {"cia-ed-visits-6m": -1, "cia-falls": "sometimes"})
    assert {e["field"] for e in refused.value.errors} == {"cia-ed-visits-6m", "cia-falls"}


# ----------------------------------------------------------------------------------------------
# Answer forms and refusals


@pytest.mark.parametrize(
    "answer",
    [
        2,
        "2",
        2.0,
        "LA6570-1",
        "la6570-1",
        "More than half the days",
        "more than half the days",
        {"code": "LA6570-1"},
        {"system": "http://loinc.org", "code": "LA6570-1"},
        {"valueCoding": {"system": "http://loinc.org", "code": "LA6570-1"}},
        {
            "system": "http://hl7.org/fhir/uv/sdc/CodeSystem/CSPHQ9",
            "code": "More than half the days",
        },
        {"valueInteger": 2},
        [2],
    ],
)
def test_a_choice_answer_may_be_given_in_any_common_form(answer: Any) -> None:
    answers = {**dict.fromkeys(PHQ9_ITEMS, 0), "44250-9": answer}
    result = score_response(load("phq-9"), answers)
    assert result.score == 2
    assert result.answers["44250-9"]["code"] == "LA6570-1"


@pytest.mark.parametrize(
    ("answers", "field", "message"),
    [
        ({"44250-9": 4}, "44250-9", "not one of the values"),
        ({"44250-9": -1}, "44250-9", "not one of the values"),
        ({"44250-9": "LA9999-9"}, "44250-9", "not an answer option"),
        ({"44250-9": "sometimes"}, "44250-9", "not an answer option"),
        ({"44250-9": [1, 2]}, "44250-9", "one answer"),
        ({"44250-9": {"display": "x"}}, "44250-9", "needs a code"),
        ({"12345-6": 1}, "12345-6", "not an item of PHQ-9"),
    ],
)
def test_invalid_answers_name_the_item(answers: dict[str, Any], field: str, message: str) -> None:
    full = {**dict.fromkeys(PHQ9_ITEMS, 0), **answers}
    with pytest.raises(ValidationFailed) as refused:
        score_response(load("phq-9"), full)
    assert refused.value.status_code == 422
    assert [e["field"] for e in refused.value.errors] == [field]
    assert message in refused.value.errors[0]["message"]


def test_missing_required_items_are_named_and_drafts_may_leave_them_out() -> None:
    answers = dict.fromkeys(PHQ9_ITEMS[:7], 1)
    with pytest.raises(ValidationFailed) as refused:
        score_response(load("phq-9"), answers)
    assert [(e["field"], e["message"]) for e in refused.value.errors] == [
        ("44253-3", "required"),
        ("44260-8", "required"),
    ]
    draft = score_response(load("phq-9"), answers, partial=True)
    assert draft.score is None and draft.flags == []
    assert draft.completeness["missing_required"] == ["44253-3", "44260-8"]
    with pytest.raises(ValidationFailed) as not_object:
        score_response(load("phq-9"), [1, 2, 3])
    assert not_object.value.errors[0]["field"] == "answers"


def test_multi_select_refuses_repeats_and_single_choice_refuses_lists() -> None:
    with pytest.raises(ValidationFailed) as twice:
        score_response(load("ahc-hrsn"), {"96778-6": ["LA28580-1", "LA28580-1"]})
    assert twice.value.errors[0]["field"] == "96778-6"
    with pytest.raises(ValidationFailed) as listed:
        score_response(load("ahc-hrsn"), {"71802-3": ["LA31993-1", "LA31994-9"]})
    assert listed.value.errors[0]["field"] == "71802-3"


# ----------------------------------------------------------------------------------------------
# Rules as data: reverse scoring, subscales, means


def _synthetic(scoring: dict[str, Any]) -> InstrumentDefinition:
    options = [
        {
            "valueCoding": {"system": "urn:test", "code": f"a{n}", "display": f"A{n}"},
            "extension": [
                {"url": "http://hl7.org/fhir/StructureDefinition/ordinalValue", "valueDecimal": n}
            ],
        }
        for n in range(1, 6)
    ]
    questionnaire = {
        "resourceType": "Questionnaire",
        "code": [{"system": "urn:test", "code": "T"}],
        "item": [
            {"linkId": f"q{n}", "type": "choice", "required": True, "answerOption": options}
            for n in range(1, 5)
        ],
    }
    return definition_from(questionnaire, scoring, "Test")


def test_reverse_scored_items_subscales_and_means() -> None:
    definition = _synthetic(
        {
            "score": {"method": "sum", "items": ["q1", "q2", "q3", "q4"]},
            "reverse": ["q2", "q4"],
            "subscales": [
                {"key": "first", "items": ["q1", "q2"], "code": {"code": "S1"}},
                {"key": "mean", "items": ["q3", "q4"], "method": "mean"},
            ],
            "bands": [
                {"min": 4, "max": 10, "band": "low"},
                {"min": 11, "max": 20, "band": "high"},
            ],
            "flags": [
                {"code": "q1_high", "severity": "routine", "when": {"item": "q1", "at_least": 4}}
            ],
        }
    )
    result = score_response(definition, {"q1": 5, "q2": 5, "q3": 2, "q4": 1})
    # q2 reversed: 1 + 5 - 5 = 1; q4 reversed: 1 + 5 - 1 = 5.
    assert result.score == 5 + 1 + 2 + 5
    assert result.band == "high"
    assert result.subscores["first"]["value"] == 6
    assert result.subscores["mean"]["value"] == 3.5
    assert [f["code"] for f in result.flags] == ["q1_high"]
