"""The shared LSH index: PostgreSQL band keys against datasketch's MinHashLSH on Redis.

``python benchmarks/shared_index.py`` fingerprints a synthetic network and, for
each article in turn, does what a worker does with the index: look up the
candidates, then file the article. Once with the band keys in PostgreSQL
(``provenance.distributed.index_store``: lock the keys, look up, insert, commit),
once with two datasketch ``MinHashLSH`` tables (documents and passages) on
Redis storage (query each signature, insert with an insertion session). It
prints milliseconds per article for each and checks that both propose the same
candidates. The last line is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from datasketch import MinHashLSH

from benchmarks.cluster import create_database
from provenance.distributed.bands import band_keys
from provenance.distributed.index_store import candidates, insert_bands, lock_bands
from provenance.eval.generator import generate_network
from provenance.fingerprint import Fingerprint, fingerprint_shingles
from provenance.shingle import shingle_hashes
from provenance.storage.db import connect, migrate
from provenance.storage.tables import Article, Outlet
from tests.servers import start_postgres, start_redis


def _fingerprints(stories: int) -> list[Fingerprint]:
    texts = [
        str(r.get("text") or r.get("html"))
        for r in generate_network(seed=7, stories=stories).records
    ]
    hashes = [shingle_hashes(t) for t in texts]
    return [fingerprint_shingles(h) for h in hashes if len(h) >= 8]


def _postgres(url: str, prints: list[Fingerprint]) -> tuple[float, list[set[int]]]:
    engine, sessions = connect(url)
    migrate(engine)
    with sessions.begin() as session:  # article rows for the foreign key
        outlet = Outlet(domain="bench.test", name="bench", boilerplate={})
        session.add(outlet)
        session.flush()
        for n in range(len(prints)):
            session.add(
                Article(
                    id=n + 1, url=f"u{n}", url_norm=f"u{n}", outlet_id=outlet.id, content_sha256=""
                )
            )
    found = []
    start = time.perf_counter()
    for n, fp in enumerate(prints):
        keys = band_keys(fp)
        with sessions.begin() as session:
            lock_bands(session, keys)
            found.append({c - 1 for c in candidates(session, keys)})
            insert_bands(session, n + 1, keys)
    elapsed = time.perf_counter() - start
    engine.dispose()
    return elapsed, found


def _redis(port: int, prints: list[Fingerprint]) -> tuple[float, list[set[int]]]:
    config: dict[str, Any] = {"type": "redis", "redis": {"host": "127.0.0.1", "port": port}}
    documents = MinHashLSH(threshold=0.3, num_perm=128, storage_config=config, prepickle=True)
    passages = MinHashLSH(threshold=0.5, num_perm=128, storage_config=config, prepickle=True)
    found = []
    start = time.perf_counter()
    for n, fp in enumerate(prints):
        hits = {int(k) for k in documents.query(fp.signature)}
        for sketch in fp.passages:
            hits.update(int(str(k).split(":")[0]) for k in passages.query(sketch))
        found.append(hits)
        documents.insert(n, fp.signature)
        with passages.insertion_session() as session:
            for i, sketch in enumerate(fp.passages):
                session.insert(f"{n}:{i}", sketch)
    return time.perf_counter() - start, found


def main() -> None:
    """Measure both stores; print ms per article, the JSON summary last."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--stories", type=int, default=150)
    args = parser.parse_args()
    prints = _fingerprints(args.stories)
    postgres, redis_server = start_postgres(), start_redis()
    try:
        pg_time, pg_found = _postgres(create_database(postgres), prints)
        redis_time, redis_found = _redis(redis_server.port, prints)
    finally:
        redis_server.stop()
        postgres.stop()
    keys = sum(len(band_keys(fp)) for fp in prints) / len(prints)
    summary = {
        "articles": len(prints),
        "band_keys_per_article": round(keys, 1),
        "postgres_ms_per_article": round(pg_time / len(prints) * 1000, 2),
        "redis_minhashlsh_ms_per_article": round(redis_time / len(prints) * 1000, 2),
        "same_candidates": pg_found == redis_found,
    }
    pg_ms, redis_ms = summary["postgres_ms_per_article"], summary["redis_minhashlsh_ms_per_article"]
    print(f"PostgreSQL band keys (lock, lookup, insert, commit): {pg_ms} ms/article")
    print(f"datasketch MinHashLSH on Redis (query, insert): {redis_ms} ms/article")
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
