"""URL submissions through the guarded crawler, SSRF refusals, and every export re-read."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path

import networkx as nx
import pytest
from prov.model import ProvDocument
from typer.testing import CliRunner

from provenance.cli import app as cli_app
from tests.api.conftest import Served
from tests.crawl.outlets import NewsWeb
from tests.fetch.web import Web

LOOPBACK = {"allow_networks": "127.0.0.0/8"}


def _story_from_web(served: Served, news: NewsWeb) -> int:
    urls = [
        news.wire.url("/2024/05/17/flood.html"),
        news.courier.url("/news/flood-copy.html"),
        news.metro.url("/city/river.html"),
    ]
    story = None
    with served.client("submit") as client:
        for url in urls:
            job = served.wait_job(client.post("/api/submissions", json={"url": url}).json())
            assert job["status"] == "done", job
            story = job["result"]["story_id"]
    assert story is not None
    return story


def test_submitted_urls_make_a_story_and_every_export_reads_back(
    served_factory: Callable[..., Served], db_url: str, news: NewsWeb, tmp_path: Path
) -> None:
    served = served_factory(db_url, **LOOPBACK)
    story_id = _story_from_web(served, news)
    with served.client() as client:
        story = client.get(f"/api/stories/{story_id}").json()
        assert story["size"] == 3 and "Wire" in story["origin_outlet"]
        get = lambda fmt: client.get(f"/api/stories/{story_id}/export", params={"format": fmt})  # noqa: E731
        doc = get("json").json()
        assert doc["story_id"] == story_id and len(doc["articles"]) == 3
        rows = list(csv.DictReader(io.StringIO(get("csv").text)))
        assert {r["relation"] for r in rows} == {"origin", "copy"}
        for fmt, read in (("gexf", nx.read_gexf), ("graphml", nx.read_graphml)):
            graph = read(io.BytesIO(get(fmt).content))
            assert graph.number_of_nodes() == 3 and graph.number_of_edges() == 2
            roots = [n for n in graph if graph.in_degree(n) == 0]
            assert roots == [doc["origin_url"]]
        prov = ProvDocument.deserialize(content=get("prov").text, format="json")
        kinds = {type(r).__name__ for r in prov.get_records()}
        assert {"ProvEntity", "ProvAgent", "ProvDerivation", "ProvAttribution"} <= kinds
        primary = [
            r for r in prov.get_records() if type(r).__name__ == "ProvDerivation"
            and "PrimarySource" in str(r.get_asserted_types())
        ]  # fmt: skip
        assert len(primary) == 2
        bundle = get("bundle")
        assert bundle.headers["content-type"] == "application/zip"
    _check_bundle(bundle.content, tmp_path)


def _check_bundle(data: bytes, tmp_path: Path) -> None:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        names = set(zf.namelist())
        assert names == {"story.json", "story.html", "captures.warc.gz", "manifest.json",
                         "SHA256SUMS"}  # fmt: skip
        manifest = json.loads(zf.read("manifest.json"))
        assert len(manifest["captures"]) == 3 and not manifest["members_without_capture"]
        assert all(len(c["payload_sha256"]) == 64 for c in manifest["captures"])
        zf.extractall(tmp_path / "bundle")
    check = subprocess.run(
        [sys.executable, "-m", "warcio.cli", "check", "-v",
         str(tmp_path / "bundle" / "captures.warc.gz")],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert check.returncode == 0, check.stdout + check.stderr
    sums = subprocess.run(
        ["sha256sum", "-c", "SHA256SUMS"], cwd=tmp_path / "bundle", capture_output=True, text=True
    )
    assert sums.returncode == 0, sums.stdout + sums.stderr


SSRF_URLS = [
    "http://127.0.0.1:{port}/",
    "http://localhost:{port}/",
    "http://[::1]:{port}/",
    "http://0x7f000001:{port}/",
    "http://2130706433:{port}/",
    "http://127.1:{port}/",
    "http://169.254.169.254/latest/meta-data/",
    "http://10.0.0.1/",
    "http://192.168.1.1/",
    "http://[::ffff:127.0.0.1]:{port}/",
    "http://0.0.0.0:{port}/",
    "http://user:pw@127.0.0.1:{port}/",
    "file:///etc/passwd",
    "gopher://127.0.0.1:{port}/",
    "ftp://127.0.0.1/",
]


def test_ssrf_urls_make_no_connection(
    served_factory: Callable[..., Served], sqlite_url: str
) -> None:
    web = Web()
    web.start()
    try:
        site = web.site("127.0.0.1")
        site.page("/", "<html><body>internal</body></html>")
        served = served_factory(sqlite_url, api_rate_limit_per_minute=1000)
        with served.client("submit") as client:
            jobs = []
            for url in SSRF_URLS:
                answer = client.post("/api/submissions", json={"url": url.format(port=site.port)})
                assert answer.status_code == 202, answer.text
                jobs.append(answer.json())
            finished = [served.wait_job(job) for job in jobs]
        assert [j["status"] for j in finished] == ["failed"] * len(SSRF_URLS)
        assert served.runner.fetcher.dialer.connections == 0
        assert site.connections == 0
    finally:
        web.stop()


@pytest.mark.parametrize("fmt", ["json", "csv", "gexf", "graphml", "prov", "bundle"])
def test_cli_exports_a_story(
    served_factory: Callable[..., Served], sqlite_url: str, news: NewsWeb, tmp_path: Path, fmt: str
) -> None:
    served = served_factory(sqlite_url, **LOOPBACK)
    story_id = _story_from_web(served, news)
    out = tmp_path / f"story.{fmt}"
    env = {"PROVENANCE_DATA_DIR": str(tmp_path / "data")}
    done = CliRunner().invoke(
        cli_app, ["export", "story", str(story_id), "--format", fmt, "-o", str(out),
                  "--db", sqlite_url], env=env, catch_exceptions=False,
    )  # fmt: skip
    assert done.exit_code == 0, done.output
    if fmt == "bundle":
        _check_bundle(out.read_bytes(), tmp_path)
    elif fmt in ("gexf", "graphml"):
        assert (nx.read_gexf if fmt == "gexf" else nx.read_graphml)(out).number_of_nodes() == 3
    elif fmt in ("json", "prov"):
        assert json.loads(out.read_text())
    else:
        assert len(out.read_text().splitlines()) == 4


def test_cli_tokens(sqlite_url: str, tmp_path: Path) -> None:
    runner, env = CliRunner(), {"PROVENANCE_DATA_DIR": str(tmp_path / "data")}
    made = runner.invoke(cli_app, ["tokens", "create", "alice", "--scope", "read", "--scope",
                                   "submit", "--db", sqlite_url], env=env)  # fmt: skip
    assert made.exit_code == 0, made.output
    assert made.stdout.strip().splitlines()[-1].startswith("prv_")
    listed = runner.invoke(cli_app, ["tokens", "list", "--db", sqlite_url], env=env)
    assert "alice" in listed.stdout and "prv_" not in listed.stdout
    assert (
        runner.invoke(cli_app, ["tokens", "revoke", "1", "--db", sqlite_url], env=env).exit_code
        == 0
    )
    assert (
        runner.invoke(cli_app, ["tokens", "revoke", "9", "--db", sqlite_url], env=env).exit_code
        == 1
    )
    bad = runner.invoke(cli_app, ["tokens", "create", "x", "--scope", "root", "--db", sqlite_url])
    assert bad.exit_code == 2
