"""Synthetic syndication networks with ground truth, built on real base texts.

:func:`generate_network` publishes real texts (see :mod:`provenance.eval.corpus`)
through the outlets of :mod:`provenance.eval.templates`: each story has an origin
and a repost tree of at most three levels (origin, copies, copies of copies),
with truncations, edits, rewritten headlines, missing or misleading attribution,
copied, back-dated and missing dates, and crawls that saw a copy before its
origin. Partial quotes, roundups that quote two stories, and hard negatives
(independent write-ups of one event, template briefs of one outlet) make the
task honest. The result is a list of ingest records in a shuffled arrival order
and a :class:`~provenance.eval.truth.Truth` that records what really happened.

Everything is drawn from one ``random.Random(seed)``: a seed gives byte-identical
records.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

from provenance.eval.corpus import BaseText, Corpus, load_corpus
from provenance.eval.drafts import (
    Draft,
    DraftStory,
    derive_body,
    draft_page,
    join,
    longest,
    rewrite_title,
    slugify,
    story_tags,
    truth_article,
    weather_brief,
)
from provenance.eval.templates import OUTLETS, Block, Outlet, phrase, render_record
from provenance.eval.truth import Network, Roundup, Truth, TruthArticle, TruthStory

__all__ = ["ORIGIN_PARENT_WEIGHT", "delay_density", "generate_drafts", "generate_network"]

_START = datetime(2024, 3, 1, tzinfo=UTC)
_SECTIONS = ("world", "politics", "business", "news", "culture", "science", "local")
_CJK_LANGUAGES = ("zh",)
# (cumulative probability, fewest, most copies): many singletons, a few big stories.
_COPIES = ((0.4, 0, 0), (0.66, 1, 2), (0.86, 3, 5), (0.97, 6, 12), (1.0, 14, 24))
#: How long (minutes) after its parent a copy appears: (share, from, to), uniform within.
_DELAYS = ((0.5, 20, 120), (0.35, 120, 24 * 60), (0.15, 24 * 60, 4 * 24 * 60))
#: A copy takes its parent from the members so far (depth 0 or 1), the origin
#: with this weight and each copy with weight 1.
ORIGIN_PARENT_WEIGHT = 3.0


def delay_density(minutes: float) -> float:
    """Density (per minute) of a copy appearing ``minutes`` after its parent."""
    for share, low, high in _DELAYS:
        if low <= minutes < high:
            return share / (high - low)
    return 0.0


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
        self._ids: set[int] = set()

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
            outlet = self.rng.choice([o for o in _outlets(language) if o.style != "text"])
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
        published = _START + timedelta(seconds=self.rng.randrange(120 * 86400))
        claimed = None if self.rng.random() < 0.04 or not outlet.prints_dates else published
        fetched = published + timedelta(seconds=self.rng.randrange(60, 1200))
        url = self._url(outlet, title, published, claimed is not None)
        origin = Draft(url, outlet, story_id, language, title, body, published, claimed, fetched)
        story = DraftStory(story_id, language, [origin])
        self.stories.append(story)
        return story

    def _story(self, text: BaseText, avoid: Outlet | None = None, big: bool = False) -> DraftStory:
        outlets = [o for o in _outlets(text.language) if o is not avoid]
        story = self._new_story(
            text.language, self.rng.choice(outlets), text.title, list(text.paragraphs)
        )
        roll = self.rng.random()
        low, high = next(span for limit, *span in _COPIES if roll < limit)
        copies = self.rng.randint(14, 24) if big else self.rng.randint(low, high)
        free = [o for o in _outlets(text.language) if o is not story.origin.outlet]
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
        published = parent.published + self._delay()
        claimed = self._claim(story.origin, published, outlet)
        fetched = published + timedelta(seconds=rng.randrange(60, 1200))
        url = self._url(outlet, title, published, claimed is not None)
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
        self._attribute(copy, story, truncated)
        return copy

    def _attribute(self, copy: Draft, story: DraftStory, truncated: bool) -> None:
        """Credit the origin or the parent, name a wrong outlet, or say nothing.

        Labels follow the tracer's definitions: credited names or links an
        ancestor (the parent counts, the tag ``intermediate_attribution``
        marks it), miscredited names an outlet that is not an ancestor.
        """
        assert copy.parent is not None
        roll, outlet, origin = self.rng.random(), copy.outlet, story.origin
        if copy.depth == 1:
            mode = "credited" if roll < 0.55 else "miscredited" if roll < 0.6 else "uncredited"
        else:
            mode = (
                "credited"
                if roll < 0.3
                else "intermediate"
                if roll < 0.65
                else "miscredited"
                if roll < 0.7
                else "uncredited"
            )
        copy.attribution = "credited" if mode == "intermediate" else mode
        copy.intermediate = mode == "intermediate"
        if mode == "uncredited":
            return
        if mode == "miscredited":
            self._miscredit(copy, story)
            return
        target = origin if mode == "credited" else copy.parent
        channels = ["source"] + (["link"] if outlet.style != "text" else [])
        if mode == "credited" and outlet.style == "semantic":
            channels.append("canonical")
        chosen = [c for c in channels if self.rng.random() < 0.5] or [self.rng.choice(channels)]
        if truncated and "link" in channels and self.rng.random() < 0.7:
            chosen.append("link")
        if "source" in chosen and target.outlet.wire and copy.language not in _CJK_LANGUAGES:
            copy.dateline = target.outlet.name
        elif "source" in chosen:
            line = Block(phrase(outlet.ui, "source", self.rng.randrange(2), target.outlet.name))
            (copy.head if self.rng.random() < 0.3 else copy.tail).append(line)
        if "link" in chosen:
            text = phrase(outlet.ui, "more", 0, target.outlet.name)
            copy.tail.append(Block(text, target.url, target.outlet.name))
        if "canonical" in chosen:
            copy.canonical = origin.url

    def _miscredit(self, copy: Draft, story: DraftStory) -> None:
        """Name an outlet that is not an ancestor: a sibling copy, or one outside the story."""
        ancestors, node = set(), copy.parent
        while node is not None:
            ancestors.add(node.outlet)
            node = node.parent
        inside = [a.outlet for a in story.members if a.outlet not in ancestors and a is not copy]
        outside = [
            o for o in _outlets(copy.language) if o not in ancestors and o is not copy.outlet
        ]
        wrong = self.rng.choice(inside or outside)
        line = Block(phrase(copy.outlet.ui, "source", self.rng.randrange(2), wrong.name))
        (copy.head if self.rng.random() < 0.3 else copy.tail).append(line)

    def _delay(self) -> timedelta:
        roll, below = self.rng.random(), 0.0
        for share, low, high in _DELAYS[:-1]:
            below += share
            if roll < below:
                return timedelta(minutes=self.rng.randrange(low, high))
        _, low, high = _DELAYS[-1]
        return timedelta(minutes=self.rng.randrange(low, high))

    def _claim(self, origin: Draft, published: datetime, outlet: Outlet) -> datetime | None:
        roll = self.rng.random()
        if not outlet.prints_dates or 0.11 <= roll < 0.15:
            return None
        if roll < 0.08:
            return origin.claimed or published  # metadata copied along with the text
        if roll < 0.11:
            return origin.published - timedelta(minutes=self.rng.randrange(60, 72 * 60))
        return published

    # -- partial quotes -----------------------------------------------------

    def _partial(self, story: DraftStory) -> None:
        candidates = [a for a in story.members if a.depth <= 1 and a.relation != "partial"]
        parent = story.origin if self.rng.random() < 0.6 else self.rng.choice(candidates)
        quoted = longest(parent.body, self.rng.choice((1, 2)))
        self._quote(story, parent, [quoted], self._take_text(story.language, optional=True))

    def _roundup(self, normal: Sequence[DraftStory]) -> None:
        by_language: dict[str, list[DraftStory]] = {}
        for story in normal:
            by_language.setdefault(story.language, []).append(story)
        choices = [group for group in by_language.values() if len(group) >= 2]
        if not choices:
            return
        first, second = self.rng.sample(self.rng.choice(choices), 2)
        a_quote, b_quote = longest(first.origin.body, 2), longest(second.origin.body, 1)
        if _chars(b_quote) > _chars(a_quote):  # the roundup belongs to the story quoted most
            first, second = second, first
            a_quote, b_quote = longest(first.origin.body, 2), longest(second.origin.body, 1)
        filler = self._take_text(first.language, optional=True)
        url = self._quote(first, first.origin, [a_quote, b_quote], filler, second.origin)
        if url is not None:
            self.roundups.append(Roundup(url, (first.id, second.id)))
            first.tags.add("roundup")
            second.tags.add("roundup")

    def _quote(
        self,
        story: DraftStory,
        parent: Draft,
        quotes: list[list[tuple[str, ...]]],
        filler: BaseText | None,
        other: Draft | None = None,
    ) -> str | None:
        used = {a.outlet for a in story.members}
        outlets = [o for o in _outlets(story.language) if o not in used] or _outlets(story.language)
        if filler is None:
            return None
        outlet, credited = self.rng.choice(outlets), self.rng.random() < 0.6
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
        published = start + self._delay()
        claimed = published if self.rng.random() < 0.9 else None
        fetched = published + timedelta(seconds=self.rng.randrange(60, 1200))
        url = self._url(outlet, filler.title, published, claimed is not None)
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

    # -- output -------------------------------------------------------------

    def _url(self, outlet: Outlet, title: str, when: datetime, dated: bool) -> str:
        ident = self.rng.randrange(100_000, 10_000_000)
        while ident in self._ids:
            ident = self.rng.randrange(100_000, 10_000_000)
        self._ids.add(ident)
        slug = slugify(title)
        tail = f"{slug}-{ident}" if slug else f"article-{ident}"
        section = self.rng.choice(_SECTIONS)
        if outlet.dated_urls and dated:
            return f"https://{outlet.domain}/{section}/{when:%Y/%m/%d}/{tail}"
        return f"https://{outlet.domain}/{section}/{tail}"

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


def _outlets(language: str) -> list[Outlet]:
    return [o for o in OUTLETS if language in o.languages]


def _chars(paragraphs: Sequence[Sequence[str]]) -> int:
    return sum(len(s) for p in paragraphs for s in p)
