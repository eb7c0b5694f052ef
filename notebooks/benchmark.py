import marimo

__generated_with = "0.25.2"
app = marimo.App(width="full", app_title="Benchmark – analyseavdelingen")

with app.setup:
    import sys
    from pathlib import Path

    import marimo as mo

    # notebooks/benchmark.py is named like the package (SPEC §8) and marimo puts this folder first
    # on sys.path: drop folders holding a benchmark.py so that `benchmark` is the package.
    sys.path[:] = [p for p in sys.path if not (Path(p or ".") / "benchmark.py").is_file()]

    import importlib

    charts = importlib.import_module("benchmark.charts")
    views = importlib.import_module("benchmark.views")


@app.cell(hide_code=True)
def _():
    mo.md("""
    # Kvartalsbenchmark for enhetene

    Enhetene sammenlignes **innen sin sammenligningsgruppe** (samme omsorgsnivå). Hver plass har
    et **intervall**: enheter med overlappende intervaller kan ikke skilles fra hverandre.
    Trakt-plottene viser normal variasjon (95 % og 99,8 %) rundt målet for enhetens størrelse.
    Endre vektene til venstre og se hvordan rangeringen flytter seg.
    """)
    return


@app.cell
def _():
    # `marimo run notebooks/benchmark.py -- --source PATH` opens on another dataset or run:<id>
    source = mo.ui.text(value=str(mo.cli_args().get("source") or "demo"), label="Datakilde: demo, en mappe eller arbeidsbok, eller run:<id> for en "
                        "lagret kjøring", full_width=True)
    level = mo.ui.dropdown({"Enhet": "unit", "Avdeling": "department", "Divisjon": "division"},
                           value="Enhet", label="Nivå")
    return level, source


@app.cell
def _(source):
    stored = source.value.startswith("run:")
    dataset = None if stored else views.load_source(source.value)
    catalogue = views.stored_result(source.value[4:]).catalogue if stored else views.load_catalogue()
    choices = [views.stored_result(source.value[4:]).period.label] if stored else views.period_choices(dataset)
    period = mo.ui.dropdown(choices, value=choices[0], label="Periode")
    runs = views.stored_runs()
    mo.md("Lagrede kjøringer: " + (", ".join(f"`{v}`" for v in list(runs.values())[-5:]) if runs else "ingen ennå"))
    return catalogue, period


@app.cell
def _(catalogue):
    weights = mo.ui.dictionary(
        {c.id: mo.ui.slider(0.0, 3.0, step=0.25, value=c.weight, label=c.name["nb"], show_value=True)
         for c in catalogue.criteria},
        label="Vekter",
    )
    return (weights,)


@app.cell
def _(level, period, source):
    base = views.result_for(source.value, period.value, level.value)
    return (base,)


@app.cell
def _(base):
    peer = mo.ui.dropdown({"Alle grupper": "", **views.peer_group_choices(base)}, value="Alle grupper",
                          label="Sammenligningsgruppe")
    criterion = mo.ui.dropdown(views.criterion_choices(base.catalogue), value=base.catalogue.criteria[0].name["nb"],
                               label="Kriterium i traktplottet")
    return criterion, peer


@app.cell
def _(level, peer, period, source, weights):
    mo.hstack([mo.vstack([source, mo.hstack([period, level, peer], justify="start")]),
               mo.vstack([mo.md("**Vekter i samlet score**"), weights.vstack()])], widths=[3, 2])
    return


@app.cell
def _(base, weights):
    result = base.rescore(weights=weights.value)
    return (result,)


@app.cell
def _():
    # the unit picked in the ranking table, kept as state: it survives a weight change (which
    # rebuilds the table), and the funnel, which weights do not change, is not redrawn for one
    get_picked, set_picked = mo.state(None)
    return get_picked, set_picked


@app.cell
def _(peer, result, set_picked):
    ranking = mo.ui.table(views.ranking_view(result, "nb", peer.value or None), selection="single",
                          page_size=15, label="Rangering med intervall (plass 1 = best i gruppen)",
                          on_change=lambda rows: set_picked(rows.iloc[0]["Id"] if len(rows) else None))
    return (ranking,)


@app.cell
def _(base, criterion, get_picked, peer):
    # funnel values, limits and flags do not depend on the weights: drawn from the unweighted result
    funnel = mo.ui.altair_chart(charts.funnel_chart(
        base.scores, criterion.value, peer_group=views.funnel_group(base, peer.value, get_picked()),
        highlight=get_picked(), catalogue=base.catalogue, lang="nb", selectable=True))
    return (funnel,)


@app.cell
def _(funnel, get_picked):
    selected = views.picked_entity(funnel.value, get_picked())
    return (selected,)


@app.cell
def _(criterion, funnel, ranking):
    # the table full width (its columns no longer run under the chart), the funnel below it
    mo.vstack([mo.md("### Rangering"), ranking, mo.md("### Traktplott"), criterion, funnel])
    return


@app.cell
def _(peer, result, selected):
    # ranks are within a peer group: one group at a time (the chosen one, the picked unit's, or the largest)
    ranked_group = views.funnel_group(result, peer.value, selected)
    caterpillar = charts.caterpillar_chart(result.ranking, peer_group=ranked_group, highlight=selected,
                                           lang="nb", width=340)
    potential = charts.potential_chart(result.ranking, highlight=selected, lang="nb", width=340)
    title = f" – {views.peer_group_label(ranked_group, 'nb')}" if ranked_group else ""
    mo.hstack([mo.vstack([mo.md(f"### Plass med intervall{title}"),
                          caterpillar]),
               mo.vstack([mo.md("### Størst forbedringspotensial"), potential])], widths=[1, 1])
    return


@app.cell
def _(result):
    mo.vstack([
        mo.md("### Hvor robust er rangeringen?\nFlytting i plass når vektene endres ±50 %, "
              "normaliseringen byttes og målet settes til beste kvartil (OECD/JRC)."),
        mo.ui.table(views.sensitivity_view(result, "nb"), selection=None, page_size=10),
    ])
    return


@app.cell
def _(period, result):
    mo.hstack([
        # files are made when a button is pressed, not on every weight change (80 000 rows nationally)
        mo.download(data=lambda: views.csv_bytes(result.ranking), filename=f"ranking-{period.value}.csv",
                    label="Last ned rangering (csv)"),
        mo.download(data=lambda: views.csv_bytes(result.scores), filename=f"scores-{period.value}.csv",
                    label="Last ned kriterier (csv)"),
        mo.download(data=lambda: views.xlsx_bytes(result, "nb"), filename=f"benchmark-{period.value}.xlsx",
                    label="Last ned arbeidsbok (xlsx)"),
    ], justify="start")
    return


if __name__ == "__main__":
    app.run()
