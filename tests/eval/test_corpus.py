"""The base-text corpus: cleaning rules on literals, and the real data sets."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from provenance.errors import ConfigError
from provenance.eval.corpus import (
    DATA_ENV_VAR,
    clean_text,
    group_paragraphs,
    is_mojibake,
    load_corpus,
    shared_data_dir,
    split_sentences,
)


def _data_dir() -> Path | None:
    # Resolved at import, before the autouse fixture clears PROVENANCE_* variables.
    try:
        return shared_data_dir()
    except ConfigError:
        return None


DATA = _data_dir()


def _need_data() -> Path:
    if DATA is None:
        message = f"shared data sets not found (../shared/data or ${DATA_ENV_VAR})"
        if os.environ.get("CI"):
            pytest.fail(message)  # CI has the data: a missing folder is a broken setup
        pytest.skip(message)
    return DATA


def test_mojibake_is_detected() -> None:
    assert is_mojibake("El contundente triunfo del AmÃ©rica, una actuaciÃ³n estelar Ã©")
    assert not is_mojibake("Ärzte in Gütersloh: Tönnies-Mitarbeiter infiziert, sagt Laschet.")
    assert not is_mojibake("Путин заявил, что переговоры продолжатся в среду.")


def test_clean_text_drops_chrome_sentences_and_block_pages() -> None:
    body = (
        "The council met on Monday to discuss the new budget. "
        "We use cookies to give you the best experience. "
        "Members voted to increase spending on schools by four percent. "
        "The mayor said the decision was long overdue and welcome. "
        "A final vote is expected next month after public consultation. "
        "Residents can send comments to the council until the end of May this year. "
        "Opposition members argued that the plan leaves road repairs underfunded again. "
        "The budget also sets aside money for two new libraries in the northern districts."
    )
    cleaned = clean_text(body)
    assert cleaned is not None
    assert "cookies" not in cleaned
    assert "four percent" in cleaned
    captcha = "We are sorry, but we recorded a huge amount of connections from the IP address."
    assert clean_text(captcha * 5) is None
    assert clean_text("Too short. Really.") is None


def test_split_sentences_latin_and_cjk() -> None:
    latin = split_sentences("First sentence here. Second one follows! Third ends it?")
    assert latin == ["First sentence here.", "Second one follows!", "Third ends it?"]
    # Scraped text often loses the space after a full stop.
    assert len(split_sentences("Die Polizei ermittelt weiter.Der Täter ist flüchtig.")) == 2
    cjk = split_sentences(
        "警方周一表示\uff0c调查仍在进行中。官员说\uff0c嫌疑人已被逮捕。此案引起广泛关注。"
    )
    assert len(cjk) == 3
    assert cjk[0].endswith("。")


def test_group_paragraphs_makes_three_to_six() -> None:
    for count in (3, 5, 9, 14, 30):
        sentences = [f"Sentence number {i} is here." for i in range(count)]
        paragraphs = group_paragraphs(sentences)
        assert 3 <= len(paragraphs) <= 6
        assert [s for p in paragraphs for s in p] == sentences


def test_missing_data_folder_names_path_and_variable(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv(DATA_ENV_VAR, str(tmp_path / "nowhere"))
    with pytest.raises(ConfigError) as info:
        shared_data_dir()
    assert "nowhere" in str(info.value)
    assert DATA_ENV_VAR in str(info.value)
    with pytest.raises(ConfigError, match="missing"):
        load_corpus(tmp_path)


def test_real_corpus_is_clean_and_multilingual() -> None:
    corpus = load_corpus(_need_data())
    languages = corpus.languages()
    assert {"en", "de", "es", "fr", "it", "ru", "zh", "pl", "tr", "ar"} <= set(languages)
    keys = [t.key for t in corpus.texts]
    assert len(keys) == len(set(keys))
    bodies = [t.text for t in corpus.texts]
    assert len(bodies) == len(set(bodies))
    for text in corpus.texts:
        assert not is_mojibake(text.text), text.key
        assert 3 <= len(text.paragraphs) <= 6, text.key
        assert text.title
    assert {t.source for t in corpus.texts} == {"semeval", "impresso"}


def test_related_pairs_are_same_language_and_known() -> None:
    corpus = load_corpus(_need_data())
    by_key = {t.key: t for t in corpus.texts}
    assert len(corpus.related_pairs) >= 20
    for first, second in corpus.related_pairs:
        assert by_key[first].language == by_key[second].language
    assert len(corpus.notices) >= 50
    assert all("font part" in n.text or "perte" in n.text for n in corpus.notices[:5])
