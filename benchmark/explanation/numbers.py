"""The one number formatter for text people read: ``14 000 kNOK``, ``7,2 %`` in bokmål.

Every figure a leader reads (explanations, dialogue sheets, summary pages, notebooks) goes through
these functions so that the same number never appears in two styles. Norwegian bokmål uses a
space as thousands separator (a no-break space here, so a number never breaks across lines) and a
decimal comma; English uses a comma and a point. Missing values read as an en dash.
"""

from __future__ import annotations

import math
from typing import Literal

Lang = Literal["nb", "en"]

NBSP = "\u00a0"
DASH = "–"


def _missing(x: object) -> bool:
    if x is None:
        return True
    try:
        return math.isnan(float(x))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return True


def number(x: float | None, decimals: int = 0, lang: Lang = "nb", signed: bool = False) -> str:
    """Format a number with grouping.

    >>> number(14000)
    '14\\xa0000'
    >>> number(-1599.4, lang="en")
    '-1,599'
    >>> number(7.25, 1)
    '7,2'
    """
    if _missing(x):
        return DASH
    value = float(x)  # type: ignore[arg-type]
    if decimals == 0:
        value = float(round(value))
    if round(value, decimals) == 0:
        value = 0.0  # no "-0" or "+0"
    text = f"{value:+,.{decimals}f}" if signed and value != 0 else f"{value:,.{decimals}f}"
    if lang == "nb":
        text = text.replace(",", "\0").replace(".", ",").replace("\0", NBSP)
    return text


def percent(share: float | None, decimals: int = 1, lang: Lang = "nb", signed: bool = False) -> str:
    """A share (0.072) as a percentage: ``7,2 %`` (nb) or ``7.2%`` (en)."""
    if _missing(share):
        return DASH
    body = number(float(share) * 100, decimals, lang, signed)  # type: ignore[arg-type]
    return f"{body}{NBSP}%" if lang == "nb" else f"{body}%"


def knok(x: float | None, lang: Lang = "nb", decimals: int = 0) -> str:
    """Thousands of kroner: ``14 000 kNOK``."""
    if _missing(x):
        return DASH
    return f"{number(x, decimals, lang)}{NBSP}kNOK"


def fte(x: float | None, lang: Lang = "nb", decimals: int = 1) -> str:
    """Full-time equivalents: ``3,4 årsverk`` / ``3.4 FTE``."""
    if _missing(x):
        return DASH
    unit = "årsverk" if lang == "nb" else "FTE"
    return f"{number(x, decimals, lang)}{NBSP}{unit}"


def value(x: float | None, value_format: str, lang: Lang = "nb") -> str:
    """A criterion value in its display format (catalogue ``value_format``)."""
    match value_format:
        case "percent":
            return percent(x, 1, lang)
        case "index":
            return number(x, 2, lang)
        case "number":
            if _missing(x):
                return DASH
            magnitude = abs(float(x))  # type: ignore[arg-type]
            decimals = 0 if magnitude >= 100 else 1 if magnitude >= 10 else 2
            return number(x, decimals, lang)
        case _:
            return number(x, 2, lang)


def interval(low: float | None, high: float | None, fmt, lang: Lang = "nb") -> str:
    """``3,1–5,8 årsverk``: both ends through ``fmt`` (a function of (x, lang))."""
    if _missing(low) or _missing(high):
        return DASH
    a, b = fmt(low, lang=lang), fmt(high, lang=lang)
    # keep the unit once: "3,1–5,8 årsverk"
    unit_a = a.split(NBSP)[-1] if NBSP in a and not a.split(NBSP)[-1][:1].isdigit() else ""
    if unit_a and b.endswith(unit_a):
        a = a[: -len(unit_a)].rstrip(NBSP)
    return f"{a}{DASH}{b}"


def rank_interval(rank: float | None, low: float | None, high: float | None, n: float | None,
                  lang: Lang = "nb") -> str:
    """``nr. 12 av 40 (mellom 5 og 21)`` / ``no. 12 of 40 (between 5 and 21)``."""
    if _missing(rank):
        return DASH
    r, lo, hi = int(rank), int(low), int(high)  # type: ignore[arg-type]
    total = "" if _missing(n) else (f" av {int(n)}" if lang == "nb" else f" of {int(n)}")  # type: ignore[arg-type]
    if lo == hi:  # an interval of one place: the rank is certain ("mellom 8 og 8" reads as a slip)
        return f"nr. {r}{total} (sikker plass)" if lang == "nb" else f"no. {r}{total} (a certain place)"
    if lang == "nb":
        return f"nr. {r}{total} (mellom {lo} og {hi})"
    return f"no. {r}{total} (between {lo} and {hi})"
