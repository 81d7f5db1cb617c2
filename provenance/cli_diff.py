"""The ``provenance diff`` command: how a copy differs from its traced parent.

Renders an :class:`~provenance.diff.ArticleDiff` with rich: the two articles,
the headline change, the flags as badges, then the paragraphs, as a unified
view (default) or side by side, with sentence-level highlights inside changed
paragraphs. Article text is always passed to rich as ``Text``, never as markup,
so brackets in a page cannot restyle the output.

Exit codes follow :mod:`provenance.cli`: 0 shown (or the article is an origin),
1 no stored article has the URL, 2 the URL is not a valid http(s) URL.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Annotated

import typer
from rich.console import Console, Group, RenderableType
from rich.table import Table
from rich.text import Text

from provenance.alignment import OpKind, ParagraphOp, SentenceOp
from provenance.diff import ArticleDiff
from provenance.diffing import diff_for_article
from provenance.service import Service
from provenance.settings import Settings
from provenance.storage import repository as repo
from provenance.urls import normalize_url

__all__ = ["diff"]

console = Console()
errors = Console(stderr=True)

#: Flag name → (badge label, style). Red: credit lost; yellow: text added around it.
_BADGES: dict[str, tuple[str, str]] = {
    "headline_changed": ("headline changed", "bold white on magenta"),
    "framing_added_start": ("framing added at start", "bold black on yellow"),
    "framing_added_end": ("framing added at end", "bold black on yellow"),
    "truncated": ("truncated", "bold white on blue"),
    "attribution_stripped": ("attribution stripped", "bold white on red"),
    "attribution_added": ("attribution added", "bold black on green"),
    "byline_stripped": ("byline stripped", "bold white on red"),
}
#: Sentence styles on each side of the side-by-side view.
_PARENT_STYLE = {OpKind.REMOVED: "bold red", OpKind.CHANGED: "red"}
_CHILD_STYLE = {OpKind.ADDED: "bold green", OpKind.CHANGED: "green"}


def diff(
    url: Annotated[str, typer.Argument(help="URL of a copy (any stored article).")],
    db: Annotated[
        str | None,
        typer.Option(
            "--db",
            help="Database URL (default: PROVENANCE_DATABASE_URL, else SQLite in the data dir).",
        ),
    ] = None,
    side_by_side: Annotated[
        bool, typer.Option("--side-by-side", help="Parent and copy in two columns.")
    ] = False,
    full: Annotated[
        bool, typer.Option("--full", help="Show every unchanged paragraph, not only context.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the whole diff as JSON.")] = False,
) -> None:
    """Show how a copy differs from its traced parent: headline, flags, paragraphs, sentences."""
    result = _load(url, db)
    if as_json:
        typer.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
        return
    console.print(_header(result))
    console.print(_badges(result))
    console.print(_side_by_side(result, full=full) if side_by_side else _unified(result, full=full))


def _load(url: str, db: str | None) -> ArticleDiff:
    """The diff for ``url``; prints why and exits when there is none."""
    try:
        key = normalize_url(url)
    except ValueError as exc:
        errors.print(Text.assemble(("error: ", "red"), str(exc)))
        raise typer.Exit(2) from exc
    service = Service(db or Settings().database_url)
    try:
        with service.sessions() as session:
            article = repo.article_by_url(session, key)
            if article is None:
                errors.print(Text.assemble(("not found: ", "red"), f"no stored article has {key}"))
                raise typer.Exit(1)
            result = diff_for_article(session, article)
            status, in_story = article.status, article.story_id is not None
    finally:
        service.close()
    if result is None:
        if in_story:
            console.print(f"{key} is the origin of its story: it has no parent to compare with.")
        else:
            console.print(f"{key} is stored as '{status}': too little text to join a story.")
        raise typer.Exit(0)
    return result


def _header(result: ArticleDiff) -> Group:
    counts = result.counts()
    para, sent = counts["paragraphs"], counts["sentences"]
    lines: list[RenderableType] = [
        _side_line("copy  ", result.child.url, result.child.outlet, "cyan"),
        _side_line("parent", result.parent.url, result.parent.outlet, "green"),
        Text(
            f"similarity {result.similarity:.2f} · paragraphs: {para['equal']} kept, "
            f"{para['added']} added, {para['removed']} removed, {para['changed']} changed, "
            f"{para['reflowed']} reflowed · sentences: {sent['equal']} kept, {sent['added']} "
            f"added, {sent['removed']} removed, {sent['changed']} changed",
            style="dim",
        ),
    ]
    lines.extend(_headline(result))
    if result.byline_stripped:
        lines.append(
            Text.assemble(
                ("byline  ", "bold"),
                (result.parent.byline or "", "red strike"),
                " → ",
                (result.child.byline or "(none)", "green"),
            )
        )
    for label, names, style in (
        ("sources stripped  ", result.sources_stripped, "red"),
        ("sources added  ", result.sources_added, "green"),
    ):
        if names:
            lines.append(Text.assemble((label, "bold"), (", ".join(names), style)))
    return Group(*lines)


def _side_line(label: str, url: str | None, outlet: str | None, style: str) -> Text:
    return Text.assemble((f"{label} ", "bold"), (url or "?", style), f"  ({outlet or '?'})")


def _headline(result: ArticleDiff) -> list[Text]:
    parent, child = result.parent.title, result.child.title
    if result.headline_changed:
        return [
            Text.assemble(("headline  ", "bold"), ("- ", "red"), (parent or "", "red")),
            Text.assemble(("          ", "bold"), ("+ ", "green"), (child or "", "green")),
        ]
    shown = child or parent
    return [Text.assemble(("headline  ", "bold"), (f"{shown} (unchanged)", "dim"))] if shown else []


def _badges(result: ArticleDiff) -> Text:
    flags = [name for name, value in result.flags().items() if value]
    if not flags:
        return Text("no flags", style="dim")
    badges = [Text(f" {_BADGES[name][0]} ", style=_BADGES[name][1]) for name in flags]
    return Text(" ").join(badges)


def _visible(ops: tuple[ParagraphOp, ...], *, full: bool) -> Iterator[ParagraphOp | int]:
    """The ops to draw; a run of unchanged paragraphs away from any change is its length."""
    changed = [n for n, op in enumerate(ops) if op.kind is not OpKind.EQUAL]
    near = {m for n in changed for m in (n - 1, n, n + 1)}
    hidden: list[ParagraphOp] = []
    for n, op in enumerate([*ops, None]):
        if op is not None and not full and n not in near:
            hidden.append(op)
            continue
        if len(hidden) == 1:  # folding a single paragraph would save no space
            yield hidden[0]
        elif hidden:
            yield len(hidden)
        hidden = []
        if op is not None:
            yield op


def _collapsed(count: int) -> Text:
    return Text(f"⋯ {count} unchanged paragraph(s)", style="dim italic")


def _marked(text: str, style: str, *, removed: bool) -> Text:
    """Highlighted text; without colour, git's word-diff marks ``[-old-]`` / ``{+new+}``."""
    if console.color_system is None:
        return Text(f"[-{text}-]" if removed else f"{{+{text}+}}")
    return Text(text, style=style)


def _unified(result: ArticleDiff, *, full: bool) -> Table:
    # A grid keeps wrapped paragraph lines indented under their text, not their marker.
    grid = Table.grid(padding=(0, 1))
    grid.add_column(width=1, no_wrap=True)
    grid.add_column()
    grid.add_row("", "")
    for item in _visible(result.paragraphs, full=full):
        if isinstance(item, int):
            grid.add_row("", _collapsed(item))
        elif item.kind is OpKind.EQUAL:
            grid.add_row("", Text("\n".join(item.child), style="dim"))
        elif item.kind is OpKind.ADDED:
            grid.add_row(Text("+", "green"), Text("\n".join(item.child), style="green"))
        elif item.kind is OpKind.REMOVED:
            grid.add_row(Text("-", "red"), Text("\n".join(item.parent), style="red"))
        elif item.reflowed:
            note = Text("(only the paragraph breaks moved) ", style="yellow")
            grid.add_row(Text("~", "yellow"), note + Text(" ".join(item.child), style="dim"))
        else:
            grid.add_row(Text("~", "yellow"), _merged_sentences(item.sentences))
        grid.add_row("", "")
    return grid


def _merged_sentences(sentences: tuple[SentenceOp, ...]) -> Text:
    """Both sides in one paragraph: the parent's text struck through, the copy's in green."""
    parts: list[Text] = []
    for sentence in sentences:
        if sentence.kind is OpKind.EQUAL:
            parts.append(Text(sentence.child or ""))
            continue
        if sentence.parent is not None:
            parts.append(_marked(sentence.parent, "red strike", removed=True))
        if sentence.child is not None:
            parts.append(_marked(sentence.child, "bold green", removed=False))
    return Text(" ").join(parts)


def _side_text(sentences: tuple[SentenceOp, ...], *, parent: bool) -> Text:
    styles = _PARENT_STYLE if parent else _CHILD_STYLE
    parts = []
    for sentence in sentences:
        text = sentence.parent if parent else sentence.child
        if text is None:
            continue
        style = styles.get(sentence.kind)
        parts.append(_marked(text, style, removed=parent) if style else Text(text))
    return Text(" ").join(parts)


def _side_by_side(result: ArticleDiff, *, full: bool) -> Table:
    table = Table(expand=True, show_lines=True)
    table.add_column(f"parent: {result.parent.outlet or '?'}", ratio=1)
    table.add_column(f"copy: {result.child.outlet or '?'}", ratio=1)
    for item in _visible(result.paragraphs, full=full):
        if isinstance(item, int):
            table.add_row(_collapsed(item), _collapsed(item))
        elif item.kind is OpKind.EQUAL:
            table.add_row(Text(item.parent[0], style="dim"), Text(item.child[0], style="dim"))
        else:
            table.add_row(
                _side_text(item.sentences, parent=True), _side_text(item.sentences, parent=False)
            )
    return table
