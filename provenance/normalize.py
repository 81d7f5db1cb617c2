"""Text normalisation before shingling.

Copies of one story differ in ways that say nothing about their text: Unicode
compatibility forms (full-width Latin in Chinese pages, ligatures), case,
typographic quotes and dashes, punctuation and runs of white space. Normalising
them away first lets the shingles of two copies agree wherever the words do.
Digits are kept (figures are content); diacritics are kept (they separate words
in many languages).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

__all__ = ["ends_with_read_more", "is_read_more", "normalize_text"]


class _SeparatorTable(dict[int, int | None]):
    """A ``str.translate`` table that maps punctuation, symbols and controls to a space.

    Filled lazily: the table learns each code point the first time it is seen,
    so translation runs in C for every character after the first occurrence.
    """

    def __missing__(self, point: int) -> int | None:
        category = unicodedata.category(chr(point))
        # Punctuation (P*), symbols (S*), controls and formats (C*) and separators
        # (Z*) separate words; letters, marks and digits are content.
        value: int | None = 0x20 if category[0] in "PSCZ" else point
        self[point] = value
        return value


_TABLE = _SeparatorTable()


def normalize_text(text: str) -> str:
    """Return ``text`` in the canonical form used for shingling.

    NFKC, case-folded, punctuation, symbols and controls replaced by spaces,
    white space collapsed to single spaces.

    Args:
        text: Any text.

    Returns:
        The normalised text (possibly empty).
    """
    folded = unicodedata.normalize("NFKC", text).casefold()
    return " ".join(folded.translate(_TABLE).split())


# "Read more" pointers that end a truncated repost, in the languages we meet.
_READ_MORE = re.compile(
    r"(read (the )?(full|more|rest)|continue reading|full (story|article)|weiterlesen|"
    r"mehr lesen|leer m[aá]s|sigue leyendo|lire la suite|en savoir plus|leggi (tutto|di pi[uù])|"
    r"continua a leggere|читать (далее|полностью)|подробнее|czytaj (dalej|więcej)|"
    r"devamını oku|devamı|اقرأ المزيد|阅读全文|阅读原文|查看全文|続きを読む)",
    re.IGNORECASE,
)
#: A "read more" block is a short line, not a paragraph that happens to say it.
_READ_MORE_MAX_CHARS = 200


def ends_with_read_more(blocks: Sequence[str]) -> bool:
    """Whether the text ends in a short "read more" pointer (a truncated repost).

    Args:
        blocks: The article's text blocks in reading order.

    Returns:
        True when one of the last two blocks is a short "read more" line.
    """
    return any(is_read_more(block) for block in blocks[-2:])


def is_read_more(block: str) -> bool:
    """Whether a block is a short "read more" pointer line."""
    return len(block) <= _READ_MORE_MAX_CHARS and _READ_MORE.search(block) is not None
