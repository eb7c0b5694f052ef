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


MAX_LENGTH = 2000  # characters; a catalogue formula is a few column names, not a program
MAX_DEPTH = 60  # nesting of operations (a + b + c … counts one level per +)


def parse_expression(text: str) -> Expression:
    """Parse ``text``; raises :class:`ExpressionError` with a plain message when it is not allowed.

    Besides the allowed node types: at most ``MAX_LENGTH`` characters and ``MAX_DEPTH`` levels (a
    5 000-term sum used to crash Python's parser with RecursionError), and no division by a
    constant zero such as ``(1/0)`` or ``x / (2 - 2)``, which ``criteria check`` would otherwise
    pass and ``run`` crash on.
    """
    src = str(text).strip()
    if not src:
        raise ExpressionError("the formula is empty")
    if len(src) > MAX_LENGTH:
        raise ExpressionError(f"the formula has {len(src)} characters; at most {MAX_LENGTH} are allowed")
    try:
        tree = ast.parse(src, mode="eval").body
    except SyntaxError as exc:
        raise ExpressionError(f"'{_short(src)}' is not a formula ({exc.msg})") from None
    except (RecursionError, MemoryError):
        raise ExpressionError("the formula is nested too deeply to be read") from None
    if _depth(tree) > MAX_DEPTH:
        raise ExpressionError(f"the formula is nested more than {MAX_DEPTH} levels deep; simplify it "
                              "(e.g. sum the columns in the data)")
    columns: set[str] = set()
    _check(tree, columns, src)
    _no_constant_zero_division(tree, src)
    return Expression(src, frozenset(columns), tree)


def _short(src: str) -> str:
    return src if len(src) <= 60 else src[:59] + "…"


def _depth(tree: ast.expr) -> int:
    """Nesting depth, computed without recursion (so a deep tree cannot overflow the stack)."""
    deepest, stack = 0, [(tree, 1)]
    while stack:
        node, d = stack.pop()
        deepest = max(deepest, d)
        stack.extend((child, d + 1) for child in ast.iter_child_nodes(node) if isinstance(child, ast.expr))
    return deepest


def _constant(node: ast.expr) -> float | None:
    """The value of a sub-formula without columns, or None (division by zero raises)."""
    match node:
        case ast.Constant(value=v):
            return float(v)
        case ast.UnaryOp(op=ast.USub(), operand=o):
            v = _constant(o)
            return None if v is None else -v
        case ast.UnaryOp(op=ast.UAdd(), operand=o):
            return _constant(o)
        case ast.BinOp(left=left, op=op, right=right):
            a, b = _constant(left), _constant(right)
            if isinstance(op, ast.Div) and b == 0:
                raise ZeroDivisionError
            return None if a is None or b is None else _OPS[type(op)](a, b)
    return None


def _no_constant_zero_division(tree: ast.expr, src: str) -> None:
    for node in ast.walk(tree):
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div):
            try:
                divisor = _constant(node.right)
            except ZeroDivisionError:
                divisor = 0.0
            if divisor == 0:
                raise ExpressionError(f"'{_short(src)}' divides by zero")


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
            raise ExpressionError(f"'{_short(src)}' may only use column names, numbers, + - * / and parentheses")


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
