"""Analysis packages per clinic (analysepakker, SPEC §13): activity and staffing per care level.

``render_package_html`` gives the self-contained, printable HTML of one division's package (the
service's ``/pakke/<period>/<division>`` route calls it); ``write_package`` writes the HTML and the
workbook with the same numbers. Modules: :mod:`.source` (the run, its dataset, plan/beds files) ·
:mod:`.series` (sums and indices) · :mod:`.content` (the package's tables) · :mod:`.notes` (reading
notes) · :mod:`.disclosure` (what may be printed) · :mod:`.charts` · :mod:`.html` · :mod:`.workbook`.
"""

from __future__ import annotations

from benchmark.pack.render import render_package_html, write_package

__all__ = ["render_package_html", "write_package"]
