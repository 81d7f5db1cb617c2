"""Synthetic syndication networks with ground truth, built on real base texts.

:func:`generate_network` publishes real texts (see :mod:`provenance.eval.corpus`)
through the outlets of :mod:`provenance.eval.outlets`: each story has an origin
and a repost tree of at most three levels (origin, copies, copies of copies),
with truncations, edits, rewritten headlines, missing or misleading attribution,
copied, back-dated and missing dates, and crawls that saw a copy before its
origin. Partial quotes, roundups that quote two stories, and hard negatives
(independent write-ups of one event, template briefs of one outlet) make the
task honest. The result is a list of ingest records in a shuffled arrival order
and a :class:`~provenance.eval.truth.Truth` that records what really happened.

This module plans the network and grows each story's tree; the pieces it draws
on live beside it: dates and delays in :mod:`provenance.eval.timing`, credits in
:mod:`provenance.eval.attribution`, partial quotes and roundups in
:mod:`provenance.eval.quotes`, URLs in :mod:`provenance.eval.article_urls`.

Everything is drawn from one ``random.Random(seed)``: a seed gives byte-identical
records.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path

from provenance.eval.article_urls import UrlMinter
from provenance.eval.attribution import attribute
from provenance.eval.corpus import BaseText, Corpus, load_corpus
from provenance.eval.drafts import (
    Draft,
    DraftStory,
    derive_body,
    draft_page,
    rewrite_title,
    story_tags,
    truth_article,
    weather_brief,
)
from provenance.eval.outlets import Outlet, outlets_for
from provenance.eval.phrases import phrase
from provenance.eval.quotes import pick_partial, pick_roundup, quote_article
from provenance.eval.templates import Block, render_record
from provenance.eval.timing import START, claim_date, draw_delay, fetch_time
from provenance.eval.truth import Network, Roundup, Truth, TruthArticle, TruthStory

__all__ = ["ORIGIN_PARENT_WEIGHT", "generate_drafts", "generate_network"]

# (cumulative probability, fewest, most copies): many singletons, a few big stories.
_COPIES = ((0.4, 0, 0), (0.66, 1, 2), (0.86, 3, 5), (0.97, 6, 12), (1.0, 14, 24))
#: A copy takes its parent from the members so far (depth 0 or 1), the origin
#: with this weight and each copy with weight 1.
ORIGIN_PARENT_WEIGHT = 3.0


def generate_network(
    *,
    seed: int,
    stories: int,
    languages: Sequence[str] | None = None,
    data_dir: Path | None = None,
) -> Network:
    """Generate a syndication network with ground truth.

    Args:
        seed: Seeds the one random generator; equal seeds give equal networks.
        stories: How many true stories (singletons included) to generate.
        languages: Restrict base texts to these languages; default all, in
            proportion to what the corpus holds.
        data_dir: The shared data folder; defaults to the standard location.

    Returns:
        The network.

    Raises:
        ValueError: ``stories`` is not positive, a language is unknown, or the
            corpus holds too few texts for the request.
        ConfigError: The shared data folder is missing.
    """
    builder = _build(seed, stories, languages, data_dir)
    return builder.network(seed)


def generate_drafts(
    *,
    seed: int,
    stories: int,
    languages: Sequence[str] | None = None,
    data_dir: Path | None = None,
) -> list[DraftStory]:
    """The stories of :func:`generate_network` as the generator built them.

    Drafts hold what the records do not: true publication times, parents and
    bodies. For studies of the generator itself (how much of its ground truth
    any tracer could recover), never for tracing.
    """
    return _build(seed, stories, languages, data_dir).stories


def _build(
    seed: int, stories: int, languages: Sequence[str] | None, data_dir: Path | None
) -> _Builder:
    if stories < 1:
        raise ValueError(f"stories must be positive, got {stories}")
    corpus = load_corpus(data_dir)
    known = corpus.languages()
    wanted = tuple(languages) if languages is not None else tuple(known)
    unknown = [lang for lang in wanted if lang not in known]
    if unknown or not wanted:
        raise ValueError(f"unknown languages {unknown}; the corpus has {sorted(known)}")
    builder = _Builder(random.Random(seed), corpus, wanted)
    builder.build(stories)
    return builder


class _Builder:
    """Holds the random generator and the growing network while it is built."""

    def __init__(self, rng: random.Random, corpus: Corpus, languages: Sequence[str]) -> None:
        self.rng = rng
        self.corpus = corpus
        self.languages = languages
        self.pool = [t for t in corpus.texts if t.language in languages]
        rng.shuffle(self.pool)
        self.stories: list[DraftStory] = []
        self.hard_negatives: list[tuple[str, str]] = []
        self.roundups: list[Roundup] = []
        self.urls = UrlMinter(rng)

    # -- planning -----------------------------------------------------------

    def build(self, count: int) -> None:
        templates = self._template_stories(round(count * 0.06) if count >= 30 else 0)
        pairs = self._pair_stories((count - templates) // 12)
        # A few big stories (15-25 articles) need many outlets: only English has them.
        big = max(1, count // 60) if "en" in self.languages and count >= 30 else 0
        for index in range(count - templates - pairs):
            text = self._take_text("en" if index < big else None, optional=index < big)
            text = text or self._take_text()
            assert text is not None
            self._story(text, big=index < big)
        normal = [s for s in self.stories if "template" not in s.tags]
        for story in self.rng.sample(normal, k=max(1, len(normal) // 20)):
            self._partial(story)
        for _ in range(max(1, len(normal) // 60) if len(normal) >= 10 else 0):
            self._roundup(normal)

    def _take_text(self, language: str | None = None, *, optional: bool = False) -> BaseText | None:
        for index, text in enumerate(self.pool):
            if language is None or text.language == language:
                return self.pool.pop(index)
        if optional:
            return None
        wanted = language or ", ".join(self.languages)
        raise ValueError(f"the corpus has too few base texts in {wanted} for this many stories")

    def _pair_stories(self, wanted: int) -> int:
        by_key = {t.key: t for t in self.pool}
        pairs = [p for p in self.corpus.related_pairs if p[0] in by_key and p[1] in by_key]
        self.rng.shuffle(pairs)
        made = 0
        for first, second in pairs:
            if made >= wanted:
                break
            a, b = by_key.pop(first, None), by_key.pop(second, None)
            if a is None or b is None:
                continue
            self.pool = [t for t in self.pool if t.key not in (first, second)]
            one = self._story(a)
            two = self._story(b, avoid=one.origin.outlet)
            one.tags.add("hard_negative")
            two.tags.add("hard_negative")
            self.hard_negatives.append((one.id, two.id))
            made += 2
        return made

    def _template_stories(self, wanted: int) -> int:
        kinds = [k for k in ("fr", "en", "de") if k in self.languages]
        notices = self.rng.sample(self.corpus.notices, len(self.corpus.notices))
        made = 0
        while kinds and made + 3 <= wanted:
            language = kinds[made // 3 % len(kinds)]
            outlet = self.rng.choice([o for o in outlets_for(language) if o.style != "text"])
            group = []
            for index in range(3 + (self.rng.random() < 0.3)):
                if language == "fr":
                    text = notices.pop()
                    title, body = text.title, list(text.paragraphs)
                else:
                    title, body = weather_brief(self.rng, language)
                story = self._new_story(language, outlet, title, body)
                story.tags.update(("hard_negative", "template"))
                group.append(story.id)
                made += 1
                if made >= wanted and index >= 2:
                    break
            self.hard_negatives += [(a, b) for i, a in enumerate(group) for b in group[i + 1 :]]
        return made

    # -- stories ------------------------------------------------------------

    def _new_story(
        self, language: str, outlet: Outlet, title: str, body: list[tuple[str, ...]]
    ) -> DraftStory:
        story_id = f"s{len(self.stories) + 1:04d}"
        published = START + timedelta(seconds=self.rng.randrange(120 * 86400))
        claimed = None if self.rng.random() < 0.04 or not outlet.prints_dates else published
        fetched = fetch_time(self.rng, published)
        url = self.urls.mint(outlet, title, published, claimed is not None)
        origin = Draft(url, outlet, story_id, language, title, body, published, claimed, fetched)
        story = DraftStory(story_id, language, [origin])
        self.stories.append(story)
        return story

    def _story(self, text: BaseText, avoid: Outlet | None = None, big: bool = False) -> DraftStory:
        outlets = [o for o in outlets_for(text.language) if o is not avoid]
        story = self._new_story(
            text.language, self.rng.choice(outlets), text.title, list(text.paragraphs)
        )
        roll = self.rng.random()
        low, high = next(span for limit, *span in _COPIES if roll < limit)
        copies = self.rng.randint(14, 24) if big else self.rng.randint(low, high)
        free = [o for o in outlets_for(text.language) if o is not story.origin.outlet]
        self.rng.shuffle(free)
        for outlet in free[:copies]:
            parents = [a for a in story.members if a.depth < 2]
            weights = [ORIGIN_PARENT_WEIGHT if a.depth == 0 else 1.0 for a in parents]
            parent = self.rng.choices(parents, weights)[0]
            story.members.append(self._copy(story, parent, outlet))
        if len(story.members) > 1 and self.rng.random() < 0.12:
            # The crawler reached a copy first and found the origin later.
            first_copy = min(a.fetched for a in story.members[1:])
            delay = timedelta(seconds=self.rng.randrange(600, 12 * 3600))
            story.origin.fetched = max(story.origin.fetched, first_copy + delay)
        return story

    def _copy(self, story: DraftStory, parent: Draft, outlet: Outlet) -> Draft:
        rng = self.rng
        body, truncated = derive_body(parent.body, rng, story.language)
        title = rewrite_title(parent.title, body, rng) if rng.random() < 0.3 else parent.title
        published = parent.published + draw_delay(rng)
        claimed = claim_date(rng, story.origin, published, outlet)
        fetched = fetch_time(rng, published)
        url = self.urls.mint(outlet, title, published, claimed is not None)
        copy = Draft(
            url, outlet, story.id, story.language, title, body, published, claimed, fetched
        )
        copy.parent, copy.depth, copy.relation = parent, parent.depth + 1, "copy"
        if not truncated and len(body) > 1 and rng.random() < 0.4:
            copy.tail.append(Block(phrase(outlet.ui, "promo", 0, outlet.name)))
        own_promo = phrase(parent.outlet.ui, "promo", 0, parent.outlet.name)
        if any(b.text == own_promo for b in parent.tail) and rng.random() < 0.35:
            # Scraped with the parent's page container: its promo line comes along.
            copy.tail.insert(0, Block(own_promo))
        attribute(rng, copy, story, truncated)
        return copy

    # -- partial quotes -----------------------------------------------------

    def _partial(self, story: DraftStory) -> None:
        parent, quoted = pick_partial(self.rng, story)
        filler = self._take_text(story.language, optional=True)
        quote_article(self.rng, self.urls, story, parent, [quoted], filler)

    def _roundup(self, normal: Sequence[DraftStory]) -> None:
        picked = pick_roundup(self.rng, normal)
        if picked is None:
            return
        first, second, quotes = picked
        filler = self._take_text(first.language, optional=True)
        url = quote_article(self.rng, self.urls, first, first.origin, quotes, filler, second.origin)
        if url is not None:
            self.roundups.append(Roundup(url, (first.id, second.id)))
            first.tags.add("roundup")
            second.tags.add("roundup")

    # -- output -------------------------------------------------------------

    def network(self, seed: int) -> Network:
        records = [render_record(draft_page(a)) for s in self.stories for a in s.members]
        self.rng.shuffle(records)
        articles: dict[str, TruthArticle] = {}
        stories: dict[str, TruthStory] = {}
        for story in self.stories:
            tags = story_tags(story)
            stories[story.id] = TruthStory(
                story.id, story.origin.url, story.language, tuple(sorted(tags)), len(story.members)
            )
            for article in story.members:
                articles[article.url] = truth_article(article)
        truth = Truth(articles, stories, list(self.hard_negatives), list(self.roundups), seed)
        return Network(records, truth)
