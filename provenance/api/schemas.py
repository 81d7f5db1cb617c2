"""Request and response bodies of the API, as pydantic models (they make the OpenAPI spec).

Story, article and diff bodies are documents whose article entries follow the
export contract (:mod:`provenance.export`); they are typed loosely here, as the
contract itself allows fields to be added.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "JobOut",
    "OutletPage",
    "OutletSummary",
    "StoredTextSubmission",
    "StoryOut",
    "StoryPage",
    "StorySummary",
    "Submission",
    "TextSubmission",
    "TokenOut",
    "UrlSubmission",
    "submission_kind",
]


#: Longest pasted text. Escaped as JSON, even 50,000 astral characters stay under
#: the default request size limit (1 MiB), so a text the spec allows is never a 413.
MAX_TEXT_CHARS = 50_000


class UrlSubmission(BaseModel):
    """A URL to fetch (through the guarded crawler), ingest and trace."""

    model_config = ConfigDict(extra="forbid")

    url: str = Field(min_length=1, max_length=2048)


class TextSubmission(BaseModel):
    """A pasted text, matched against the stored stories and not stored."""

    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=1, max_length=MAX_TEXT_CHARS)
    title: str | None = Field(default=None, max_length=1000)
    store: Literal[False] = False


class StoredTextSubmission(BaseModel):
    """A pasted text to ingest as the article published at ``url``."""

    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=1, max_length=MAX_TEXT_CHARS)
    url: str = Field(min_length=1, max_length=2048)
    title: str | None = Field(default=None, max_length=1000)
    store: Literal[True]


#: What ``POST /api/submissions`` takes: one of the three shapes.
Submission = UrlSubmission | TextSubmission | StoredTextSubmission


def submission_kind(body: Submission) -> Literal["url", "text"]:
    """The job kind a submission makes."""
    return "url" if isinstance(body, UrlSubmission) else "text"


class JobOut(BaseModel):
    """A submission job and its outcome (``result`` once done, ``error`` once failed)."""

    id: int
    kind: str
    status: Literal["queued", "running", "done", "failed"]
    input: dict[str, Any]
    result: dict[str, Any] | None
    error: str | None
    created_at: str
    started_at: str | None
    finished_at: str | None


class _Page(BaseModel):
    total: int | None = Field(description="Matches in all; null for text searches (not counted).")
    limit: int
    offset: int
    next_offset: int | None


class StorySummary(BaseModel):
    """One line of a story search."""

    story_id: int
    size: int
    confidence: float
    first_published_at: str | None
    origin_url: str | None
    origin_outlet: str | None
    origin_domain: str | None
    title: str | None


class StoryPage(_Page):
    """A page of stories."""

    items: list[StorySummary]


class StoryOut(BaseModel):
    """A story: the export contract's document, plus ids, a timeline and its history."""

    model_config = ConfigDict(extra="allow")

    story_id: int
    origin_url: str | None
    origin_outlet: str | None
    confidence: float
    first_published_at: str | None
    size: int
    articles: list[dict[str, Any]]
    timeline: list[dict[str, Any]]
    history: list[dict[str, Any]]


class OutletSummary(BaseModel):
    """An outlet and how many articles it has."""

    outlet_id: int
    domain: str
    name: str
    articles: int


class OutletPage(_Page):
    """A page of outlets."""

    items: list[OutletSummary]


class TokenOut(BaseModel):
    """A token as listed (never its secret)."""

    id: int
    name: str
    scopes: list[str]
    created_at: str
    last_used_at: str | None
    revoked: bool


def page_fields(
    total: int | None, limit: int, offset: int, count: int, *, more: bool | None = None
) -> dict[str, Any]:
    """The paging fields of a page that holds ``count`` items (``more``: known to go on)."""
    if more is None:
        more = total is not None and offset + count < total
    return {"total": total, "limit": limit, "offset": offset,
            "next_offset": offset + count if more and count else None}  # fmt: skip
