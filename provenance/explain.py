"""``provenance trace URL --explain``: a story's verdict in plain words, with weights.

For the origin and every copy, the evidence the tracer weighed, each with its
signed weight (what pushed the verdict, what pushed against it), the copy's
credit label and diff flags, and the story's history of re-traces.
"""

from __future__ import annotations

from typing import Any

from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text
from sqlalchemy.orm import Session

from provenance.export import story_document
from provenance.stories import StoryReport, story_history

__all__ = ["explain_story"]

_CREDIT_WORDS = {
    "credited": "credits its source",
    "uncredited": "does not say where it comes from",
    "miscredited": "names a source it did not copy from",
}


def _credit_words(credit: str | None, names: list[str]) -> str:
    """The credit label in words, naming what the copy names."""
    if not names or credit not in ("credited", "miscredited"):
        return _CREDIT_WORDS.get(credit or "", "")
    named = ", ".join(names)
    return f"credits {named}" if credit == "credited" else f"names {named}, not a source it used"


def _evidence_table(evidence: list[dict[str, Any]], weights: dict[str, float]) -> Table:
    table = Table(show_header=True, box=None, pad_edge=False)
    table.add_column("weight", justify="right")
    table.add_column("evidence")
    for item in evidence:
        weight = weights.get(item["kind"], 0.0)
        style = "green" if weight > 0 else "red" if weight < 0 else "dim"
        table.add_row(Text(f"{weight:+.2f}", style=style), item["detail"])
    return table


def _weights(raw: list[Any]) -> dict[str, float]:
    return {str(e["kind"]): float(e.get("weight", 0.0)) for e in raw}


def _flags(diff: dict[str, Any] | None) -> str:
    if not diff:
        return ""
    flags = [name.replace("_", " ") for name, on in diff.get("flags", {}).items() if on]
    return "; changes: " + ", ".join(flags) if flags else "; no visible edits"


def explain_story(session: Session, report: StoryReport) -> RenderableType:
    """The explanation of one story, ready for ``rich`` to print."""
    doc = story_document(report)
    story = report.story
    parts: list[RenderableType] = []
    origin = next((a for a in doc["articles"] if a["relation"] == "origin"), None)
    if origin is not None:
        title = (
            f"[bold]Origin[/bold]: {origin['outlet']} — {origin['url']}\n"
            f"confidence {doc['confidence']:.2f} that this is where the story started"
        )
        parts.append(
            Panel(
                Group(
                    Text.from_markup(title),
                    _evidence_table(origin["evidence"], _weights(story.origin_evidence)),
                ),
                border_style="green",
            )
        )
    by_url = {a["url"]: a for a in doc["articles"]}
    for article in doc["articles"]:
        if article["relation"] == "origin":
            continue
        edge = next(
            e
            for e in report.edges.values()
            if report.articles[e.child_id].url_norm == article["url"]
        )
        parent = by_url.get(article["parent_url"] or "", {})
        words = _credit_words(article.get("credit"), article.get("declared_sources") or [])
        heading = (
            f"[bold]{article['outlet']}[/bold] {article['relation']} of "
            f"{parent.get('outlet', '?')} — confidence {article['confidence']:.2f}, "
            f"similarity {article['similarity']:.2f}; {words}{_flags(article.get('diff'))}"
        )
        parts.append(
            Panel(
                Group(
                    Text.from_markup(heading),
                    Text(article["url"], style="dim"),
                    _evidence_table(article["evidence"], _weights(edge.evidence)),
                ),
                border_style="yellow" if article["relation"] == "partial" else "cyan",
            )
        )
    history = story_history(session, story.id)
    if history:
        table = Table(title="history of this story's verdict")
        for column in ("when", "why", "members", "origin", "parents changed"):
            table.add_column(column)
        for event in history:
            table.add_row(
                f"{event.at:%Y-%m-%d %H:%M}",
                event.reason,
                f"{event.size_before} → {event.size_after}",
                "kept" if event.origin_before == event.origin_after else "changed",
                str(len(event.changes)),
            )
        parts.append(table)
    return Group(*parts)
