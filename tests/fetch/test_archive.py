"""The evidence archive: WARC request/response pairs, SHA-256 digests, never overwritten."""

from __future__ import annotations

import base64
import gzip
import hashlib
from pathlib import Path

import pytest

from provenance.errors import StorageError
from provenance.fetch import WarcArchive
from provenance.ingest import read_records
from provenance.raw_record import RawRecord
from tests.fetch.support import fetcher, records, warc_check
from tests.fetch.web import Web, respond

pytestmark = pytest.mark.anyio


def _sha256_b32(data: bytes) -> str:
    return "sha256:" + base64.b32encode(hashlib.sha256(data).digest()).decode()


async def test_every_response_is_archived_with_its_request(web: Web, archive: WarcArchive) -> None:
    site = web.site()
    site.page("/robots.txt", "User-agent: *\nAllow: /\n", content_type="text/plain")
    site.route("/old", respond(301, "", headers=[("Location", "/new")]))
    site.page("/new", "<html>new</html>")
    async with fetcher(archive) as f:
        result = await f.fetch(site.url("/old"))
        assert f.stats.archived == 3
    warc_check(archive.paths)
    found = records(archive.paths)
    kinds = [kind for kind, _, _ in found]
    assert kinds == ["warcinfo"] + ["response", "request"] * 3
    targets = [h.get_header("WARC-Target-URI") for k, h, _ in found if k == "response"]
    assert targets == [site.url("/robots.txt"), site.url("/old"), site.url("/new")]
    for kind, headers, http in found[1:]:
        assert headers.get_header("WARC-IP-Address") == site.host
        assert headers.get_header("WARC-Block-Digest").startswith("sha256:")
        assert headers.get_header("WARC-Payload-Digest").startswith("sha256:")
        if kind == "request":
            assert headers.get_header("WARC-Concurrent-To")
            assert http.get_header("User-Agent").startswith("provenance/")
    final = found[-2]
    assert final[1].get_header("WARC-Payload-Digest") == _sha256_b32(b"<html>new</html>")
    assert result.capture is not None
    assert result.capture.sha256 == hashlib.sha256(b"<html>new</html>").hexdigest()


async def test_capture_points_at_the_response_record(web: Web, archive: WarcArchive) -> None:
    site = web.site()
    body = b"<html><body>compressed evidence</body></html>"
    url = site.page("/gz", gzip.compress(body), headers=[("Content-Encoding", "gzip")])
    async with fetcher(archive) as f:
        result = await f.fetch(url)
    assert result.capture is not None
    raw = archive.read_capture(result.capture)
    record = gzip.decompress(raw)
    assert record.startswith(b"WARC/1.1\r\n")
    assert b"WARC-Type: response" in record
    assert gzip.compress(body)[:10] in record or b"Content-Encoding: gzip" in record
    # The capture's digest is of the decoded body, as the WARC reader computes it.
    assert result.capture.sha256 == hashlib.sha256(body).hexdigest()


async def test_the_ingest_reader_reads_our_archive(web: Web, archive: WarcArchive) -> None:
    site = web.site()
    url = site.page("/a", "<html><head><title>T</title></head><body>article</body></html>")
    async with fetcher(archive) as f:
        result = await f.fetch(url)
    archive.close()
    pages = [r for path in archive.paths for r in read_records(path) if isinstance(r, RawRecord)]
    assert [p.url for p in pages] == [url]
    assert pages[0].capture == result.capture
    assert pages[0].html == result.text


async def test_a_changed_refetch_is_a_new_record(web: Web, archive: WarcArchive) -> None:
    site = web.site()
    url = site.page("/a", "<html>first</html>")
    async with fetcher(archive) as f:
        first = await f.fetch(url)
        assert first.capture is not None
        before = archive.read_capture(first.capture)
        site.page("/a", "<html>second, changed</html>")
        second = await f.fetch(url)
    assert second.capture is not None
    assert second.capture.offset > first.capture.offset
    assert second.capture.sha256 != first.capture.sha256
    assert archive.read_capture(first.capture) == before  # the first is untouched
    warc_check(archive.paths)


async def test_files_rotate_by_size_and_each_passes_check(web: Web, tmp_path: Path) -> None:
    site = web.site()
    for n in range(6):
        site.page(f"/p{n}", f"<html>{f'page {n} ' * 200}</html>")
    with WarcArchive(tmp_path / "w", max_file_bytes=1500) as archive:
        async with fetcher(archive) as f:
            captures = [(await f.fetch(site.url(f"/p{n}"))).capture for n in range(6)]
        assert len(archive.paths) >= 3
        assert len({c.path for c in captures if c}) >= 3
        warc_check(archive.paths)


async def test_export_captures_writes_a_valid_warc(
    web: Web, archive: WarcArchive, tmp_path: Path
) -> None:
    site = web.site()
    urls = [site.page(f"/p{n}", f"<html>{n}</html>") for n in range(3)]
    async with fetcher(archive) as f:
        refs = [(await f.fetch(u)).capture for u in urls]
    out = tmp_path / "evidence.warc.gz"
    assert archive.export_captures([r for r in refs if r], out) == 3
    warc_check([out])
    exported = [h.get_header("WARC-Target-URI") for k, h, _ in records([out]) if k == "response"]
    assert exported == urls
    with pytest.raises(StorageError):
        archive.export_captures([], out)  # never overwrites


def test_read_capture_of_a_missing_file_is_a_storage_error(tmp_path: Path) -> None:
    from provenance.raw_record import CaptureRef

    with pytest.raises(StorageError):
        WarcArchive(tmp_path).read_capture(CaptureRef(str(tmp_path / "nope.warc.gz"), 0, 10, ""))


async def test_no_archive_is_a_dry_run(web: Web) -> None:
    site = web.site()
    url = site.page("/a")
    async with fetcher(None) as f:
        result = await f.fetch(url)
    assert result.capture is None
