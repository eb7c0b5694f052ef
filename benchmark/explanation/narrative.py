"""The plain-language explanation of one entity's score, built only from the result tables.

The text is deterministic and template based (no language model): every number in it is read
from ``res.ranking``, ``res.scores``, ``res.trend`` or ``res.measures`` and formatted by
:mod:`benchmark.explanation.numbers`; every word comes from :mod:`benchmark.explanation.messages`.

Two rules keep the text honest:

- a criterion is called *worse than the target beyond normal variation* only when its funnel flag
  says so (95 % or 99.8 % limit, direction-aware); a value on the wrong side of the target but
  inside the limits is described as "within normal variation – not a clear difference";
- the criteria named as pulling the score down or up are those with the most negative and most
  positive contributions to the composite (weight × normalised score / Σ weights), in that order.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from benchmark.explanation import numbers as fmt
from benchmark.explanation.messages import CARE_LEVEL_PLURAL, TEXT, t
from benchmark.explanation.numbers import Lang
from benchmark.explanation.shared import entity_rows, shared

MAX_TRENDS = 3
# A shrunken value that moved more than this share of the way to the target earns a caveat.
SHRINKAGE_CAVEAT = 0.25


@dataclass(frozen=True)
class Section:
    """One paragraph of the explanation: an id (for layout and tests) and its lines."""

    id: str
    lines: tuple[str, ...]


def _crit(res, criterion_id: str):
    return res.catalogue.get(criterion_id)


def criterion_name(res, criterion_id: str, lang: Lang) -> str:
    return _crit(res, criterion_id).name[lang]


def format_value(res, criterion_id: str, x: float, lang: Lang) -> str:
    """A criterion value with its unit where the unit is not obvious (``5,21 DRG-poeng …``)."""
    crit = _crit(res, criterion_id)
    text = fmt.value(x, crit.value_format, lang)
    if crit.value_format == "number" and text != fmt.DASH:
        unit = (crit.value_unit or {}).get(lang, "")
        return f"{text} {unit}".strip()
    if crit.value_format == "index" and text != fmt.DASH:
        return ("indeks " if lang == "nb" else "index ") + text
    return text


def peers_phrase(peer_group: str, peer_n: float | None, lang: Lang) -> str:
    n = "" if peer_n is None or pd.isna(peer_n) else str(int(peer_n))
    from benchmark import labels

    named = getattr(labels, "peer_group_label", None)  # issue 12's names of peer groups
    if named is not None:
        try:
            return named(peer_group, lang, int(n) if n else None)
        except Exception:  # noqa: BLE001 - an unknown group falls back to the words below
            pass
    if peer_group in CARE_LEVEL_PLURAL:
        return t("peers_care_level", lang, n=n, care_level=CARE_LEVEL_PLURAL[peer_group][lang]).strip()
    return t("peers_group", lang, n=n, group=peer_group).strip()


_FALLBACK = re.compile(r"^(?P<own>\S+) → (?P<target>\S+) \((?P<n>\d+) < (?P<min>\d+)")


def peer_fallback_sentence(scores: pd.DataFrame, lang: Lang) -> str | None:
    """Why the unit is not compared within its own group, from its ``peer_note`` (SPEC §4
    ``[peers]``: a group under ``min_size`` is merged, and the output says so): "Egen gruppe,
    akuttmottak i psykisk helsevern, har bare 1 enhet, færre enn de 8 …". None without a note."""
    from benchmark.labels import peer_group_label

    notes = scores["peer_note"].dropna().astype(str) if "peer_note" in scores else pd.Series(dtype=str)
    match = next((m for m in map(_FALLBACK.match, notes) if m), None)
    if match is None:
        return None
    n = int(match["n"])
    units = ("enhet" if n == 1 else "enheter") if lang == "nb" else ("unit" if n == 1 else "units")
    return t("peer_fallback", lang, own=peer_group_label(match["own"], lang), n=f"{n} {units}",
             min_size=match["min"], target=peer_group_label(match["target"], lang))


def judgement_key(flag: str, direction: str, value: float, target: float) -> str:
    """Message id for how a value stands against its target, honouring the funnel flag.

    ``value`` and ``target`` should be the numbers as printed (see :func:`printed`): a sentence
    that shows "5,21 mot 5,21" then says "on target", never "better".

    The funnel flag is measured against the peer group's centre (SPEC §5: limits and shrinkage
    about the peers), the verdict against the target. Where a fixed target (staffing against plan
    1,00) and the peers' level lie on different sides of the value, the two are said separately
    (``mixed_<against target>_<against peers>_<limit>``), so "better than the target" never
    stands beside 1,01 against 1,00 on a lower-is-better criterion.
    """
    sign = 1 if direction == "higher_is_better" else -1
    diff = (value - target) * sign
    on_target = bool(np.isnan(diff) or np.isclose(diff, 0.0, atol=1e-12))
    vs_target = "equal" if on_target else ("better" if diff > 0 else "worse")
    if flag in ("above_95", "above_99.8", "below_95", "below_99.8"):
        better = (flag.startswith("above") and sign > 0) or (flag.startswith("below") and sign < 0)
        strength = "998" if flag.endswith("99.8") else "95"
        vs_peers = "better" if better else "worse"
        if vs_target != vs_peers:
            return f"mixed_{vs_target}_{vs_peers}_{strength}"
        return f"{vs_peers}_{strength}"
    if on_target:
        return "within_equal"
    return "within_better" if diff > 0 else "within_worse"


def judgement_text(res, s: pd.Series, key: str, lang: Lang) -> str:
    """The words of a judgement key; a mixed key names the peers' level it was measured against."""
    if not key.startswith("mixed_"):
        return t(key, lang)
    _, vs_target, vs_peers, strength = key.split("_")
    centre = s.get("centre", np.nan)
    centre_text = "" if centre is None or pd.isna(centre) else f" ({format_value(res, s['criterion'], centre, lang)})"
    return t(f"vs_target_{vs_target}", lang) + t(f"vs_peers_{vs_peers}_{strength}", lang, centre=centre_text)


def printed(res, criterion_id: str, x: float) -> float:
    """``x`` rounded the way it is printed (so words are derived from the numbers a reader sees)."""
    text = fmt.value(x, _crit(res, criterion_id).value_format, "en")
    if text == fmt.DASH:
        return float("nan")
    scale = 100.0 if text.endswith("%") else 1.0
    return float(text.rstrip("%").replace(",", "")) / scale


def is_masked(s: pd.Series) -> bool:
    """Whether a score row is suppressed by disclosure control (issue 17's ``masked`` column)."""
    m = s.get("masked", False)
    return bool(m) if not pd.isna(m) else False


def mask_text(res, lang: Lang) -> str:
    from benchmark.views import _mask_text

    return _mask_text(lang, res)


def target_word(res, criterion_id: str, lang: Lang) -> str:
    target = _crit(res, criterion_id).target
    if isinstance(target, str) and target in ("median", "upper_quartile", "mean"):
        return t(f"target_{target}", lang)
    return t("target_fixed", lang)


def _entity_rows(res, entity_id: str) -> tuple[pd.Series, pd.DataFrame]:
    from benchmark.issues import UsageError

    ranking = entity_rows(res, "ranking", entity_id)
    if ranking.empty:
        known = ", ".join(res.ranking["entity_id"].astype(str).head(5))
        raise UsageError(f"'{entity_id}' is not an entity of this result (for example: {known}, …)")
    return ranking.iloc[0], entity_rows(res, "scores", entity_id)


def _records(frame: pd.DataFrame) -> list[dict]:
    """The rows as dicts (``row["x"]``, ``row.get("x")`` as on a Series): a few rows per entity,
    without ``iterrows``' per-row conversion of a mixed-type frame."""
    cols = list(frame.columns)
    return [dict(zip(cols, values, strict=True)) for values in zip(*(frame[c].tolist() for c in cols), strict=True)]


def _any_worse(scores: pd.DataFrame) -> bool:
    """Whether any criterion is worse than its target beyond normal variation (95 % limit)."""
    for s in _records(_visible(scores[scores["scored"].astype(bool)])):
        if judgement_key(str(s["flag"]), s["direction"], s["value"], s["target"]).startswith("worse"):
            return True
    return False


def _headline(res, row: pd.Series, scores: pd.DataFrame, lang: Lang) -> Section:
    level_word = t(f"level_{res.level}", lang)
    lines = [
        t("title", lang, name=row["entity_name"], period=res.period.label),
        t("context_unscored" if pd.isna(row["rank"]) else "context", lang, level_word=level_word,
          division=row.get("division", ""),
          peers=peers_phrase(str(row["peer_group"]), row.get("peer_n"), lang)),
    ]
    fallback = peer_fallback_sentence(scores, lang)
    if fallback:
        lines.append(fallback)
    if pd.isna(row["rank"]):
        lines.append(t("no_rank", lang))
        return Section("headline", tuple(lines))
    lines.append(t("rank", lang, rank=fmt.rank_interval(row["rank"], row["rank_low"], row["rank_high"],
                                                        row.get("peer_n"), lang)))
    n = row.get("peer_n")
    if n is not None and not pd.isna(n) and n >= 4:
        if row["rank_high"] <= max(1, np.floor(n / 4)):
            lines.append(t("rank_clear_top", lang))
        elif row["rank_low"] > n - np.floor(n / 4) and _any_worse(scores):
            # "among the weakest" only with a criterion clearly worse than its target to show for it
            lines.append(t("rank_clear_bottom", lang))
        elif row["rank_high"] - row["rank_low"] + 1 >= 0.75 * n:
            lines.append(t("rank_wide", lang))
    return Section("headline", tuple(lines))


def _coverage(res, row: pd.Series, scores: pd.DataFrame, lang: Lang) -> Section | None:
    if scores.empty or pd.isna(row.get("coverage", np.nan)) or row["coverage"] >= 0.999:
        return None
    n_scored = int(scores["scored"].sum())
    return Section("coverage", (t("coverage", lang, n_scored=n_scored, n_total=len(scores),
                                  coverage=fmt.percent(row["coverage"], 0, lang)),))


def _visible(scores: pd.DataFrame) -> pd.DataFrame:
    """The rows not suppressed by disclosure control: nothing is derived from a masked value."""
    if "masked" not in scores:
        return scores
    return scores[~scores["masked"].fillna(False).astype(bool)]


def driver_line(res, s: pd.Series, lang: Lang) -> str:
    """One criterion against its target; the verdict is derived from the two numbers it prints."""
    cid = s["criterion"]
    key = judgement_key(s["flag"], s["direction"], printed(res, cid, s["value"]), printed(res, cid, s["target"]))
    pulls_up = s["contribution"] > 0
    # the bar's side is set against the group's average, the verdict against the target: say so
    # when they differ, so "pulls the score up" never sits beside an unexplained "worse"
    side = key.split("_")[1] if key.startswith("mixed_") else key
    against_average = ""
    if pulls_up and not side.startswith(("better", "within_better")):
        against_average = " " + t("above_average", lang)
    elif not pulls_up and not side.startswith(("worse", "within_worse")):
        against_average = " " + t("below_average", lang)
    return t(
        "driver_line", lang,
        criterion=criterion_name(res, cid, lang),
        value=format_value(res, cid, s["value"], lang),
        target=format_value(res, cid, s["target"], lang),
        target_word=target_word(res, cid, lang),
        peers=peers_phrase(str(s["peer_group"]), None, lang),
        judgement=judgement_text(res, s, key, lang),
    ) + against_average


def drivers(scores: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(down, up): every scored criterion with a negative / positive contribution — the red and
    blue bars of the unit's contribution chart, in the chart's order (largest first).

    Contributions are measured against the peer group's average, targets against its median (or
    a fixed norm), so a criterion can pull the score down while inside normal variation of its
    target; each line's own verdict says where it stands against the target.
    """
    scored = _visible(scores[scores["scored"].astype(bool) & scores["contribution"].notna()])
    down = scored[scored["contribution"] < 0].sort_values(["contribution", "criterion"])
    up = scored[scored["contribution"] > 0].sort_values(["contribution", "criterion"], ascending=[False, True])
    return down, up


def _drivers(res, scores: pd.DataFrame, lang: Lang) -> Section:
    down, up = drivers(scores)
    lines: list[str] = []
    if down.empty:
        lines.append(t("no_drivers_down", lang))
    else:
        lines.append(t("drivers_down", lang))
        lines.extend(f"- {driver_line(res, s, lang)}" for s in _records(down))
    if not up.empty:
        lines.append(t("drivers_up", lang))
        lines.extend(f"- {driver_line(res, s, lang)}" for s in _records(up))
    return Section("drivers", tuple(lines))


def _potential(res, row: pd.Series, scores: pd.DataFrame, lang: Lang) -> Section:
    """The one potential (SPEC §5): the total in kNOK a year, and its parts (staffing in årsverk,
    other costs in kNOK a year), each with its interval — the numbers of the chart and the tables."""
    total = row.get("potential_total_knok", np.nan)
    fte_v, knok_v = row.get("potential_fte", 0) or 0, row.get("potential_knok", 0) or 0
    counted = _visible(scores[scores["potential_additive"].astype(bool) & scores["scored"].astype(bool)
                              & (scores["potential_unit"].fillna("") != "")])
    if counted.empty:
        return Section("potential", (t("no_potential_data", lang),))
    if not (fte_v > 0 or knok_v > 0):
        return Section("potential", (t("no_potential", lang),))
    parts = []
    if fte_v > 0:
        parts.append(t("potential_fte", lang, value=fmt.fte(fte_v, lang),
                       interval=fmt.interval(row.get("potential_fte_low"), row.get("potential_fte_high"), fmt.fte, lang)))
    if knok_v > 0:
        parts.append(t("potential_knok", lang, value=fmt.knok(knok_v, lang),
                       interval=fmt.interval(row.get("potential_knok_low"), row.get("potential_knok_high"), fmt.knok, lang)))
    names = [criterion_name(res, c, lang) for c in counted[counted["potential"] > 0]["criterion"]]
    joined = names[0] if len(names) == 1 else ", ".join(names[:-1]) + f" {t('and', lang)} " + names[-1]
    return Section("potential", (t("potential", lang, total=fmt.knok(total, lang),
                                   parts=f" {t('and', lang)} ".join(parts),
                                   criteria=joined.lower() if lang == "nb" else joined),))


def trend_key(res, r: pd.Series) -> str | None:
    """``improving``/``deteriorating`` only for a current process-control signal in the direction
    of the change the sentence prints (previous period → now, as printed); else ``None``."""
    if not bool(r.get("spc_signal", False)) or ("spc_current" in r and not bool(r["spc_current"])):
        return None
    if "trend" in r and str(r["trend"]) not in ("improving", "deteriorating"):
        return None  # the trend table's verdict (seasonally adjusted, same direction both ways)
    cid = r["criterion"]
    prev, now = printed(res, cid, r.get("value_prev_period")), printed(res, cid, r.get("value"))
    if np.isnan(prev) or np.isnan(now) or prev == now:
        return None
    change = 1 if now > prev else -1
    signal = {"up": 1, "down": -1}.get(str(r.get("spc_direction", "")), 0)
    if signal != change:
        return None
    return "improving" if change * _crit(res, cid).sign > 0 else "deteriorating"


def _trend(res, entity_id: str, lang: Lang, hidden: set[str] = frozenset()) -> Section:
    trend = getattr(res, "trend", None)
    if trend is None or trend.empty:
        return Section("trend", (t("trend_none", lang),))
    rows = entity_rows(res, "trend", entity_id)
    rows = rows[~rows["criterion"].isin(hidden)]
    lines = []
    for r in _records(rows.sort_values("criterion")):
        key = trend_key(res, r)
        if key is None or len(lines) >= MAX_TRENDS:
            continue
        cid = r["criterion"]
        rule = str(r.get("spc_rule") or "").split(",")[0].strip()
        rule_key = f"rule_{rule}"
        up = printed(res, cid, r["value"]) > printed(res, cid, r["value_prev_period"])
        lines.append("- " + t("trend_line", lang, criterion=criterion_name(res, cid, lang),
                              moved=t("rose" if up else "fell", lang),
                              prev=format_value(res, cid, r.get("value_prev_period"), lang),
                              value=format_value(res, cid, r["value"], lang), trend_word=t(f"trend_{key}", lang),
                              rule=t(rule_key, lang) if rule_key in TEXT else rule))
    if not lines:
        return Section("trend", (t("trend_none", lang),))
    return Section("trend", (t("trend_heading", lang), *lines))


def _measures(res, row: pd.Series, lang: Lang) -> Section | None:
    measures = getattr(res, "measures", None)
    division = row.get("division")
    if measures is None or measures.empty or not isinstance(division, str):
        return None
    div = measures[(measures["division"] == division) & (measures["department"].fillna("") == "")]
    if div.empty:
        return None
    m = div.iloc[0]
    text = t("measures", lang, division=division, month=m.get("report_month", res.period.label),
             realised=fmt.knok(m["effect_realised"], lang),
             expected=fmt.knok(m.get("effect_risk_adjusted_to_date"), lang),
             ratio=fmt.percent(m["realisation_vs_risk"], 0, lang),
             high_risk=fmt.percent(m["high_risk_share"], 0, lang))
    if not pd.isna(m.get("remaining_challenge")) and m.get("remaining_challenge", 0) > 0:
        text += t("measures_coverage", lang, coverage=fmt.percent(m["risk_adjusted_coverage"], 0, lang),
                  challenge=fmt.knok(m["remaining_challenge"], lang))
    n_late = m.get("n_delayed_or_not_started", 0)
    if not pd.isna(n_late) and n_late > 0:
        text += t("measures_delayed", lang, n=int(n_late))
    return Section("measures", (text,))


def _caveats(res, scores: pd.DataFrame, lang: Lang) -> Section | None:
    lines = [t("caveat_masked", lang, criterion=criterion_name(res, s["criterion"], lang), mask=mask_text(res, lang))
             for s in _records(scores) if is_masked(s)]
    scores = _visible(scores)
    scored = scores[scores["scored"].astype(bool)]
    gap = scored["value"] - scored["target"]
    moved = (scored["value"] - scored["shrunk"]).abs()
    shrunk_a_lot = scored[(gap.abs() > 0) & (moved > SHRINKAGE_CAVEAT * gap.abs())]
    for s in _records(shrunk_a_lot.sort_values("criterion")):
        raw = format_value(res, s["criterion"], s["value"], lang)
        shrunk = format_value(res, s["criterion"], s["shrunk"], lang)
        if raw != shrunk:  # a move too small to show is not worth a caveat
            lines.append(t("caveat_shrunk", lang, criterion=criterion_name(res, s["criterion"], lang),
                           raw=raw, shrunk=shrunk))
    for s in _records(scores[~scores["scored"].astype(bool)].sort_values("criterion")):
        code = str(s.get("not_scored_reason") or "other").split(":")[0].strip()
        key = f"reason_{code}"
        reason = t(key, lang) if key in TEXT else t("reason_other", lang, code=code)
        lines.append(t("caveat_not_scored", lang, criterion=criterion_name(res, s["criterion"], lang),
                       reason=reason))
    if not lines:
        return None
    return Section("caveats", (t("caveats_heading", lang), *(f"- {x}" for x in lines)))


def explanation_sections(res, entity_id: str, lang: Lang = "nb") -> list[Section]:
    """The explanation as sections (for the dialogue sheet and notebooks).

    Computed once per result object, entity and language in this process (the text, the sheet
    and the unit page all read it; see benchmark/explanation/shared.py for why the key is the
    result's identity)."""
    if lang not in ("nb", "en"):
        raise ValueError(f"lang must be 'nb' or 'en', not {lang!r}")
    return list(shared(res, ("sections", str(entity_id), lang), lambda: _sections(res, entity_id, lang)))


def _sections(res, entity_id: str, lang: Lang) -> tuple[Section, ...]:
    row, scores = _entity_rows(res, entity_id)
    sections = [
        _headline(res, row, scores, lang),
        _coverage(res, row, scores, lang),
        _drivers(res, scores, lang),
        _potential(res, row, scores, lang),
        _trend(res, entity_id, lang, set(scores.loc[[is_masked(x) for x in _records(scores)], "criterion"])),
        _measures(res, row, lang),
        _caveats(res, scores, lang),
    ]
    return tuple(s for s in sections if s is not None)


def explain(res, entity: str, lang: Lang = "nb") -> str:
    """A short plain-language explanation of ``entity``'s score in ``res`` (nb by default).

    States the composite rank with its interval and what that interval means; the criteria that
    pull the score down and up most (by contribution) with the value, the peer target and group and
    whether the difference is beyond ordinary variation; the improvement potential with its
    interval and assumptions; trends and process-control signals; the division's measures; and
    caveats (shrinkage, criteria not scored and why).
    """
    return "\n\n".join("\n".join(s.lines) for s in explanation_sections(res, entity, lang))
