"""A story document as CSV, as a graph (GEXF, GraphML) and as JSON.

The graph's nodes are the member articles keyed by URL, its edges run from the
parent to the copy; attributes are strings and numbers only, never ``None``, so
that GEXF and GraphML can hold them and Gephi can open the files.
"""

from __future__ import annotations

import csv
import io
import json
from enum import StrEnum
from typing import Any

import networkx as nx

__all__ = ["STORY_FORMATS", "StoryFormat", "media_type", "render_story", "story_csv", "story_graph"]


class StoryFormat(StrEnum):
    """The formats one story can be exported in."""

    JSON = "json"
    CSV = "csv"
    GEXF = "gexf"
    GRAPHML = "graphml"
    PROV = "prov"
    BUNDLE = "bundle"


STORY_FORMATS = tuple(f.value for f in StoryFormat)
_MEDIA = {
    StoryFormat.JSON: ("application/json", "json"),
    StoryFormat.CSV: ("text/csv; charset=utf-8", "csv"),
    StoryFormat.GEXF: ("application/gexf+xml", "gexf"),
    StoryFormat.GRAPHML: ("application/graphml+xml", "graphml"),
    StoryFormat.PROV: ("application/json", "prov.json"),
    StoryFormat.BUNDLE: ("application/zip", "zip"),
}
#: The CSV columns: the contract's article fields, flat, with the story id first.
CSV_FIELDS = (
    "story_id",
    "url",
    "outlet",
    "title",
    "published_at",
    "fetched_at",
    "parent_url",
    "relation",
    "similarity",
    "confidence",
    "credit",
)


def media_type(format: StoryFormat | str) -> tuple[str, str]:
    """The HTTP media type and file extension of a format.

    Raises:
        ValueError: For an unknown format.
    """
    return _MEDIA[StoryFormat(format)]


def story_csv(doc: dict[str, Any]) -> str:
    """One row per member article; an unknown value is an empty cell."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_FIELDS, lineterminator="\n")
    writer.writeheader()
    for article in doc["articles"]:
        row = {key: article.get(key) for key in CSV_FIELDS if key != "story_id"}
        writer.writerow({"story_id": doc["story_id"], **row})
    return buffer.getvalue()


def _clean(attrs: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in attrs.items() if v is not None}


def story_graph(doc: dict[str, Any]) -> nx.DiGraph:
    """The copy tree as a directed graph, parent → copy, nodes keyed by URL."""
    graph = nx.DiGraph(story_id=doc["story_id"], origin_url=doc["origin_url"] or "")
    for article in doc["articles"]:
        graph.add_node(
            article["url"],
            **_clean(
                {
                    "label": article["outlet"],
                    "outlet": article["outlet"],
                    "title": article["title"],
                    "published_at": article["published_at"],
                    "relation": article["relation"],
                }
            ),
        )
    for article in doc["articles"]:
        if article["parent_url"]:
            graph.add_edge(
                article["parent_url"],
                article["url"],
                **_clean(
                    {
                        "relation": article["relation"],
                        "similarity": article["similarity"],
                        "confidence": article["confidence"],
                        "credit": article.get("credit"),
                        "weight": article["similarity"],
                    }
                ),
            )
    return graph


def render_story(doc: dict[str, Any], format: StoryFormat | str) -> str:
    """The story as text in ``format`` (every format but the bundle, which is a zip).

    Raises:
        ValueError: For an unknown format, or ``bundle``.
    """
    fmt = StoryFormat(format)
    if fmt is StoryFormat.JSON:
        return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"
    if fmt is StoryFormat.CSV:
        return story_csv(doc)
    if fmt is StoryFormat.PROV:
        from provenance.exports.prov import story_prov

        return json.dumps(story_prov(doc), ensure_ascii=False, indent=2) + "\n"
    if fmt is StoryFormat.GEXF:
        return "\n".join(nx.generate_gexf(story_graph(doc))) + "\n"
    if fmt is StoryFormat.GRAPHML:
        return "\n".join(nx.generate_graphml(story_graph(doc))) + "\n"
    raise ValueError("the bundle is a zip file: use write_bundle")
