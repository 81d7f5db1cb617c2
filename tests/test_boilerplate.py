"""Tests of the per-outlet boilerplate model."""

from __future__ import annotations

import json

import pytest

from provenance.boilerplate import BoilerplateModel, block_key

MENU = "Home | World | Sport | Contact"
COOKIES = "We use cookies. By continuing you accept our cookie policy."


def test_block_key_ignores_case_spacing_and_punctuation() -> None:
    assert block_key("Home | World  Sport!") == block_key("home world\nsport")
    assert block_key("\uff21\uff22\uff23") == block_key("abc")  # NFKC: full-width letters


def test_block_key_keeps_digits_and_words() -> None:
    assert block_key("© 2023 Planet Media") != block_key("© 2024 Planet Media")
    assert block_key("Read more") != block_key("Read less")


def test_block_key_is_a_stable_xxh64_hex() -> None:
    # Fixed value: the key must not change between processes or releases.
    assert block_key("Hello, World!") == block_key("hello world")
    assert block_key("hello world") == "45ab6734b21e6968"
    assert len(block_key("")) == 16


def test_model_learns_blocks_seen_on_enough_pages() -> None:
    model = BoilerplateModel(min_pages=3)
    for number in range(3):
        model.observe([MENU, f"Story number {number} body text.", COOKIES])
    assert model.pages == 3
    assert model.is_boilerplate(MENU)
    assert model.is_boilerplate("home | world | sport | contact")
    assert not model.is_boilerplate("Story number 1 body text.")
    assert model.strip([MENU, "New story.", COOKIES]) == ["New story."]


def test_model_counts_a_block_once_per_page() -> None:
    model = BoilerplateModel(min_pages=2)
    model.observe([MENU, MENU, MENU])
    assert not model.is_boilerplate(MENU)
    model.observe([MENU])
    assert model.is_boilerplate(MENU)


def test_model_never_learns_long_blocks() -> None:
    paragraph = "A long paragraph of a re-posted article. " * 20
    assert len(paragraph) > 600
    model = BoilerplateModel(min_pages=2)
    for _ in range(5):
        model.observe([paragraph, MENU])
    assert not model.is_boilerplate(paragraph)
    assert model.strip([paragraph, MENU]) == [paragraph]


def test_model_ignores_empty_blocks() -> None:
    model = BoilerplateModel(min_pages=1)
    model.observe(["", "   "])
    assert not model.is_boilerplate("")
    assert model.to_dict()["counts"] == {}


def test_model_round_trips_through_json() -> None:
    model = BoilerplateModel(min_pages=2)
    model.observe([MENU, "a"])
    model.observe([MENU, "b"])
    restored = BoilerplateModel.from_dict(json.loads(json.dumps(model.to_dict())))
    assert restored.pages == 2
    assert restored.min_pages == 2
    assert restored.is_boilerplate(MENU)
    assert not restored.is_boilerplate("a")
    assert restored.to_dict() == model.to_dict()


def test_model_from_counts() -> None:
    model = BoilerplateModel({block_key(MENU): 5}, 5)
    assert model.is_boilerplate(MENU)


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"version": 99, "pages": 1, "min_pages": 3, "counts": {}},
        {"version": 1, "pages": "1", "min_pages": 3, "counts": {}},
        {"version": 1, "pages": True, "min_pages": 3, "counts": {}},
        {"version": 1, "pages": 1, "min_pages": 3, "counts": []},
        {"version": 1, "pages": 1, "min_pages": 3, "counts": {"k": "2"}},
        {"version": 1, "pages": 1, "min_pages": 0, "counts": {}},
        {"version": 1, "pages": -1, "min_pages": 3, "counts": {}},
    ],
)
def test_from_dict_rejects_bad_data(data: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        BoilerplateModel.from_dict(data)


def test_constructor_validates() -> None:
    with pytest.raises(ValueError, match="min_pages"):
        BoilerplateModel(min_pages=0)
    with pytest.raises(ValueError, match="negative"):
        BoilerplateModel({"k": -1})
