"""``bm.score``: from a validated dataset and a catalogue to scores, ranking, trend and sensitivity.

The chain, each step vectorised per peer group (loops run over criteria and peer groups, never
over entities): measures summary → criterion values (sums, then ratios) → peer targets and
funnel assessment with shrinkage → potential → composite within peer groups → rank intervals →
trend and SPC → sensitivity → :class:`Result`.
"""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor

import numpy as np
import pandas as pd

from benchmark.catalogue.model import Catalogue
from benchmark.dataset.model import Dataset
from benchmark.periods import Period, parse_period
from benchmark.privacy import entity_headcount
from benchmark.scoring.aggregate import criterion_values, monthly_arrays, window_entities
from benchmark.scoring.calibrated import align_months, fit_months, potential_gap_interval
from benchmark.scoring.peergroups import knn_centres, knn_neighbours
from benchmark.scoring.peers import peer_target, percentile
from benchmark.scoring.potential import criterion_potential, entity_potential
from benchmark.scoring.ranking import composite_with_se, normalised_scores, rank_composite
from benchmark.scoring.result import Result
from benchmark.scoring.sensitivity import sensitivity
from benchmark.scoring.trend import trend_table
from benchmark.scoring.variance import dersimonian_laird, within_se
from benchmark.stats import assess

ASSESS_COLUMNS = [
    "target",
    "centre",
    "z",
    "z_adjusted",
    "lower95",
    "upper95",
    "lower998",
    "upper998",
    "funnel_lower95",
    "funnel_upper95",
    "funnel_lower998",
    "funnel_upper998",
    "flag",
    "se",
    "shrunk",
    "shrunk_se",
    "phi",
    "tau2",
    "overdispersion_applied",
    "gap_low",
    "gap_high",
]


def measures_summary(ds: Dataset, cat: Catalogue, period: Period) -> pd.DataFrame | None:
    if ds.measures is None or ds.measures.empty:
        return None
    from benchmark.measures import realisation

    return realisation(ds.measures, ds.division_results, period, cat.risk_probabilities)


def knn_features(
    ds: Dataset, entity_ids: pd.Series, features: tuple[str, ...], months: tuple[str, ...]
) -> np.ndarray:
    """Entities × features for kNN peers: ``log_fte`` (log mean fte_worked in the window) or a
    numeric units column (missing values: the column's median)."""
    from benchmark.issues import CriteriaError, Issue

    unknown = [f for f in features if f != "log_fte" and f not in ds.units]
    if unknown:
        raise CriteriaError(
            issues=[
                Issue(
                    "[peers]",
                    "unknown_peer_feature",
                    "is neither log_fte nor a column of units",
                    column="features",
                    value=f,
                )
                for f in unknown
            ]
        )
    cols = []
    for name in features:
        if name == "log_fte":
            m = ds.monthly[ds.monthly["month"].isin(months)]
            fte = m.groupby("unit_id")["fte_worked"].mean().reindex(entity_ids)
            cols.append(np.log(np.maximum(fte.to_numpy(float), 0.1)))
        else:
            col = pd.to_numeric(ds.units.set_index("unit_id")[name], errors="coerce").reindex(
                entity_ids
            )
            cols.append(col.fillna(col.median()).to_numpy(float))
    x = np.column_stack(cols) if cols else np.zeros((len(entity_ids), 1))
    return np.where(np.isfinite(x), x, 0.0)


def _months_fit(
    ds: Dataset,
    crit,
    period: Period,
    level: str,
    rows: pd.DataFrame,
    cache: dict | None,
    peers=None,
    peer_codes: np.ndarray | None = None,
) -> dict:
    """The target-independent part of a "months" criterion (cached for the sensitivity scenario).

    ``peer_codes``: the rows' peer groups as integers already (any coding; they are renumbered in
    order of first appearance here, as factorising the labels would).
    """
    key = ("months_fit", crit.id)
    if cache is not None and key in cache:
        return cache[key]
    ids, num, den, _ = monthly_arrays(ds, crit, level, period.window(crit.window))
    n_, d_ = align_months(ids, num, den, rows["entity_id"])
    codes, _ = pd.factorize(rows["peer_group"] if peer_codes is None else peer_codes)
    codes = codes.astype(np.int64)
    y = rows["value"].to_numpy(float)
    override = None
    if peers is not None and peers.method == "knn" and level == "unit":
        feats = knn_features(ds, rows["entity_id"], peers.features, period.window(crit.window))
        override = knn_centres(y, knn_neighbours(feats, codes, peers.k, peers.knn_above), codes)
    fit = fit_months(n_, d_, y, codes, override, scale=crit.scale)
    if cache is not None:
        cache[key] = fit
    return fit


def assess_criteria(
    values: pd.DataFrame,
    cat: Catalogue,
    target_override: str | None = None,
    ds: Dataset | None = None,
    period: Period | None = None,
    level: str = "unit",
    cache: dict | None = None,
    seed: int = 1,
    intervals: bool = True,
    columns: list[str] | None = None,
) -> pd.DataFrame:
    """Funnel limits, flags and shrinkage per criterion and peer group, aligned with ``values``.

    Criteria with ``model = "months"`` go through :mod:`benchmark.scoring.calibrated` (needs
    ``ds``, ``period``, ``level``); the others through :func:`benchmark.stats.assess` per group.
    ``intervals=False`` skips what only the gap needs — the targets and the potential intervals'
    bootstrap (``target``, ``gap_low``, ``gap_high`` stay NaN): the sensitivity scenario reads only
    the shrunken values, which are about the peer centre whatever the target. ``columns``: only
    these of :data:`ASSESS_COLUMNS` (the same values; the others are not stored).
    """
    n = len(values)
    wanted = ASSESS_COLUMNS if columns is None else [c for c in ASSESS_COLUMNS if c in columns]
    numeric = {c: np.full(n, np.nan) for c in wanted if c not in ("flag", "overdispersion_applied")}
    text = {
        c: np.full(n, "", dtype=object) for c in ("flag", "overdispersion_applied") if c in wanted
    }
    criterion = pd.Index(cat.ids).get_indexer(values["criterion"])
    scored = values["scored"].to_numpy(dtype=bool)
    needed = values[["entity_id", "peer_group", "value", "numerator", "denominator"]]
    peer_codes = pd.factorize(values["peer_group"])[0]  # once, not per criterion
    for i, crit in enumerate(cat.criteria):  # a loop over criteria and peer groups, not entities
        pos = np.flatnonzero((criterion == i) & scored)
        if not len(pos):
            continue
        cached = (
            crit.model == "months"
            and not intervals
            and cache is not None
            and ("months_fit", crit.id) in cache
        )
        # the rows' frame only when something reads it (a cached fit without intervals does not)
        rows = None if cached else needed.iloc[pos]
        target_kind = (
            crit.target
            if (target_override is None or not isinstance(crit.target, str))
            else target_override
        )
        targets = (
            peer_target(rows["value"], rows["peer_group"], crit.sign, target_kind).to_numpy(
                dtype=float
            )
            if intervals
            else np.full(len(pos), np.nan)
        )
        if crit.model == "months":
            if ds is None:
                raise ValueError("model 'months' needs the dataset")
            fit = (
                cache[("months_fit", crit.id)]
                if cached
                else _months_fit(ds, crit, period, level, rows, cache, cat.peers, peer_codes[pos])
            )
            relative = crit.potential.gap == "relative"
            low, high = (
                potential_gap_interval(
                    fit, rows["value"].to_numpy(float), target_kind, crit.sign, relative, seed
                )
                if intervals
                else (np.full(len(pos), np.nan),) * 2
            )
            fit = {**fit, "target": targets, "gap_low": low, "gap_high": high}
            for col, store in (*numeric.items(), *text.items()):
                store[pos] = fit[col]
            continue
        # count models and measures: the funnel is about the peer centre (the median, as for
        # "months"), never about a normative target; the target only enters the gap
        centres = peer_target(rows["value"], rows["peer_group"], crit.sign, "median").to_numpy(
            dtype=float
        )
        codes, _ = pd.factorize(rows["peer_group"])
        num, den = (
            rows["numerator"].to_numpy(dtype=float),
            rows["denominator"].to_numpy(dtype=float),
        )
        for group in range(codes.max() + 1):  # a loop over peer groups
            at = np.flatnonzero(codes == group)
            result = assess(
                pd.Series(num[at]),
                pd.Series(den[at]),
                model=crit.model,
                target=float(centres[at[0]]),
                overdispersion=None if crit.overdispersion == "none" else crit.overdispersion,
            )
            result["centre"] = result["target"]
            result["target"] = np.where(result["target"].notna(), targets[at], np.nan)
            for col in ("lower95", "upper95", "lower998", "upper998"):
                # no leave-one-out here: the funnel's lines are the entities' own limits
                result["funnel_" + col] = result[col]
            for col, store in (*numeric.items(), *text.items()):
                if col in result:
                    store[pos[at]] = result[col].to_numpy()
    out = pd.DataFrame(numeric, index=values.index)
    for col, store in text.items():
        out[col] = _text_of(store)
    return out[wanted]


def _text_of(store: np.ndarray) -> pd.api.extensions.ExtensionArray:
    """``pd.Series(store).fillna("").astype(str)`` of an object array with few distinct values: the
    distinct values converted once and spread by their codes (one Arrow take)."""
    codes, uniques = pd.factorize(store)  # None and NaN: −1
    labels = pd.array([*(str(u) for u in uniques), ""], dtype="str")
    return labels.take(np.where(codes >= 0, codes, len(uniques)))


def shrink_scaled(
    ds: Dataset,
    cat: Catalogue,
    period: Period,
    level: str,
    values: pd.DataFrame,
    assessed: pd.DataFrame,
    cache: dict | None = None,
) -> pd.DataFrame:
    """Shrink money/FTE criteria with their month-to-month sampling variance (scoring/variance.py).

    ``cache`` keeps each criterion's within-entity s.e. (it does not depend on the target), so the
    sensitivity scenario with another target does not recompute it.
    """
    out = assessed
    cache = {} if cache is None else cache
    for crit in cat.criteria:
        if crit.model != "scaled" or crit.source != "monthly":
            continue
        if out is assessed:
            out = assessed.copy()  # only when something is shrunk here
        rows = values[(values["criterion"] == crit.id) & values["scored"].astype(bool)]
        if rows.empty:
            continue
        if crit.id not in cache:
            ids, num, den, _ = monthly_arrays(ds, crit, level, period.window(crit.window))
            groups = rows.set_index("entity_id")["peer_group"]
            code = pd.Index(groups.unique()).get_indexer(groups.reindex(ids))
            cache[crit.id] = pd.Series(within_se(num, den, code), index=ids)
        se = cache[crit.id].reindex(rows["entity_id"]).to_numpy()
        if not np.isfinite(se).any():
            continue
        for _, idx in rows.groupby("peer_group").groups.items():  # a loop over peer groups
            pos = rows.index.get_indexer(idx)
            y, s = rows.loc[idx, "value"].to_numpy(float), se[pos]
            target = out.loc[idx, "centre"].to_numpy(float)  # the peer centre, never a norm
            tau2 = dersimonian_laird(y, s)
            b = np.where(np.isfinite(s), tau2 / (tau2 + s**2) if tau2 > 0 else 0.0, 1.0)
            out.loc[idx, "shrunk"] = target + b * (y - target)
            out.loc[idx, "shrunk_se"] = np.sqrt(b * np.nan_to_num(s) ** 2)
    return out


def _per_criterion(code: np.ndarray, values: list, dtype=None) -> np.ndarray:
    """A catalogue attribute per score row: ``values`` in catalogue order, ``code`` each row's
    position in the catalogue (−1 outside it reads NaN)."""
    table = np.array([*values, np.nan], dtype=object if dtype is None else dtype)
    return table[code]


def build_scores(
    values: pd.DataFrame,
    cat: Catalogue,
    ds: Dataset,
    period: Period,
    level: str,
    cache: dict | None = None,
) -> pd.DataFrame:
    assessed = shrink_scaled(
        ds,
        cat,
        period,
        level,
        values,
        assess_criteria(values, cat, None, ds, period, level, cache),
        cache,
    )
    scores = pd.concat([values, assessed], axis=1)
    crits = cat.criteria
    code = pd.Index(cat.ids).get_indexer(scores["criterion"])
    scores["direction"] = pd.array(_per_criterion(code, [c.direction for c in crits]), dtype="str")
    scores["weight"] = _per_criterion(code, [c.weight for c in crits], float)
    scores["potential_additive"] = _per_criterion(
        code, [c.potential.additive for c in crits]
    ).astype(bool)
    sign = _per_criterion(code, [c.sign for c in crits], float)
    # criterion × peer group as one integer code (groupby on integers, not on joined strings)
    crit_code = pd.factorize(scores["criterion"])[0]
    peer_code, peer_labels = pd.factorize(scores["peer_group"].astype(str))
    key = pd.Series(
        crit_code.astype(np.int64) * (len(peer_labels) + 1) + peer_code, index=scores.index
    )
    scored = scores["scored"].astype(bool)
    scores["percentile"] = percentile((scores["value"] * sign).where(scored), key, 1)
    scores["peer_n"] = scored.groupby(key).transform("sum")
    scores = scores.rename(columns={"overdispersion_applied": "overdispersion"})
    pot = criterion_potential(
        scores, {c.id: c.potential.unit for c in crits}, {c.id: c.potential.gap for c in crits}
    )
    return pd.concat([scores, pot], axis=1)


def ranking_groups(scores: pd.DataFrame) -> pd.Series:
    """Each entity's peer group for the composite: its most common criterion peer group (ties:
    the first label in sorted order). Indexed by the sorted entity ids."""
    e_code, entities = pd.factorize(scores["entity_id"], sort=True)
    g_code, labels = pd.factorize(scores["peer_group"], sort=True)
    ok = (e_code >= 0) & (g_code >= 0)
    counts = np.bincount(
        e_code[ok] * len(labels) + g_code[ok], minlength=len(entities) * len(labels)
    )
    counts = counts.reshape(len(entities), len(labels))
    have = counts.max(axis=1, initial=0) > 0
    best = (
        pd.Index(labels).take(counts.argmax(axis=1)[have])
        if len(labels)
        else pd.Index([], dtype=str)
    )
    return pd.Series(
        np.asarray(best),
        index=pd.Index(np.asarray(entities)[have], name="entity_id"),
        name="peer_group",
        dtype=scores["peer_group"].dtype,
    )


def pivot(
    scores: pd.DataFrame,
    column: str,
    entities: pd.Index,
    criteria: list[str],
    at: tuple[np.ndarray, np.ndarray] | None = None,
) -> pd.DataFrame:
    """entities × criteria of ``column`` over the scored rows (a scatter by position).

    ``at``: each row's (entity, criterion) position when the caller has it (:func:`positions`).
    """
    e, c = positions(scores, entities, criteria) if at is None else at
    take = scores["scored"].to_numpy(dtype=bool) & (e >= 0) & (c >= 0)
    wide = np.full((len(entities), len(criteria)), np.nan)
    wide[e[take], c[take]] = scores[column].to_numpy(dtype=float, na_value=np.nan)[take]
    return pd.DataFrame(
        wide, index=entities.rename(None), columns=pd.Index(criteria, name="criterion")
    )


def positions(
    scores: pd.DataFrame, entities: pd.Index, criteria: list[str]
) -> tuple[np.ndarray, np.ndarray]:
    """Each row's place in the entities × criteria arrays (−1: not there)."""
    return _indexer(entities, scores["entity_id"]), _indexer(
        pd.Index(criteria), scores["criterion"]
    )


def _indexer(index: pd.Index, column: pd.Series) -> np.ndarray:
    """``index.get_indexer(column)`` by looking up the column's distinct values only (a column
    with missing values, which get_indexer matches by kind, is looked up row by row)."""
    codes, uniques = pd.factorize(column)
    if not len(codes) or (codes < 0).any():
        return np.asarray(index.get_indexer(column), dtype=np.int64)
    return np.asarray(index.get_indexer(uniques), dtype=np.int64)[codes]


def annual_pay_per_fte(
    ds: Dataset, values_units: pd.DataFrame, period: Period, level: str
) -> pd.Series:
    """Pay cost per FTE and year per entity, by sums (not averages of ratios)."""
    pos, entity, ids = window_entities(ds, level, period.months)
    m = ds.monthly
    pay_cols = [
        c
        for c in (
            "pay_fixed",
            "pay_overtime",
            "pay_extra_shifts",
            "pay_shift_displacement",
            "pay_call_out",
            "pay_other_variable",
        )
        if c in m
    ]
    frame = pd.DataFrame(
        {
            "entity": entity,
            "pay": m[pay_cols].iloc[pos].sum(axis=1).to_numpy(),
            "fte": m["fte_worked"].to_numpy()[pos],
        }
    )
    sums = frame.groupby("entity")[
        ["pay", "fte"]
    ].sum()  # pandas' compensated sums, by integer code
    sums.index = ids.take(sums.index.to_numpy())
    return 12 * sums["pay"] / sums["fte"].where(sums["fte"] > 0)


def build_ranking(
    scores, comp, ranks, potentials, pay_per_fte, sens_summary, groups
) -> pd.DataFrame:
    cols = ["period", "level", "entity_name", "division", "department", "care_level"]
    _, first_row = np.unique(pd.factorize(scores["entity_id"])[0], return_index=True)
    first = scores[["entity_id", *cols]].take(first_row).set_index("entity_id")
    r = pd.DataFrame(index=groups.index)
    for col in cols:
        r[col] = first[col].reindex(r.index)
    r["peer_group"] = groups
    r = r.join(comp).join(ranks[["rank", "rank_low", "rank_high", "peer_n"]]).join(potentials)
    r["potential_total_knok"] = r["potential_knok"] + r["potential_fte"] * pay_per_fte.reindex(
        r.index
    ).fillna(0)
    r["potential_rank"] = r["potential_total_knok"].rank(ascending=False, method="first")
    r = r.join(sens_summary)
    r.index.name = "entity_id"
    r = r.reset_index()
    lead = [
        "period",
        "level",
        "entity_id",
        "entity_name",
        "peer_group",
        "composite",
        "rank",
        "rank_low",
        "rank_high",
        "potential_fte",
        "potential_knok",
        "potential_rank",
    ]
    # rows by peer group, rank, entity id (missing values last), sorted on integer codes
    peer, _ = pd.factorize(r["peer_group"], sort=True)
    entity, _ = pd.factorize(r["entity_id"], sort=True)
    rank = r["rank"].to_numpy(dtype=float, na_value=np.nan)
    order = np.lexsort(
        (
            np.where(entity < 0, len(r), entity),
            np.where(np.isnan(rank), np.inf, rank),
            np.where(peer < 0, len(r), peer),
        )
    )
    return r[lead + [c for c in r.columns if c not in lead]].take(order).reset_index(drop=True)


def _beside(fn, *args) -> Future:
    """``fn(*args)`` started in a thread of its own (one per call, so concurrent ``bm.score`` calls
    of the service's sessions never queue behind each other); ``.result()`` joins it and re-raises
    what it raised."""
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="benchmark-trend")
    future = pool.submit(fn, *args)
    pool.shutdown(wait=False)  # the thread ends when its one task has
    return future


def score(
    ds: Dataset,
    cat: Catalogue,
    period: str | Period,
    level: str = "unit",
    seed: int = 1,
    normalisation: str = "zscore",
    simultaneous: bool = False,
    sensitivity_analysis: bool = True,
) -> Result:
    """Score every entity of ``level`` for ``period`` with the criteria of ``cat`` (SPEC §5, §6).

    Deterministic for a given ``seed`` (the rank-interval bootstrap is the only randomness).

    >>> import benchmark as bm
    >>> res = bm.score(bm.load_dataset("fixtures/demo"), bm.load_criteria(), period="2025Q3")  # doctest: +SKIP
    """
    period = parse_period(period) if isinstance(period, str) else period
    summary = measures_summary(ds, cat, period)
    values = criterion_values(ds, cat, period, level, summary)
    # the trend (0,4–0,9 s nationally, a fifth to a third of scoring) needs only the values: it runs
    # in a thread beside the funnels, ranks and sensitivity. Its work is mostly numpy and Arrow on
    # arrays of millions, which leave the GIL, so on 2 cores the two overlap; the results are the
    # same (no randomness in the trend; the dataset's caches are filled idempotently)
    trends = _beside(trend_table, ds, cat, period, level, values)
    se_cache: dict = {}
    scores = build_scores(values, cat, ds, period, level, se_cache)
    entities = pd.Index(scores["entity_id"].unique())
    present = set(scores["criterion"].unique())
    criteria = [c.id for c in cat.criteria if c.id in present]
    groups = ranking_groups(scores).reindex(entities)
    directions = {c.id: c.sign for c in cat.criteria}
    at = positions(scores, entities, criteria)  # rows of scores = rows of values, in order
    shrunk, shrunk_se, raw = (
        pivot(scores, "shrunk", entities, criteria, at),
        pivot(scores, "shrunk_se", entities, criteria, at),
        pivot(scores, "value", entities, criteria, at),
    )
    norm, nse = normalised_scores(shrunk, shrunk_se, groups, directions, normalisation, raw)
    comp, contributions = composite_with_se(norm, nse, cat.weights())
    ranks = rank_composite(comp, groups, simultaneous, seed)
    e, c = at
    inside, e, c = (e >= 0) & (c >= 0), np.maximum(e, 0), np.maximum(c, 0)
    for col, wide in (("normalised", norm), ("contribution", contributions)):
        scores[col] = (
            np.where(inside, wide.to_numpy(dtype=float)[e, c], np.nan) if wide.size else np.nan
        )
    if sensitivity_analysis:

        def alt_target() -> pd.DataFrame:
            assessed = shrink_scaled(
                ds,
                cat,
                period,
                level,
                values,
                assess_criteria(
                    values,
                    cat,
                    "upper_quartile",
                    ds,
                    period,
                    level,
                    se_cache,
                    intervals=False,
                    columns=["centre", "shrunk", "shrunk_se"],
                ),
                se_cache,
            )
            alt = pd.concat(
                [values[["entity_id", "criterion", "scored"]], assessed[["shrunk"]]], axis=1
            )
            return pivot(alt, "shrunk", entities, criteria, at)

        sens_long, sens_summary = sensitivity(
            shrunk,
            shrunk_se,
            groups,
            directions,
            cat.weights(),
            ranks["rank"],
            alt_target,
            {normalisation: (norm.to_numpy(), nse.to_numpy())},
            raw,
        )
    else:
        sens_long = pd.DataFrame(columns=["entity_id", "scenario", "rank", "shift"])
        sens_summary = pd.DataFrame(
            index=entities, columns=["sensitivity_median_shift", "sensitivity_max_shift"]
        )
    ranking = build_ranking(
        scores,
        comp,
        ranks,
        entity_potential(scores),
        annual_pay_per_fte(ds, values, period, level),
        sens_summary,
        groups,
    )
    trend, monthly = trends.result()
    ranking["headcount"] = (
        entity_headcount(ds, period, level).reindex(ranking["entity_id"]).to_numpy()
    )  # privacy
    scores = order_scores(scores)
    return Result(
        scores=scores,
        ranking=ranking,
        measures=summary,
        trend=trend,
        sensitivity=sens_long,
        monthly=monthly,
        catalogue=cat,
        period=period,
        level=level,
        seed=seed,
        dataset_fingerprint=ds.fingerprint(),
        options={"normalisation": normalisation, "simultaneous": simultaneous},
        shrunk=shrunk,
        shrunk_se=shrunk_se,
        raw=raw,
        groups=groups,
        memo={("normalised", normalisation): (norm, nse)},
    )


SCORE_LEAD = [
    "period",
    "level",
    "entity_id",
    "entity_name",
    "peer_group",
    "criterion",
    "value",
    "numerator",
    "denominator",
    "target",
    "z",
    "flag",
    "shrunk",
    "percentile",
    "potential",
    "potential_unit",
]


def order_scores(scores: pd.DataFrame) -> pd.DataFrame:
    """Rows by entity id, then criteria in the order they first appear; lead columns first."""
    rest = [c for c in scores.columns if c not in SCORE_LEAD]
    crit_order, _ = pd.factorize(scores["criterion"])  # order of first appearance
    entity_rank, _ = pd.factorize(scores["entity_id"], sort=True)
    out = (
        scores[SCORE_LEAD + rest].take(np.lexsort((crit_order, entity_rank))).reset_index(drop=True)
    )
    out["z"] = out["z"].astype(float)
    unscored = ~out["scored"].astype(bool).to_numpy()
    for col in ("potential", "potential_low", "potential_high"):
        out[col] = np.where(unscored, np.nan, out[col].to_numpy(dtype=float))
    return out
