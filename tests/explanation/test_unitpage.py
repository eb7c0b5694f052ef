"""The unit page's fast pieces equal the slow builders they replace, and the identity cache keeps
its promises (one computation per live object and key; a freed object's entries never match)."""

from __future__ import annotations

import gc
import json
import threading
import time
from pathlib import Path

import pytest

import benchmark as bm
from benchmark import charts, views
from benchmark.explanation import unitpage
from benchmark.explanation.shared import IdentityCache, entity_rows
from benchmark.privacy import mask_result

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def results():
    res = bm.score(bm.load_dataset(ROOT / "fixtures" / "demo"), bm.load_criteria(), period="2025Q3", seed=1,
                   sensitivity_analysis=False)
    return res, mask_result(res)


def _inline(spec: dict) -> dict:
    """A Vega-Lite spec in one normal form: named datasets put back as values, and every view's
    data pushed down to the marks that inherit it (altair lifts data shared by all panels to the
    parent; the stamped spec keeps it on each panel — the same chart)."""
    datasets = spec.pop("datasets", {})

    def resolve(data):
        if isinstance(data, dict) and set(data) == {"name"}:
            return {"values": datasets[data["name"]]}
        return data

    def walk(node: dict, inherited):
        data = resolve(node.pop("data", None)) or inherited
        children = [c for key in ("layer", "hconcat", "vconcat") for c in node.get(key, [])]
        if children:
            for child in children:
                walk(child, data)
        elif data is not None:
            node["data"] = data

    walk(spec, None)
    return json.loads(json.dumps(spec))


def test_the_stamped_trend_spec_is_altairs_own(results):
    for res in results:
        units = res.ranking["entity_id"].tolist()
        for unit in [*units[:12], "D7-127", "no-such-unit"]:
            for lang in ("nb", "en"):
                slow = _inline(charts.trend_chart(res.monthly, res.trend, unit, catalogue=res.catalogue,
                                                  lang=lang).to_dict())
                assert _inline(unitpage.trend_spec(res, unit, lang)) == slow, (unit, lang)


def test_the_scores_table_equals_the_views_table(results):
    for res in results:
        for unit in res.ranking["entity_id"]:
            for lang in ("nb", "en"):
                slow, slow_formats = views.unit_scores_table(res, unit, lang)
                fast, fast_formats = unitpage.scores_table(res, unit, lang)
                assert slow.reset_index(drop=True).astype(object).equals(fast.astype(object)), (unit, lang)
                assert list(slow_formats) == list(fast_formats)
    masked = results[1]
    frame, _ = unitpage.scores_table(masked, "D7-127", "nb")
    assert (frame["Verdi"] == "skjermet (færre enn 5 ansatte)").sum() >= 1


def test_entity_rows_are_the_rows_a_filter_finds(results):
    res = results[0]
    for table in ("scores", "monthly", "trend", "ranking"):
        frame = getattr(res, table)
        for unit in [*res.ranking["entity_id"].tolist()[::17], "nope"]:
            expected = frame[frame["entity_id"].astype(str) == unit]
            got = entity_rows(res, table, unit)
            assert got.index.tolist() == expected.index.tolist() and got.equals(expected), (table, unit)


class Owner:
    """An object that can be weakly referenced (a Result is one)."""


def test_identity_cache_computes_once_per_live_object_and_key():
    cache, calls = IdentityCache(maxsize=8), []
    a, b = Owner(), Owner()
    assert cache.get(a, ("k",), lambda: calls.append("a") or 1) == 1
    assert cache.get(a, ("k",), lambda: calls.append("a2") or 2) == 1  # a hit
    assert cache.get(b, ("k",), lambda: calls.append("b") or 3) == 3  # another object: its own entry
    assert calls == ["a", "b"] and cache.hits == 1 and cache.misses == 2


def test_a_freed_objects_entries_never_match_a_new_object():
    cache = IdentityCache()
    for i in range(200):  # CPython reuses ids of freed objects quickly
        owner = Owner()
        assert cache.get(owner, ("k",), lambda i=i: i) == i
        del owner
        gc.collect()
    assert len(cache) <= 2  # dead entries are dropped


def test_concurrent_misses_of_one_key_compute_once():
    cache, calls, owner = IdentityCache(), [], Owner()

    def slow():
        calls.append(1)
        time.sleep(0.05)
        return "v"

    out = []
    threads = [threading.Thread(target=lambda: out.append(cache.get(owner, ("k",), slow))) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert out == ["v"] * 8 and calls == [1]


def test_a_failed_computation_is_not_cached():
    cache, owner = IdentityCache(), Owner()
    with pytest.raises(ZeroDivisionError):
        cache.get(owner, ("k",), lambda: 1 / 0)
    assert cache.get(owner, ("k",), lambda: 5) == 5
