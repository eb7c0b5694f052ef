import marimo

__generated_with = "0.25.2"
app = marimo.App(width="full", app_title="Kriteriene – for ledermøter")

with app.setup:
    import marimo as mo

    from benchmark import sources, views
    from benchmark.catalogue.docs import catalogue_markdown
    from benchmark.explanation import numbers as fmt
    from benchmark.service import context  # the served user's scope and masking (benchmark serve)


@app.cell
def _():
    # `marimo run notebooks/criteria.py -- --source PATH|run:<id> --store FILE --lang en`
    args = mo.cli_args()
    lang = mo.ui.radio({"Norsk": "nb", "English": "en"}, inline=True, label="Språk / Language",
                       value="English" if views.cli_lang(args) == "en" else "Norsk")
    return args, lang


@app.cell(hide_code=True)
def _(lang):
    mo.md({"nb": """
    # Kriteriene i benchmarken

    Her er kriteriene slik de brukes i ledermøter og oppfølgingsdialoger. Du kan prøve andre vekter,
    mål og minstestørrelser og se med en gang hvordan plasser og potensial flytter seg. Et justert
    kriteriesett kan lagres som en ny fil med nytt versjonsnummer.
    """, "en": """
    # The criteria of the benchmark

    These are the criteria as they are used in management meetings and follow-up dialogues. Try other
    weights, targets and minimum sizes and see at once how ranks and potentials move. A tuned
    catalogue can be saved as a new file with a new version number.
    """}[lang.value])
    return


@app.cell
def _(args, lang):
    source = mo.ui.text(value=str(args.get("source") or ""), label=context.source_label(lang.value),
                        full_width=True)
    return (source,)


@app.cell
def _(args, lang, source):
    src, problem = sources.open_source(context.source_text(source.value), args.get("store"), lang.value)
    return problem, src


@app.cell
def _(lang, src):
    _periods = sources.period_choices(src) if src is not None else []
    period = mo.ui.dropdown(_periods, value=_periods[0] if _periods else None,
                            label=views.app_word("period", lang.value))
    catalogue = (sources.stored_result(src.run_id, src.store).catalogue if src is not None and src.kind == "run"
                 else views.load_catalogue())
    return catalogue, period


@app.cell
def _(args, lang, period, problem, source, src):
    _l = lang.value
    _status = (mo.callout(mo.md(problem), kind="danger") if problem else
               mo.md(views.app_word("shown", _l, label=src.label(_l))))
    mo.vstack([lang, source, mo.md(sources.recent_runs_text(args.get("store"), _l)), _status,
               mo.hstack([period], justify="start")])
    return


@app.cell
def _(catalogue, lang):
    mo.accordion({"Kriteriekatalogen" if lang.value == "nb" else "The criteria catalogue":
                  mo.md(catalogue_markdown(catalogue, lang.value))})
    return


@app.cell
def _(catalogue, lang):
    _l = lang.value
    _targets = views.target_options(_l)
    # English: dropdowns with English labels (a slider writes the notebook's nb-NO numbers, 1,5)
    weights = mo.ui.dictionary({
        c.id: mo.ui.slider(0.0, 3.0, step=0.25, value=c.weight, label=c.name[_l]) if _l == "nb"
        else mo.ui.dropdown(*views.weight_options(c.weight, _l), label=c.name[_l]) for c in catalogue.criteria})
    targets = mo.ui.dictionary({
        c.id: mo.ui.dropdown(_targets, value=next(k for k, v in _targets.items() if v == c.target), label=c.name[_l])
        for c in catalogue.criteria if isinstance(c.target, str) and c.target in _targets.values()})
    min_sizes = mo.ui.dictionary({c.id: mo.ui.number(start=0, stop=100000, value=c.min_denominator,
                                                     label=c.name[_l]) for c in catalogue.criteria})
    return min_sizes, targets, weights


@app.cell
def _(catalogue, lang, min_sizes, targets, weights):
    _l = lang.value
    _sliders = mo.vstack([mo.hstack([weights[c.id], mo.md(fmt.number(weights[c.id].value, 2, _l))], justify="start")
                          if _l == "nb" else weights[c.id] for c in catalogue.criteria])  # a dropdown shows its value
    mo.hstack([mo.vstack([mo.md("**Vekter**" if _l == "nb" else "**Weights**"), _sliders]),
               mo.vstack([mo.md("**Mål**" if _l == "nb" else "**Targets**"), targets.vstack()]),
               mo.vstack([mo.md("**Minstestørrelse (nevner)**" if _l == "nb" else "**Minimum size (denominator)**"),
                          min_sizes.vstack()])])
    return


@app.cell
def _(catalogue, min_sizes, targets, weights):
    tuned = (catalogue.with_weights(weights.value).with_targets(targets.value)
             .with_min_denominators(min_sizes.value))
    return (tuned,)


@app.cell
def _(lang, period, src):
    mo.stop(src is None)
    with mo.status.spinner(title=views.app_word("loading", lang.value, period=period.value)):
        before, failure = views.safe_result(src, period.value, "unit", lang.value)
    mo.stop(before is None, mo.callout(mo.md(failure or ""), kind="warn"))
    return (before,)


@app.cell
def _(before, lang, period, src, tuned):
    _l = lang.value
    after, _why = views.tuned_result(src, period.value, before, tuned, _l)
    _head = ("### Før og etter: plass med intervall og potensial (største flyttinger først)" if _l == "nb"
             else "### Before and after: rank with interval and potential (largest moves first)")
    if after is None:
        movement = None
        _out = mo.vstack([mo.md(_head), mo.callout(mo.md(_why), kind="warn")])
    else:
        movement, _formats = views.compare_table(context.for_user(before), context.for_user(after), _l)
        _out = mo.vstack([mo.md(_head), views.ui_table(movement, _formats, lang=_l, page_size=12)])
    _out
    return (movement,)


@app.cell
def _(lang, tuned):
    _l = lang.value
    version = mo.ui.text(value=f"{tuned.version}-justert", label="Ny versjon" if _l == "nb" else "New version")
    filename = mo.ui.text(value="criteria/justert.toml", label="Fil" if _l == "nb" else "File")
    save = mo.ui.run_button(label="Lagre kriteriesettet" if _l == "nb" else "Save the catalogue")
    mo.hstack([version, filename, save], justify="start")
    return filename, save, version


@app.cell
def _(filename, lang, save, tuned, version):
    mo.stop(not save.value)
    mo.stop(not context.may_save(), mo.callout(mo.md("Bare analyseavdelingen kan lagre kriteriesett."), kind="warn"))
    _nb = lang.value == "nb"
    try:
        saved = views.save_catalogue(tuned, version.value, filename.value)
        message = mo.callout(mo.md(f"Lagret **{saved}** (versjon {version.value}, kontrollert)." if _nb
                                   else f"Saved **{saved}** (version {version.value}, checked)."), kind="success")
    except Exception as exc:  # show the validation report to the user
        message = mo.callout(mo.md(f"Ikke lagret: {exc}" if _nb else f"Not saved: {exc}"), kind="danger")
    message
    return


if __name__ == "__main__":
    app.run()
