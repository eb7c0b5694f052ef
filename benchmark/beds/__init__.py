"""The bed-capacity draft (SPEC §12): forecast each ward's midnight census, recommend beds per week.

history → forecast → recommend (quantile rule, closures, trade-off) → staffing → erlang → backtest;
:func:`beds` runs them and returns a frozen :class:`BedsResult`. Writers live in
:mod:`benchmark.beds.outputs`, the store record in :mod:`benchmark.beds.record`.
"""

from benchmark.beds.messages import explain_week
from benchmark.beds.recommend import recommend
from benchmark.beds.result import BedsResult, beds

__all__ = ["BedsResult", "beds", "explain_week", "recommend"]


class _CallablePackage(__import__("types").ModuleType):
    """``bm.beds(ds, year=2027)`` calls :func:`beds`; ``bm.beds.recommend`` still reaches the package.

    The package and the SPEC's function share the name ``beds``; once any ``benchmark.beds.*``
    module is imported Python binds the package to ``benchmark.beds``, so the package itself is
    made callable instead of letting the name flip between function and package.
    """

    def __call__(self, *args, **kwargs) -> BedsResult:
        return beds(*args, **kwargs)


__import__("sys").modules[__name__].__class__ = _CallablePackage
