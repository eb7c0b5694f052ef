"""``benchmark sheet`` and ``explain`` mask sensitive criteria of small units unless ``--analyst``."""

from __future__ import annotations

from benchmark.explanation.narrative import format_value
from benchmark.store import load_run
from tests.service.conftest import cli


def _sick_leave_text(store: str) -> str:
    """D7-127's sick leave "value mot target" as the analyst reads it, from the stored run itself."""
    res = load_run(store, period="2025Q3", level="unit")
    s = res.scores
    row = s[(s["entity_id"] == "D7-127") & (s["criterion"] == "sick_leave_rate")].iloc[0]
    value = format_value(res, "sick_leave_rate", row["value"], "nb")
    target = format_value(res, "sick_leave_rate", row["target"], "nb")
    return f"Sykefravær: {value} mot {target}"


def test_sheet_and_explain_mask_unless_analyst(service_store, tmp_path):
    folder, _, _ = service_store
    store = str(folder / "history.duckdb")
    leader, analyst = tmp_path / "leader.html", tmp_path / "analyst.html"
    assert cli("sheet", "D7-127", "--period", "2025Q3", "--store", store, "-o", str(leader)).returncode == 0
    assert cli("sheet", "D7-127", "--period", "2025Q3", "--store", store, "--analyst", "-o", str(analyst)).returncode == 0
    shown = _sick_leave_text(store)  # D7-127 has 3 employees: sick leave is masked for leaders
    assert shown in analyst.read_text(encoding="utf-8")
    leader_html = leader.read_text(encoding="utf-8")
    assert shown not in leader_html and "Sykefravær: skjermet (færre enn 5 ansatte)" in leader_html
    masked = cli("explain", "D7-127", "--period", "2025Q3", "--store", store)
    full = cli("explain", "D7-127", "--period", "2025Q3", "--store", store, "--analyst")
    assert masked.returncode == 0 and full.returncode == 0
    plain = shown.replace("\u00a0", " ")
    assert plain in full.stdout.replace("\u00a0", " ")
    assert plain not in masked.stdout.replace("\u00a0", " ")
    assert "Sykefravær: skjermet" in masked.stdout
