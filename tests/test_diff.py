"""Copy-versus-parent diffs (pure core): paragraph and sentence ops, flags, summary."""

from __future__ import annotations

import json
import subprocess
import sys

from provenance.alignment import OpKind
from provenance.diff import FLAGS, ArticleDiff, DiffInput, diff_articles

BODY = (
    "The city council approved a new budget on Tuesday after a long debate. "
    "Road repairs will receive twelve million euros.",
    "Residents had collected more than ten thousand signatures to save the library. "
    "The mayor said the vote showed that citizens can change decisions when they organise.",
    "Opposition members criticised the plan as too expensive. They warned about future debt.",
    "The budget takes effect in January, and the first road works start in spring.",
)
PARENT = DiffInput(
    title="Council approves budget, library saved",
    byline="By Jane Doe",
    blocks=BODY,
    outlet="Alpha News",
    url="https://alpha.test/budget",
)


def _copy(
    *blocks: str, title: str | None = PARENT.title, byline: str | None = PARENT.byline
) -> DiffInput:
    return DiffInput(title=title, byline=byline, blocks=blocks, outlet="Beta")


def _set_flags(diff: ArticleDiff) -> set[str]:
    return {name for name, value in diff.flags().items() if value}


def _kinds(diff: ArticleDiff) -> list[str]:
    return [str(op.kind) for op in diff.paragraphs]


def test_verbatim_copy_is_all_equal_and_unflagged() -> None:
    diff = diff_articles(PARENT, _copy(*BODY))
    assert _kinds(diff) == ["equal"] * 4
    assert diff.similarity == 1.0
    assert _set_flags(diff) == set()
    assert diff.counts()["sentences"] == {"equal": 7, "added": 0, "removed": 0, "changed": 0}


def test_copy_differing_in_case_quotes_and_spacing_only_is_equal() -> None:
    retyped = [b.upper().replace(".", " .") for b in BODY]
    diff = diff_articles(PARENT, _copy(*retyped))
    assert _kinds(diff) == ["equal"] * 4
    assert diff.paragraphs[0].child == (retyped[0],)  # reported as written, not normalised


def test_truncated_copy() -> None:
    diff = diff_articles(PARENT, _copy(BODY[0], BODY[1], "Read the full story at Alpha News."))
    assert _kinds(diff) == ["equal", "equal", "removed", "removed", "added"]
    assert diff.truncated
    assert diff.framing_added_end  # the "read more" pointer
    assert not diff.framing_added_start
    assert 0.3 < diff.similarity < 0.8


def test_dropping_a_short_last_line_is_not_truncation() -> None:
    parent = DiffInput(blocks=(*BODY, "Follow us."))
    assert not diff_articles(parent, DiffInput(blocks=BODY)).truncated


def test_editor_intro_and_promo_line_are_framing() -> None:
    intro = "Editor's note: this report first appeared on Alpha News and is shared with permission."
    promo = "Subscribe to our newsletter for more local news!"
    diff = diff_articles(PARENT, _copy(intro, *BODY, promo))
    assert _kinds(diff) == ["added", "equal", "equal", "equal", "equal", "added"]
    assert diff.paragraphs[0].child == (intro,)
    assert diff.paragraphs[-1].child == (promo,)
    assert _set_flags(diff) == {"framing_added_start", "framing_added_end"}
    assert diff.counts()["paragraphs"]["added"] == 2


def test_intro_sentence_glued_to_the_first_paragraph_is_framing_too() -> None:
    first = "From our partners at Alpha News. " + BODY[0]
    diff = diff_articles(PARENT, _copy(first, *BODY[1:]))
    assert diff.framing_added_start and not diff.framing_added_end
    (changed,) = [op for op in diff.paragraphs if op.kind is OpKind.CHANGED]
    assert [str(s.kind) for s in changed.sentences] == ["added", "equal", "equal"]


def test_headline_rewritten() -> None:
    diff = diff_articles(PARENT, _copy(*BODY, title="Shock vote: library rescued by residents"))
    assert _set_flags(diff) == {"headline_changed"}
    same = diff_articles(PARENT, _copy(*BODY, title="COUNCIL APPROVES BUDGET — LIBRARY SAVED"))
    assert not same.headline_changed  # case and punctuation are not a rewrite
    missing = diff_articles(PARENT, _copy(*BODY, title=None))
    assert not missing.headline_changed  # a missing headline is an extraction gap


def test_one_sentence_reworded() -> None:
    reworded = (
        "Residents had collected more than ten thousand signatures to save the library. "
        "According to the mayor, the vote proved that citizens can change decisions "
        "when they organise."
    )
    diff = diff_articles(PARENT, _copy(BODY[0], reworded, *BODY[2:]))
    assert _kinds(diff) == ["equal", "changed", "equal", "equal"]
    op = diff.paragraphs[1]
    assert not op.reflowed
    assert [str(s.kind) for s in op.sentences] == ["equal", "changed"]
    assert op.sentences[1].parent == BODY[1].split(". ", 1)[1]
    assert op.sentences[1].child is not None and op.sentences[1].child.startswith("According")
    assert diff.counts()["sentences"] == {"equal": 6, "added": 0, "removed": 0, "changed": 1}
    assert _set_flags(diff) == set()
    assert 0.9 < diff.similarity < 1.0


def test_unrelated_replacement_sentence_is_removed_and_added() -> None:
    other = BODY[2].split(". ")[0] + ". Football fans celebrated a late win on Sunday evening."
    diff = diff_articles(PARENT, _copy(BODY[0], BODY[1], other, BODY[3]))
    kinds = [str(s.kind) for s in diff.paragraphs[2].sentences]
    assert kinds == ["equal", "removed", "added"]


def test_attribution_line_stripped() -> None:
    parent = DiffInput(blocks=(*BODY, "Source: Reuters"), declared_sources=("Reuters",))
    diff = diff_articles(parent, DiffInput(blocks=BODY))
    assert diff.attribution_stripped and not diff.attribution_added
    assert diff.sources_stripped == ("Reuters",)
    assert _kinds(diff)[-1] == "removed"
    assert not diff.truncated
    kept = diff_articles(parent, DiffInput(blocks=BODY, declared_sources=("Thomson Reuters",)))
    assert not kept.attribution_stripped  # the same agency, named more fully


def test_attribution_added() -> None:
    child = DiffInput(blocks=(*BODY, "Source: Alpha News"), declared_sources=("Alpha News",))
    diff = diff_articles(DiffInput(blocks=BODY), child)
    assert _set_flags(diff) == {"attribution_added", "framing_added_end"}
    assert diff.sources_added == ("Alpha News",)


def test_byline_stripped() -> None:
    assert diff_articles(PARENT, _copy(*BODY, byline=None)).byline_stripped
    assert diff_articles(PARENT, _copy(*BODY, byline="Staff reporter")).byline_stripped
    # The name kept, in other words or in the body, is not stripped.
    assert not diff_articles(PARENT, _copy(*BODY, byline="Jane Doe, Alpha News")).byline_stripped
    in_body = _copy("By JANE DOE", *BODY, byline=None)
    assert not diff_articles(PARENT, in_body).byline_stripped
    no_byline = DiffInput(blocks=BODY)
    assert not diff_articles(no_byline, DiffInput(blocks=BODY)).byline_stripped


CJK = (
    "北京市政府周二宣布了新的预算方案。道路维修将获得一千二百万元。图书馆将继续开放。",
    "市长表示，这次投票表明市民组织起来就能改变决定。反对派认为该计划过于昂贵！",
)


def test_cjk_sentences_split_on_full_stops() -> None:
    edited = "北京市政府周二宣布了新的预算方案。道路维修将获得一千五百万元。图书馆将继续开放。"
    diff = diff_articles(DiffInput(blocks=CJK), DiffInput(blocks=(edited, CJK[1])))
    assert _kinds(diff) == ["changed", "equal"]
    assert [str(s.kind) for s in diff.paragraphs[0].sentences] == ["equal", "changed", "equal"]
    assert diff.paragraphs[0].sentences[1].child == "道路维修将获得一千五百万元。"
    assert diff.counts()["sentences"]["equal"] == 4


def test_cjk_sentence_added_at_the_end() -> None:
    diff = diff_articles(DiffInput(blocks=CJK), DiffInput(blocks=(CJK[0], CJK[1] + "欢迎订阅。")))
    assert diff.framing_added_end
    assert [str(s.kind) for s in diff.paragraphs[1].sentences] == ["equal", "equal", "added"]


def _sentence_kinds(parent: str, child: str) -> list[str]:
    diff = diff_articles(DiffInput(blocks=(parent,)), DiffInput(blocks=(child,)))
    return [str(s.kind) for op in diff.paragraphs for s in op.sentences]


def test_russian_and_arabic_sentences() -> None:
    ru = "Совет утвердил бюджет во вторник. Библиотека останется открытой. Мэр доволен."
    extended = ru.replace("открытой.", "открытой до лета.")
    assert _sentence_kinds(ru, extended) == ["equal", "changed", "equal"]
    reversed_ = ru.replace("останется открытой", "будет закрыта навсегда")
    assert _sentence_kinds(ru, reversed_) == ["equal", "removed", "added", "equal"]
    ar = "وافق المجلس على الميزانية يوم الثلاثاء. هل ستبقى المكتبة مفتوحة؟ نعم قال العمدة."
    cut = "وافق المجلس على الميزانية يوم الثلاثاء. هل ستبقى المكتبة مفتوحة؟"
    assert _sentence_kinds(ar, cut) == ["equal", "equal", "removed"]


def test_abbreviations_and_decimals_do_not_split_sentences() -> None:
    text = "Growth was 3.5 percent, e.g. in the north. Prices rose."
    assert _sentence_kinds(text, text) == ["equal", "equal"]


def test_reflowed_paragraphs_are_not_sentence_changes() -> None:
    merged = (BODY[0] + " " + BODY[1], BODY[2], BODY[3])
    split = (*BODY[0].split(". ", 1), *BODY[1:])
    for blocks in (merged, split):
        diff = diff_articles(PARENT, _copy(*blocks))
        counts = diff.counts()
        assert counts["sentences"] == {"equal": 7, "added": 0, "removed": 0, "changed": 0}
        assert counts["paragraphs"]["changed"] == 0 and counts["paragraphs"]["reflowed"] == 1
        assert [op.reflowed for op in diff.paragraphs].count(True) == 1
        assert diff.similarity == 1.0
        assert _set_flags(diff) == set()


def test_reflow_and_an_edit_in_one_group() -> None:
    merged = BODY[0] + " " + BODY[1].replace("ten thousand", "twelve thousand")
    diff = diff_articles(PARENT, _copy(merged, *BODY[2:]))
    (group,) = [op for op in diff.paragraphs if op.kind is OpKind.CHANGED]
    assert group.parent == BODY[:2] and group.child == (merged,)
    assert not group.reflowed
    assert diff.counts()["sentences"]["changed"] == 1


def test_empty_sides() -> None:
    assert diff_articles(DiffInput(), DiffInput()).similarity == 1.0
    diff = diff_articles(DiffInput(blocks=BODY), DiffInput(blocks=("* * *",)))
    assert _kinds(diff) == ["removed"] * 4 and diff.similarity == 0.0
    assert not diff.truncated  # nothing shared: a rewrite, not a truncated copy


def test_summary_and_to_dict_are_json_ready() -> None:
    diff = diff_articles(PARENT, _copy("Editor's note: shared.", *BODY[:2], title="New title"))
    summary = diff.summary()
    assert set(summary) == {"similarity", "counts", "flags"}
    assert list(summary["flags"]) == list(FLAGS)
    assert summary["flags"]["headline_changed"] and summary["flags"]["truncated"]
    assert json.loads(json.dumps(summary)) == summary
    full = json.loads(json.dumps(diff.to_dict(), ensure_ascii=False))
    assert full["parent"]["url"] == "https://alpha.test/budget"
    assert full["child"]["title"] == "New title"
    assert [p["kind"] for p in full["paragraphs"]] == [
        "added",
        "equal",
        "equal",
        "removed",
        "removed",
    ]
    assert "sentences" not in full["paragraphs"][1]


def test_diff_is_pure_core() -> None:
    # Same rule as tests/test_architecture.py: the core loads no edge library.
    code = (
        "import sys, provenance.diff; edges = {'sqlalchemy', 'httpx', 'celery', 'typer', "
        "'fastapi', 'psycopg', 'rich'}; print(sorted(edges & set(sys.modules)))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
