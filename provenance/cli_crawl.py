"""The crawler's commands: ``outlets add``, ``feeds add|list``, ``crawl``, ``fetch``, ``evidence``.

They join the main ``provenance`` app through :func:`register`, which ``cli.py``
calls. Exit codes follow ``cli.py``: 0 success, 1 nothing could be done (no feed
found, the page could not be fetched, no capture of the URL), 2 bad usage.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, TypeVar

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn
from rich.table import Table

from provenance.crawl import Crawler
from provenance.crawl_report import CrawlEvent, CrawlOptions, CrawlReport, Failure
from provenance.errors import ProvenanceError
from provenance.fetch import Fetcher, FetchOptions, WarcArchive
from provenance.raw_record import CaptureRef
from provenance.registration import Registration, register_feed, register_outlet
from provenance.service import Service
from provenance.settings import Settings
from provenance.storage import crawl_repository as crawl_repo
from provenance.urls import normalize_url

__all__ = ["feeds_app", "outlets_app", "register"]

outlets_app = typer.Typer(help="Outlets the crawler follows.", no_args_is_help=True)
feeds_app = typer.Typer(help="Feeds and sitemaps the crawler polls.", no_args_is_help=True)
_out = Console()
_err = Console(stderr=True)
_FAILURES_SHOWN = 30
_T = TypeVar("_T")

DbOption = Annotated[
    str | None,
    typer.Option(
        "--db", help="Database URL (default: PROVENANCE_DATABASE_URL, else SQLite in the data dir)."
    ),
]


def register(app: typer.Typer) -> None:
    """Add the crawler's commands to the ``provenance`` app."""
    app.add_typer(outlets_app, name="outlets")
    app.add_typer(feeds_app, name="feeds")
    app.command("crawl")(crawl)
    app.command("fetch")(fetch)
    app.command("evidence")(evidence)


@dataclass
class _Tools:
    settings: Settings
    service: Service
    fetcher: Fetcher
    archive: WarcArchive


@contextlib.asynccontextmanager
async def _tools(db: str | None) -> AsyncIterator[_Tools]:
    settings = Settings()
    service = Service(db or settings.database_url)
    archive = WarcArchive.from_settings(settings)
    try:
        async with Fetcher(FetchOptions.from_settings(settings), archive=archive) as fetcher:
            yield _Tools(settings, service, fetcher, archive)
    finally:
        archive.close()
        service.close()


def _run(work: Callable[[], _T]) -> _T:
    """Run ``work``, mapping bad arguments to exit code 2 and our errors to 1."""
    try:
        return work()
    except ValueError as exc:
        _err.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from exc
    except ProvenanceError as exc:
        _err.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(1) from exc


# -- outlets and feeds -------------------------------------------------------------------


@outlets_app.command("add")
def outlets_add(
    url: Annotated[str, typer.Argument(help="The outlet's home page.")],
    name: Annotated[str, typer.Option("--name", help="The outlet's name, as others cite it.")],
    db: DbOption = None,
) -> None:
    """Register an outlet and the feeds found for it (<link rel=alternate>, /feed, robots.txt)."""

    async def work() -> None:
        async with _tools(db) as tools:
            found = await register_outlet(tools.service, tools.fetcher, url, name=name)
        if found.home_error:
            _err.print(f"[yellow]home page not read:[/yellow] {found.home_error}")
        _out.print(_registrations_table(f"{found.name} ({found.domain})", found.feeds))
        if not any(f.kind for f in found.feeds):
            _err.print("[yellow]no feed or sitemap found; add one with `provenance feeds add`[/]")

    _run(lambda: asyncio.run(work()))


@feeds_app.command("add")
def feeds_add(
    url: Annotated[str, typer.Argument(help="An RSS or Atom feed, a sitemap or sitemap index.")],
    db: DbOption = None,
) -> None:
    """Register one feed or sitemap; it joins the outlet of its domain."""

    async def work() -> Registration:
        async with _tools(db) as tools:
            return await register_feed(tools.service, tools.fetcher, url)

    found = _run(lambda: asyncio.run(work()))
    _out.print(_registrations_table("feed", [found]))
    if found.kind is None:
        raise typer.Exit(1)


def _registrations_table(title: str, rows: list[Registration]) -> Table:
    table = Table(title=title)
    for column in ("url", "kind", "result"):
        table.add_column(column)
    for row in rows:
        result = "[green]added[/green]" if row.created else (row.reason or "")
        table.add_row(row.url, row.kind or "-", result)
    return table


@feeds_app.command("list")
def feeds_list(db: DbOption = None) -> None:
    """List the feeds: outlet, kind, last poll and its outcome, schedule, items seen."""
    service = Service(db or Settings().database_url)
    table = Table(title="Feeds")
    for column in ("outlet", "url", "kind", "last polled", "status", "every", "next", "items"):
        table.add_column(column, justify="right" if column == "items" else "left")
    try:
        with service.sessions() as session:
            for feed, outlet in crawl_repo.feeds_with_outlets(session):
                status = feed.last_status or "-"
                if feed.last_error:
                    status += f" [dim]{feed.last_error[:80]}[/dim]"
                table.add_row(
                    outlet.name,
                    feed.url,
                    feed.kind,
                    _when(feed.last_polled_at),
                    status,
                    _duration(feed.poll_interval_s),
                    _when(feed.next_poll_at) if feed.next_poll_at else "now",
                    str(feed.items_seen),
                )
    finally:
        service.close()
    _out.print(table)


def _when(value: datetime | None) -> str:
    return f"{value:%Y-%m-%d %H:%M:%S}" if value else "-"


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    if seconds < 120:
        return f"{seconds:.0f}s"
    return f"{seconds / 60:.0f}m" if seconds < 7200 else f"{seconds / 3600:.1f}h"


# -- crawling ----------------------------------------------------------------------------


class _Display:
    """A rich progress display fed with crawl events."""

    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.feeds: TaskID = progress.add_task("feeds polled", total=None)
        self.pages: TaskID = progress.add_task("pages fetched", total=0)

    def __call__(self, event: CrawlEvent) -> None:
        if event.kind == "feed":
            self.progress.advance(self.feeds)
        elif event.kind == "queued":
            total = self.progress.tasks[self.pages].total or 0
            self.progress.update(self.pages, total=total + event.count)
        else:
            self.progress.advance(self.pages)


def _progress() -> Progress:
    return Progress(
        TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(), console=_err
    )


@contextlib.asynccontextmanager
async def _crawler(db: str | None, display: _Display | None) -> AsyncIterator[Crawler]:
    async with _tools(db) as tools:
        options = CrawlOptions.from_settings(tools.settings)
        yield Crawler(tools.service, tools.fetcher, options=options, progress=display)


def crawl(
    once: Annotated[bool, typer.Option("--once", help="Poll every due feed once.")] = False,
    watch: Annotated[
        bool, typer.Option("--watch", help="Keep polling, each feed on its schedule.")
    ] = False,
    db: DbOption = None,
) -> None:
    """Poll due feeds and sitemaps, fetch the new articles, ingest and trace them."""
    if once == watch:
        _err.print("[red]error:[/red] give exactly one of --once and --watch")
        raise typer.Exit(2)
    if once:

        async def work() -> CrawlReport:
            with _progress() as progress:
                async with _crawler(db, _Display(progress)) as crawler:
                    return await crawler.crawl_once()

        _print_report(_run(lambda: asyncio.run(work())))
        return
    try:
        _run(lambda: asyncio.run(_watch(db)))
    except KeyboardInterrupt:
        _err.print("stopped")


async def _watch(db: str | None) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    main = asyncio.current_task()
    assert main is not None

    def interrupt() -> None:
        # Ctrl-C cancels the watch at once. It also sets ``stop``: should a
        # library deep in a round swallow the cancellation, that round is
        # still the last, rather than the watch running on.
        stop.set()
        main.cancel()

    # SIGTERM (a service manager, docker stop) ends the watch after its round;
    # neither signal leaves a transaction half done.
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    loop.add_signal_handler(signal.SIGINT, interrupt)
    try:
        async with _crawler(db, None) as crawler:
            _err.print("watching feeds; Ctrl-C stops")
            await crawler.watch(stop=stop, on_round=lambda r: _print_report(r, brief=True))
    except asyncio.CancelledError:
        if not stop.is_set():
            raise  # cancelled by something other than our signals
    _err.print("stopped")


def _print_report(report: CrawlReport, *, brief: bool = False) -> None:
    ingest = report.ingest
    stamp = f"{datetime.now(UTC):%H:%M:%S} " if brief else ""
    _out.print(
        f"{stamp}polled {report.feeds_polled} feed(s) ({report.feeds_not_modified} not modified),"
        f" fetched {report.pages_fetched} page(s): {ingest.stored} new article(s),"
        f" {report.new_versions} new version(s) of known pages,"
        f" {len(report.failures)} failure(s); traced {ingest.stories_traced} story(ies)"
    )
    if report.failures and not brief:
        _err.print(_failures_table(report.failures))


def _failures_table(failures: list[Failure]) -> Table:
    table = Table(title=f"{len(failures)} failure(s)", title_style="bold yellow")
    for column in ("url", "for", "error", "reason"):
        table.add_column(column)
    for failure in failures[:_FAILURES_SHOWN]:
        table.add_row(failure.url, failure.purpose, failure.error_type, failure.reason)
    if len(failures) > _FAILURES_SHOWN:
        table.caption = f"... and {len(failures) - _FAILURES_SHOWN} more"
    return table


# -- one page, and its evidence ---------------------------------------------------------


def fetch(
    url: Annotated[str, typer.Argument(help="The page to fetch now.")],
    db: DbOption = None,
) -> None:
    """Fetch one page now, archive it, ingest and trace it, and show its story."""

    async def work() -> CrawlReport:
        async with _crawler(db, None) as crawler:
            return await crawler.fetch_one(url)

    report = _run(lambda: asyncio.run(work()))
    if report.failures:
        failure = report.failures[0]
        _err.print(f"[red]not fetched:[/red] {failure.url}: {failure.error_type}: {failure.reason}")
        raise typer.Exit(1)
    if report.new_versions:
        _out.print("the page changed since its last capture: archived as a new version")
    from provenance.cli import trace  # here: cli.py imports this module at its end

    trace(report.fetched_urls[0], db=db)


def evidence(
    url: Annotated[str, typer.Argument(help="The page (or feed) whose captures to export.")],
    output: Annotated[Path, typer.Option("-o", "--output", help="The .warc.gz file to write.")],
    db: DbOption = None,
) -> None:
    """Write every archived capture of a URL, all versions, to one WARC file."""
    try:
        key = normalize_url(url)
    except ValueError as exc:
        _err.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from exc
    if output.exists():
        _err.print(f"[red]error:[/red] {output} exists; evidence files are never overwritten")
        raise typer.Exit(2)
    settings = Settings()
    service = Service(db or settings.database_url)
    try:
        with service.sessions() as session:
            captures = crawl_repo.captures_of(session, key)
            refs = [
                CaptureRef(c.warc_path, c.warc_offset, c.warc_length, c.payload_sha256)
                for c in captures
            ]
    finally:
        service.close()
    if not refs:
        _err.print(f"[red]not found:[/red] no capture of {key} is archived")
        raise typer.Exit(1)
    archive = WarcArchive.from_settings(settings)
    count = _run(lambda: archive.export_captures(refs, output))
    _out.print(f"wrote {count} capture(s) of {key} to {output}")
