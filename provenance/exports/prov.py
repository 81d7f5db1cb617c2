"""A story as W3C PROV-JSON: who published what, and what was derived from what.

Each member article is a ``prov:Entity`` attributed (``wasAttributedTo``) to its
outlet, a ``prov:Agent`` of type ``prov:Organization``. Each copy
``wasDerivedFrom`` the parent the tracer chose for it, and every member but the
origin ``hadPrimarySource`` the origin (in PROV-JSON, a derivation typed
``prov:PrimarySource``). The document is built as plain JSON; the ``prov``
package reads it back in the tests.
"""

from __future__ import annotations

from typing import Any

__all__ = ["PROV_NAMESPACES", "story_prov"]

#: The namespaces of the document; ours are URNs, so no host is named.
PROV_NAMESPACES = {
    "prv": "urn:provenance:term:",
    "article": "urn:provenance:article:",
    "outlet": "urn:provenance:outlet:",
    "story": "urn:provenance:story:",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}


def _typed(value: str, kind: str) -> dict[str, str]:
    return {"$": value, "type": kind}


def _entity(article: dict[str, Any]) -> dict[str, Any]:
    attrs: dict[str, Any] = {
        "prov:type": _typed("prv:Article", "prov:QUALIFIED_NAME"),
        "prov:location": _typed(article["url"], "xsd:anyURI"),
        "prv:relation": article["relation"],
    }
    if article["title"]:
        attrs["prov:label"] = article["title"]
    if article["published_at"]:
        attrs["prv:publishedAt"] = _typed(article["published_at"], "xsd:dateTime")
    return attrs


def _key(prefix: str, index: int) -> str:
    return f"_:{prefix}{index}"


def story_prov(doc: dict[str, Any]) -> dict[str, Any]:
    """The story document (export contract) as a PROV-JSON document."""
    ids = {a["url"]: f"article:{doc['story_id']}-{n}" for n, a in enumerate(doc["articles"])}
    outlets: dict[str, str] = {}
    entity: dict[str, Any] = {}
    attributed: dict[str, Any] = {}
    derived: dict[str, Any] = {}
    origin_id = ids.get(doc["origin_url"] or "")
    for n, article in enumerate(doc["articles"]):
        me = ids[article["url"]]
        entity[me] = _entity(article)
        agent = outlets.setdefault(article["outlet"], f"outlet:{len(outlets)}")
        attributed[_key("a", n)] = {"prov:entity": me, "prov:agent": agent}
        parent = ids.get(article["parent_url"] or "")
        if parent is not None:
            derived[_key("d", n)] = {
                "prov:generatedEntity": me,
                "prov:usedEntity": parent,
                "prv:relation": article["relation"],
                "prv:similarity": article["similarity"],
                "prv:credit": article.get("credit") or "uncredited",
            }
        if origin_id is not None and me != origin_id:
            derived[_key("p", n)] = {
                "prov:generatedEntity": me,
                "prov:usedEntity": origin_id,
                "prov:type": _typed("prov:PrimarySource", "prov:QUALIFIED_NAME"),
            }
    agent_records = {
        key: {"prov:type": _typed("prov:Organization", "prov:QUALIFIED_NAME"), "prov:label": name}
        for name, key in outlets.items()
    }
    document: dict[str, Any] = {"prefix": dict(PROV_NAMESPACES), "entity": entity}
    if agent_records:
        document["agent"] = agent_records
    if attributed:
        document["wasAttributedTo"] = attributed
    if derived:
        document["wasDerivedFrom"] = derived
    return document
