"""Tracing cost against story size: 10, 50, 200 and 1,000 members.

Builds synthetic stories (a repost tree over real-looking shingle sets: each
copy keeps most of its parent's shingles, drops some and adds its own, with
dates, first-seen times and some declared sources) and times
:func:`provenance.trace.trace_story` on each, so the growth with size is
visible. Baseline in the same run: the first-pass evidence collection alone,
the part every tracer needs, so the ratio shows what the tree search and the
second pass add.

Then the same for a stored story, end to end: a 200-article story ingested
into SQLite, re-traced as the service does it (load the members with their
page furniture and leaks, trace, save the verdict and its history), each
repeat rolled back.

Run: ``python benchmarks/trace.py [--sizes 10,50,200,1000] [--repeat 3] [--stored 200]``.
Target (issue): re-tracing a 200-member story in at most 0.5 s.
"""

from __future__ import annotations

import argparse
import json
import random
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
from sqlalchemy import func, select

from provenance.evidence import collect_evidence
from provenance.models import DATE_TRUST, DateClaim, DateSource, Member
from provenance.service import Service, ingest_path
from provenance.storage.tables import Article
from provenance.stories import trace_stored_story
from provenance.trace import trace_story

_T0 = datetime(2024, 5, 17, 8, 0, tzinfo=UTC)


def synthetic_story(size: int, *, seed: int = 1) -> list[Member]:
    """A story of ``size`` members copied from one another (see module docstring)."""
    rng = random.Random(seed)
    mask_rng = np.random.default_rng(seed)
    base = np.array(rng.sample(range(1, 2**31), 400), dtype=np.uint32)
    texts = [base]
    times = [0.0]
    parents = [-1]
    for i in range(1, size):
        parent = rng.choice(range(max(0, i - 20), i)) if rng.random() < 0.5 else 0
        source = texts[parent]
        keep = source[mask_rng.random(len(source)) < 0.95] if len(source) > 20 else source
        own = np.array(rng.sample(range(1, 2**31), rng.randrange(0, 15)), dtype=np.uint32)
        texts.append(np.concatenate([keep, own]))
        times.append(times[parent] + rng.uniform(0.2, 30.0))
        parents.append(parent)
    members = []
    for i in range(size):
        when = _T0 + timedelta(hours=times[i])
        declared = (f"Outlet {parents[i]}",) if parents[i] >= 0 and rng.random() < 0.4 else ()
        members.append(
            Member(
                id=i + 1,
                url=f"https://outlet{i}.test/story",
                outlet=f"Outlet {i}",
                outlet_domain=f"outlet{i}.test",
                dates=(DateClaim(when, DateSource.JSONLD, DATE_TRUST[DateSource.JSONLD]),),
                first_seen=when + timedelta(minutes=rng.uniform(1, 30)),
                declared_sources=declared,
                shingles=np.unique(texts[i]),
            )
        )
    return members


def stored_story_file(size: int, folder: Path, *, seed: int = 1) -> Path:
    """A JSON Lines file of ``size`` articles of one story, on as many outlets."""
    rng = random.Random(seed)
    words = [f"w{i}x" for i in range(3000)]
    sentences = [" ".join(rng.sample(words, 14)) + "." for _ in range(40)]
    lines = []
    for i in range(size):
        kept = [t for t in sentences if i == 0 or rng.random() < 0.9]
        body = [" ".join(kept[j : j + 4]) for j in range(0, len(kept), 4)]
        if i and rng.random() < 0.4:
            body.append(f"Source: Outlet {rng.randrange(i)}")
        when = _T0 + timedelta(minutes=20 * i)
        lines.append(
            json.dumps(
                {
                    "url": f"https://outlet{i}.test/story",
                    "outlet": f"Outlet {i}",
                    "text": "\n\n".join(body),
                    "published_at": when.isoformat(),
                    "fetched_at": (when + timedelta(minutes=5)).isoformat(),
                }
            )
        )
    path = folder / "story.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def stored_retrace(size: int, repeat: int) -> float:
    """Best time (s) to re-trace a stored story of ``size`` members, load to save."""
    folder = Path(tempfile.mkdtemp(prefix="provenance-trace-"))
    db_url = f"sqlite:///{folder / 'db.sqlite'}"
    ingest_path(stored_story_file(size, folder), db_url=db_url)
    service = Service(db_url)
    try:
        with service.sessions() as session:
            story_id, members = session.execute(
                select(Article.story_id, func.count())
                .group_by(Article.story_id)
                .order_by(func.count().desc())
            ).first() or (None, 0)
        if story_id is None or members != size:
            raise SystemExit(f"the {size} articles made a story of {members}, not one story")
        times = []
        for _ in range(repeat):
            with service.sessions() as session:
                start = time.perf_counter()
                trace_stored_story(session, story_id, reason="benchmark")
                session.flush()
                times.append(time.perf_counter() - start)
                session.rollback()
        return min(times)
    finally:
        service.close()


def _best(function: object, members: list[Member], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function(members)  # type: ignore[operator]
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    """Print the tracing time per story size."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="10,50,200,1000")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--stored", type=int, default=200, help="members of the stored story")
    args = parser.parse_args()
    rows = []
    print(f"{'members':>8} {'evidence only':>14} {'full trace':>11} {'ratio':>6}")
    for size in (int(s) for s in args.sizes.split(",")):
        members = synthetic_story(size)
        evidence = _best(collect_evidence, members, args.repeat)
        full = _best(trace_story, members, max(1, args.repeat if size <= 200 else 1))
        rows.append({"members": size, "evidence_s": round(evidence, 4), "trace_s": round(full, 4)})
        print(f"{size:>8} {evidence:>13.3f}s {full:>10.3f}s {full / evidence:>6.1f}")
    stored = stored_retrace(args.stored, args.repeat)
    print(f"stored re-trace of a {args.stored}-member story (load, trace, save): {stored:.3f}s")
    print(json.dumps({"sizes": rows, "stored_members": args.stored, "stored_s": round(stored, 4)}))


if __name__ == "__main__":
    main()
