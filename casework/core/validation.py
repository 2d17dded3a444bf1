"""Small validators shared by services and schemas."""

from __future__ import annotations

import re
import unicodedata

# RFC 5646 (BCP 47) language tags, the common shapes: language, optional script, optional region,
# optional variants, e.g. "en", "es-MX", "zh-Hant-TW", "ase".
_BCP47 = re.compile(
    r"^[A-Za-z]{2,3}(-[A-Za-z]{3}){0,3}(-[A-Za-z]{4})?(-([A-Za-z]{2}|[0-9]{3}))?"
    r"(-([A-Za-z0-9]{5,8}|[0-9][A-Za-z0-9]{3}))*$"
)


def is_language_tag(value: str) -> bool:
    return bool(_BCP47.match(value))


def normalize_language_tag(value: str) -> str:
    """Canonical case per BCP 47: language lower, script title, region upper."""
    parts = value.split("-")
    out = [parts[0].lower()]
    for part in parts[1:]:
        if len(part) == 4 and part.isalpha():
            out.append(part.title())
        elif (len(part) == 2 and part.isalpha()) or (len(part) == 3 and part.isdigit()):
            out.append(part.upper())
        else:
            out.append(part.lower())
    return "-".join(out)


def primary_language(value: str) -> str:
    return value.split("-")[0].lower() if value else ""


# Letters that Unicode does not decompose into a base letter plus accent.
_UNDECOMPOSABLE = str.maketrans(
    {
        "Đ": "D",
        "đ": "d",
        "Ł": "L",
        "ł": "l",
        "Ø": "O",
        "ø": "o",
        "ß": "ss",
        "Æ": "AE",
        "æ": "ae",
        "Œ": "OE",
        "œ": "oe",
        "Þ": "Th",
        "þ": "th",
        "Ð": "D",
        "ð": "d",
        "\u0131": "i",  # dotless i
        "Ħ": "H",
        "ħ": "h",
        "Ŧ": "T",
        "ŧ": "t",
    }
)


def fold(text: str) -> str:
    """Lower-case, strip accents and punctuation, collapse spaces: "María-José " -> "maria jose",
    "Đặng" -> "dang", "Łukasz" -> "lukasz"."""
    decomposed = unicodedata.normalize("NFKD", (text or "").translate(_UNDECOMPOSABLE))
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    cleaned = re.sub(r"[^0-9a-zA-Z]+", " ", plain)
    return " ".join(cleaned.lower().split())
