"""The API's commands: ``serve``, ``tokens create|list|revoke`` and ``export story``.

They join the ``provenance`` app through :func:`register`, which ``cli.py``
calls. Exit codes follow ``cli.py``: 0 success, 1 nothing could be done (no such
story or token), 2 bad usage.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from provenance.exports import STORY_FORMATS, render_story, write_bundle
from provenance.settings import Settings
from provenance.storage.db import connect, migrate
from provenance.stories import load_story

__all__ = ["register", "tokens_app"]

tokens_app = typer.Typer(help="API tokens (their secrets are shown once).", no_args_is_help=True)
_out = Console()
_err = Console(stderr=True)

DbOption = Annotated[
    str | None,
    typer.Option(
        "--db", help="Database URL (default: PROVENANCE_DATABASE_URL, else SQLite in the data dir)."
    ),
]


def register(app: typer.Typer) -> None:
    """Add ``serve``, ``tokens`` and ``export story`` to the ``provenance`` app."""
    app.command("serve")(serve)
    app.add_typer(tokens_app, name="tokens")
    for group in app.registered_groups:
        if group.name == "export" and group.typer_instance is not None:
            group.typer_instance.command("story")(export_story)


def _settings(db: str | None) -> Settings:
    settings = Settings()
    if db:
        settings.database_url = db
    return settings


def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    db: DbOption = None,
) -> None:
    """Serve the REST API (under /api, spec at /openapi.json) and the web page."""
    import uvicorn

    from provenance.api import create_app

    app = create_app(_settings(db))
    _err.print(f"serving on http://{host}:{port}/ (Ctrl-C stops)")
    uvicorn.run(app, host=host, port=port, log_level="info", proxy_headers=False)


@tokens_app.command("create")
def tokens_create(
    name: Annotated[str, typer.Argument(help="Who or what the token is for.")],
    scope: Annotated[
        list[str] | None,
        typer.Option("--scope", help="read, submit or admin; repeat for several (default read)."),
    ] = None,
    db: DbOption = None,
) -> None:
    """Create a token and print its secret (it cannot be shown again)."""
    from provenance.api.tokens import create_token

    engine, sessions = connect(_settings(db).database_url)
    migrate(engine)
    try:
        with sessions.begin() as session:
            row, secret = create_token(session, name=name, scopes=scope or ["read"])
            ident, scopes = row.id, ", ".join(row.scopes)
    except ValueError as exc:
        _err.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from exc
    finally:
        engine.dispose()
    _err.print(f"token {ident} ({name}; {scopes}); keep it, it is not stored:")
    typer.echo(secret)


@tokens_app.command("list")
def tokens_list(db: DbOption = None) -> None:
    """List tokens: id, name, scopes, creation, last use, revoked."""
    from provenance.api.tokens import list_tokens

    engine, sessions = connect(_settings(db).database_url)
    migrate(engine)
    table = Table(title="API tokens")
    for column in ("id", "name", "scopes", "created", "last used", "revoked"):
        table.add_column(column)
    with sessions() as session:
        for t in list_tokens(session):
            used = f"{t.last_used_at:%Y-%m-%d %H:%M}" if t.last_used_at else "-"
            table.add_row(
                str(t.id), t.name, ", ".join(t.scopes), f"{t.created_at:%Y-%m-%d %H:%M}", used,
                "yes" if t.revoked else "",
            )  # fmt: skip
    engine.dispose()
    _out.print(table)


@tokens_app.command("revoke")
def tokens_revoke(
    token_id: Annotated[int, typer.Argument(help="The token's id (see `tokens list`).")],
    db: DbOption = None,
) -> None:
    """Revoke a token: it stops working at once."""
    from provenance.api.tokens import revoke_token

    engine, sessions = connect(_settings(db).database_url)
    migrate(engine)
    with sessions.begin() as session:
        found = revoke_token(session, token_id)
    engine.dispose()
    if not found:
        _err.print(f"[red]error:[/red] no token {token_id}")
        raise typer.Exit(1)
    _err.print(f"token {token_id} revoked")


def export_story(
    story_id: Annotated[int, typer.Argument(help="The story's id.")],
    output: Annotated[Path, typer.Option("-o", "--output", help="File to write.")],
    format: Annotated[
        str, typer.Option("--format", help="json, csv, gexf, graphml, prov or bundle.")
    ] = "json",
    db: DbOption = None,
) -> None:
    """Write one story as JSON (the contract), CSV, GEXF, GraphML, PROV-JSON or an evidence zip."""
    if format not in STORY_FORMATS:
        _err.print(f"[red]error:[/red] unknown format {format!r}: use {', '.join(STORY_FORMATS)}")
        raise typer.Exit(2)
    from provenance.export import story_document

    engine, sessions = connect(_settings(db).database_url)
    migrate(engine)
    try:
        with sessions() as session:
            report = load_story(session, story_id)
            if report is None or not report.articles:
                _err.print(f"[red]error:[/red] no story {story_id}")
                raise typer.Exit(1)
            if format == "bundle":
                write_bundle(session, report, output)
            else:
                text = render_story(story_document(report), format)
                output.write_text(text, encoding="utf-8", newline="")
    finally:
        engine.dispose()
    _err.print(f"wrote story {report.story.id} as {format} to {output}")
