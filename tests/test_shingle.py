"""Tokens and shingles across scripts."""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np

from provenance.normalize import ends_with_read_more, normalize_text
from provenance.shingle import ShingleOptions, shingle_hashes, tokenize


def test_normalize_folds_case_width_and_punctuation() -> None:
    assert normalize_text("  Ｈｅｌｌｏ,  “World”!  ") == "hello world"
    assert normalize_text("ﬁne — 3.5%") == "fine 3 5"


def test_tokenize_words_for_spaced_scripts() -> None:
    assert tokenize("Hello, World! Привет, мир.") == ["hello", "world", "привет", "мир"]


def test_tokenize_characters_for_cjk_and_thai() -> None:
    assert tokenize("新华社北京电") == ["新", "华", "社", "北", "京", "电"]
    assert tokenize("GDP增长5%") == ["gdp", "增", "长", "5"]
    assert tokenize("ภาษาไทย")[:3] == ["ภ", "า", "ษ"]


def test_shingles_count_and_order() -> None:
    text = "one two three four five six seven"
    hashes = shingle_hashes(text)
    assert hashes.dtype == np.uint32
    assert len(hashes) == 3  # 7 tokens, k = 5
    assert len(set(hashes.tolist())) == 3
    # The same window of words hashes the same wherever it stands.
    assert shingle_hashes("zero " + text)[1:].tolist() == hashes.tolist()


def test_short_and_empty_texts() -> None:
    assert len(shingle_hashes("two words")) == 1
    assert len(shingle_hashes("  ...  ")) == 0


def test_punctuation_and_case_do_not_change_shingles() -> None:
    a = shingle_hashes("The minister said: “We will act now,” on Monday.")
    b = shingle_hashes("the minister said we will act now on monday")
    assert a.tolist() == b.tolist()


def test_seed_changes_hashes() -> None:
    text = "one two three four five six"
    assert (
        shingle_hashes(text).tolist()
        != shingle_hashes(text, options=ShingleOptions(seed=9)).tolist()
    )


def test_hashes_identical_across_processes_and_hash_seeds() -> None:
    code = (
        "from provenance.shingle import shingle_hashes; "
        "print(shingle_hashes('新华社北京电 one two three four five').tolist())"
    )
    outputs = set()
    for seed in ("0", "1", "12345"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        result = subprocess.run(
            [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
        )
        outputs.add(result.stdout)
    assert len(outputs) == 1
    assert outputs.pop().strip() == str(
        shingle_hashes("新华社北京电 one two three four five").tolist()
    )


def test_read_more_pointer() -> None:
    assert ends_with_read_more(["Body text.", "Read the full story at The Daily Planet"])
    assert ends_with_read_more(["正文", "阅读全文"])
    assert not ends_with_read_more(["Body text about reading.", "The end."])
    assert not ends_with_read_more(["A long paragraph " * 30 + " read more"])


def test_words_hyphenated_across_lines_are_joined() -> None:
    assert tokenize("bon pension-\nnat de demoi-\r\nselles") == [
        "bon",
        "pensionnat",
        "de",
        "demoiselles",
    ]
    assert tokenize("pension-\n\nnat") == ["pensionnat"]
    assert tokenize("well-known\nfact") == ["well", "known", "fact"]
