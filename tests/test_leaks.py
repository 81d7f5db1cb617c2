"""Another outlet's page furniture on a copy: evidence of where it was scraped, not story text."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from sqlalchemy import select

from provenance.ingest import read_records
from provenance.match import shingle_set
from provenance.service import Service
from provenance.shingle import shingle_hashes
from provenance.storage.tables import Article
from provenance.stories import story_members

WORDS = [f"w{i}x" for i in range(400)]
PROMO = "Get the Harbour morning briefing in your inbox every day."


def _records() -> list[dict[str, str]]:
    """Four Harbour pages ending in its promo line; two copies of the first carry it along.

    One of the copies also credits Harbour and ends in a "read more" pointer.
    """
    records = [
        {
            "url": f"https://harbour.test/{n}",
            "text": " ".join(WORDS[n * 80 : n * 80 + 60]) + ".\n\n" + PROMO,
            "published_at": f"2024-05-1{n}T08:00:00Z",
        }
        for n in range(4)
    ]
    for n, outlet in enumerate(("mirror", "echo")):
        # echo credits Harbour and points to it, as a truncated repost would.
        extra = "\n\nSource: Harbour\n\nRead more at Harbour" if outlet == "echo" else ""
        records.append(
            {
                **records[0],
                "url": f"https://{outlet}.test/0",
                "published_at": f"2024-05-10T1{n}:00:00Z",
                "text": records[0]["text"] + extra,
            }
        )
    return records


def test_leaked_promo_and_credit_lines_are_evidence_not_shared_text(
    sqlite_url: str, tmp_path: Path
) -> None:
    path = tmp_path / "in.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in _records()), encoding="utf-8")
    service = Service(sqlite_url)
    try:
        service.ingest_records(read_records(path))
        with service.sessions() as session:
            first = session.scalars(
                select(Article).where(Article.url_norm.endswith("harbour.test/0"))
            ).one()
            assert first.story_id is not None
            assert PROMO not in first.text  # Harbour's own furniture, stripped
            members = {m.outlet_domain: m for m in story_members(session, first.story_id)}
    finally:
        service.close()
    assert set(members) == {"harbour.test", "mirror.test", "echo.test"}
    assert members["echo.test"].declared_sources == ("Harbour",)
    assert members["echo.test"].read_more
    promo = shingle_set(shingle_hashes(PROMO))
    for copy in ("mirror.test", "echo.test"):
        assert members[copy].leaked_outlets == {"harbour.test"}
        # Without the promo, the credit and the pointer, each copy holds exactly
        # the source's text: the copies share nothing with each other that
        # Harbour lacks.
        assert not np.isin(promo, members[copy].shingles).any()
        assert np.array_equal(members[copy].shingles, members["harbour.test"].shingles)
