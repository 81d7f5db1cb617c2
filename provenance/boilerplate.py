"""Outlet boilerplate: blocks an outlet repeats on every page.

Pages without semantic markup come out of the extractor with their menus,
cookie notices, legal footers and "read more" promos mixed into the body. Those
blocks would make every two articles of an outlet look alike, so each outlet
gets a :class:`BoilerplateModel` that counts on how many of its pages each block
appears and strips the ones seen on enough of them.

Blocks are identified by :func:`block_key`, a hash of their normalised text, so
the model stores no text and survives trivial changes of spacing or case.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import TypeGuard

import xxhash

from provenance.normalize import normalize_text

__all__ = ["BoilerplateModel", "block_key"]

#: Only blocks up to this length can become boilerplate. Menus, notices and
#: footers are short; a long paragraph seen on several pages of one outlet is far
#: more likely the same article re-posted (an update, a second URL), and
#: stripping it would erase exactly the text that proves the copy.
MAX_BOILERPLATE_LENGTH = 600

_SPACE_RE = re.compile(r"\s+")
_FORMAT_VERSION = 1


def block_key(block: str) -> str:
    """Return a stable key for a text block.

    The block is normalised (NFKC, case-folded, punctuation and symbols removed,
    whitespace collapsed; digits are kept, so "© 2023" and "© 2024" differ) and
    hashed with xxh64. The key is the same in every process and Python version,
    unlike ``hash()``.

    Args:
        block: A text block.

    Returns:
        A 16-character hexadecimal key.
    """
    return str(xxhash.xxh64_hexdigest(normalize_text(block).encode("utf-8")))


class BoilerplateModel:
    """Counts, per outlet, on how many pages each short block appears.

    Args:
        counts: Pages seen per block key, as saved by :meth:`to_dict`.
        pages: Number of pages observed so far.
        min_pages: A block seen on at least this many distinct pages is boilerplate.

    Raises:
        ValueError: ``min_pages`` is below 1, or ``pages`` or a count is negative.
    """

    def __init__(
        self, counts: Mapping[str, int] | None = None, pages: int = 0, *, min_pages: int = 3
    ) -> None:
        if min_pages < 1:
            raise ValueError(f"min_pages must be at least 1, not {min_pages}")
        if pages < 0:
            raise ValueError(f"pages must not be negative, not {pages}")
        self._counts: dict[str, int] = dict(counts or {})
        if any(count < 0 for count in self._counts.values()):
            raise ValueError("block counts must not be negative")
        self._pages = pages
        self._min_pages = min_pages

    @property
    def pages(self) -> int:
        """Number of pages observed."""
        return self._pages

    @property
    def min_pages(self) -> int:
        """Distinct pages a block must appear on to count as boilerplate."""
        return self._min_pages

    def observe(self, blocks: Sequence[str]) -> None:
        """Learn from one page of the outlet.

        Each distinct block counts once, however often the page repeats it.
        Call it once per page: observing the same page twice counts it twice.

        Args:
            blocks: The page's text blocks, before stripping.
        """
        for key in {block_key(block) for block in blocks if _countable(block)}:
            self._counts[key] = self._counts.get(key, 0) + 1
        self._pages += 1

    def is_boilerplate(self, block: str) -> bool:
        """Tell whether a block is outlet boilerplate.

        Args:
            block: A text block.

        Returns:
            True when the block is short enough to be boilerplate and was seen on
            at least ``min_pages`` distinct pages.
        """
        if not _countable(block):
            return False
        return self._counts.get(block_key(block), 0) >= self._min_pages

    def boilerplate_keys(self) -> frozenset[str]:
        """The :func:`block_key` of every block this outlet repeats enough to be boilerplate."""
        return frozenset(k for k, count in self._counts.items() if count >= self._min_pages)

    def strip(self, blocks: Sequence[str]) -> list[str]:
        """Remove the boilerplate blocks of a page.

        Args:
            blocks: The page's text blocks, in order.

        Returns:
            The blocks that are not boilerplate, in their original order.
        """
        return [block for block in blocks if not self.is_boilerplate(block)]

    def to_dict(self) -> dict[str, object]:
        """Return the model as plain JSON-serialisable data.

        Returns:
            A dict with ``version``, ``pages``, ``min_pages`` and ``counts``.
        """
        return {
            "version": _FORMAT_VERSION,
            "pages": self._pages,
            "min_pages": self._min_pages,
            "counts": dict(self._counts),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> BoilerplateModel:
        """Rebuild a model saved with :meth:`to_dict`.

        Args:
            data: The saved dict (for instance read back from JSON).

        Returns:
            The model.

        Raises:
            ValueError: The data is not a saved model of a known version.
        """
        if data.get("version") != _FORMAT_VERSION:
            raise ValueError(f"unknown boilerplate model version: {data.get('version')!r}")
        pages, min_pages, counts = data.get("pages"), data.get("min_pages"), data.get("counts")
        if not _is_int(pages) or not _is_int(min_pages) or not isinstance(counts, Mapping):
            raise ValueError("boilerplate model data needs integer pages, min_pages and counts")
        clean: dict[str, int] = {}
        for key, count in counts.items():
            if not isinstance(key, str) or not _is_int(count):
                raise ValueError(f"bad boilerplate count entry: {key!r}: {count!r}")
            clean[key] = count
        return cls(clean, pages, min_pages=min_pages)

    def __repr__(self) -> str:
        return (
            f"BoilerplateModel(pages={self._pages}, blocks={len(self._counts)}, "
            f"min_pages={self._min_pages})"
        )


def _countable(block: str) -> bool:
    stripped = block.strip()
    return bool(stripped) and len(stripped) <= MAX_BOILERPLATE_LENGTH


def _is_int(value: object) -> TypeGuard[int]:
    # bool is an int subclass, but True is no page count.
    return isinstance(value, int) and not isinstance(value, bool)
