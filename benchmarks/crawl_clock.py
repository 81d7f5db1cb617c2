"""Where the time of ``benchmarks/crawl.py`` goes: stage clocks wrapped around the library.

Time is attributed without touching the library, by wrapping the functions it
calls (as ``benchmarks/ingest.py`` does; :func:`instrument`). Synchronous
stages are timed exclusively (nested time goes to the innermost stage); the
fetch is the wall time during which at least one ``Fetcher.fetch`` is in
flight (:func:`timed_fetcher`). Storage work is charged to the pipeline inside
``ingest_records`` and to the crawler's database outside it
(:func:`timed_service`). The wrappers charge :data:`CLOCK`; :func:`reset` puts
in a new one before each measured run.
"""

from __future__ import annotations

import contextlib
import time
from collections import defaultdict
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

import provenance.article_index as article_index
import provenance.service as service_module
from provenance.fetch import Exchange, Fetcher, FetchResult, WarcArchive
from provenance.fingerprint import LSHIndex
from provenance.raw_record import CaptureRef
from provenance.service import Service

__all__ = [
    "ARCHIVE",
    "CLOCK",
    "CRAWLER_DB",
    "INGEST",
    "PIPELINE_STAGES",
    "Clock",
    "instrument",
    "reset",
    "timed_fetcher",
    "timed_service",
]

#: The synchronous stages, in the order of the table, and what each one covers.
PIPELINE_STAGES = ("extract", "fingerprint+match", "trace", "pipeline storage+rest")
CRAWLER_DB = "crawler db"
ARCHIVE = "archive"
INGEST = "pipeline storage+rest"  # ingest_records' own time, outside the stages below it


class Clock:
    """Exclusive time per synchronous stage, and the wall time with fetches in flight."""

    def __init__(self) -> None:
        self.spent: dict[str, float] = defaultdict(float)
        self.during_fetch: dict[str, float] = defaultdict(float)  # sync time inside the union
        self.during_fetch_cpu: dict[str, float] = defaultdict(float)
        self._stack: list[str] = []
        self._mark = (0.0, 0.0)
        self.inflight = 0
        self.fetch_wall: dict[str, float] = defaultdict(float)  # by "page" / "feeds"
        self.fetch_cpu: dict[str, float] = defaultdict(float)
        self.fetch_busy: dict[str, float] = defaultdict(float)  # sum of fetch durations
        self._union_start = (0.0, 0.0)

    def _charge(self) -> None:
        now, cpu = time.perf_counter(), time.process_time()
        if self._stack:
            stage = self._stack[-1]
            self.spent[stage] += now - self._mark[0]
            if self.inflight:
                self.during_fetch[stage] += now - self._mark[0]
                self.during_fetch_cpu[stage] += cpu - self._mark[1]
        self._mark = (now, cpu)

    @contextlib.contextmanager
    def stage(self, name: str) -> Iterator[None]:
        """Time a synchronous block (no await inside) as ``name``."""
        self._charge()
        self._stack.append(name)
        try:
            yield
        finally:
            self._charge()
            self._stack.pop()

    def inside(self, name: str) -> bool:
        return name in self._stack

    @contextlib.asynccontextmanager
    async def fetching(self, kind: str) -> AsyncIterator[None]:
        """Time one fetch: the union of in-flight fetches, their CPU and their sum."""
        started = time.perf_counter()
        if self.inflight == 0:
            self._union_start = (started, time.process_time())
        self.inflight += 1
        try:
            yield
        finally:
            self.inflight -= 1
            ended = time.perf_counter()
            self.fetch_busy[kind] += ended - started
            if self.inflight == 0:
                self.fetch_wall[kind] += ended - self._union_start[0]
                self.fetch_cpu[kind] += time.process_time() - self._union_start[1]


CLOCK = Clock()


def reset() -> Clock:
    """Start a new :data:`CLOCK` for the next run, and return it."""
    global CLOCK
    CLOCK = Clock()
    return CLOCK


def _wrap(name: str, function: Callable[..., Any]) -> Callable[..., Any]:
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with CLOCK.stage(name):
            return function(*args, **kwargs)

    return wrapper


def instrument() -> None:
    """Time the pipeline's stages by wrapping the functions the service calls."""
    for stage, names in {
        # The extraction step is ``extract_record`` (``_extract`` before it was shared),
        # patched in the service's globals, where it is called from, not in its
        # defining module (provenance.records).
        "extract": tuple(n for n in ("extract_record", "_extract") if hasattr(service_module, n)),
        "fingerprint+match": ("shingle_hashes", "fingerprint_shingles"),
        "trace": ("trace_stored_story",),
    }.items():
        for name in names:
            setattr(service_module, name, _wrap(stage, getattr(service_module, name)))
    # Matching and settling stories happen in the service's article index.
    for name in ("compare_shingles", "settle_component"):
        setattr(article_index, name, _wrap("fingerprint+match", getattr(article_index, name)))
    LSHIndex.candidates = _wrap("fingerprint+match", LSHIndex.candidates)  # type: ignore[method-assign]
    Service.ingest_records = _wrap(INGEST, Service.ingest_records)  # type: ignore[method-assign]


class _TimedSessions:
    """The service's session factory, timing each session as storage work."""

    def __init__(self, inner: sessionmaker[Session]) -> None:
        self._inner = inner

    def _stage(self) -> str:
        return INGEST if CLOCK.inside(INGEST) else CRAWLER_DB

    @contextlib.contextmanager
    def __call__(self) -> Iterator[Session]:
        with CLOCK.stage(self._stage()), self._inner() as session:
            yield session

    @contextlib.contextmanager
    def begin(self) -> Iterator[Session]:
        with CLOCK.stage(self._stage()), self._inner.begin() as session:
            yield session


def timed_service(url: str) -> Service:
    service = Service(url)
    service.sessions = _TimedSessions(service.sessions)  # type: ignore[assignment]
    return service


def timed_fetcher(fetcher: Fetcher, archive: WarcArchive) -> None:
    fetch = fetcher.fetch

    async def timed(url: str, **kwargs: Any) -> FetchResult:
        async with CLOCK.fetching("page" if kwargs.get("purpose") == "page" else "feeds"):
            return await fetch(url, **kwargs)

    write = archive.write_exchange

    def write_timed(exchange: Exchange) -> CaptureRef:
        with CLOCK.stage(ARCHIVE):
            return write(exchange)

    fetcher.fetch = timed  # type: ignore[method-assign]
    archive.write_exchange = write_timed  # type: ignore[method-assign]
