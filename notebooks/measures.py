import marimo

__generated_with = "0.25.2"
app = marimo.App(width="full", app_title="Tiltak – realisering mot risiko")

with app.setup:
    import sys
    from pathlib import Path

    import marimo as mo

    # notebooks/benchmark.py is named like the package (SPEC §8) and marimo puts this folder first
    # on sys.path: drop folders holding a benchmark.py so that `benchmark` is the package.
    sys.path[:] = [p for p in sys.path if not (Path(p or ".") / "benchmark.py").is_file()]

    from benchmark import charts, views
    from benchmark.measures import calibrate, quality_flags


@app.cell(hide_code=True)
def _():
    mo.md("""
    # Budsjettiltak: leverer de det risikovurderingen lovet?

    For hver divisjon: planlagt effekt, risikojustert forventet effekt (lav 90 %, middels 60 %,
    høy 30 %), realisert hittil i år, og hvor mye av restutfordringen tiltakene dekker når risikoen
    tas med. Nederst: hva historikken sier om risikoklassene, og datakvalitet en controller bør
    se på.
    """)
    return


@app.cell
def _():
    dataset = views.load_source("demo")
    period = mo.ui.dropdown(views.period_choices(dataset), value=views.period_choices(dataset)[0], label="Periode")
    period
    return dataset, period


@app.cell
def _(period):
    result = views.scored("demo", period.value, "division")
    measures = result.measures
    divisions = measures[measures["department"].fillna("") == ""].sort_values("realisation_vs_risk")
    division = mo.ui.dropdown(list(divisions["division"]), value=divisions["division"].iloc[0], label="Divisjon")
    return division, divisions, measures, result


@app.cell
def _(divisions):
    mo.vstack([mo.md("## Divisjonene: planlagt → risikojustert → realisert mot restutfordringen"),
               charts.measures_chart(divisions, lang="nb"),
               mo.ui.table(views.measures_view(divisions, "nb"), selection=None)])
    return


@app.cell
def _(division, measures):
    departments = measures[(measures["division"] == division.value) & (measures["department"].fillna("") != "")]
    mo.vstack([division, mo.md(f"### Områder i {division.value}"),
               mo.ui.table(views.measures_view(departments, "nb"), selection=None)])
    return


@app.cell
def _(dataset, result):
    calibration = calibrate(dataset.measures, result.catalogue.risk_probabilities)
    mo.vstack([mo.md("## Risikoklassene etter historikken\nAndel av planlagt effekt som faktisk ble realisert "
                     "for tiltak som har nådd årsslutt, med 95 % intervall, ved siden av katalogens "
                     "standardverdier. Standardverdiene byttes ikke ut automatisk."),
               mo.ui.table(views.calibration_view(calibration, "nb"), selection=None)])
    return


@app.cell
def _(dataset):
    flags = quality_flags(dataset.measures)
    mo.vstack([mo.md(f"## Datakvalitet ({len(flags)} merknader)"),
               mo.ui.table(views.quality_view(flags, "nb"), selection=None, page_size=10)])
    return


if __name__ == "__main__":
    app.run()
