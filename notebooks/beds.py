import marimo

__generated_with = "0.25.2"
app = marimo.App(width="medium", app_title="Sengekapasitet – utkast for budsjettåret")

with app.setup:
    import sys
    from pathlib import Path

    import marimo as mo

    # marimo puts this folder first on sys.path; drop folders holding a benchmark.py so that
    # `benchmark` is the package (notebooks/benchmark.py shadowed it in version 1).
    sys.path[:] = [p for p in sys.path if not (Path(p or ".") / "benchmark.py").is_file()]

    from benchmark.beds import app as beds_app
    from benchmark.beds.chart import ward_chart


@app.cell(hide_code=True)
def _():
    mo.md("""
    # Sengekapasitet gjennom året

    Hvor mange senger trenger posten hver uke for at det skal være plass til alle pasientene de
    fleste dagene? Prognosen bygger på postens eget daglige belegg (ukedag, sesong, fellesferie,
    jul, påske, helligdager og trend). **Servicenivået** sier hvor ofte posten kan være full:
    0,95 betyr at belegget overstiger sengetallet høyst 1 av 20 dager. Beleggsprosenten blir et
    resultat, ikke et mål.
    """)
    return


@app.cell
def _():
    source = beds_app.source_from_args(mo.cli_args())
    with mo.status.spinner(title="Lager prognose for alle poster …"):
        draft = beds_app.draft(source)
    choices = beds_app.ward_choices(draft)
    ward = mo.ui.dropdown(choices, value=next(iter(choices)), label="Post")
    service = mo.ui.slider(0.80, 0.99, step=0.01, value=0.95, label="Servicenivå", show_value=True)
    closed = mo.ui.multiselect([str(w) for w in range(1, 54)], label="Stengte uker (posten)")
    week = mo.ui.slider(1, 52, value=5, label="Uke i forklaringen", show_value=True)
    mo.vstack([mo.hstack([ward, closed], justify="start", gap=2), mo.hstack([service, week], justify="start", gap=2)])
    return closed, draft, service, ward, week


@app.cell
def _(closed, draft, service, ward):
    bd = draft.with_options(service_level=service.value,
                            closed_weeks={ward.value: [int(w) for w in closed.value]})
    return (bd,)


@app.cell
def _(bd, ward, week):
    note = beds_app.basis_note(bd, ward.value)
    mo.vstack([
        mo.callout(mo.md(note), kind="warn") if note else mo.md(""),
        mo.md(f"### {beds_app.week_explanation(bd, ward.value, week.value)}"),
        mo.md(beds_app.service_text(bd)),
        ward_chart(bd, ward.value, lang="nb", width=720),
    ])
    return


@app.cell
def _(bd, ward):
    mo.vstack([
        mo.md("## Avveining: senger og dager over fullt i året"),
        mo.ui.table(beds_app.tradeoff_table(bd, ward.value), selection=None, pagination=False),
        mo.md("## Uke for uke"),
        mo.ui.table(beds_app.week_table(bd, ward.value), selection=None, page_size=13),
    ])
    return


@app.cell(hide_code=True)
def _(bd):
    notes = "\n".join(f"- {m}" for m in bd.messages)
    mo.md(f"## Merknader\n{notes}") if notes else mo.md("")
    return


if __name__ == "__main__":
    app.run()
