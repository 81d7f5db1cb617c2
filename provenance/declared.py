"""Declared sources: the outlets an article says it was taken from.

Copies often say where they came from, in a credit line ("Source: Reuters"), a
republication notice ("This article first appeared on The Conversation") or a
wire-service dateline ("WASHINGTON (Reuters) -"). Such declarations are strong
evidence for the tracer, so the patterns are strict: they are anchored at the
start of a line (or a block, for datelines), and only the first and last three
blocks of a body are read, where credits live. "Copyright X" and "© X" are
ownership notices, not sources, and are never read as one.

Recognised forms:

* labels followed by a colon (ASCII or full-width, and the French " :"): English
  "Source(s):", German "Quelle:", Spanish "Fuente:", French "Source :",
  Italian and Portuguese "Fonte:", Dutch "Bron:", Russian "Источник:",
  Ukrainian "Джерело:", Polish "Źródło:", Czech and Slovak "Zdroj:", Turkish
  "Kaynak:", Swedish "Källa:", Danish and Norwegian "Kilde:", Finnish
  "Lähde:", Greek "Πηγή:", Arabic "المصدر:", Hebrew "מקור:", Chinese
  "来源" and "稿件来源", Japanese "出典", Korean "출처:";
* English phrases: "Originally published by/at/on/in X", "First appeared on X",
  "This article first appeared on X", "Republished from X", "Reprinted (with
  permission) from X", "Via X" (a short line of its own); Russian
  "По материалам X";
* datelines: "(Reuters) -", "(AP) —", "WASHINGTON (AFP) -" at the start of one
  of the first blocks; Chinese "新华社" in full-width parentheses and the
  dateline "新华社北京5月17日电".

A declaration that is a URL yields the URL's registrable domain
("Source: https://www.example.com/story" gives ``example.com``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

from provenance.outlet import outlet_domain

__all__ = ["edge_indices", "find_declared_sources", "is_credit_line"]

#: Credits sit at the top or the bottom of a body; the middle is prose.
_EDGE_BLOCKS = 3
_MAX_NAME_LENGTH = 80
_MAX_NAME_WORDS = 6
_MAX_VIA_LINE = 60
#: A credit line or a quote's lead-in stands on its own and is short; a
#: longer block is prose.
_MAX_OWN_LINE = 120

_COLON = r"[ \t\u00a0\u202f]*[:\uff1a]"
_LABELS = (
    r"sources?|quellen?|fuentes?|fontes?|bron(?:nen)?|источник(?:и)?|джерело|źródł[oa]"
    r"|zdroj|kaynak|källa|kilde|lähde|πηγή|المصدر|מקור|출처"
)
_LABEL_RE = re.compile(rf"^[\s*_>•·-]{{0,3}}(?:{_LABELS}){_COLON}\s*(?P<name>.+)$", re.IGNORECASE)
#: CJK credit labels often share a line with the date and the author, so the
#: name ends at the first space, unless capitalised Latin words follow: a
#: Latin name has spaces of its own ("来源：Continental Press Agency").
_CJK_LABEL_RE = re.compile(
    rf"(?:^|\s)(?:稿件|新闻|文章)?(?:来源|來源|出典|出所){_COLON}\s*"
    r"(?P<name>\S+(?:[ \u00a0](?=[A-Z])[A-Za-z][\w&.'\u2019-]*)*)"
)
_PHRASE_RE = re.compile(
    r"\b(?:(?:originally|first)\s+(?:published|appeared|posted|ran)"
    r"|this\s+(?:article|story|piece|post)\s+(?:was\s+)?(?:published|appeared)"
    r"|(?:republished|reprinted)(?:\s+here)?(?:\s+with\s+(?:kind\s+)?permission)?)"
    r"\s+(?:by|at|on|in|from|of)\s+(?P<name>.+)$",
    re.IGNORECASE,
)
#: A quote's lead-in, on a short line of its own that ends in a colon: "As X
#: reported:", and the same turn of phrase in the other languages we meet.
_LEAD_RE = re.compile(
    r"^(?:as (?P<en>.+?) (?:reported|wrote|put it|noted)"
    r"|wie (?P<de>.+?) (?:berichtete|schrieb|meldete)"
    r"|según (?:informó|publicó|escribió|reportó) (?P<es>.+?)"
    r"|comme l['’](?:a|ont) (?:rapporté|écrit|indiqué) (?P<fr>.+?)"
    r"|come (?:riportato|scritto|riferito) da (?P<it>.+?)"
    r"|как (?:сообщил[оаи]?|пишет|пишут)(?: издание)? (?P<ru>.+?)"
    r"|jak (?:podał[ao]?|pisze|napisał[ao]?|informuje) (?P<pl>.+?)"
    r"|(?P<tr>.+?) tarafından bildirildiğine göre"
    r"|و?(?:بحسب|حسب|وفق) ما (?:أفاد به|أفادت به|نشره|نشرته|ذكره|ذكرته) (?P<ar>.+?)"
    r"|据(?P<zh>.+?)(?:报道|報道|消息))"
    r"\s*[:\uff1a]$",
    re.IGNORECASE,
)
_VIA_RE = re.compile(r"^\s*via\s*:?\s+(?P<name>\S.*)$", re.IGNORECASE)
_RU_MATERIALS_RE = re.compile(r"^\s*по\s+материалам\s+(?P<name>.+)$", re.IGNORECASE)
_DATELINE_RE = re.compile(
    r"^\s*(?:[A-ZÀ-Þ][A-ZÀ-Þ .'\u2019/-]{1,40}(?:,\s*[^()\n]{1,40}?)?\s+)?"
    r"\((?P<name>[A-Z][^()\n]{0,39})\)\s*(?:--|[-\u2013\u2014])"
)
_CJK_PAREN_RE = re.compile(
    r"^\s*[\uff08(](?P<head>[^\uff08\uff09()\n]{2,20})[\uff09)]"
    r"|[\uff08(](?P<tail>[^\uff08\uff09()\n]{2,20})[\uff09)]\s*$"
)
_CJK_DATELINE_RE = re.compile(
    r"^\s*(?P<name>[\u4e00-\u9fff]{1,8}社)[\u4e00-\u9fff]{0,8}\d{1,2}月\d{1,2}日电"
)
#: Kana, CJK ideographs and Hangul: the scripts written without spaces between words.
_CJK_CHARS = "\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af"
_CJK_RE = re.compile(f"[{_CJK_CHARS}]")
#: Parenthesised words in datelines that are labels, not agencies.
_DATELINE_WORDS = frozenset(
    {"update", "updated", "video", "watch", "live", "exclusive", "opinion", "analysis", "photos"}
)
#: Parenthesised notes in Chinese text that are bylines or markers, not sources.
_CJK_NOTE_RE = re.compile(r"记者|编辑|责编|摄|图|完|译|实习生|通讯员|特约")
#: A parenthesised CJK credit names an outlet: agencies end in 社, papers in
#: 报, sites in 网, broadcasters in 台 ("（新华社）", "（人民日报）"). Any other
#: closing parenthesis ("City SP（西部）", "west") is prose.
_CJK_OUTLET_RE = re.compile(
    r"(?:社|报|報|网|網|台|新闻|新聞|时报|時報|通讯|通訊|电视|電視|广播|廣播|传媒|傳媒|媒体|媒體)$"
)
_URL_RE = re.compile(r"(?:https?://|www\.)[^\s<>\"')\]]+", re.IGNORECASE)
#: Where a captured name ends: licence notes, dates, separators, a new sentence.
_NAME_END_RE = re.compile(
    r"\s+under\s|\s+with\s+(?:kind\s+)?permission|\s+on\s+(?:\d|(?:jan|feb|mar|apr|may|jun|jul"
    r"|aug|sep|oct|nov|dec|mon|tue|wed|thu|fri|sat|sun)[a-z]*\b)|\s[|\u2013\u2014-]\s|\s*\(|[\u3002\uff1b]"
    r"|(?<=[a-z\u00df-\u00ff\u0430-\u044f]{3})\.(?:\s|$)|(?:作者|编辑|责任编辑|记者|责编|时间|日期)[:\uff1a]"
    # A Latin name followed by Chinese, Japanese or Korean text: the prose began.
    rf"|(?<=[A-Za-z])\s+(?=[{_CJK_CHARS}])",
    re.IGNORECASE,
)
_SPLIT_RE = re.compile(r"\s*[;,、]\s*")
_EDGE_PUNCT = " \t\"'«»“”„\u2018\u2019*_.,;:!?"
_NOT_NAMES = frozenset(
    {"the", "here", "this", "it", "we", "us", "they", "unknown", "n/a", "none", "internet", "web"}
)


def find_declared_sources(blocks: Sequence[str]) -> tuple[str, ...]:
    """Find the outlets or agencies a body declares as its source.

    Args:
        blocks: The body's text blocks, in reading order.

    Returns:
        The declared names, with their original casing (or registrable domains
        for declarations that are URLs), without duplicates, in order of
        appearance. Empty when the body declares nothing.
    """
    found: dict[str, str] = {}
    for index in edge_indices(len(blocks)):
        for name in _block_declarations(blocks[index], first=index < _EDGE_BLOCKS):
            found.setdefault(name.casefold(), name)
    # Quotes sit anywhere in an article; so do their lead-ins.
    for block in blocks:
        for name in _lead_names(block):
            found.setdefault(name.casefold(), name)
    return tuple(found.values())


def _own_line(block: str) -> str | None:
    """The block stripped, if it is one short line; else None."""
    line = block.strip()
    return line if line and len(line) <= _MAX_OWN_LINE and "\n" not in line else None


def _lead_names(block: str) -> Iterator[str]:
    """The source a quote's lead-in names ("As Reuters reported:"), if the block is one."""
    line = _own_line(block)
    match = _LEAD_RE.match(line) if line else None
    if match:
        name = next(group for group in match.groups() if group)
        yield from _names(name)


def is_credit_line(block: str) -> bool:
    """Whether a block is a credit and nothing else ("Source: X", "Via X").

    Datelines and parenthesised CJK credits open or close a paragraph of
    prose, so they never make a block a credit line.

    Args:
        block: One text block.

    Returns:
        True for a short single line that declares a source by a label or a
        republication phrase.
    """
    line = _own_line(block)
    if line is None:
        return False
    for pattern in (_LABEL_RE, _CJK_LABEL_RE, _PHRASE_RE, _RU_MATERIALS_RE, _VIA_RE):
        match = pattern.search(line)
        if match and any(True for _ in _names(match.group("name"))):
            return True
    return False


def edge_indices(count: int) -> list[int]:
    """Indices of the first and last few blocks of a body of ``count``, where credits live."""
    head = range(min(count, _EDGE_BLOCKS))
    tail = range(max(count - _EDGE_BLOCKS, _EDGE_BLOCKS), count)
    return [*head, *tail]


def _block_declarations(block: str, *, first: bool) -> Iterator[str]:
    lines = block.splitlines()
    for number, line in enumerate(lines):
        hits = sorted(_line_hits(line, dateline=first and number == 0), key=lambda hit: hit[0])
        for _, raw in hits:
            yield from _names(raw)


def _line_hits(line: str, *, dateline: bool) -> Iterator[tuple[int, str]]:
    """Raw name texts declared on one line, with their positions."""
    for pattern in (_LABEL_RE, _CJK_LABEL_RE, _PHRASE_RE, _RU_MATERIALS_RE):
        for match in pattern.finditer(line):
            yield match.start("name"), match.group("name")
    via = _VIA_RE.match(line)
    if via and len(line.strip()) <= _MAX_VIA_LINE and not via.group("name")[0].islower():
        yield via.start("name"), via.group("name")
    yield from _cjk_paren_hits(line)
    if dateline:
        dated = _DATELINE_RE.match(line) or _CJK_DATELINE_RE.match(line)
        if dated and dated.group("name").strip().casefold() not in _DATELINE_WORDS:
            yield dated.start("name"), dated.group("name")


def _cjk_paren_hits(line: str) -> Iterator[tuple[int, str]]:
    for match in _CJK_PAREN_RE.finditer(line):
        group = "head" if match.group("head") else "tail"
        note = match.group(group)
        if _CJK_RE.search(note) and not _CJK_NOTE_RE.search(note) and _CJK_OUTLET_RE.search(note):
            yield match.start(group), note


def _names(raw: str) -> Iterator[str]:
    """Clean one captured declaration into zero or more names."""
    urls = _URL_RE.findall(raw)
    text = _NAME_END_RE.split(_URL_RE.sub(" ", raw), maxsplit=1)[0]
    names = [name for part in _SPLIT_RE.split(text) if (name := _clean(part))]
    if names:
        yield from names
    elif urls:
        domain = _url_domain(urls[0])
        if domain:
            yield domain


def _clean(part: str) -> str | None:
    name = " ".join(part.split()).strip(_EDGE_PUNCT)
    if name.endswith(")") and "(" not in name:
        name = name.rstrip(")").strip(_EDGE_PUNCT)
    words = name.split()
    if not name or len(name) > _MAX_NAME_LENGTH or len(words) > _MAX_NAME_WORDS:
        return None
    if name.casefold() in _NOT_NAMES or not any(char.isalpha() for char in name):
        return None
    # "Source: officials familiar with the plan" is prose, not a name; short
    # lower-case names ("dpa", "heise online") are real and stay.
    if len(words) >= 3 and words[0][0].islower():
        return None
    return name


def _url_domain(url: str) -> str | None:
    try:
        return outlet_domain(url if "://" in url else "//" + url)
    except ValueError:
        return None
