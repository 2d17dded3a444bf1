"""Comorbidity categories from coded conditions: the Charlson categories (with the 1987 Charlson
weights and the LACE weights) and the behavioral-health categories the predictive model uses.

The tables below are data. Each says where it comes from:

* ICD-10 / ICD-10-CM: Quan H, Sundararajan V, Halfon P, et al. "Coding algorithms for defining
  comorbidities in ICD-9-CM and ICD-10 administrative data." *Med Care* 2005;43(11):1130-1139,
  Table 1 (Charlson, ICD-10 column). A code belongs to a category when it starts with one of the
  category's prefixes (dots ignored, so ``I25.2``, ``I252`` and ``I25.20`` all match ``I252``).
* SNOMED CT: the codes Synthea's disease modules record for these conditions (checked against the
  Condition resources in ``/work/shared/data/synthea`` and Synthea's module list), each placed in
  the category its Quan ICD-10 equivalent falls in, plus a few common general codes.
* Weights: Charlson ME et al., *J Chronic Dis* 1987;40(5):373-383 (``charlson_weight``); the LACE
  comorbidity weights of van Walraven C et al., *CMAJ* 2010;182(6):551-557, as tabulated in Wang H
  et al., *BMC Cardiovasc Disord* 2014;14:97, Table 1 (``lace_weight``). The two differ (LACE gives
  heart failure 2, dementia 3, moderate or severe liver or renal disease 4, and nothing for peptic
  ulcer, hemiplegia or AIDS); see docs/risk.md.

Casework choices, documented in docs/risk.md: Quan has one renal category; LACE weighs "mild"
(2) and "moderate or severe" (4) renal disease differently, so renal codes are split by chronic
kidney disease stage (stages 1-3 and unspecified are mild; stage 4, 5, end-stage, dialysis and
kidney transplant are moderate or severe). Both renal categories weigh 2 in the 1987 Charlson
index, as Quan's single category does. ICD-10-CM's E08/E09 (secondary diabetes) follow Quan's
fourth-character rule for E10-E14. Stage 4 lung cancer counts as metastatic (stage IV is M1).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

SNOMED_SYSTEM = "http://snomed.info/sct"
ICD10_CM_SYSTEM = "http://hl7.org/fhir/sid/icd-10-cm"
ICD10_SYSTEM = "http://hl7.org/fhir/sid/icd-10"


@dataclass(frozen=True)
class Category:
    key: str
    label: str
    charlson_weight: int  # Charlson 1987
    lace_weight: int  # LACE (van Walraven 2010; Wang 2014 Table 1)


# fmt: off
CATEGORIES: dict[str, Category] = {c.key: c for c in (
    Category("myocardial_infarction", "Myocardial infarction", 1, 1),
    Category("congestive_heart_failure", "Congestive heart failure", 1, 2),
    Category("peripheral_vascular_disease", "Peripheral vascular disease", 1, 1),
    Category("cerebrovascular_disease", "Cerebrovascular disease", 1, 1),
    Category("dementia", "Dementia", 1, 3),
    Category("chronic_pulmonary_disease", "Chronic pulmonary disease", 1, 2),
    Category("connective_tissue_disease", "Connective tissue (rheumatic) disease", 1, 3),
    Category("peptic_ulcer_disease", "Peptic ulcer disease", 1, 0),
    Category("mild_liver_disease", "Mild liver disease", 1, 2),
    Category("diabetes", "Diabetes without complications", 1, 1),
    Category("diabetes_with_complications", "Diabetes with end-organ damage", 2, 2),
    Category("hemiplegia", "Hemiplegia or paraplegia", 2, 0),
    Category("mild_renal_disease", "Mild renal disease", 2, 2),
    Category("severe_renal_disease", "Moderate or severe renal disease", 2, 4),
    Category("malignancy", "Tumour, lymphoma or leukaemia", 2, 2),
    Category("severe_liver_disease", "Moderate or severe liver disease", 3, 4),
    Category("metastatic_solid_tumour", "Metastatic solid tumour", 6, 6),
    Category("hiv_aids", "HIV/AIDS", 6, 0),
)}

# Count only the more severe of each pair (Charlson's hierarchy, as commonly applied; e.g.
# fpnotebook: "Diabetes Mellitus (1 point uncomplicated, 2 points if end-organ damage)").
HIERARCHY: tuple[tuple[str, str], ...] = (
    ("mild_liver_disease", "severe_liver_disease"),
    ("diabetes", "diabetes_with_complications"),
    ("malignancy", "metastatic_solid_tumour"),
    ("mild_renal_disease", "severe_renal_disease"),
)

# Quan et al. 2005, Table 1, ICD-10 column. Prefixes without dots.
ICD10_PREFIXES: dict[str, tuple[str, ...]] = {
    "myocardial_infarction": ("I21", "I22", "I252"),
    "congestive_heart_failure": (
        "I099", "I110", "I130", "I132", "I255", "I420", "I425", "I426", "I427", "I428", "I429",
        "I43", "I50", "P290",
    ),
    "peripheral_vascular_disease": (
        "I70", "I71", "I731", "I738", "I739", "I771", "I790", "I792", "K551", "K558", "K559",
        "Z958", "Z959",
    ),
    "cerebrovascular_disease": (
        "G45", "G46", "H340", "I60", "I61", "I62", "I63", "I64", "I65", "I66", "I67", "I68", "I69",
    ),
    "dementia": ("F00", "F01", "F02", "F03", "F051", "G30", "G311"),
    "chronic_pulmonary_disease": (
        "I278", "I279", "J40", "J41", "J42", "J43", "J44", "J45", "J46", "J47", "J60", "J61",
        "J62", "J63", "J64", "J65", "J66", "J67", "J684", "J701", "J703",
    ),
    "connective_tissue_disease": (
        "M05", "M06", "M315", "M32", "M33", "M34", "M351", "M353", "M360",
    ),
    "peptic_ulcer_disease": ("K25", "K26", "K27", "K28"),
    "mild_liver_disease": (
        "B18", "K700", "K701", "K702", "K703", "K709", "K713", "K714", "K715", "K717", "K73", "K74",
        "K760", "K762", "K763", "K764", "K768", "K769", "Z944",
    ),
    # Quan lists E1x.0, .1, .6, .8, .9 as uncomplicated; the three-character category is used
    # here so that a code without a fourth character counts too, and the hierarchy below lets
    # the complication codes (.2-.5, .7) win.
    "diabetes": tuple(f"E{n:02d}" for n in (8, 9, 10, 11, 12, 13, 14)),
    "diabetes_with_complications": tuple(
        f"E{n:02d}{fourth}" for n in (8, 9, 10, 11, 12, 13, 14) for fourth in "23457"
    ),
    "hemiplegia": (
        "G041", "G114", "G801", "G802", "G81", "G82", "G830", "G831", "G832", "G833", "G834",
        "G839",
    ),
    # Quan's renal disease split by stage (see the module docstring).
    "mild_renal_disease": (
        "I131", "N032", "N033", "N034", "N035", "N036", "N037", "N052", "N053", "N054",
        "N055", "N056", "N057", "N18", "N19",
    ),
    "severe_renal_disease": (
        "I120", "I1311", "I132", "N184", "N185", "N186", "N250", "Z490", "Z491", "Z492", "Z940",
        "Z992",
    ),
    "malignancy": (
        *(f"C{n:02d}" for n in range(0, 27)),
        *(f"C{n:02d}" for n in range(30, 35)),
        *(f"C{n:02d}" for n in range(37, 42)),
        "C43",
        *(f"C{n:02d}" for n in range(45, 59)),
        *(f"C{n:02d}" for n in range(60, 77)),
        "C81", "C82", "C83", "C84", "C85", "C88",
        *(f"C{n:02d}" for n in range(90, 98)),
    ),
    "severe_liver_disease": (
        "I850", "I859", "I864", "I982", "K704", "K711", "K721", "K729", "K765", "K766", "K767",
    ),
    "metastatic_solid_tumour": ("C77", "C78", "C79", "C80"),
    "hiv_aids": ("B20", "B21", "B22", "B24"),
}
# I13.0 (hypertensive heart and renal disease with heart failure) is heart failure in Quan; I13.1
# is renal disease, which ICD-10-CM splits by stage (I13.10 stage 1-4 → mild, I13.11 stage 5 or
# end stage → moderate or severe); I13.2 is both heart failure and severe renal disease.

# SNOMED CT codes seen in Synthea output (and a few general ones), by category.
SNOMED_CODES: dict[str, tuple[str, ...]] = {
    "myocardial_infarction": (
        "22298006",  # Myocardial infarction
        "401303003",  # Acute ST segment elevation myocardial infarction
        "401314000",  # Acute non-ST segment elevation myocardial infarction
        "399211009",  # History of myocardial infarction
        "129574000",  # Postoperative myocardial infarction
    ),
    "congestive_heart_failure": (
        "88805009",  # Chronic congestive heart failure
        "84114007",  # Heart failure
        "42343007",  # Congestive heart failure
    ),
    "peripheral_vascular_disease": (
        "399957001",  # Peripheral arterial occlusive disease
        "400047006",  # Peripheral vascular disease
    ),
    "cerebrovascular_disease": (
        "230690007",  # Cerebrovascular accident
        "266257000",  # Transient ischemic attack
    ),
    "dementia": (
        "26929004",  # Alzheimer's disease
        "230265002",  # Familial Alzheimer's disease of early onset
        "52448006",  # Dementia
    ),
    "chronic_pulmonary_disease": (
        "185086009",  # Chronic obstructive bronchitis
        "87433001",  # Pulmonary emphysema
        "13645005",  # Chronic obstructive lung disease
        "195967001",  # Asthma
        "233678006",  # Childhood asthma
    ),
    "connective_tissue_disease": (
        "69896004",  # Rheumatoid arthritis
        "200936003",  # Lupus erythematosus
    ),
    "peptic_ulcer_disease": ("13200003",),  # Peptic ulcer
    "mild_liver_disease": (
        "128302006",  # Chronic hepatitis C
        "61977001",  # Chronic type B viral hepatitis
        "19943007",  # Cirrhosis of liver (Quan: K74, mild)
        "197321007",  # Steatosis of liver (K76.0)
    ),
    "diabetes": (
        "44054006",  # Diabetes mellitus type 2
        "46635009",  # Diabetes mellitus type 1
        "73211009",  # Diabetes mellitus
        "427089005",  # Diabetes mellitus due to cystic fibrosis
    ),
    "diabetes_with_complications": (
        "127013003",  # Disorder of kidney due to diabetes mellitus
        "90781000119102",  # Microalbuminuria due to type 2 diabetes mellitus
        "157141000119108",  # Proteinuria due to type 2 diabetes mellitus
        "368581000119106",  # Neuropathy due to type 2 diabetes mellitus
        "422034002",  # Retinopathy due to type 2 diabetes mellitus
        "1551000119108",  # Nonproliferative diabetic retinopathy due to type 2 diabetes
        "1501000119109",  # Proliferative diabetic retinopathy due to type 2 diabetes
        "97331000119101",  # Macular edema and retinopathy due to type 2 diabetes
        "60951000119105",  # Blindness due to type 2 diabetes mellitus
    ),
    "hemiplegia": (
        "50582007",  # Hemiplegia
        "698754002",  # Chronic paralysis due to lesion of spinal cord
    ),
    "mild_renal_disease": (
        "431855005",  # Chronic kidney disease stage 1
        "431856006",  # Chronic kidney disease stage 2
        "433144002",  # Chronic kidney disease stage 3
        "709044004",  # Chronic kidney disease
    ),
    "severe_renal_disease": (
        "431857002",  # Chronic kidney disease stage 4
        "46177005",  # End-stage renal disease
        "161665007",  # History of renal transplant
    ),
    "malignancy": (
        "254837009",  # Malignant neoplasm of breast
        "363406005",  # Malignant neoplasm of colon
        "93761005",  # Primary malignant neoplasm of colon
        "109838007",  # Overlapping malignant neoplasm of colon
        "254637007",  # Non-small cell lung cancer
        "424132000",  # Non-small cell carcinoma of lung, TNM stage 1
        "425048006",  # Non-small cell carcinoma of lung, TNM stage 2
        "422968005",  # Non-small cell carcinoma of lung, TNM stage 3
        "254632001",  # Small cell carcinoma of lung
        "67811000119102",  # Primary small cell malignant neoplasm of lung, TNM stage 1
        "67821000119109",  # Primary small cell malignant neoplasm of lung, TNM stage 2
        "67831000119107",  # Primary small cell malignant neoplasm of lung, TNM stage 3
        "126906006",  # Neoplasm of prostate (Synthea's prostate cancer diagnosis)
        "91861009",  # Acute myeloid leukemia
        "93143009",  # Leukemia
        "109989006",  # Multiple myeloma
        "118600007",  # Malignant lymphoma
        "363346000",  # Malignant neoplastic disease
    ),
    "metastatic_solid_tumour": (
        "94260004",  # Metastatic malignant neoplasm to colon
        "94503003",  # Metastatic malignant neoplasm to prostate
        "314994000",  # Metastasis from malignant tumor of prostate
        "423121009",  # Non-small cell carcinoma of lung, TNM stage 4
        "67841000119103",  # Primary small cell malignant neoplasm of lung, TNM stage 4
    ),
    "severe_liver_disease": (
        "59927004",  # Hepatic failure
        "28670008",  # Esophageal varices
        "34742003",  # Portal hypertension
    ),
    "hiv_aids": (
        "86406008",  # Human immunodeficiency virus infection
        "62479008",  # Acquired immune deficiency syndrome
    ),
}

# Behavioral-health categories for the predictive model (not part of any Charlson score).
# ICD-10-CM chapter F blocks: F20-F29 psychotic disorders, F30-F31 mania and bipolar disorder
# and F33 recurrent major depression (serious mental illness, as the demo's intensive program
# defines it); F10-F19 mental and behavioural disorders due to psychoactive substance use;
# F32-F33 major depression and F34.1 dysthymia.
BEHAVIORAL: dict[str, Category] = {c.key: c for c in (
    Category("serious_mental_illness", "Serious mental illness", 0, 0),
    Category("substance_use", "Substance use disorder", 0, 0),
    Category("depression", "Depression", 0, 0),
)}
BEHAVIORAL_ICD10_PREFIXES: dict[str, tuple[str, ...]] = {
    "serious_mental_illness": (*(f"F{n}" for n in range(20, 32)), "F33"),
    "substance_use": tuple(f"F{n}" for n in range(10, 20)),
    "depression": ("F32", "F33", "F341"),
}
BEHAVIORAL_SNOMED_CODES: dict[str, tuple[str, ...]] = {
    "serious_mental_illness": (
        "58214004",  # Schizophrenia
        "68890003",  # Schizoaffective disorder
        "13746004",  # Bipolar disorder
    ),
    "substance_use": (
        "7200002",  # Alcoholism
        "5602001",  # Opioid abuse
        "6525002",  # Dependent drug abuse
        "66214007",  # Substance abuse
        "361055000",  # Misuses drugs
    ),
    "depression": (
        "370143000",  # Major depressive disorder
        "36923009",  # Major depression, single episode
        "35489007",  # Depressive disorder
    ),
}
# fmt: on

# ICD-10-CM Z55-Z65: persons with potential health hazards related to socioeconomic and
# psychosocial circumstances (the social-needs Z codes).
SOCIAL_NEEDS_ICD10_PREFIXES: tuple[str, ...] = tuple(f"Z{n}" for n in range(55, 66))


def _index(prefixes: dict[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
    by_prefix: dict[str, list[str]] = {}
    for category, items in prefixes.items():
        for prefix in items:
            by_prefix.setdefault(prefix, []).append(category)
    return {prefix: tuple(categories) for prefix, categories in by_prefix.items()}


def _snomed_index(codes: dict[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
    by_code: dict[str, list[str]] = {}
    for category, items in codes.items():
        for code in items:
            by_code.setdefault(code, []).append(category)
    return {code: tuple(categories) for code, categories in by_code.items()}


_ICD10_INDEX = _index({**ICD10_PREFIXES, **BEHAVIORAL_ICD10_PREFIXES})
_SNOMED_INDEX = _snomed_index({**SNOMED_CODES, **BEHAVIORAL_SNOMED_CODES})
_MAX_PREFIX = max(len(prefix) for prefix in _ICD10_INDEX)


def is_icd10(system: str, code: str) -> bool:
    """ICD-10(-CM) by the system URI, or, with no system, by the code's shape (letter + digit)."""
    if system:
        return "icd-10" in system.lower() or "icd10" in system.lower()
    return len(code) >= 3 and code[0].isalpha() and code[1].isdigit()


def normalize_icd10(code: str) -> str:
    return code.replace(".", "").replace(" ", "").upper()


@lru_cache(maxsize=16384)
def categories_for_code(system: str, code: str) -> frozenset[str]:
    """Every category (Charlson and behavioral) a single coded condition belongs to."""
    code = code.strip()
    if not code:
        return frozenset()
    if is_icd10(system, code):
        normalized = normalize_icd10(code)
        found: set[str] = set()
        for length in range(3, min(len(normalized), _MAX_PREFIX) + 1):
            found.update(_ICD10_INDEX.get(normalized[:length], ()))
        return frozenset(found)
    if not system or "snomed" in system.lower():
        return frozenset(_SNOMED_INDEX.get(code, ()))
    return frozenset()


def is_social_need(system: str, code: str) -> bool:
    """An ICD-10-CM Z55-Z65 code (social determinants of health)."""
    return is_icd10(system, code) and normalize_icd10(code).startswith(SOCIAL_NEEDS_ICD10_PREFIXES)


def apply_hierarchy(categories: Iterable[str]) -> set[str]:
    """Drop the milder of each hierarchy pair when the more severe one is present."""
    result = set(categories)
    for milder, severe in HIERARCHY:
        if severe in result:
            result.discard(milder)
    return result


def comorbidities(codes: Iterable[tuple[str, str]]) -> set[str]:
    """The Charlson categories (hierarchy applied) among ``(system, code)`` pairs."""
    found: set[str] = set()
    for system, code in codes:
        found.update(c for c in categories_for_code(system, code) if c in CATEGORIES)
    return apply_hierarchy(found)


def behavioral_categories(codes: Iterable[tuple[str, str]]) -> set[str]:
    found: set[str] = set()
    for system, code in codes:
        found.update(c for c in categories_for_code(system, code) if c in BEHAVIORAL)
    return found


def charlson_index(categories: Iterable[str]) -> int:
    """The 1987 Charlson comorbidity index (no age points) over the categories present."""
    return sum(
        CATEGORIES[c].charlson_weight for c in apply_hierarchy(categories) if c in CATEGORIES
    )


def lace_comorbidity_total(categories: Iterable[str]) -> int:
    """The comorbidity total LACE's "C" is read from (LACE weights, hierarchy applied)."""
    return sum(CATEGORIES[c].lace_weight for c in apply_hierarchy(categories) if c in CATEGORIES)
