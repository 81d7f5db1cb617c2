"""Exports of one story: CSV, GEXF, GraphML, W3C PROV-JSON and the evidence bundle.

Every format starts from the export contract's document
(:func:`provenance.export.story_document`), so all of them say the same thing.
The API, the web page and ``provenance export story`` share these functions.
"""

from provenance.exports.bundle import write_bundle
from provenance.exports.formats import (
    STORY_FORMATS,
    StoryFormat,
    media_type,
    render_story,
    story_csv,
    story_graph,
)
from provenance.exports.prov import story_prov

__all__ = [
    "STORY_FORMATS",
    "StoryFormat",
    "media_type",
    "render_story",
    "story_csv",
    "story_graph",
    "story_prov",
    "write_bundle",
]
