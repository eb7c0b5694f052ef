"""What the marimo apps show, prepared in the package so notebooks hold presentation only.

Loading and scoring are cached here (``functools.lru_cache`` keyed by source, period, level and
seed), so a notebook that changes a weight only re-runs the fast composite path
(``Result.rescore``). Tables for display get Norwegian (or English) headings and formatted
intervals from :mod:`benchmark.explanation.numbers`.
"""

from __future__ import annotations

import functools
import threading
from collections import OrderedDict
from pathlib import Path

import numpy as np
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


def stored_result(run_id: str, store: str = ""):
    """A stored run, from the process-wide cache of :func:`benchmark.sources.stored_result`."""
    from benchmark import sources

    return sources.stored_result(run_id, store or None)


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
    """The peer group in words ("dagbehandlingsenheter i somatikk"), never its code."""
    from benchmark.charts import group_label

    return group_label(group, lang) or CARE_LEVEL_PLURAL.get(group, {}).get(lang, group)


def peer_group_choices(res, lang: Lang = "nb") -> dict[str, str]:
    groups = sorted(res.ranking["peer_group"].dropna().unique())
    return {peer_group_label(g, lang): g for g in groups}


WEIGHT_STEPS = tuple(i / 4 for i in range(13))  # 0, 0,25 … 3: the weight sliders' positions


def weight_options(current: float, lang: Lang = "en") -> tuple[dict[str, float], str]:
    """The choices of a weight as a dropdown ({"1.50": 1.5, …}, the label of ``current``).

    Why a dropdown in English: a marimo slider writes its value, and the tooltip on its thumb,
    with the notebook's one locale (nb-NO, "1,5"); a dropdown shows the labels given here, so the
    English page reads "1.50". The slider's 13 positions, plus ``current`` when it lies between."""
    values = sorted({*WEIGHT_STEPS, float(current)})
    options = {fmt.number(v, 2, lang): v for v in values}
    return options, fmt.number(float(current), 2, lang)


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
    from benchmark.runview import full

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "benchmark.xlsx"
        write_xlsx(full(res), path, lang=lang)
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
        ("Risiko" if nb else "Risk"): calibration["risk"].map(RISK_WORDS[lang]).fillna(calibration["risk"]),
        ("Tiltak" if nb else "Measures"): calibration["n_measures"],
        ("Realisert andel" if nb else "Realised share"): [fmt.percent(x, 0, lang) for x in calibration["rate"]],
        ("Intervall" if nb else "Interval"): [fmt.interval(a, b, lambda v, lang: fmt.percent(v, 0, lang), lang)
                                              for a, b in zip(calibration["rate_low"], calibration["rate_high"], strict=True)],
        ("Standard i katalogen" if nb else "Catalogue default"): [fmt.percent(x, 0, lang) for x in calibration["default"]],
    })


RISK_WORDS = {"nb": {"low": "lav", "medium": "middels", "high": "høy"},
              "en": {"low": "low", "medium": "medium", "high": "high"}}
QUALITY_HEADINGS = {"nb": {"report_month": "Rapportmåned", "division": "Divisjon", "department": "Avdeling",
                           "description": "Tiltak", "message_nb": "Merknad"},
                    "en": {"report_month": "Report month", "division": "Division", "department": "Department",
                           "description": "Measure", "message_en": "Note"}}


def quality_view(flags: pd.DataFrame, lang: Lang = "nb") -> pd.DataFrame:
    """Data-quality notes in words: the note itself, not the rule's code, under readable headings."""
    message = "message_nb" if lang == "nb" else "message_en"
    cols = [c for c in ("report_month", "division", "department", "description", message) if c in flags.columns]
    return flags[cols].rename(columns=QUALITY_HEADINGS[lang]).reset_index(drop=True)


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


# ---- charts built once per process for the same frames ----------------------------------------

# a funnel of a national peer group (3 000 units) is drawn with every unit beyond its limits, the
# picked one and an even sample of the rest by size — as summary.html does — and says so in its
# subtitle; the browser draws 1 500 points in a fraction of the time of 3 000
FUNNEL_POINTS = 1500

_CHARTS: OrderedDict[tuple, tuple] = OrderedDict()  # key -> (frame, chart, the arguments)
_CHARTS_LOCK = threading.Lock()
CHART_CACHE = 48


def _ident(x) -> tuple:
    try:
        hash(x)
        return ("v", x)
    except TypeError:
        return ("id", id(x))


def chart(build, frame: pd.DataFrame, *args, **kwargs):
    """``build(frame, *args, **kwargs)`` — an altair chart of :mod:`benchmark.charts` — built once
    per process for the same frame object and arguments.

    Building an altair chart costs 0,2–1 s at national scale (altair validates every layer), and a
    stored run's frames are the same objects in every session (the process-wide cache of
    :mod:`benchmark.sources`), so the second session, and a cell re-run with unchanged inputs,
    reuse the chart. The key is the frame's identity and the arguments (unhashable ones such as
    the catalogue by identity); the entry keeps the frame and the arguments alive, so no other
    object can take over their identities. A result re-scored with other weights has new frames,
    hence a new chart.
    """
    key = (build.__module__, build.__qualname__, id(frame), tuple(_ident(a) for a in args),
           tuple(sorted((k, _ident(v)) for k, v in kwargs.items())))
    with _CHARTS_LOCK:
        hit = _CHARTS.get(key)
        if hit is not None and hit[0] is frame:
            _CHARTS.move_to_end(key)
            return hit[1]
    out = build(frame, *args, **kwargs)
    with _CHARTS_LOCK:
        _CHARTS[key] = (frame, out, (args, kwargs))
        while len(_CHARTS) > CHART_CACHE:
            _CHARTS.popitem(last=False)
    return out


_TRANSFORMER_LOCK = threading.Lock()  # altair's data transformer is global: one switch at a time


class VegaLite:
    """An altair chart turned once into its Vega-Lite JSON, with its (small) data inline, shown by
    marimo as any chart (the ``_mime_`` protocol).

    marimo renders an altair chart by validating it against the Vega-Lite schema twice and
    writing its data to a file of the session: 0,2–0,5 s a chart at national scale, in every
    session. The JSON of a chart that is not interactive does not depend on the session, so the
    second session sends the same text at no cost. Only for charts of a few hundred rows (the
    rank chart, the potential, a unit's months); the funnel stays a ``mo.ui.altair_chart``.
    """

    def __init__(self, chart) -> None:
        import altair as alt

        from benchmark.charts import MAX_POINTS

        with _TRANSFORMER_LOCK, alt.data_transformers.enable("default", max_rows=MAX_POINTS):
            self.json = chart.to_json(validate=False, indent=None, allow_nan=False, default=str)
        self.mimetype = f"application/vnd.vegalite.v{alt.SCHEMA_VERSION.split('.')[0].lstrip('v')}+json"

    @classmethod
    def of_spec(cls, spec: dict) -> VegaLite:
        import json

        import altair as alt

        out = cls.__new__(cls)
        out.json = json.dumps(spec, allow_nan=False, default=str)
        out.mimetype = f"application/vnd.vegalite.v{alt.SCHEMA_VERSION.split('.')[0].lstrip('v')}+json"
        return out

    def _mime_(self) -> tuple[str, str]:
        return self.mimetype, self.json


def static_chart(build, frame: pd.DataFrame, *args, **kwargs) -> VegaLite:
    """:func:`chart`, turned into its JSON once (:class:`VegaLite`): for charts one only looks at."""
    return chart(_static, frame, build, *args, **kwargs)


def _static(frame, build, *args, **kwargs) -> VegaLite:
    return VegaLite(build(frame, *args, **kwargs))


_RANK_SPECS: OrderedDict[tuple, dict] = OrderedDict()


def rank_chart(ranking: pd.DataFrame, peer_group: str | None = None, highlight: str | None = None,
               lang: Lang = "nb", width: int = 520, top: int = 60) -> VegaLite:
    """The rank chart (:func:`benchmark.charts.caterpillar_chart`) of a ranking that moves with
    every weight change, in a few milliseconds instead of 0,3–0,5 s.

    Its Vega-Lite spec depends on the rows only through their number and the sentence above them
    (which rows of a long group are drawn); the rows themselves are the chart's inline dataset. So
    the spec is made once by altair for each (number of rows, sentence, language, width), and a
    new ranking only swaps the dataset: its rows are the ones ``caterpillar_chart`` would draw
    (:func:`benchmark.charts.caterpillar_frame`), turned into values by altair's own
    ``to_values``. A test checks that the result equals altair's full build.
    """
    import hashlib
    import json

    import altair as alt

    from benchmark import charts

    d, note = charts.caterpillar_frame(ranking, peer_group, highlight, lang, top)
    if d.empty:
        return static_chart(charts.caterpillar_chart, ranking, peer_group=peer_group, highlight=highlight,
                            lang=lang, top=top, width=width)
    key = (len(d), note, lang, width)
    with _CHARTS_LOCK:
        spec = _RANK_SPECS.get(key)
    if spec is None:
        with _TRANSFORMER_LOCK, alt.data_transformers.enable("default", max_rows=charts.MAX_POINTS):
            spec = charts.caterpillar_of(d, note, lang, width).to_dict(validate=False)
        with _CHARTS_LOCK:
            _RANK_SPECS[key] = spec
            while len(_RANK_SPECS) > CHART_CACHE:
                _RANK_SPECS.popitem(last=False)
    (old_name,) = spec["datasets"]
    values = alt.utils.data.to_values(d)["values"]
    name = "data-" + hashlib.md5(json.dumps(values, default=str).encode(), usedforsecurity=False).hexdigest()
    text = json.dumps({**spec, "datasets": {old_name: values}}, allow_nan=False, default=str)
    out = VegaLite.of_spec({})
    out.json = text.replace(old_name, name)
    return out


# ---- shared pieces of every app (presentation only; the apps stay thin) ------------------------

def prepare_rescore(base) -> None:
    """Have a stored run's scoring side made in the background (see :func:`benchmark.runview.prepare`):
    an app calls this once its first screen is drawn, so the first weight change does not wait."""
    from benchmark.runview import prepare

    prepare(base)


def reweighted(base, weights):
    """``base`` re-scored with the sliders' ``weights`` — or ``base`` itself when they are the
    catalogue's own weights, so an untouched page shows a run exactly as it was written."""
    own = base.catalogue.weights()
    if all(abs(float(weights.get(k, w)) - float(w)) < 1e-12 for k, w in own.items()):
        return base
    return base.rescore(weights=weights)


def formatter(kind: str, lang: Lang = "nb", decimals: int | None = None):
    """A cell formatter for ``mo.ui.table(format_mapping=…)``: Norwegian numbers, shares as %."""
    def cell(x):
        if x is None or (isinstance(x, float) and pd.isna(x)) or x is pd.NA:
            return fmt.DASH
        if kind == "percent":
            return fmt.percent(x, 1 if decimals is None else decimals, lang)
        if kind == "int":
            return fmt.number(x, 0, lang)
        return fmt.number(x, 1 if decimals is None else decimals, lang)
    return cell


def ui_table(frame: pd.DataFrame, formats: dict[str, object] | None = None, **kwargs):
    """A marimo table without the dtype and summary lines, cells formatted the Norwegian way.

    ``formats`` maps a column to a formatter (see :func:`formatter`); numeric columns without one
    are formatted with grouping and a decimal comma so that no ``0.97`` or ``10,000`` shows.
    """
    import marimo as mo

    lang = kwargs.pop("lang", "nb")
    mapping = dict(formats or {})
    for col in frame.columns:
        if col not in mapping and pd.api.types.is_numeric_dtype(frame[col]) and not pd.api.types.is_bool_dtype(frame[col]):
            is_int = pd.api.types.is_integer_dtype(frame[col])
            mapping[col] = formatter("int" if is_int else "number", lang, 0 if is_int else 2)
    kwargs.setdefault("selection", None)
    return mo.ui.table(frame, format_mapping=mapping, show_column_summaries=False, show_data_types=False,
                       **kwargs)


APP_WORDS = {
    "nb": {"source": "Datakilde: en datamappe, en arbeidsbok, «demo» eller run:ID (tomt = siste kjøring i lageret)",
           "source_runs": "Lagret kjøring: run:ID (tomt = siste kjøring)",
           "period": "Periode", "level": "Nivå", "lang": "Språk", "shown": "Viser: {label}.",
           "no_period": "Datakilden har ingen hel periode å vise.",
           "failed": "Perioden {period} kan ikke vises: {error}",
           "empty": "Ingen enheter har tall i {period}. Velg en annen periode.",
           "loading": "Beregner benchmarken for {period} …",
           "levels": {"unit": "Enhet", "department": "Avdeling", "division": "Divisjon"}},
    "en": {"source": "Data source: a dataset folder, a workbook, 'demo' or run:ID (empty = latest run in the store)",
           "source_runs": "Stored run: run:ID (empty = the latest run)",
           "period": "Period", "level": "Level", "lang": "Language", "shown": "Showing: {label}.",
           "no_period": "The data source has no whole period to show.",
           "failed": "The period {period} cannot be shown: {error}",
           "empty": "No entity has figures in {period}. Choose another period.",
           "loading": "Scoring the benchmark for {period} …",
           "levels": {"unit": "Unit", "department": "Department", "division": "Division"}},
}


def app_word(key: str, lang: Lang = "nb", **fields) -> str:
    text = APP_WORDS[lang][key]
    return text.format(**fields) if fields else text


def level_options(levels: list[str], lang: Lang = "nb") -> dict[str, str]:
    return {APP_WORDS[lang]["levels"][lv]: lv for lv in levels}


def safe_result(src, period: str | None, level: str = "unit", lang: Lang = "nb", view: bool = False):
    """``(result, None)`` or ``(None, message)``: a period that cannot be scored never raises.
    With ``view``, a stored run comes as its :class:`~benchmark.runview.StoredView` (see
    :func:`benchmark.sources.result`)."""
    from benchmark import sources
    from benchmark.issues import BenchmarkError

    if src is None:
        return None, None
    if not period:
        return None, app_word("no_period", lang)
    try:
        res = sources.result(src, period, level, view=view)
    except (BenchmarkError, UsageError, ValueError, KeyError, IndexError) as exc:
        return None, app_word("failed", lang, period=period, error=exc)
    if res.ranking.empty or res.ranking["rank"].notna().sum() == 0:
        return None, app_word("empty", lang, period=period)
    return res, None


def cli_lang(args) -> str:
    return "en" if str(args.get("lang") or "").lower().startswith("en") else "nb"


def potential_columns(r: pd.DataFrame, lang: Lang = "nb") -> dict[str, pd.Series]:
    """The one potential (SPEC §5) as every table shows it: the total in kNOK a year first, then
    its parts — staffing in årsverk and other costs in kNOK a year (headings from labels.py)."""
    from benchmark.labels import heading

    return {heading("potential_total_knok", lang): r["potential_total_knok"],
            heading("potential_fte", lang): r["potential_fte"],
            heading("potential_knok", lang): r["potential_knok"]}


def interval_texts(low: pd.Series, high: pd.Series) -> pd.Series:
    """"3–17" per row (a dash where there is no interval), vectorised: 10 000 rows in a few ms."""
    ok = low.notna() & high.notna()
    text = pd.Series(fmt.DASH, index=low.index, dtype="str")
    if ok.any():
        text[ok] = (low[ok].astype("int64").astype("str") + "–" + high[ok].astype("int64").astype("str"))
    return text.to_numpy()


def peer_group_labels(groups: pd.Series, lang: Lang = "nb") -> np.ndarray:
    """The readable label of each row's peer group (each distinct group looked up once)."""
    codes, uniques = pd.factorize(groups)
    names = np.array([peer_group_label(g, lang) for g in uniques] + [""], dtype=object)
    return names[codes]  # code −1 (no group) reads the ""


def ranking_table(res, lang: Lang = "nb", peer_group: str | None = None) -> tuple[pd.DataFrame, dict]:
    """The ranking for ``mo.ui.table``: numeric columns (so sorting is numeric) and their
    Norwegian formatters. Rank with interval, score, potential (total and parts), coverage."""
    from benchmark.labels import heading

    r = res.ranking
    if peer_group:
        r = r[r["peer_group"] == peer_group]
    r = r.sort_values(["peer_group", "rank", "entity_id"], na_position="last")
    pot = potential_columns(r, lang)
    out = pd.DataFrame({
        h("rank", lang): r["rank"].astype("Int64"),
        h("interval", lang): interval_texts(r["rank_low"], r["rank_high"]),
        h("entity", lang): r["entity_name"],
        h("entity_id", lang): r["entity_id"],
        h("peer_group", lang): peer_group_labels(r["peer_group"], lang),
        h("composite", lang): r["composite"],
        **pot,
        h("coverage", lang): r["coverage"],
    }).reset_index(drop=True)
    formats = {h("rank", lang): formatter("int", lang), h("composite", lang): formatter("number", lang, 2),
               heading("potential_total_knok", lang): formatter("int", lang),
               heading("potential_fte", lang): formatter("number", lang, 1),
               heading("potential_knok", lang): formatter("int", lang),
               h("coverage", lang): formatter("percent", lang, 0)}
    return out, formats


def sensitivity_table(res, lang: Lang = "nb", top: int = 20) -> tuple[pd.DataFrame, dict]:
    view = sensitivity_view(res, lang, top)
    return view, {c: formatter("number", lang, 1) for c in view.columns[2:]}


def unit_scores_table(res, entity_id: str, lang: Lang = "nb") -> tuple[pd.DataFrame, dict]:
    """One entity's criteria for a table: value, target, adjusted value, verdict, contribution —
    values as text in their own format (a share as %, an index with 2 decimals), masked cells
    (disclosure control) shown as the mask text."""
    from benchmark.charts import VERDICT_LABELS, verdict

    s = res.scores[res.scores["entity_id"].astype(str) == str(entity_id)]
    masked = s["masked"].fillna(False).astype(bool) if "masked" in s else pd.Series(False, index=s.index)
    mask_text = _mask_text(lang, res)
    rows = []
    for (_, r), hidden in zip(s.iterrows(), masked, strict=True):
        crit = res.catalogue.get(r["criterion"])
        scored = bool(r["scored"])
        word = (VERDICT_LABELS[lang][verdict(pd.Series([r["flag"]]), crit.direction).iloc[0]] if scored
                else FLAG_WORDS[""][lang])
        rows.append({
            h("criterion", lang): crit.name[lang],
            h("value", lang): mask_text if hidden else fmt.value(r["value"], crit.value_format, lang),
            h("target", lang): fmt.value(r["target"], crit.value_format, lang),
            h("shrunk", lang): mask_text if hidden else fmt.value(r["shrunk"], crit.value_format, lang),
            ("Mot målet" if lang == "nb" else "Against the target"): mask_text if hidden else word,
            ("Bidrag til score" if lang == "nb" else "Contribution to the score"): None if hidden else r["contribution"],
        })
    frame = pd.DataFrame(rows)
    return frame, {c: formatter("number", lang, 2) for c in frame.columns[-1:]}


def _mask_text(lang: Lang, res=None) -> str:
    try:
        from benchmark.privacy import MASK_TEXT  # issue 17's disclosure control
    except ImportError:  # pragma: no cover - before issue 17 lands
        MASK_TEXT = {"nb": "skjermet (færre enn {n} ansatte)", "en": "suppressed (fewer than {n} employees)"}
    n = 5
    cat = getattr(res, "catalogue", None)
    privacy = getattr(cat, "privacy", None)
    if privacy is not None and getattr(privacy, "min_headcount", None):
        n = int(privacy.min_headcount)
    return MASK_TEXT[lang].format(n=n)


def package_link(res, entity_id: str, lang: Lang = "nb") -> str:
    """A Markdown link to the clinic's analysis package, served at /pakke/<period>/<division>."""
    from urllib.parse import quote

    row = res.ranking[res.ranking["entity_id"].astype(str) == str(entity_id)]
    division = str(row["division"].iloc[0]) if len(row) and "division" in row else ""
    if not division:
        return ""
    url = f"/pakke/{quote(res.period.label)}/{quote(division)}"
    return (f"[Analysepakken for {division} ({res.period.label})]({url})" if lang == "nb"
            else f"[The analysis package of {division} ({res.period.label})]({url})")


def target_options(lang: Lang = "nb") -> dict[str, str]:
    if lang == "nb":
        return {"median": "median", "beste kvartil": "upper_quartile", "gjennomsnitt": "mean"}
    return {"median": "median", "better quartile": "upper_quartile", "mean": "mean"}


def tuned_result(src, period: str, before, tuned, lang: Lang = "nb"):
    """``(after, None)`` or ``(None, why)``: the result with a tuned catalogue. Weights alone are a
    re-rank of ``before``; new targets or minimum sizes need the data, scored again."""
    from benchmark.issues import BenchmarkError

    if tuned.hash() == before.catalogue.hash():
        return before, None
    if tuned.with_weights(before.catalogue.weights()).hash() == before.catalogue.hash():
        return before.rescore(weights=tuned.weights()), None
    from benchmark import sources

    try:
        ds = sources.dataset(src)
    except (BenchmarkError, UsageError) as exc:
        ds, err = None, exc
    else:
        err = None
    if ds is None:
        return None, ("Nye mål eller minstestørrelser krever datagrunnlaget, og det finnes ikke lenger for denne "
                      "lagrede kjøringen. Vektene kan likevel prøves." if lang == "nb" else
                      "New targets or minimum sizes need the data, which are no longer there for this stored "
                      "run. The weights can still be tried.") + (f" ({err})" if err else "")
    key = src.text if src.kind != "run" else str(src.run.get("data_source"))
    return score_with(key, period, before.level, tuned, before.seed), None


def compare_table(before, after, lang: Lang = "nb") -> tuple[pd.DataFrame, dict]:
    """Before/after ranks with their intervals and the total potential, largest moves first."""
    nb = lang == "nb"
    cols = ["entity_id", "entity_name", "peer_group", "rank", "rank_low", "rank_high", "potential_total_knok"]
    b = before.ranking[cols].set_index("entity_id")
    a = after.ranking[cols].set_index("entity_id").reindex(b.index)

    def interval(frame):
        return interval_texts(frame["rank_low"], frame["rank_high"])

    move = (b["rank"] - a["rank"]).astype("Int64")
    out = pd.DataFrame({
        h("entity", lang): b["entity_name"],
        h("peer_group", lang): peer_group_labels(b["peer_group"], lang),
        ("Plass før" if nb else "Rank before"): b["rank"].astype("Int64"),
        ("Intervall før" if nb else "Interval before"): interval(b),
        ("Plass etter" if nb else "Rank after"): a["rank"].astype("Int64"),
        ("Intervall etter" if nb else "Interval after"): interval(a),
        ("Flytting (opp +)" if nb else "Move (up +)"): move,
        ("Potensial i alt før, kNOK/år" if nb else "Potential in total before, kNOK/yr"): b["potential_total_knok"],
        ("Potensial i alt etter, kNOK/år" if nb else "Potential in total after, kNOK/yr"): a["potential_total_knok"],
    })
    out = out.assign(_m=move.abs().fillna(0).to_numpy()).sort_values("_m", ascending=False, kind="stable")
    out = out.drop(columns="_m").reset_index(drop=True)
    ints = [c for c in out.columns if c.startswith(("Plass", "Rank", "Flytting", "Move"))]
    return out, {**{c: formatter("int", lang) for c in ints},
                 **{c: formatter("int", lang) for c in out.columns if "kNOK" in c}}


def division_rows(measures: pd.DataFrame | None) -> pd.DataFrame:
    """The division rows of the measures table, least realised against risk first (empty if none)."""
    if measures is None or measures.empty:
        return pd.DataFrame(columns=["division", "department", "effect_planned", "effect_risk_adjusted",
                                     "effect_expected_to_date", "effect_realised", "realisation_vs_risk",
                                     "high_risk_share", "remaining_challenge", "risk_adjusted_coverage"])
    return measures[measures["department"].fillna("") == ""].sort_values("realisation_vs_risk")


def department_rows(measures: pd.DataFrame | None, division: str | None) -> pd.DataFrame:
    if measures is None or measures.empty or not division:
        return division_rows(None)
    return measures[(measures["division"] == division) & (measures["department"].fillna("") != "")]
