"""The evidence bundle: one zip an analyst can cite and archive.

It holds ``story.json`` (the export contract's document of the story, with its
history), ``story.html`` (the same report as a printable page), ``captures.warc.gz``
(the archived HTTP responses of every member that has one, copied byte for byte
from the service's WARC files) and ``manifest.json`` + ``SHA256SUMS`` (the SHA-256
of every file, and of each capture's payload as recorded when it was fetched).

Capture paths come from the database only, never from the caller.
"""

from __future__ import annotations

import hashlib
import html
import json
import tempfile
import zipfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from provenance.export import story_document
from provenance.fetch import WarcArchive
from provenance.raw_record import CaptureRef
from provenance.storage.tables import Capture
from provenance.stories import StoryReport, story_history

__all__ = ["BundleCapture", "story_captures", "write_bundle"]


@dataclass(frozen=True, slots=True)
class BundleCapture:
    """One member's archived response: which article, where, and its payload digest."""

    url: str
    ref: CaptureRef
    fetched_at: str | None


def story_captures(session: Session, report: StoryReport) -> list[BundleCapture]:
    """The WARC captures of a story's members (crawled pages and WARC imports)."""
    ids = list(report.articles)
    rows = session.scalars(
        select(Capture)
        .where(Capture.article_id.in_(ids), Capture.purpose == "page")
        .order_by(Capture.article_id, Capture.fetched_at, Capture.id)
    )
    found: dict[tuple[str, int], BundleCapture] = {}
    for row in rows:
        ref = CaptureRef(row.warc_path, row.warc_offset, row.warc_length, row.payload_sha256)
        url = report.articles[row.article_id or 0].url_norm
        found[(ref.path, ref.offset)] = BundleCapture(url, ref, row.fetched_at.isoformat())
    for article in report.ordered():
        path = article.capture_path
        # A JSON Lines import is evidence too, but not a WARC record: only WARC
        # members are copied into the bundle's WARC file.
        if (
            path
            and path.endswith(".warc.gz")
            and article.capture_offset is not None
            and article.capture_sha256 is not None
        ):
            ref = CaptureRef(
                path, article.capture_offset, article.capture_length or 0, article.capture_sha256
            )
            found.setdefault((path, ref.offset), BundleCapture(article.url_norm, ref, None))
    return list(found.values())


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _row(cells: list[str]) -> str:
    return "<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in cells) + "</tr>"


def story_html(doc: dict[str, Any]) -> str:
    """The story report as a self-contained, printable HTML page."""
    rows = [
        _row(
            [
                a["relation"],
                a["outlet"],
                a["url"],
                a["published_at"] or "",
                a["parent_url"] or "",
                f"{a['similarity']:.2f}",
                a.get("credit") or "",
                "; ".join(e["detail"] for e in a["evidence"]),
            ]
        )
        for a in doc["articles"]
    ]
    head = "".join(
        f"<th>{h}</th>"
        for h in ("relation", "outlet", "url", "published", "parent", "sim.", "credit", "evidence")
    )
    title = html.escape(f"Story {doc['story_id']}: {doc['origin_outlet'] or 'origin unknown'}")
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{title}</title><style>body{{font:11pt serif;margin:2em}}"
        "table{border-collapse:collapse;width:100%}td,th{border:1px solid #999;"
        "padding:3px;vertical-align:top;font-size:9pt;word-break:break-all}</style></head>"
        f"<body><h1>{title}</h1><p>Origin: {html.escape(doc['origin_url'] or 'unknown')}"
        f" — confidence {doc['confidence']:.2f}; first published "
        f"{html.escape(doc['first_published_at'] or 'unknown')}; {doc['size']} member(s).</p>"
        f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
        f"<p>Generated {datetime.now(UTC).isoformat()}.</p></body></html>\n"
    )


def _history(session: Session, story_id: int) -> list[dict[str, Any]]:
    return [
        {
            "at": e.at.isoformat(),
            "reason": e.reason,
            "size_before": e.size_before,
            "size_after": e.size_after,
            "origin_changed": e.origin_before != e.origin_after,
        }
        for e in story_history(session, story_id)
    ]


def _warc(captures: list[BundleCapture]) -> bytes:
    with tempfile.TemporaryDirectory(prefix="provenance-bundle-") as tmp:
        out = Path(tmp) / "captures.warc.gz"
        WarcArchive(Path(tmp)).export_captures([c.ref for c in captures], out)
        return out.read_bytes()


def write_bundle(session: Session, report: StoryReport, target: Path | IO[bytes]) -> dict[str, Any]:
    """Write the evidence bundle of a story to ``target`` (a path or a binary stream).

    Returns:
        The manifest written into the zip.

    Raises:
        StorageError: A capture cannot be read from the archive.
    """
    doc = story_document(report) | {"history": _history(session, report.story.id)}
    captures = story_captures(session, report)
    files = {
        "story.json": (json.dumps(doc, ensure_ascii=False, indent=2) + "\n").encode("utf-8"),
        "story.html": story_html(doc).encode("utf-8"),
    }
    if captures:
        files["captures.warc.gz"] = _warc(captures)
    manifest = {
        "story_id": report.story.id,
        "created_at": datetime.now(UTC).isoformat(),
        "files": {name: _sha256(data) for name, data in files.items()},
        "captures": [
            {"url": c.url, "fetched_at": c.fetched_at, "payload_sha256": c.ref.sha256}
            for c in captures
        ],
        "members_without_capture": sorted(
            {a.url_norm for a in report.articles.values()} - {c.url for c in captures}
        ),
    }
    files["manifest.json"] = (json.dumps(manifest, indent=2) + "\n").encode("utf-8")
    sums = "".join(f"{_sha256(data)}  {name}\n" for name, data in files.items())
    files["SHA256SUMS"] = sums.encode("ascii")
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, data in files.items():
            zf.writestr(name, data)
    return manifest
