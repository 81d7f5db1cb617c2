"""Listings: what the crawler carries from a feed poll to the page fetches.

A poll takes a :class:`FeedRow` (the feed, detached from its database session),
reads the fetched body into a :class:`Listing`, and each page the listing names
becomes a :class:`ListedPage` carrying the dates the listing gave it. A page
named by several listings in one crawl (a feed and a sitemap, say) is fetched
once, with what each of them said (:func:`merge_page`). Plain data: nothing
here does I/O.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from provenance.models import DateClaim
from provenance.storage.tables import Feed
from provenance.urls import normalize_url

__all__ = ["FeedRow", "ListedPage", "Listing", "listed_page", "merge_page"]


@dataclass(frozen=True, slots=True)
class FeedRow:
    """What a poll needs of a feed row, detached from its session."""

    id: int
    url: str
    kind: str
    outlet_id: int
    etag: str | None
    last_modified: str | None
    interval: float | None

    @classmethod
    def of(cls, f: Feed) -> FeedRow:
        """The fields of ``f`` a poll reads."""
        return cls(f.id, f.url, f.kind, f.outlet_id, f.etag, f.last_modified, f.poll_interval_s)


@dataclass
class Listing:
    """What a feed or sitemap listed, read from its body."""

    kind: str
    title: str | None
    items: list[ListedPage]
    problem: str | None = None
    complete: bool = True


@dataclass
class ListedPage:
    """A page URL a listing names, with what the listings said about it."""

    url: str
    url_norm: str
    feed_id: int | None
    dates: list[DateClaim] = field(default_factory=list)
    lastmod: datetime | None = None
    refetch: bool = False


def listed_page(
    url: str, feed_id: int, published: DateClaim | None, *, lastmod: datetime | None = None
) -> ListedPage | None:
    """The page a listing names at ``url``, or None when ``url`` cannot be normalised.

    Args:
        url: The page's URL, as the listing gives it.
        feed_id: The feed or sitemap that lists it.
        published: The publication date the listing gives, if any.
        lastmod: The sitemap's ``<lastmod>``, if any.
    """
    try:
        url_norm = normalize_url(url)
    except ValueError:
        return None
    return ListedPage(url, url_norm, feed_id, [published] if published else [], lastmod=lastmod)


def merge_page(found: dict[str, ListedPage], item: ListedPage) -> None:
    """Join what several listings say about one page (a feed and a sitemap, say)."""
    known = found.get(item.url_norm)
    if known is None:
        found[item.url_norm] = item
        return
    known.dates.extend(d for d in item.dates if d not in known.dates)
