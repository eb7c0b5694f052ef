import marimo

__generated_with = "0.25.2"
app = marimo.App(width="full", app_title="Tiltak – realisering mot risiko")

with app.setup:
    import marimo as mo

    from benchmark import charts, sources, views
    from benchmark.measures import calibrate, quality_flags
    from benchmark.service import context  # the served user's scope and masking (benchmark serve)


@app.cell
def _():
    # `marimo run notebooks/measures.py -- --source PATH|run:<id> --store FILE --lang en`
    args = mo.cli_args()
    lang = mo.ui.radio({"Norsk": "nb", "English": "en"}, inline=True, label="Språk / Language",
                       value="English" if views.cli_lang(args) == "en" else "Norsk")
    return args, lang


@app.cell(hide_code=True)
def _(lang):
    mo.md({"nb": """
    # Budsjettiltak: leverer de det risikovurderingen lovet?

    For hver divisjon: planlagt effekt, risikojustert forventet effekt (lav 90 %, middels 60 %,
    høy 30 %), realisert hittil i år, og hvor mye av restutfordringen tiltakene dekker når risikoen
    tas med. Nederst: hva historikken sier om risikoklassene, og datakvalitet en controller bør
    se på.
    """, "en": """
    # Budget measures: do they deliver what the risk assessment promised?

    For each division: planned effect, risk-adjusted expected effect (low 90 %, medium 60 %, high
    30 %), realised so far this year, and how much of the remaining challenge the measures cover once
    risk is allowed for. At the bottom: what history says about the risk classes, and data quality a
    controller should look at.
    """}[lang.value])
    return


@app.cell
def _(args, lang):
    source = mo.ui.text(value=str(args.get("source") or ""), label=context.source_label(lang.value),
                        full_width=True)
    return (source,)


@app.cell
def _(args, lang, source):
    src, problem = context.open_source(context.source_text(source.value), args.get("store"), lang.value)
    return problem, src


@app.cell
def _(lang, src):
    _periods = context.period_choices(src) if src is not None else []
    period = mo.ui.dropdown(_periods, value=_periods[0] if _periods else None,
                            label=views.app_word("period", lang.value))
    # divisions come from the source, not the period: a period change keeps the chosen division
    # a leader is offered only the divisions it may read measures of (checked again where they are read)
    _divisions = context.scoped_measure_divisions(src, sources.division_choices(src)) if src is not None else []
    division = mo.ui.dropdown(_divisions, value=_divisions[0] if _divisions else None,
                              label="Divisjon" if lang.value == "nb" else "Division")
    return division, period


@app.cell
def _(args, division, lang, period, problem, source, src):
    _l = lang.value
    _status = (mo.callout(mo.md(problem), kind="danger") if problem else
               mo.md(views.app_word("shown", _l, label=src.label(_l))))
    mo.vstack([lang, source, mo.md(context.recent_runs_text(args.get("store"), _l)), _status,
               mo.hstack([period, division], justify="start")])
    return


@app.cell
def _(lang, period, src):
    mo.stop(src is None)
    # a stored run shows its own level's measures; a dataset is scored at division level
    _level = src.run["level"] if src.kind == "run" else "division"
    with mo.status.spinner(title=views.app_word("loading", lang.value, period=period.value)):
        result, failure = views.safe_result(src, period.value, _level, lang.value)
    mo.stop(result is None, mo.callout(mo.md(failure or ""), kind="warn"))
    # scope enforced where the measures are read: a leader gets only the rows of its scopes
    measures = context.measures_for_user(result.measures)
    hidden = result.measures is not None and len(result.measures) > (0 if measures is None else len(measures))
    divisions = views.division_rows(measures)
    return divisions, hidden, measures, result


@app.cell
def _(divisions, hidden, lang, period):
    _l = lang.value
    mo.stop(divisions.empty and hidden, mo.callout(mo.md(
        f"Ingen av tiltakene i {period.value} hører til ditt ansvarsområde. Tiltak rapporteres per divisjon "
        "eller avdeling; be analyseavdelingen om tilgang hvis du trenger dem." if _l == "nb"
        else f"None of the measures in {period.value} belong to your scope. Measures are reported per division "
        "or department; ask the analysis department for access if you need them."), kind="info"))
    mo.stop(divisions.empty, mo.callout(mo.md(
        f"Ingen tiltak er rapportert for {period.value}. Velg en annen periode." if _l == "nb"
        else f"No measures are reported for {period.value}. Choose another period."), kind="info"))
    mo.vstack([mo.md("## Divisjonene: planlagt → risikojustert → realisert mot restutfordringen" if _l == "nb"
                     else "## The divisions: planned → risk-adjusted → realised against the remaining challenge"),
               charts.measures_chart(divisions, lang=_l),
               views.ui_table(views.measures_view(divisions, _l), lang=_l)])
    return


@app.cell
def _(division, lang, measures, period, result):
    _l = lang.value
    mo.stop(division.value is None)
    _refused = context.measures_denied(result.measures, division.value, res=result)  # a division outside scope
    mo.stop(_refused is not None, _refused)
    departments = views.department_rows(measures, division.value)
    mo.vstack([mo.md(f"### {'Områder i' if _l == 'nb' else 'Departments in'} {division.value}"),
               views.ui_table(views.measures_view(departments, _l), lang=_l) if len(departments) else
               mo.md(f"Ingen tiltak for {division.value} i {period.value}." if _l == "nb"
                     else f"No measures for {division.value} in {period.value}.")])
    return


@app.cell
def _(lang, result, src):
    _l = lang.value
    dataset = sources.dataset(src)
    # the raw measures (one row per measure and month), cut to the user's scope
    own = context.measures_for_user(dataset.measures) if dataset is not None else None
    mo.stop(own is None or own.empty, mo.md(
        "Historikken for risikoklassene og datakvaliteten krever datagrunnlaget med tiltak." if _l == "nb"
        else "The risk-class history and the data quality need the dataset with its measures."))
    calibration = calibrate(own, result.catalogue.risk_probabilities)
    mo.vstack([mo.md("## Risikoklassene etter historikken\nAndel av planlagt effekt som faktisk ble realisert "
                     "for tiltak som har nådd årsslutt, med 95 % intervall, ved siden av katalogens "
                     "standardverdier. Standardverdiene byttes ikke ut automatisk." if _l == "nb" else
                     "## The risk classes by history\nShare of the planned effect actually realised for measures "
                     "that reached year end, with a 95 % interval, beside the catalogue's defaults. The defaults "
                     "are never swapped automatically."),
               views.ui_table(views.calibration_view(calibration, _l), lang=_l)])
    return (own,)


@app.cell
def _(lang, own):
    _l = lang.value
    flags = quality_flags(own)
    mo.vstack([mo.md(f"## {'Datakvalitet' if _l == 'nb' else 'Data quality'} ({len(flags)} "
                     f"{'merknader' if _l == 'nb' else 'notes'})"),
               views.ui_table(views.quality_view(flags, _l), lang=_l, page_size=10)])
    return


if __name__ == "__main__":
    app.run()
