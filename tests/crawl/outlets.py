"""A small news web on loopback: outlets that copy each other, and hostile ones beside them.

Good outlets, each on its own 127.0.0.x address:

* **Wire Service** (the origin): RSS 2.0 feed linked from its home page, a news
  sitemap named in robots.txt, two stories (flood, election) with JSON-LD dates.
* **Daily Courier**: Atom feed; copies the flood story with a "Source: Wire
  Service" line, a canonical link to the original and a later date.
* **Metro Herald**: no feed link at all, only a sitemap index in robots.txt whose
  child sitemap lists its copy of the flood story, which copies the origin's date.
* **Evening Post**: RSS 1.0 feed; copies the election story.
* **Coast Gazette**: RSS 2.0 feed in windows-1252; its own harbour story and a
  copy of the election story ("Originally published by Wire Service").

Hostile outlets: one whose feed lists a gzip bomb beside a good page, one whose
feed lists a redirect loop beside a good page, one whose robots.txt answers 500,
and one whose feed is a billion-laughs document.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import zlib
from dataclasses import dataclass, field

from tests.fetch.web import Request, Site, Web, respond, response_bytes

FLOOD = [
    "Heavy rain overnight pushed the river above its banks in the lower town, forcing "
    "the evacuation of two hundred homes and closing the old stone bridge to traffic.",
    "Emergency crews worked through the night to fill sandbags along the embankment "
    "while volunteers opened the school gymnasium as a shelter for displaced families.",
    "The regional water authority said the level peaked just after four in the morning "
    "at nearly three metres above normal, the highest reading since records began.",
    "Farmers in the valley reported flooded fields and drowned crops, and several "
    "roads leading to the northern villages remain impassable this afternoon.",
    "The mayor promised compensation for damaged businesses and asked residents to "
    "avoid the riverside paths until engineers have inspected the retaining walls.",
    "Forecasters expect the rain to ease by Thursday, although another band of "
    "showers could bring fresh problems to the catchment over the weekend.",
]
ELECTION = [
    "Voters in the coastal district returned the independent candidate with a narrow "
    "majority after a recount that stretched late into Sunday evening at the town hall.",
    "Turnout reached sixty-eight percent, well above the previous contest, as queues "
    "formed outside polling stations in the fishing villages before they even opened.",
    "The winning candidate campaigned on harbour repairs, a new ferry timetable and a "
    "promise to keep the small maternity unit at the district hospital open.",
    "Her main rival conceded shortly before midnight and called for calm after a "
    "campaign marked by heated debates over housing and the future of the port.",
    "Election officials said the recount confirmed a margin of just over three "
    "hundred votes and that no formal complaint had been lodged by either side.",
    "The new council will meet for the first time next month to elect a chair and "
    "to agree a budget for the coming year under tight financial constraints.",
]
HARBOUR = [
    "The old lighthouse keeper's cottage on the harbour wall has been restored by a "
    "group of retired boat builders who spent three winters on the project.",
    "They replaced the rotten window frames with oak from a local sawmill, rebuilt the "
    "chimney stone by stone and repainted the walls in their original lime wash.",
    "The cottage will open to visitors in June as a small museum of the fishing fleet, "
    "with photographs, nets and a model of the last sailing trawler built in the town.",
    "Entry will be free, and the volunteers hope donations will pay for the next task: "
    "repairing the slipway where the lifeboat was launched for almost a century.",
]
FINE = [
    "A community orchard planted ten years ago on a former car park produced its first "
    "large harvest this autumn, with more than two tonnes of apples and pears picked.",
    "Volunteers pressed most of the fruit into juice, which was sold at the weekly "
    "market to raise money for new trees and a shed for the orchard's tools.",
    "The organisers now plan a second orchard beside the railway station and are "
    "looking for local families willing to adopt and prune a tree each winter.",
]
LIBRARY = [
    "The central library reopened on Monday after an eighteen-month renovation that "
    "added a children's wing, a rooftop reading garden and a small recording studio.",
    "Librarians said more than a thousand people came through the doors on the first "
    "day, many of them signing up for cards and borrowing books for the first time.",
    "The studio can be booked free of charge by local musicians and podcasters, and "
    "staff will run introductory sessions on sound recording every Saturday morning.",
]


def article(
    outlet: str,
    title: str,
    body: list[str],
    *,
    published: str,
    canonical: str | None = None,
    source: str | None = None,
) -> str:
    """An article page in the outlet's own template, with JSON-LD and boilerplate."""
    ld = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": title,
        "datePublished": published,
        "publisher": {"@type": "Organization", "name": outlet},
    }
    link = f'<link rel="canonical" href="{canonical}">' if canonical else ""
    paragraphs = "".join(f"<p>{p}</p>" for p in body)
    credit = f"<p>{source}</p>" if source else ""
    return (
        f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>{title}</title>"
        f"<meta property='og:site_name' content='{outlet}'>{link}"
        f"<script type='application/ld+json'>{json.dumps(ld)}</script></head><body>"
        f"<nav><a href='/'>Home</a> <a href='/news'>News</a> <a href='/sport'>Sport</a></nav>"
        f"<article><h1>{title}</h1>{paragraphs}{credit}</article>"
        f"<footer><p>Copyright {outlet}. All rights reserved. Contact the newsroom.</p>"
        f"</footer></body></html>"
    )


def home(outlet: str, feeds: list[tuple[str, str]]) -> str:
    links = "".join(f'<link rel="alternate" type="{kind}" href="{href}">' for kind, href in feeds)
    return f"<html><head><title>{outlet}</title>{links}</head><body><h1>{outlet}</h1></body></html>"


@dataclass
class Doc:
    """A document whose content can change, served with ETag and Last-Modified."""

    body: bytes
    content_type: str
    validators: bool = True
    version: int = 1
    hits: list[Request] = field(default_factory=list)

    def set(self, body: str | bytes) -> None:
        self.body = body.encode("utf-8") if isinstance(body, str) else body
        self.version += 1

    @property
    def etag(self) -> str:
        return '"' + hashlib.sha256(self.body).hexdigest()[:16] + '"'

    @property
    def last_modified(self) -> str:
        return f"Fri, 17 May 2024 12:{self.version % 60:02d}:00 GMT"

    async def handler(self, request: Request, writer: asyncio.StreamWriter) -> None:
        self.hits.append(request)
        headers = [("Content-Type", self.content_type)]
        if self.validators:
            headers += [("ETag", self.etag), ("Last-Modified", self.last_modified)]
            if request.headers.get("if-none-match") == self.etag:
                writer.write(response_bytes(304, headers[1:]))
                await writer.drain()
                return
        writer.write(response_bytes(200, headers, self.body))
        await writer.drain()


@dataclass
class Outlet:
    """One site of the fixture web and its documents by path."""

    name: str
    site: Site
    hostname: str | None = None  # a name mapped to the site's address, as /etc/hosts would
    docs: dict[str, Doc] = field(default_factory=dict)

    def serve(
        self,
        path: str,
        body: str | bytes,
        content_type: str = "text/html; charset=utf-8",
        *,
        validators: bool = True,
    ) -> str:
        data = body.encode("utf-8") if isinstance(body, str) else body
        doc = Doc(data, content_type, validators)
        self.docs[path] = doc
        self.site.route(path, doc.handler)
        return self.url(path)

    def url(self, path: str = "/") -> str:
        return f"http://{self.hostname or self.site.host}:{self.site.port}{path}"

    def paths(self) -> list[str]:
        return self.site.paths()


def _rss(outlet: Outlet, items: list[tuple[str, str, str]], encoding: str = "utf-8") -> str:
    entries = "".join(
        f"<item><title>{t}</title><link>{outlet.url(p)}</link><pubDate>{d}</pubDate></item>"
        for t, p, d in items
    )
    return (
        f'<?xml version="1.0" encoding="{encoding}"?><rss version="2.0"><channel>'
        f"<title>{outlet.name}</title><link>{outlet.url()}</link>{entries}</channel></rss>"
    )


@dataclass
class NewsWeb:
    """The outlets of the fixture web, by role."""

    wire: Outlet
    courier: Outlet
    metro: Outlet
    post: Outlet
    gazette: Outlet
    bomb: Outlet
    loop: Outlet
    robots500: Outlet
    laughs: Outlet

    @property
    def good(self) -> list[Outlet]:
        return [self.wire, self.courier, self.metro, self.post, self.gazette]

    @property
    def hostile(self) -> list[Outlet]:
        return [self.bomb, self.loop, self.robots500, self.laughs]


def build(web: Web, hosts: list[str], names: list[str] | None = None) -> NewsWeb:
    """Start the outlets on ``hosts`` (nine loopback addresses) and fill them.

    With ``names``, each outlet's pages link to it by that host name instead of
    its address; the crawler then needs a resolver that maps the names.
    """
    outlet_names = [
        "Wire Service",
        "Daily Courier",
        "Metro Herald",
        "Evening Post",
        "Coast Gazette",
        "Bomb Site",
        "Loop Site",
        "Broken Robots",
        "Laughing Feeds",
    ]
    hostnames = names or [None] * len(hosts)
    outlets = [
        Outlet(name, web.site(host), hostname)
        for name, host, hostname in zip(outlet_names, hosts, hostnames, strict=True)
    ]
    news = NewsWeb(*outlets)
    for outlet in (news.wire, news.courier, news.post, news.gazette, news.bomb, news.loop):
        outlet.serve("/robots.txt", "User-agent: *\nDisallow: /private/\n", "text/plain")
    _wire(news.wire)
    _courier(news.courier, news.wire)
    _metro(news.metro, news.wire)
    _post(news.post, news.wire)
    _gazette(news.gazette, news.wire)
    _hostile(news)
    return news


def _wire(wire: Outlet) -> None:
    rss = "application/rss+xml"
    wire.serve("/", home("Wire Service", [(rss, "/rss.xml")]))
    wire.serve(
        "/robots.txt",
        f"User-agent: *\nAllow: /\nSitemap: {wire.url('/news-sitemap.xml')}\n",
        "text/plain",
    )
    wire.serve(
        "/2024/05/17/flood.html",
        article("Wire Service", "River floods lower town", FLOOD, published="2024-05-17T08:00:00Z"),
    )
    wire.serve(
        "/2024/05/19/election.html",
        article(
            "Wire Service", "Independent wins recount", ELECTION, published="2024-05-19T22:00:00Z"
        ),
    )
    wire.serve(
        "/rss.xml",
        _rss(
            wire,
            [
                (
                    "River floods lower town",
                    "/2024/05/17/flood.html",
                    "Fri, 17 May 2024 08:00:00 GMT",
                ),
                (
                    "Independent wins recount",
                    "/2024/05/19/election.html",
                    "Sun, 19 May 2024 22:00:00 GMT",
                ),
            ],
        ),
        rss,
    )
    wire.serve(
        "/news-sitemap.xml",
        (
            '<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'
            ' xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">'
            f"<url><loc>{wire.url('/2024/05/17/flood.html')}</loc><news:news>"
            # Two minutes before the feed says: both claims are kept, each with its source.
            "<news:publication_date>2024-05-17T07:58:00Z</news:publication_date></news:news></url>"
            "</urlset>"
        ),
        "application/xml",
        validators=False,
    )


def _courier(courier: Outlet, wire: Outlet) -> None:
    courier.serve("/", home("Daily Courier", [("application/atom+xml", "/atom.xml")]))
    courier.serve(
        "/news/flood-copy.html",
        article(
            "Daily Courier",
            "Flooding in the lower town",
            FLOOD,
            published="2024-05-17T10:30:00Z",
            canonical=wire.url("/2024/05/17/flood.html"),
            source="Source: Wire Service",
        ),
    )
    courier.serve(
        "/atom.xml",
        (
            '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
            "<title>Daily Courier</title><id>urn:courier</id>"
            "<updated>2024-05-17T10:30:00Z</updated>"
            f"<entry><title>Flooding</title><id>urn:courier:1</id>"
            f'<link rel="alternate" href="{courier.url("/news/flood-copy.html")}"/>'
            "<published>2024-05-17T10:30:00Z</published><updated>2024-05-17T10:30:00Z</updated>"
            "</entry></feed>"
        ),
        "application/atom+xml",
    )


def _metro(metro: Outlet, wire: Outlet) -> None:
    metro.serve("/", home("Metro Herald", []))
    metro.serve(
        "/robots.txt", f"User-agent: *\nSitemap: {metro.url('/sitemap_index.xml')}\n", "text/plain"
    )
    metro.serve(
        "/city/river.html",
        article(
            "Metro Herald",
            "River bursts its banks",
            FLOOD[:5],
            published="2024-05-17T08:00:00Z",
            source="Source: Wire Service",
        ),
    )
    metro.serve(
        "/sitemap_index.xml",
        (
            '<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            f"<sitemap><loc>{metro.url('/sitemap-2024-05.xml')}</loc><lastmod>2024-05-17</lastmod></sitemap>"
            "</sitemapindex>"
        ),
        "application/xml",
    )
    set_metro_sitemap(metro, "2024-05-17T09:00:00Z")


def set_metro_sitemap(metro: Outlet, lastmod: str) -> None:
    """(Re)write the Metro child sitemap with ``lastmod`` for its one article."""
    body = (
        '<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        f"<url><loc>{metro.url('/city/river.html')}</loc><lastmod>{lastmod}</lastmod></url>"
        "</urlset>"
    )
    if "/sitemap-2024-05.xml" in metro.docs:
        metro.docs["/sitemap-2024-05.xml"].set(body)
    else:
        metro.serve("/sitemap-2024-05.xml", body, "application/xml")


def _post(post: Outlet, wire: Outlet) -> None:
    post.serve("/", home("Evening Post", [("application/rss+xml", "/rdf")]))
    post.serve(
        "/politics/recount.html",
        article(
            "Evening Post",
            "Recount decides coastal seat",
            ELECTION,
            published="2024-05-20T06:00:00Z",
            source="Source: Wire Service",
        ),
    )
    post.serve(
        "/rdf",
        (
            '<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"'
            ' xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">'
            f'<channel rdf:about="{post.url()}"><title>Evening Post</title>'
            f"<link>{post.url()}</link></channel>"
            f'<item rdf:about="{post.url("/politics/recount.html")}"><title>Recount</title>'
            f"<link>{post.url('/politics/recount.html')}</link><dc:date>2024-05-20T06:00:00Z</dc:date></item>"
            "</rdf:RDF>"
        ),
        "application/rdf+xml",
    )


def _gazette(gazette: Outlet, wire: Outlet) -> None:
    gazette.serve("/", home("Coast Gazette", [("application/rss+xml", "/feed")]))
    gazette.serve(
        "/harbour.html",
        article(
            "Coast Gazette",
            "Lighthouse cottage restored",
            HARBOUR,
            published="2024-05-18T09:00:00Z",
        ).encode("cp1252"),
        "text/html; charset=windows-1252",
    )
    gazette.serve(
        "/election.html",
        article(
            "Coast Gazette",
            "Recount: the independent’s night",
            ELECTION[:4] + ELECTION[5:],
            published="2024-05-20T09:00:00Z",
            source="Originally published by Wire Service",
        ),
    )
    feed = _rss(
        gazette,
        [
            ("Lighthouse cottage – restored", "/harbour.html", "Sat, 18 May 2024 09:00:00 GMT"),
            ("Recount", "/election.html", "Mon, 20 May 2024 09:00:00 GMT"),
        ],
        encoding="windows-1252",
    )
    gazette.serve("/feed", feed.encode("cp1252"), "application/rss+xml; charset=windows-1252")


def gzip_bomb(size: int = 64 * 1024 * 1024) -> bytes:
    """``size`` zero bytes, gzip-compressed (about a thousandth of that on the wire)."""
    packer = zlib.compressobj(9, zlib.DEFLATED, zlib.MAX_WBITS | 16)
    chunk = b"\0" * (1024 * 1024)
    return b"".join(packer.compress(chunk) for _ in range(size // len(chunk))) + packer.flush()


def _hostile(news: NewsWeb) -> None:
    bomb, loop = news.bomb, news.loop
    bomb.serve("/", home("Bomb Site", [("application/rss+xml", "/rss.xml")]))
    bomb.site.route("/bomb.html", respond(200, gzip_bomb(), headers=[("Content-Encoding", "gzip")]))
    bomb.serve(
        "/fine.html",
        article("Bomb Site", "Orchard harvest", FINE, published="2024-05-18T07:00:00Z"),
    )
    bomb.serve(
        "/rss.xml",
        _rss(
            bomb,
            [
                ("Bomb", "/bomb.html", "Sat, 18 May 2024 06:00:00 GMT"),
                ("Orchard", "/fine.html", "Sat, 18 May 2024 07:00:00 GMT"),
            ],
        ),
        "application/rss+xml",
    )
    loop.serve("/", home("Loop Site", [("application/rss+xml", "/rss.xml")]))
    loop.site.route("/loop-a", respond(302, headers=[("Location", "/loop-b")]))
    loop.site.route("/loop-b", respond(302, headers=[("Location", loop.url("/loop-a"))]))
    loop.serve(
        "/library.html",
        article("Loop Site", "Library reopens", LIBRARY, published="2024-05-18T08:00:00Z"),
    )
    loop.serve(
        "/rss.xml",
        _rss(
            loop,
            [
                ("Loop", "/loop-a", "Sat, 18 May 2024 06:00:00 GMT"),
                ("Library", "/library.html", "Sat, 18 May 2024 08:00:00 GMT"),
            ],
        ),
        "application/rss+xml",
    )
    robots = news.robots500
    robots.site.route("/robots.txt", respond(500, "<html>oops</html>"))
    robots.serve("/", home("Broken Robots", [("application/rss+xml", "/rss.xml")]))
    robots.serve(
        "/rss.xml",
        _rss(robots, [("Hidden", "/hidden.html", "Sat, 18 May 2024 06:00:00 GMT")]),
        "application/rss+xml",
    )
    robots.serve("/hidden.html", article("Broken Robots", "Hidden", FINE, published="2024-05-18"))
    laughs = news.laughs
    laughs.serve("/robots.txt", "User-agent: *\n", "text/plain")
    lol = "".join(f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10}">' for i in range(1, 10))
    laughs.serve(
        "/rss.xml",
        (
            f'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY lol0 "lol">{lol}'
            '<!ENTITY xxe SYSTEM "file:///etc/passwd">]><rss version="2.0"><channel>'
            "<title>&lol9;</title><item><title>&xxe;</title><link>&lol9;</link></item>"
            "</channel></rss>"
        ),
        "application/rss+xml",
    )
