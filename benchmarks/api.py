"""API latency with 100k stored articles: the story page, the story API and search.

Fills a fresh SQLite database (or ``--db`` PostgreSQL) with ``--articles`` rows in
stories of ``--members`` (origin plus copies, with copy edges and evidence) by
bulk inserts, serves the real app with uvicorn on loopback, and times requests
made one after another with a keep-alive client:

* story API: ``GET /api/stories/{id}`` (contract document, diffs summary, timeline);
* story page: ``GET /`` (the page) then the story API, as a browser with the
  static files cached does;
* search: ``GET /api/stories?q=WORD`` with words of varying frequency.

It prints p50/p95/max per kind. Targets: story p95 ≤ 200 ms, search p95 ≤ 300 ms.

Run: ``python benchmarks/api.py [--articles 100000] [--requests 200]``.
"""

from __future__ import annotations

import argparse
import hashlib
import random
import statistics
import tempfile
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from sqlalchemy import Engine, insert, update

from provenance.api import create_app
from provenance.api.tokens import create_token
from provenance.settings import Settings
from provenance.storage.db import connect, migrate
from provenance.storage.tables import Article, CopyEdge, Outlet, Story

_WORDS = [
    "river",
    "flood",
    "council",
    "harbour",
    "election",
    "budget",
    "school",
    "hospital",
    "ferry",
    "bridge",
    "library",
    "orchard",
    "market",
    "railway",
    "storm",
    "museum",
    "police",
    "court",
    "festival",
    "transport",
    "energy",
    "water",
]
_BATCH = 5_000


def _text(rng: random.Random, story: int) -> str:
    words = [rng.choice(_WORDS) for _ in range(90)]
    return f"Story {story} report. " + " ".join(words) + "."


def _fill(engine: Engine, *, articles: int, members: int, outlets: int) -> list[int]:
    """Bulk-insert outlets, stories, articles and edges; returns the story ids."""
    rng = random.Random(7)
    start = datetime(2024, 1, 1, tzinfo=UTC)
    stories = articles // members
    with engine.begin() as conn:
        conn.execute(insert(Outlet), [
            {"id": o + 1, "domain": f"outlet{o}.test", "name": f"Outlet {o}", "boilerplate": {},
             "created_at": start} for o in range(outlets)
        ])  # fmt: skip
        for first in range(0, stories, _BATCH):
            ids = range(first + 1, min(first + _BATCH, stories) + 1)
            conn.execute(insert(Story), [_story_row(s, members, start) for s in ids])
            rows = [
                _article_row(rng, s, m, members, outlets, start)
                for s in ids
                for m in range(members)
            ]
            conn.execute(insert(Article), rows)
            edges = [_edge_row(s, m, members) for s in ids for m in range(1, members)]
            conn.execute(insert(CopyEdge), edges)
        # Set last: the origin's foreign key needs its article stored first.
        conn.execute(update(Story).values(origin_article_id=(Story.id - 1) * members + 1))
    return list(range(1, stories + 1))


def _story_row(story: int, members: int, start: datetime) -> dict[str, Any]:
    return {
        "id": story, "origin_article_id": None, "confidence": 0.9,
        "first_published_at": start + timedelta(minutes=story), "size": members,
        "origin_evidence": [{"kind": "earliest_date", "detail": "earliest trusted date"}],
        "merged_into": None, "needs_trace": False, "created_at": start, "traced_at": start,
    }  # fmt: skip


def _article_row(
    rng: random.Random, story: int, member: int, members: int, outlets: int, start: datetime
) -> dict[str, Any]:
    aid = (story - 1) * members + member + 1
    text = _text(rng, story)
    when = start + timedelta(minutes=story, hours=member)
    return {
        "id": aid, "url": f"https://outlet{aid % outlets}.test/a/{aid}",
        "url_norm": f"https://outlet{aid % outlets}.test/a/{aid}", "canonical_url": None,
        "outlet_id": aid % outlets + 1, "title": f"Story {story} headline", "byline": None,
        "language": "en", "blocks": [text], "text": text, "published_at": when,
        "published_source": "jsonld", "dates": [], "fetched_at": when,
        "content_sha256": hashlib.sha256(text.encode()).hexdigest(), "capture_path": None,
        "capture_offset": None, "capture_length": None, "capture_sha256": None,
        "declared_sources": [], "links": [], "read_more": False, "status": "ok",
        "story_id": story, "partial": False, "created_at": when,
    }  # fmt: skip


def _edge_row(story: int, member: int, members: int) -> dict[str, Any]:
    base = (story - 1) * members
    return {
        "story_id": story, "parent_id": base + 1, "child_id": base + member + 1,
        "relation": "copy", "similarity": 0.9, "confidence": 0.8, "credit": "uncredited",
        "evidence": [{"kind": "earlier", "detail": "published earlier", "weight": 1.0}],
        "span_start": None, "span_end": None,
    }  # fmt: skip


def _serve(app: Any) -> Iterator[str]:
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", ws="none")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.02)
    yield f"http://127.0.0.1:{server.servers[0].sockets[0].getsockname()[1]}"
    server.should_exit = True
    thread.join(timeout=20)


def _timings(client: httpx.Client, paths: list[list[str]]) -> list[float]:
    out = []
    for group in paths:
        began = time.perf_counter()
        for path in group:
            client.get(path).raise_for_status()
        out.append((time.perf_counter() - began) * 1000)
    return out


def _report(name: str, ms: list[float], target: float) -> None:
    ordered = sorted(ms)
    p95 = ordered[int(0.95 * (len(ordered) - 1))]
    verdict = "ok" if p95 <= target else "OVER TARGET"
    print(f"{name:<12} n={len(ms):<5} p50={statistics.median(ms):7.1f} ms  p95={p95:7.1f} ms"
          f"  max={ordered[-1]:7.1f} ms  (target p95 ≤ {target:.0f} ms: {verdict})")  # fmt: skip


def main() -> None:
    """Fill the database, serve the app, time the requests, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--members", type=int, default=4)
    parser.add_argument("--outlets", type=int, default=300)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--db", default=None, help="Database URL (default: a fresh SQLite file).")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="provenance-bench-api-") as tmp:
        url = args.db or f"sqlite:///{Path(tmp) / 'bench.sqlite'}"
        engine, sessions = connect(url)
        migrate(engine)
        began = time.perf_counter()
        stories = _fill(engine, articles=args.articles, members=args.members, outlets=args.outlets)
        print(f"stored {args.articles} articles in {len(stories)} stories "
              f"in {time.perf_counter() - began:.1f} s")  # fmt: skip
        with sessions.begin() as session:
            _, token = create_token(session, name="bench", scopes=["read"])
        engine.dispose()
        settings = Settings(data_dir=Path(tmp) / "data", database_url=url)
        server = _serve(create_app(settings))
        base = next(server)
        rng = random.Random(1)
        picks = [rng.choice(stories) for _ in range(args.requests)]
        headers = {"Authorization": f"Bearer {token}"}
        with httpx.Client(base_url=base, headers=headers, timeout=60) as client:
            _timings(client, [[f"/api/stories/{s}"] for s in picks[:10]])  # warm-up
            _report("story API", _timings(client, [[f"/api/stories/{s}"] for s in picks]), 200)
            page = [["/", f"/api/stories/{s}"] for s in picks]
            _report("story page", _timings(client, page), 200)
            words = [
                f"/api/stories?q={rng.choice(_WORDS)}&limit=25" for _ in range(args.requests // 4)
            ]
            words += [
                f"/api/stories?q=Story%20{rng.choice(stories)}%20report"
                for _ in range(args.requests // 4)
            ]
            _report("search", _timings(client, [[w] for w in words]), 300)
        next(server, None)


if __name__ == "__main__":
    main()
