"""marimo's own floor for the app perf scripts: a notebook with one slider and one line of text.

Served and opened like the analysis app, it measures what every marimo page costs before any
cell of ours runs (the page's scripts, the websocket, a new session's kernel), so the scripts can
say how much of a first screen is the app's and how much is marimo's.
"""

import marimo

app = marimo.App()


@app.cell
def _():
    import marimo as mo

    mo.vstack([mo.md("Gulvet"), mo.ui.slider(0, 3)])
    return


if __name__ == "__main__":
    app.run()
