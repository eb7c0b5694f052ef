"""What the marimo apps show, prepared in the package so notebooks hold presentation only.

Loading and scoring are cached here (``functools.lru_cache`` keyed by source, period, level and
seed), so a notebook that changes a weight only re-runs the fast composite path
(``Result.rescore``). Tables for display get Norwegian (or English) headings and formatted
intervals from :mod:`benchmark.explanation.numbers`.
"""

from __future__ import annotations

import functools
from pathlib import Path

import pandas as pd

from benchmark.explanation import numbers as fmt
from benchmark.explanation.messages import CARE_LEVEL_PLURAL
from benchmark.explanation.numbers import Lang
from benchmark.issues import UsageError

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "fixtures" / "demo"

HEAD = {
    "rank": {"nb": "Plass", "en": "Rank"},
    "interval": {"nb": "Intervall (95 %)", "en": "Interval (95 %)"},
    "entity": {"nb": "Enhet", "en": "Entity"},
    "entity_id": {"nb": "Id", "en": "Id"},
    "division": {"nb": "Divisjon", "en": "Division"},
    "peer_group": {"nb": "Sammenligningsgruppe", "en": "Peer group"},
    "composite": {"nb": "Score", "en": "Score"},
    "coverage": {"nb": "Dekning", "en": "Coverage"},
    "potential_fte": {"nb": "Potensial årsverk", "en": "Potential FTE"},
    "potential_knok": {"nb": "Potensial kNOK/år", "en": "Potential kNOK/yr"},
    "potential_rank": {"nb": "Potensial-plass", "en": "Potential rank"},
    "criterion": {"nb": "Kriterium", "en": "Criterion"},
    "value": {"nb": "Verdi", "en": "Value"},
    "target": {"nb": "Mål", "en": "Target"},
    "flag": {"nb": "Avvik", "en": "Flag"},
    "shrunk": {"nb": "Justert verdi", "en": "Shrunk value"},
    "median_shift": {"nb": "Median flytting", "en": "Median shift"},
    "max_shift": {"nb": "Største flytting", "en": "Largest shift"},
}

FLAG_WORDS = {
    "above_99.8": {"nb": "klart over (99,8 %)", "en": "clearly above (99.8 %)"},
    "above_95": {"nb": "over (95 %)", "en": "above (95 %)"},
    "within": {"nb": "innenfor", "en": "within"},
    "below_95": {"nb": "under (95 %)", "en": "below (95 %)"},
    "below_99.8": {"nb": "klart under (99,8 %)", "en": "clearly below (99.8 %)"},
    "": {"nb": "ikke beregnet", "en": "not scored"},
}


def h(key: str, lang: Lang) -> str:
    return HEAD[key][lang]


def resolve_source(source: str | None) -> Path:
    """``demo`` (or empty) → the demo trust; otherwise a folder or workbook path."""
    text = (source or "").strip()
    if text in ("", "demo"):
        if not DEMO.exists():
            from benchmark.demo_data import write_demo

            write_demo(DEMO, DEMO.parent / "demo_planted.json")
        return DEMO
    path = Path(text).expanduser()
    if not path.exists():
        raise UsageError(f"'{text}' does not exist: give a dataset folder, a workbook or 'demo'")
    return path


@functools.lru_cache(maxsize=4)
def load_source(source: str = "demo"):
    """The validated dataset of ``source`` (cached)."""
    from benchmark.dataset import load_dataset

    return load_dataset(resolve_source(source))


@functools.lru_cache(maxsize=4)
def load_catalogue(path: str = ""):
    from benchmark.catalogue import default_catalogue_path, load_criteria

    return load_criteria(path or default_catalogue_path())


@functools.lru_cache(maxsize=16)
def scored(source: str, period: str, level: str, seed: int = 1, criteria: str = ""):
    """``bm.score`` of a source, period and level with the catalogue at ``criteria`` (cached)."""
    from benchmark.scoring import score

    return score(load_source(source), load_catalogue(criteria), period=period, level=level, seed=seed)


def stored_runs(store: str | Path | None = None) -> dict[str, str]:
    """Runs in the run history as {label: "run:<id>"} (empty when there is no store yet)."""
    from benchmark.store import default_store_path, list_runs

    path = Path(store) if store else default_store_path()
    if not path.exists():
        return {}
    runs = list_runs(path)
    return {f"Kjøring {r.run_id} ({r.period}, {r.level})": f"run:{r.run_id}" for r in runs.itertuples()}


@functools.lru_cache(maxsize=4)
def stored_result(run_id: str, store: str = ""):
    from benchmark.store import default_store_path, load_run

    return load_run(store or default_store_path(), run_id=run_id)


def result_for(source: str, period: str, level: str):
    """The result to show: a stored run (``run:<id>``) or a fresh score of a dataset (cached)."""
    if source.startswith("run:"):
        return stored_result(source[4:])
    return scored(source, period, level)


def period_choices(ds) -> list[str]:
    """Whole quarters in the data, newest first, then whole years."""
    months = set(ds.months)
    quarters = sorted({f"{m[:4]}Q{(int(m[5:7]) - 1) // 3 + 1}" for m in months}, reverse=True)
    from benchmark.periods import parse_period

    whole_q = [q for q in quarters if all(m in months for m in parse_period(q).months)]
    years = sorted({m[:4] for m in months}, reverse=True)
    whole_y = [y for y in years if all(m in months for m in parse_period(y).months)]
    return whole_q + whole_y


def peer_group_label(group: str, lang: Lang) -> str:
    return CARE_LEVEL_PLURAL.get(group, {}).get(lang, group)


def peer_group_choices(res, lang: Lang = "nb") -> dict[str, str]:
    groups = sorted(res.ranking["peer_group"].dropna().unique())
    return {peer_group_label(g, lang): g for g in groups}


def criterion_choices(cat, lang: Lang = "nb") -> dict[str, str]:
    return {c.name[lang]: c.id for c in cat.criteria}


def entity_choices(res) -> dict[str, str]:
    r = res.ranking.sort_values("entity_name")
    return {f"{n} ({i})": i for n, i in zip(r["entity_name"], r["entity_id"], strict=True)}


def ranking_view(res, lang: Lang = "nb", peer_group: str | None = None) -> pd.DataFrame:
    """The ranking as a leader reads it: rank with interval, score, potential, coverage."""
    r = res.ranking
    if peer_group:
        r = r[r["peer_group"] == peer_group]
    r = r.sort_values(["peer_group", "rank", "entity_id"], na_position="last")
    out = pd.DataFrame({
        h("rank", lang): r["rank"].astype("Int64"),
        h("interval", lang): [fmt.DASH if pd.isna(a) else f"{int(a)}–{int(b)}"
                              for a, b in zip(r["rank_low"], r["rank_high"], strict=True)],
        h("entity", lang): r["entity_name"],
        h("entity_id", lang): r["entity_id"],
        h("peer_group", lang): [peer_group_label(g, lang) for g in r["peer_group"]],
        h("composite", lang): r["composite"].round(2),
        h("potential_fte", lang): r["potential_fte"].round(1),
        h("potential_knok", lang): r["potential_knok"].round(0),
        h("coverage", lang): (r["coverage"] * 100).round(0),
    })
    return out.reset_index(drop=True)


def potential_view(res, lang: Lang = "nb", top: int = 15) -> pd.DataFrame:
    r = res.ranking.sort_values("potential_rank").head(top)
    return pd.DataFrame({
        h("potential_rank", lang): r["potential_rank"].astype("Int64"),
        h("entity", lang): r["entity_name"],
        h("potential_fte", lang): [fmt.fte(x, lang) for x in r["potential_fte"]],
        h("interval", lang) + " (FTE)": [fmt.interval(a, b, fmt.fte, lang)
                                         for a, b in zip(r["potential_fte_low"], r["potential_fte_high"], strict=True)],
        h("potential_knok", lang): [fmt.knok(x, lang) for x in r["potential_knok"]],
        h("interval", lang) + " (kNOK)": [fmt.interval(a, b, fmt.knok, lang)
                                          for a, b in zip(r["potential_knok_low"], r["potential_knok_high"], strict=True)],
    }).reset_index(drop=True)


def scores_view(res, entity_id: str, lang: Lang = "nb") -> pd.DataFrame:
    """One entity's criteria: value, target, flag in words, contribution."""
    s = res.scores[res.scores["entity_id"].astype(str) == str(entity_id)]
    rows = []
    for _, r in s.iterrows():
        crit = res.catalogue.get(r["criterion"])
        rows.append({
            h("criterion", lang): crit.name[lang],
            h("value", lang): fmt.value(r["value"], crit.value_format, lang),
            h("target", lang): fmt.value(r["target"], crit.value_format, lang),
            h("shrunk", lang): fmt.value(r["shrunk"], crit.value_format, lang),
            h("flag", lang): FLAG_WORDS.get(str(r["flag"]) if r["scored"] else "", FLAG_WORDS[""])[lang],
            "contribution": r["contribution"],
        })
    return pd.DataFrame(rows)


def sensitivity_view(res, lang: Lang = "nb", top: int = 20) -> pd.DataFrame:
    r = res.ranking.sort_values("sensitivity_max_shift", ascending=False).head(top)
    return pd.DataFrame({
        h("entity", lang): r["entity_name"], h("rank", lang): r["rank"].astype("Int64"),
        h("median_shift", lang): r["sensitivity_median_shift"], h("max_shift", lang): r["sensitivity_max_shift"],
    }).reset_index(drop=True)


def csv_bytes(frame: pd.DataFrame) -> bytes:
    return frame.to_csv(index=False, lineterminator="\n").encode("utf-8")


def xlsx_bytes(res, lang: Lang = "nb") -> bytes:
    """The current result as a workbook (the same writer as ``benchmark run``)."""
    import tempfile

    from benchmark.outputs.xlsx import write_xlsx

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "benchmark.xlsx"
        write_xlsx(res, path, lang=lang)
        return path.read_bytes()


_TUNED: dict[str, object] = {}


def score_with(source: str, period: str, level: str, catalogue, seed: int = 1):
    """``bm.score`` with a tuned catalogue, cached by the catalogue's content hash."""
    key = f"{source}|{period}|{level}|{seed}|{catalogue.hash()}"
    if key not in _TUNED:
        from benchmark.scoring import score

        if len(_TUNED) > 16:
            _TUNED.clear()
        _TUNED[key] = score(load_source(source), catalogue, period=period, level=level, seed=seed)
    return _TUNED[key]


def compare_rankings(before, after, lang: Lang = "nb") -> pd.DataFrame:
    """How ranks and potentials move between two results (largest movers first)."""
    cols = ["entity_id", "entity_name", "peer_group", "rank", "rank_low", "rank_high", "potential_fte",
            "potential_knok"]
    b = before.ranking[cols].set_index("entity_id")
    a = after.ranking[cols].set_index("entity_id")
    out = pd.DataFrame({
        h("entity", lang): b["entity_name"],
        h("peer_group", lang): [peer_group_label(g, lang) for g in b["peer_group"]],
        ("Plass før" if lang == "nb" else "Rank before"): b["rank"].astype("Int64"),
        ("Plass etter" if lang == "nb" else "Rank after"): a["rank"].reindex(b.index).astype("Int64"),
        ("Flytting" if lang == "nb" else "Move"): (b["rank"] - a["rank"].reindex(b.index)).astype("Int64"),
        ("Potensial kNOK før" if lang == "nb" else "Potential kNOK before"): b["potential_knok"].round(0),
        ("Potensial kNOK etter" if lang == "nb" else "Potential kNOK after"): a["potential_knok"].reindex(b.index).round(0),
    })
    move = out.iloc[:, 4].abs().fillna(0)
    return out.assign(_m=move).sort_values("_m", ascending=False).drop(columns="_m").reset_index(drop=True)


def save_catalogue(catalogue, version: str, path: str | Path) -> Path:
    """Write a tuned catalogue as TOML with a new version, after validating the text it wrote."""
    from benchmark.catalogue import parse_catalogue
    from benchmark.issues import CriteriaError

    version = version.strip()
    if not version or version == catalogue.version:
        raise UsageError("give the tuned catalogue a new version")
    text = catalogue.with_version(version).to_toml()
    _, issues = parse_catalogue(text, str(path))
    if issues:
        raise CriteriaError(issues=issues)
    path = Path(path)
    if path.exists():
        raise UsageError(f"{path} exists already: choose another file name")
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)
    return path


def measures_view(rows: pd.DataFrame, lang: Lang = "nb") -> pd.DataFrame:
    """Measures realisation rows (division or department) with readable headings and numbers."""
    nb = lang == "nb"
    name = rows["department"].where(rows["department"].fillna("") != "", rows["division"])
    return pd.DataFrame({
        ("Divisjon/område" if nb else "Division/department"): name,
        ("Planlagt" if nb else "Planned"): [fmt.knok(x, lang) for x in rows["effect_planned"]],
        ("Risikojustert" if nb else "Risk-adjusted"): [fmt.knok(x, lang) for x in rows["effect_risk_adjusted"]],
        ("Forventet hittil" if nb else "Expected to date"): [fmt.knok(x, lang) for x in rows["effect_expected_to_date"]],
        ("Realisert" if nb else "Realised"): [fmt.knok(x, lang) for x in rows["effect_realised"]],
        ("Realisert mot risiko" if nb else "Realised vs risk"): [fmt.percent(x, 0, lang) for x in rows["realisation_vs_risk"]],
        ("Høy risiko" if nb else "High risk"): [fmt.percent(x, 0, lang) for x in rows["high_risk_share"]],
        ("Restutfordring" if nb else "Remaining challenge"): [fmt.knok(x, lang) for x in rows["remaining_challenge"]],
        ("Dekning risikojustert" if nb else "Risk-adjusted coverage"): [fmt.percent(x, 0, lang) for x in rows["risk_adjusted_coverage"]],
    }).reset_index(drop=True)


def calibration_view(calibration: pd.DataFrame, lang: Lang = "nb") -> pd.DataFrame:
    nb = lang == "nb"
    return pd.DataFrame({
        ("Risiko" if nb else "Risk"): calibration["risk"],
        ("Tiltak" if nb else "Measures"): calibration["n_measures"],
        ("Realisert andel" if nb else "Realised share"): [fmt.percent(x, 0, lang) for x in calibration["rate"]],
        ("Intervall" if nb else "Interval"): [fmt.interval(a, b, lambda v, lang: fmt.percent(v, 0, lang), lang)
                                              for a, b in zip(calibration["rate_low"], calibration["rate_high"], strict=True)],
        ("Standard i katalogen" if nb else "Catalogue default"): [fmt.percent(x, 0, lang) for x in calibration["default"]],
    })


def quality_view(flags: pd.DataFrame, lang: Lang = "nb") -> pd.DataFrame:
    message = "message_nb" if lang == "nb" else "message_en"
    cols = [c for c in ("report_month", "division", "description", "rule", message) if c in flags.columns]
    return flags[cols].reset_index(drop=True)


def explanation_markdown(res, entity_id: str, lang: Lang = "nb") -> str:
    """The explanation as Markdown: a paragraph per section, criteria as bullet lists."""
    from benchmark.explanation import explanation_sections

    blocks = []
    for section in explanation_sections(res, entity_id, lang):
        lines = section.lines[1:] if section.id == "headline" else section.lines
        text, bullets = [], []
        for line in lines:
            if line.startswith("- "):
                bullets.append(line)
            else:
                if bullets:
                    text.append("\n".join(bullets))
                    bullets = []
                text.append(f"**{line}**" if line.endswith(":") else line)
        if bullets:
            text.append("\n".join(bullets))
        blocks.append("\n\n".join(text))
    return "\n\n".join(blocks)


def funnel_group(res, peer_group: str | None, entity_id: str | None) -> str | None:
    """The peer group to draw a funnel for: the chosen one, else the selected unit's, else the largest."""
    if peer_group:
        return peer_group
    r = res.ranking
    if entity_id is not None and (r["entity_id"] == entity_id).any():
        return str(r.loc[r["entity_id"] == entity_id, "peer_group"].iloc[0])
    counts = r["peer_group"].value_counts()
    return str(counts.index[0]) if len(counts) else None


def picked_entity(chart_value, fallback: str | None) -> str | None:
    """The entity clicked in a chart (marimo's selection as rows), else ``fallback``."""
    if isinstance(chart_value, pd.DataFrame) and "entity_id" in chart_value and len(chart_value) == 1:
        return str(chart_value["entity_id"].iloc[0])
    return fallback
