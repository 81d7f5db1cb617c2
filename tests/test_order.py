"""Stories do not depend on the order articles arrive in, in both modes.

Three articles whose grouping used to follow arrival order: ``a`` tells story
A; ``b``, a day later, is a compilation of A's text and another text B; ``d``
copies only B's paragraph. Placed in time order, ``b`` joins ``a`` (it copies
it), and ``d`` copies only the part of ``b`` that is not A's story, so it stays
apart. Placed ``d``, ``b``, ``a``, ``b`` joined ``d`` first and ``a`` then
stayed apart. Settling (``provenance.settle``) makes every order give the time
order's stories.
"""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import pytest
from sqlalchemy import select

from benchmarks.cluster import story_partition
from provenance.ingest import read_records
from provenance.service import Service
from provenance.storage.tables import Article, Story
from provenance.stories import story_history

WORDS = [f"w{i}x" for i in range(300)]
_A, _B = " ".join(WORDS[:150]) + ".", " ".join(WORDS[150:]) + "."
RECORDS = {
    "a": {"url": "https://alpha.test/a", "text": _A, "published_at": "2024-05-17T08:00:00Z"},
    "b": {
        "url": "https://beta.test/b",
        "text": _A + "\n\n" + _B,
        "published_at": "2024-05-18T08:00:00Z",
    },
    "d": {"url": "https://delta.test/d", "text": _B, "published_at": "2024-05-19T08:00:00Z"},
}
EXPECTED = frozenset(
    {
        frozenset({"https://alpha.test/a", "https://beta.test/b"}),
        frozenset({"https://delta.test/d"}),
    }
)
ORDERS = ["".join(p) for p in itertools.permutations("abd")]


def write_order(path: Path, order: str) -> Path:
    """Write the records named by ``order`` (letters of ``RECORDS``), in that order."""
    with path.open("w", encoding="utf-8") as handle:
        for name in order:
            handle.write(json.dumps(RECORDS[name]) + "\n")
    return path


@pytest.mark.parametrize("order", ORDERS)
def test_embedded_stories_are_those_of_the_time_order(
    order: str, db_url: str, tmp_path: Path
) -> None:
    service = Service(db_url)
    try:
        service.ingest_records(read_records(write_order(tmp_path / "in.jsonl", order)))
        with service.sessions() as session:
            assert story_partition(session) == EXPECTED
    finally:
        service.close()


@pytest.mark.parametrize("order", ORDERS)
def test_embedded_stories_settle_across_separate_ingests(
    order: str, sqlite_url: str, tmp_path: Path
) -> None:
    # One record per run: each run rebuilds the index from the database, and
    # the matches of stored articles are verified again when settling needs them.
    for n, name in enumerate(order):
        service = Service(sqlite_url)
        try:
            service.ingest_records(read_records(write_order(tmp_path / f"{n}.jsonl", name)))
        finally:
            service.close()
    service = Service(sqlite_url)
    try:
        with service.sessions() as session:
            assert story_partition(session) == EXPECTED
    finally:
        service.close()


def test_a_regrouped_story_keeps_its_id_and_logs_the_move(sqlite_url: str, tmp_path: Path) -> None:
    service = Service(sqlite_url)
    try:
        service.ingest_records(read_records(write_order(tmp_path / "in.jsonl", "dba")))
        with service.sessions() as session:
            story_of = {a.url_norm: a.story_id for a in session.scalars(select(Article))}
            a, b, d = (story_of[RECORDS[n]["url"]] for n in "abd")
            # d made the first story and b joined it; when a came, b went with a
            # and kept the story's id (ties go to the group that starts earlier);
            # d moved to a new story. Both stories log the move.
            assert a == b and a is not None and d is not None and a < d
            for story in (a, d):
                events = story_history(session, story)
                assert any(e.reason.startswith("regrouped") for e in events), story
            live = set(session.scalars(select(Story.id).where(Story.merged_into.is_(None))))
            assert {a, d} <= live
    finally:
        service.close()


def test_stories_merged_by_settling_leave_an_alias(sqlite_url: str, tmp_path: Path) -> None:
    # p and q, of one outlet, overlap too little to be copies of each other
    # (an outlet needs more to copy itself); r, elsewhere, holds both, and the
    # same part of it matches each: the two stories are one.
    def record(url: str, words: slice, day: int) -> dict[str, str]:
        text = " ".join(WORDS[words]) + "."
        return {"url": url, "text": text, "published_at": f"2024-05-{day}T08:00:00Z"}

    records = [
        record("https://same.test/p", slice(0, 100), 17),
        record("https://same.test/q", slice(30, 130), 18),
        record("https://other.test/r", slice(0, 130), 19),
    ]
    path = tmp_path / "in.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    service = Service(sqlite_url)
    try:
        service.ingest_records(read_records(path))
        with service.sessions() as session:
            (story,) = set(session.scalars(select(Article.story_id)))
            assert story is not None
            (alias,) = session.scalars(select(Story).where(Story.merged_into.is_not(None)))
            assert alias.merged_into == story and alias.id > story
            assert any(e.reason.startswith("regrouped") for e in story_history(session, story))
    finally:
        service.close()


_NOTE = "Editor's note: this report was updated with comments from the harbour authority."


def _outlet_records() -> list[dict[str, str]]:
    """Four pages of one outlet ending in the same note, and a copy of the first elsewhere."""
    records = [
        {
            "url": f"https://harbour.test/{n}",
            "text": " ".join(WORDS[n * 60 : n * 60 + 50]) + ".\n\n" + _NOTE,
            "published_at": f"2024-05-1{n}T08:00:00Z",
        }
        for n in range(4)
    ]
    records.append({**records[0], "url": "https://mirror.test/0"})
    return records


def _texts(db_url: str, records: list[dict[str, str]], tmp_path: Path) -> dict[str, str]:
    path = tmp_path / "in.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    service = Service(db_url)
    try:
        # Chunks of two: the note becomes boilerplate (three pages) only in a
        # later chunk than the first pages that carry it.
        service.ingest_records(read_records(path), chunk=2)
        with service.sessions() as session:
            return {a.url_norm: a.text for a in session.scalars(select(Article))}
    finally:
        service.close()


def test_boilerplate_learnt_later_is_stripped_from_articles_stored_before(
    db_url: str, tmp_path: Path
) -> None:
    records = _outlet_records()
    texts = _texts(db_url, records, tmp_path)
    assert all(_NOTE not in texts[f"https://harbour.test/{n}"] for n in range(4))
    assert _NOTE in texts["https://mirror.test/0"]  # another outlet's page keeps it


def test_an_article_left_with_only_boilerplate_leaves_its_story(
    sqlite_url: str, tmp_path: Path
) -> None:
    # The outlet's first page is nothing but the note; a mirror copies it.
    records = _outlet_records()
    records[0] = {**records[0], "text": _NOTE}
    records[4] = {**records[0], "url": "https://mirror.test/0"}
    _texts(sqlite_url, records, tmp_path)
    service = Service(sqlite_url)
    try:
        with service.sessions() as session:
            first = session.scalars(
                select(Article).where(Article.url_norm.endswith("harbour.test/0"))
            )
            (article,) = first
            assert article.status == "boilerplate" and article.story_id is None
            stories = {a.story_id for a in session.scalars(select(Article))} - {None}
            assert len(stories) == 4  # the mirror stands alone now
    finally:
        service.close()
