"""Safe arithmetic over columns: ``pay_overtime + pay_extra_shifts``, ``(a + b) / 12``.

Numerators and denominators of criteria are column names or simple arithmetic (``+ - * /``,
parentheses, numbers). They are parsed with Python's ``ast`` module and only these node types are
accepted — no names other than columns, no calls, no attributes — so a catalogue can never run
code. Evaluation is vectorised over a DataFrame (a Series per column).
"""

from __future__ import annotations

import ast
import operator
from dataclasses import dataclass, field

import pandas as pd

_OPS = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv}


class ExpressionError(ValueError):
    """The text is not simple arithmetic over column names."""


@dataclass(frozen=True)
class Expression:
    text: str
    columns: frozenset[str] = field(default_factory=frozenset)
    _tree: ast.expr | None = field(default=None, compare=False, repr=False)

    def evaluate(self, frame: pd.DataFrame) -> pd.Series:
        """Evaluate over ``frame``; a missing column raises ``KeyError`` naming it."""
        assert self._tree is not None
        result = _eval(self._tree, frame)
        if not isinstance(result, pd.Series):
            result = pd.Series(float(result), index=frame.index)
        return result.astype("float64")

    def words(self) -> str:
        """The formula with × and ÷ for reading."""
        return self.text.replace("*", "×").replace("/", "÷")


def parse_expression(text: str) -> Expression:
    """Parse ``text``; raises :class:`ExpressionError` with a plain message when it is not allowed."""
    src = str(text).strip()
    if not src:
        raise ExpressionError("the formula is empty")
    try:
        tree = ast.parse(src, mode="eval").body
    except SyntaxError as exc:
        raise ExpressionError(f"'{src}' is not a formula ({exc.msg})") from None
    columns: set[str] = set()
    _check(tree, columns, src)
    return Expression(src, frozenset(columns), tree)


def _check(node: ast.expr, columns: set[str], src: str) -> None:
    match node:
        case ast.Name(id=name):
            columns.add(name)
        case ast.Constant(value=v) if isinstance(v, (int, float)) and not isinstance(v, bool):
            pass
        case ast.BinOp(left=left, op=op, right=right) if type(op) in _OPS:
            _check(left, columns, src)
            _check(right, columns, src)
        case ast.UnaryOp(op=ast.USub() | ast.UAdd(), operand=operand):
            _check(operand, columns, src)
        case _:
            raise ExpressionError(f"'{src}' may only use column names, numbers, + - * / and parentheses")


def _eval(node: ast.expr, frame: pd.DataFrame):
    match node:
        case ast.Name(id=name):
            if name not in frame.columns:
                raise KeyError(name)
            return frame[name].astype("float64")
        case ast.Constant(value=v):
            return float(v)
        case ast.BinOp(left=left, op=op, right=right):
            return _OPS[type(op)](_eval(left, frame), _eval(right, frame))
        case ast.UnaryOp(op=ast.USub(), operand=operand):
            return -_eval(operand, frame)
        case ast.UnaryOp(op=ast.UAdd(), operand=operand):
            return _eval(operand, frame)
        case _:  # pragma: no cover - excluded by _check
            raise ExpressionError("unsupported formula")
