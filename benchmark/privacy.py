"""Disclosure control: sensitive criteria of small units are masked in leader-facing outputs.

Sick leave and turnover are personal data (sick leave is health data, GDPR art. 9). NAV's
sick-leave statistics for employers are not published for units under 5 persons, and Statistics
Norway (SSB) adds *secondary* (complementary) suppression so that a masked cell cannot be
recovered by subtracting the published cells from a published total. This module does both:

1. **Primary suppression.** A criterion marked ``sensitive = true`` in the catalogue is masked for
   every entity with fewer than ``[privacy] min_headcount`` employees (default 5). Headcount is
   the mean over the period's months of ``monthly.headcount`` (summed over the entity's units),
   else ``units.headcount``; an entity whose headcount is unknown is treated as small (masked):
   when in doubt, protect.
2. **Complementary suppression.** Department totals are published (the department-level runs), so
   a unit's value could be recovered from its department's total minus the other units. Within
   each margin (units inside their department, departments inside their division, divisions
   inside the trust) a margin with exactly one masked cell gets a second one: the unmasked
   sibling with the smallest headcount (SSB's practice). A masked cell without siblings would be
   equal to its margin, so the margin row itself is masked when it is in the same table; a masked
   margin row whose parts are all shown would be their sum, so its smallest part is masked too.
   The rules are applied again, up and down the hierarchy, until nothing changes.

Scores still *use* the values (SPEC §10): the composite and rank of a masked unit are computed as
before; ``mask_result`` only hides, in what leaders read, the masked criterion's value and every
number derived from it (numerator, denominator, z, flag, shrunken value, percentile, potential,
funnel limits, the criterion's contribution and the entity's total potential, trend and monthly
series), and says in ``ranking.masked_criteria`` which criteria were masked.

See docs/METHODS.md, "Disclosure control".
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable

import numpy as np
import pandas as pd

MASK_TEXT = {"nb": "skjermet (færre enn {n} ansatte)", "en": "suppressed (fewer than {n} employees)"}

# Columns of res.scores that carry the value or something derived from it.
MASKED_COLUMNS = (
    "value", "numerator", "denominator", "target_gap", "z", "z_adjusted", "flag", "shrunk", "shrunk_se",
    "percentile", "potential", "potential_low", "potential_high", "lower95", "upper95", "lower998",
    "upper998", "funnel_lower95", "funnel_upper95", "funnel_lower998", "funnel_upper998", "se", "normalised", "contribution", "gap", "value_low", "value_high",
)
_KEYS = ("entity_id", "criterion")


def mask_text(min_headcount: int = 5, lang: str = "nb") -> str:
    """The words shown instead of a masked value: "skjermet (færre enn 5 ansatte)"."""
    return MASK_TEXT.get(lang, MASK_TEXT["nb"]).format(n=min_headcount)


def entity_headcount(ds, period, level: str = "unit") -> pd.Series:
    """Employees per entity of ``level``: mean monthly headcount over the period, else units.headcount.

    Sums over the entity's units per month, then the mean over the months that have a headcount, so
    a department of two wards of 4 and 6 people has 10. NaN when neither source has a number.
    """
    from benchmark.periods import parse_period
    from benchmark.scoring.aggregate import entity_table

    period = parse_period(period) if isinstance(period, str) else period
    units = entity_table(ds, level).set_index("unit_id")["entity_id"]
    out = pd.Series(np.nan, index=pd.Index(units.unique(), name="entity_id"), dtype=float)
    if "headcount" in ds.monthly:
        m = ds.monthly[ds.monthly["month"].isin(period.months)]
        m = m[m["headcount"].notna()]
        if not m.empty:
            per_month = (m.assign(entity_id=m["unit_id"].map(units))
                         .groupby(["entity_id", "month"])["headcount"].sum())
            out = per_month.groupby(level="entity_id").mean().reindex(out.index)
    if "headcount" in ds.units and out.isna().any():
        fixed = pd.to_numeric(ds.units.set_index("unit_id")["headcount"], errors="coerce")
        static = fixed.groupby(units.reindex(fixed.index)).sum(min_count=1)
        out = out.fillna(static.reindex(out.index))
    return out.astype(float)


def _parents(scores: pd.DataFrame, hierarchy: pd.DataFrame | None) -> tuple[np.ndarray, np.ndarray]:
    """Per score row: the key of its margin (its department, division or the trust) and that
    margin's own entity id (or "" when the margin is not an entity of this table)."""
    n = len(scores)
    if hierarchy is None or hierarchy.empty:
        return np.zeros(n, dtype=object), np.full(n, "", dtype=object)
    h = hierarchy.drop_duplicates("entity_id").set_index("entity_id")
    ids = scores["entity_id"]
    level = (scores["level"] if "level" in scores else
             pd.Series(h["level"].reindex(ids).to_numpy() if "level" in h else "unit", index=scores.index))
    level = level.fillna("unit").astype(str).to_numpy()
    div = h["division"].reindex(ids).fillna("").astype(str).to_numpy() if "division" in h else np.full(n, "")
    dep = h["department"].reindex(ids).fillna("").astype(str).to_numpy() if "department" in h else np.full(n, "")
    key = np.where(level == "unit", "u\x01" + div + "\x01" + dep,
                   np.where(level == "department", "d\x01" + div, "t"))
    # the margin's entity id in a table that also holds department and division rows
    present = set(ids.astype(str))
    parent = np.where(level == "unit", dep, np.where(level == "department", div, ""))
    parent = np.array([p if p in present else "" for p in parent], dtype=object)
    return key.astype(object), parent


def masked_cells(scores: pd.DataFrame, headcount: pd.Series, sensitive: Iterable[str],
                 min_headcount: int = 5, hierarchy: pd.DataFrame | None = None) -> pd.DataFrame:
    """The (entity, criterion) cells to mask, with the reason ``primary`` or ``complementary``.

    ``scores`` is long (entity_id, criterion, value, optional level); ``headcount`` is indexed by
    entity id; ``hierarchy`` maps entity_id → department, division (and optionally level) — without
    it only primary suppression is possible. Only cells with a value count as published siblings.
    """
    sensitive = set(sensitive)
    empty = pd.DataFrame({"entity_id": pd.Series(dtype=str), "criterion": pd.Series(dtype=str),
                          "reason": pd.Series(dtype=str)})
    rows = scores[scores["criterion"].isin(sensitive)].drop_duplicates(list(_KEYS))
    if rows.empty:
        return empty
    rows = rows.reset_index(drop=True)
    heads = pd.Series(headcount, dtype=float).reindex(rows["entity_id"]).to_numpy()
    primary = ~(heads >= min_headcount)  # NaN (unknown) counts as small
    reason = np.where(primary, "primary", "").astype(object)
    published = rows["value"].notna().to_numpy() if "value" in rows else np.ones(len(rows), bool)
    key, parent = _parents(rows, hierarchy)
    group = pd.Series(rows["criterion"].astype(str).to_numpy() + "\x02" + key.astype(str))
    order = np.lexsort((rows["entity_id"].astype(str).to_numpy(), np.nan_to_num(heads, nan=-1.0)))
    cell = pd.Series(rows["criterion"].astype(str).to_numpy()) + "\x02" + rows["entity_id"].astype(str)
    where = pd.Series(np.arange(len(rows)), index=cell.to_numpy())
    for _ in range(len(rows) + 1):  # each pass masks at least one more cell, or stops
        masked = reason != ""
        cand = published
        n_masked = pd.Series(masked & cand).groupby(group).transform("sum").to_numpy()
        n_cells = pd.Series(cand).groupby(group).transform("sum").to_numpy()
        # margins with exactly one masked cell and other cells: mask the smallest other cell
        need = (n_masked == 1) & (n_cells >= 2)
        pick = pd.Series(order)[(need & cand & ~masked)[order]]
        chosen = pick.groupby(group.to_numpy()[pick.to_numpy()]).first().to_numpy()
        # a masked cell alone in its margin equals the margin: mask the margin row when present
        lone = masked & cand & (n_cells == 1) & (parent != "")
        up = (rows["criterion"].astype(str).to_numpy()[lone] + "\x02" + parent[lone].astype(str))
        up_at = where.reindex(up).dropna().astype(int).to_numpy()
        # a masked margin row whose published parts are all shown is their sum: mask its smallest part
        crit = rows["criterion"].astype(str).to_numpy()
        has_parent = cand & (parent != "")
        child_key = pd.Series(np.where(has_parent, crit + "\x02" + parent.astype(str), ""))
        masked_children = pd.Series(masked & has_parent).groupby(child_key).sum()
        open_margin = masked & cand & (cell.map(masked_children).fillna(-1).to_numpy() == 0)
        down = child_key.isin(set(cell[open_margin])) & has_parent & ~masked
        down_pick = pd.Series(order)[down.to_numpy()[order]]
        down_at = down_pick.groupby(child_key.to_numpy()[down_pick.to_numpy()]).first().to_numpy()
        new = np.unique(np.concatenate([chosen, up_at, down_at]).astype(int))
        new = new[reason[new] == ""]
        if not len(new):
            break
        reason[new] = "complementary"
    keep = reason != ""
    if not keep.any():
        return empty
    return pd.DataFrame({"entity_id": rows["entity_id"].to_numpy()[keep].astype(str),
                         "criterion": rows["criterion"].to_numpy()[keep].astype(str),
                         "reason": reason[keep].astype(str)}).reset_index(drop=True)


def _cell_mask(frame: pd.DataFrame, masked: pd.DataFrame) -> np.ndarray:
    if frame is None or frame.empty or masked.empty or not set(_KEYS) <= set(frame.columns):
        return np.zeros(0 if frame is None else len(frame), dtype=bool)
    cells = pd.MultiIndex.from_frame(masked[list(_KEYS)].astype(str))
    have = pd.MultiIndex.from_arrays([frame["entity_id"].astype(str), frame["criterion"].astype(str)])
    return have.isin(cells)


def mask_scores(scores: pd.DataFrame, masked: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``scores`` with the masked cells' value and everything derived from it set to NA,
    a boolean column ``masked`` (False elsewhere) and ``mask_reason``.

    An entity with a masked criterion also loses the *contributions* and normalised values of its
    other criteria: the composite is still shown, and composite − Σ other contributions (each a
    weight times a normalised value) would give the masked one.
    """
    out = scores.copy()
    hit = _cell_mask(out, masked)
    if not len(hit):
        hit = np.zeros(len(out), dtype=bool)
    for col in MASKED_COLUMNS:
        if col not in out:
            continue
        if out[col].dtype == bool:
            out[col] = out[col].astype(object)
        if col == "flag":
            out[col] = out[col].astype(object)
        out.loc[hit, col] = pd.NA if out[col].dtype == object else np.nan
    if hit.any():
        entities = out["entity_id"].astype(str).isin(set(out.loc[hit, "entity_id"].astype(str)))
        for col in ("contribution", "normalised"):
            if col in out:
                out.loc[entities, col] = np.nan
    out["masked"] = hit
    reasons = masked.assign(_k=masked["criterion"].astype(str) + "\x02" + masked["entity_id"].astype(str)
                            ).set_index("_k")["reason"] if not masked.empty else pd.Series(dtype=str)
    keys = out["criterion"].astype(str) + "\x02" + out["entity_id"].astype(str)
    out["mask_reason"] = keys.map(reasons).where(hit, "").fillna("").astype(str)
    return out


def _hierarchy(res) -> pd.DataFrame | None:
    r = res.ranking
    if r is None or "entity_id" not in r:
        return None
    cols = [c for c in ("entity_id", "level", "division", "department") if c in r]
    h = r[cols].copy()
    if "level" not in h:
        h["level"] = res.level
    return h


def result_headcount(res, dataset_or_headcount=None) -> pd.Series:
    """Headcount per entity: from a Series, a Dataset, or the run's ``ranking.headcount``."""
    if isinstance(dataset_or_headcount, pd.Series):
        return dataset_or_headcount.astype(float)
    if dataset_or_headcount is not None:
        return entity_headcount(dataset_or_headcount, res.period, res.level)
    if "headcount" in res.ranking:
        return pd.to_numeric(res.ranking.set_index("entity_id")["headcount"], errors="coerce").astype(float)
    return pd.Series(dtype=float)  # unknown: every sensitive cell is masked


def mask_result(res, dataset_or_headcount=None, min_headcount: int | None = None):
    """The result as a leader may read it: ``res.scores`` masked (see :func:`mask_scores`), the
    masked cells dropped from ``trend`` and ``monthly``, the entities' total potentials summed again
    without the masked criteria, and ``ranking.masked_criteria`` naming what was masked."""
    from benchmark.scoring.potential import entity_potential

    n = res.catalogue.min_headcount if min_headcount is None else int(min_headcount)
    heads = result_headcount(res, dataset_or_headcount)
    masked = masked_cells(res.scores, heads, res.catalogue.sensitive, n, _hierarchy(res))
    scores = mask_scores(res.scores, masked)
    ranking = res.ranking.copy()
    by_entity = masked.groupby("entity_id")["criterion"].agg(lambda s: ",".join(sorted(s)))
    ranking["masked_criteria"] = ranking["entity_id"].astype(str).map(by_entity).fillna("").astype(str)
    changes: dict = {"scores": scores, "ranking": ranking, "memo": {}}
    if not masked.empty:
        if {"potential_additive", "potential_unit", "potential"} <= set(scores.columns):
            hit = ranking["masked_criteria"] != ""
            pot = entity_potential(scores).reindex(ranking["entity_id"])
            for col in pot.columns:
                if col in ranking:
                    ranking.loc[hit, col] = pot[col].to_numpy()[hit.to_numpy()]
            if {"potential_total_knok", "potential_knok", "potential_fte"} <= set(ranking.columns):
                old = res.ranking
                fte = old["potential_fte"].astype(float)
                pay = ((old["potential_total_knok"] - old["potential_knok"]) / fte.where(fte != 0)).fillna(0.0)
                total = ranking["potential_knok"] + ranking["potential_fte"] * pay
                ranking.loc[hit, "potential_total_knok"] = total[hit]
        for table in ("trend", "monthly"):
            frame = getattr(res, table, None)
            if frame is not None and not frame.empty:
                changes[table] = frame[~_cell_mask(frame, masked)].reset_index(drop=True)
        # the re-scoring matrices too, so a rescore of a masked result cannot bring values back
        for name in ("shrunk", "shrunk_se"):
            wide = getattr(res, name, None)
            if wide is not None:
                wide = wide.copy()
                for cid, ids in masked.groupby("criterion")["entity_id"]:
                    if cid in wide.columns:
                        wide.loc[wide.index.intersection(pd.Index(ids)), cid] = np.nan
                changes[name] = wide
    return dataclasses.replace(res, **changes)
