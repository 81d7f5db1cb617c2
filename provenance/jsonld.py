"""JSON-LD in article pages: the ``NewsArticle`` object, its names and declared sources.

Pure helpers over a parsed lxml tree, used by :mod:`provenance.extract`. Broken
JSON-LD is common and never fatal: a script that does not parse is skipped.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

from provenance.outlet import outlet_domain

__all__ = ["find_article", "jsonld_names", "jsonld_objects", "jsonld_sources"]

_WEB = ("http", "https")


def _clean(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    return " ".join(value.split()) or None


def jsonld_objects(tree: Any) -> list[dict[str, Any]]:
    """Every JSON-LD object of a parsed page, ``@graph`` members included."""
    objects: list[dict[str, Any]] = []
    for script in tree.iter("script"):
        kind = (script.get("type") or "").split(";")[0].strip().lower()
        if kind != "application/ld+json" or not script.text:
            continue
        text = script.text.strip().removeprefix("<!--").removesuffix("-->").strip().rstrip(";")
        try:
            data = json.loads(text, strict=False)
        except ValueError:
            continue  # broken JSON-LD is common and never fatal
        objects.extend(_flatten(data, depth=0))
    return objects


def _flatten(data: Any, *, depth: int) -> Iterator[dict[str, Any]]:
    if depth > 3:
        return
    items = data if isinstance(data, list) else [data]
    for item in items:
        if isinstance(item, dict):
            yield item
            yield from _flatten(item.get("@graph", []), depth=depth + 1)


def _types(obj: dict[str, Any]) -> set[str]:
    raw = obj.get("@type", [])
    values = raw if isinstance(raw, list) else [raw]
    return {re.split(r"[/:#]", value)[-1] for value in values if isinstance(value, str)}


def find_article(objects: list[dict[str, Any]]) -> dict[str, Any]:
    """The first ``Article``-like object (NewsArticle, BlogPosting ...), or ``{}``."""
    for obj in objects:
        if any(kind.endswith(("Article", "BlogPosting")) for kind in _types(obj)):
            return obj
    return {}


def _resolve(value: Any, objects: list[dict[str, Any]]) -> Any:
    """Follow a bare ``{"@id": ...}`` reference to the object it names."""
    if isinstance(value, dict) and set(value) == {"@id"}:
        for obj in objects:
            if obj.get("@id") == value["@id"] and obj is not value:
                return obj
    return value


def jsonld_names(value: Any, objects: list[dict[str, Any]]) -> list[str]:
    """The names in a JSON-LD value: strings, or objects' ``name`` (references followed)."""
    items = value if isinstance(value, list) else [value]
    names: list[str] = []
    for item in (_resolve(item, objects) for item in items):
        name = (
            item if isinstance(item, str) else item.get("name") if isinstance(item, dict) else None
        )
        if isinstance(name, str) and (cleaned := _clean(name)):
            names.append(cleaned)
    return names


def jsonld_sources(article: dict[str, Any], objects: list[dict[str, Any]]) -> list[str]:
    """Outlets named by ``isBasedOn`` and ``sourceOrganization``."""
    found: list[str] = []
    for key in ("isBasedOn", "sourceOrganization"):
        raw = article.get(key)
        for item in (_resolve(item, objects) for item in (raw if isinstance(raw, list) else [raw])):
            if isinstance(item, str):
                found.extend(_url_domain(item))
            elif isinstance(item, dict):
                # A CreativeWork's own name is a title: its publisher names the outlet.
                names = jsonld_names(item.get("publisher"), objects) if key == "isBasedOn" else []
                names = names or (
                    jsonld_names(item, objects) if key == "sourceOrganization" else []
                )
                found.extend(names or _url_domain(item.get("url")))
    return found


def _url_domain(value: Any) -> list[str]:
    if not isinstance(value, str) or urlsplit(value.strip()).scheme.lower() not in _WEB:
        return []
    try:
        return [outlet_domain(value)]
    except ValueError:
        return []
