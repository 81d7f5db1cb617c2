"""Outlets: who published a page, and whether a declared source names them.

An outlet is identified by the registrable domain of its pages (``bbc.co.uk`` for
``https://www.bbc.co.uk/news/x``), found with the public suffix list bundled in
tldextract, never a fetched one. Its display name is the site's own declared
name when that looks sane, else the domain. :func:`names_match` decides whether a
source named in another article ("Source: Reuters") refers to an outlet.

Pure functions: no I/O.
"""

from __future__ import annotations

import contextlib
import ipaddress
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from urllib.parse import urlsplit

import tldextract

__all__ = ["OutletNameIndex", "names_match", "outlet_domain", "outlet_name"]

#: Offline extractor: the empty ``suffix_list_urls`` and ``cache_dir=None`` make
#: tldextract use the snapshot shipped with the package and never touch the
#: network or the disk.
_EXTRACT = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)

_MAX_NAME_LENGTH = 80
_URLISH_RE = re.compile(r"^[a-z][a-z0-9+.-]*://|^www\.|/|[{}<>%]|\$\{", re.IGNORECASE)
#: Values that CMS templates put in ``og:site_name`` when nobody filled it in.
_JUNK_NAMES = frozenset({"home", "homepage", "index", "undefined", "null", "none", "untitled"})
_SPACE_RE = re.compile(r"\s+")
_LINK_RE = re.compile(r"^(?:https?://|www\.)", re.IGNORECASE)
#: Scripts whose accents we fold (é -> e); in other scripts combining marks carry
#: meaning (Devanagari vowel signs, Japanese dakuten) and are kept.
_LATIN_END = 0x0370


def outlet_domain(url: str) -> str:
    """Return the registrable domain of a URL's host, the outlet's identity.

    Args:
        url: An absolute URL, or a bare host name (``www.bbc.co.uk``).

    Returns:
        The registrable domain in ASCII (IDNA) form, e.g. ``bbc.co.uk``. Hosts
        under no public suffix (``news.local``, ``outlet.test``) give their last
        two labels, single-label hosts and IP addresses are returned as they are.

    Raises:
        ValueError: There is no host name in ``url``.
    """
    host = _host_of(url)
    try:
        ipaddress.ip_address(host)
    except ValueError:
        pass
    else:
        return host
    result = _EXTRACT(host)
    if result.suffix and result.domain:
        return f"{result.domain}.{result.suffix}"
    return ".".join(host.split(".")[-2:])


def outlet_name(url: str, site_name: str | None) -> str:
    """Return the display name of the outlet that published ``url``.

    Args:
        url: The page URL.
        site_name: The name the site declares (``og:site_name``, JSON-LD
            publisher), if any.

    Returns:
        The declared name with whitespace tidied, when it is sane (not empty, at
        most 80 characters, holding a letter, not a URL or template junk);
        otherwise the registrable domain of ``url``.

    Raises:
        ValueError: ``url`` has no host name and no usable site name was given.
    """
    if site_name is not None:
        cleaned = _SPACE_RE.sub(" ", site_name).strip()
        if _is_sane_name(cleaned):
            return cleaned
    return outlet_domain(url)


def names_match(declared: str, *, outlet: str, domain: str) -> bool:
    """Tell whether a declared source name refers to an outlet.

    Both names are normalised: NFKC, case-folded, Latin accents removed,
    punctuation turned into spaces, a leading "the" dropped. The rule is
    conservative, because a false match makes a copy look like an original:

    * a declaration that is a URL or host name matches when its registrable
      domain is ``domain``;
    * the normalised names are equal, or equal once spaces are removed
      ("Daily Planet" and "dailyplanet"), or the declaration equals the domain
      or the domain's label without its suffix ("reuters.com", "reuters");
    * otherwise the shorter name's words must all appear among the longer's,
      and there must be at least two of them ("New York Times" matches "The New
      York Times Company"). A single shared word is never enough: "Times" does
      not match "The New York Times", nor "Reuters" "Thomson Reuters".

    Args:
        declared: The source name found in an article ("Reuters", "新华社").
        outlet: The outlet's display name.
        domain: The outlet's registrable domain.

    Returns:
        True when the declaration names this outlet.
    """
    declared_domain = _declared_domain(declared)
    if declared_domain == domain.strip().lower():
        return True
    if declared_domain is not None and _LINK_RE.match(declared.strip()):
        return False  # an address names one domain: its words prove nothing more
    words = _name_words(declared)
    if not words:
        return False
    outlet_words = _name_words(outlet)
    compact = "".join(words)
    keys = _domain_keys(domain)
    if words == outlet_words or compact in {"".join(outlet_words), *keys}:
        return True
    # "Il Corriere Tirreno" is corrieretirreno.test: against the domain, the
    # name may also be read without its leading article.
    if "".join(_without_article(words)) in keys:
        return True
    shorter, longer = sorted((set(words), set(outlet_words)), key=len)
    return len(shorter) >= 2 and shorter <= longer


def _host_of(url: str) -> str:
    text = url.strip()
    if "://" not in text:
        text = "//" + text  # a bare host: make urlsplit see it as the netloc
    try:
        host = (urlsplit(text).hostname or "").rstrip(".")
    except ValueError as exc:
        raise ValueError(f"no host name in {url!r}") from exc
    if not host:
        raise ValueError(f"no host name in {url!r}")
    try:
        return host.encode("idna").decode("ascii").lower()
    except UnicodeError:
        return host.lower()


def _is_sane_name(name: str) -> bool:
    if not name or len(name) > _MAX_NAME_LENGTH or _URLISH_RE.search(name):
        return False
    if name.casefold() in _JUNK_NAMES:
        return False
    return any(char.isalpha() for char in name)


def _declared_domain(declared: str) -> str | None:
    """The registrable domain of a declaration spelled as a URL or host name."""
    text = declared.strip()
    if _LINK_RE.match(text) or re.fullmatch(
        r"(?:[\w-]+\.)+[a-z]{2,}(?:/\S*)?", text, re.IGNORECASE
    ):
        try:
            return outlet_domain(text if "://" in text else "//" + text)
        except ValueError:
            return None
    return None


def _name_words(name: str) -> tuple[str, ...]:
    folded = _fold_accents(unicodedata.normalize("NFKC", name).casefold())
    cleaned = "".join(" " if unicodedata.category(char)[0] in "PSZC" else char for char in folded)
    words = cleaned.split()
    if len(words) > 1 and words[0] == "the":
        words = words[1:]
    return tuple(words)


#: Leading articles of outlet names in the languages we meet ("the" is already
#: dropped by :func:`_name_words`).
_ARTICLES = frozenset({"il", "lo", "la", "le", "les", "l", "el", "los", "las", "der", "die", "das"})


def _without_article(words: tuple[str, ...]) -> tuple[str, ...]:
    return words[1:] if len(words) > 1 and words[0] in _ARTICLES else words


def _fold_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text)
    kept: list[str] = []
    for char in decomposed:
        if unicodedata.combining(char) and kept and ord(kept[-1]) < _LATIN_END:
            continue
        kept.append(char)
    return unicodedata.normalize("NFC", "".join(kept))


def _domain_keys(domain: str) -> set[str]:
    """Compact spellings of a domain: ``reuterscom`` and the label ``reuters``."""
    domain = domain.strip().lower()
    parts = _EXTRACT(domain)
    # Without a known suffix, outlet_domain kept the last two labels: the first is the name.
    label = parts.domain if parts.suffix else domain.split(".")[0]
    keys = {"".join(_name_words(domain)), "".join(_name_words(label))}
    if label.startswith("xn--"):
        # Invalid punycode: the ASCII spelling alone has to do.
        with contextlib.suppress(UnicodeError):
            keys.add("".join(_name_words(label.encode("ascii").decode("idna"))))
    return keys - {""}


class OutletNameIndex:
    """Which of many outlets a declared source name refers to, without trying each.

    A story of a thousand members has a thousand outlets and hundreds of
    distinct declared names; calling :func:`names_match` for every pair is slow.
    :func:`names_match` only accepts an exact key (the compact name, the
    domain or its label) or a word subset of at least two words, so the
    index looks up those keys and the outlets sharing two words or more, and
    confirms each candidate with :func:`names_match`.

    Args:
        outlets: ``(display name, registrable domain)`` of each outlet.
    """

    def __init__(self, outlets: Iterable[tuple[str, str]]) -> None:
        self._exact: dict[str, set[tuple[str, str]]] = {}
        self._words: dict[str, set[tuple[str, str]]] = {}
        for outlet, domain in outlets:
            words = _name_words(outlet)
            for key in {"".join(words), *_domain_keys(domain), domain.strip().lower()}:
                self._exact.setdefault(key, set()).add((outlet, domain))
            for word in set(words):
                self._words.setdefault(word, set()).add((outlet, domain))

    def domains(self, declared: str) -> list[str]:
        """Registrable domains of the indexed outlets that ``declared`` names, sorted."""
        words = _name_words(declared)
        candidates: set[tuple[str, str]] = set()
        keys = ("".join(words), "".join(_without_article(words)), _declared_domain(declared) or "")
        for key in keys:
            candidates |= self._exact.get(key, set())
        shared = Counter(o for word in set(words) for o in self._words.get(word, ()))
        candidates |= {o for o, count in shared.items() if count >= 2}
        return sorted(
            {d for outlet, d in candidates if names_match(declared, outlet=outlet, domain=d)}
        )
