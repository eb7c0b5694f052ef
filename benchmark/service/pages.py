"""The service's own HTML: the landing page and error pages (Norwegian, no scripts, no CDN)."""

from __future__ import annotations

import html

import pandas as pd

from benchmark.service.users import User

STYLE = """body{font-family:system-ui,sans-serif;margin:0;background:#f4f6f8;color:#1b1b1b}
header{background:#1f4e79;color:#fff;padding:.8rem 1.5rem;display:flex;justify-content:space-between;align-items:center}
header a,header button{color:#fff} header form{display:inline} header button{background:none;border:1px solid #fff8;
border-radius:4px;padding:.2rem .6rem;cursor:pointer;font-size:.9rem}
main{max-width:60rem;margin:1.5rem auto;padding:0 1rem} section{background:#fff;border-radius:8px;padding:1rem 1.5rem;
margin-bottom:1rem;box-shadow:0 1px 3px #0001} table{border-collapse:collapse;width:100%} th,td{text-align:left;
padding:.3rem .5rem;border-bottom:1px solid #e3e6ea;font-size:.95rem} .muted{color:#5b6470} ul.apps li{margin:.3rem 0}
.error{border-left:4px solid #a00000}"""

APPS = (
    ("/enhet/", "Min enhet", "score, forklaring, utvikling og dialogark for enheten din"),
    ("/kriterier/", "Kriteriene", "hva som måles, og hvorfor"),
    ("/tiltak/", "Tiltak", "realisering av tiltak mot risiko"),
    ("/plan/", "Bemanningsbudsjett", "planlagt kostnad mot rammen"),
    ("/senger/", "Sengekapasitet", "utkast til senger per uke"),
    ("/analyse/", "Analyse", "hele benchmarken med vektjustering (analyseavdelingen)"),
)

ROLE_WORDS = {"analyst": "analytiker", "leader": "leder"}
SCOPE_WORDS = {"division": "divisjon", "department": "avdeling", "unit": "enhet"}


def _e(x: object) -> str:
    return html.escape("" if x is None or (isinstance(x, float) and pd.isna(x)) else str(x))


def page(title: str, body: str, user: User | None) -> str:
    who = ""
    if user is not None:
        who = (f'<span>{_e(user.name)} ({ROLE_WORDS.get(user.role, user.role)}) '
               f'<form method="post" action="/logout"><button type="submit">Logg ut</button></form></span>')
    return (f'<!doctype html><html lang="nb"><head><meta charset="utf-8"><meta name="viewport" '
            f'content="width=device-width, initial-scale=1"><title>{_e(title)}</title><style>{STYLE}</style></head>'
            f'<body><header><a href="/"><strong>Enhetsbenchmark</strong></a>{who}</header><main>{body}</main></body></html>')


def error_page(status: int, message: str, user: User | None = None) -> str:
    heading = {401: "Ikke innlogget", 403: "Ingen tilgang", 404: "Finnes ikke", 503: "Ikke tilgjengelig"}.get(
        status, "Noe gikk galt")
    return page(heading, f'<section class="error"><h1>{heading}</h1><p>{_e(message)}</p>'
                f'<p><a href="/">Til forsiden</a></p></section>', user)


LEVEL_WORDS = {"unit": "enhet", "department": "avdeling", "division": "divisjon"}


def landing(user: User, runs: pd.DataFrame, units: pd.DataFrame, apps_present: set[str],
            period: str | None, divisions: list[str]) -> str:
    """Latest runs, the user's units (with their sheets), packages and links to the apps."""
    app_items = "".join(
        f'<li><a href="{p}">{_e(name)}</a> <span class="muted">– {_e(what)}</span></li>'
        for p, name, what in APPS if p.strip("/") in apps_present and (p != "/analyse/" or user.is_analyst))
    run_rows = "".join(
        f"<tr><td>{_e(r.run_id)}</td><td>{_e(r.period)}</td><td>{_e(LEVEL_WORDS.get(r.level, r.level))}</td>"
        f"<td>{_e(str(r.started_at)[:16].replace('T', ' '))}</td>"
        f'<td><a href="/api/runs/{_e(r.run_id)}/ranking.csv">rangering (CSV)</a> · '
        f'<a href="/api/runs/{_e(r.run_id)}/scores.csv">kriterier (CSV)</a></td></tr>'
        for r in runs.head(8).itertuples())
    runs_html = (f"<table><tr><th>Kjøring</th><th>Periode</th><th>Nivå</th><th>Tidspunkt</th><th>Last ned</th></tr>"
                 f"{run_rows}</table>" if run_rows else "<p>Ingen kjøringer i historikken ennå.</p>")
    if units.empty or period is None:
        unit_html = "<p>Ingen enheter i tilgangen din i siste kjøring.</p>"
    else:
        def table(part: pd.DataFrame) -> str:
            rows = "".join(
                f"<tr><td>{_e(u.entity_name)}</td><td>{_e(u.department)}</td>"
                f'<td><a href="/ark/{_e(period)}/{_e(u.entity_id)}">dialogark</a></td></tr>'
                for u in part.itertuples())
            return f"<table><tr><th>Enhet</th><th>Avdeling</th><th>{_e(period)}</th></tr>{rows}</table>"

        groups = list(units.groupby("division", sort=True))
        if len(units) <= 20 or len(groups) == 1:
            unit_html = "".join(f"<h3>{_e(d)}</h3>{table(part)}" for d, part in groups)
        else:  # many units (an analyst, a division leader): one folded list per division
            unit_html = "".join(f"<details><summary>{_e(d)} ({len(part)} enheter)</summary>{table(part)}</details>"
                                for d, part in groups)
    pack_html = "".join(f'<li><a href="/pakke/{_e(period)}/{_e(d)}">Analysepakke {_e(d)}</a></li>'
                        for d in divisions) if period else ""
    scopes = ", ".join(f"{SCOPE_WORDS[s.kind]} {s.value}" for s in user.scopes) if not user.is_analyst else "alle enheter"
    body = (f"<section><h1>Hei, {_e(user.name)}</h1><p class='muted'>Tilgang: {_e(scopes)}.</p>"
            f"<ul class='apps'>{app_items}</ul></section>"
            f"<section><h2>Dine enheter</h2>{unit_html}</section>"
            + (f"<section><h2>Analysepakker</h2><ul>{pack_html}</ul></section>" if pack_html else "")
            + f"<section><h2>Siste kjøringer</h2>{runs_html}</section>")
    return page("Enhetsbenchmark", body, user)
