"""Cleaning, sentence splitting and deduplication of the generator's base texts.

Scraped news texts carry site chrome (cookie and sign-up prompts), captcha and
block pages, and mojibake; :func:`clean_text` drops or rejects them. The
cleaned prose is split into sentences (:func:`split_sentences`, Latin, Arabic
and CJK punctuation) and grouped into paragraphs (:func:`group_paragraphs`);
:class:`Deduplicator` keeps one of each set of texts that share most of their
prose. Pure functions on strings; :mod:`provenance.eval.corpus` reads the files.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence

__all__ = [
    "CJK",
    "Deduplicator",
    "clean_text",
    "group_paragraphs",
    "is_mojibake",
    "split_sentences",
]

# Two texts sharing more than this share of shingles count as one text: keeping
# both would make truth call them different stories while they share prose.
_NEAR_DUP_CONTAINMENT = 0.2

_MOJIBAKE = ("Ã", "Ð", "\ufffd", "â€", "Ä±", "Å", "Ø§")
_CAPTCHA = re.compile(
    r"captcha|IP address|adresu IP|not a robot|nie jestem robotem|Can only detect|"
    r"enable JavaScript and consider|Wyłącz AdBlocka",
    re.IGNORECASE,
)
_JUNK_SENTENCE = re.compile(
    r"cookie|javascript|subscri|sign up|newsletter|ad ?blocker|log ?in|email alerts|"
    r"notification|registered|abonn|iscriviti|suscr|zaloguj|giriş yap|"
    r"订阅|登录|请启用|подпис|اشترك|\{\{",
    re.IGNORECASE,
)
#: Any CJK character (kana, ideographs): texts in such scripts split and shingle apart.
CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff]")
_SENTENCE_END = re.compile(
    r"(?:(?<=[.!?…؟])|(?<=[.!?…؟][\"”»\u2019)]))\s+(?=\S)"
    r"|(?<=[a-zà-ÿğışçöü]{2}[.!?])(?=[A-ZÀ-ÖØ-ÞĀ-ŽА-ЯİĞŞÇÖÜ])"
    r"|(?<=[。\uff01\uff1f][”」』])|(?<=[。\uff01\uff1f])(?![”」』])"
)
_WORD = re.compile(r"\w+")


def is_mojibake(text: str) -> bool:
    """Tell whether a text was decoded with the wrong charset (UTF-8 read as Latin-1).

    Args:
        text: The text to check.

    Returns:
        True when typical mis-decoding sequences are frequent.
    """
    hits = sum(text.count(marker) for marker in _MOJIBAKE)
    return hits >= 3 or hits > len(text) / 500


def clean_text(text: str) -> str | None:
    """Clean one scraped text, or reject it.

    Drops sentences that are site chrome (cookie, sign-up and login prompts).
    Rejects mojibake, captcha and block pages, and texts left too short.

    Args:
        text: Title and body as scraped.

    Returns:
        The cleaned text, or None when the text is not a usable article.
    """
    if is_mojibake(text) or _CAPTCHA.search(text):
        return None
    sentences = split_sentences(re.sub(r"\s+", " ", text))
    kept = [s for s in sentences if not _JUNK_SENTENCE.search(s)]
    cleaned = " ".join(kept)
    minimum = 150 if CJK.search(cleaned) else 400
    if len(kept) < 4 or len(cleaned) < minimum or len(kept) < 0.7 * len(sentences):
        return None
    return cleaned


def split_sentences(text: str) -> list[str]:
    """Split a text into sentences (Latin ``.!?``, Arabic ``؟``, CJK full stops and marks).

    Fragments too short to stand alone are merged into the previous sentence.

    Args:
        text: One text.

    Returns:
        The sentences, stripped, in order.
    """
    sentences: list[str] = []
    for piece in _SENTENCE_END.split(text):
        piece = piece.strip()
        if not piece:
            continue
        short = len(piece) < (6 if CJK.search(piece) else 10)
        if sentences and short:
            joiner = "" if CJK.search(piece) else " "
            sentences[-1] = f"{sentences[-1]}{joiner}{piece}"
        else:
            sentences.append(piece)
    return sentences


def group_paragraphs(sentences: Sequence[str]) -> list[tuple[str, ...]]:
    """Group sentences into 3-6 paragraphs of near-equal sentence counts.

    Args:
        sentences: At least one sentence.

    Returns:
        The paragraphs, each a tuple of sentences (fewer than 3 only when there
        are fewer than 3 sentences).
    """
    count = min(len(sentences), max(3, min(6, round(len(sentences) / 3))))
    size, extra = divmod(len(sentences), count)
    paragraphs, start = [], 0
    for index in range(count):
        end = start + size + (1 if index < extra else 0)
        paragraphs.append(tuple(sentences[start:end]))
        start = end
    return paragraphs


def _shingles(text: str) -> set[str]:
    if CJK.search(text):
        chars = re.sub(r"\s+", "", text)
        return {chars[i : i + 8] for i in range(max(1, len(chars) - 7))}
    words = [w.lower() for w in _WORD.findall(text)]
    return {" ".join(words[i : i + 5]) for i in range(max(1, len(words) - 4))}


class Deduplicator:
    """Exact-hash and shingle-containment deduplication, first text wins."""

    def __init__(self, threshold: float = _NEAR_DUP_CONTAINMENT) -> None:
        self._threshold = threshold
        self._hashes: set[str] = set()
        self._index: dict[str, list[int]] = {}
        self._sizes: list[int] = []

    def add(self, key: str, text: str) -> bool:
        """Record ``text``; return False when it duplicates an earlier text."""
        normal = re.sub(r"\s+", " ", text).strip().lower()
        digest = hashlib.sha1(normal.encode("utf-8")).hexdigest()
        if digest in self._hashes:
            return False
        shingles = _shingles(normal)
        overlap: dict[int, int] = {}
        for shingle in shingles:
            for other in self._index.get(shingle, ()):
                overlap[other] = overlap.get(other, 0) + 1
        for other, shared in overlap.items():
            smaller = min(len(shingles), self._sizes[other])
            if shared / max(1, smaller) > self._threshold:
                return False
        self._hashes.add(digest)
        ident = len(self._sizes)
        self._sizes.append(len(shingles))
        for shingle in shingles:
            self._index.setdefault(shingle, []).append(ident)
        return True
