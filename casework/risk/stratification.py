"""Stratification: a risk tier with its reasons, and the recommended case management model.

Pure functions over plain data -- no database. ``casework.risk.services.population_stratify``
gathers the data for thousands of clients in a handful of queries and calls these for each.

Tier
    Each signal (the LACE index, the predictive model's probability, instrument flags, instrument
    scores) proposes a tier; **the highest wins**, and the tier keeps every signal's reason, the
    strongest first (``["LACE 12 (≥10: high)", "PHQ-9 item 9 positive (at least very high)"]``).

Recommended model
    Rules are data (:data:`RECOMMENDATION_RULES`): the first rule whose criteria hold gives the
    model kind, and its reasons name the facts that made it hold. ``docs/stratification.md``
    gives each rule's rationale.

Default numbers and their sources (an organization overrides any of them through
``RiskSettings.thresholds``; :func:`resolve_thresholds` merges the two):

* LACE index: van Walraven C et al. CMAJ 2010;182(6):551-557 (doi:10.1503/cmaj.091117). The paper
  reports a continuous risk, not categories; the bands 0-4 low, 5-9 moderate, ≥10 high are the ones
  in common use (Wang H et al. BMC Cardiovasc Disord 2014;14:97, Table 1; R package ``cliot``,
  ``lace_readmission_index``; "the threshold at 10 ... has been commonly used", Intern Emerg Med
  2020). LACE alone never gives "very high" by default. Compiled in
  ``/work/shared/data/risk-scores.md`` §1.
* Model probability (ED visit or inpatient admission within 180 days): moderate ≥ 0.10, high ≥ 0.25,
  very high ≥ 0.50 -- **casework judgement**, not from a publication: a 180-day acute-care event
  rate of one in ten is already several times a general adult population's, one in four is where
  programs commonly start proactive outreach, one in two is "more likely than not". Calibrate these
  against the model's own evaluation (``casework risk train`` prints its calibration).
* PHQ-9 total (LOINC 44261-6): 15-19 "moderately severe" → at least moderate, ≥ 20 "severe" → at
  least high (bands from Kroenke K, Spitzer RL, Williams JBW. J Gen Intern Med 2001;16:606-613;
  which tier each band maps to is casework judgement).
* GAD-7 total (LOINC 70274-6): ≥ 15 "severe" → at least moderate (band from Spitzer RL et al. Arch
  Intern Med 2006;166:1092-1097; the tier is casework judgement).
* Flags: a positive PHQ-9 item 9 (thoughts of death or self-harm) → very high, because it calls for
  same-day safety assessment; any other flag the instrument marks ``urgent`` (e.g. a positive AHC
  interpersonal-safety screen, sum of items 7-10 > 10 per CMS AHC HRSN) → at least high. Casework
  judgement: a safety concern must never sit in a low tier whatever the other scores say.
* Recommendation thresholds: high utilization = 2 or more ED visits or inpatient admissions in 12
  months; medical complexity = Charlson ≥ 3 or 2 or more chronic-condition categories; moderate
  depression or anxiety = PHQ-9 ≥ 10 (Kroenke 2001: sensitivity and specificity 88 % for major
  depression) or GAD-7 ≥ 10 (Spitzer 2006: "cutpoint for further evaluation"). The utilization and
  complexity cut-offs are casework judgement, explained in docs/stratification.md.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from casework.risk import charlson

TIERS: tuple[str, ...] = ("low", "moderate", "high", "very_high")
TIER_RANK: dict[str, int] = {tier: rank for rank, tier in enumerate(TIERS)}
EN_DASH = "\u2013"
TIER_LABELS: dict[str, str] = {
    "low": "low",
    "moderate": "moderate",
    "high": "high",
    "very_high": "very high",
}

# LOINC codes of the instrument totals stratification reads (SCORING.md in the shared data).
PHQ9_TOTAL = "44261-6"
GAD7_TOTAL = "70274-6"
AUDIT_C_TOTAL = "75626-2"
SCORE_CODES: tuple[str, ...] = (PHQ9_TOTAL, GAD7_TOTAL, AUDIT_C_TOTAL)

# The strengths assessment has no LOINC panel (casework.programs.standard_models.STRENGTHS).
STRENGTHS_INSTRUMENT = "casework-strengths"

DEFAULT_THRESHOLDS: dict[str, Any] = {
    # van Walraven 2010; bands from Wang 2014 Table 1 and cliot (see the module docstring).
    "lace": {"moderate": 5, "high": 10, "very_high": None},
    # casework judgement (module docstring).
    "probability": {"moderate": 0.10, "high": 0.25, "very_high": 0.50},
    # Instrument totals by LOINC code: the lowest score that lifts the tier to at least that tier.
    "scores": {
        PHQ9_TOTAL: {"label": "PHQ-9", "moderate": 15, "high": 20},  # Kroenke 2001 bands
        GAD7_TOTAL: {"label": "GAD-7", "moderate": 15},  # Spitzer 2006 "severe"
    },
    # Flag code -> the tier it lifts the client to at least; "urgent"/"routine" apply to flags
    # whose code is not listed, by the severity the instrument gives them.
    "flags": {
        "phq9_item9_positive": "very_high",
        "ahc_interpersonal_safety_positive": "high",
        "urgent": "high",
        "routine": None,
    },
    "recommendation": {
        "high_utilization": 2,  # ED visits + inpatient admissions in the last 12 months
        "charlson": 3,
        "chronic_categories": 2,
        "depression_score": 10,  # PHQ-9, Kroenke 2001
        "anxiety_score": 10,  # GAD-7, Spitzer 2006
    },
}


# ----------------------------------------------------------------------------------------------
# Thresholds


class ThresholdError(ValueError):
    """Organization thresholds that cannot be used (names the offending setting)."""


def _merge(base: dict[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    merged = copy.deepcopy(base)
    for key, value in override.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def _check_ascending(name: str, bands: Mapping[str, Any]) -> None:
    previous: float | None = None
    for tier in TIERS[1:]:
        value = bands.get(tier)
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ThresholdError(f"{name}.{tier} must be a number or null, not {value!r}")
        if previous is not None and value <= previous:
            raise ThresholdError(f"{name}: the {tier} threshold must be above the one below it")
        previous = value


def resolve_thresholds(overrides: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The defaults with an organization's overrides merged in, checked.

    Raises :class:`ThresholdError` naming the setting when a value is not usable, so a bad setting
    stops a stratification run before it writes anything.
    """
    if overrides is not None and not isinstance(overrides, Mapping):
        raise ThresholdError("thresholds must be an object")
    resolved = _merge(DEFAULT_THRESHOLDS, overrides or {})
    _check_ascending("lace", resolved["lace"])
    _check_ascending("probability", resolved["probability"])
    for code, bands in resolved["scores"].items():
        if not isinstance(bands, Mapping):
            raise ThresholdError(f"scores.{code} must be an object")
        _check_ascending(f"scores.{code}", bands)
    for code, tier in resolved["flags"].items():
        if tier is not None and tier not in TIER_RANK:
            raise ThresholdError(f"flags.{code} must be one of {', '.join(TIERS)} or null")
    for key, value in resolved["recommendation"].items():
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ThresholdError(f"recommendation.{key} must be a number")
    return resolved


# ----------------------------------------------------------------------------------------------
# Tier


@dataclass(frozen=True)
class Signal:
    """One piece of evidence and the tier it asks for."""

    tier: str
    reason: str


@dataclass(frozen=True)
class TierResult:
    tier: str
    reasons: list[str]


def _band(value: float, bands: Mapping[str, Any]) -> str:
    tier = "low"
    for candidate in TIERS[1:]:
        bound = bands.get(candidate)
        if bound is not None and value >= bound:
            tier = candidate
    return tier


def _bounds(tier: str, bands: Mapping[str, Any]) -> tuple[float | None, float | None]:
    """(lowest value of ``tier``, lowest value of the next tier up that is set)."""
    lower = None if tier == "low" else bands.get(tier)
    upper = None
    for candidate in TIERS[TIER_RANK[tier] + 1 :]:
        if bands.get(candidate) is not None:
            upper = bands[candidate]
            break
    return lower, upper


def lace_signal(score: int, thresholds: Mapping[str, Any]) -> Signal:
    """``LACE 12 (≥10: high)``, ``LACE 7 (5-9: moderate)``, ``LACE 3 (0-4: low)`` (en dash)."""
    bands = thresholds["lace"]
    tier = _band(score, bands)
    lower, upper = _bounds(tier, bands)
    band = f"≥{lower:g}" if upper is None else f"{lower or 0:g}{EN_DASH}{upper - 1:g}"
    return Signal(tier, f"LACE {score} ({band}: {TIER_LABELS[tier]})")


def probability_signal(probability: float, thresholds: Mapping[str, Any]) -> Signal:
    """``Predicted 180-day ED visit or admission risk 31% (≥25%: high)``."""
    bands = thresholds["probability"]
    tier = _band(probability, bands)
    lower, upper = _bounds(tier, bands)
    band = f"≥{lower:.0%}" if lower is not None else f"<{upper:.0%}" if upper is not None else ""
    return Signal(
        tier,
        f"Predicted 180-day ED visit or admission risk {probability:.0%} "
        f"({band}: {TIER_LABELS[tier]})",
    )


def score_signals(scores: Mapping[str, float], thresholds: Mapping[str, Any]) -> list[Signal]:
    """Instrument totals that reach a configured band (scores below every band say nothing)."""
    signals = []
    for code, bands in thresholds["scores"].items():
        value = scores.get(code)
        if value is None:
            continue
        tier = _band(float(value), bands)
        if tier == "low":
            continue
        label = bands.get("label", code)
        signals.append(
            Signal(
                tier, f"{label} {float(value):g} (≥{bands[tier]:g}: at least {TIER_LABELS[tier]})"
            )
        )
    return signals


def flag_signals(flags: Iterable[Mapping[str, Any]], thresholds: Mapping[str, Any]) -> list[Signal]:
    """Instrument flags: by code when the settings name it, else by the flag's severity."""
    table = thresholds["flags"]
    signals = []
    seen = set()
    for flag in flags:
        code = str(flag.get("code", ""))
        if code in seen:
            continue
        seen.add(code)
        tier = table[code] if code in table else table.get(str(flag.get("severity", "")))
        if tier is None:
            continue
        label = str(flag.get("label") or code.replace("_", " "))
        signals.append(Signal(tier, f"{label} (at least {TIER_LABELS[tier]})"))
    return signals


NO_SIGNAL_REASON = "No rule score, prediction or instrument finding above low"


def tier_from_signals(signals: Sequence[Signal]) -> TierResult:
    """The highest tier any signal asks for, with every reason, the strongest first."""
    if not signals:
        return TierResult("low", [NO_SIGNAL_REASON])
    ordered = sorted(signals, key=lambda signal: -TIER_RANK[signal.tier])
    return TierResult(ordered[0].tier, [signal.reason for signal in ordered])


def stratify_tier(
    *,
    thresholds: Mapping[str, Any],
    lace: int | None = None,
    probability: float | None = None,
    flags: Iterable[Mapping[str, Any]] = (),
    scores: Mapping[str, float] | None = None,
) -> TierResult:
    """A client's tier from whatever signals exist (a missing one is simply not a signal)."""
    signals = flag_signals(flags, thresholds)
    if lace is not None:
        signals.append(lace_signal(lace, thresholds))
    if probability is not None:
        signals.append(probability_signal(probability, thresholds))
    signals += score_signals(scores or {}, thresholds)
    return tier_from_signals(signals)


# ----------------------------------------------------------------------------------------------
# Conditions: what a coded condition tells the rules. The category tables (Charlson categories
# after Quan 2005, and the behavioral categories, serious mental illness being ICD-10-CM F20-F31
# and F33) live in ``casework.risk.charlson``, shared with LACE and the predictive model.

# Behavioral health also covers the rest of the ICD-10 "mental and behavioural disorders" chapter
# (F01-F99, e.g. F41 anxiety disorders) and the SNOMED CT anxiety disorder concept.
BEHAVIORAL_ICD10_CHAPTER = "F"
BEHAVIORAL_SNOMED_EXTRA = {"197480006"}  # Anxiety disorder


@dataclass(frozen=True)
class CodeMeaning:
    smi: bool
    behavioral: bool
    medical: frozenset[str]  # Charlson categories


@lru_cache(maxsize=20_000)
def code_meaning(system: str, code: str) -> CodeMeaning:
    """What a condition code tells stratification (cached: a population has few distinct codes)."""
    categories = charlson.categories_for_code(system, code)
    is_icd = charlson.is_icd10(system, code.strip())
    behavioral = bool(categories & charlson.BEHAVIORAL.keys()) or (
        charlson.normalize_icd10(code).startswith(BEHAVIORAL_ICD10_CHAPTER)
        if is_icd
        else code.strip() in BEHAVIORAL_SNOMED_EXTRA
    )
    return CodeMeaning(
        smi="serious_mental_illness" in categories,
        behavioral=behavioral,
        medical=frozenset(categories & charlson.CATEGORIES.keys()),
    )


def charlson_from_conditions(conditions: Iterable[tuple[str, str, str]]) -> int:
    """The 1987 Charlson index (no age points) of ``(system, code, display)`` conditions."""
    return charlson.charlson_index(
        charlson.comorbidities((system, code) for system, code, _ in conditions)
    )


# ----------------------------------------------------------------------------------------------
# Recommendation


@dataclass
class ClientFacts:
    """What the recommendation rules look at, for one client."""

    tier: str
    conditions: Sequence[tuple[str, str, str]] = ()  # (system, code, display), active ones
    screening_findings: Sequence[Mapping[str, Any]] = ()  # from open cases
    acute_use_12_months: int = 0  # ED visits + inpatient admissions
    charlson: int | None = None  # None: computed from the conditions (1987 weights)
    scores: Mapping[str, float] = field(default_factory=dict)
    flags: Sequence[Mapping[str, Any]] = ()
    social_needs: Sequence[str] = ()
    strengths_assessed: bool = False
    recovery_goals: bool = False


@dataclass
class Profile:
    """Facts turned into the named findings the rules test, each with its wording."""

    facts: ClientFacts
    settings: Mapping[str, Any]
    smi: list[str] = field(default_factory=list)
    behavioral: list[str] = field(default_factory=list)
    chronic: dict[str, str] = field(default_factory=dict)  # Charlson category -> label
    charlson: int = 0

    @classmethod
    def build(cls, facts: ClientFacts, settings: Mapping[str, Any]) -> Profile:
        profile = cls(facts=facts, settings=settings)
        medical: set[str] = set()
        coded = [(system, code, display, "") for system, code, display in facts.conditions]
        coded += [
            (
                str(finding.get("system", "")),
                str(finding.get("code", "")),
                str(finding.get("display", "")),
                " (screening)",
            )
            for finding in facts.screening_findings
        ]
        for system, code, display, source in coded:
            meaning = code_meaning(system, code)
            name = f"{code} {display}".strip() + source
            if meaning.smi and not any(item.startswith(f"{code} ") for item in profile.smi):
                profile.smi.append(name)
            if meaning.behavioral and not any(
                item.startswith(f"{code} ") for item in profile.behavioral
            ):
                profile.behavioral.append(name)
            medical |= meaning.medical
        medical = charlson.apply_hierarchy(medical)
        profile.chronic = {key: charlson.CATEGORIES[key].label.lower() for key in sorted(medical)}
        profile.charlson = (
            facts.charlson if facts.charlson is not None else charlson.charlson_index(medical)
        )
        return profile


Criterion = Callable[[Profile], "tuple[bool, str]"]


def _smi(p: Profile) -> tuple[bool, str]:
    if p.smi:
        return True, "Serious mental illness: " + ", ".join(p.smi[:3])
    return False, "No serious mental illness recorded"


def _high_utilization(p: Profile) -> tuple[bool, str]:
    needed = p.settings["high_utilization"]
    count = p.facts.acute_use_12_months
    plural = "" if count == 1 else "s"
    words = f"{count} ED visit{plural} or inpatient admission{plural}"
    if count >= needed:
        return True, f"High utilization: {words} in 12 months (≥{needed:g})"
    return False, f"No high utilization: {words} in 12 months (<{needed:g})"


def _medical_complexity(p: Profile) -> tuple[bool, str]:
    charlson = p.charlson
    need_charlson = p.settings["charlson"]
    need_categories = p.settings["chronic_categories"]
    parts = []
    if charlson >= need_charlson:
        parts.append(f"Charlson {charlson} (≥{need_charlson:g})")
    if len(p.chronic) >= need_categories:
        parts.append(
            f"{len(p.chronic)} chronic condition categories ({'; '.join(p.chronic.values())})"
        )
    if parts:
        return True, "Medical complexity: " + "; ".join(parts)
    return False, "No medical complexity"


def _score(p: Profile, code: str) -> float | None:
    value = p.facts.scores.get(code)
    return None if value is None else float(value)


def _depression_or_anxiety(p: Profile) -> tuple[bool, str]:
    found = []
    phq9 = _score(p, PHQ9_TOTAL)
    if phq9 is not None and phq9 >= p.settings["depression_score"]:
        found.append(f"PHQ-9 {phq9:g} (≥{p.settings['depression_score']:g})")
    gad7 = _score(p, GAD7_TOTAL)
    if gad7 is not None and gad7 >= p.settings["anxiety_score"]:
        found.append(f"GAD-7 {gad7:g} (≥{p.settings['anxiety_score']:g})")
    if found:
        return True, "Moderate to severe depression or anxiety: " + ", ".join(found)
    return False, "No moderate depression or anxiety score"


def _behavioral(p: Profile) -> tuple[bool, str]:
    found = list(p.behavioral[:3])
    scored, reason = _depression_or_anxiety(p)
    if scored:
        found.append(reason.split(": ", 1)[1])
    for flag in p.facts.flags:
        if flag.get("severity") == "urgent" and str(flag.get("code", "")).startswith("phq"):
            found.append(str(flag.get("label") or flag.get("code")))
    if found:
        return True, "Behavioral health need: " + "; ".join(found)
    return False, "No behavioral health need recorded"


def _social(p: Profile) -> tuple[bool, str]:
    needs = sorted(set(p.facts.social_needs))
    if needs:
        return True, "Social needs: " + ", ".join(needs)
    return False, "No open social needs"


def _strengths(p: Profile) -> tuple[bool, str]:
    found = []
    if p.facts.strengths_assessed:
        found.append("strengths assessment completed")
    if p.facts.recovery_goals:
        found.append("recovery goals in the care plan")
    if found:
        return True, "Recovery orientation: " + ", ".join(found)
    return False, "No strengths assessment or recovery goals"


def _low_or_moderate(p: Profile) -> tuple[bool, str]:
    label = TIER_LABELS[p.facts.tier]
    if TIER_RANK[p.facts.tier] <= TIER_RANK["moderate"]:
        return True, f"Risk tier {label}"
    return False, f"Risk tier {label} (above moderate)"


def _high_or_very_high(p: Profile) -> tuple[bool, str]:
    label = TIER_LABELS[p.facts.tier]
    if TIER_RANK[p.facts.tier] >= TIER_RANK["high"]:
        return True, f"Risk tier {label}"
    return False, f"Risk tier {label}"


CRITERIA: dict[str, Criterion] = {
    "serious_mental_illness": _smi,
    "high_utilization": _high_utilization,
    "medical_complexity": _medical_complexity,
    "depression_or_anxiety": _depression_or_anxiety,
    "behavioral_need": _behavioral,
    "social_need": _social,
    "recovery_orientation": _strengths,
    "low_or_moderate_risk": _low_or_moderate,
    "high_risk": _high_or_very_high,
}


@dataclass(frozen=True)
class RecommendationRule:
    """``all_of`` must hold, at least one of ``any_of`` (when given), none of ``none_of``."""

    name: str
    model_kind: str
    summary: str
    all_of: tuple[str, ...] = ()
    any_of: tuple[str, ...] = ()
    none_of: tuple[str, ...] = ()


# Order matters: the first rule that holds wins (rationale per rule: docs/stratification.md).
RECOMMENDATION_RULES: tuple[RecommendationRule, ...] = (
    RecommendationRule(
        name="smi_high_utilization",
        model_kind="intensive",
        summary="Intensive (ICM/ACT): serious mental illness with high hospital use",
        all_of=("serious_mental_illness", "high_utilization"),
    ),
    RecommendationRule(
        name="medical_complexity_with_needs",
        model_kind="integrated",
        summary="Integrated: medical complexity together with behavioral or social needs",
        all_of=("medical_complexity",),
        any_of=("behavioral_need", "social_need"),
    ),
    RecommendationRule(
        name="recovery_low_moderate_risk",
        model_kind="strengths",
        summary="Strengths-based: recovery orientation at low or moderate risk",
        all_of=("recovery_orientation", "low_or_moderate_risk"),
    ),
    RecommendationRule(
        name="depression_anxiety",
        model_kind="clinical",
        summary="Clinical: moderate to severe depression or anxiety without high hospital use",
        all_of=("depression_or_anxiety",),
        none_of=("high_utilization",),
    ),
    RecommendationRule(
        name="smi_without_high_utilization",
        model_kind="clinical",
        summary="Clinical: serious mental illness without high hospital use",
        all_of=("serious_mental_illness",),
        none_of=("high_utilization",),
    ),
    RecommendationRule(
        name="social_needs_only",
        model_kind="brokerage",
        summary="Brokerage: social and access needs only, at low clinical risk",
        all_of=("social_need", "low_or_moderate_risk"),
        none_of=("behavioral_need", "medical_complexity"),
    ),
    RecommendationRule(
        name="high_risk_other",
        model_kind="integrated",
        summary="Integrated: high risk or hospital use without a more specific pattern",
        any_of=("high_risk", "high_utilization"),
    ),
)

NO_RECOMMENDATION = (
    "No rule applies (no clinical, utilization or social need found): no case management model "
    "recommended"
)


@dataclass(frozen=True)
class Recommendation:
    model_kind: str  # "" when no rule applies
    reasons: list[str]
    rule: str = ""


def recommend_model(
    facts: ClientFacts,
    thresholds: Mapping[str, Any],
    rules: Sequence[RecommendationRule] = RECOMMENDATION_RULES,
) -> Recommendation:
    """The first rule whose criteria hold; its reasons are the rule and the facts behind it."""
    profile = Profile.build(facts, thresholds["recommendation"])
    results: dict[str, tuple[bool, str]] = {}

    def check(name: str) -> tuple[bool, str]:
        if name not in results:
            results[name] = CRITERIA[name](profile)
        return results[name]

    for rule in rules:
        if not all(check(name)[0] for name in rule.all_of):
            continue
        if rule.any_of and not any(check(name)[0] for name in rule.any_of):
            continue
        if any(check(name)[0] for name in rule.none_of):
            continue
        reasons = [rule.summary]
        reasons += [check(name)[1] for name in rule.all_of]
        reasons += [check(name)[1] for name in rule.any_of if check(name)[0]]
        reasons += [check(name)[1] for name in rule.none_of]
        return Recommendation(rule.model_kind, reasons, rule.name)
    return Recommendation("", [NO_RECOMMENDATION])
