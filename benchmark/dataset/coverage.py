"""Does the dataset hold the months of the requested period? (SPEC §7: nothing silently empty.)

A run for ``2019Q1`` on data from 2022 used to record an empty run and print a list of zeros; a
run for ``2025Q4`` on data ending in September scored the units on whatever months they had. Both
are now refused before scoring, naming the period, the data's first and last month and the months
missing. A period that runs past the end of the data (or starts before it) is allowed only when
the user asks for it (``--allow-partial``): then the run carries a warning, printed and written
to the outputs.
"""

from __future__ import annotations

from benchmark.issues import DataError, Issue
from benchmark.periods import Period


def _compress(months: list[str]) -> str:
    return months[0] if len(months) == 1 else f"{months[0]} to {months[-1]}" if months else ""


def check_period_coverage(months: list[str], period: Period, source: str,
                          allow_partial: bool = False) -> list[Issue]:
    """Warnings for a partly covered period (with ``allow_partial``); raises DataError otherwise."""
    have = set(months)
    if not months:
        raise DataError(issues=[Issue(source, "no_data", "the monthly table has no rows, so there is nothing to "
                                      "score", hint="Add the months to monthly.csv")])
    span = f"the data cover {months[0]} to {months[-1]}"
    missing = [m for m in period.months if m not in have]
    if len(missing) == len(period.months):
        raise DataError(issues=[Issue(source, "no_data_in_period", f"there are no data for the period "
                                      f"{period.label} ({_compress(list(period.months))}); {span}",
                                      column="month", value=period.label,
                                      hint="Choose a period inside the data")])
    if not missing:
        return []
    text = (f"the period {period.label} is only partly covered: {', '.join(missing)} "
            f"{'is' if len(missing) == 1 else 'are'} missing ({span})")
    if not allow_partial:
        raise DataError(issues=[Issue(source, "partial_period", text, column="month", value=period.label,
                                      hint="Choose a period inside the data, or run with --allow-partial to score "
                                      "the months there are")])
    return [Issue(source, "partial_period", text + "; scored on the months present because --allow-partial "
                  "was given", column="month", value=period.label, level="warning")]
