"""Shift codes (vaktkoder): parse times, booleans and categories into a typed table.

GAT sets shift codes up per organisation with a start, an end and a break; an end before the
start runs past midnight (SPEC §3). A code's table may say explicitly whether it crosses midnight
(``crosses_midnight``, GAT's "over midnatt", or an end written ``07:30+1``); then an end before the
start on a code that does *not* cross midnight is an error, never a guess.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

CATEGORIES = ("day", "evening", "night", "off", "absence", "leave")
CATEGORY_SYNONYMS = {
    "day": "day", "dag": "day", "dagvakt": "day",
    "evening": "evening", "kveld": "evening", "kveldsvakt": "evening", "aften": "evening",
    "night": "night", "natt": "night", "nattevakt": "night",
    "off": "off", "fri": "off", "fridag": "off",
    "absence": "absence", "fravær": "absence", "fravaer": "absence", "sykdom": "absence",
    "leave": "leave", "permisjon": "leave", "ferie": "leave", "perm": "leave",
}
TRUE = {"true", "ja", "j", "yes", "y", "1", "x", "sann"}
FALSE = {"false", "nei", "n", "no", "0", "usann", ""}
TIME = re.compile(r"^(?P<h>[01]?\d|2[0-4])[:.](?P<m>[0-5]\d)(?P<next>\s*\(?\+1\)?)?$")


def parse_time(text: str) -> tuple[int | None, bool]:
    """Minutes after midnight and whether the text marks the next day (``07:30+1``)."""
    m = TIME.match(str(text).strip())
    if not m:
        return None, False
    minutes = int(m["h"]) * 60 + int(m["m"])
    if minutes > 24 * 60:
        return None, False
    return minutes, bool(m["next"])


def parse_bool(text: object) -> bool | None:
    t = str(text).strip().lower()
    if t in TRUE:
        return True
    if t in FALSE:
        return False
    return None


def parse_category(text: object) -> str | None:
    return CATEGORY_SYNONYMS.get(str(text).strip().lower())


def typed_codes(shift_codes: pd.DataFrame) -> pd.DataFrame:
    """Shift codes with ``start_min``, ``duration_min``, ``paid_min`` and ``works`` (bool).

    Expects a table that :func:`benchmark.plan.rules.check_shift_codes` accepted. ``paid_min`` is
    the duration less the break; the break is taken pro rata across the shift's hours (a
    hospital break is usually taken on the ward, so we cannot place it at a clock time).
    """
    out = pd.DataFrame({"shift_code": shift_codes["shift_code"].astype(str).str.strip()})
    starts = [parse_time(t)[0] for t in shift_codes.get("start", pd.Series("", index=out.index)).fillna("")]
    ends = [parse_time(t)[0] for t in shift_codes.get("end", pd.Series("", index=out.index)).fillna("")]
    works = np.array([bool(parse_bool(x)) for x in shift_codes["counts_as_work"]])
    start = np.array([s if s is not None else 0 for s in starts], dtype=np.int64)
    end = np.array([e if e is not None else 0 for e in ends], dtype=np.int64)
    duration = np.where(end > start, end - start, end + 24 * 60 - start)
    duration = np.where(works, duration, 0)
    brk = pd.to_numeric(shift_codes.get("break_minutes", pd.Series(0, index=out.index)),
                        errors="coerce").fillna(0).to_numpy(float)
    out["start_min"] = start
    out["duration_min"] = duration
    out["paid_min"] = np.where(works, duration - brk, 0.0)
    out["works"] = works
    out["category"] = [parse_category(c) for c in shift_codes["category"]]
    return out.reset_index(drop=True)
