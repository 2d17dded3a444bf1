"""The scoring engine: a pure function from an instrument definition (a FHIR R4 Questionnaire plus
casework's scoring rule), the answers given and a little about the client (sex, age) to a result
-- score, band, subscores, flags, domain results, proposed needs and completeness.

No database, no clock: the same inputs always give the same result, so every instrument can be
checked against its authors' worked examples without a server (``tests/assessments``).

Answers are keyed by the item's ``linkId`` (for LOINC instruments the item's LOINC code). A choice
answer may be the option's ordinal value (``2``), its code (``"LA6570-1"``), its display text
(``"More than half the days"``), a FHIR Coding (``{"code": ...}``) or ``{"valueCoding": ...}``; a
multi-select item takes a list of those. Text items take a string, boolean items ``true``/``false``.

The scoring rule (``"scoring"`` in the instrument file, documented in ``docs/instruments.md``):

``score``      ``{"method": "sum"|"mean", "items": [...], "code": {system, code, display}}``
``reverse``    item keys scored in reverse (lowest ordinal + highest ordinal - value)
``subscales``  ``[{"key", "label", "items", "code", "method"}]``, computed when all items are there
``bands``      ``[{"min", "max", "band", "label"}]`` on the score; ``bands_by_sex`` picks a list by
               the client's sex (``"default"`` otherwise)
``flags``      ``[{"code", "label", "severity", "when": {...}}]`` where ``when`` is one of
               ``{"item": key, "at_least": n}``, ``{"score_at_least": n}``,
               ``{"score_at_least_by_sex": {"male": n, "female": m, "default": k}}``,
               ``{"band_in": [...]}``, ``{"domain_positive": key}``
``domains``    ``[{"key", "label", "items", "positive_when": {...}, "needs": [...]}]`` where
               ``positive_when`` is ``{"any_answer_in": [codes]}``, ``{"any_answer_not_in":
               [codes]}`` or ``{"sum_greater_than": n}``; a positive domain proposes its needs
               (each may be limited to some answers with ``"when_answer_in"``)
"""

from __future__ import annotations

import operator
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from casework.core.errors import ValidationFailed, field_error

LOINC = "http://loinc.org"
LOCAL_SYSTEM = "https://casework.example/instruments"
ORDINAL_VALUE = "http://hl7.org/fhir/StructureDefinition/ordinalValue"
ITEM_WEIGHT = "http://hl7.org/fhir/StructureDefinition/itemWeight"
ALTERNATE_CODE = "https://casework.example/fhir/StructureDefinition/alternate-code"
MIN_VALUE = "http://hl7.org/fhir/StructureDefinition/minValue"
MAX_VALUE = "http://hl7.org/fhir/StructureDefinition/maxValue"

ANSWERABLE = {
    "choice",
    "open-choice",
    "boolean",
    "integer",
    "decimal",
    "string",
    "text",
    "date",
}
TEXT_LIMIT = 4000
TRUE_WORDS = {"true", "yes", "y", "1"}
FALSE_WORDS = {"false", "no", "n", "0"}


# ----------------------------------------------------------------------------------------------
# The definition


@dataclass(frozen=True)
class AnswerOption:
    code: str | None
    system: str
    display: str
    value: Decimal | None
    # Other codes and wordings of the same answer (casework's ``alternate-code`` extension),
    # e.g. LOINC's "More days than not" and the PHQ-9's "More than half the days".
    aliases: tuple[tuple[str, str], ...] = ()

    def has_code(self, code: str) -> bool:
        wanted = code.lower()
        return (self.code or "").lower() == wanted or any(
            alias.lower() == wanted for alias, _ in self.aliases
        )

    def has_display(self, folded: str) -> bool:
        return bool(folded) and (
            _fold(self.display) == folded or any(_fold(d) == folded for _, d in self.aliases)
        )


@dataclass(frozen=True)
class ItemDef:
    key: str
    code: str
    text: str
    type: str
    required: bool
    repeats: bool
    read_only: bool
    options: tuple[AnswerOption, ...]
    section: str
    enable_when: tuple[dict[str, Any], ...] = ()
    enable_behavior: str = "all"
    min_value: Decimal | None = None
    max_value: Decimal | None = None
    max_length: int | None = None

    @property
    def ordinals(self) -> list[Decimal]:
        return [option.value for option in self.options if option.value is not None]


@dataclass(frozen=True)
class Section:
    key: str
    text: str
    items: tuple[str, ...]


@dataclass(frozen=True)
class InstrumentDefinition:
    code: str
    system: str
    name: str
    short_name: str
    items: tuple[ItemDef, ...]
    sections: tuple[Section, ...]
    scoring: Mapping[str, Any]
    _index: Mapping[str, ItemDef] = field(default_factory=dict, compare=False, repr=False)

    def item(self, key: str) -> ItemDef | None:
        return self._index.get(key) or self._index.get(key.lstrip("/"))

    @property
    def answerable(self) -> list[ItemDef]:
        return [item for item in self.items if not item.read_only]


def _decimal(value: Any) -> Decimal | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def _extension(element: Mapping[str, Any], url: str) -> Any:
    for extension in element.get("extension", []) or []:
        if extension.get("url") == url:
            for key, value in extension.items():
                if key.startswith("value"):
                    return value
    return None


def _option(raw: Mapping[str, Any]) -> AnswerOption:
    coding = raw.get("valueCoding") or {}
    value = _extension(raw, ORDINAL_VALUE)
    if value is None:
        value = _extension(raw, ITEM_WEIGHT)
    if value is None:
        value = _extension(coding, ORDINAL_VALUE)
    aliases = tuple(
        (str(alias.get("code", "")), str(alias.get("display", "")))
        for extension in raw.get("extension", []) or []
        if extension.get("url") == ALTERNATE_CODE
        for alias in [extension.get("valueCoding") or {}]
    )
    if coding:
        return AnswerOption(
            code=coding.get("code"),
            system=coding.get("system", ""),
            display=coding.get("display", "") or coding.get("code", ""),
            value=_decimal(value),
            aliases=aliases,
        )
    for key in ("valueInteger", "valueString", "valueDate"):
        if key in raw:
            plain = raw[key]
            return AnswerOption(
                code=str(plain),
                system="",
                display=str(plain),
                value=_decimal(plain) if key == "valueInteger" else _decimal(value),
            )
    return AnswerOption(code=None, system="", display="", value=_decimal(value))


def definition_from(
    questionnaire: Mapping[str, Any], scoring: Mapping[str, Any] | None = None, short_name: str = ""
) -> InstrumentDefinition:
    """Read a FHIR R4 Questionnaire (and casework's scoring rule) into an ``InstrumentDefinition``.

    Groups become sections; every other item with an answerable type is an item. An item's key is
    its ``linkId``; it can also be found by its first ``code``.
    """
    items: list[ItemDef] = []
    sections: list[Section] = []

    def walk(raw_items: Iterable[Mapping[str, Any]], section: str) -> list[str]:
        keys = []
        for raw in raw_items:
            kind = raw.get("type", "")
            if kind == "group":
                link = str(raw.get("linkId", ""))
                inner = walk(raw.get("item", []) or [], link)
                sections.append(Section(link, raw.get("text", "") or link, tuple(inner)))
                continue
            if kind in ANSWERABLE or raw.get("readOnly"):
                codes = raw.get("code") or []
                key = str(raw["linkId"])
                items.append(
                    ItemDef(
                        key=key,
                        code=str(codes[0]["code"]) if codes else key,
                        text=raw.get("text", "") or key,
                        type=kind,
                        required=bool(raw.get("required", False)),
                        repeats=bool(raw.get("repeats", False)),
                        read_only=bool(raw.get("readOnly", False)),
                        options=tuple(_option(o) for o in raw.get("answerOption", []) or []),
                        section=section,
                        enable_when=tuple(raw.get("enableWhen", []) or []),
                        enable_behavior=raw.get("enableBehavior", "all"),
                        min_value=_decimal(_extension(raw, MIN_VALUE)),
                        max_value=_decimal(_extension(raw, MAX_VALUE)),
                        max_length=raw.get("maxLength"),
                    )
                )
                keys.append(key)
            if raw.get("item") and kind != "group":
                keys += walk(raw["item"], section)
        return keys

    top = walk(questionnaire.get("item", []) or [], "")
    if top and sections:
        sections.insert(0, Section("", "", tuple(top)))
    ordered_sections = tuple(sorted(sections, key=lambda s: _first_position(s, items)))
    index: dict[str, ItemDef] = {}
    for item in items:
        index.setdefault(item.code, item)
    for item in items:
        index[item.key] = item
    code = (questionnaire.get("code") or [{}])[0]
    return InstrumentDefinition(
        code=str(code.get("code", questionnaire.get("id", ""))),
        system=str(code.get("system", LOINC)),
        name=questionnaire.get("title") or questionnaire.get("name", ""),
        short_name=short_name or questionnaire.get("name", ""),
        items=tuple(items),
        sections=ordered_sections,
        scoring=scoring or {},
        _index=index,
    )


def _first_position(section: Section, items: list[ItemDef]) -> int:
    keys = [item.key for item in items]
    positions = [keys.index(key) for key in section.items if key in keys]
    return min(positions) if positions else len(keys)


# ----------------------------------------------------------------------------------------------
# Answers


@dataclass(frozen=True)
class ClientContext:
    """What scoring may know about the client: administrative sex (FHIR AdministrativeGender)
    for sex-specific cut-offs, and age in years."""

    sex: str = "unknown"
    age: int | None = None


class _Refused(Exception):
    """An answer that is not one of the item's options (message says why)."""


def _fold(text: str) -> str:
    plain = unicodedata.normalize("NFKD", str(text))
    plain = "".join(ch for ch in plain if not unicodedata.combining(ch))
    return " ".join(re.sub(r"[^0-9a-z]+", " ", plain.lower()).split())


def _number(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


def _coded(option: AnswerOption) -> dict[str, Any]:
    return {
        "code": option.code,
        "system": option.system,
        "display": option.display,
        "value": _number(option.value) if option.value is not None else None,
    }


def _allowed(item: ItemDef) -> str:
    shown = []
    for option in item.options:
        label = option.code or option.display
        if option.value is not None:
            label += f" ({_number(option.value)})"
        shown.append(label)
    return ", ".join(shown)


def _match_option(item: ItemDef, raw: Any) -> dict[str, Any]:
    """One choice answer -> the normalized coded answer, or ``_Refused``."""
    if isinstance(raw, Mapping):
        if "valueCoding" in raw and isinstance(raw["valueCoding"], Mapping):
            raw = raw["valueCoding"]
        elif any(key in raw for key in ("valueInteger", "valueDecimal", "value", "valueString")):
            for key in ("valueInteger", "valueDecimal", "value", "valueString"):
                if key in raw:
                    return _match_option(item, raw[key])
        if "code" in raw:
            code = str(raw.get("code"))
            system = raw.get("system")
            for option in item.options:
                if option.has_code(code) and (
                    not system or not option.system or system == option.system
                ):
                    return _coded(option)
            # Another code system for the same answer (the HL7 SDC PHQ-9 uses its own codes):
            # fall back to the display text, then to the code read as text.
            for fallback in (raw.get("display"), code):
                if fallback:
                    try:
                        return _match_option(item, str(fallback))
                    except _Refused:
                        continue
            raise _Refused(f"{code!r} is not an answer option; allowed: {_allowed(item)}")
        raise _Refused("an answer object needs a code or a value")
    if isinstance(raw, bool):
        word = "yes" if raw else "no"
        for option in item.options:
            if _fold(option.display) == word:
                return _coded(option)
        raise _Refused(f"a true/false answer does not fit; allowed: {_allowed(item)}")
    number = _decimal(raw) if isinstance(raw, int | float | Decimal) else None
    if isinstance(raw, str):
        text = raw.strip()
        for option in item.options:
            if option.has_code(text):
                return _coded(option)
        folded = _fold(text)
        for option in item.options:
            if option.has_display(folded):
                return _coded(option)
        for option in item.options:
            if option.code is not None and folded and _fold(option.code) == folded:
                return _coded(option)
        if re.fullmatch(r"-?\d+(\.\d+)?", text):
            number = _decimal(text)
    if number is not None:
        matches = [option for option in item.options if option.value == number]
        if len(matches) == 1:
            return _coded(matches[0])
        if matches:
            # Several options share the value (Lawton IADL): keep the value, no single code.
            return {"code": None, "system": "", "display": "", "value": _number(number)}
        raise _Refused(f"{_number(number)} is not one of the values; allowed: {_allowed(item)}")
    raise _Refused(f"{raw!r} is not an answer option; allowed: {_allowed(item)}")


def _normalize_one(item: ItemDef, raw: Any) -> Any:
    """The normalized answer for ``item`` (``None`` when unanswered), or ``_Refused``."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    if isinstance(raw, list) and not raw:
        return None
    if item.type in {"choice", "open-choice"}:
        values = raw if isinstance(raw, list) else [raw]
        if len(values) > 1 and not item.repeats:
            raise _Refused("takes one answer, not a list")
        answers = []
        for value in values:
            try:
                answers.append(_match_option(item, value))
            except _Refused:
                if item.type == "open-choice" and isinstance(value, str):
                    answers.append({"code": None, "system": "", "display": value, "value": None})
                else:
                    raise
        codes = [a["code"] for a in answers if a["code"]]
        if len(codes) != len(set(codes)):
            raise _Refused("the same option is given twice")
        return answers if item.repeats else answers[0]
    if isinstance(raw, list):
        if len(raw) != 1:
            raise _Refused("takes one answer, not a list")
        raw = raw[0]
    if isinstance(raw, Mapping):
        for key in ("valueBoolean", "valueInteger", "valueDecimal", "valueString", "valueDate"):
            if key in raw:
                raw = raw[key]
                break
        else:
            raw = raw.get("value")
        if raw is None:
            return None
    if item.type == "boolean":
        if isinstance(raw, bool):
            return {"value": raw}
        word = _fold(str(raw))
        if word in TRUE_WORDS or raw == "LA33-6":
            return {"value": True}
        if word in FALSE_WORDS or raw == "LA32-8":
            return {"value": False}
        raise _Refused("must be true or false")
    if item.type in {"integer", "decimal"}:
        number = None if isinstance(raw, bool) else _decimal(raw)
        if number is None:
            raise _Refused("must be a number")
        if item.type == "integer" and number != number.to_integral_value():
            raise _Refused("must be a whole number")
        if item.min_value is not None and number < item.min_value:
            raise _Refused(f"must be at least {_number(item.min_value)}")
        if item.max_value is not None and number > item.max_value:
            raise _Refused(f"must be at most {_number(item.max_value)}")
        return {"value": _number(number)}
    if item.type == "date":
        try:
            return {"value": date.fromisoformat(str(raw)).isoformat()}
        except ValueError as exc:
            raise _Refused("must be an ISO date (YYYY-MM-DD)") from exc
    if not isinstance(raw, str | int | float) or isinstance(raw, bool):
        raise _Refused("must be text")
    text = str(raw).strip()
    limit = item.max_length or TEXT_LIMIT
    if len(text) > limit:
        raise _Refused(f"at most {limit} characters")
    return {"value": text}


_COMPARISONS = {
    ">": operator.gt,
    "<": operator.lt,
    ">=": operator.ge,
    "<=": operator.le,
}


def _enabled(item: ItemDef, answers: Mapping[str, Any], definition: InstrumentDefinition) -> bool:
    """FHIR ``enableWhen`` on already-normalized answers (codes, booleans, numbers)."""
    if not item.enable_when:
        return True
    results = []
    for condition in item.enable_when:
        target = definition.item(str(condition.get("question", "")))
        given = answers.get(target.key) if target else None
        how = condition.get("operator", "=")
        if how == "exists":
            results.append((given is not None) == bool(condition.get("answerBoolean", True)))
            continue
        expected: Any = None
        for key, value in condition.items():
            if key.startswith("answer"):
                expected = value.get("code") if isinstance(value, Mapping) else value
        found = given if isinstance(given, list) else [given] if given is not None else []
        actual = [g.get("code") if g.get("code") is not None else g.get("value") for g in found]
        if how == "=":
            results.append(expected in actual)
        elif how == "!=":
            results.append(bool(actual) and expected not in actual)
        else:
            limit = _decimal(expected)
            compare = _COMPARISONS.get(how)
            numbers = [n for n in (_decimal(a) for a in actual) if n is not None]
            results.append(
                compare is not None
                and limit is not None
                and any(compare(number, limit) for number in numbers)
            )
    return any(results) if item.enable_behavior == "any" else all(results)


def normalize_answers(
    definition: InstrumentDefinition, answers: Any, *, require_complete: bool
) -> dict[str, Any]:
    """Check and normalize the answers given; raise ``ValidationFailed`` naming every bad item.

    Refused: an item the instrument does not have, an answer outside the item's options or type,
    and -- when ``require_complete`` -- a required item left unanswered (unless ``enableWhen``
    hides it). Answers to read-only items (a total score the form computed itself) are ignored:
    casework computes its own.
    """
    if not isinstance(answers, Mapping):
        raise ValidationFailed(
            "Answers must be an object mapping item codes to answers.",
            errors=[field_error("answers", "must be an object keyed by item code")],
        )
    errors: list[dict[str, Any]] = []
    normalized: dict[str, Any] = {}
    for raw_key, raw in answers.items():
        key = str(raw_key)
        item = definition.item(key)
        if item is None:
            errors.append(field_error(key, f"not an item of {definition.short_name}"))
            continue
        if item.read_only:
            continue
        try:
            value = _normalize_one(item, raw)
        except _Refused as refusal:
            errors.append(field_error(key, str(refusal)))
            continue
        if value is not None:
            normalized[item.key] = value
    if require_complete and not errors:
        for item in definition.answerable:
            if (
                item.required
                and item.key not in normalized
                and _enabled(item, normalized, definition)
            ):
                errors.append(field_error(item.code, "required"))
    if errors:
        raise ValidationFailed(
            f"Some answers are not valid for {definition.short_name}; nothing was saved.",
            errors=errors,
        )
    return {item.key: normalized[item.key] for item in definition.items if item.key in normalized}


# ----------------------------------------------------------------------------------------------
# Scoring


@dataclass
class ScoringResult:
    answers: dict[str, Any]
    score: Decimal | None = None
    score_code: dict[str, str] | None = None
    band: str = ""
    band_label: str = ""
    subscores: dict[str, dict[str, Any]] = field(default_factory=dict)
    flags: list[dict[str, Any]] = field(default_factory=list)
    domains: dict[str, dict[str, Any]] = field(default_factory=dict)
    needs: list[dict[str, Any]] = field(default_factory=list)
    completeness: dict[str, Any] = field(default_factory=dict)

    def observations(self) -> list[dict[str, Any]]:
        """Coded values to keep as observations: the score and every subscore with a code."""
        rows = []
        if self.score is not None and self.score_code:
            rows.append({**self.score_code, "value": self.score})
        for subscore in self.subscores.values():
            if subscore.get("value") is not None and subscore.get("code"):
                rows.append(
                    {
                        "system": subscore.get("system", LOINC),
                        "code": subscore["code"],
                        "display": subscore.get("label", ""),
                        "value": Decimal(str(subscore["value"])),
                    }
                )
        return rows


def _values(answer: Any) -> list[Decimal]:
    found = answer if isinstance(answer, list) else [answer]
    return [Decimal(str(a["value"])) for a in found if a and a.get("value") is not None]


def _codes(answer: Any) -> list[str]:
    found = answer if isinstance(answer, list) else [answer]
    return [str(a["code"]) for a in found if a and a.get("code")]


def _item_value(
    definition: InstrumentDefinition, key: str, answers: Mapping[str, Any], reverse: set[str]
) -> Decimal | None:
    item = definition.item(key)
    if item is None or item.key not in answers:
        if item is not None and not _enabled(item, answers, definition):
            return Decimal(0)
        return None
    values = _values(answers[item.key])
    if not values:
        return None
    total = sum(values, Decimal(0))
    if item.key in reverse or item.code in reverse:
        ordinals = item.ordinals
        total = min(ordinals) + max(ordinals) - total
    return total


def _aggregate(
    definition: InstrumentDefinition,
    rule: Mapping[str, Any],
    answers: Mapping[str, Any],
    reverse: set[str],
) -> Decimal | None:
    keys = rule.get("items") or [i.key for i in definition.answerable if i.ordinals]
    values = [_item_value(definition, str(key), answers, reverse) for key in keys]
    if not values or any(value is None for value in values):
        return None
    present = [value for value in values if value is not None]
    total = sum(present, Decimal(0))
    if rule.get("method") == "mean":
        return (total / len(present)).quantize(Decimal("0.01"))
    return total


def _bands_for(scoring: Mapping[str, Any], context: ClientContext) -> list[Mapping[str, Any]]:
    by_sex = scoring.get("bands_by_sex")
    if by_sex:
        return list(by_sex.get(context.sex) or by_sex.get("default") or [])
    return list(scoring.get("bands") or [])


def _band(value: Decimal | None, bands: list[Mapping[str, Any]]) -> tuple[str, str]:
    if value is None:
        return "", ""
    for band in bands:
        if Decimal(str(band["min"])) <= value <= Decimal(str(band["max"])):
            return str(band["band"]), str(band.get("label", band["band"]))
    return "", ""


def _domains(
    definition: InstrumentDefinition, scoring: Mapping[str, Any], answers: Mapping[str, Any]
) -> tuple[dict[str, dict[str, Any]], list[dict[str, Any]]]:
    results: dict[str, dict[str, Any]] = {}
    needs: list[dict[str, Any]] = []
    for domain in scoring.get("domains", []) or []:
        keys = [definition.item(str(k)) for k in domain.get("items", [])]
        items = [item for item in keys if item is not None]
        answered = [item for item in items if item.key in answers]
        codes = [code for item in answered for code in _codes(answers[item.key])]
        rule = domain.get("positive_when", {})
        value: Decimal | None = None
        positive: bool | None
        if not answered:
            positive = None
        elif "any_answer_in" in rule:
            positive = any(code in rule["any_answer_in"] for code in codes)
        elif "any_answer_not_in" in rule:
            positive = any(code not in rule["any_answer_not_in"] for code in codes)
        elif "sum_greater_than" in rule:
            value = sum((v for i in answered for v in _values(answers[i.key])), Decimal(0))
            positive = value > Decimal(str(rule["sum_greater_than"]))
        else:
            positive = None
        evidence = [
            {
                "item": item.code,
                "answers": [
                    a.get("display") or a.get("code") or a.get("value")
                    for a in (
                        answers[item.key]
                        if isinstance(answers[item.key], list)
                        else [answers[item.key]]
                    )
                ],
            }
            for item in answered
        ]
        result: dict[str, Any] = {
            "label": domain.get("label", domain["key"]),
            "positive": positive,
            "complete": len(answered) == len(items),
            "answered": len(answered),
            "items": len(items),
            "evidence": evidence,
            "needs": [],
        }
        if value is not None:
            result["value"] = _number(value)
        if positive:
            for need in domain.get("needs", []) or []:
                limit = need.get("when_answer_in")
                if limit and not any(code in limit for code in codes):
                    continue
                proposed = {
                    "domain": need.get("domain", domain["key"]),
                    "category": need.get("category", ""),
                    "system": need["system"],
                    "code": need["code"],
                    "display": need["display"],
                    "snomed_code": need.get("snomed_code", ""),
                    "snomed_display": need.get("snomed_display", ""),
                    "evidence": evidence,
                }
                needs.append(proposed)
                result["needs"].append(need["code"])
        results[domain["key"]] = result
    return results, needs


def _flag_applies(
    when: Mapping[str, Any],
    *,
    definition: InstrumentDefinition,
    answers: Mapping[str, Any],
    score: Decimal | None,
    band: str,
    domains: Mapping[str, Mapping[str, Any]],
    context: ClientContext,
) -> bool:
    if "item" in when:
        value = _item_value(definition, str(when["item"]), answers, set())
        item = definition.item(str(when["item"]))
        if item is None or item.key not in answers or value is None:
            return False
        return value >= Decimal(str(when.get("at_least", 1)))
    if "score_at_least" in when:
        return score is not None and score >= Decimal(str(when["score_at_least"]))
    if "score_at_least_by_sex" in when:
        table = when["score_at_least_by_sex"]
        limit = table.get(context.sex, table.get("default"))
        return score is not None and limit is not None and score >= Decimal(str(limit))
    if "band_in" in when:
        return bool(band) and band in when["band_in"]
    if "domain_positive" in when:
        return bool(domains.get(str(when["domain_positive"]), {}).get("positive"))
    return False


def _completeness(definition: InstrumentDefinition, answers: Mapping[str, Any]) -> dict[str, Any]:
    enabled = [item for item in definition.answerable if _enabled(item, answers, definition)]
    answered = [item for item in enabled if item.key in answers]
    required = [item for item in enabled if item.required]
    missing_required = [item.code for item in required if item.key not in answers]
    sections = []
    for section in definition.sections:
        keys = [k for k in section.items if (i := definition.item(k)) and not i.read_only]
        in_section = [item for item in enabled if item.key in keys]
        if not in_section:
            continue
        sections.append(
            {
                "key": section.key,
                "label": section.text,
                "answered": sum(1 for item in in_section if item.key in answers),
                "items": len(in_section),
            }
        )
    total = len(enabled)
    return {
        "answered": len(answered),
        "items": total,
        "percent": round(100 * len(answered) / total) if total else 100,
        "missing_required": missing_required,
        "sections": sections,
    }


def score_response(
    definition: InstrumentDefinition,
    answers: Any,
    context: ClientContext | None = None,
    *,
    partial: bool = False,
) -> ScoringResult:
    """Validate ``answers`` and score them by the instrument's rule.

    With ``partial`` (a draft) required items may be missing and nothing is scored: the result
    carries the normalized answers and how complete they are. Otherwise every required item must
    be there (``ValidationFailed`` names the missing ones).
    """
    context = context or ClientContext()
    normalized = normalize_answers(definition, answers, require_complete=not partial)
    result = ScoringResult(answers=normalized)
    result.completeness = _completeness(definition, normalized)
    if partial:
        return result
    scoring = definition.scoring
    reverse = {str(key) for key in scoring.get("reverse", []) or []}
    score_rule = scoring.get("score")
    if score_rule:
        result.score = _aggregate(definition, score_rule, normalized, reverse)
        if score_rule.get("code"):
            result.score_code = {
                "system": score_rule["code"].get("system", LOINC),
                "code": score_rule["code"]["code"],
                "display": score_rule["code"].get("display", ""),
            }
    for subscale in scoring.get("subscales", []) or []:
        value = _aggregate(definition, subscale, normalized, reverse)
        code = subscale.get("code") or {}
        result.subscores[subscale["key"]] = {
            "label": subscale.get("label", subscale["key"]),
            "system": code.get("system", LOINC) if code else "",
            "code": code.get("code", ""),
            "value": _number(value) if value is not None else None,
        }
    result.band, result.band_label = _band(result.score, _bands_for(scoring, context))
    result.domains, result.needs = _domains(definition, scoring, normalized)
    if not score_rule and result.domains:
        screened = [d for d in result.domains.values() if d["positive"] is not None]
        if screened:
            positive = any(d["positive"] for d in screened)
            result.band = "positive" if positive else "negative"
            result.band_label = "Positive screen" if positive else "Negative screen"
    for flag in scoring.get("flags", []) or []:
        if _flag_applies(
            flag.get("when", {}),
            definition=definition,
            answers=normalized,
            score=result.score,
            band=result.band,
            domains=result.domains,
            context=context,
        ):
            result.flags.append(
                {
                    "code": flag["code"],
                    "label": flag.get("label", flag["code"]),
                    "severity": flag.get("severity", "routine"),
                }
            )
    return result


def display_answer(answer: Any) -> str:
    """A readable form of one normalized answer, for pages and lists."""
    if answer is None:
        return ""
    parts = answer if isinstance(answer, list) else [answer]
    shown = []
    for part in parts:
        value = part.get("value")
        if part.get("display"):
            shown.append(str(part["display"]))
        elif isinstance(value, bool):
            shown.append("Yes" if value else "No")
        elif value is not None:
            shown.append(str(value))
    return "; ".join(shown)


def answer_codes(answers: Mapping[str, Any]) -> dict[str, Any]:
    """Answers in the request's own shape: the option code (or the value) per item, lists for
    multi-select items."""
    plain: dict[str, Any] = {}
    for key, answer in answers.items():
        parts = answer if isinstance(answer, list) else [answer]
        simple = [p.get("code") if p.get("code") else p.get("value") for p in parts]
        plain[key] = simple if isinstance(answer, list) else simple[0]
    return plain
