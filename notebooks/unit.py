import marimo

__generated_with = "0.25.2"
app = marimo.App(width="medium", app_title="Min enhet – score og forklaring")

with app.setup:
    import marimo as mo

    from benchmark import views
    from benchmark.explanation import explain, unitpage
    from benchmark.explanation.sheet import render_sheet
    from benchmark.service import context  # the served user's scope and masking (benchmark serve)


@app.cell
def _():
    # `marimo run notebooks/unit.py -- --source PATH|run:<id> --store FILE --lang en`
    args = mo.cli_args()
    lang = mo.ui.radio({"Norsk": "nb", "English": "en"}, inline=True, label="Språk / Language",
                       value="English" if views.cli_lang(args) == "en" else "Norsk")
    return args, lang


@app.cell(hide_code=True)
def _(lang):
    mo.md({"nb": """
    # Min enhet

    Velg enheten din. Du ser plassen i sammenligningsgruppen med usikkerhetsintervall, hvilke
    kriterier som trekker opp og ned, utviklingen over tid, divisjonens tiltak og en forklaring i
    klart språk. Dialogarket kan lagres og skrives ut til oppfølgingsmøtet.
    """, "en": """
    # My unit

    Choose your unit. You see its rank in the peer group with its uncertainty interval, the
    criteria that pull it up and down, the development over time, the division's measures and a
    plain-language explanation. The dialogue sheet can be saved and printed for the follow-up meeting.
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
    # the unit list depends on the source only, so a period change keeps the chosen unit
    _choices = context.scoped_source_choices(src, context.entity_choices(src)) if src is not None else {}
    unit = mo.ui.dropdown(_choices, value=context.first_choice(_choices), searchable=True,
                          label="Enhet" if lang.value == "nb" else "Unit", full_width=True)
    return period, unit


@app.cell
def _(args, lang, period, problem, source, src, unit):
    _l = lang.value
    _status = (mo.callout(mo.md(problem), kind="danger") if problem else
               mo.md(views.app_word("shown", _l, label=src.label(_l))))
    mo.vstack([lang, source, mo.md(context.recent_runs_text(args.get("store"), _l)), _status,
               mo.hstack([period, unit], widths=[1, 3])])
    return


@app.cell
def _(lang, period, src):
    mo.stop(src is None)
    with mo.status.spinner(title=views.app_word("loading", lang.value, period=period.value)):
        result, failure = views.safe_result(src, period.value, "unit", lang.value)
    mo.stop(result is None, mo.callout(mo.md(failure or ""), kind="warn"))
    result = context.for_user(result)  # masked and cut to the leader's peer groups when served
    return (result,)


@app.cell
def _(lang, period, result, unit):
    mo.stop(unit.value is None, mo.callout(mo.md("Velg en enhet i listen over (du kan søke)." if lang.value == "nb"
                                                 else "Choose a unit in the list above (you can search)."),
                                           kind="info"))
    mo.stop(not (result.ranking["entity_id"].astype(str) == unit.value).any(),
            mo.callout(mo.md(f"Enheten har ingen resultater i {period.value}." if lang.value == "nb"
                             else f"The unit has no results in {period.value}."), kind="warn"))
    chosen = unit.value
    _refused = context.denied(result, chosen)  # scope enforced where the unit's data are read
    mo.stop(_refused is not None, _refused)
    return (chosen,)


@app.cell
def _(chosen, lang, result):
    # every piece is computed once per process per (result, unit, language) and shared by the
    # sessions (benchmark/explanation/unitpage.py); a leader's result is its own masked object
    explanation = explain(result, chosen, lang=lang.value)  # the sections are computed once, shared with the page
    mo.Html(unitpage.explanation_html(result, chosen, lang.value))
    return (explanation,)


@app.cell
def _(chosen, lang, result):
    _l = lang.value
    # below the first screen: drawn when it scrolls into view (mo.lazy), so a page opens at once
    mo.vstack([mo.md("## Hva trekker opp og ned" if _l == "nb" else "## What pulls up and down"),
               # (arguments bound now: a cell's _private names are gone when the lazy part loads)
               mo.lazy(lambda res=result, unit=chosen, lg=_l: mo.vstack([
                   unitpage.VegaLite(unitpage.contribution_json(res, unit, lg)),
                   mo.Html(unitpage.scores_html(res, unit, lg))]))])
    return


@app.cell
def _(chosen, lang, result):
    _l = lang.value
    mo.vstack([mo.md("## Utvikling per måned (stiplet linje: snittet i vinduet)" if _l == "nb"
                     else "## Monthly development (dashed line: the mean over the window)"),
               mo.lazy(lambda res=result, unit=chosen, lg=_l: unitpage.VegaLite(unitpage.trend_json(res, unit, lg)))])
    return


@app.cell
def _(chosen, lang, result):
    _head, _table = unitpage.measures_html(result, chosen, lang.value)
    mo.vstack([mo.md(_head), mo.lazy(mo.Html(_table))])
    return


@app.cell
def _(chosen, lang, result):
    # the sheet is rendered when the button is pressed; the download is written to the audit log
    _sheet = context.logged_download(result, chosen, "sheet_download",
                                     lambda res=result, unit=chosen, lg=lang.value: render_sheet(res, unit, lang=lg).encode("utf-8"))
    mo.download(data=_sheet, filename=f"dialogark-{chosen}.html", mimetype="text/html",
                label="Lagre dialogark (HTML, A4)" if lang.value == "nb" else "Save the dialogue sheet (HTML, A4)")
    return


if __name__ == "__main__":
    app.run()
