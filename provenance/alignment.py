"""Paragraph and sentence alignment of a copy with its parent.

Which paragraphs the copy kept, added, removed or changed, and inside each
changed group of paragraphs which sentences. ``difflib.SequenceMatcher`` aligns
the paragraphs first; each run of paragraphs that differ is then aligned
sentence by sentence, and the paragraphs that share a sentence are grouped, so
a copy that only moved the paragraph breaks shows as a *reflow* with every
sentence kept. Comparison runs on normalised text
(:func:`provenance.normalize.normalize_text`); the ops carry the original text.
:func:`provenance.diff.diff_articles` builds its diff on these ops.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from difflib import SequenceMatcher
from enum import StrEnum
from itertools import pairwise
from typing import Any

from provenance.normalize import normalize_text

__all__ = [
    "OpKind",
    "ParagraphOp",
    "SentenceOp",
    "align_paragraphs",
    "measure_similarity",
]

#: Two sentences whose word-level similarity reaches this are one sentence, edited.
CHANGED_SENTENCE_RATIO = 0.5
#: How many of the copy's sentences are tried as the edit of a parent sentence. An
#: edited sentence stays near its place; an unbounded search would cost a ratio
#: per pair of sentences in a long rewrite.
PAIR_WINDOW = 8

_CLOSERS = "\"'”’»)\\]」』）】"
# Latin, Cyrillic, Greek, Arabic and Devanagari stops need a space after them (so
# "3.5" and "e.g.x" stay whole), and no lower-case letter next (abbreviations);
# CJK stops end a sentence with no space at all.
_BOUNDARY = re.compile(
    rf"[.!?…؟۔।]+[{_CLOSERS}]*\s+(?=\S)(?![a-zà-ÿа-яё])|[。！？]+[{_CLOSERS}]*\s*"
)
# Scripts written without spaces compare character by character, others word by word.
_UNIT = re.compile(r"[\u0e00-\u0e7f\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af\uf900-\ufaff]|[^\s]+")


class OpKind(StrEnum):
    """What happened to a paragraph or sentence between parent and copy."""

    EQUAL = "equal"
    ADDED = "added"
    REMOVED = "removed"
    CHANGED = "changed"


@dataclass(frozen=True, slots=True)
class SentenceOp:
    """One sentence of parent and/or copy: ``parent`` is None when added, ``child`` when removed."""

    kind: OpKind
    parent: str | None
    child: str | None


@dataclass(frozen=True, slots=True)
class ParagraphOp:
    """A paragraph (equal, added, removed) or a group of changed paragraphs.

    Attributes:
        kind: What happened.
        parent: The parent's paragraphs in this op (empty when added).
        child: The copy's paragraphs in this op (empty when removed).
        parent_index: Position of the first parent paragraph, if any.
        child_index: Position of the first copy paragraph, if any.
        sentences: Sentence-level ops, in reading order.
    """

    kind: OpKind
    parent: tuple[str, ...]
    child: tuple[str, ...]
    parent_index: int | None
    child_index: int | None
    sentences: tuple[SentenceOp, ...] = ()

    @property
    def reflowed(self) -> bool:
        """A changed group whose sentences were all kept: only paragraph breaks moved."""
        return self.kind is OpKind.CHANGED and all(s.kind is OpKind.EQUAL for s in self.sentences)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form; sentences are listed for changed groups only."""
        out = asdict(self)
        if self.kind is OpKind.CHANGED:
            out["reflowed"] = self.reflowed
        else:  # kept, added or removed whole: the sentences say nothing more
            del out["sentences"]
        return out


def align_paragraphs(parent: tuple[str, ...], child: tuple[str, ...]) -> list[ParagraphOp]:
    """Align a copy's paragraphs with its parent's, and changed paragraphs by sentence.

    Args:
        parent: The parent's paragraphs in reading order.
        child: The copy's paragraphs in reading order.

    Returns:
        The paragraph ops in reading order, each with its sentence ops.
    """
    return _paragraph_ops(_paragraphs(parent), _paragraphs(child))


def measure_similarity(ops: list[ParagraphOp]) -> float:
    """Share of the two texts that the ops keep (0..1; edited sentences count in part).

    Args:
        ops: Paragraph ops from :func:`align_paragraphs`.

    Returns:
        The kept share of both texts' normalised characters; 1.0 when both are empty.
    """
    kept = total = 0.0
    for sentence in (s for op in ops for s in op.sentences):
        a = normalize_text(sentence.parent) if sentence.parent else ""
        b = normalize_text(sentence.child) if sentence.child else ""
        total += len(a) + len(b)
        if sentence.kind is OpKind.EQUAL:
            kept += len(a) + len(b)
        elif sentence.kind is OpKind.CHANGED:
            kept += _ratio(a, b) * (len(a) + len(b))
    return kept / total if total else 1.0


# -- text units ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Paragraph:
    text: str
    key: str
    sentences: tuple[tuple[str, str], ...]  # (original, normalised)


def _paragraphs(blocks: tuple[str, ...]) -> list[_Paragraph]:
    # Blocks with no letters or digits ("* * *" rules) say nothing about the text.
    out = []
    for block in blocks:
        text = block.strip()
        key = normalize_text(text)
        if key:
            out.append(_Paragraph(text, key, _sentences(text)))
    return out


def _sentences(text: str) -> tuple[tuple[str, str], ...]:
    cuts = [0, *(match.end() for match in _BOUNDARY.finditer(text)), len(text)]
    out: list[tuple[str, str]] = []
    for piece in filter(None, (text[i:j].strip() for i, j in pairwise(cuts))):
        key = normalize_text(piece)
        if out and not (key and out[-1][1]):
            # A piece with no words (a lone "…", a dash) joins its neighbour.
            out[-1] = (f"{out[-1][0]} {piece}", out[-1][1] or key)
        else:
            out.append((piece, key))
    return tuple(out)


def _ratio(a: str, b: str) -> float:
    matcher = SequenceMatcher(None, _UNIT.findall(a), _UNIT.findall(b), autojunk=False)
    # The cheap upper bounds first, as difflib.get_close_matches does.
    for bound in (matcher.real_quick_ratio, matcher.quick_ratio, matcher.ratio):
        if (value := bound()) < CHANGED_SENTENCE_RATIO:
            return 0.0
    return value


# -- alignment -----------------------------------------------------------------

#: (kind, parent index, child index) of one aligned sentence or paragraph.
_Pair = tuple[OpKind, int | None, int | None]
#: A sentence of a run: (paragraph index, original text, normalised text).
_Sentence = tuple[int, str, str]
_Node = tuple[str, int]


def _align(a: list[str], b: list[str]) -> list[_Pair]:
    out: list[_Pair] = []
    matcher = SequenceMatcher(None, a, b, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            out.extend((OpKind.EQUAL, i1 + k, j1 + k) for k in range(i2 - i1))
        else:
            out.extend(_pair_similar(a, b, range(i1, i2), range(j1, j2)))
    return out


def _pair_similar(a: list[str], b: list[str], rows: range, cols: range) -> list[_Pair]:
    """Pair edited sentences in order; the rest are removed or added."""
    out: list[_Pair] = []
    j = cols.start
    for i in rows:
        window = range(j, min(cols.stop, j + PAIR_WINDOW))
        k = next((k for k in window if _ratio(a[i], b[k]) > 0.0), None)
        if k is None:
            out.append((OpKind.REMOVED, i, None))
            continue
        out.extend((OpKind.ADDED, None, n) for n in range(j, k))
        out.append((OpKind.CHANGED, i, k))
        j = k + 1
    out.extend((OpKind.ADDED, None, n) for n in range(j, cols.stop))
    return out


def _paragraph_ops(old: list[_Paragraph], new: list[_Paragraph]) -> list[ParagraphOp]:
    ops: list[ParagraphOp] = []
    matcher = SequenceMatcher(None, [p.key for p in old], [p.key for p in new], autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            ops.extend(_equal_op(old[i1 + k], new[j1 + k], i1 + k, j1 + k) for k in range(i2 - i1))
        else:
            ops.extend(_changed_run(old, new, range(i1, i2), range(j1, j2)))
    return ops


def _equal_op(p: _Paragraph, c: _Paragraph, i: int, j: int) -> ParagraphOp:
    # Equal keys can still split differently ("A. B" against "A, B"): then the
    # paragraph is one kept sentence rather than a misaligned pairing.
    if len(p.sentences) == len(c.sentences):
        pairs = [(a[0], b[0]) for a, b in zip(p.sentences, c.sentences, strict=True)]
    else:
        pairs = [(p.text, c.text)]
    sentences = tuple(SentenceOp(OpKind.EQUAL, a, b) for a, b in pairs)
    return ParagraphOp(OpKind.EQUAL, (p.text,), (c.text,), i, j, sentences)


def _changed_run(
    old: list[_Paragraph], new: list[_Paragraph], rows: range, cols: range
) -> list[ParagraphOp]:
    """Align a run of differing paragraphs by sentence; paragraphs sharing one form a group."""
    left = [(i, text, key) for i in rows for text, key in old[i].sentences]
    right = [(j, text, key) for j in cols for text, key in new[j].sentences]
    pairs = _align([s[2] for s in left], [s[2] for s in right])
    roots: dict[_Node, _Node] = {}
    for _kind, li, ri in pairs:
        if li is not None and ri is not None:
            roots[_root(roots, ("c", right[ri][0]))] = _root(roots, ("p", left[li][0]))
    groups: dict[_Node, list[tuple[OpKind, _Sentence | None, _Sentence | None]]] = {}
    for kind, li, ri in pairs:
        a = left[li] if li is not None else None
        b = right[ri] if ri is not None else None
        node = ("p", a[0]) if a is not None else ("c", b[0] if b is not None else -1)
        groups.setdefault(_root(roots, node), []).append((kind, a, b))
    # Groups come out in reading order: the alignment is monotone on both sides.
    return [_group_op(old, new, items) for items in groups.values()]


def _root(roots: dict[_Node, _Node], node: _Node) -> _Node:
    """Union-find lookup of the group a paragraph belongs to."""
    while (up := roots.setdefault(node, node)) != node:
        node = up
    return node


def _group_op(
    old: list[_Paragraph],
    new: list[_Paragraph],
    items: list[tuple[OpKind, _Sentence | None, _Sentence | None]],
) -> ParagraphOp:
    p_ids = sorted({a[0] for _, a, _ in items if a is not None})
    c_ids = sorted({b[0] for _, _, b in items if b is not None})
    kind = OpKind.CHANGED if p_ids and c_ids else OpKind.REMOVED if p_ids else OpKind.ADDED
    return ParagraphOp(
        kind,
        tuple(old[i].text for i in p_ids),
        tuple(new[j].text for j in c_ids),
        p_ids[0] if p_ids else None,
        c_ids[0] if c_ids else None,
        tuple(SentenceOp(k, a[1] if a else None, b[1] if b else None) for k, a, b in items),
    )
