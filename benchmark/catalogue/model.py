"""Criteria and catalogues as immutable objects; tuning returns a new catalogue.

A :class:`Catalogue` is the resolved content of a TOML file (criteria/README.md describes the
format). Its :meth:`Catalogue.hash` is computed from the content, not the file's bytes, so it
changes when a weight or target changes and not when a comment or the layout does; the run history
stores it with every run.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field

from benchmark.catalogue.expression import Expression


@dataclass(frozen=True)
class Potential:
    unit: str = "none"  # fte | knok | none
    volume: Expression | None = None  # default: the denominator
    gap: str = "absolute"  # absolute | relative
    additive: bool = False


@dataclass(frozen=True)
class Peers:
    """``[peers]`` (SPEC §4): how peer groups are formed (benchmark/scoring/peergroups.py)."""

    by: tuple[str, ...] = ("care_level", "service_area")
    min_size: int = 8
    method: str = "groups"  # groups | knn
    k: int = 10
    features: tuple[str, ...] = ("log_fte",)
    knn_above: int = 30  # kNN comparison sets only in groups larger than this

    def to_dict(self) -> dict:
        return {"by": list(self.by), "min_size": self.min_size, "method": self.method, "k": self.k,
                "features": list(self.features), "knn_above": self.knn_above}


@dataclass(frozen=True)
class Criterion:
    id: str
    name: Mapping[str, str]
    description: Mapping[str, str]
    rationale: Mapping[str, str]
    numerator: Expression
    denominator: Expression
    direction: str
    source: str = "monthly"
    numerator_by_care_level: Mapping[str, Expression | None] = field(default_factory=dict)
    levels: tuple[str, ...] = ("unit", "department", "division")
    peer_group: str = "peers"  # "peers" = the catalogue's [peers]; or a units column, or "all"
    window: str = "period"
    target: str | float = "median"
    model: str = "scaled"
    overdispersion: str = "multiplicative"
    weight: float = 1.0
    min_denominator: float = 0.0
    value_format: str = "number"
    value_unit: Mapping[str, str] = field(default_factory=dict)
    potential: Potential = field(default_factory=Potential)
    sensitive: bool = False  # health or personal data: masked for small units (benchmark/privacy.py)
    scale: str = "identity"  # "months" model: the funnel's scale (identity, sqrt, log; docs/METHODS.md)

    @property
    def sign(self) -> int:
        """+1 when higher is better, −1 when lower is better."""
        return 1 if self.direction == "higher_is_better" else -1

    def numerator_for(self, care_level: str, service_area: str | None = None) -> Expression | None:
        """The numerator for units of ``care_level`` (None: not scored for that care level).

        A key ``care_level.service_area`` (``inpatient.mental_health``) wins over ``care_level``.
        """
        if service_area and f"{care_level}.{service_area}" in self.numerator_by_care_level:
            return self.numerator_by_care_level[f"{care_level}.{service_area}"]
        if care_level in self.numerator_by_care_level:
            return self.numerator_by_care_level[care_level]
        return self.numerator

    def columns(self) -> set[str]:
        cols = set(self.numerator.columns) | set(self.denominator.columns)
        for expr in self.numerator_by_care_level.values():
            if expr is not None:
                cols |= set(expr.columns)
        if self.potential.volume is not None:
            cols |= set(self.potential.volume.columns)
        return cols

    def to_dict(self) -> dict:
        """Plain content (for hashing, TOML and the run store)."""
        out = {
            "id": self.id, "name": dict(self.name), "description": dict(self.description),
            "rationale": dict(self.rationale), "source": self.source,
            "numerator": self.numerator.text, "denominator": self.denominator.text,
            "direction": self.direction, "levels": list(self.levels), "peer_group": self.peer_group,
            "window": self.window, "target": self.target, "model": self.model,
            "overdispersion": self.overdispersion, "weight": self.weight,
            "min_denominator": self.min_denominator, "value_format": self.value_format,
            "value_unit": dict(self.value_unit),
            "potential": {"unit": self.potential.unit, "gap": self.potential.gap,
                          "additive": self.potential.additive,
                          **({"volume": self.potential.volume.text} if self.potential.volume else {})},
        }
        if self.sensitive:
            out["sensitive"] = True
        if self.scale != "identity":
            out["scale"] = self.scale
        if self.numerator_by_care_level:
            out["numerator_by_care_level"] = {k: (v.text if v is not None else "")
                                              for k, v in self.numerator_by_care_level.items()}
        return out


@dataclass(frozen=True)
class Catalogue:
    version: str
    criteria: tuple[Criterion, ...]
    title: Mapping[str, str] = field(default_factory=dict)
    risk_probabilities: Mapping[str, float] = field(
        default_factory=lambda: {"low": 0.9, "medium": 0.6, "high": 0.3})
    extra_columns: tuple[str, ...] = ()
    path: str | None = None
    min_headcount: int = 5  # [privacy]: sensitive criteria of smaller units are masked (SPEC §10)
    peers: Peers = field(default_factory=Peers)

    def get(self, criterion_id: str) -> Criterion:
        for c in self.criteria:
            if c.id == criterion_id:
                return c
        raise KeyError(f"no criterion '{criterion_id}' in catalogue {self.version}")

    @property
    def sensitive(self) -> tuple[str, ...]:
        """Ids of the criteria marked ``sensitive = true``."""
        return tuple(c.id for c in self.criteria if c.sensitive)

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(c.id for c in self.criteria)

    def weights(self) -> dict[str, float]:
        return {c.id: c.weight for c in self.criteria}

    def to_dict(self) -> dict:
        return {"version": self.version, "title": dict(self.title),
                "risk_probabilities": dict(self.risk_probabilities),
                "extra_columns": list(self.extra_columns),
                "peers": self.peers.to_dict(),
                "criterion": [c.to_dict() for c in self.criteria],
                **({"privacy": {"min_headcount": self.min_headcount}} if self.min_headcount != 5 else {})}

    def hash(self) -> str:
        """sha256 of the canonical content: changes with any weight or target, not with layout."""
        text = json.dumps(self.to_dict(), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(text.encode()).hexdigest()

    def _replace(self, field_name: str, values: Mapping[str, object]) -> Catalogue:
        unknown = set(values) - set(self.ids)
        if unknown:
            raise KeyError(f"unknown criteria: {', '.join(sorted(unknown))}")
        criteria = tuple(dataclasses.replace(c, **{field_name: values[c.id]}) if c.id in values else c
                         for c in self.criteria)
        return dataclasses.replace(self, criteria=criteria)

    def with_weights(self, weights: Mapping[str, float]) -> Catalogue:
        return self._replace("weight", {k: float(v) for k, v in weights.items()})

    def with_targets(self, targets: Mapping[str, str | float]) -> Catalogue:
        return self._replace("target", targets)

    def with_min_denominators(self, sizes: Mapping[str, float]) -> Catalogue:
        return self._replace("min_denominator", {k: float(v) for k, v in sizes.items()})

    def with_version(self, version: str) -> Catalogue:
        return dataclasses.replace(self, version=version)

    def to_toml(self) -> str:
        """TOML text that loads back to an equal catalogue (comments are not kept)."""
        import tomli_w

        return tomli_w.dumps(self.to_dict())
