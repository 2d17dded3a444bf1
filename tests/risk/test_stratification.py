"""Stratification rules as pure logic: each signal's tier, the highest wins, reasons, the
recommended model for each rule, and thresholds from the organization's settings."""

from __future__ import annotations

from typing import Any

import pytest

from casework.risk.stratification import (
    GAD7_TOTAL,
    NO_RECOMMENDATION,
    NO_SIGNAL_REASON,
    PHQ9_TOTAL,
    ClientFacts,
    ThresholdError,
    charlson_from_conditions,
    recommend_model,
    resolve_thresholds,
    stratify_tier,
)

ICD = "http://hl7.org/fhir/sid/icd-10-cm"


def en(text: str) -> str:
    """Reasons write ranges with an en dash ("LACE 7 (5\u20139: moderate)")."""
    return text.replace("-", "\u2013")


SNOMED = "http://snomed.info/sct"
ITEM9 = {
    "code": "phq9_item9_positive",
    "instrument": "44249-1",
    "label": "PHQ-9 item 9 positive",
    "severity": "urgent",
}
SAFETY = {
    "code": "ahc_interpersonal_safety_positive",
    "instrument": "96777-8",
    "label": "Interpersonal safety concern",
    "severity": "urgent",
}


@pytest.fixture
def defaults() -> dict[str, Any]:
    return resolve_thresholds()


# ----------------------------------------------------------------------------------------------
# Tier from each signal


@pytest.mark.parametrize(
    ("score", "tier", "reason"),
    [
        (0, "low", en("LACE 0 (0-4: low)")),
        (4, "low", en("LACE 4 (0-4: low)")),
        (5, "moderate", en("LACE 5 (5-9: moderate)")),
        (9, "moderate", en("LACE 9 (5-9: moderate)")),
        (10, "high", "LACE 10 (≥10: high)"),
        (19, "high", "LACE 19 (≥10: high)"),
    ],
)
def test_lace_bands_follow_the_common_cut_offs(
    defaults: dict[str, Any], score: int, tier: str, reason: str
) -> None:
    result = stratify_tier(thresholds=defaults, lace=score)
    assert result.tier == tier
    assert result.reasons == [reason]


@pytest.mark.parametrize(
    ("probability", "tier"),
    [(0.0, "low"), (0.099, "low"), (0.10, "moderate"), (0.25, "high"), (0.5, "very_high")],
)
def test_probability_bands(defaults: dict[str, Any], probability: float, tier: str) -> None:
    result = stratify_tier(thresholds=defaults, probability=probability)
    assert result.tier == tier
    assert result.reasons[0].startswith("Predicted 180-day ED visit or admission risk")


def test_probability_reason_names_value_and_band(defaults: dict[str, Any]) -> None:
    assert stratify_tier(thresholds=defaults, probability=0.31).reasons == [
        "Predicted 180-day ED visit or admission risk 31% (≥25%: high)"
    ]
    assert stratify_tier(thresholds=defaults, probability=0.04).reasons == [
        "Predicted 180-day ED visit or admission risk 4% (<10%: low)"
    ]


def test_phq9_item9_positive_is_very_high_whatever_else(defaults: dict[str, Any]) -> None:
    result = stratify_tier(thresholds=defaults, lace=2, probability=0.02, flags=[ITEM9])
    assert result.tier == "very_high"
    assert result.reasons[0] == "PHQ-9 item 9 positive (at least very high)"


def test_other_urgent_flags_are_at_least_high(defaults: dict[str, Any]) -> None:
    result = stratify_tier(thresholds=defaults, lace=1, flags=[SAFETY])
    assert result.tier == "high"
    assert result.reasons == [
        "Interpersonal safety concern (at least high)",
        en("LACE 1 (0-4: low)"),
    ]


def test_routine_flags_do_not_raise_the_tier(defaults: dict[str, Any]) -> None:
    flag = {"code": "audit_c_positive", "label": "AUDIT-C positive", "severity": "routine"}
    assert stratify_tier(thresholds=defaults, flags=[flag]).tier == "low"


@pytest.mark.parametrize(
    ("phq9", "tier"), [(9, "low"), (14, "low"), (15, "moderate"), (19, "moderate"), (20, "high")]
)
def test_severe_phq9_is_at_least_high(defaults: dict[str, Any], phq9: float, tier: str) -> None:
    assert stratify_tier(thresholds=defaults, scores={PHQ9_TOTAL: phq9}).tier == tier


def test_severe_phq9_reason(defaults: dict[str, Any]) -> None:
    result = stratify_tier(thresholds=defaults, scores={PHQ9_TOTAL: 22.0})
    assert result.reasons == ["PHQ-9 22 (≥20: at least high)"]


def test_severe_gad7_is_moderate(defaults: dict[str, Any]) -> None:
    assert stratify_tier(thresholds=defaults, scores={GAD7_TOTAL: 16}).tier == "moderate"


def test_highest_signal_wins_and_every_reason_is_kept(defaults: dict[str, Any]) -> None:
    result = stratify_tier(
        thresholds=defaults, lace=12, probability=0.12, flags=[ITEM9], scores={PHQ9_TOTAL: 16}
    )
    assert result.tier == "very_high"
    assert result.reasons[0] == "PHQ-9 item 9 positive (at least very high)"
    assert "LACE 12 (≥10: high)" in result.reasons
    assert len(result.reasons) == 4
    # the brief's example: LACE high plus item 9 → both reasons
    assert set(stratify_tier(thresholds=defaults, lace=12, flags=[ITEM9]).reasons) == {
        "LACE 12 (≥10: high)",
        "PHQ-9 item 9 positive (at least very high)",
    }


def test_model_probability_can_outrank_lace(defaults: dict[str, Any]) -> None:
    result = stratify_tier(thresholds=defaults, lace=6, probability=0.62)
    assert result.tier == "very_high"
    assert result.reasons[1] == en("LACE 6 (5-9: moderate)")


def test_no_signal_is_low_with_a_reason(defaults: dict[str, Any]) -> None:
    result = stratify_tier(thresholds=defaults)
    assert result.tier == "low"
    assert result.reasons == [NO_SIGNAL_REASON]


# ----------------------------------------------------------------------------------------------
# Thresholds from the organization's settings


def test_settings_override_only_what_they_name() -> None:
    thresholds = resolve_thresholds({"lace": {"high": 12}, "probability": {"very_high": 0.7}})
    assert thresholds["lace"] == {"moderate": 5, "high": 12, "very_high": None}
    assert thresholds["probability"]["high"] == 0.25
    assert stratify_tier(thresholds=thresholds, lace=11).tier == "moderate"
    assert stratify_tier(thresholds=thresholds, lace=11).reasons == [en("LACE 11 (5-11: moderate)")]
    assert stratify_tier(thresholds=thresholds, probability=0.6).tier == "high"


def test_settings_can_give_lace_a_very_high_band() -> None:
    thresholds = resolve_thresholds({"lace": {"very_high": 15}})
    assert stratify_tier(thresholds=thresholds, lace=14).reasons == [en("LACE 14 (10-14: high)")]
    assert stratify_tier(thresholds=thresholds, lace=16).tier == "very_high"


def test_settings_can_change_a_flag_tier() -> None:
    thresholds = resolve_thresholds({"flags": {"phq9_item9_positive": "high"}})
    assert stratify_tier(thresholds=thresholds, flags=[ITEM9]).tier == "high"


@pytest.mark.parametrize(
    "bad",
    [
        {"lace": {"moderate": 10, "high": 5}},
        {"probability": {"high": "a lot"}},
        {"flags": {"urgent": "extreme"}},
        {"recommendation": {"charlson": None}},
        ["not", "an", "object"],
    ],
)
def test_unusable_settings_are_refused(bad: Any) -> None:
    with pytest.raises(ThresholdError):
        resolve_thresholds(bad)


# ----------------------------------------------------------------------------------------------
# Recommended model, one test per rule


def _recommend(defaults: dict[str, Any], **facts: Any) -> Any:
    return recommend_model(ClientFacts(**facts), defaults)


def test_smi_with_high_utilization_is_intensive(defaults: dict[str, Any]) -> None:
    result = _recommend(
        defaults,
        tier="high",
        conditions=[(ICD, "F20.9", "Schizophrenia, unspecified")],
        acute_use_12_months=3,
    )
    assert result.model_kind == "intensive"
    assert result.rule == "smi_high_utilization"
    assert "Serious mental illness: F20.9 Schizophrenia, unspecified" in result.reasons
    assert "High utilization: 3 ED visits or inpatient admissions in 12 months (≥2)" in (
        result.reasons
    )


def test_smi_from_a_screening_finding_counts(defaults: dict[str, Any]) -> None:
    result = _recommend(
        defaults,
        tier="high",
        screening_findings=[{"system": ICD, "code": "F31.9", "display": "Bipolar disorder"}],
        acute_use_12_months=2,
    )
    assert result.model_kind == "intensive"
    assert "Serious mental illness: F31.9 Bipolar disorder (screening)" in result.reasons


def test_recurrent_depression_is_smi_but_single_episode_is_not(defaults: dict[str, Any]) -> None:
    recurrent = _recommend(
        defaults, tier="high", conditions=[(ICD, "F33.1", "MDD, recurrent")], acute_use_12_months=2
    )
    single = _recommend(
        defaults, tier="high", conditions=[(ICD, "F32.1", "MDD, single")], acute_use_12_months=2
    )
    assert recurrent.model_kind == "intensive"
    assert single.rule != "smi_high_utilization"


def test_smi_without_high_utilization_is_clinical(defaults: dict[str, Any]) -> None:
    result = _recommend(
        defaults, tier="moderate", conditions=[(SNOMED, "58214004", "Schizophrenia")]
    )
    assert result.model_kind == "clinical"
    assert result.rule == "smi_without_high_utilization"


def test_medical_complexity_with_behavioral_need_is_integrated(defaults: dict[str, Any]) -> None:
    result = _recommend(
        defaults,
        tier="high",
        conditions=[
            (ICD, "I50.9", "Heart failure"),
            (ICD, "E11.22", "Type 2 diabetes with diabetic CKD"),
            (ICD, "F41.1", "Generalized anxiety disorder"),
        ],
    )
    assert result.model_kind == "integrated"
    assert result.rule == "medical_complexity_with_needs"
    complexity = [r for r in result.reasons if r.startswith("Medical complexity: Charlson 3 (≥3)")]
    assert complexity
    assert any(reason.startswith("Behavioral health need: F41.1") for reason in result.reasons)


def test_medical_complexity_with_social_need_is_integrated(defaults: dict[str, Any]) -> None:
    result = _recommend(
        defaults,
        tier="moderate",
        conditions=[(ICD, "J44.9", "COPD"), (ICD, "I21.4", "NSTEMI")],
        social_needs=["food"],
    )
    assert result.model_kind == "integrated"
    assert "Social needs: food" in result.reasons
    assert any("2 chronic condition categories" in reason for reason in result.reasons)


def test_medical_complexity_alone_is_not_integrated_by_the_needs_rule(
    defaults: dict[str, Any],
) -> None:
    result = _recommend(
        defaults, tier="low", conditions=[(ICD, "J44.9", "COPD"), (ICD, "I21.4", "NSTEMI")]
    )
    assert result.rule != "medical_complexity_with_needs"


def test_moderate_depression_without_high_utilization_is_clinical(
    defaults: dict[str, Any],
) -> None:
    result = _recommend(defaults, tier="moderate", scores={PHQ9_TOTAL: 12.0})
    assert result.model_kind == "clinical"
    assert result.rule == "depression_anxiety"
    assert "Moderate to severe depression or anxiety: PHQ-9 12 (≥10)" in result.reasons
    assert "No high utilization: 0 ED visits or inpatient admissions in 12 months (<2)" in (
        result.reasons
    )


def test_moderate_anxiety_is_clinical(defaults: dict[str, Any]) -> None:
    assert _recommend(defaults, tier="low", scores={GAD7_TOTAL: 11}).model_kind == "clinical"


def test_depression_with_high_utilization_is_not_clinical(defaults: dict[str, Any]) -> None:
    result = _recommend(defaults, tier="high", scores={PHQ9_TOTAL: 12.0}, acute_use_12_months=4)
    assert result.rule != "depression_anxiety"
    assert result.model_kind == "integrated"
    assert result.rule == "high_risk_other"


def test_strengths_assessment_at_low_or_moderate_risk_is_strengths(
    defaults: dict[str, Any],
) -> None:
    result = _recommend(defaults, tier="moderate", strengths_assessed=True, scores={PHQ9_TOTAL: 11})
    assert result.model_kind == "strengths"
    assert "Recovery orientation: strengths assessment completed" in result.reasons
    high = _recommend(defaults, tier="high", strengths_assessed=True, scores={PHQ9_TOTAL: 11})
    assert high.model_kind == "clinical"


def test_recovery_goals_count_for_strengths(defaults: dict[str, Any]) -> None:
    assert _recommend(defaults, tier="low", recovery_goals=True).model_kind == "strengths"


def test_only_social_needs_at_low_risk_is_brokerage(defaults: dict[str, Any]) -> None:
    result = _recommend(defaults, tier="low", social_needs=["housing", "food", "food"])
    assert result.model_kind == "brokerage"
    assert result.reasons[0] == "Brokerage: social and access needs only, at low clinical risk"
    assert "Social needs: food, housing" in result.reasons


def test_social_needs_with_behavioral_need_is_not_brokerage(defaults: dict[str, Any]) -> None:
    result = _recommend(
        defaults,
        tier="low",
        social_needs=["housing"],
        conditions=[(ICD, "F10.20", "Alcohol dependence")],
    )
    assert result.model_kind != "brokerage"


def test_high_risk_without_a_pattern_is_integrated(defaults: dict[str, Any]) -> None:
    result = _recommend(defaults, tier="very_high")
    assert result.model_kind == "integrated"
    assert result.reasons[1] == "Risk tier very high"


def test_nothing_known_recommends_nothing(defaults: dict[str, Any]) -> None:
    result = _recommend(defaults, tier="low")
    assert result.model_kind == ""
    assert result.reasons == [NO_RECOMMENDATION]


def test_recommendation_thresholds_come_from_settings() -> None:
    strict = resolve_thresholds({"recommendation": {"high_utilization": 5}})
    facts = ClientFacts(
        tier="high", conditions=[(ICD, "F20.0", "Paranoid schizophrenia")], acute_use_12_months=3
    )
    assert recommend_model(facts, resolve_thresholds()).model_kind == "intensive"
    assert recommend_model(facts, strict).model_kind == "clinical"


def test_charlson_from_conditions_uses_1987_weights() -> None:
    conditions = [
        (ICD, "I50.9", ""),  # congestive heart failure 1
        (ICD, "E11.22", ""),  # diabetes with end-organ damage 2 (hierarchy drops E11)
        (ICD, "E11.9", ""),
    ]
    assert charlson_from_conditions(conditions) == 3
    assert charlson_from_conditions([]) == 0
