"""The embedded pipeline: records in, stories with traced origins out.

``Service`` ties the pure core to storage. An ingest runs in chunks: every
record of a chunk is extracted first and its outlet's boilerplate model learns
from it, then each new article is stripped of its outlet's boilerplate,
fingerprinted, matched against the index and stored, and the stories of its
component of the match graph are settled (:mod:`provenance.settle`); the chunk
commits as one transaction, and every story it touched is re-traced at the end.
A crash loses at most the chunk in flight, and stories still marked
``needs_trace`` are traced by the next run. The steps that turn a record into an
article row are shared with the distributed workers (:mod:`provenance.records`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.orm import Session

from provenance.article_index import ArticleIndex
from provenance.boilerplate import BoilerplateModel
from provenance.dates import rank_dates
from provenance.errors import ExtractionError, InputError
from provenance.extract import extract_text
from provenance.fingerprint import FingerprintOptions, fingerprint_shingles
from provenance.ingest import read_records
from provenance.match import shingle_set
from provenance.models import DATE_TRUST, DateClaim, DateSource, Match
from provenance.outlet import outlet_domain, outlet_name
from provenance.printed_dates import dated_by_print
from provenance.raw_record import RawRecord
from provenance.records import (
    MIN_SHINGLES,
    PendingArticle,
    article_row,
    body_blocks,
    extract_record,
    known_article_time,
    outlet_boilerplate,
    restripped,
)
from provenance.shingle import shingle_hashes
from provenance.storage import repository as repo
from provenance.storage.db import connect, migrate
from provenance.storage.tables import Article, Story
from provenance.stories import outlet_clocks, retrace_on_new_clocks, trace_stored_story
from provenance.urls import normalize_url

__all__ = [
    "FINGERPRINT_SCHEME",
    "IngestReport",
    "Service",
    "ingest_path",
]

#: Names how stored signatures were made; a change of scheme invalidates them.
FINGERPRINT_SCHEME = repo.FINGERPRINT_SCHEME


@dataclass
class IngestReport:
    """What an ingest did.

    Attributes:
        stored: New articles stored.
        unchanged: Records already stored with the same content.
        changed: Records already stored with other content (the stored one is kept).
        empty: New articles stored as empty or boilerplate-only (in no story).
        rejected: Records that could not be ingested, each with its reason.
        stories_traced: Stories (re)traced at the end.
        late_evidence: Stored articles that got new dates or an earlier
            first-seen time from this input (their stories are re-traced).
    """

    stored: int = 0
    unchanged: int = 0
    changed: int = 0
    empty: int = 0
    rejected: list[InputError] = field(default_factory=list)
    stories_traced: int = 0
    late_evidence: int = 0

    @property
    def accepted(self) -> int:
        """Records that were good (new or already stored)."""
        return self.stored + self.unchanged + self.changed


class Service:
    """The embedded service over one database.

    Args:
        db_url: SQLAlchemy URL of the database (SQLite or PostgreSQL).
        migrate_schema: Bring the schema up to date on open.
    """

    def __init__(self, db_url: str, *, migrate_schema: bool = True) -> None:
        self.engine, self.sessions = connect(db_url)
        if migrate_schema:
            migrate(self.engine)
        self._options = FingerprintOptions()
        self._index: ArticleIndex | None = None
        self._reasons: dict[int, str] = {}  # why a story is due for re-tracing

    def close(self) -> None:
        """Release the database connections."""
        self.engine.dispose()

    # -- index -----------------------------------------------------------------

    def _ensure_index(self, session: Session) -> ArticleIndex:
        if self._index is None:
            self._index = ArticleIndex.load(session, self._options)
        return self._index

    def _forget_index(self) -> None:
        """Drop the in-memory index; the next chunk rebuilds it from the database."""
        self._index = None

    # -- ingest ----------------------------------------------------------------

    def ingest_records(
        self,
        records: Iterable[RawRecord | InputError],
        *,
        chunk: int = 500,
        progress: Callable[[int], None] | None = None,
    ) -> IngestReport:
        """Ingest records (and count the errors a reader yields among them).

        Args:
            records: Records, or errors for records a reader rejected.
            chunk: Records extracted together before matching.
            progress: Called with the number of records consumed so far.

        Returns:
            The report.
        """
        report = IngestReport()
        batch: list[RawRecord] = []
        for consumed, item in enumerate(records, start=1):
            if isinstance(item, InputError):
                report.rejected.append(item)
            else:
                batch.append(item)
            if len(batch) >= chunk:
                self._ingest_chunk(batch, report)
                batch = []
            if progress is not None:
                progress(consumed)
        if batch:
            self._ingest_chunk(batch, report)
        report.stories_traced = self.trace_pending()
        return report

    def _ingest_chunk(self, batch: list[RawRecord], report: IngestReport) -> None:
        try:
            self._ingest_chunk_once(batch, report)
        except BaseException:
            # The chunk's transaction rolled back: the in-memory index may hold
            # articles the database does not.
            self._forget_index()
            raise

    def _ingest_chunk_once(self, batch: list[RawRecord], report: IngestReport) -> None:
        with self.sessions.begin() as session:
            index = self._ensure_index(session)
            pending = self._extract_chunk(session, batch, report)
            models = {p.outlet.id: outlet_boilerplate(p.outlet) for p in pending}
            known = {outlet: model.boilerplate_keys() for outlet, model in models.items()}
            for p in pending:
                models[p.outlet.id].observe(p.page.blocks)
            for outlet, model in models.items():
                if model.boilerplate_keys() != known[outlet]:
                    self._restrip(session, index, outlet, model)
            printed = {p.outlet.id for p in pending if dated_by_print(p.page.dates)}
            clocks = outlet_clocks(session, printed)
            for p in pending:
                self._store(session, index, p, models[p.outlet.id], report)
            for p in pending:
                p.outlet.boilerplate = models[p.outlet.id].to_dict()
            if printed:
                session.flush()
                self._reasons.update(retrace_on_new_clocks(session, clocks, printed))

    def _extract_chunk(
        self, session: Session, batch: list[RawRecord], report: IngestReport
    ) -> list[PendingArticle]:
        normalised: list[tuple[RawRecord, str]] = []
        for record in batch:
            try:
                normalised.append((record, normalize_url(record.url)))
            except ValueError as exc:
                report.rejected.append(InputError(str(exc), line=record.line))
        stored = repo.stored_by_url(session, [u for _, u in normalised])
        seen: dict[str, str] = {url: a.content_sha256 for url, a in stored.items()}
        pending: list[PendingArticle] = []
        for record, url_norm in normalised:
            sha = hashlib.sha256((record.html or record.text or "").encode("utf-8")).hexdigest()
            if url_norm in seen:
                if seen[url_norm] == sha:
                    report.unchanged += 1
                else:
                    report.changed += 1
                if url_norm in stored and self._late_evidence(stored[url_norm], record):
                    report.late_evidence += 1
                    self._retime(session, stored[url_norm])
                continue
            try:
                page = extract_record(record)
            except ExtractionError as exc:
                report.rejected.append(InputError(str(exc), line=record.line))
                continue
            domain = outlet_domain(url_norm)
            name = record.outlet or outlet_name(url_norm, page.site_name)
            outlet = repo.get_or_create_outlet(session, domain=domain, name=name)
            seen[url_norm] = sha
            pending.append(PendingArticle(record, url_norm, page, outlet, sha))
        return pending

    def _store(
        self,
        session: Session,
        index: ArticleIndex,
        p: PendingArticle,
        model: BoilerplateModel,
        report: IngestReport,
    ) -> None:
        blocks = body_blocks(model.strip(p.page.blocks), p.record.title or p.page.title)
        text = "\n\n".join(blocks)
        shingles = shingle_hashes(text)
        article = article_row(p, blocks, text)
        if len(shingles) < MIN_SHINGLES:
            article.status = "empty" if not p.page.blocks else "boilerplate"
            session.add(article)
            report.empty += 1
            report.stored += 1
            return
        fingerprint = fingerprint_shingles(shingles, options=self._options)
        matches = index.matches(fingerprint, p.outlet.id)
        when = known_article_time(article)
        story_id, partial = index.settle_new(
            session, shingle_set(shingles), matches, url=article.url_norm, time=when
        )
        repo.store_placed(
            session,
            article,
            story_id=story_id,
            partial=partial,
            shingles=shingles,
            fingerprint=fingerprint,
        )
        index.add(
            article.id,
            fingerprint,
            outlet_id=p.outlet.id,
            url=article.url_norm,
            time=when,
            matches=matches,
            story=(story_id, partial),
        )
        report.stored += 1

    def _restrip(
        self, session: Session, index: ArticleIndex, outlet_id: int, model: BoilerplateModel
    ) -> None:
        """Strip the outlet's stored articles again, now that its model knows more boilerplate.

        Otherwise an article's text, and so its story, would depend on how much
        of its outlet had been seen when it arrived: a line learnt as boilerplate
        later would keep matching in the articles stored before. Counts only
        grow, so an article's text only ever loses blocks.
        """
        for article in repo.outlet_articles(session, outlet_id):
            change = restripped(article, model, self._options)
            if change is None:
                continue
            repo.store_restripped(session, article, change)
            index.restrip(session, article.id, change.fingerprint)

    def match_text(self, text: str, *, title: str | None = None) -> list[Match]:
        """Verified matches of a text against the stored articles; nothing is stored.

        Args:
            text: Plain article text (paragraphs separated by blank lines).
            title: Its headline, if known (a leading headline block is dropped).

        Returns:
            The matches (empty for a text too short to be a story's copy).
        """
        page = extract_text(text, title=title)
        shingles = shingle_hashes("\n\n".join(body_blocks(list(page.blocks), title)))
        if len(shingles) < MIN_SHINGLES:
            return []
        with self.sessions() as session:
            index = self._ensure_index(session)
        return index.matches(fingerprint_shingles(shingles, options=self._options), -1)

    # -- tracing ---------------------------------------------------------------

    def _late_evidence(self, article: Article, record: RawRecord) -> bool:
        """Take new dates or an earlier first-seen time for a stored article.

        The stored text is never replaced, but evidence about *when* it
        existed can arrive late (a feed date, an archive capture seen earlier):
        it is added to the article and its story is re-traced.
        """
        claims = list(record.dates)
        if record.published_at is not None:
            claims.append(
                DateClaim(
                    record.published_at,
                    DateSource.INPUT,
                    DATE_TRUST[DateSource.INPUT],
                    "published_at field of the record",
                )
            )
        known = repo.claims_from_json(article.dates)
        new = [
            c for c in claims if all(abs((c.value - k.value).total_seconds()) >= 1 for k in known)
        ]
        earlier = record.fetched_at is not None and (
            article.fetched_at is None or record.fetched_at < article.fetched_at
        )
        if not new and not earlier:
            return False
        reasons = []
        if new:
            ranked = rank_dates((*known, *new))
            article.dates = repo.claims_to_json(ranked)
            best = next((d for d in ranked if d.trust > 0), None)
            article.published_at = best.value if best else None
            article.published_source = str(best.source) if best else None
            reasons.append(f"{len(new)} new date(s)")
        if earlier:
            article.fetched_at = record.fetched_at
            reasons.append("seen earlier than recorded")
        if article.story_id is not None:
            story = self._session_story(article)
            if story is not None:
                story.needs_trace = True
                self._reasons[story.id] = (
                    f"late evidence for {article.url_norm}: {', '.join(reasons)}"
                )
        return True

    def _retime(self, session: Session, article: Article) -> None:
        # A new best known time moves the article in the canonical order its
        # component's stories are defined by (see provenance.settle).
        index = self._ensure_index(session)
        if index.retime(article.id, known_article_time(article)):
            index.settle(session, article.id)

    def _session_story(self, article: Article) -> Story | None:
        session = Session.object_session(article)
        return session.get(Story, article.story_id) if session is not None else None

    def trace_pending(self) -> int:
        """Trace every story whose membership or evidence changed; returns how many."""
        with self.sessions.begin() as session:
            ids = repo.pending_story_ids(session)
        for story_id in ids:
            reason = self._reasons.pop(story_id, "membership changed")
            with self.sessions.begin() as session:
                trace_stored_story(session, story_id, reason=reason)
        return len(ids)


def ingest_path(path: Path, *, db_url: str, progress: bool = False) -> IngestReport:
    """Ingest a JSONL or WARC file into the database at ``db_url``.

    Args:
        path: The file.
        db_url: SQLAlchemy URL.
        progress: Unused here (the CLI draws its own bar); kept for callers.

    Returns:
        The report.
    """
    service = Service(db_url)
    try:
        return service.ingest_records(read_records(path))
    finally:
        service.close()
