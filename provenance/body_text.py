"""Body text: trafilatura's run over a parsed page, and the blocks of its output.

trafilatura finds the body text, as paragraphs in reading order, and guesses a
title, an author and a date; :mod:`provenance.extract` combines these with what
the page declares about itself. trafilatura gets an already-parsed tree and
never fetches.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import trafilatura
from trafilatura.settings import use_config

from provenance.errors import ExtractionError

__all__ = ["document_attr", "document_blocks", "run_trafilatura", "tidy"]

_SPACE_RE = re.compile(r"[^\S\n]+")
#: Body elements of trafilatura's output that make one block each.
_BLOCK_TAGS = frozenset({"p", "head", "item", "quote", "code", "row"})
#: Below this many characters of body, trafilatura distrusts its own extraction
#: and falls back to other algorithms, the last of which runs the whole article
#: into one paragraph. Its default (250) is long for a news brief, a truncated
#: repost or Chinese text (250 characters of Chinese are a long paragraph), and
#: the paragraphs are what credit lines, "read more" pointers and another
#: outlet's promo line are found by.
MIN_EXTRACTED_SIZE = 100
#: trafilatura's settings with that threshold; parsed once (reading them is slow).
_CONFIG = use_config()
_CONFIG.set("DEFAULT", "MIN_EXTRACTED_SIZE", str(MIN_EXTRACTED_SIZE))


def run_trafilatura(tree: Any, url: str, now: datetime) -> Any:
    """Run trafilatura over a parsed page, favouring recall.

    Args:
        tree: The page, parsed by lxml.
        url: The page's address.
        now: The present: htmldate takes no date after it (and a day of slack).

    Returns:
        trafilatura's document (body, title, author, date), or None if it found none.

    Raises:
        ExtractionError: trafilatura or htmldate failed.
    """
    try:
        return trafilatura.bare_extraction(
            tree,
            url=url,
            favor_recall=True,
            include_comments=False,
            include_tables=True,
            include_images=False,
            include_links=True,  # <ref> targets locate the body's links
            deduplicate=False,
            with_metadata=True,
            config=_CONFIG,
            date_extraction_params={
                "original_date": True,
                "extensive_search": True,
                # htmldate uses the local clock otherwise; a day of slack for zones.
                "max_date": (now + timedelta(days=1)).strftime("%Y-%m-%d"),
            },
        )
    except Exception as exc:  # trafilatura and htmldate raise assorted internal errors
        raise ExtractionError(f"text extraction failed: {type(exc).__name__}: {exc}") from exc


def document_blocks(document: Any) -> tuple[str, ...]:
    """The blocks of text of trafilatura's body, tidied, in document order.

    Args:
        document: trafilatura's document, or None.

    Returns:
        The non-empty blocks; empty without a body.
    """
    body = document_attr(document, "body")
    if body is None:
        return ()
    return tuple(block for raw in _walk(body) if (block := tidy(raw)))


def _walk(element: Any) -> Iterator[str]:
    """Block texts of trafilatura's output tree, in document order."""
    if element.tag in _BLOCK_TAGS:
        yield _element_text(element)
        return
    yield element.text or ""
    for child in element:
        yield from _walk(child)
        yield child.tail or ""


def _element_text(element: Any) -> str:
    parts = [element.text or ""]
    for child in element:
        parts.append("\n" if child.tag == "lb" else _element_text(child))
        if child.tag in ("cell", "item", "head", "p"):
            parts.append(" ")  # cells and nested items must not run together
        parts.append(child.tail or "")
    return "".join(parts)


def tidy(text: str) -> str:
    """Tidy a block: collapse spaces within each line and drop empty lines.

    Args:
        text: The block's raw text.

    Returns:
        The tidied text; empty if it held nothing but white space.
    """
    lines = (_SPACE_RE.sub(" ", line).strip() for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


def document_attr(document: Any, name: str) -> Any:
    """A field of trafilatura's document, or None if there is no document or field.

    Args:
        document: trafilatura's document, or None.
        name: The field, such as ``"title"``, ``"author"``, ``"date"`` or ``"body"``.

    Returns:
        The field's value, or None.
    """
    return getattr(document, name, None) if document is not None else None
