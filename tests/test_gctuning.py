"""The garbage-collector extension: freezes start-up objects and raises the young threshold while the engine runs, then undoes both."""

from __future__ import annotations

import gc

import pytest
from scrapy import signals
from scrapy.utils.test import get_crawler

from zonecrawler.crawl.gctuning import GcTuning, threshold_from_setting


@pytest.fixture
def python_gc_defaults():
    """Leave the collector as the test found it, whatever the test does."""
    saved = gc.get_threshold()
    yield saved
    gc.set_threshold(*saved)
    gc.unfreeze()


def _started_and_stopped(settings: dict):
    """(freeze count, thresholds) while the engine runs and after it stopped."""
    crawler = get_crawler(settings_dict=settings)
    extension = GcTuning.from_crawler(crawler)  # held: signal receivers are weak references
    crawler.signals.send_catch_log(signals.engine_started)
    during = gc.get_freeze_count(), gc.get_threshold()
    crawler.signals.send_catch_log(signals.engine_stopped)
    after = gc.get_freeze_count(), gc.get_threshold()
    del extension
    return during, after


def test_engine_run_freezes_start_up_objects_and_raises_the_threshold_then_restores(python_gc_defaults):
    (frozen, threshold), (frozen_after, threshold_after) = _started_and_stopped(
        {"ZONECRAWLER_GC_FREEZE": True, "ZONECRAWLER_GC_THRESHOLD": 12_345})
    assert frozen > 1000  # modules, Scrapy's components, this test's objects ...
    assert threshold == (12_345, *python_gc_defaults[1:])
    assert frozen_after == 0 and threshold_after == python_gc_defaults


def test_objects_created_after_start_up_are_still_collected(python_gc_defaults):
    crawler = get_crawler(settings_dict={"ZONECRAWLER_GC_THRESHOLD": 10_000})
    extension = GcTuning.from_crawler(crawler)  # held: signal receivers are weak references
    crawler.signals.send_catch_log(signals.engine_started)
    try:
        assert gc.get_freeze_count() > 1000 and extension.threshold == 10_000
        class Node:
            pass

        cycle = Node()
        cycle.self = cycle
        del cycle
        assert gc.collect() >= 1  # the new garbage cycle is found: only start-up objects are frozen
    finally:
        crawler.signals.send_catch_log(signals.engine_stopped)


def test_switched_off_it_changes_nothing(python_gc_defaults):
    during, after = _started_and_stopped({"ZONECRAWLER_GC_FREEZE": False, "ZONECRAWLER_GC_THRESHOLD": 0})
    assert during == after == (0, python_gc_defaults)


def test_threshold_setting_values():
    assert threshold_from_setting(None) is None and threshold_from_setting(0) is None and threshold_from_setting("0") is None
    assert threshold_from_setting("5000") == threshold_from_setting(5000) == 5000
    for bad in ("many", -3, 2.5):
        with pytest.raises(ValueError, match="ZONECRAWLER_GC_THRESHOLD must be a whole number of allocations"):
            threshold_from_setting(bad)


def test_a_bad_threshold_stops_the_crawl_before_it_starts():
    with pytest.raises(ValueError, match="ZONECRAWLER_GC_THRESHOLD"):
        GcTuning.from_crawler(get_crawler(settings_dict={"ZONECRAWLER_GC_THRESHOLD": "lots"}))
