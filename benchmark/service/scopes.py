"""Authorisation: which entities a user may open, and which rankings it may read.

Role ``analyst`` sees everything. Role ``leader`` has scopes (``division:D``, ``department:D``,
``unit:ID``): it reads the rankings of the peer groups its units belong to, but opens
explanations, sheets, packages, unit pages and downloads only of entities inside its scopes. The
checks work on a run's ranking table (entity_id, division, department), so they hold at every
level: a department entity is inside ``division:D`` when its division is D, a division entity
only for a ``division:`` scope of its own.
"""

from __future__ import annotations

import pandas as pd

from benchmark.service.users import User

FORBIDDEN = "Du har ikke tilgang til {what}. Be analyseavdelingen om tilgang hvis du trenger den."


class Forbidden(Exception):
    """Outside the user's scope: answered with 403 and the Norwegian message."""

    def __init__(self, what: str) -> None:
        super().__init__(FORBIDDEN.format(what=what))


def in_scope(user: User, ranking: pd.DataFrame, level: str = "unit") -> pd.Series:
    """Boolean per ranking row: may ``user`` open this entity?"""
    if user.is_analyst:
        return pd.Series(True, index=ranking.index)
    ok = pd.Series(False, index=ranking.index)
    ids = ranking["entity_id"].astype(str)
    div = ranking["division"].astype(str) if "division" in ranking else pd.Series("", index=ranking.index)
    dep = ranking["department"].astype(str) if "department" in ranking else pd.Series("", index=ranking.index)
    for s in user.scopes:
        if s.kind == "division":
            ok |= div == s.value
        elif s.kind == "department" and level in ("unit", "department"):
            ok |= (dep == s.value) | ((level == "department") & (ids == s.value))
        elif s.kind == "unit" and level == "unit":
            ok |= ids == s.value
    return ok


def visible_peer_groups(user: User, ranking: pd.DataFrame, level: str = "unit") -> set[str] | None:
    """Peer groups whose ranking the user may read (None: all)."""
    if user.is_analyst:
        return None
    inside = in_scope(user, ranking, level)
    return set(ranking.loc[inside, "peer_group"].astype(str))


def check_entity(user: User, ranking: pd.DataFrame, entity_id: str, level: str = "unit") -> None:
    """Raise :class:`Forbidden` unless the user may open ``entity_id``."""
    row = ranking["entity_id"].astype(str) == str(entity_id)
    if not row.any():
        raise LookupError(entity_id)
    if not in_scope(user, ranking[row], level).all():
        raise Forbidden(f"enheten {entity_id}")


def check_division(user: User, division: str) -> None:
    """Packages are per clinic: analysts, or leaders with ``division:`` that division."""
    if user.is_analyst or any(s.kind == "division" and s.value == division for s in user.scopes):
        return
    raise Forbidden(f"analysepakken for {division}")


def measures_in_scope(user: User, measures: pd.DataFrame) -> pd.Series:
    """Boolean per row of a measures table — the aggregated one of a result (division rows with an
    empty department, department rows) or the raw measures (with ``unit_id``): may ``user`` read it?

    ``division:D`` reads D's rows; ``department:D`` the rows whose department is D; ``unit:U`` the
    raw measures of unit U. A division's total is not the measures of one of its departments, so a
    department or unit scope does not open it (SPEC §10: measures only within scope).
    """
    if user.is_analyst:
        return pd.Series(True, index=measures.index)
    ok = pd.Series(False, index=measures.index)

    def col(name: str) -> pd.Series:
        return measures[name].fillna("").astype(str) if name in measures else pd.Series("", index=measures.index)

    div, dep, unit = col("division"), col("department"), col("unit_id")
    for s in user.scopes:
        if s.kind == "division":
            ok |= div == s.value
        elif s.kind == "department":
            ok |= dep == s.value
        elif s.kind == "unit":
            ok |= unit == s.value
    return ok


def check_measures_division(user: User, measures: pd.DataFrame, division: str) -> None:
    """Raise :class:`Forbidden` unless the user may read some measures of ``division``."""
    if user.is_analyst:
        return
    rows = measures["division"].astype(str) == str(division) if "division" in measures else None
    if rows is None or not (rows & measures_in_scope(user, measures)).any():
        raise Forbidden(f"tiltakene i {division}")
