"""Distributed placement settles stories as the embedded mode does: arrival order does not matter.

The articles of ``tests/test_order.py``, processed one task at a time in every
order on PostgreSQL (the task functions are called directly).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from benchmarks.cluster import story_partition
from provenance.distributed.process import process_items
from provenance.distributed.staging import stage_records
from provenance.ingest import read_records
from provenance.raw_record import RawRecord
from provenance.storage.tables import IngestItem
from provenance.urls import normalize_url
from tests.distributed.holding import second_waits
from tests.test_order import EXPECTED, ORDERS, RECORDS


def _stage(
    sessions: sessionmaker[Session], records: list[dict[str, str]], tmp_path: Path
) -> dict[str, int]:
    """Stage the records; their item ids by the last letter of their path (a, b, x, ...)."""
    path = tmp_path / "in.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    raw = [r for r in read_records(path) if isinstance(r, RawRecord)]
    with sessions.begin() as session:
        stage_records(session, raw)
        rows = session.execute(select(IngestItem.url_norm, IngestItem.id))
        item_of = {str(url): int(item) for url, item in rows}
    return {r["url"].rsplit("/", 1)[1]: item_of[normalize_url(r["url"])] for r in records}


@pytest.mark.parametrize("order", ORDERS)
def test_distributed_stories_are_those_of_the_time_order(
    order: str, pg_sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    items = _stage(pg_sessions, [RECORDS[name] for name in order], tmp_path)
    for name in order:  # one task per article, in this order
        process_items(pg_sessions, [items[name]])
    with pg_sessions() as session:
        assert story_partition(session) == EXPECTED


def test_placements_in_one_component_wait_for_each_other(
    pg_sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    # Stories {a, b} and {d}, one component: a = A+E, b = A+B (copies a),
    # d = B+F (copies only b's other text). x copies E, so matches only a; y
    # copies F, so matches only d: they share no band key and no matched story,
    # only the component, and y must wait for x to commit before settling it.
    words = [f"v{i}q" for i in range(380)]
    a, e, b, f = (
        " ".join(words[i:j]) + "." for i, j in ((0, 100), (100, 140), (140, 240), (240, 280))
    )

    def record(name: str, text: str, day: int) -> dict[str, str]:
        return {
            "url": f"https://{name}.test/{name}",
            "text": text,
            "published_at": f"2024-05-{day}T08:00:00Z",
        }

    records = [
        record("a", a + "\n\n" + e, 11),
        record("b", a + "\n\n" + b, 12),
        record("d", b + "\n\n" + f, 13),
        record("x", e, 14),
        record("y", f, 15),
    ]
    items = _stage(pg_sessions, records, tmp_path)
    for name in "abd":
        process_items(pg_sessions, [items[name]])
    waited = second_waits(pg_sessions, [items["x"]], [items["y"]])
    assert waited, "y settled the component while x held it"
    with pg_sessions() as session:
        assert story_partition(session) == {
            frozenset({"https://a.test/a", "https://b.test/b"}),
            frozenset({"https://d.test/d", "https://y.test/y"}),
            frozenset({"https://x.test/x"}),
        }
