"""Partial quotes and roundups: articles of their own prose that quote a story.

A partial quote takes one or two of the longest paragraphs of an article (the
origin, more often than not) into an otherwise unrelated text; a roundup quotes
two stories of one language and belongs to the one it quotes most. Both are
members of the quoted story with the relation ``partial``, credited with a
lead-in (and a link on HTML pages) or quoted without naming the source.
"""

from __future__ import annotations

import random
from collections.abc import Sequence

from provenance.eval.article_urls import UrlMinter
from provenance.eval.corpus import BaseText
from provenance.eval.drafts import Draft, DraftStory, join, longest
from provenance.eval.outlets import outlets_for
from provenance.eval.phrases import phrase
from provenance.eval.templates import Block
from provenance.eval.timing import draw_delay, fetch_time

__all__ = ["pick_partial", "pick_roundup", "quote_article"]

Quote = list[tuple[str, ...]]


def pick_partial(rng: random.Random, story: DraftStory) -> tuple[Draft, Quote]:
    """Choose what a partial quote of ``story`` quotes.

    Args:
        rng: The generator's random source.
        story: The quoted story.

    Returns:
        The quoted article (the origin or an early copy) and the paragraphs taken.
    """
    candidates = [a for a in story.members if a.depth <= 1 and a.relation != "partial"]
    parent = story.origin if rng.random() < 0.6 else rng.choice(candidates)
    return parent, longest(parent.body, rng.choice((1, 2)))


def pick_roundup(
    rng: random.Random, normal: Sequence[DraftStory]
) -> tuple[DraftStory, DraftStory, list[Quote]] | None:
    """Choose two stories of one language for a roundup, and what it quotes of each.

    Args:
        rng: The generator's random source.
        normal: The stories that may be quoted.

    Returns:
        The story the roundup belongs to (the one quoted most), the other story,
        and the quotes from each origin in that order; None when no language
        has two stories.
    """
    by_language: dict[str, list[DraftStory]] = {}
    for story in normal:
        by_language.setdefault(story.language, []).append(story)
    choices = [group for group in by_language.values() if len(group) >= 2]
    if not choices:
        return None
    first, second = rng.sample(rng.choice(choices), 2)
    a_quote, b_quote = longest(first.origin.body, 2), longest(second.origin.body, 1)
    if _chars(b_quote) > _chars(a_quote):  # the roundup belongs to the story quoted most
        first, second = second, first
        a_quote, b_quote = longest(first.origin.body, 2), longest(second.origin.body, 1)
    return first, second, [a_quote, b_quote]


def quote_article(
    rng: random.Random,
    urls: UrlMinter,
    story: DraftStory,
    parent: Draft,
    quotes: list[Quote],
    filler: BaseText | None,
    other: Draft | None = None,
) -> str | None:
    """Write an article that quotes ``parent`` (and ``other``) and add it to ``story``.

    Args:
        rng: The generator's random source.
        urls: Mints the new article's URL.
        story: The story the article joins, tagged ``partial``.
        parent: The first quoted article, which becomes its parent.
        quotes: The paragraphs quoted from ``parent`` and then from ``other``.
        filler: The base text that supplies its own prose and headline.
        other: A second quoted article, for roundups.

    Returns:
        The new article's URL, or None when there was no filler text to write it from.
    """
    used = {a.outlet for a in story.members}
    outlets = [o for o in outlets_for(story.language) if o not in used]
    outlets = outlets or outlets_for(story.language)
    if filler is None:
        return None
    outlet, credited = rng.choice(outlets), rng.random() < 0.6
    own = [Block(join(p, story.language)) for p in filler.paragraphs]
    # Own prose first, then each quote behind its lead-in, own prose between.
    blocks = own[:1]
    for index, (source, quote) in enumerate(zip((parent, other), quotes, strict=False)):
        assert source is not None
        lead = phrase(story.language, "quote", 0 if credited else 1, source.outlet.name)
        href = source.url if credited and outlet.style != "text" else None
        blocks.append(Block(lead, href, source.outlet.name))
        blocks += [Block(join(p, story.language)) for p in quote] + own[index + 1 : index + 2]
    blocks += own[len(quotes) + 1 :]
    # A roundup can only quote what was already out: it follows both sources.
    start = max(parent.published, other.published) if other is not None else parent.published
    published = start + draw_delay(rng)
    claimed = published if rng.random() < 0.9 else None
    fetched = fetch_time(rng, published)
    url = urls.mint(outlet, filler.title, published, claimed is not None)
    article = Draft(
        url, outlet, story.id, story.language, filler.title, [], published, claimed, fetched
    )
    article.parent, article.depth, article.relation = parent, parent.depth + 1, "partial"
    article.fixed = tuple(blocks)
    article.attribution = "credited" if credited else "uncredited"
    article.intermediate = credited and parent is not story.origin
    story.members.append(article)
    story.tags.add("partial")
    return url


def _chars(paragraphs: Sequence[Sequence[str]]) -> int:
    return sum(len(s) for p in paragraphs for s in p)
