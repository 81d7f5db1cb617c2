"""provenance: where did this story come from, and who copied whom?

The package root re-exports the pure core: extraction, shingles, fingerprints,
matching, clustering and tracing, and their data model. The service edges
(storage, CLI, worker) are imported from their own modules
(``provenance.service``, ``provenance.cli``), so importing the core never pulls
in a database driver or a web framework.
"""

from provenance.cluster import Assignment, assign_story
from provenance.errors import (
    ConfigError,
    ExtractionError,
    FetchError,
    InputError,
    ProvenanceError,
    StorageError,
)
from provenance.extract import extract_html, extract_text
from provenance.fingerprint import Fingerprint, FingerprintOptions, LSHIndex, fingerprint_shingles
from provenance.match import MatchOptions, compare_shingles, shingle_set
from provenance.models import (
    DateClaim,
    DateSource,
    Evidence,
    ExtractedPage,
    Match,
    MatchKind,
    Member,
    Relation,
    StoryTrace,
    TracedEdge,
)
from provenance.normalize import normalize_text
from provenance.settle import PlacedArticle, StoryGroup, settle_component
from provenance.shingle import ShingleOptions, shingle_hashes, tokenize
from provenance.trace import trace_story
from provenance.urls import normalize_url

__version__ = "0.1.0"

__all__ = [
    "Assignment",
    "ConfigError",
    "DateClaim",
    "DateSource",
    "Evidence",
    "ExtractedPage",
    "ExtractionError",
    "FetchError",
    "Fingerprint",
    "FingerprintOptions",
    "InputError",
    "LSHIndex",
    "Match",
    "MatchKind",
    "MatchOptions",
    "Member",
    "PlacedArticle",
    "ProvenanceError",
    "Relation",
    "ShingleOptions",
    "StorageError",
    "StoryGroup",
    "StoryTrace",
    "TracedEdge",
    "assign_story",
    "compare_shingles",
    "extract_html",
    "extract_text",
    "fingerprint_shingles",
    "normalize_text",
    "normalize_url",
    "settle_component",
    "shingle_hashes",
    "shingle_set",
    "tokenize",
    "trace_story",
]
