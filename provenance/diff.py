"""Copy-versus-parent diffs: the aligned ops, the similarity and the flags.

A copy is compared with the article it was traced to. The paragraph and
sentence ops come from :mod:`provenance.alignment`; on top of them the diff
flags what an editor looks for: a rewritten headline, framing added before or
after the shared text, a truncated copy, and attribution (declared sources,
the byline) stripped or added.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from provenance.alignment import (
    OpKind,
    ParagraphOp,
    SentenceOp,
    align_paragraphs,
    measure_similarity,
)
from provenance.normalize import normalize_text

__all__ = [
    "FLAGS",
    "ArticleDiff",
    "DiffInput",
    "diff_articles",
]

#: The flags of an :class:`ArticleDiff`, in the order they are reported.
FLAGS = (
    "headline_changed",
    "framing_added_start",
    "framing_added_end",
    "truncated",
    "attribution_stripped",
    "attribution_added",
    "byline_stripped",
)
#: A copy is truncated when the parent text it drops after its last shared
#: sentence is at least this share of the parent; less is a trimmed credit line.
TRUNCATED_SHARE = 0.15

_BYLINE_PREFIXES = frozenset({"by", "von", "par", "por", "di", "door", "av", "przez", "автор"})


@dataclass(frozen=True, slots=True)
class DiffInput:
    """One side of a diff.

    Attributes:
        title: The headline, if any.
        byline: The author line, if any.
        blocks: The body's paragraphs in reading order (outlet boilerplate removed).
        declared_sources: Source names the article declares.
        outlet: The outlet's display name, for the report.
        url: The article's URL, for the report.
    """

    title: str | None = None
    byline: str | None = None
    blocks: tuple[str, ...] = ()
    declared_sources: tuple[str, ...] = ()
    outlet: str | None = None
    url: str | None = None


@dataclass(frozen=True, slots=True)
class ArticleDiff:
    """How a copy differs from its parent; built by :func:`diff_articles`.

    Attributes:
        parent: The parent side.
        child: The copy side.
        paragraphs: Paragraph ops in reading order.
        similarity: Share of the two texts that is kept (0..1; edited sentences count in part).
        headline_changed: Both have a headline and they differ.
        framing_added_start: The copy has new text before the first shared sentence.
        framing_added_end: The copy has new text after the last shared sentence.
        truncated: The copy holds the parent's beginning and stops early.
        sources_stripped: Sources the parent declares that the copy does not.
        sources_added: Sources the copy declares that the parent does not.
        byline_stripped: The parent's byline is neither in the copy's byline nor its body.
    """

    parent: DiffInput
    child: DiffInput
    paragraphs: tuple[ParagraphOp, ...]
    similarity: float
    headline_changed: bool
    framing_added_start: bool
    framing_added_end: bool
    truncated: bool
    sources_stripped: tuple[str, ...] = ()
    sources_added: tuple[str, ...] = ()
    byline_stripped: bool = False

    @property
    def attribution_stripped(self) -> bool:
        """The parent declares a source the copy lacks."""
        return bool(self.sources_stripped)

    @property
    def attribution_added(self) -> bool:
        """The copy declares a source the parent lacks."""
        return bool(self.sources_added)

    def flags(self) -> dict[str, bool]:
        """Every flag by name, set or not."""
        return {name: bool(getattr(self, name)) for name in FLAGS}

    def counts(self) -> dict[str, dict[str, int]]:
        """Paragraph and sentence counts per kind.

        A reflowed group counts under ``reflowed``, not ``changed``: its text is intact.
        """
        paragraphs = dict.fromkeys(("equal", "added", "removed", "changed", "reflowed"), 0)
        sentences = dict.fromkeys(("equal", "added", "removed", "changed"), 0)
        for op in self.paragraphs:
            paragraphs["reflowed" if op.reflowed else str(op.kind)] += 1
            for sentence in op.sentences:
                sentences[str(sentence.kind)] += 1
        return {"paragraphs": paragraphs, "sentences": sentences}

    def summary(self) -> dict[str, Any]:
        """A small JSON-ready dict for the export: similarity, counts and flags."""
        return {
            "similarity": round(self.similarity, 4),
            "counts": self.counts(),
            "flags": self.flags(),
        }

    def to_dict(self) -> dict[str, Any]:
        """Everything, JSON-ready: the summary, both sides' metadata and every op."""
        keys = ("url", "outlet", "title", "byline", "declared_sources")
        sides = {"parent": self.parent, "child": self.child}
        return {
            **self.summary(),
            **{name: {k: getattr(side, k) for k in keys} for name, side in sides.items()},
            "sources_stripped": list(self.sources_stripped),
            "sources_added": list(self.sources_added),
            "paragraphs": [op.to_dict() for op in self.paragraphs],
        }


def diff_articles(parent: DiffInput, child: DiffInput) -> ArticleDiff:
    """Compare a copy with its parent.

    Args:
        parent: The article the copy was taken from.
        child: The copy.

    Returns:
        The paragraph and sentence ops, the similarity and the flags.
    """
    ops = align_paragraphs(parent.blocks, child.blocks)
    start, end, truncated = _framing(ops)
    return ArticleDiff(
        parent=parent,
        child=child,
        paragraphs=tuple(ops),
        similarity=measure_similarity(ops),
        headline_changed=_headline_changed(parent.title, child.title),
        framing_added_start=start,
        framing_added_end=end,
        truncated=truncated,
        sources_stripped=_missing(parent.declared_sources, child.declared_sources),
        sources_added=_missing(child.declared_sources, parent.declared_sources),
        byline_stripped=_byline_stripped(parent.byline, child),
    )


# -- flags ---------------------------------------------------------------------


def _framing(ops: list[ParagraphOp]) -> tuple[bool, bool, bool]:
    """(framing at the start, framing at the end, truncated) from the sentence sequence."""
    flat = [s for op in ops for s in op.sentences]
    shared = [n for n, s in enumerate(flat) if s.kind in (OpKind.EQUAL, OpKind.CHANGED)]
    if not shared:  # nothing in common: a rewrite, not a framed copy
        return False, False, False
    head, tail = flat[: shared[0]], flat[shared[-1] + 1 :]

    def dropped(part: list[SentenceOp]) -> int:
        return sum(len(normalize_text(s.parent or "")) for s in part if s.kind is OpKind.REMOVED)

    parent_size = sum(len(normalize_text(s.parent)) for s in flat if s.parent)
    limit = TRUNCATED_SHARE * parent_size
    return (
        any(s.kind is OpKind.ADDED for s in head),
        any(s.kind is OpKind.ADDED for s in tail),
        dropped(tail) >= limit and dropped(head) < limit,
    )


def _headline_changed(parent: str | None, child: str | None) -> bool:
    # A missing headline is more often an extraction gap than an edit.
    a, b = normalize_text(parent or ""), normalize_text(child or "")
    return bool(a and b and a != b)


def _names_match(a: str, b: str) -> bool:
    # "Reuters" and "Thomson Reuters", "example.com" and "Example" name one source.
    x, y = normalize_text(a), normalize_text(b)
    return bool(x and y) and (f" {x} " in f" {y} " or f" {y} " in f" {x} ")


def _missing(names: tuple[str, ...], others: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(n for n in names if not any(_names_match(n, o) for o in others))


def _byline_stripped(byline: str | None, child: DiffInput) -> bool:
    words = normalize_text(byline or "").split()
    if words and words[0] in _BYLINE_PREFIXES:
        words = words[1:]
    if not words:
        return False
    name = f" {' '.join(words)} "
    # The name may survive in the copy's byline or in its body ("By Jane Doe" as a paragraph).
    where = [child.byline or "", *child.blocks]
    return not any(name in f" {normalize_text(text)} " for text in where)
