"""Code tables shared across apps. Codes are data: one place, with their standard system."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Code:
    code: str
    display: str
    system: str = ""


# Languages offered in pickers (BCP 47 tags). Any well-formed BCP 47 tag is accepted on input;
# this list only decides what the pickers show first. Chosen from the languages most often
# spoken at home in the United States besides English (US Census Bureau, American Community
# Survey table S1601 / "Language Spoken at Home").
COMMON_LANGUAGES: list[Code] = [
    Code("en", "English"),
    Code("es", "Spanish"),
    Code("zh", "Chinese"),
    Code("vi", "Vietnamese"),
    Code("tl", "Tagalog"),
    Code("ar", "Arabic"),
    Code("fr", "French"),
    Code("ko", "Korean"),
    Code("ru", "Russian"),
    Code("ht", "Haitian Creole"),
    Code("pt", "Portuguese"),
    Code("hi", "Hindi"),
    Code("so", "Somali"),
    Code("pl", "Polish"),
    Code("ase", "American Sign Language"),
]
LANGUAGE_NAMES = {language.code: language.display for language in COMMON_LANGUAGES}

# FHIR AdministrativeGender (http://hl7.org/fhir/administrative-gender).
ADMINISTRATIVE_GENDER = [
    Code("female", "Female", "http://hl7.org/fhir/administrative-gender"),
    Code("male", "Male", "http://hl7.org/fhir/administrative-gender"),
    Code("other", "Other", "http://hl7.org/fhir/administrative-gender"),
    Code("unknown", "Unknown", "http://hl7.org/fhir/administrative-gender"),
]

# Gender identity, SNOMED CT codes as used by the US Core / ONC gender-identity value set.
GENDER_IDENTITY = [
    Code("446151000124109", "Identifies as male gender", "http://snomed.info/sct"),
    Code("446141000124107", "Identifies as female gender", "http://snomed.info/sct"),
    Code("33791000087105", "Identifies as nonbinary gender", "http://snomed.info/sct"),
    Code("407377005", "Female-to-male transsexual", "http://snomed.info/sct"),
    Code("407376001", "Male-to-female transsexual", "http://snomed.info/sct"),
    Code("OTH", "Other", "http://terminology.hl7.org/CodeSystem/v3-NullFlavor"),
    Code("ASKU", "Asked but declined", "http://terminology.hl7.org/CodeSystem/v3-NullFlavor"),
    Code("UNK", "Unknown", "http://terminology.hl7.org/CodeSystem/v3-NullFlavor"),
]

# Identifier types, HL7 v2 table 0203 (http://terminology.hl7.org/CodeSystem/v2-0203).
IDENTIFIER_TYPES = [
    Code("MR", "Medical record number", "http://terminology.hl7.org/CodeSystem/v2-0203"),
    Code("MA", "Medicaid ID", "http://terminology.hl7.org/CodeSystem/v2-0203"),
    Code("MC", "Medicare ID", "http://terminology.hl7.org/CodeSystem/v2-0203"),
    Code("MB", "Health plan member ID", "http://terminology.hl7.org/CodeSystem/v2-0203"),
    Code("SS", "Social Security number", "http://terminology.hl7.org/CodeSystem/v2-0203"),
    Code("DL", "Driver's license", "http://terminology.hl7.org/CodeSystem/v2-0203"),
    Code("PI", "Other agency identifier", "http://terminology.hl7.org/CodeSystem/v2-0203"),
]


def choices(codes: list[Code]) -> list[tuple[str, str]]:
    return [(code.code, code.display) for code in codes]
