import marimo

__generated_with = "0.25.2"
app = marimo.App(width="full", app_title="Kriteriene – for ledermøter")

with app.setup:
    import sys
    from pathlib import Path

    import marimo as mo

    # notebooks/benchmark.py is named like the package (SPEC §8) and marimo puts this folder first
    # on sys.path: drop folders holding a benchmark.py so that `benchmark` is the package.
    sys.path[:] = [p for p in sys.path if not (Path(p or ".") / "benchmark.py").is_file()]

    from benchmark import views
    from benchmark.catalogue.docs import catalogue_markdown
    from benchmark.service import context  # the served user's scope and masking (benchmark serve)


@app.cell(hide_code=True)
def _():
    mo.md("""
    # Kriteriene i benchmarken

    Her er kriteriene slik de brukes i ledermøter og oppfølgingsdialoger. Du kan prøve andre vekter,
    mål og minstestørrelser og se med en gang hvordan plasser og potensial flytter seg. Et justert
    kriteriesett kan lagres som en ny fil med nytt versjonsnummer.
    """)
    return


@app.cell
def _():
    lang = mo.ui.radio({"Norsk": "nb", "English": "en"}, value="Norsk", label="Språk", inline=True)
    dataset = views.load_source("demo")
    period = mo.ui.dropdown(views.period_choices(dataset), value=views.period_choices(dataset)[0], label="Periode")
    catalogue = views.load_catalogue()
    mo.hstack([lang, period], justify="start")
    return catalogue, lang, period


@app.cell
def _(catalogue, lang):
    mo.accordion({"Kriteriekatalogen" if lang.value == "nb" else "The criteria catalogue":
                  mo.md(catalogue_markdown(catalogue, lang.value))})
    return


@app.cell
def _(catalogue):
    weights = mo.ui.dictionary({c.id: mo.ui.slider(0.0, 3.0, step=0.25, value=c.weight, label=c.name["nb"],
                                                   show_value=True) for c in catalogue.criteria})
    targets = mo.ui.dictionary({
        c.id: mo.ui.dropdown({"median": "median", "beste kvartil": "upper_quartile", "gjennomsnitt": "mean"},
                             value={"median": "median", "upper_quartile": "beste kvartil", "mean": "gjennomsnitt"}[c.target],
                             label=c.name["nb"])
        for c in catalogue.criteria if isinstance(c.target, str)})
    min_sizes = mo.ui.dictionary({c.id: mo.ui.number(start=0, stop=100000, value=c.min_denominator,
                                                     label=c.name["nb"]) for c in catalogue.criteria})
    mo.hstack([mo.vstack([mo.md("**Vekter**"), weights.vstack()]), mo.vstack([mo.md("**Mål**"), targets.vstack()]),
               mo.vstack([mo.md("**Minstestørrelse (nevner)**"), min_sizes.vstack()])])
    return min_sizes, targets, weights


@app.cell
def _(catalogue, min_sizes, targets, weights):
    tuned = (catalogue.with_weights(weights.value).with_targets(targets.value)
             .with_min_denominators(min_sizes.value))
    return (tuned,)


@app.cell
def _(lang, period, tuned):
    before = views.scored("demo", period.value, "unit")
    after = views.score_with("demo", period.value, "unit", tuned)
    movement = views.compare_rankings(context.for_user(before), context.for_user(after), lang.value)
    mo.vstack([mo.md("### Før og etter: plass og potensial (største flyttinger først)"),
               mo.ui.table(movement, selection=None, page_size=12)])
    return


@app.cell
def _(tuned):
    version = mo.ui.text(value=f"{tuned.version}-justert", label="Ny versjon")
    filename = mo.ui.text(value="criteria/justert.toml", label="Fil")
    save = mo.ui.run_button(label="Lagre kriteriesettet")
    mo.hstack([version, filename, save], justify="start")
    return filename, save, version


@app.cell
def _(filename, save, tuned, version):
    mo.stop(not save.value)
    mo.stop(not context.may_save(), mo.callout(mo.md("Bare analyseavdelingen kan lagre kriteriesett."), kind="warn"))
    try:
        saved = views.save_catalogue(tuned, version.value, filename.value)
        message = mo.callout(mo.md(f"Lagret **{saved}** (versjon {version.value}, kontrollert)."), kind="success")
    except Exception as exc:  # show the validation report to the user
        message = mo.callout(mo.md(f"Ikke lagret: {exc}"), kind="danger")
    message
    return


if __name__ == "__main__":
    app.run()
