# /// script
# [tool.marimo.display]
# locale = "nb-NO"
# ///
import marimo

__generated_with = "0.25.2"
app = marimo.App(width="full", app_title="Benchmark – analyseavdelingen")

with app.setup:
    import marimo as mo

    from benchmark import charts, sources, views
    from benchmark.service import context  # the served user's scope and masking (benchmark serve)


@app.cell
def _():
    # `marimo run notebooks/analysis.py -- --source PATH|run:<id> --store FILE --lang en`
    args = mo.cli_args()
    lang = mo.ui.radio({"Norsk": "nb", "English": "en"}, inline=True, label="Språk / Language",
                       value="English" if views.cli_lang(args) == "en" else "Norsk")
    return args, lang


@app.cell(hide_code=True)
def _(lang):
    mo.md({"nb": """
    # Kvartalsbenchmark for enhetene

    Enhetene sammenlignes **innen sin sammenligningsgruppe**. Hver plass har et **intervall**:
    enheter med overlappende intervaller kan ikke skilles fra hverandre. Trakt-plottene viser normal
    variasjon (95 % og 99,8 %) rundt målet for en enhet av den størrelsen; fargen er enhetens egen
    vurdering, mot grenser regnet uten den selv (i verktøytipset). Endre vektene til høyre og se
    hvordan rangeringen flytter seg.
    """, "en": """
    # Quarterly benchmark of the units

    Units are compared **within their peer group**. Every rank has an **interval**: units whose
    intervals overlap cannot be told apart. The funnel plots show normal variation (95 % and 99.8 %)
    around the target for a unit of that size; the colour is the unit's own verdict, against limits
    computed without itself (in the tooltip). Change the weights on the right and see how the ranking
    moves.
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
    _levels = views.level_options(sources.level_choices(src) if src is not None else ["unit"], lang.value)
    level = mo.ui.dropdown(_levels, value=next(iter(_levels)), label=views.app_word("level", lang.value))
    return level, period


@app.cell
def _(lang, src):
    # the catalogue of the source (a stored run keeps its own), weights start at its values
    catalogue = (sources.stored_view(src.run_id, src.store).catalogue if src is not None and src.kind == "run"
                 else views.load_catalogue())
    # a slider writes its value in the notebook's one locale (nb-NO: 1,5), so the English page gets
    # dropdowns with English labels (1.50). A slider sends its value when let go (debounce: a drag
    # re-ranks once, not at every step it passes)
    def _weight(c):
        if lang.value == "nb":
            return mo.ui.slider(0.0, 3.0, step=0.25, value=c.weight, label=c.name["nb"], show_value=True,
                                debounce=True)
        _options, _now = views.weight_options(c.weight, lang.value)
        return mo.ui.dropdown(_options, value=_now, label=c.name[lang.value])

    weights = mo.ui.dictionary({c.id: _weight(c) for c in catalogue.criteria},
                               label="Vekter" if lang.value == "nb" else "Weights")
    # laid out here, in the cell that makes them: a cell that names `weights` re-runs at every
    # weight change, and the page's whole control panel would be drawn again each time
    weights_panel = mo.vstack([mo.md("**Vekter i samlet score**" if lang.value == "nb" else "**Weights in the score**"),
                               *[weights[c.id] for c in catalogue.criteria]])
    return catalogue, weights, weights_panel


@app.cell
def _(args, lang, problem, source, src):
    # the source column, built once per source (a weight change re-runs only the layout below)
    _l = lang.value
    _status = (mo.callout(mo.md(problem), kind="danger") if problem else
               mo.md(views.app_word("shown", _l, label=src.label(_l))))
    source_panel = [lang, source, mo.md(sources.recent_runs_text(args.get("store"), _l)), _status]
    return (source_panel,)


@app.cell
def _(level, period, source_panel, weights_panel):
    mo.hstack([mo.vstack([*source_panel, mo.hstack([period, level], justify="start")]), weights_panel], widths=[3, 2], align="start")
    return


@app.cell
def _(lang, level, period, src):
    mo.stop(src is None)
    with mo.status.spinner(title=views.app_word("loading", lang.value, period=period.value)):
        # a stored run as read (ranking, scores, catalogue): its scoring side is made when needed
        base, failure = views.safe_result(src, period.value, level.value, lang.value, view=True)
    mo.stop(base is None, mo.callout(mo.md(failure or ""), kind="warn"))
    return (base,)


@app.cell
def _(base, lang):
    _l = lang.value
    peer = mo.ui.dropdown({("Alle grupper" if _l == "nb" else "All groups"): "", **views.peer_group_choices(base, _l)},
                          value="Alle grupper" if _l == "nb" else "All groups",
                          label="Sammenligningsgruppe" if _l == "nb" else "Peer group")
    criterion = mo.ui.dropdown(views.criterion_choices(base.catalogue, _l), value=base.catalogue.criteria[0].name[_l],
                               label="Kriterium i traktplottet" if _l == "nb" else "Criterion in the funnel plot")
    return criterion, peer


@app.cell
def _():
    # the result on the page, for the download buttons to read when pressed: so they are not
    # drawn again at every weight change (a cell that names `result` re-runs with it)
    shown = {}
    return (shown,)


@app.cell
def _(base, shown, weights):
    result = views.reweighted(base, weights.value)
    shown["result"] = result
    return (result,)


@app.cell
def _():
    # the unit picked in the ranking table, kept as state: it survives a weight change (which
    # rebuilds the table), and the funnel, which weights do not change, is not redrawn for one
    get_picked, set_picked = mo.state(None)
    return get_picked, set_picked




@app.cell
def _(base, criterion, get_picked, lang, peer):
    # funnel values, limits and flags do not depend on the weights: drawn from the unweighted result
    # (views.chart: built once per process for the same frames, so a second session reuses it)
    funnel = mo.ui.altair_chart(views.chart(
        charts.funnel_chart, base.scores, criterion.value, peer_group=views.funnel_group(base, peer.value, get_picked()),
        highlight=get_picked(), catalogue=base.catalogue, lang=lang.value, selectable=True,
        period=base.period.label, max_points=views.FUNNEL_POINTS))
    return (funnel,)


@app.cell
def _(funnel, get_picked):
    selected = views.picked_entity(funnel.value, get_picked())
    return (selected,)


@app.cell
def _(lang, peer, result, set_picked):
    # made and shown in one cell: the first output a weight change redraws
    _nb = lang.value == "nb"
    _view, _formats = views.ranking_table(result, lang.value, peer.value or None)
    _ranking = views.ui_table(_view, _formats, lang=lang.value, selection="single", page_size=15,
                              label=("Rangering med intervall (plass 1 = best i gruppen)" if _nb
                                     else "Ranking with intervals (rank 1 = best in the group)"),
                              on_change=lambda rows: set_picked(rows.iloc[0]["Id"] if len(rows) else None))
    mo.vstack([mo.hstack([peer], justify="start"), mo.md("### Rangering" if _nb else "### Ranking"), _ranking])
    return


@app.cell
def _(base, criterion, funnel, lang, selected):
    # the potential does not depend on the weights (a weight change re-ranks, it does not move a
    # unit's gap to the target): drawn from the unweighted result, beside the funnel
    _nb = lang.value == "nb"
    _potential = views.static_chart(charts.potential_chart, base.ranking, highlight=selected, lang=lang.value, width=340)
    mo.hstack([mo.vstack([mo.md("### Traktplott" if _nb else "### Funnel plot"), criterion, funnel]),
               mo.vstack([mo.md("### Størst forbedringspotensial" if _nb else "### Largest improvement potential"),
                          _potential])], widths=[3, 2])
    return


@app.cell
def _(base, lang, selected):
    # the picked unit's months: for a stored run read from the store for that unit alone (a query
    # on entity_id), so opening a national run never waits for its two million monthly rows
    _l = lang.value
    if selected is None:
        _out = mo.md("Velg en enhet i rangeringen eller i traktplottet for å se månedstallene."
                     if _l == "nb" else "Pick a unit in the ranking or the funnel plot to see its months.")
    else:
        _names = base.ranking.loc[base.ranking["entity_id"].astype(str) == str(selected), "entity_name"]
        _name = str(_names.iloc[0]) if len(_names) else str(selected)
        _chart = views.static_chart(charts.trend_chart, sources.entity_rows(base, "monthly", selected),
                             sources.entity_rows(base, "trend", selected), selected, catalogue=base.catalogue,
                             lang=_l)
        _out = mo.vstack([mo.md(f"### Månedstall – {_name}" if _l == "nb" else f"### Monthly figures – {_name}"),
                          _chart])
    _out
    return


@app.cell
def _(lang, peer, result, selected):
    # ranks are within a peer group: one group at a time (the chosen one, the picked unit's, or the largest)
    _l = lang.value
    ranked_group = views.funnel_group(result, peer.value, selected)
    # (the rank chart's spec made once; a weight change swaps only its rows: milliseconds)
    caterpillar = views.rank_chart(result.ranking, peer_group=ranked_group, highlight=selected, lang=_l, width=520)
    _title = f" – {views.peer_group_label(ranked_group, _l)}" if ranked_group else ""
    mo.vstack([mo.md(("### Plass med intervall" if _l == "nb" else "### Rank with interval") + _title), caterpillar])
    return


@app.cell
def _(base, lang):
    # the sensitivity is of the catalogue's weights (a weight change does not recompute it), so it
    # is shown with the ranks those weights give, and is not redrawn when a slider moves
    _nb = lang.value == "nb"
    _view, _formats = views.sensitivity_table(base, lang.value)
    mo.vstack([
        mo.md("### Hvor robust er rangeringen?\nFlytting i plass når katalogens vekter endres ±50 %, "
              "normaliseringen byttes og målet settes til beste kvartil (OECD/JRC); plassen er den "
              "katalogens vekter gir." if _nb else
              "### How robust is the ranking?\nRank shifts when the catalogue's weights change by ±50 %, the "
              "normalisation is swapped and the target is set to the better quartile (OECD/JRC); the rank is "
              "the one the catalogue's weights give."),
        views.ui_table(_view, _formats, lang=lang.value, page_size=10),
    ])
    return


@app.cell
def _(lang, period, shown):
    _nb = lang.value == "nb"
    mo.hstack([
        # files are made when a button is pressed, of the result shown then (80 000 rows nationally)
        mo.download(data=lambda: views.csv_bytes(shown["result"].ranking), filename=f"ranking-{period.value}.csv",
                    label="Last ned rangering (csv)" if _nb else "Download ranking (csv)"),
        mo.download(data=lambda: views.csv_bytes(shown["result"].scores), filename=f"scores-{period.value}.csv",
                    label="Last ned kriterier (csv)" if _nb else "Download criteria (csv)"),
        mo.download(data=lambda: views.xlsx_bytes(shown["result"], lang.value),
                    filename=f"benchmark-{period.value}.xlsx",
                    label="Last ned arbeidsbok (xlsx)" if _nb else "Download workbook (xlsx)"),
    ], justify="start")
    return


@app.cell
def _(base):
    # last in the notebook, so it runs once everything above is drawn: a stored run's scoring
    # side (the scoring package's import, 0,6 s in a new server) is made while the browser draws
    views.prepare_rescore(base)
    return


if __name__ == "__main__":
    app.run()
