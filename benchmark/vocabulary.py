"""Closed vocabularies of the data contract and their Norwegian/English synonyms.

Exports arrive with Norwegian or English category values in any case (``Pågår``, ``in_progress``,
``HØY``). They are stored in the English form (SPEC §3). Each vocabulary is a ``StrEnum`` so
code can branch exhaustively, and :func:`normalise` maps raw text to the enum value or ``None``
when the text is unknown (the caller reports that as an issue, never guesses).
"""

from __future__ import annotations

import re
import unicodedata
from enum import StrEnum


class CareLevel(StrEnum):
    INPATIENT = "inpatient"
    OUTPATIENT = "outpatient"
    DAY_TREATMENT = "day_treatment"
    SURGERY = "surgery"
    EMERGENCY = "emergency"
    PREHOSPITAL = "prehospital"
    DIAGNOSTICS = "diagnostics"
    SUPPORT = "support"


class ServiceArea(StrEnum):
    """Tjenesteområde (SPEC §3 units.service_area): peer groups are care level × service area."""

    SOMATIC = "somatic"
    MENTAL_HEALTH = "mental_health"
    SUBSTANCE_ABUSE = "substance_abuse"
    REHABILITATION = "rehabilitation"
    INTENSIVE = "intensive"


class Progress(StrEnum):
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    DELAYED = "delayed"
    COMPLETED = "completed"
    UNKNOWN = "unknown"


class Risk(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


class Status(StrEnum):
    GREEN = "green"
    YELLOW = "yellow"
    RED = "red"


class MeasureKind(StrEnum):
    INCOME = "income"
    COST = "cost"


class Level(StrEnum):
    UNIT = "unit"
    DEPARTMENT = "department"
    DIVISION = "division"


class Direction(StrEnum):
    HIGHER_IS_BETTER = "higher_is_better"
    LOWER_IS_BETTER = "lower_is_better"


class Flag(StrEnum):
    """Funnel flag of one entity on one criterion (SPEC §6 scores.csv ``flag``)."""

    ABOVE_998 = "above_99.8"
    ABOVE_95 = "above_95"
    WITHIN = "within"
    BELOW_95 = "below_95"
    BELOW_998 = "below_99.8"


_SYNONYMS: dict[type[StrEnum], dict[str, str]] = {
    CareLevel: {
        "sengepost": "inpatient",
        "sengeområde": "inpatient",
        "døgn": "inpatient",
        "poliklinikk": "outpatient",
        "poli": "outpatient",
        "dagbehandling": "day_treatment",
        "dag": "day_treatment",
        "day treatment": "day_treatment",
        "operasjon": "surgery",
        "operasjonsavdeling": "surgery",
        "theatre": "surgery",
        "akuttmottak": "emergency",
        "akutt": "emergency",
        "prehospital": "prehospital",
        "prehospitale tjenester": "prehospital",
        "ambulanse": "prehospital",
        "ambulance": "prehospital",
        "diagnostikk": "diagnostics",
        "lab": "diagnostics",
        "laboratorium": "diagnostics",
        "bildediagnostikk": "diagnostics",
        "støtte": "support",
        "stab": "support",
        "drift": "support",
    },
    ServiceArea: {
        "somatikk": "somatic",
        "psykisk helsevern": "mental_health",
        "phv": "mental_health",
        "psykiatri": "mental_health",
        "mental health": "mental_health",
        "tsb": "substance_abuse",
        "rus": "substance_abuse",
        "rusbehandling": "substance_abuse",
        "tverrfaglig spesialisert rusbehandling": "substance_abuse",
        "substance abuse": "substance_abuse",
        "rehabilitering": "rehabilitation",
        "habilitering": "rehabilitation",
        "habilitering og rehabilitering": "rehabilitation",
        "intensiv": "intensive",
        "overvåkning": "intensive",
        "intensiv/overvåkning": "intensive",
    },
    Progress: {
        "ikke startet": "not_started",
        "ikke start": "not_started",
        "not started": "not_started",
        "pågår": "in_progress",
        "in progress": "in_progress",
        "forsinket": "delayed",
        "fullført": "completed",
        "ferdig": "completed",
        "gjennomført": "completed",
        "ukjent": "unknown",
    },
    Risk: {"lav": "low", "middels": "medium", "moderat": "medium", "høy": "high"},
    Status: {"grønn": "green", "gul": "yellow", "rød": "red", "rødt": "red", "grønt": "green", "gult": "yellow"},
    MeasureKind: {
        "inntektsøkende": "income",
        "inntektsøkende tiltak": "income",
        "inntekt": "income",
        "kostnadsreduserende": "cost",
        "kostnadsreduserende tiltak": "cost",
        "kostnad": "cost",
    },
    Level: {"enhet": "unit", "avdeling": "department", "divisjon": "division", "klinikk": "division"},
}


def _key(text: str) -> str:
    text = unicodedata.normalize("NFC", str(text)).strip().lower()
    return re.sub(r"\s+", " ", text)


def normalise(vocabulary: type[StrEnum], text: object) -> str | None:
    """Map raw category text to the English enum value, or ``None`` if it is not recognised.

    >>> normalise(Progress, " Pågår ")
    'in_progress'
    >>> normalise(Risk, "HØY")
    'high'
    >>> normalise(Risk, "kanskje") is None
    True
    """
    if text is None:
        return None
    key = _key(str(text))
    values = {m.value for m in vocabulary}  # type: ignore[attr-defined]
    if key in values:
        return key
    underscored = key.replace(" ", "_").replace("-", "_")
    if underscored in values:
        return underscored
    return _SYNONYMS.get(vocabulary, {}).get(key)


def allowed_values(vocabulary: type[StrEnum]) -> list[str]:
    """English values, for messages: ``low, medium, high``."""
    return [m.value for m in vocabulary]  # type: ignore[attr-defined]
