import marimo

__generated_with = "0.25.2"
app = marimo.App(width="medium", app_title="Min enhet – score og forklaring")

with app.setup:
    import sys
    from pathlib import Path

    import marimo as mo

    # notebooks/benchmark.py is named like the package (SPEC §8) and marimo puts this folder first
    # on sys.path: drop folders holding a benchmark.py so that `benchmark` is the package.
    sys.path[:] = [p for p in sys.path if not (Path(p or ".") / "benchmark.py").is_file()]

    from benchmark import charts, views
    from benchmark.explanation import explain
    from benchmark.explanation.sheet import render_sheet
    from benchmark.service import context  # the served user's scope and masking (benchmark serve)


@app.cell(hide_code=True)
def _():
    mo.md("""
    # Min enhet

    Velg enheten din. Du ser plassen i sammenligningsgruppen med usikkerhetsintervall, hvilke
    kriterier som trekker opp og ned, utviklingen over tid, divisjonens tiltak og en forklaring i
    klart språk. Dialogarket kan lagres og skrives ut til oppfølgingsmøtet.
    """)
    return


@app.cell
def _():
    periods = context.stored_periods() or views.period_choices(views.load_source("demo"))
    period = mo.ui.dropdown(periods, value=periods[0], label="Periode")
    return (period,)


@app.cell
def _(period):
    result = context.for_user(context.stored_result(period.value) or views.scored("demo", period.value, "unit"))
    choices = context.scoped_choices(result, views.entity_choices(result))
    unit = mo.ui.dropdown(choices, value=context.first_choice(choices), searchable=True, label="Enhet", full_width=True)
    mo.hstack([period, unit], widths=[1, 3])
    return result, unit


@app.cell
def _(result, unit):
    mo.stop(unit.value is None, mo.callout(mo.md("Velg en enhet i listen over (du kan søke)."), kind="info"))
    chosen = unit.value
    _refused = context.denied(result, chosen)
    mo.stop(_refused is not None, _refused)
    return (chosen,)


@app.cell
def _(chosen, result):
    explanation = explain(result, chosen, lang="nb")
    mo.vstack([mo.md(f"## {result.ranking.set_index('entity_id').loc[chosen, 'entity_name']}"),
               mo.md(views.explanation_markdown(result, chosen, "nb"))])
    return


@app.cell
def _(chosen, result):
    contributions = charts.contribution_chart(result.scores, chosen, catalogue=result.catalogue, lang="nb")
    mo.vstack([mo.md("## Hva trekker opp og ned"), contributions,
               mo.ui.table(views.scores_view(result, chosen, "nb"), selection=None)])
    return


@app.cell
def _(chosen, result):
    trend = charts.trend_chart(result.monthly, result.trend, chosen, catalogue=result.catalogue, lang="nb")
    mo.vstack([mo.md("## Utvikling per måned (prosesskontroll)"), trend])
    return


@app.cell
def _(chosen, result):
    division = result.ranking.loc[result.ranking["entity_id"] == chosen, "division"].iloc[0]
    measures = result.measures
    mo.vstack([
        mo.md(f"## Tiltak i {division}"),
        mo.ui.table(measures[measures["division"] == division] if measures is not None else measures,
                    selection=None) if measures is not None else mo.md("Ingen tiltak i datagrunnlaget."),
    ])
    return


@app.cell
def _(chosen, result):
    mo.download(data=lambda: render_sheet(result, chosen, lang="nb").encode("utf-8"), filename=f"dialogark-{chosen}.html",
                mimetype="text/html", label="Lagre dialogark (HTML, A4)")
    return


if __name__ == "__main__":
    app.run()
