"""Article URLs for generated pages: outlet, section, optional date path, slug and id.

Kept apart from :mod:`provenance.urls` (which normalises URLs the system reads):
this module only invents them, with ids unique across a whole network.
"""

from __future__ import annotations

import random
from datetime import datetime

from provenance.eval.drafts import slugify
from provenance.eval.outlets import Outlet

__all__ = ["UrlMinter"]

_SECTIONS = ("world", "politics", "business", "news", "culture", "science", "local")


class UrlMinter:
    """Mints article URLs whose numeric ids never repeat within one network.

    Args:
        rng: The generator's random source; each URL draws an id, then a section.
    """

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self._ids: set[int] = set()

    def mint(self, outlet: Outlet, title: str, when: datetime, dated: bool) -> str:
        """Return a new URL for an article.

        Args:
            outlet: The publishing outlet.
            title: The headline, slugified into the path when it has Latin words.
            when: The publication time, for outlets with dated paths.
            dated: Whether the page claims a date; undated pages get no date path.

        Returns:
            The URL.
        """
        ident = self._rng.randrange(100_000, 10_000_000)
        while ident in self._ids:
            ident = self._rng.randrange(100_000, 10_000_000)
        self._ids.add(ident)
        slug = slugify(title)
        tail = f"{slug}-{ident}" if slug else f"article-{ident}"
        section = self._rng.choice(_SECTIONS)
        if outlet.dated_urls and dated:
            return f"https://{outlet.domain}/{section}/{when:%Y/%m/%d}/{tail}"
        return f"https://{outlet.domain}/{section}/{tail}"
