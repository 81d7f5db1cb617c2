"""Article drafts, what outlets do to a text they copy, and the briefs they write.

A :class:`Draft` is the generator's working model of one article; it renders to
a :class:`~provenance.eval.templates.Page` and yields its truth entry.

Copies of a body are verbatim, truncated (the first third or half) or edited
(sentences dropped, a few reworded by swapping words or dropping a clause, an
editor's intro added). A copy of a copy starts from its parent's body, so it
inherits its parent's edits and ends up closer to the parent than to the origin.
Bodies are lists of paragraphs, each a tuple of sentences.
"""

from __future__ import annotations

import math
import random
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from provenance.eval.outlets import Outlet
from provenance.eval.phrases import phrase
from provenance.eval.templates import Block, Page
from provenance.eval.truth import TruthArticle

__all__ = [
    "Draft",
    "DraftStory",
    "derive_body",
    "draft_page",
    "join",
    "longest",
    "rewrite_title",
    "slugify",
    "story_tags",
    "truth_article",
    "weather_brief",
]

Body = list[tuple[str, ...]]

_NO_SPACES = ("zh",)


@dataclass(eq=False, slots=True)
class Draft:
    """One article as the generator builds it, before it is rendered."""

    url: str
    outlet: Outlet
    story: str
    language: str
    title: str
    body: list[tuple[str, ...]]
    published: datetime
    claimed: datetime | None
    fetched: datetime
    depth: int = 0
    parent: Draft | None = None
    relation: str = "origin"
    attribution: str | None = None
    intermediate: bool = False  # credits its parent, a copy, rather than the origin
    canonical: str | None = None
    dateline: str | None = None
    head: list[Block] = field(default_factory=list)
    tail: list[Block] = field(default_factory=list)
    fixed: tuple[Block, ...] | None = None  # partials: blocks composed once, not derived


@dataclass(eq=False, slots=True)
class DraftStory:
    """One story as the generator builds it; the origin comes first."""

    id: str
    language: str
    members: list[Draft]
    tags: set[str] = field(default_factory=set)

    @property
    def origin(self) -> Draft:
        """The story's original article."""
        return self.members[0]


def join(paragraph: Sequence[str], language: str) -> str:
    """Join sentences into one paragraph (no spaces between CJK sentences)."""
    return ("" if language in _NO_SPACES else " ").join(paragraph)


def derive_body(body: Body, rng: random.Random, language: str) -> tuple[Body, bool]:
    """Derive a copy's body from its parent's.

    Args:
        body: The parent's body.
        rng: The generator's random source.
        language: The text's language.

    Returns:
        The new body, and whether it was truncated.
    """
    roll = rng.random()
    if roll < 0.35:
        return list(body), False
    flat = [(i, s) for i, paragraph in enumerate(body) for s in paragraph]
    if roll < 0.55:
        keep = max(2, math.ceil(len(flat) * rng.choice((1 / 3, 1 / 2))))
        return _regroup(flat[:keep]), True
    if len(flat) >= 5:
        for index in sorted(rng.sample(range(1, len(flat)), rng.randint(1, 2)), reverse=True):
            del flat[index]
    for index in rng.sample(range(len(flat)), min(len(flat), rng.randint(1, 2))):
        flat[index] = (flat[index][0], _reword(flat[index][1], rng))
    edited = _regroup(flat)
    if rng.random() < 0.5:
        edited.insert(0, (phrase(language, "intro", rng.randrange(2)),))
    return edited, False


def _regroup(flat: Sequence[tuple[int, str]]) -> Body:
    groups: dict[int, list[str]] = {}
    for index, sentence in flat:
        groups.setdefault(index, []).append(sentence)
    return [tuple(groups[index]) for index in sorted(groups)]


def _reword(sentence: str, rng: random.Random) -> str:
    end = sentence[-1] if sentence and sentence[-1] in ".!?。\uff01\uff1f" else ""
    for comma in ("\uff0c", ", "):  # the CJK full-width comma, then the Latin one
        head, found, _ = sentence.rpartition(comma)
        if found and len(head) > len(sentence) / 2 and rng.random() < 0.5:
            return head + end  # drop the last clause
    words = sentence.split(" ")
    if len(words) >= 6:
        i = rng.randrange(1, len(words) - 2)
        words[i], words[i + 1] = words[i + 1], words[i]
        return " ".join(words)
    if len(sentence) >= 8 and " " not in sentence:
        i = rng.randrange(1, len(sentence) - 3)
        return sentence[:i] + sentence[i + 1] + sentence[i] + sentence[i + 2 :]
    return sentence


def rewrite_title(title: str, body: Body, rng: random.Random) -> str:
    """Give a copy a new headline: a shortened one, or one cut from its first sentence."""
    first = body[0][0] if body and body[0] else title
    if rng.random() < 0.5 and " " in first:
        return " ".join(first.split()[:9]).rstrip(",.;:")
    if " " not in first:
        return first[:24]
    words = title.split()
    return " ".join(words[:-2]) if len(words) > 4 else f"{title}: {' '.join(first.split()[:4])}"


def longest(body: Sequence[tuple[str, ...]], count: int) -> Body:
    """The ``count`` longest paragraphs, in reading order: what a quoter picks."""
    ranked = sorted(range(len(body)), key=lambda i: (-sum(map(len, body[i])), i))
    return [body[i] for i in sorted(ranked[:count])]


def slugify(title: str) -> str:
    """An ASCII URL slug of up to 8 words; empty for titles without Latin words."""
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z0-9]+", ascii_title.lower())
    return "-".join(words[:8]) if len(words) >= 2 else ""


_WEATHER = {
    "en": (
        ("Ashford", "Brookfield", "Carlton", "Dunmore", "Elmira", "Fairview", "Glenwood"),
        ("sunny spells", "heavy rain", "scattered showers", "fog in the morning", "thunderstorms"),
        "Weather for {city}: {cond}",
        "The forecast for {city} on {day} brings {cond}.",
        "Temperatures will range from {lo} to {hi} degrees, with winds of up to {wind} km/h.",
        (
            "Rainfall of {n} millimetres is expected by the evening.",
            "The pollen count will be {level} for most of the day.",
            "Drivers on Route {n} should allow extra time because of poor visibility.",
            "The weekend looks {level}, with a chance of {cond} on Sunday.",
            "Sunrise is at 6.{n} and the air quality index stands at {hi}.",
        ),
        ("low", "moderate", "high", "settled", "unsettled"),
    ),
    "de": (
        ("Bamberg", "Celle", "Detmold", "Erding", "Fulda", "Görlitz", "Hameln"),
        ("Sonnenschein", "Dauerregen", "einzelne Schauer", "Morgennebel", "Gewitter"),
        "Wetter in {city}: {cond}",
        "Für {city} sagen die Meteorologen am {day} {cond} voraus.",
        "Die Temperaturen liegen zwischen {lo} und {hi} Grad, Windböen bis {wind} km/h.",
        (
            "Bis zum Abend fallen bis zu {n} Liter Regen pro Quadratmeter.",
            "Die Pollenbelastung bleibt den ganzen Tag {level}.",
            "Autofahrer auf der B{n} sollten wegen schlechter Sicht mehr Zeit einplanen.",
            "Das Wochenende wird {level}, am Sonntag ist {cond} möglich.",
            "Die Sonne geht um 6.{n} Uhr auf, der Luftqualitätsindex liegt bei {hi}.",
        ),
        ("gering", "mäßig", "hoch", "beständig", "wechselhaft"),
    ),
}
_DAYS = {
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
    "de": ("Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag"),
}


def weather_brief(rng: random.Random, language: str) -> tuple[str, Body]:
    """Write a short weather brief from the outlet's template: same formula, new facts.

    Args:
        rng: The generator's random source.
        language: ``en`` or ``de``.

    Returns:
        The headline and a body of three short paragraphs.
    """
    cities, conds, title, lead, temps, extras, levels = _WEATHER[language]
    lo = rng.randint(-5, 18)
    slots = {
        "city": rng.choice(cities),
        "cond": rng.choice(conds),
        "day": rng.choice(_DAYS[language]),
        "lo": str(lo),
        "hi": str(lo + rng.randint(4, 14)),
        "wind": str(rng.randint(10, 90)),
        "level": rng.choice(levels),
        "n": str(rng.randint(10, 59)),
    }
    first, second = rng.sample(extras, 2)
    body = [(lead, temps), (first,), (second,)]
    filled = [tuple(s.format(**slots) for s in paragraph) for paragraph in body]
    return title.format(**slots), filled


def draft_page(article: Draft) -> Page:
    """The page a draft renders to: body, attribution lines and dates."""
    if article.fixed is not None:
        blocks = list(article.fixed)
    else:
        texts = [join(p, article.language) for p in article.body]
        if article.dateline and texts:
            texts[0] = f"({article.dateline}) - {texts[0]}"
        blocks = [Block(text) for text in texts]
    blocks = article.head + blocks + article.tail
    return Page(
        url=article.url,
        outlet=article.outlet,
        language=article.language,
        title=article.title,
        blocks=tuple(blocks),
        published=article.claimed,
        fetched=article.fetched,
        canonical=article.canonical,
    )


def story_tags(story: DraftStory) -> set[str]:
    """Difficulty tags, read off what was generated rather than what was intended."""
    tags = set(story.tags)
    origin, copies = story.origin, story.members[1:]
    reference = origin.claimed or origin.published
    if any(c.claimed is not None and c.claimed == origin.claimed for c in copies):
        tags.add("copied_dates")
    if any(c.claimed is not None and c.claimed < reference for c in copies):
        tags.add("backdated")
    if any(a.claimed is None for a in story.members):
        tags.add("no_dates")
    if any(c.fetched < origin.fetched for c in copies):
        tags.add("inverted_first_seen")
    if any(c.intermediate for c in copies):
        tags.add("intermediate_attribution")
    if any(c.attribution == "miscredited" for c in copies):
        tags.add("miscredited")
    if any(c.depth >= 2 for c in copies):
        tags.add("depth3")
    if not copies:
        tags.add("singleton")
    return tags


def truth_article(article: Draft) -> TruthArticle:
    """What is true about a draft, for the truth file."""
    return TruthArticle(
        url=article.url,
        story=article.story,
        parent_url=article.parent.url if article.parent else None,
        is_origin=article.parent is None,
        relation=article.relation,
        attribution=article.attribution,
        language=article.language,
        depth=article.depth,
        outlet=article.outlet.name,
        published_at=article.claimed.isoformat() if article.claimed else None,
        fetched_at=article.fetched.isoformat(),
    )
