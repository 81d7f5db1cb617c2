"""The ``provenance`` command line (typer + rich).

Errors of ours map to exit codes here and nowhere else: 0 success, 1 nothing
could be done (nothing ingested, URL not found), 2 bad usage or a ``--strict``
ingest that met a bad record.
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.tree import Tree

from provenance.errors import InputError, ProvenanceError
from provenance.export import story_document
from provenance.ingest import read_records
from provenance.network import CREDIT_KINDS
from provenance.service import IngestReport, Service
from provenance.settings import Settings
from provenance.storage import repository as repo
from provenance.stories import StoryReport, load_story
from provenance.urls import normalize_url

app = typer.Typer(
    help="Where did this story come from, and who copied whom?",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)
export_app = typer.Typer(help="Export stored data for other tools.", no_args_is_help=True)
app.add_typer(export_app, name="export")
console = Console()
errors = Console(stderr=True)

DbOption = Annotated[
    str | None,
    typer.Option(
        "--db", help="Database URL (default: PROVENANCE_DATABASE_URL, else SQLite in the data dir)."
    ),
]


def _service(db: str | None) -> Service:
    return Service(db or Settings().database_url)


def _count_lines(path: Path) -> int | None:
    if path.suffix != ".jsonl" and path.suffix != ".ndjson":
        return None
    with path.open("rb") as handle:
        return sum(chunk.count(b"\n") for chunk in iter(lambda: handle.read(1 << 20), b""))


def _print_rejected(rejected: list[InputError]) -> None:
    if not rejected:
        return
    table = Table(title=f"{len(rejected)} record(s) rejected", title_style="bold yellow")
    table.add_column("where")
    table.add_column("why")
    for error in rejected[:30]:
        where = (
            f"{error.source or ''}:{error.line}" if error.line is not None else (error.source or "")
        )
        table.add_row(where, error.reason)
    errors.print(table)
    if len(rejected) > 30:
        errors.print(f"... and {len(rejected) - 30} more")


def _ingest_one(service: Service, path: Path, max_body: int) -> IngestReport:
    total = _count_lines(path)
    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=errors,
        transient=False,
    ) as bar:
        task = bar.add_task(f"ingest {path.name}", total=total)
        report = service.ingest_records(
            read_records(path, max_body_bytes=max_body),
            progress=lambda n: bar.update(task, completed=n),
        )
    for error in report.rejected:
        if error.source is None:
            error.source = str(path)
    return report


@app.command()
def ingest(
    paths: Annotated[list[Path], typer.Argument(help="JSONL or WARC files (.gz accepted).")],
    db: DbOption = None,
    strict: Annotated[
        bool, typer.Option(help="Refuse the whole input if any record is bad.")
    ] = False,
) -> None:
    """Ingest articles, match them into stories and trace each story's origin."""
    settings = Settings()
    try:
        if strict:
            bad = [
                e
                for p in paths
                for e in read_records(p, max_body_bytes=settings.max_body_bytes)
                if isinstance(e, InputError)
            ]
            if bad:
                _print_rejected(bad)
                errors.print("[red]--strict: nothing ingested[/red]")
                raise typer.Exit(2)
        service = _service(db)
        reports = [_ingest_one(service, p, settings.max_body_bytes) for p in paths]
    except InputError as exc:
        errors.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(1) from exc
    rejected = [e for r in reports for e in r.rejected]
    _print_rejected(rejected)
    stored = sum(r.stored for r in reports)
    console.print(
        f"stored {stored} new article(s) ({sum(r.empty for r in reports)} empty or boilerplate), "
        f"{sum(r.unchanged for r in reports)} already stored, "
        f"{sum(r.changed for r in reports)} already stored with other content (kept), "
        f"{len(rejected)} rejected; traced {sum(r.stories_traced for r in reports)} story(ies)"
    )
    if sum(r.accepted for r in reports) == 0:
        raise typer.Exit(1)


def _stories_table(service: Service, limit: int) -> Table:
    table = Table(title="Stories")
    for column in ("story", "size", "origin outlet", "confidence", "first published", "first seen"):
        table.add_column(
            column, justify="right" if column in ("story", "size", "confidence") else "left"
        )
    with service.sessions() as session:
        for story in repo.live_stories(session, limit=limit):
            report = load_story(session, story.id)
            if report is None:
                continue
            origin = report.articles.get(story.origin_article_id or -1)
            seen = [a.fetched_at for a in report.articles.values() if a.fetched_at is not None]
            table.add_row(
                str(story.id),
                str(story.size),
                report.outlets[origin.outlet_id].name if origin else "?",
                f"{story.confidence or 0:.2f}",
                f"{story.first_published_at:%Y-%m-%d %H:%M}" if story.first_published_at else "-",
                f"{min(seen):%Y-%m-%d %H:%M}" if seen else "-",
            )
    return table


@app.command()
def stories(
    db: DbOption = None,
    limit: Annotated[int, typer.Option(help="How many stories to list, largest first.")] = 20,
) -> None:
    """List stories: size, origin outlet, confidence, first published and first seen."""
    console.print(_stories_table(_service(db), limit))


def _tree(report: StoryReport) -> Tree:
    doc = story_document(report)
    root_url = doc["origin_url"]
    tree = Tree(
        f"[bold]story {doc['story_id']}[/bold]: {doc['size']} article(s), origin "
        f"[green]{doc['origin_outlet']}[/green] (confidence {doc['confidence']:.2f})"
    )
    nodes: dict[str, Tree] = {}
    for article in doc["articles"]:
        parent = nodes.get(article["parent_url"] or "", tree)
        style = (
            "green"
            if article["url"] == root_url
            else ("yellow" if article["relation"] == "partial" else "cyan")
        )
        label = (
            f"[{style}]{article['relation']}[/{style}] {article['outlet']}  {article['url']}"
            f"  [dim]sim {article['similarity']:.2f}, conf {article['confidence']:.2f}[/dim]"
        )
        node = parent.add(label)
        # Attribution first (editors look for it), then the strongest evidence.
        shown = sorted(article["evidence"], key=lambda e: e["kind"] not in CREDIT_KINDS)
        for item in shown[:6]:
            node.add(f"[dim]{item['kind']}: {item['detail']}[/dim]")
        nodes[article["url"]] = node
    return tree


@app.command()
def trace(
    url: Annotated[str, typer.Argument(help="URL of any article of the story.")],
    db: DbOption = None,
    explain: Annotated[
        bool,
        typer.Option("--explain", help="Every piece of evidence, with its weight, in plain words."),
    ] = False,
) -> None:
    """Show one story: its origin, the copy tree and the evidence for each edge."""
    service = _service(db)
    try:
        key = normalize_url(url)
    except ValueError as exc:
        errors.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from exc
    with service.sessions() as session:
        article = repo.article_by_url(session, key)
        if article is None:
            errors.print(f"[red]not found:[/red] no stored article has the URL {key}")
            raise typer.Exit(1)
        if article.story_id is None:
            console.print(f"{key} is stored as '{article.status}': too little text to join a story")
            return
        report = load_story(session, article.story_id)
        assert report is not None
        if explain:
            from provenance.explain import explain_story

            console.print(explain_story(session, report))
        else:
            console.print(_tree(report))


@export_app.command("stories")
def export_stories(
    db: DbOption = None,
    format: Annotated[str, typer.Option("--format", help="Only 'jsonl' for now.")] = "jsonl",
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="File to write (default stdout).")
    ] = None,
) -> None:
    """Write every story (singletons included) as JSON Lines, one object per story."""
    if format != "jsonl":
        errors.print(f"[red]error:[/red] unknown format {format!r}: use jsonl")
        raise typer.Exit(2)
    from provenance.export import story_documents

    service = _service(db)
    handle = output.open("w", encoding="utf-8") if output else sys.stdout
    count = 0
    try:
        with service.sessions() as session:
            for doc in story_documents(session):
                handle.write(json.dumps(doc, ensure_ascii=False) + "\n")
                count += 1
    finally:
        if output:
            handle.close()
    errors.print(f"exported {count} story(ies)" + (f" to {output}" if output else ""))


@app.command()
def demo(
    db: DbOption = None,
    stories_count: Annotated[
        int, typer.Option("--stories", help="Stories in the synthetic network.")
    ] = 40,
    seed: Annotated[int, typer.Option(help="Generator seed.")] = 1,
) -> None:
    """Generate a small synthetic syndication network, ingest it, and show what was found."""
    from provenance.eval.generator import generate_network

    network = generate_network(seed=seed, stories=stories_count)
    workdir = Path(tempfile.mkdtemp(prefix="provenance-demo-"))
    articles, _truth = network.write(workdir)
    url = db or f"sqlite:///{workdir / 'demo.sqlite'}"
    console.print(f"generated {len(network.records)} articles in {articles}; database {url}")
    service = Service(url)
    _print_rejected(_ingest_one(service, articles, Settings().max_body_bytes).rejected)
    console.print(_stories_table(service, 10))
    with service.sessions() as session:
        top = repo.live_stories(session, limit=1)
        report = load_story(session, top[0].id) if top else None
        if report is not None:
            console.print(_tree(report))


def main() -> Any:
    """Entry point that maps our errors to exit codes."""
    try:
        return app()
    except ProvenanceError as exc:
        errors.print(f"[red]error:[/red] {exc}")
        raise SystemExit(1) from exc


__all__ = ["app", "main"]

# Commands kept in their own modules: the copy-vs-parent diff, and the
# crawler's (outlets, feeds, crawl, fetch, evidence).
from provenance.cli_diff import diff as _diff_command  # noqa: E402

app.command("diff")(_diff_command)

from provenance.cli_crawl import register as _register_crawl  # noqa: E402

_register_crawl(app)

# The outlet copy network is an `outlets` command too.
from provenance.cli_crawl import outlets_app as _outlets_app  # noqa: E402
from provenance.cli_network import network as _network_command  # noqa: E402

_outlets_app.command("network")(_network_command)

# The API's commands: serve, tokens, export story.
from provenance.cli_api import register as _register_api  # noqa: E402

_register_api(app)

# Distributed mode: worker, beat, submit, reconcile, migrate.
from provenance.cli_worker import register as _register_worker  # noqa: E402

_register_worker(app)
