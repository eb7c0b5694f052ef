"""The numbers of one clinic's package, assembled once: :func:`build_package` → :class:`Package`.

Per care level of the clinic (SPEC §13): the monthly activity and FTE with the index against the
peer medians (evaluation), the month against the staffing plan, budget and activity plan
(execution), care hours per patient day and the weekday profile for wards, variable pay, agency and
sick leave, and the units with their funnel positions, rank intervals and potentials; for the
clinic: an overview, its budget measures against risk, and — for planning — the staffing budget
and the bed draft when ``benchmark plan``/``benchmark beds`` have written them. The HTML and the
workbook both render these :class:`~benchmark.pack.tables.Table` objects, and the reading notes
are written from the same frames (:mod:`benchmark.pack.notes`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from benchmark.explanation.messages import CARE_LEVEL_PLURAL
from benchmark.pack import series as S
from benchmark.pack.disclosure import Disclosure, masked_frame
from benchmark.pack.source import Sources
from benchmark.pack.tables import Table, table
from benchmark.pack.words import activity_word, month_label, w

CARE_LEVEL_ORDER = ("inpatient", "outpatient", "day_treatment", "surgery", "emergency", "prehospital",
                    "diagnostics", "support")
SHARES = ("variable_pay_share", "agency_share", "sick_leave_rate")
POSITION = {
    "nb": {"within": "innenfor normal variasjon", "above_95": "over grensen (95 %)", "above_99.8": "klart over (99,8 %)",
           "below_95": "under grensen (95 %)", "below_99.8": "klart under (99,8 %)", "": "ikke vurdert"},
    "en": {"within": "within normal variation", "above_95": "above the limit (95 %)", "above_99.8": "clearly above (99.8 %)",
           "below_95": "below the limit (95 %)", "below_99.8": "clearly below (99.8 %)", "": "not assessed"},
}


@dataclass(frozen=True)
class Part:
    """One care level of the clinic."""

    care_level: str
    name: str
    units: tuple[str, ...]
    activity: str                 # the activity measure in words ("" when not measured)
    monthly: pd.DataFrame         # per month: the raw figures behind the tables and charts
    year: dict                    # 12-month figures (last and previous 12 months) for notes and overview
    evaluation: Table
    execution: Table
    units_table: Table
    staffing: Table
    weekday: Table | None
    weekday_problem: str
    funnel: pd.DataFrame          # activity_per_fte scores of the peer groups (for the funnel chart)
    flags: pd.DataFrame           # the clinic's units: name, flag of activity_per_fte
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Package:
    division: str
    lang: str
    analyst: bool
    run: dict
    period: str
    months: tuple[str, ...]
    catalogue_version: str
    disclosure: Disclosure
    parts: tuple[Part, ...]
    overview: Table
    measures: Table | None
    measures_row: dict | None
    gap: Table | None
    beds: Table | None
    plan_year: int
    problems: tuple[str, ...] = ()
    notes: tuple[str, ...] = field(default=())

    def tables(self) -> list[Table]:
        """Every table in the order the HTML shows them (the workbook's sheets)."""
        out = [self.overview]
        if self.measures is not None:
            out.append(self.measures)
        for p in self.parts:
            out += [p.evaluation, p.execution, p.units_table, p.staffing] + ([p.weekday] if p.weekday is not None else [])
        out += [t for t in (self.gap, self.beds) if t is not None]
        return out


def _care_name(care_level: str, lang: str) -> str:
    text = CARE_LEVEL_PLURAL.get(care_level, {}).get(lang, care_level)
    return text[:1].upper() + text[1:]


def unit_groups(res) -> pd.Series:
    """Each unit's peer group for activity: its ``activity_per_fte`` peer group, else its ranking group."""
    s = res.scores
    a = s[s["criterion"] == "activity_per_fte"].set_index("entity_id")["peer_group"]
    r = res.ranking.set_index("entity_id")["peer_group"]
    out = r.astype(object).copy()
    out.update(a.astype(object))
    out.index = out.index.astype(str)
    return out


def activity_column(res, care_level: str, groups: pd.Series | None = None, ids: list[str] | None = None) -> str:
    """The activity measure of a care level's units, as the run's catalogue names it.

    Since peer groups are care level × service area (SPEC §4), the measure can differ inside one
    care level (rehabilitation and mental-health wards on bed days, somatic wards on DRG points):
    with ``groups`` (entity → peer group ``care:area``) and the part's ``ids`` each unit's own
    measure is looked up, and several measures are named together rather than the care level's
    default being printed over numbers that are not DRG points.
    """
    try:
        crit = res.catalogue.get("activity_per_fte")
    except (KeyError, ValueError, AttributeError):
        return ""
    areas = {None}
    if groups is not None and ids is not None:
        found = groups.reindex(ids).dropna().astype(str)
        areas = {g.split(":", 1)[1] if ":" in g else None for g in found} or {None}
    texts = []
    for area in sorted(areas, key=lambda a: a or ""):
        expr = crit.numerator_for(care_level, area)
        if expr is not None and expr.text.strip() not in texts:
            texts.append(expr.text.strip())
    return " + ".join(texts)


def criterion_monthly(res, criterion: str, members: pd.Series) -> pd.DataFrame:
    """Σ numerator, Σ denominator and their ratio per key and month of a criterion the run recorded."""
    m = res.monthly
    if m is None or m.empty:
        return pd.DataFrame(columns=["numerator", "denominator", "value"])
    c = m[(m["criterion"] == criterion) & m["entity_id"].astype(str).isin(members.index)]
    c = c.assign(key=c["entity_id"].astype(str).map(members), month=c["month"].astype(str))
    sums = c.groupby(["key", "month"])[["numerator", "denominator"]].sum(min_count=1)
    sums["value"] = sums["numerator"] / sums["denominator"].where(sums["denominator"] > 0)
    return sums


def build_package(src: Sources, division: str, lang: str = "nb", analyst: bool = False) -> Package:
    from benchmark.pack.disclosure import disclosure
    from benchmark.pack.notes import clinic_notes, part_notes

    res = src.res
    d = disclosure(res, src.dataset, analyst)
    months = tuple(sorted(res.monthly["month"].astype(str).unique())) if not res.monthly.empty else ()
    ranking = res.ranking.assign(entity_id=res.ranking["entity_id"].astype(str))
    mine = ranking[ranking["division"] == division]
    groups = unit_groups(res)
    rows = S.activity_rows(res, groups)
    raw = None
    if src.dataset is not None:
        raw = src.dataset.monthly[src.dataset.monthly["month"].astype(str).isin(months)]
        raw = raw.assign(unit_id=raw["unit_id"].astype(str), month=raw["month"].astype(str))
    present = [c for c in CARE_LEVEL_ORDER if c in set(mine["care_level"])]
    present += sorted(set(mine["care_level"].dropna()) - set(present))
    parts = []
    for care in present:  # a loop over the clinic's care levels (a handful), not units
        units = mine[mine["care_level"] == care]
        parts.append(build_part(src, d, care, units, groups, rows, raw, months, lang))
    parts = [dataclasses_replace(p, notes=part_notes(p, d, lang)) for p in parts]
    problems = ((w("dataset_problem", lang, why=w(src.dataset_problem[0], lang, source=src.dataset_problem[1])),)
                if src.dataset_problem else ())
    measures_tab, measures_row = measures_table(res, division, lang)
    pkg = Package(division=division, lang=lang, analyst=analyst, run=src.run, period=res.period.label,
                  months=months, catalogue_version=res.catalogue.version, disclosure=d, parts=tuple(parts),
                  overview=overview_table(parts, d.res, lang), measures=measures_tab, measures_row=measures_row,
                  gap=gap_table(src, mine, division, lang), beds=beds_table(src, mine, lang),
                  plan_year=src.plan_year, problems=problems)
    return dataclasses_replace(pkg, notes=clinic_notes(pkg, lang))


def dataclasses_replace(obj, **changes):
    import dataclasses

    return dataclasses.replace(obj, **changes)


def build_part(src: Sources, d: Disclosure, care: str, units: pd.DataFrame, groups: pd.Series, rows: pd.DataFrame,
               raw: pd.DataFrame | None, months: tuple[str, ...], lang: str) -> Part:
    res = src.res
    ids = units["entity_id"].astype(str).tolist()
    members = pd.Series(care, index=pd.Index(ids))
    frame = pd.DataFrame(index=pd.Index(list(months), name="month"))
    act = S.monthly_index(rows, members)
    if not act.empty:
        frame = frame.join(act.xs(care, level="key"))
    for col in ("activity", "fte", "expected", "per_fte", "peer_per_fte", "index"):
        if col not in frame:
            frame[col] = np.nan
    if raw is not None:
        sums = S.monthly_sums(raw, members, ["fte_worked", "fte_planned", "fte_budget", "fte_contracted"])
        if care in sums.index.get_level_values(0):
            frame = frame.join(sums.xs(care, level="key"))
        pay = S.variable_pay_vs_budget(raw, members)
        if care in pay.index.get_level_values(0):
            frame = frame.join(pay.xs(care, level="key"))
        plan = S.worked_vs_plan(raw, members)
        if not plan.empty:
            frame = frame.join(plan.xs(care, level="key"))
        frame = frame.join(_activity_plan(src, members, care, res, months))
        if care == "inpatient":
            inpatient = groups[groups.index.isin(res.ranking.loc[res.ranking["care_level"] == "inpatient",
                                                                 "entity_id"].astype(str))]
            ch = S.chppd(raw, inpatient, members)
            if not ch.empty:
                frame = frame.join(ch.xs(care, level="key")[["hours", "bed_days", "chppd", "peer_chppd",
                                                             "expected_hours"]])
    else:
        frame["fte_worked"] = frame["fte"]
    for crit in SHARES:
        cm = criterion_monthly(res, crit, members)
        if cm.empty:
            frame[crit] = np.nan
            continue
        part = cm.xs(care, level="key") if care in cm.index.get_level_values(0) else pd.DataFrame()
        frame[crit] = part["value"] if not part.empty else np.nan
        frame[crit + "_num"] = part["numerator"] if not part.empty else np.nan
        frame[crit + "_den"] = part["denominator"] if not part.empty else np.nan
    frame = frame.reset_index()
    last12, prev12 = list(months[-12:]), list(months[-24:-12])
    year = {"last": _year(rows, members, frame, last12, care), "prev": _year(rows, members, frame, prev12, care),
            "last_months": last12, "prev_months": prev12}
    word = activity_word(activity_column(res, care, groups, ids), lang) if frame["activity"].notna().any() else ""
    return Part(care_level=care, name=_care_name(care, lang), units=tuple(ids), activity=word, monthly=frame,
                year=year, evaluation=evaluation_table(frame, care, word, lang),
                execution=execution_table(frame, care, ids, d, lang),
                units_table=units_table(d.res, care, ids, lang, S.unit_window_index(rows, ids, last12)),
                staffing=staffing_table(d.res, care, ids, raw, d, lang), **weekday_table(src, ids, raw, care, months, lang),
                funnel=_funnel_scores(res, ids), flags=_flags(res, ids))


def _year(rows, members, frame: pd.DataFrame, months: list[str], care: str) -> dict:
    out: dict = {"months": months}
    if not months:
        return out
    wi = S.window_index(rows, members, months)
    if care in wi.index:
        out.update({k: float(v) for k, v in wi.loc[care].items()})
    f = frame[frame["month"].isin(months)]

    def ratio(num: str, den: str) -> float:
        if num not in f or den not in f:
            return float("nan")
        a, b = f[num].sum(min_count=1), f[den].sum(min_count=1)
        return float(a / b) if b and b == b and b > 0 else float("nan")

    out["chppd"] = ratio("hours", "bed_days")
    out["peer_chppd"] = ratio("expected_hours", "bed_days")
    for crit in SHARES:
        out[crit] = ratio(crit + "_num", crit + "_den")
    if "fte_worked" in f:
        out["fte_worked_mean"] = float(f["fte_worked"].mean())
    if "fte_budget" in f:
        out["fte_budget_mean"] = float(f["fte_budget"].mean())
    out["variable_pay_vs_budget"] = ratio("variable_pay", "variable_pay_budget") - 1
    if "fte_worked" in f and "fte_planned" in f:
        out["fte_planned_mean"] = float(f["fte_planned"].mean())
        out["vs_plan_mean"] = float(f["vs_plan"].mean()) if "vs_plan" in f else float("nan")
    return out


def _activity_plan(src: Sources, members: pd.Series, care: str, res, months) -> pd.DataFrame:
    """Σ planned activity per month from ``activity_plans`` (when the dataset has it), in the care
    level's activity column."""
    plans = getattr(src.dataset, "activity_plans", None)
    col = activity_column(res, care, unit_groups(res), list(members.index))  # the units' own measure
    if plans is None or plans.empty or not col or col not in plans:
        return pd.DataFrame(index=pd.Index(list(months), name="month"))
    p = plans.assign(unit_id=plans["unit_id"].astype(str), month=plans["month"].astype(str))
    p = p[p["unit_id"].isin(members.index) & p["month"].isin(months)]
    out = p.groupby("month")[[col]].sum(min_count=1).rename(columns={col: "activity_plan"})
    return out


def evaluation_table(frame: pd.DataFrame, care: str, word: str, lang: str) -> Table:
    f = frame.assign(month_label=frame["month"].map(lambda m: month_label(m, lang)))
    cols = [("month_label", w("month", lang), "text")]
    if frame["activity"].notna().any():
        cols += [("activity", f"{w('activity', lang)} ({word})", "int"), ("fte", w("fte_worked", lang), "num1"),
                 ("per_fte", w("per_fte", lang), "num2"), ("peer_per_fte", w("peer_per_fte", lang), "num2"),
                 ("index", w("index", lang), "num2")]
    else:
        cols += [("fte_worked", w("fte_worked", lang), "num1")]
    if care == "inpatient" and "chppd" in frame and frame["chppd"].notna().any():
        cols += [("chppd", w("chppd", lang), "num1"), ("peer_chppd", w("peer_chppd", lang), "num1")]
    return table(f"eval_{care}", w("monthly_eval", lang), f, cols)


def execution_table(frame: pd.DataFrame, care: str, ids: list[str], d: Disclosure, lang: str) -> Table:
    f = frame.assign(month_label=frame["month"].map(lambda m: month_label(m, lang)))
    if "activity_plan" in f and f["activity_plan"].notna().any():
        f["vs_activity_plan"] = f["activity"] / f["activity_plan"].where(f["activity_plan"] > 0) - 1
    note = ""
    if not d.total_allowed(ids, "sick_leave_rate") and "sick_leave_rate" in f:
        # the whole column goes, with one line saying why (24 rows of mask text help nobody)
        f = f.drop(columns=[c for c in ("sick_leave_rate", "sick_leave_rate_num", "sick_leave_rate_den") if c in f])
        note = w("masked_total_note", lang, mask=d.text(lang))
    cols = [("month_label", w("month", lang), "text"), ("fte_worked", w("fte_worked", lang), "num1"),
            ("fte_planned", w("fte_planned", lang), "num1"), ("vs_plan", w("vs_plan", lang), "num1"),
            ("fte_budget", w("fte_budget", lang), "num1")]
    if "vs_activity_plan" in f:
        cols += [("activity_plan", w("activity_plan", lang), "int"), ("vs_activity_plan", w("vs_activity_plan", lang), "pct")]
    cols += [("variable_pay_vs_budget", w("variable_pay_vs_budget", lang), "pct"),
             ("variable_pay_share", w("variable_pay_share", lang), "pct"), ("agency_share", w("agency_share", lang), "pct"),
             ("sick_leave_rate", w("sick_leave_rate", lang), "pct")]
    present = [c for c in cols if c[0] in f and (c[0] == "month_label" or _has(f[c[0]]))]
    return table(f"exec_{care}", w("monthly_exec", lang), f, present, note=note)


def _has(col: pd.Series) -> bool:
    return bool(col.map(lambda v: isinstance(v, str) or (v is not None and v == v)).any())


def _score_values(res, ids: list[str], criterion: str, column: str = "value") -> pd.Series:
    s = res.scores
    c = s[(s["criterion"] == criterion) & s["entity_id"].astype(str).isin(ids)]
    return c.assign(entity_id=c["entity_id"].astype(str)).set_index("entity_id")[column].reindex(ids)


def short_names(names: pd.Series, departments: pd.Series) -> list[str]:
    """Unit names without a trailing "(department)" when the department stands beside them."""
    out = []
    for name, dept in zip(names.astype(str), departments.astype(str), strict=True):
        suffix = f" ({dept})"
        out.append(name[: -len(suffix)] if dept and name.endswith(suffix) else name)
    return out


def units_table(res, care: str, ids: list[str], lang: str, year: pd.DataFrame | None = None) -> Table:
    """The clinic's units of one care level: activity per FTE in the period against the group median,
    the funnel position, the composite rank with its interval, and the improvement potential."""
    from benchmark.explanation import numbers as fmt

    r = res.ranking.assign(entity_id=res.ranking["entity_id"].astype(str)).set_index("entity_id").reindex(ids)
    f = pd.DataFrame({"entity_id": ids, "unit": short_names(r["entity_name"], r["department"]),
                      "department": r["department"].to_numpy(),
                      "peer_group": r["peer_group"].astype(str).to_numpy()})
    val, tgt = _score_values(res, ids, "activity_per_fte"), _score_values(res, ids, "activity_per_fte", "target")
    flag = _score_values(res, ids, "activity_per_fte", "flag").fillna("").astype(str)
    scored = _score_values(res, ids, "activity_per_fte", "scored").fillna(False).astype(bool)
    f["value"], f["target"] = val.where(scored).to_numpy(), tgt.where(scored).to_numpy()
    f["index"] = (val / tgt.where(tgt > 0)).where(scored).to_numpy()
    f["index_12"] = (year["index"].reindex(ids).to_numpy() if year is not None and "index" in year
                     else np.full(len(ids), np.nan))
    f["position"] = [POSITION[lang].get(x if s else "", POSITION[lang][""]) for x, s in zip(flag, scored, strict=True)]
    n = r["peer_n"] if "peer_n" in r else pd.Series(np.nan, index=r.index)
    f["rank"] = [fmt.rank_interval(a, b, c, e, lang) for a, b, c, e in
                 zip(r["rank"], r["rank_low"], r["rank_high"], n, strict=True)]
    f["potential_fte"] = r["potential_fte"].to_numpy()
    f["potential_fte_interval"] = [fmt.interval(lo, hi, lambda x, lang: fmt.number(x, 1, lang), lang)
                                   for lo, hi in zip(r.get("potential_fte_low", n * np.nan),
                                                     r.get("potential_fte_high", n * np.nan), strict=True)]
    f["potential_knok"] = r["potential_knok"].to_numpy()
    cols = [("unit", w("unit", lang), "text"), ("department", w("department", lang), "text"),
            ("value", f"{w('value', lang)} {res.period.label}", "num2"),
            ("target", f"{w('target', lang)} {res.period.label}", "num2"),
            ("index", f"{w('index_short', lang)} {res.period.label}", "num2"),
            ("index_12", w("peer_index_12", lang), "num2"),
            ("position", w("position", lang), "text"), ("rank", w("rank", lang), "text"),
            ("potential_fte", w("potential_fte", lang), "num1"),
            ("potential_fte_interval", w("potential_fte_interval", lang), "text"),
            ("potential_knok", w("potential_knok", lang), "int")]
    if not f["value"].notna().any():
        cols = [c for c in cols if c[0] not in ("value", "target", "index", "index_12", "position")]
    return table(f"units_{care}", w("units_table", lang), f, cols)


def staffing_table(res, care: str, ids: list[str], raw: pd.DataFrame | None, d: Disclosure, lang: str) -> Table:
    """Per unit over the run's period: mean FTE worked, in the staffing plan, budgeted, contracted;
    worked against plan; variable pay, agency and sick leave (sick leave masked where privacy says)."""
    r = res.ranking.assign(entity_id=res.ranking["entity_id"].astype(str)).set_index("entity_id").reindex(ids)
    f = pd.DataFrame({"entity_id": ids, "unit": r["entity_name"].to_numpy()})
    cols = [("unit", w("unit", lang), "text")]
    if raw is not None:
        m = raw[raw["month"].isin(res.period.months) & raw["unit_id"].isin(ids)]
        means = m.groupby("unit_id")[[c for c in ("fte_worked", "fte_planned", "fte_budget", "fte_contracted")
                                      if c in m]].mean().reindex(ids)
        for c in means.columns:
            f[c] = means[c].to_numpy()
        if "fte_planned" in f:
            f["worked_vs_plan"] = (f["fte_worked"] / f["fte_planned"].where(f["fte_planned"] > 0) - 1).to_numpy()
        cols += [("fte_worked", w("fte_worked", lang), "num1"), ("fte_planned", w("fte_planned", lang), "num1"),
                 ("worked_vs_plan", w("worked_vs_plan", lang), "pct"), ("fte_budget", w("fte_budget", lang), "num1"),
                 ("fte_contracted", w("fte_contracted", lang), "num1")]
    for crit in SHARES:
        if crit not in set(res.scores["criterion"]):
            continue
        scored = _score_values(res, ids, crit, "scored").fillna(False).astype(bool)
        values = _score_values(res, ids, crit).where(scored | _score_values(res, ids, crit).notna())
        f[crit] = masked_frame(values.reset_index(drop=True), pd.Series(ids), crit, d, lang).to_numpy()
        cols.append((crit, w(crit, lang), "pct"))
    note = w("masked_note", lang, n=d.min_headcount) if any(
        isinstance(v, str) for c in SHARES if c in f for v in f[c]) else ""
    return table(f"staff_{care}", w("staffing", lang), f, cols, note=note)


def weekday_table(src: Sources, ids: list[str], raw, care: str, months, lang: str) -> dict:
    from benchmark.pack.words import WEEKDAYS

    if care != "inpatient":
        return {"weekday": None, "weekday_problem": ""}
    daily = getattr(src.dataset, "daily", None) if src.dataset is not None else None
    if daily is None or daily.empty or raw is None:
        return {"weekday": None, "weekday_problem": w("no_daily", lang)}
    prof = S.weekday_profile(daily, raw, ids, list(months[-12:]))
    if prof.empty or prof["census"].isna().all():
        return {"weekday": None, "weekday_problem": w("no_daily", lang)}
    f = prof.reset_index(drop=True).assign(weekday=list(WEEKDAYS[lang]))
    cols = [("weekday", w("weekday", lang), "text"), ("census", w("census", lang), "num1"),
            ("beds_open", w("beds_open", lang), "num1"), ("occupancy", w("occupancy", lang), "pct"),
            ("hours_per_patient", w("hours_per_patient", lang), "num1")]
    cols = [c for c in cols if c[0] == "weekday" or f[c[0]].notna().any()]
    return {"weekday": table(f"week_{care}", w("weekday_profile", lang), f, cols, note=w("weekday_note", lang)),
            "weekday_problem": ""}


def _funnel_scores(res, ids: list[str]) -> pd.DataFrame:
    s = res.scores
    a = s[(s["criterion"] == "activity_per_fte") & s["scored"].astype(bool)]
    groups = set(a.loc[a["entity_id"].astype(str).isin(ids), "peer_group"])
    limits = ["lower95", "upper95", "lower998", "upper998"]
    # the lines are the group's limits for a unit of each size (smooth; each unit's own limits leave
    # it out and would put a kink at every unit far from the centre); older stored runs: their own
    group_limits = ["funnel_" + c for c in limits]
    drawn = group_limits if all(c in a for c in group_limits) else limits
    out = a[a["peer_group"].isin(groups)][["entity_id", "entity_name", "peer_group", "value", "denominator", "target",
                                           *drawn, "flag"]].copy()
    out = out.rename(columns=dict(zip(drawn, limits, strict=True)))
    out["entity_id"] = out["entity_id"].astype(str)
    out["mine"] = out["entity_id"].isin(ids)
    return out


def _flags(res, ids: list[str]) -> pd.DataFrame:
    s = res.scores
    a = s[(s["criterion"] == "activity_per_fte") & s["entity_id"].astype(str).isin(ids) & s["scored"].astype(bool)]
    return a[["entity_id", "entity_name", "flag", "value", "target"]].reset_index(drop=True)


def overview_table(parts: list[Part], res, lang: str) -> Table:
    rows = []
    r = res.ranking.assign(entity_id=res.ranking["entity_id"].astype(str)).set_index("entity_id")
    for p in parts:
        last, prev = p.year["last"], p.year["prev"]
        pot = r.reindex(list(p.units))
        rows.append({"care": p.name, "n": len(p.units), "measure": p.activity or "–",
                     "activity": last.get("activity", np.nan), "fte": last.get("fte_worked_mean", np.nan),
                     "index": last.get("index", np.nan),
                     "index_prev": prev.get("index", np.nan),
                     "potential_fte": pot["potential_fte"].sum(min_count=1),
                     "potential_knok": pot["potential_knok"].sum(min_count=1)})
    f = pd.DataFrame(rows, columns=["care", "n", "measure", "activity", "fte", "index", "index_prev", "potential_fte",
                                    "potential_knok"])
    cols = [("care", w("care_level", lang), "text"), ("n", w("units", lang), "int"),
            ("measure", w("activity_unit", lang), "text"), ("activity", w("activity_12", lang), "int"),
            ("fte", w("fte_12", lang), "num1"), ("index", w("peer_index_12", lang), "num2"),
            ("index_prev", w("index_prev", lang), "num2"), ("potential_fte", w("potential_fte", lang), "num1"),
            ("potential_knok", w("potential_knok", lang), "int")]
    return table("overview", w("overview_table", lang), f, cols)


def measures_table(res, division: str, lang: str) -> tuple[Table | None, dict | None]:
    m = res.measures
    if m is None or m.empty:
        return None, None
    mine = m[m["division"] == division].copy()
    if mine.empty:
        return None, None
    mine["who"] = np.where(mine["level"] == "division", w("whole_division", lang), mine["department"].astype(str))
    mine = pd.concat([mine[mine["level"] != "division"], mine[mine["level"] == "division"]])  # total last
    cols = [("who", w("department", lang), "text"), ("n_measures", w("n_measures", lang), "int"),
            ("effect_planned", w("effect_planned", lang), "int"),
            ("effect_risk_adjusted", w("effect_risk_adjusted", lang), "int"),
            ("effect_realised", w("effect_realised", lang), "int"),
            ("realisation_vs_risk", w("realisation_vs_risk", lang), "pct0"),
            ("high_risk_share", w("high_risk_share", lang), "pct0"),
            ("n_delayed_or_not_started", w("n_delayed", lang), "int"),
            ("remaining_challenge", w("remaining_challenge", lang), "int"),
            ("risk_adjusted_coverage", w("risk_adjusted_coverage", lang), "pct0")]
    top = mine[mine["level"] == "division"]
    row = top.iloc[0].to_dict() if not top.empty else None
    return table("measures", w("measures", lang), mine, cols, total_last=row is not None), row


def gap_table(src: Sources, mine: pd.DataFrame, division: str, lang: str) -> Table | None:
    g = src.gap
    if g is None or g.empty:
        return None
    ids = set(mine["entity_id"].astype(str))
    depts = set(mine["department"].astype(str))
    g = g.assign(entity_id=g["entity_id"].astype(str), level=g["level"].astype(str))
    keep = ((g["level"] == "unit") & g["entity_id"].isin(ids)) | ((g["level"] == "department") & g["entity_id"].isin(depts)) \
        | ((g["level"] == "division") & (g["entity_id"] == division))
    g = g[keep].copy()
    if g.empty:
        return None
    names = mine.assign(entity_id=mine["entity_id"].astype(str)).set_index("entity_id")["entity_name"]
    g["name"] = g["entity_id"].map(names).fillna(g["entity_id"])
    order = {"unit": 0, "department": 1, "division": 2}
    g = g.assign(_o=g["level"].map(order)).sort_values(["_o", "name"]).drop(columns="_o")
    levels = {"nb": {"unit": "enhet", "department": "avdeling", "division": "klinikk"},
              "en": {"unit": "unit", "department": "department", "division": "clinic"}}[lang]
    g["level_word"] = g["level"].map(levels).fillna(g["level"])
    cols = [("name", w("unit", lang), "text"), ("level_word", w("gap_level", lang), "text"),
            ("cost_total", w("cost_total", lang), "int"), ("pay_frame", w("pay_frame", lang), "int"),
            ("gap", w("gap_col", lang), "int"), ("measures_risk_adjusted", w("measures_risk_adjusted", lang), "int"),
            ("unresolved", w("unresolved", lang), "int"), ("fte_plan", w("fte_plan", lang), "num1"),
            ("fte_frame", w("fte_frame", lang), "num1"), ("fte_needed_for_activity", w("fte_needed", lang), "num1")]
    return table("gap", w("gap", lang, year=src.plan_year), g, cols, total_last=bool((g["level"] == "division").any()))


def beds_table(src: Sources, mine: pd.DataFrame, lang: str) -> Table | None:
    b = src.bed_plan
    if b is None or b.empty or "unit_id" not in b:
        return None
    b = b.assign(unit_id=b["unit_id"].astype(str))
    b = b[b["unit_id"].isin(set(mine["entity_id"].astype(str)))]
    if b.empty:
        return None
    g = b.groupby("unit_id")
    f = pd.DataFrame({"weeks": g.size()})
    for col, how in (("beds_recommended", "mean"), ("beds_current", "mean"), ("occupancy_expected", "mean"),
                     ("census_p95", "max")):
        if col in b:
            f[col if how == "mean" else col + "_max"] = getattr(g[col], how)()
    if "beds_recommended" in b:
        f["range"] = [f"{int(lo)}–{int(hi)}" if lo == lo and hi == hi else "–"
                      for lo, hi in zip(g["beds_recommended"].min(), g["beds_recommended"].max(), strict=True)]
    names = mine.assign(entity_id=mine["entity_id"].astype(str)).set_index("entity_id")["entity_name"]
    f = f.reset_index()
    f["unit"] = f["unit_id"].map(names)
    cols = [("unit", w("unit", lang), "text"), ("weeks", w("weeks", lang), "int"),
            ("beds_recommended", w("beds_recommended_mean", lang), "num1"),
            ("range", w("beds_recommended_range", lang), "text"), ("beds_current", w("beds_current", lang), "num1"),
            ("occupancy_expected", w("occupancy_expected", lang), "pct"),
            ("census_p95_max", w("census_p95", lang), "num1")]
    return table("beds", w("beds", lang, year=src.plan_year), f, cols)
