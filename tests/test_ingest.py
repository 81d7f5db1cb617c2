"""Tests of the import-file readers: JSON Lines (plain and gzip) and WARC."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import tracemalloc
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from provenance.errors import InputError
from provenance.ingest import read_records
from provenance.raw_record import CaptureRef, RawRecord

GOOD = {"url": "https://example.com/a", "html": "<p>Hello</p>"}


def write_jsonl(path: Path, *lines: bytes | dict[str, Any]) -> Path:
    raw = [line if isinstance(line, bytes) else json.dumps(line).encode() for line in lines]
    path.write_bytes(b"".join(line + b"\n" for line in raw))
    return path


def read_all(path: Path, **options: int) -> list[RawRecord | InputError]:
    return list(read_records(path, **options))


def only_error(path: Path, **options: int) -> InputError:
    [item] = read_all(path, **options)
    assert isinstance(item, InputError), item
    assert item.source == str(path)
    return item


def test_good_jsonl_record(tmp_path: Path) -> None:
    record = {
        "url": " https://example.com/news/1?utm_source=x ",
        "html": "<html><p>Story</p></html>",
        "title": "A story",
        "published_at": "2024-05-17T09:30:00+02:00",
        "fetched_at": "2024-05-17T08:00:00",
        "outlet": "Example News",
        "extra": "ignored",
    }
    path = write_jsonl(tmp_path / "in.jsonl", GOOD, record)
    _, second = read_all(path)
    assert isinstance(second, RawRecord)
    assert second.line == 2
    assert second.url == "https://example.com/news/1?utm_source=x"  # as given, not normalised
    assert (second.html, second.text) == ("<html><p>Story</p></html>", None)
    assert (second.title, second.outlet) == ("A story", "Example News")
    assert second.published_at == datetime(2024, 5, 17, 7, 30, tzinfo=UTC)
    assert second.fetched_at == datetime(2024, 5, 17, 8, 0, tzinfo=UTC)  # naive is UTC
    assert (second.content_type, second.http_charset) == (None, None)
    line = json.dumps(record).encode()
    offset = len(json.dumps(GOOD)) + 1
    assert second.capture == CaptureRef(
        str(path), offset, len(line), hashlib.sha256(line).hexdigest()
    )
    assert path.read_bytes()[offset : offset + len(line)] == line


def test_text_record_with_nulls(tmp_path: Path) -> None:
    record = {"url": "http://example.com/", "text": "Plain words.", "title": None}
    [item] = read_all(write_jsonl(tmp_path / "in.jsonl", record | {"published_at": None}))
    assert isinstance(item, RawRecord)
    assert (item.html, item.text, item.title, item.published_at) == (
        None,
        "Plain words.",
        None,
        None,
    )


def test_blank_lines_are_skipped_but_counted(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "in.jsonl", b"", b"   ", GOOD, b"\r")
    [item] = read_all(path)
    assert isinstance(item, RawRecord)
    assert item.line == 3


def test_crlf_and_bom(tmp_path: Path) -> None:
    path = tmp_path / "in.jsonl"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(GOOD).encode() + b"\r\n")
    [item] = read_all(path)
    assert isinstance(item, RawRecord)
    assert item.capture is not None
    assert item.capture.length == len(json.dumps(GOOD)) + 3  # the BOM, not the CRLF


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        (b"{not json", "not valid JSON"),
        (b'["https://example.com/a"]', "JSON array, not an object"),
        (b'"https://example.com/a"', "JSON string, not an object"),
        (b'{"html": "<p>x</p>"}', "url is missing"),
        (b'{"url": "  ", "html": "<p>x</p>"}', "url is empty"),
        (b'{"url": 42, "html": "<p>x</p>"}', "url is a JSON number, not a string"),
        (b'{"url": "ftp://example.com/a", "html": "<p>x</p>"}', "url is not usable"),
        (b'{"url": "example.com/a", "html": "<p>x</p>"}', "url is not usable"),
        (b'{"url": "https://example.com/a", "html": "x", "text": "x"}', "both html and text"),
        (b'{"url": "https://example.com/a", "title": "x"}', "neither html nor text"),
        (b'{"url": "https://example.com/a", "html": ["x"]}', "html must be a string"),
        (b'{"url": "https://example.com/a", "text": " "}', "text is empty"),
        (b'{"url": "https://example.com/a", "text": "x", "title": 1}', "title must be a string"),
        (b'{"url": "https://example.com/a", "text": "x", "outlet": {}}', "outlet must be"),
        (
            b'{"url": "https://example.com/a", "text": "x", "published_at": 1715900000}',
            "published_at must be an ISO 8601 string or null, not a JSON number",
        ),
        (
            b'{"url": "https://example.com/a", "text": "x", "fetched_at": "yesterday"}',
            "fetched_at 'yesterday' is not an ISO 8601 date",
        ),
        (
            b'{"url": "https://example.com/a", "text": "x", "published_at": "2024-13-45"}',
            "is not an ISO 8601 date",
        ),
        (b'{"url": "https://example.com/a", "text": "caf\xe9"}', "not valid UTF-8"),
    ],
)
def test_bad_jsonl_record(tmp_path: Path, line: bytes, reason: str) -> None:
    path = write_jsonl(tmp_path / "in.jsonl", line, GOOD)
    error, good = read_all(path)
    assert isinstance(error, InputError)
    assert reason in error.reason
    assert (error.line, error.source) == (1, str(path))
    assert isinstance(good, RawRecord) and good.line == 2  # reading goes on


def test_body_over_the_limit(tmp_path: Path) -> None:
    body = "é" * 600  # 1200 bytes of UTF-8
    path = write_jsonl(tmp_path / "in.jsonl", {"url": "https://example.com/a", "text": body})
    error = only_error(path, max_body_bytes=1000)
    assert error.reason == "text is 1200 bytes, over the limit of 1000 bytes"
    [item] = read_all(path, max_body_bytes=1200)
    assert isinstance(item, RawRecord)


def test_a_50_mb_line_is_rejected_without_holding_it(tmp_path: Path) -> None:
    path = tmp_path / "big.jsonl"
    with path.open("wb") as out:
        out.write(b'{"url": "https://example.com/big", "html": "')
        chunk = b"<p>" + b"x" * (1024 * 1024 - 3)
        for _ in range(50):
            out.write(chunk)
        out.write(b'"}\n' + json.dumps(GOOD).encode() + b"\n")
    tracemalloc.start()
    try:
        items = read_all(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    error, good = items
    assert isinstance(error, InputError)
    assert error.line == 1
    assert "too long to hold a body within the 10485760-byte limit" in error.reason
    assert isinstance(good, RawRecord)
    assert good.line == 2
    assert (
        good.capture is not None
        and good.capture.offset == path.stat().st_size - len(json.dumps(GOOD)) - 1
    )
    # The longest read is three times the body limit (for JSON escapes), not the line.
    assert peak < 40 * 1024 * 1024


def test_gzip_jsonl(tmp_path: Path) -> None:
    path = tmp_path / "in.jsonl.gz"
    lines = [json.dumps(GOOD).encode(), b"[]", json.dumps(GOOD | {"text": None}).encode()]
    path.write_bytes(gzip.compress(b"\n".join(lines)))  # no final newline
    good, error, last = read_all(path)
    assert isinstance(good, RawRecord) and good.line == 1
    assert isinstance(error, InputError) and error.line == 2
    assert isinstance(last, RawRecord) and last.line == 3
    assert last.capture is not None
    assert last.capture.offset == len(lines[0]) + len(lines[1]) + 2  # decompressed offset


def test_truncated_gzip_jsonl(tmp_path: Path) -> None:
    path = tmp_path / "in.jsonl.gz"
    data = gzip.compress(b"".join(json.dumps(GOOD).encode() + b"\n" for _ in range(2000)))
    path.write_bytes(data[: len(data) // 2])
    items = read_all(path)
    *records, error = items
    assert records and all(isinstance(item, RawRecord) for item in records)
    assert isinstance(error, InputError)
    assert "truncated or corrupt" in error.reason


def test_missing_file_raises(tmp_path: Path) -> None:
    with pytest.raises(InputError) as caught:
        read_records(tmp_path / "absent.jsonl")
    assert caught.value.line is None
    assert caught.value.source == str(tmp_path / "absent.jsonl")
    with pytest.raises(InputError, match="cannot read"):
        read_records(tmp_path)


def test_unknown_file_type_raises(tmp_path: Path) -> None:
    path = tmp_path / "in.csv"
    path.write_text("url,html\n")
    with pytest.raises(InputError, match="unknown file type"):
        read_records(path)


def test_limit_must_be_positive(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="positive"):
        read_records(write_jsonl(tmp_path / "in.jsonl", GOOD), max_body_bytes=0)


# -- WARC --------------------------------------------------------------------------------

PLAIN = b"<html><head><title>Plain</title></head><body><p>caf\xc3\xa9</p></body></html>"
LEGACY = b'<html><head><meta charset="iso-8859-1"></head><body>caf\xe9 \x93q\x94</body></html>'
WARC_DATE = "2024-05-17T10:00:00Z"


def _response(
    writer: WARCWriter,
    url: str,
    body: bytes,
    *,
    status: str = "200 OK",
    content_type: str = "text/html; charset=utf-8",
    encoding: str | None = None,
) -> None:
    payload = gzip.compress(body) if encoding == "gzip" else body
    headers = [("Content-Type", content_type), ("Content-Length", str(len(payload)))]
    if encoding:
        headers.append(("Content-Encoding", encoding))
    http = StatusAndHeaders(status, headers, protocol="HTTP/1.1")
    record = writer.create_warc_record(
        url,
        "response",
        payload=io.BytesIO(payload),
        length=len(payload),  # a known length spares warcio an unclosed spool file
        http_headers=http,
        warc_headers_dict={"WARC-Date": WARC_DATE},
    )
    writer.write_record(record)


def _request(writer: WARCWriter, url: str) -> None:
    http = StatusAndHeaders("GET / HTTP/1.1", [("Host", "example.com")], is_http_request=True)
    record = writer.create_warc_record(
        url, "request", payload=io.BytesIO(b""), length=0, http_headers=http
    )
    writer.write_record(record)


def write_warc(path: Path, *, compress: bool) -> Path:
    with path.open("wb") as out:
        writer = WARCWriter(out, gzip=compress)
        writer.write_record(writer.create_warcinfo_record(path.name, {"software": "tests"}))
        _request(writer, "https://example.com/plain")
        _response(writer, "https://example.com/plain", PLAIN)
        _response(writer, "https://example.com/gz", PLAIN.replace(b"Plain", b"Gz"), encoding="gzip")
        _response(writer, "https://example.com/missing", b"not found", status="404 Not Found")
        _response(writer, "https://example.com/a.pdf", b"%PDF-1.4", content_type="application/pdf")
        _response(writer, "https://example.com/legacy", LEGACY, content_type="text/html")
    return path


@pytest.mark.parametrize("name", ["in.warc", "in.warc.gz"])
def test_warc_responses(tmp_path: Path, name: str) -> None:
    path = write_warc(tmp_path / name, compress=name.endswith(".gz"))
    items = read_all(path)
    assert [type(item).__name__ for item in items] == [
        "RawRecord",
        "RawRecord",
        "InputError",
        "InputError",
        "RawRecord",
    ]
    plain, gz, missing, pdf, legacy = items
    assert isinstance(plain, RawRecord) and isinstance(gz, RawRecord)
    assert isinstance(legacy, RawRecord)
    assert (plain.line, plain.url, plain.text) == (3, "https://example.com/plain", None)
    assert plain.html == PLAIN.decode()
    assert gz.html == PLAIN.decode().replace("Plain", "Gz")  # Content-Encoding undone
    assert plain.fetched_at == datetime(2024, 5, 17, 10, tzinfo=UTC)
    assert (plain.content_type, plain.http_charset) == ("text/html", "utf-8")
    # No header charset: the meta tag's latin-1 is read as the web reads it, cp1252.
    assert (legacy.http_charset, legacy.html) == (None, LEGACY.decode("cp1252"))
    assert "café \u201cq\u201d" in (legacy.html or "")
    assert isinstance(missing, InputError) and isinstance(pdf, InputError)
    assert (missing.line, pdf.line) == (5, 6)
    assert "HTTP status 404" in missing.reason
    assert "application/pdf is not HTML" in pdf.reason


@pytest.mark.parametrize("name", ["in.warc", "in.warc.gz"])
def test_warc_capture_points_at_the_record(tmp_path: Path, name: str) -> None:
    path = write_warc(tmp_path / name, compress=name.endswith(".gz"))
    records = [item for item in read_all(path) if isinstance(item, RawRecord)]
    data = path.read_bytes()
    for record in records:
        capture = record.capture
        assert capture is not None and capture.path == str(path)
        chunk = data[capture.offset : capture.offset + capture.length]
        stored = [
            (item.rec_headers.get_header("WARC-Target-URI"), item.content_stream().read())
            for item in ArchiveIterator(io.BytesIO(chunk))
        ]
        [(url, body)] = stored
        assert url == record.url
        assert hashlib.sha256(body).hexdigest() == capture.sha256


def test_warc_body_over_the_limit(tmp_path: Path) -> None:
    path = write_warc(tmp_path / "in.warc.gz", compress=True)
    items = read_all(path, max_body_bytes=20)
    errors = [item for item in items if isinstance(item, InputError)]
    assert [error.line for error in errors] == [3, 4, 5, 6, 7]
    assert "body is over the limit" in errors[0].reason


@pytest.mark.parametrize("name", ["in.warc", "in.warc.gz"])
def test_truncated_warc_keeps_what_was_read(tmp_path: Path, name: str) -> None:
    whole = write_warc(tmp_path / f"whole-{name}", compress=name.endswith(".gz"))
    data = whole.read_bytes()
    path = tmp_path / name
    path.write_bytes(data[: len(data) - 40])  # cut inside the last record
    *items, error = read_all(path)
    assert [type(item).__name__ for item in items] == [
        "RawRecord",
        "RawRecord",
        "InputError",
        "InputError",
    ]
    assert isinstance(error, InputError)
    assert "truncated" in error.reason
    assert error.line == 7


def test_garbage_is_not_an_archive(tmp_path: Path) -> None:
    path = tmp_path / "in.warc"
    path.write_bytes(b"this is not a WARC file\n" * 3)
    error = only_error(path)
    assert "truncated or corrupt" in error.reason
    assert error.line == 1


@pytest.mark.parametrize(
    ("body", "content_type", "expected"),
    [
        # A byte-order mark beats the header.
        (b"\xef\xbb\xbf<p>caf\xc3\xa9</p>", "text/html; charset=iso-8859-1", "<p>café</p>"),
        # The header beats the meta tag.
        (b'<meta charset="utf-8"><p>caf\xe9</p>', "text/html; charset=cp1252", "café"),
        # An unknown header charset falls through to the meta tag.
        (b'<meta charset="koi8-r"><p>\xc1</p>', 'text/html; charset="no-such"', "\u0430"),
        # A meta tag cannot declare UTF-16 (it was readable as ASCII); UTF-8 it is.
        (b'<meta charset="utf-16"><p>caf\xc3\xa9</p>', "application/xhtml+xml", "café"),
        # Nothing declared: UTF-8, with bad bytes replaced rather than failing.
        (b"<p>caf\xc3\xa9 \xff</p>", "text/html", "café \ufffd"),
    ],
)
def test_warc_html_decoding(tmp_path: Path, body: bytes, content_type: str, expected: str) -> None:
    path = tmp_path / "one.warc"
    with path.open("wb") as out:
        _response(
            WARCWriter(out, gzip=False), "https://example.com/", body, content_type=content_type
        )
    [item] = read_all(path)
    assert isinstance(item, RawRecord)
    assert item.html is not None and expected in item.html
    assert not item.html.startswith("\ufeff")


def test_warc_with_junk_after_the_records(tmp_path: Path) -> None:
    path = write_warc(tmp_path / "in.warc.gz", compress=True)
    with path.open("ab") as out:
        out.write(b"\x00junk that is no gzip member")
    *items, error = read_all(path)
    assert len(items) == 5
    assert isinstance(error, InputError)
    assert "truncated or corrupt" in error.reason


def test_warc_truncated_capture_is_not_an_article(tmp_path: Path) -> None:
    path = tmp_path / "cut.warc.gz"
    body = b"<html><body><p>" + b"x " * 500 + b"</p></body></html>"
    with path.open("wb") as out:
        writer = WARCWriter(out, gzip=True)
        http = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1")
        record = writer.create_warc_record(
            "https://cut.test/page",
            "response",
            payload=io.BytesIO(body),
            length=len(body),
            http_headers=http,
            warc_headers_dict={"WARC-Date": WARC_DATE, "WARC-Truncated": "length"},
        )
        writer.write_record(record)
        _response(writer, "https://whole.test/page", b"<html><body><p>whole</p></body></html>")
    items = read_all(path)
    assert isinstance(items[0], InputError) and "truncated (length)" in items[0].reason
    assert isinstance(items[1], RawRecord) and items[1].url == "https://whole.test/page"
