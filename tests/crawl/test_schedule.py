"""Adaptive polling intervals (:mod:`provenance.schedule`)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from provenance.schedule import PollOutcome, PollPolicy, next_interval, next_poll_at

POLICY = PollPolicy(min_interval=60, max_interval=3600, initial_interval=600, spread=0.1)
NOW = datetime(2024, 5, 17, 8, 0, tzinfo=UTC)


def test_first_poll_starts_from_the_initial_interval() -> None:
    assert next_interval(None, PollOutcome(new_items=0), policy=POLICY) == 600
    assert next_interval(None, PollOutcome(new_items=5), policy=POLICY) == 300
    assert next_interval(None, PollOutcome(failed=True), policy=POLICY) == 1200


def test_new_items_halve_the_interval_down_to_the_minimum() -> None:
    interval: float | None = None
    seen = []
    for _ in range(8):
        interval = next_interval(interval, PollOutcome(new_items=3), policy=POLICY)
        seen.append(interval)
    assert seen[:4] == [300, 150, 75, 60]
    assert min(seen) == 60 and seen[-1] == 60


def test_quiet_polls_back_off_up_to_the_maximum() -> None:
    interval: float = 600
    seen = []
    for _ in range(10):
        interval = next_interval(interval, PollOutcome(new_items=0), policy=POLICY)
        seen.append(interval)
    assert seen[:2] == [900, 1350]
    assert seen == sorted(seen) and seen[-1] == 3600


def test_failures_back_off_faster_than_quiet_polls() -> None:
    quiet = next_interval(600, PollOutcome(), policy=POLICY)
    failed = next_interval(600, PollOutcome(failed=True), policy=POLICY)
    assert failed > quiet
    assert next_interval(3000, PollOutcome(failed=True), policy=POLICY) == 3600


def test_the_rate_adapts_both_ways() -> None:
    busy = next_interval(
        next_interval(600, PollOutcome(new_items=1), policy=POLICY),
        PollOutcome(new_items=1),
        policy=POLICY,
    )
    assert busy == 150
    assert next_interval(busy, PollOutcome(), policy=POLICY) == 225


def test_next_poll_at_spreads_feeds_but_stays_stable_and_bounded() -> None:
    a1 = next_poll_at(NOW, 600, key="http://a.test/feed", policy=POLICY)
    a2 = next_poll_at(NOW, 600, key="http://a.test/feed", policy=POLICY)
    others = {next_poll_at(NOW, 600, key=f"http://{i}.test/feed", policy=POLICY) for i in range(20)}
    assert a1 == a2
    assert len(others) > 1
    for when in {a1, *others}:
        assert NOW + timedelta(seconds=600) <= when <= NOW + timedelta(seconds=660)
    top = next_poll_at(NOW, 3600, key="http://b.test/feed", policy=POLICY)
    assert top <= NOW + timedelta(seconds=3600)  # the spread never passes the maximum
    flat = PollPolicy(min_interval=60, max_interval=3600, spread=0)
    assert next_poll_at(NOW, 600, key="x", policy=flat) == NOW + timedelta(seconds=600)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"min_interval": 0},
        {"min_interval": 100, "max_interval": 50},
        {"speedup": 1.0},
        {"speedup": 0},
        {"backoff": 1.0},
        {"error_backoff": 0.5},
        {"spread": 1.0},
        {"spread": -0.1},
    ],
)
def test_bad_policies_are_refused(kwargs: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        PollPolicy(**kwargs)


def test_bad_arguments_are_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        next_poll_at(datetime(2024, 1, 1), 60, key="x", policy=POLICY)
    with pytest.raises(ValueError, match="negative"):
        next_poll_at(NOW, -1, key="x", policy=POLICY)
