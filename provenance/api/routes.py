"""The API's routes under ``/api``: submissions, jobs, stories, articles, outlets, network.

Routes are thin: check the caller, call a query or the job runner, shape the
answer. Errors are raised as :class:`~provenance.api.errors.ApiError` and
rendered by the handlers in :mod:`provenance.api.errors`.
"""

from __future__ import annotations

import io
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Path, Query, Request, Response

from provenance.api import queries
from provenance.api.deps import (
    AdminCaller,
    Caller,
    ReadCaller,
    SessionDep,
    rate_limited,
    runner_of,
    settings_of,
)
from provenance.api.errors import ERROR_RESPONSES, ApiError
from provenance.api.schemas import (
    JobOut,
    OutletPage,
    StoryOut,
    StoryPage,
    Submission,
    TokenOut,
    page_fields,
    submission_kind,
)
from provenance.api.tokens import list_tokens
from provenance.diffing import diff_for_article
from provenance.export import story_document
from provenance.exports import STORY_FORMATS, media_type, render_story, write_bundle
from provenance.jobs import create_job, get_job, job_document
from provenance.network_graph import NetworkFormat
from provenance.storage.network_repository import outlet_network
from provenance.storage.tables import Article, Outlet
from provenance.stories import StoryReport, load_story

__all__ = ["router"]

router = APIRouter(prefix="/api", responses=ERROR_RESPONSES)
Limit = Annotated[
    int, Query(ge=1, le=1000, description="Items per page (lowered to the server's maximum).")
]
Offset = Annotated[int, Query(ge=0, le=10_000_000, description="Items skipped.")]
#: Stored ids are 32-bit on PostgreSQL: a larger one is refused, not sent to the database.
Id = Annotated[int, Path(ge=1, le=2**31 - 1)]


def _limit(request: Request, limit: int) -> int:
    # Lowered, not refused: the setting may be below the spec's bound, and the
    # page's "limit" field tells the caller what it got.
    return min(limit, settings_of(request).api_page_size_max)


@router.get("/health", tags=["meta"])
def health() -> dict[str, str]:
    """Whether the service answers."""
    return {"status": "ok"}


@router.post("/submissions", status_code=202, response_model=JobOut, tags=["submit"])
def submit(
    body: Annotated[Submission, Body()],
    request: Request,
    session: SessionDep,
    caller: Annotated[Caller, Depends(rate_limited)],
) -> dict[str, Any]:
    """Submit a URL (fetched through the guarded crawler, then traced) or a text; returns a job."""
    job = create_job(
        session,
        kind=submission_kind(body),
        input=body.model_dump(exclude_none=True),
        token_id=caller.token_id,
    )
    session.commit()  # the runner must see the row before it starts
    runner_of(request).submit(job.id)
    return job_document(job)


@router.get("/jobs/{job_id}", response_model=JobOut, tags=["submit"])
def job(job_id: Id, session: SessionDep, _: ReadCaller) -> Any:
    """A submission job: its status, and its result once done."""
    found = get_job(session, job_id)
    if found is None:
        raise ApiError(404, f"no job {job_id}")
    return job_document(found)


@router.get("/stories", response_model=StoryPage, tags=["stories"])
def stories(
    request: Request,
    session: SessionDep,
    _: ReadCaller,
    q: Annotated[str | None, Query(max_length=200, description="Words in a title or text.")] = None,
    outlet: Annotated[
        str | None, Query(max_length=255, description="Outlet domain or name.")
    ] = None,
    since: Annotated[datetime | None, Query(description="First published at or after.")] = None,
    until: Annotated[datetime | None, Query(description="First published at or before.")] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> dict[str, Any]:
    """Search stories by text, outlet and date range, largest first."""
    query = queries.StoryQuery(
        text=q or None,
        outlet=outlet or None,
        since=_aware(since),
        until=_aware(until),
        limit=_limit(request, limit),
        offset=offset,
    )
    items, total, more = queries.search_stories(session, query)
    return {"items": items, **page_fields(total, query.limit, offset, len(items), more=more)}


def _aware(value: datetime | None) -> datetime | None:
    if value is not None and value.tzinfo is None:
        raise ApiError(422, "give dates with a time zone (for example 2024-05-17T08:00:00Z)")
    return value


def _report(session: SessionDep, story_id: int) -> StoryReport:
    report = load_story(session, story_id)
    if report is None or not report.articles:
        raise ApiError(404, f"no story {story_id}")
    return report


@router.get("/stories/{story_id}", response_model=StoryOut, tags=["stories"])
def story(story_id: Id, session: SessionDep, _: ReadCaller) -> dict[str, Any]:
    """A story: origin, members in tree order with evidence and diffs, timeline, history."""
    return queries.story_view(session, _report(session, story_id))


_EXPORT_CONTENT: dict[int | str, dict[str, Any]] = {
    200: {"content": {media_type(f)[0]: {} for f in STORY_FORMATS}, "description": "The file."}
}


@router.get("/stories/{story_id}/export", responses=_EXPORT_CONTENT, tags=["exports"])
def export_story(
    story_id: Id,
    session: SessionDep,
    _: ReadCaller,
    format: Annotated[str, Query(pattern="^(" + "|".join(STORY_FORMATS) + ")$")] = "json",
) -> Response:
    """One story as JSON (the contract), CSV, GEXF, GraphML, PROV-JSON or an evidence bundle."""
    report = _report(session, story_id)
    kind, extension = media_type(format)
    if format == "bundle":
        buffer = io.BytesIO()
        write_bundle(session, report, buffer)
        content: bytes | str = buffer.getvalue()
    else:
        content = render_story(story_document(report), format)
    name = f"story-{report.story.id}.{extension}"
    return Response(
        content, media_type=kind, headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )


def _article(session: SessionDep, article_id: int) -> Article:
    article = session.get(Article, article_id)
    if article is None:
        raise ApiError(404, f"no article {article_id}")
    return article


@router.get("/articles/{article_id}", tags=["stories"])
def article(article_id: Id, session: SessionDep, _: ReadCaller) -> dict[str, Any]:
    """One stored article: outlet, dates, story, traced parent and its text."""
    return queries.article_view(session, _article(session, article_id))


@router.get("/articles/{article_id}/diff", tags=["stories"])
def article_diff(article_id: Id, session: SessionDep, _: ReadCaller) -> dict[str, Any]:
    """The article against its traced parent, paragraph by paragraph and sentence by sentence."""
    diff = diff_for_article(session, _article(session, article_id))
    if diff is None:
        raise ApiError(404, f"article {article_id} has no parent to differ from")
    return {"article_id": article_id, **diff.to_dict()}


@router.get("/outlets", response_model=OutletPage, tags=["outlets"])
def outlets(
    request: Request, session: SessionDep, _: ReadCaller, limit: Limit = 50, offset: Offset = 0
) -> dict[str, Any]:
    """Every outlet, by domain, with its article count."""
    limit = _limit(request, limit)
    items, total = queries.outlets_page(session, limit=limit, offset=offset)
    return {"items": items, **page_fields(total, limit, offset, len(items))}


@router.get("/outlets/{outlet_id}", tags=["outlets"])
def outlet(outlet_id: Id, session: SessionDep, _: ReadCaller) -> dict[str, Any]:
    """An outlet: its figures, the outlets it copies and those copying it, recent articles."""
    row = session.get(Outlet, outlet_id)
    if row is None:
        raise ApiError(404, f"no outlet {outlet_id}")
    network = outlet_network(session)
    stats = next((s.row() for s in network.outlets if s.outlet.id == outlet_id), None)
    base = {"outlet_id": row.id, "domain": row.domain, "name": row.name}
    return (
        base
        | (stats or {})
        | {
            "sources": [e.row() for e in network.edges if e.copier.id == outlet_id],
            "copiers": [e.row() for e in network.edges if e.source.id == outlet_id],
            "recent_articles": queries.outlet_articles(session, outlet_id, limit=50),
        }
    )


_NETWORK_CONTENT: dict[int | str, dict[str, Any]] = {
    200: {
        "content": {"application/json": {}, "text/csv": {}, "application/xml": {}},
        "description": "The network.",
    }
}


@router.get("/network", responses=_NETWORK_CONTENT, tags=["outlets"])
def network(
    session: SessionDep,
    _: ReadCaller,
    min_count: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
    format: Annotated[str, Query(pattern="^(json|csv|gexf|graphml)$")] = "json",
) -> Response:
    """The outlet copy network: who copies whom, how often, with what lag, credited or not."""
    built = outlet_network(session, min_count=min_count)
    fmt = NetworkFormat(format)
    kind = {"json": "application/json", "csv": "text/csv"}.get(format, "application/xml")
    return Response(built.render(fmt), media_type=kind)


@router.get("/tokens", response_model=list[TokenOut], tags=["admin"])
def tokens(session: SessionDep, _: AdminCaller) -> list[dict[str, Any]]:
    """Every API token (names, scopes and use; never the secrets)."""
    return [
        {
            "id": t.id,
            "name": t.name,
            "scopes": list(t.scopes),
            "created_at": t.created_at.isoformat(),
            "last_used_at": t.last_used_at.isoformat() if t.last_used_at else None,
            "revoked": t.revoked,
        }
        for t in list_tokens(session)
    ]
