"""Revision 0008 files the leads of articles the shared index held before it."""

from __future__ import annotations

from dataclasses import replace

from alembic import command
from alembic.config import Config
from sqlalchemy import select

from provenance.distributed.bands import band_keys
from provenance.distributed.index_store import insert_bands
from provenance.fingerprint import fingerprint_shingles
from provenance.shingle import shingle_hashes
from provenance.storage import repository as repo
from provenance.storage import tables
from provenance.storage.db import _MIGRATIONS, connect, migrate

_TEXT = " ".join(
    f"the council met on day {i} and voted on item {i * 7} of the budget" for i in range(40)
)


def _store(session, url: str, outlet_id: int, shingles) -> int:  # type: ignore[no-untyped-def]
    article = tables.Article(url=url, url_norm=url, outlet_id=outlet_id, content_sha256="x")
    session.add(article)
    session.flush()
    fingerprint = fingerprint_shingles(shingles)
    session.add(
        tables.Fingerprint(
            article_id=article.id,
            scheme=repo.FINGERPRINT_SCHEME,
            num_shingles=len(shingles),
            signature=repo.shingles_to_bytes(fingerprint.signature.hashvalues),
            shingles=repo.shingles_to_bytes(shingles),
        )
    )
    return article.id


def test_articles_filed_without_their_lead_get_its_keys(postgres_url: str) -> None:
    engine, sessions = connect(postgres_url)
    try:
        migrate(engine)
        shingles = shingle_hashes(_TEXT)
        fingerprint = fingerprint_shingles(shingles)
        # What a worker filed before revision 0008: the windows, not the lead.
        before = replace(fingerprint, passage_values=fingerprint.passage_values[:-1])
        old_keys, new_keys = set(band_keys(before)), set(band_keys(fingerprint))
        assert old_keys < new_keys
        with sessions.begin() as session:
            outlet = tables.Outlet(domain="wire.test", name="Wire")
            session.add(outlet)
            session.flush()
            filed = _store(session, "http://wire.test/a", outlet.id, shingles)
            insert_bands(session, filed, sorted(old_keys))
            # Stored by the embedded mode: never filed in the shared index.
            _store(session, "http://wire.test/b", outlet.id, shingles)
        config = Config()
        config.set_main_option("script_location", str(_MIGRATIONS))
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.stamp(config, "0007")
            command.upgrade(config, "head")
        with sessions() as session:
            rows = session.execute(select(tables.LshBand.band_key, tables.LshBand.article_id))
            keys: dict[int, set[int]] = {}
            for key, article in rows:
                keys.setdefault(article, set()).add(key)
        assert keys == {filed: new_keys}  # the embedded-mode article stays unfiled
    finally:
        engine.dispose()
