"""Peer groups that hold like with like (SPEC §3 ``service_area``, §4 ``[peers]``, §5).

Default: care level × service area, so a psychiatric ward (døgnenhet i psykisk helsevern) is
compared with psychiatric wards, never with a surgical ward's DRG points. Labels are
``care_level:service_area`` (``inpatient:mental_health``); :func:`benchmark.labels.peer_group_label`
turns them into words.

*Service area.* ``units.service_area`` when given; when blank it is derived from ``specialty`` by
:data:`SPECIALTY_AREAS` (the first keyword contained in the lower-cased specialty wins), else
``somatic``. The table follows the Norwegian sector split (somatikk, psykisk helsevern, TSB,
rehabilitering/habilitering) plus intensive/overvåkning, whose staffing per bed is of another kind.

*Minimum size* (``[peers] min_size``, default 8): a group with fewer units than that cannot give a
peer centre or a between-unit variance worth the name. Fallback, in this order: the small groups of
one care level are pooled into one group labelled by the care level alone (``inpatient``); if that
pool is still too small it joins the largest group of its care level. Every merged unit carries a
``peer_note`` saying from which group to which and why (``inpatient:intensive → inpatient (3 < 8)``),
and the outputs show it. ``units.peer_group`` overrides all of this per unit.

*k nearest neighbours* (``method = "knn"``, NHS Model Hospital's "peer finder"): within each base
group larger than ``knn_above`` units, each unit's *comparison set* is its ``k`` nearest units on the
standardised ``features`` (unit columns, or ``log_fte`` = log of the unit's mean ``fte_worked``).
The peer group (variance, limits) stays the base group; the peer centre of each unit becomes the
median of its neighbours' values (:func:`knn_centres`). Documented in docs/METHODS.md.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

SPECIALTY_AREAS: tuple[tuple[str, str], ...] = (
    ("rus", "substance_abuse"), ("tsb", "substance_abuse"), ("avhengighet", "substance_abuse"),
    ("psyk", "mental_health"), ("bup", "mental_health"), ("dps", "mental_health"),
    ("psykisk helse", "mental_health"), ("phv", "mental_health"),
    ("rehabilitering", "rehabilitation"), ("habilitering", "rehabilitation"),
    ("fysikalsk medisin", "rehabilitation"), ("rehab", "rehabilitation"),
    ("intensiv", "intensive"), ("overvåk", "intensive"), ("postoperativ", "intensive"),
)


def derive_service_area(units: pd.DataFrame) -> pd.Series:
    """Per unit its service area: the given value, else from the specialty, else ``somatic``."""
    given = units["service_area"].fillna("").astype(str) if "service_area" in units else pd.Series("", index=units.index)
    spec = units["specialty"].fillna("").astype(str) if "specialty" in units else pd.Series("", index=units.index)
    uniq = pd.Index(spec.str.lower().unique())
    mapped = {}
    for text in uniq:  # a loop over distinct specialties, not units
        mapped[text] = next((area for key, area in SPECIALTY_AREAS if key in text), "somatic")
    derived = spec.str.lower().map(mapped)
    return given.where(given != "", derived)


def peer_groups(units: pd.DataFrame, by: tuple[str, ...] = ("care_level", "service_area"),
                min_size: int = 8) -> pd.DataFrame:
    """Columns ``peer_group`` and ``peer_note`` per unit (index of ``units``), SPEC §4 ``[peers]``."""
    cols = {}
    for col in by:
        if col == "service_area":
            cols[col] = derive_service_area(units)
        elif col in units:
            cols[col] = units[col].fillna("").astype(str)
        else:
            cols[col] = pd.Series("", index=units.index)
    base = pd.Series("all", index=units.index) if not by else cols[by[0]]
    for col in by[1:]:
        base = base + ":" + cols[col]
    label = base.copy()
    note = pd.Series("", index=units.index)
    if min_size > 1 and len(by) > 1 and "care_level" in by:
        care = units["care_level"].astype(str)
        size = label.map(label.value_counts())
        small = size < min_size
        if small.any():
            label = label.where(~small, care)
            note = note.where(~small, base + " → " + care + " (" + size.astype(str) + " < " + str(min_size) + ")")
            pooled = label.map(label.value_counts())
            still = small & (pooled < min_size)
            if still.any():
                counts = base[~small].groupby(care[~small]).value_counts()
                largest = {c: t[1] for c, t in counts.groupby(level=0).idxmax().items()}
                target = care[still].map(largest)
                ok = still & care.map(largest).notna()
                label = label.where(~ok, target)
                note = note.where(~ok, base + " → " + target.astype(str) + " (" + pooled.astype(str)
                                  + " < " + str(min_size) + " also pooled)")
    override = units["unit_peer_group"] if "unit_peer_group" in units else (
        units["peer_group"].fillna("").astype(str) if "peer_group" in units else pd.Series("", index=units.index))
    override = override.fillna("").astype(str)
    label = label.where(override == "", override)
    note = note.where(override == "", "")
    return pd.DataFrame({"peer_group": label, "peer_note": note})


def knn_neighbours(features: np.ndarray, group: np.ndarray, k: int, above: int) -> list[np.ndarray | None]:
    """Per group code, an (n_g × k) array of positions of each member's k nearest members (itself
    included), or None when the group has at most ``above`` members (then the whole group is the
    comparison set). Features are standardised within the group; Euclidean distance."""
    from scipy.spatial import cKDTree

    out: list[np.ndarray | None] = []
    for g in range(int(group.max()) + 1 if len(group) else 0):  # a loop over peer groups
        members = np.flatnonzero(group == g)
        if len(members) <= max(above, k):
            out.append(None)
            continue
        x = features[members]
        sd = x.std(axis=0)
        x = (x - x.mean(axis=0)) / np.where(sd > 0, sd, 1.0)
        _, idx = cKDTree(x).query(x, k=k)
        out.append(members[np.asarray(idx).reshape(len(members), k)])
    return out


def knn_centres(values: np.ndarray, neighbours: list[np.ndarray | None], group: np.ndarray) -> np.ndarray:
    """Per entity the median value of its comparison set (NaN where the group has no kNN sets)."""
    out = np.full(len(values), np.nan)
    for g, nb in enumerate(neighbours):
        if nb is None:
            continue
        members = np.flatnonzero(group == g)
        out[members] = np.nanmedian(values[nb], axis=1)
    return out
