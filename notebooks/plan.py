import marimo

__generated_with = "0.25.2"
app = marimo.App(width="full", app_title="Bemanningsbudsjett fra GAT")

with app.setup:
    import sys
    from pathlib import Path

    import marimo as mo

    # marimo puts this folder first on sys.path: drop folders holding a benchmark.py so that
    # `benchmark` is the package
    sys.path[:] = [p for p in sys.path if not (Path(p or ".") / "benchmark.py").is_file()]

    from benchmark.plan import views as pv
    from benchmark.plan.charts import waterfall_chart
    from benchmark.plan.waterfall import waterfall


@app.cell(hide_code=True)
def _():
    mo.md("""
    # Bemanningsbudsjett fra bemanningsplanene i GAT

    Turnusene er rullet ut på budsjettårets kalender (helligdager og arbeidsmiljølovens § 10-10),
    vaktene delt i dag-, kveld/natt-, helge- og høytidstimer og priset med tariffen. Plankostnaden
    settes mot lønnsrammen: **gap** = plankostnad − ramme, og **uløst utfordring** = gap − tiltak
    (risikojustert). Endre forutsetningene nedenfor og se gapet flytte seg.
    """)
    return


@app.cell
def _():
    # `marimo run notebooks/plan.py -- --source PATH` opens another dataset
    source = mo.ui.text(value=str(mo.cli_args().get("source") or "demo"), label="Datakilde (demo, mappe eller arbeidsbok)")
    source
    return (source,)


@app.cell
def _(source):
    years = pv.year_choices(source.value)
    year = mo.ui.dropdown(years, value=years[-1], label="Budsjettår")
    year
    return (year,)


@app.cell
def _(source, year):
    with mo.status.spinner("Ruller ut turnusene og deler vaktene …"):
        base = pv.base_plan(source.value, int(year.value))
    return (base,)


@app.cell
def _(base):
    en = base.tariff.supplement("evening_night")
    # whole numbers on the sliders, so no decimal point is shown where Norwegian writes a comma
    en_rate = mo.ui.slider(20, 60, step=1, value=round(en.rate * 100), label="Kvelds- og nattillegg (% av timelønn)",
                           show_value=True)
    own_absence = mo.ui.checkbox(value=True, label="Fraværsdekning: enhetens eget sykefravær")
    absence = mo.ui.slider(0, 15, step=1, value=7, label="… ellers fast fraværsdekning (%)", show_value=True)
    vacation = mo.ui.slider(0, 6, step=1, value=round(base.tariff.vacation_weeks), label="Ferie dekket (uker)",
                            show_value=True)
    mo.vstack([mo.md("### Forutsetninger"), en_rate, own_absence, absence, vacation])
    return absence, en_rate, own_absence, vacation


@app.cell
def _(absence, base, en_rate, own_absence, vacation):
    pl = pv.repriced(base, en_rate.value / 100, None if own_absence.value else absence.value / 100, vacation.value)
    return (pl,)


@app.cell
def _(base):
    divisions = pv.entity_choices(base, "division")
    division = mo.ui.dropdown(divisions, value=next(iter(divisions)), label="Klinikk/divisjon")
    division
    return (division,)


@app.cell
def _(base, division):
    departments = {"(hele divisjonen)": "", **pv.entity_choices(base, "department", division.value)}
    department = mo.ui.dropdown(departments, value="(hele divisjonen)", label="Avdeling")
    department
    return (department,)


@app.cell
def _(base, department, division):
    dept_name = pv.row_of(base, "department", department.value)["department"] if department.value else None
    units = {"(hele avdelingen)": "", **(pv.entity_choices(base, "unit", division.value, dept_name) if dept_name else {})}
    unit = mo.ui.dropdown(units, value="(hele avdelingen)", label="Enhet")
    unit
    return (unit,)


@app.cell
def _(department, division, pl, unit):
    level, entity = ("unit", unit.value) if unit.value else (
        ("department", department.value) if department.value else ("division", division.value))
    row = pv.row_of(pl, level, entity)
    mo.vstack([mo.md(pv.summary_line(row)),
               waterfall_chart(waterfall(row), title=str(row["entity_name"])) if row["pay_frame"] == row["pay_frame"]
               else mo.callout(mo.md("Ingen ramme for året: fossefallet trenger en ramme."), kind="warn")])
    return entity, level


@app.cell
def _(entity, level, pl):
    drivers = pv.drivers_view(pl, level, entity)
    mo.vstack([mo.md("### Enhetene som driver gapet"),
               mo.ui.table(drivers, selection=None, page_size=15, format_mapping=pv.formats(drivers),
                           show_column_summaries=False)])
    return


@app.cell
def _(pl):
    mo.vstack([mo.md("### Oppfølging: enheter med turnus i GAT og med aktivitetsplan"),
               mo.ui.table(pv.indicators_view(pl), selection=None, show_column_summaries=False),
               mo.md("\n".join(f"- {n}" for n in pl.notes))])
    return


if __name__ == "__main__":
    app.run()
