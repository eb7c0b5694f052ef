"""Problems found in input data or catalogues, and the errors that carry them.

Every check in the package returns a list of :class:`Issue` instead of raising at the first
problem, so that an analyst sees *every* problem in a file at once (SPEC §7). An issue names
where the problem is (file or table, row as the user sees it, column or field, criterion), the
offending value, a stable rule code, and a plain-language message. Rendering happens in one place
(:meth:`Issue.render`, :func:`render_report`) so all commands speak the same way.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal

Level = Literal["error", "warning"]

_MAX_VALUE_CHARS = 60


@dataclass(frozen=True)
class Issue:
    """One problem, located precisely enough that an analyst can find and fix it.

    ``source`` is the file or table as the user knows it (``monthly.csv``, ``units`` sheet of
    ``trust.xlsx``, ``criteria/default.toml``). ``row`` is the row number as the user sees it in
    the file (line number in a CSV including the header line; row number in Excel), or ``None``
    when the problem concerns the whole table/file. ``criterion`` names the criterion for
    catalogue problems. ``rule`` is a stable code that tests and tools can rely on.
    """

    source: str
    rule: str
    message: str
    row: int | None = None
    column: str | None = None
    value: object = None
    criterion: str | None = None
    level: Level = "error"
    hint: str | None = None

    def location(self) -> str:
        parts = [self.source]
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.criterion is not None:
            parts.append(f"criterion '{self.criterion}'")
        if self.column is not None:
            parts.append(f"column '{self.column}'" if self.criterion is None else f"field '{self.column}'")
        return ", ".join(parts)

    def render(self) -> str:
        """``monthly.csv, row 118, column 'fte_worked' = '0': <message> (rule x). <hint>``"""
        loc = self.location()
        if self.value is not None and not _is_missing(self.value):
            text = str(self.value)
            if len(text) > _MAX_VALUE_CHARS:
                text = text[: _MAX_VALUE_CHARS - 1] + "…"
            loc = f"{loc} = {text!r}"
        out = f"{loc}: {self.message} (rule {self.rule})"
        if self.hint:
            out += f". {self.hint}"
        return out


def _is_missing(value: object) -> bool:
    try:
        return value != value  # NaN
    except Exception:  # pragma: no cover - exotic objects
        return False


def errors(issues: Iterable[Issue]) -> list[Issue]:
    return [i for i in issues if i.level == "error"]


def warnings(issues: Iterable[Issue]) -> list[Issue]:
    return [i for i in issues if i.level == "warning"]


def render_report(issues: Sequence[Issue], title: str | None = None, limit: int | None = 200) -> str:
    """A report listing errors first, then warnings; long lists are cut with a count."""
    errs, warns = errors(issues), warnings(issues)
    lines: list[str] = []
    if title:
        lines.append(title)
    for heading, group in (("Errors", errs), ("Warnings", warns)):
        if not group:
            continue
        lines.append(f"{heading} ({len(group)}):")
        shown = group if limit is None else group[:limit]
        lines.extend(f"  - {i.render()}" for i in shown)
        if len(shown) < len(group):
            lines.append(f"  … and {len(group) - len(shown)} more of the same kind")
    return "\n".join(lines)


@dataclass
class BenchmarkError(Exception):
    """Base for errors that carry a list of issues; the CLI prints the report and exits 1."""

    issues: list[Issue] = field(default_factory=list)
    title: str = "The input has problems"

    def __post_init__(self) -> None:
        super().__init__(self.report())

    def report(self) -> str:
        n = len(errors(self.issues))
        return render_report(self.issues, title=f"{self.title}: {n} error(s).")

    def __str__(self) -> str:
        return self.report()


@dataclass
class DataError(BenchmarkError):
    """A dataset failed validation. ``issues`` lists every problem found, not only the first."""

    title: str = "The dataset has problems"


@dataclass
class CriteriaError(BenchmarkError):
    """A criteria catalogue failed validation; ``issues`` lists every problem found."""

    title: str = "The criteria catalogue has problems"


@dataclass
class UsageError(Exception):
    """A request that cannot be served as asked (unknown period, entity or run); CLI exit 2."""

    message: str = ""

    def __str__(self) -> str:
        return self.message
