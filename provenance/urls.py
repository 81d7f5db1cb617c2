"""URL normalisation: one spelling per web address.

Articles reach us through feeds, links, canonical tags and import files, each
spelling the same address a little differently (tracking parameters, default
ports, ``//`` in paths, ``%7E`` versus ``~``). :func:`normalize_url` maps them all
to one stable string, so URLs can be compared and stored as keys;
:func:`absolute_url` resolves a link found in a page against the page address.

Pure functions: no I/O, no DNS.
"""

from __future__ import annotations

import re
from urllib.parse import quote, unquote_plus, urljoin, urlsplit, urlunsplit

__all__ = ["absolute_url", "normalize_url"]

_DEFAULT_PORTS = {"http": 80, "https": 443}

#: Query parameters that only tell the outlet where a reader came from. They never
#: change the page served, so two links differing only in them are the same article.
_TRACKING_PARAMS = frozenset(
    {
        "fbclid", "gclid", "gclsrc", "dclid", "gbraid", "wbraid", "msclkid", "yclid",
        "twclid", "ttclid", "igshid", "mc_cid", "mc_eid", "ref", "ref_src", "ref_url",
        "cmpid", "ocid", "icid", "smid", "s_cid", "mkt_tok", "_ga", "_gl", "_hsenc",
        "_hsmi", "oly_anon_id", "oly_enc_id", "vero_id", "wt.mc_id", "__twitter_impression",
        "at_medium", "at_campaign", "at_custom1", "at_custom2", "at_custom3", "at_custom4",
        "at_format", "at_link", "at_link_id", "at_link_type", "at_ptr_name", "at_bbc_team",
    }
)  # fmt: skip
#: Whole families of tracking parameters (Google/Urchin, Matomo/Piwik, HubSpot ads).
_TRACKING_PREFIXES = ("utm_", "pk_", "mtm_", "hsa_")

_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
_HOST_RE = re.compile(r"[a-z0-9_-]+(?:\.[a-z0-9_-]+)*")
_PERCENT_RE = re.compile(r"%([0-9A-Fa-f]{2})")
_STRAY_PERCENT_RE = re.compile(r"%(?![0-9A-Fa-f]{2})")
#: Characters RFC 3986 allows unescaped in a path (besides unreserved ones).
_PATH_SAFE = "/!$&'()*+,;=:@%"
#: The same inside a query parameter, minus its separators ``&`` and ``=``.
_QUERY_SAFE = "/?!$'()*+,;:@%"
#: Links that lead to no web page: scripts, mail, inline data, phone numbers.
_WEB_SCHEMES = frozenset(_DEFAULT_PORTS)
#: The WHATWG URL parser silently removes tabs and newlines from links; so do we.
_TAB_NEWLINE_RE = re.compile(r"[\t\n\r]")


def normalize_url(url: str) -> str:
    """Return the canonical spelling of an http(s) URL.

    Lower-cases scheme and host, encodes the host with IDNA, drops default ports,
    user info, the fragment and tracking query parameters (``utm_*``, ``fbclid``,
    ``gclid``, ``ref`` ...), sorts the remaining parameters by name (keeping the
    order of repeated names, which may be meaningful), collapses ``//`` and
    resolves ``.``/``..`` in the path, drops a trailing slash except for the root,
    and normalises percent-encoding (unreserved characters decoded, other escapes
    upper-cased, unsafe characters encoded as UTF-8). The result is stable:
    ``normalize_url(normalize_url(u)) == normalize_url(u)``.

    Args:
        url: An absolute http or https URL.

    Returns:
        The normalised URL.

    Raises:
        ValueError: The URL is not absolute http(s), or its host or port is invalid.
    """
    parts = urlsplit(_TAB_NEWLINE_RE.sub("", url.strip()))
    scheme = parts.scheme.lower()
    if scheme not in _WEB_SCHEMES:
        raise ValueError(f"not an http(s) URL: {url!r}")
    try:
        port = parts.port
    except ValueError as exc:
        raise ValueError(f"invalid port in URL {url!r}") from exc
    host = _normalize_host(parts.hostname or "", url)
    netloc = host if port in (None, _DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    return urlunsplit(
        (scheme, netloc, _normalize_path(parts.path), _normalize_query(parts.query), "")
    )


def absolute_url(href: str, base: str) -> str | None:
    """Resolve a link found in a page against the page's address.

    Args:
        href: The raw ``href`` value (relative, protocol-relative or absolute).
        base: The absolute URL of the page (or its ``<base href>``).

    Returns:
        The absolute http(s) URL (not normalised), or None when the link leads to
        no other web page: empty or fragment-only links, ``javascript:``,
        ``mailto:``, ``data:``, ``tel:`` and other non-web schemes, and links too
        malformed to resolve.
    """
    cleaned = _TAB_NEWLINE_RE.sub("", href).strip()
    if not cleaned or cleaned.startswith("#"):
        return None
    try:
        resolved = urljoin(base, cleaned)
        parts = urlsplit(resolved)
    except ValueError:
        return None
    if parts.scheme.lower() not in _WEB_SCHEMES or not parts.hostname:
        return None
    return resolved


def _normalize_host(host: str, url: str) -> str:
    # urlsplit already lower-cases and strips the brackets of IPv6 literals.
    host = host.rstrip(".")
    if not host:
        raise ValueError(f"URL has no host: {url!r}")
    if ":" in host:
        return f"[{host}]"
    try:
        ascii_host = host.encode("idna").decode("ascii").lower()
    except UnicodeError as exc:
        raise ValueError(f"invalid host name in URL {url!r}") from exc
    if not _HOST_RE.fullmatch(ascii_host):
        raise ValueError(f"invalid host name in URL {url!r}")
    return ascii_host


def _normalize_path(path: str) -> str:
    segments: list[str] = []
    for segment in path.split("/"):
        if segment in ("", "."):
            continue  # empty segments are the duplicate slashes we collapse
        if segment == "..":
            if segments:
                segments.pop()
            continue
        segments.append(_normalize_escapes(segment, _PATH_SAFE))
    return "/" + "/".join(segments)


def _normalize_escapes(text: str, safe: str) -> str:
    def decode_unreserved(match: re.Match[str]) -> str:
        char = chr(int(match.group(1), 16))
        return char if char in _UNRESERVED else f"%{match.group(1).upper()}"

    text = _STRAY_PERCENT_RE.sub("%25", text)
    return quote(_PERCENT_RE.sub(decode_unreserved, text), safe=safe)


def _normalize_query(query: str) -> str:
    # Parameters are re-escaped in place rather than decoded and re-encoded, so
    # bytes that are not UTF-8 and the ``+``/``%20`` distinction survive unchanged.
    pairs: list[tuple[str, str | None]] = []
    for item in query.split("&"):
        if not item:
            continue
        key, sep, value = item.partition("=")
        if _is_tracking(key):
            continue
        pairs.append(
            (
                _normalize_escapes(key, _QUERY_SAFE),
                _normalize_escapes(value, _QUERY_SAFE) if sep else None,
            )
        )
    # A stable sort on the name only: repeated names keep their relative order.
    pairs.sort(key=lambda pair: pair[0])
    return "&".join(key if value is None else f"{key}={value}" for key, value in pairs)


def _is_tracking(key: str) -> bool:
    lowered = unquote_plus(key).strip().lower()
    return lowered in _TRACKING_PARAMS or lowered.startswith(_TRACKING_PREFIXES)
