"""Read a criteria catalogue (TOML) into a :class:`Catalogue`, reporting every problem at once.

Three layers, as dbt's metric specs do it: parse the TOML (a syntax error names its line); check
each criterion's fields against closed vocabularies and the data contract, collecting issues
(file, criterion id and its line, field, value, what is wrong, a hint with the closest valid name);
then catalogue-wide rules (duplicate ids, all-zero weights). Only a catalogue without errors is
built.
"""

from __future__ import annotations

import difflib
import re
import tomllib
from pathlib import Path

from benchmark.catalogue.expression import Expression, ExpressionError, parse_expression
from benchmark.catalogue.model import Catalogue, Criterion, Peers, Potential
from benchmark.dataset.contract import monthly_numeric_columns
from benchmark.issues import CriteriaError, Issue
from benchmark.periods import WINDOWS
from benchmark.vocabulary import CareLevel, Direction, Level, ServiceArea

DIRECTIONS = tuple(d.value for d in Direction)
LEVELS = tuple(level.value for level in Level)
TARGETS = ("median", "upper_quartile", "mean")
MODELS = ("proportion", "ratio", "indirect", "scaled", "months")
SCALES = ("identity", "sqrt", "log")  # the "months" funnel's scale (benchmark/scoring/calibrated.py)
OVERDISPERSION = ("none", "multiplicative", "additive")
POTENTIAL_UNITS = ("fte", "knok", "none")
GAPS = ("absolute", "relative")
SOURCES = ("monthly", "measures")
VALUE_FORMATS = ("percent", "number", "index")
MEASURE_COLUMNS = ("effect_realised", "effect_risk_adjusted_to_date", "effect_planned",
                   "effect_expected_to_date", "effect_risk_adjusted")
LANGS = ("nb", "en")
REQUIRED = ("id", "name", "description", "rationale", "numerator", "denominator", "direction")


class _Collector:
    def __init__(self, source: str, text: str) -> None:
        self.source, self.text, self.issues = source, text, []

    def line_of(self, criterion_id: str | None) -> int | None:
        if not criterion_id:
            return None
        m = re.search(rf'^\s*id\s*=\s*["\']{re.escape(criterion_id)}["\']', self.text, re.M)
        return self.text[: m.start()].count("\n") + 1 if m else None

    def add(self, criterion: str | None, field: str | None, value: object, rule: str, message: str,
            hint: str | None = None) -> None:
        self.issues.append(Issue(self.source, rule, message, row=self.line_of(criterion), column=field,
                                 value=value, criterion=criterion, hint=hint))


def _closest(word: str, options) -> str | None:
    match = difflib.get_close_matches(str(word), list(options), n=1, cutoff=0.6)
    return f"Did you mean '{match[0]}'?" if match else None


def _choice(c: _Collector, cid: str, field: str, value, options, rule: str) -> str:
    if value not in options:
        c.add(cid, field, value, rule, f"must be one of {', '.join(options)}", _closest(value, options))
    return value


def _text(c: _Collector, cid: str, item: dict, field: str) -> dict[str, str]:
    value = item.get(field)
    if isinstance(value, str):
        c.add(cid, field, value, "missing_language", "needs both Norwegian (nb) and English (en) text",
              f'Write {field} = {{ nb = "…", en = "…" }}')
        return {"nb": value, "en": value}
    if not isinstance(value, dict):
        return {}
    for lang in LANGS:
        if not str(value.get(lang, "")).strip():
            c.add(cid, f"{field}.{lang}", None, "missing_language",
                  f"the {'Norwegian' if lang == 'nb' else 'English'} text is missing")
    return {k: str(v) for k, v in value.items()}


def _expr(c: _Collector, cid: str, field: str, text, allowed: set[str]) -> Expression | None:
    try:
        expr = parse_expression(str(text))
    except ExpressionError as exc:
        c.add(cid, field, text, "bad_formula", str(exc))
        return None
    for col in sorted(expr.columns - allowed):
        c.add(cid, field, col, "unknown_column", "is not a column of the data contract",
              _closest(col, allowed) or "Declare trust-specific columns in extra_columns = [...]")
    return expr


# fields whose TOML type is fixed: a wrong type is one clear issue, not a TypeError deep inside
TYPES: dict[str, tuple[tuple[type, ...], str]] = {
    "id": ((str,), "text"), "numerator": ((str,), "a formula in quotes"),
    "denominator": ((str,), "a formula in quotes"), "direction": ((str,), "text"), "source": ((str,), "text"),
    "levels": ((list, str), "a list such as [\"unit\", \"department\"]"), "peer_group": ((str,), "text"),
    "window": ((str,), "text"), "model": ((str,), "text"), "overdispersion": ((str,), "text"),
    "scale": ((str,), "text"), "target": ((str, int, float), "median, upper_quartile, mean or a number"), "weight": ((int, float), "a number"),
    "min_denominator": ((int, float), "a number"), "value_format": ((str,), "text"),
    "numerator_by_care_level": ((dict,), "a table { inpatient = \"…\", … }"),
    "potential": ((dict,), "a table [criterion.potential]"),
    "name": ((dict, str), "a table { nb = \"…\", en = \"…\" }"),
    "description": ((dict, str), "a table { nb = \"…\", en = \"…\" }"),
    "rationale": ((dict, str), "a table { nb = \"…\", en = \"…\" }"),
    "value_unit": ((dict, str), "a table { nb = \"…\", en = \"…\" }"),
}


def _wrong_types(c: _Collector, cid: str | None, item: dict) -> bool:
    """Report fields of the wrong TOML type; True when any was found (the criterion is not built)."""
    bad = False
    for field, (types, words) in TYPES.items():
        if field in item and (not isinstance(item[field], types) or isinstance(item[field], bool)):
            c.add(cid, field, item[field], "wrong_type", f"must be {words}, not {_toml_type(item[field])}")
            bad = True
    levels = item.get("levels")
    if isinstance(levels, list) and not all(isinstance(x, str) for x in levels):
        c.add(cid, "levels", levels, "wrong_type", "every level must be text (unit, department, division)")
        bad = True
    for field in ("numerator_by_care_level", "potential"):
        table = item.get(field)
        if isinstance(table, dict):
            for key, value in table.items():
                if field == "numerator_by_care_level" and not isinstance(value, str):
                    c.add(cid, f"{field}.{key}", value, "wrong_type", "must be a formula in quotes (\"\" = not scored)")
                    bad = True
                if field == "potential" and key in ("unit", "volume", "gap") and not isinstance(value, str):
                    c.add(cid, f"{field}.{key}", value, "wrong_type", "must be text")
                    bad = True
    return bad


def _toml_type(value: object) -> str:
    match value:
        case bool():
            return "true/false"
        case int() | float():
            return f"the number {value}"
        case str():
            return "text"
        case list():
            return "a list"
        case dict():
            return "a table"
    return type(value).__name__


def _criterion(c: _Collector, item: dict, extra: set[str]) -> Criterion | None:
    raw_id = item.get("id", "")
    cid = str(raw_id).strip() if isinstance(raw_id, str) else ""
    if _wrong_types(c, cid or None, item):
        return None
    if not cid:
        c.add(None, "id", None, "missing_field", "a criterion has no id")
        return None
    for f in REQUIRED:
        if f not in item:
            c.add(cid, f, None, "missing_field", "this field is required")
    source = _choice(c, cid, "source", item.get("source", "monthly"), SOURCES, "unknown_source")
    allowed = set(MEASURE_COLUMNS) if source == "measures" else set(monthly_numeric_columns()) | extra
    num = _expr(c, cid, "numerator", item.get("numerator", "0"), allowed) if "numerator" in item else None
    den = _expr(c, cid, "denominator", item.get("denominator", "1"), allowed) if "denominator" in item else None
    by_care: dict[str, Expression | None] = {}
    for level, text in dict(item.get("numerator_by_care_level", {})).items():
        care_part, _, area_part = str(level).partition(".")
        if area_part and area_part not in {a.value for a in ServiceArea}:
            c.add(cid, "numerator_by_care_level", level, "unknown_service_area",
                  "is not a service area", _closest(area_part, [a.value for a in ServiceArea]))
        if care_part not in {cl.value for cl in CareLevel}:
            c.add(cid, "numerator_by_care_level", level, "unknown_care_level",
                  "is not a care level", _closest(level, [cl.value for cl in CareLevel]))
        by_care[level] = None if str(text).strip() == "" else _expr(
            c, cid, f"numerator_by_care_level.{level}", text, allowed)
    direction = _choice(c, cid, "direction", item.get("direction"), DIRECTIONS, "unknown_direction")
    levels = item.get("levels", list(LEVELS))
    levels = [levels] if isinstance(levels, str) else list(levels)
    for level in levels:
        _choice(c, cid, "levels", level, LEVELS, "unknown_level")
    window = _choice(c, cid, "window", item.get("window", "period"), WINDOWS, "unknown_window")
    target = item.get("target", "median")
    if not isinstance(target, (int, float)) or isinstance(target, bool):
        _choice(c, cid, "target", target, TARGETS, "unknown_target")
    model = _choice(c, cid, "model", item.get("model", "scaled"), MODELS, "unknown_model")
    scale = _choice(c, cid, "scale", item.get("scale", "identity"), SCALES, "unknown_scale")
    od = _choice(c, cid, "overdispersion", item.get("overdispersion", "multiplicative"),
                 OVERDISPERSION, "unknown_overdispersion")
    weight = item.get("weight", 1.0)
    if not isinstance(weight, (int, float)) or isinstance(weight, bool) or weight < 0:
        c.add(cid, "weight", weight, "negative_weight", "a weight must be a number, 0 or more")
        weight = 0.0
    min_den = item.get("min_denominator", 0.0)
    if not isinstance(min_den, (int, float)) or min_den < 0:
        c.add(cid, "min_denominator", min_den, "bad_min_size", "the minimum size must be a number, 0 or more")
        min_den = 0.0
    vf = _choice(c, cid, "value_format", item.get("value_format", "number"), VALUE_FORMATS, "unknown_format")
    pot = dict(item.get("potential", {}))
    unit = _choice(c, cid, "potential.unit", pot.get("unit", "none"), POTENTIAL_UNITS, "unknown_potential_unit")
    gap = _choice(c, cid, "potential.gap", pot.get("gap", "absolute"), GAPS, "unknown_gap")
    volume = _expr(c, cid, "potential.volume", pot["volume"], allowed) if pot.get("volume") else None
    texts = {f: _text(c, cid, item, f) for f in ("name", "description", "rationale")}
    value_unit = item.get("value_unit", {})
    sensitive = item.get("sensitive", False)
    if not isinstance(sensitive, bool):
        c.add(cid, "sensitive", sensitive, "bad_sensitive", "must be true or false")
        sensitive = True  # when in doubt, protect
    if num is None or den is None:
        return None
    return Criterion(
        id=cid, name=texts["name"], description=texts["description"], rationale=texts["rationale"],
        numerator=num, denominator=den, direction=direction, source=source,
        numerator_by_care_level=by_care, levels=tuple(levels), peer_group=str(item.get("peer_group", "peers")),
        window=window, target=float(target) if isinstance(target, (int, float)) else target, model=model,
        overdispersion=od, weight=float(weight), min_denominator=float(min_den), value_format=vf,
        value_unit=dict(value_unit) if isinstance(value_unit, dict) else {"nb": str(value_unit), "en": str(value_unit)},
        potential=Potential(unit=unit, volume=volume, gap=gap, additive=bool(pot.get("additive", False))),
        sensitive=sensitive, scale=scale or "identity",
    )


PEER_METHODS = ("groups", "knn")
PEER_BY = ("care_level", "service_area", "specialty", "division", "department")


def _peers(c: _Collector, raw: dict) -> Peers:
    """``[peers]``: by, min_size, method, k, features, knn_above (every problem reported)."""
    default = Peers()
    by = raw.get("by", list(default.by))
    by = [by] if isinstance(by, str) else list(by)
    for col in by:
        _choice(c, None, "peers.by", col, PEER_BY, "unknown_peer_column")
    out = {}
    for name in ("min_size", "k", "knn_above"):
        value = raw.get(name, getattr(default, name))
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            c.add(None, f"peers.{name}", value, "bad_peers", "must be a whole number, 1 or more")
            value = getattr(default, name)
        out[name] = value
    method = _choice(c, None, "peers.method", raw.get("method", default.method), PEER_METHODS, "unknown_peer_method")
    features = raw.get("features", list(default.features))
    features = [features] if isinstance(features, str) else [str(f) for f in features]
    for name in sorted(set(raw) - {"by", "min_size", "method", "k", "features", "knn_above"}):
        c.add(None, f"peers.{name}", raw[name], "unknown_field", "is not a [peers] setting",
              _closest(name, ["by", "min_size", "method", "k", "features", "knn_above"]))
    return Peers(by=tuple(by), min_size=out["min_size"], method=method, k=out["k"],
                 features=tuple(features), knn_above=out["knn_above"])


def parse_catalogue(text: str, source: str) -> tuple[Catalogue | None, list[Issue]]:
    c = _Collector(source, text)
    try:
        data = tomllib.loads(text)
    except RecursionError:
        c.issues.append(Issue(source, "bad_toml", "the file is nested too deeply to be read"))
        return None, c.issues
    except tomllib.TOMLDecodeError as exc:
        line = getattr(exc, "lineno", None)
        if line is None:  # Python 3.11 has the line only in the message
            found = re.search(r"at line (\d+)", str(exc))
            line = int(found.group(1)) if found else None
        c.issues.append(Issue(source, "bad_toml", f"the file is not valid TOML ({exc})", row=line))
        return None, c.issues
    version = str(data.get("version", "")).strip()
    if not version:
        c.add(None, "version", None, "missing_version", "the catalogue needs a version, e.g. version = \"2025.1\"")
    extra_raw = data.get("extra_columns", [])
    if not isinstance(extra_raw, list) or not all(isinstance(x, str) for x in extra_raw):
        c.add(None, "extra_columns", extra_raw, "wrong_type", "must be a list of column names in quotes")
        extra_raw = []
    extra = set(extra_raw)
    items = data.get("criterion", [])
    if not isinstance(items, list) or not all(isinstance(x, dict) for x in items):
        c.add(None, "criterion", items if not isinstance(items, list) else None, "wrong_type",
              "criteria are written as [[criterion]] tables, each with id = \"…\" and its fields")
        items = [x for x in items if isinstance(x, dict)] if isinstance(items, list) else []
    elif not items:
        c.add(None, "criterion", None, "no_criteria", "the catalogue has no [[criterion]] entries")
    for key in ("title", "risk_probabilities"):
        if key in data and not isinstance(data[key], dict):
            c.add(None, key, data[key], "wrong_type", f"must be a table ([{key}] or {key} = {{ … }})")
            data = {k: v for k, v in data.items() if k != key}
    criteria = [_criterion(c, dict(item), extra) for item in items]
    ids = [str(item.get("id", "")) for item in items]
    for cid in sorted({i for i in ids if i and ids.count(i) > 1}):
        c.add(cid, "id", cid, "duplicate_id", f"the id appears {ids.count(cid)} times; ids must be unique")
    if items and all(float(item.get("weight", 1.0) or 0) == 0 for item in items
                     if isinstance(item.get("weight", 1.0), (int, float))):
        c.add(None, "weight", 0, "all_zero_weights", "all weights are 0, so no composite can be formed")
    probs = dict(data.get("risk_probabilities", {"low": 0.9, "medium": 0.6, "high": 0.3}))
    for risk in ("low", "medium", "high"):
        p = probs.get(risk)
        if not isinstance(p, (int, float)) or not 0 <= p <= 1:
            c.add(None, f"risk_probabilities.{risk}", p, "bad_probability", "must be a probability between 0 and 1")
    privacy = data.get("privacy", {})
    min_headcount = privacy.get("min_headcount", 5) if isinstance(privacy, dict) else None
    if not isinstance(min_headcount, int) or isinstance(min_headcount, bool) or min_headcount < 1:
        c.add(None, "privacy.min_headcount", min_headcount, "bad_min_headcount",
              "must be a whole number of employees, 1 or more", "Write [privacy] min_headcount = 5")
        min_headcount = 5
    peers = _peers(c, dict(data.get("peers", {})))
    if c.issues:
        return None, c.issues
    catalogue = Catalogue(peers=peers, version=version, criteria=tuple(x for x in criteria if x is not None),
                          title=dict(data.get("title", {})), risk_probabilities={k: float(v) for k, v in probs.items()},
                          extra_columns=tuple(sorted(extra)), path=source, min_headcount=min_headcount)
    return catalogue, []


def check_criteria(path: str | Path) -> tuple[Catalogue | None, list[Issue]]:
    """Read and check a catalogue file; never raises for catalogue problems.

    The file may be UTF-8 (with or without BOM) or, as Windows editors save it, Windows-1252.
    """
    from benchmark.dataset.sniff import decode_text, looks_binary

    p = Path(path)
    try:
        data = p.read_bytes()
    except IsADirectoryError:
        return None, [Issue(str(path), "unreadable_file", "this is a folder; give the catalogue file (.toml)")]
    except FileNotFoundError:
        return None, [Issue(str(path), "unreadable_file", "there is no catalogue file at this path")]
    except OSError as exc:
        return None, [Issue(str(path), "unreadable_file", f"the catalogue cannot be read ({exc.strerror})")]
    text, _ = decode_text(data)
    if looks_binary(text):
        return None, [Issue(str(path), "bad_toml", "this is not a text file; a catalogue is a TOML text file")]
    try:
        return parse_catalogue(text, str(path))
    except RecursionError:
        return None, [Issue(str(path), "bad_toml", "the file is nested too deeply to be read")]


def load_criteria(path: str | Path | None = None) -> Catalogue:
    """The catalogue at ``path`` (default: criteria/default.toml); raises CriteriaError listing every problem."""
    catalogue, issues = check_criteria(path or default_catalogue_path())
    if catalogue is None:
        raise CriteriaError(issues=issues)
    return catalogue


def default_catalogue_path() -> Path:
    """criteria/default.toml of the checkout (or the copy packaged with benchmark)."""
    here = Path(__file__).resolve()
    checkout = here.parents[2] / "criteria" / "default.toml"
    return checkout if checkout.exists() else here.parent / "default.toml"
