"""``benchmark sheet`` and ``explain`` mask sensitive criteria of small units unless ``--analyst``."""

from __future__ import annotations

from tests.service.conftest import cli


def test_sheet_and_explain_mask_unless_analyst(service_store, tmp_path):
    folder, _, _ = service_store
    store = str(folder / "history.duckdb")
    leader, analyst = tmp_path / "leader.html", tmp_path / "analyst.html"
    assert cli("sheet", "D7-127", "--period", "2025Q3", "--store", store, "-o", str(leader)).returncode == 0
    assert cli("sheet", "D7-127", "--period", "2025Q3", "--store", store, "--analyst", "-o", str(analyst)).returncode == 0
    shown = "5,6\u00a0% → 6,1\u00a0%"  # D7-127's sick leave, shrunk toward its peers (as the analyst reads it)
    assert shown in analyst.read_text(encoding="utf-8")
    assert shown not in leader.read_text(encoding="utf-8")
    masked = cli("explain", "D7-127", "--period", "2025Q3", "--store", store)
    full = cli("explain", "D7-127", "--period", "2025Q3", "--store", store, "--analyst")
    assert masked.returncode == 0 and full.returncode == 0
    plain = shown.replace("\u00a0", " ")
    assert plain in full.stdout.replace("\u00a0", " ")
    assert plain not in masked.stdout.replace("\u00a0", " ")
