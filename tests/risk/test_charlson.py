"""Comorbidity categories from coded conditions: Quan 2005 ICD-10 prefixes, Synthea SNOMED CT
codes, the hierarchy rule, and the two weightings (Charlson 1987 and LACE)."""

from __future__ import annotations

import pytest

from casework.risk import charlson
from casework.risk.charlson import ICD10_CM_SYSTEM, SNOMED_SYSTEM

ICD = ICD10_CM_SYSTEM


@pytest.mark.parametrize(
    ("code", "category"),
    [
        ("I21.4", "myocardial_infarction"),
        ("I25.2", "myocardial_infarction"),
        ("I50.9", "congestive_heart_failure"),
        ("I11.0", "congestive_heart_failure"),
        ("I73.9", "peripheral_vascular_disease"),
        ("I63.9", "cerebrovascular_disease"),
        ("G45.9", "cerebrovascular_disease"),
        ("G30.9", "dementia"),
        ("F03.90", "dementia"),
        ("J44.9", "chronic_pulmonary_disease"),
        ("J45.909", "chronic_pulmonary_disease"),
        ("M06.9", "connective_tissue_disease"),
        ("M32.9", "connective_tissue_disease"),
        ("K25.9", "peptic_ulcer_disease"),
        ("B18.2", "mild_liver_disease"),
        ("K74.60", "mild_liver_disease"),
        ("E11.9", "diabetes"),
        ("E10.65", "diabetes"),
        ("E11.22", "diabetes_with_complications"),
        ("E11.40", "diabetes_with_complications"),
        ("G81.90", "hemiplegia"),
        ("N18.30", "mild_renal_disease"),
        ("N18.6", "severe_renal_disease"),
        ("Z99.2", "severe_renal_disease"),
        ("C50.911", "malignancy"),
        ("C34.90", "malignancy"),
        ("C91.00", "malignancy"),
        ("I85.00", "severe_liver_disease"),
        ("K72.90", "severe_liver_disease"),
        ("C78.00", "metastatic_solid_tumour"),
        ("B20", "hiv_aids"),
    ],
)
def test_quan_icd10_prefixes(code: str, category: str) -> None:
    assert category in charlson.categories_for_code(ICD, code)
    # Dots, case and a missing system do not matter.
    assert category in charlson.categories_for_code("", code.replace(".", "").lower())


@pytest.mark.parametrize("code", ["I10", "E78.5", "C44.91", "J06.9", "Z59.00", "F41.1", "K70.4"])
def test_codes_outside_the_mild_categories(code: str) -> None:
    categories = charlson.categories_for_code(ICD, code) & charlson.CATEGORIES.keys()
    if code == "K70.4":  # alcoholic hepatic failure: moderate or severe, not mild
        assert categories == {"severe_liver_disease"}
    else:
        # Hypertension, lipids, non-melanoma skin cancer (C44), colds and anxiety are not
        # Charlson conditions.
        assert categories == set()


@pytest.mark.parametrize(
    ("code", "category"),
    [
        ("44054006", "diabetes"),  # in the Synthea sample bundles
        ("87433001", "chronic_pulmonary_disease"),  # in the Synthea sample bundles
        ("69896004", "connective_tissue_disease"),  # in the Synthea sample bundles
        ("88805009", "congestive_heart_failure"),
        ("22298006", "myocardial_infarction"),
        ("230690007", "cerebrovascular_disease"),
        ("26929004", "dementia"),
        ("185086009", "chronic_pulmonary_disease"),
        ("127013003", "diabetes_with_complications"),
        ("433144002", "mild_renal_disease"),
        ("46177005", "severe_renal_disease"),
        ("254837009", "malignancy"),
        ("94260004", "metastatic_solid_tumour"),
        ("128302006", "mild_liver_disease"),
        ("86406008", "hiv_aids"),
    ],
)
def test_synthea_snomed_codes(code: str, category: str) -> None:
    assert category in charlson.categories_for_code(SNOMED_SYSTEM, code)


def test_snomed_codes_that_are_not_comorbidities() -> None:
    for code in ("444814009", "38341003", "15777000", "162864005"):  # sinusitis, HTN, prediabetes
        assert charlson.categories_for_code(SNOMED_SYSTEM, code) == frozenset()


def test_hierarchy_counts_only_the_more_severe() -> None:
    codes = [
        (ICD, "E11.9"),
        (ICD, "E11.22"),
        (ICD, "K70.30"),
        (ICD, "K72.90"),
        (ICD, "C18.9"),
        (ICD, "C78.7"),
        (ICD, "N18.30"),
        (ICD, "N18.5"),
    ]
    found = charlson.comorbidities(codes)
    assert found == {
        "diabetes_with_complications",
        "severe_liver_disease",
        "metastatic_solid_tumour",
        "severe_renal_disease",
    }
    # 1987 weights: 2 + 3 + 6 + 2; LACE weights: 2 + 4 + 6 + 4.
    assert charlson.charlson_index(found) == 13
    assert charlson.lace_comorbidity_total(found) == 16
    # The hierarchy is applied even when the caller passes both members of a pair.
    assert charlson.charlson_index({"diabetes", "diabetes_with_complications"}) == 2


def test_the_two_weightings_differ() -> None:
    # Heart failure: Charlson 1, LACE 2. Dementia: 1 vs 3. Peptic ulcer, hemiplegia and AIDS
    # carry no LACE weight.
    assert charlson.charlson_index({"congestive_heart_failure", "dementia"}) == 2
    assert charlson.lace_comorbidity_total({"congestive_heart_failure", "dementia"}) == 5
    for key in ("peptic_ulcer_disease", "hemiplegia", "hiv_aids"):
        assert charlson.lace_comorbidity_total({key}) == 0
        assert charlson.charlson_index({key}) > 0
    assert charlson.charlson_index({"hiv_aids"}) == 6


def test_behavioral_categories() -> None:
    assert charlson.behavioral_categories([(ICD, "F20.9")]) == {"serious_mental_illness"}
    assert charlson.behavioral_categories([(ICD, "F31.9")]) == {"serious_mental_illness"}
    assert charlson.behavioral_categories([(ICD, "F33.2")]) == {
        "serious_mental_illness",
        "depression",
    }
    assert charlson.behavioral_categories([(ICD, "F32.A")]) == {"depression"}
    assert charlson.behavioral_categories([(ICD, "F10.20")]) == {"substance_use"}
    assert charlson.behavioral_categories([(SNOMED_SYSTEM, "7200002")]) == {"substance_use"}
    assert charlson.behavioral_categories([(ICD, "F41.1")]) == set()
    # Behavioral categories never add to a Charlson score.
    assert charlson.comorbidities([(ICD, "F20.9"), (ICD, "F10.20")]) == set()


def test_social_need_codes() -> None:
    assert charlson.is_social_need(ICD, "Z59.00")
    assert charlson.is_social_need(ICD, "Z59.41")
    assert not charlson.is_social_need(ICD, "Z99.2")
    assert not charlson.is_social_need(SNOMED_SYSTEM, "32911000")
