"""The API over the real app (uvicorn on loopback) and a real database (SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Callable

from tests.api.conftest import Served, text_story

_ERROR_KEYS = {"code", "message", "details"}


def _error(response: object, status: int, code: str) -> None:
    assert response.status_code == status, response.text  # type: ignore[attr-defined]
    body = response.json()  # type: ignore[attr-defined]
    assert set(body) == {"error"} and set(body["error"]) == _ERROR_KEYS
    assert body["error"]["code"] == code


def test_story_search_view_and_diff(served: Served, db_url: str) -> None:
    ids = text_story(db_url)
    with served.client() as client:
        page = client.get("/api/stories").json()
        assert page["total"] == 1 and page["next_offset"] is None
        assert page["items"][0]["story_id"] == ids["story"]
        story = client.get(f"/api/stories/{ids['story']}").json()
        assert story["size"] == 3 and story["origin_url"] == "https://wire.test/flood"
        assert story["articles"][0]["relation"] == "origin"
        assert {"url", "outlet", "parent_url", "relation", "similarity", "evidence"} <= set(
            story["articles"][1]
        )
        lags = {t["article_id"]: t["lag_s"] for t in story["timeline"]}
        assert lags[ids["wire"]] == 0 and lags[ids["metro"]] == 4 * 3600
        diff = client.get(f"/api/articles/{ids['courier']}/diff").json()
        assert diff["parent"]["url"] == "https://wire.test/flood" and diff["paragraphs"]
        _error(client.get(f"/api/articles/{ids['wire']}/diff"), 404, "not_found")
        article = client.get(f"/api/articles/{ids['metro']}").json()
        assert article["story_id"] == ids["story"] and article["parent_article_id"] is not None


def test_search_filters_and_pages(served: Served, db_url: str) -> None:
    text_story(db_url)
    with served.client() as client:
        found = lambda **p: len(client.get("/api/stories", params=p).json()["items"])  # noqa: E731
        assert found(q="sandbags") == 1 and found(q="SANDBAGS") == 1
        assert found(q="volcano") == 0
        # LIKE wildcards in the caller's words are literal characters.
        assert found(q="%") == 0 and found(q="_") == 0
        assert client.get("/api/stories", params={"outlet": "courier"}).json()["total"] == 1
        since = {"since": "2030-01-01T00:00:00Z"}
        assert client.get("/api/stories", params=since).json()["total"] == 0
        _error(client.get("/api/stories", params={"since": "2030-01-01"}), 422, "invalid_request")
        outlets = client.get("/api/outlets", params={"limit": 2}).json()
        assert outlets["total"] == 3 and len(outlets["items"]) == 2 and outlets["next_offset"] == 2
        _error(client.get("/api/outlets", params={"limit": 5000}), 422, "invalid_request")
        first = outlets["items"][0]["outlet_id"]
        outlet = client.get(f"/api/outlets/{first}").json()
        assert outlet["domain"] == outlets["items"][0]["domain"]
        network = client.get("/api/network").json()
        assert {e["copier_domain"] for e in network["edges"]} >= {"courier.test"}


def test_tokens_and_scopes(served: Served, db_url: str) -> None:
    with served.client(None) as anonymous:
        _error(anonymous.get("/api/stories"), 401, "unauthorized")
        assert anonymous.get("/api/health").json() == {"status": "ok"}
        bad = anonymous.get("/api/stories", headers={"Authorization": "Basic eDp5"})
        _error(bad, 401, "unauthorized")
    with served.client("revoked") as revoked:
        _error(revoked.get("/api/stories"), 401, "unauthorized")
    with served.client("read") as reader:
        _error(reader.post("/api/submissions", json={"text": "x"}), 403, "forbidden")
        _error(reader.get("/api/tokens"), 403, "forbidden")
    with served.client("submit_only") as submitter:
        _error(submitter.get("/api/stories"), 403, "forbidden")
    with served.client("admin") as admin:
        listed = admin.get("/api/tokens").json()
        assert {t["name"] for t in listed} >= {"read", "admin"}
        assert all("token_hash" not in t for t in listed)
        assert next(t for t in listed if t["name"] == "admin")["last_used_at"] is not None


def test_anonymous_reads_by_setting(served_factory: Callable[..., Served], sqlite_url: str) -> None:
    served = served_factory(sqlite_url, api_anonymous_read=True)
    with served.client(None) as anonymous:
        assert anonymous.get("/api/stories").status_code == 200
        _error(anonymous.post("/api/submissions", json={"text": "x"}), 401, "unauthorized")


def test_limits(served_factory: Callable[..., Served], sqlite_url: str) -> None:
    served = served_factory(sqlite_url, api_max_body_bytes=2000, api_rate_limit_per_minute=2)
    with served.client("admin") as client:
        _error(client.post("/api/submissions", json={"url": None}), 422, "invalid_request")
        _error(client.post("/api/submissions", json={"text": "a", "store": True}), 422,
               "invalid_request")  # fmt: skip
    # Another token: the invalid submissions above counted against the admin's limit.
    with served.client("submit") as client:
        _error(client.post("/api/submissions", json={"text": "x" * 5000}), 413, "too_large")

        def chunks() -> object:
            yield b'{"text": "'
            for _ in range(10):
                yield b"y" * 500
            yield b'"}'

        chunked = client.post(
            "/api/submissions", content=chunks(), headers={"Content-Type": "application/json"}
        )
        _error(chunked, 413, "too_large")
        for _ in range(2):
            assert client.post("/api/submissions", json={"text": "short"}).status_code == 202
        limited = client.post("/api/submissions", json={"text": "short"})
        _error(limited, 429, "rate_limited")
        assert int(limited.headers["Retry-After"]) >= 1
        _error(client.get("/api/stories/999999"), 404, "not_found")
        _error(client.get("/api/stories/99999999999"), 422, "invalid_request")
        _error(client.get("/api/nothing"), 404, "not_found")


def test_text_submission_finds_the_story_without_storing(served: Served, db_url: str) -> None:
    ids = text_story(db_url)
    from tests.crawl.outlets import FLOOD

    with served.client("submit") as client:
        job = client.post("/api/submissions", json={"text": "\n\n".join(FLOOD[:4])}).json()
        done = served.wait_job(job)
        assert done["status"] == "done", done
        assert done["result"]["story_id"] == ids["story"] and not done["result"]["stored"]
        assert client.get("/api/stories").json()["items"][0]["size"] == 3
        stored = client.post(
            "/api/submissions",
            json={"text": "\n\n".join(FLOOD), "url": "https://paste.test/a", "store": True},
        ).json()
        result = served.wait_job(stored)["result"]
        assert result["stored"] and result["story_id"] == ids["story"]
        assert client.get(f"/api/stories/{ids['story']}").json()["size"] == 4


def test_openapi_spec_and_page_are_served(served: Served) -> None:
    with served.client(None) as client:
        spec = client.get("/openapi.json").json()
        assert "/api/stories/{story_id}" in spec["paths"]
        assert "/api/submissions" in spec["paths"]
        page = client.get("/")
        assert (
            page.status_code == 200
            and "default-src 'self'" in page.headers["content-security-policy"]
        )
        assert "<svg" not in page.text and "http" not in page.text.split("<body>")[1]
