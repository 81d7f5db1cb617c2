"""The one settings object, read from the environment (``PROVENANCE_*``) or ``.env``.

Only the edges (CLI, storage set-up, worker, API) read settings; the core takes
explicit parameters.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache
from pathlib import Path

import platformdirs
from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["Settings", "get_settings"]


def _default_data_dir() -> Path:
    return Path(platformdirs.user_data_dir("provenance", appauthor=False))


class Settings(BaseSettings):
    """Every setting of the service, typed, with its default.

    Attributes:
        data_dir: Where the embedded database and archives live.
        database_url: SQLAlchemy URL; default a SQLite file in ``data_dir``.
        broker_url: Celery broker; unset means embedded, in-process work.
        max_body_bytes: Largest body accepted from an import or a fetch.
        ingest_chunk: Records extracted together before matching, so that an
            outlet's boilerplate is learned from the whole chunk first.
        contact_url: Where an outlet's operator can reach whoever runs the crawler;
            it goes into the User-Agent.
        user_agent: A full User-Agent to send instead of the default one.
        host_delay: Least seconds between two requests to one host (0 for local tests).
        allow_networks: Comma-separated CIDRs the crawler may connect to although they
            are not public (loopback, RFC 1918, ...); empty by default.
        fetch_deadline: Wall-clock seconds one HTTP exchange may take, body included.
        fetch_connect_timeout: Seconds to wait for a TCP/TLS connection.
        fetch_read_timeout: Seconds to wait for each read from the server.
        fetch_max_decoded_bytes: Largest body after undoing its Content-Encoding.
        fetch_max_redirects: Redirects followed before a fetch gives up.
        fetch_max_retries: Retries of a 408, 429, 5xx or a failed connection.
        crawl_delay_cap: Longest robots.txt Crawl-delay or Retry-After honoured, in seconds.
        robots_ttl: Seconds a robots.txt is cached (RFC 9309: at most 24 hours).
        http2: Offer HTTP/2 (over TLS, by ALPN) as well as HTTP/1.1.
        warc_dir: Where fetched responses are archived; default ``data_dir/warc``.
        warc_max_file_bytes: Size at which a new WARC file is started.
        poll_min_interval: Shortest wait between two polls of one feed, in seconds.
        poll_max_interval: Longest wait between two polls of one feed, in seconds.
        poll_initial_interval: Wait after a new feed's first poll, in seconds.
        crawl_concurrency: Fetches in flight at once across all hosts (each host
            still gets one at a time, with its delay).
        crawl_max_new_per_feed: Most new articles fetched from one feed per poll;
            the rest wait for the next poll.
        crawl_max_attempts: Fetches of a URL that keeps failing for a reason that
            may pass (timeouts, 5xx) before the crawler gives it up.
        sitemap_index_children: Child sitemaps of an index that are polled, the
            most recently modified first (news sites index years of archives).
        api_anonymous_read: Let callers without a token read (GET) the API and page;
            submissions and token-only routes still need a token.
        api_rate_limit_per_minute: Submissions (POST) one token, or one client
            address when anonymous, may make per minute.
        api_max_body_bytes: Largest request body the API accepts.
        api_page_size_max: Largest ``limit`` a paginated API list accepts.
        task_time_limit, task_soft_time_limit, broker_visibility_timeout,
        worker_soft_shutdown_timeout, process_batch, crawl_interval,
        reconcile_interval, reconcile_grace, reconcile_queue_grace: Distributed mode
            (see their comments).
    """

    model_config = SettingsConfigDict(env_prefix="PROVENANCE_", env_file=".env", extra="ignore")

    data_dir: Path = Field(default_factory=_default_data_dir)
    database_url: str = ""
    broker_url: str | None = None
    max_body_bytes: int = Field(default=10 * 1024 * 1024, gt=0)
    ingest_chunk: int = Field(default=500, gt=0)
    contact_url: str = ""
    user_agent: str = ""
    host_delay: float = Field(default=3.0, ge=0)
    allow_networks: str = ""
    fetch_deadline: float = Field(default=30.0, gt=0)
    fetch_connect_timeout: float = Field(default=10.0, gt=0)
    fetch_read_timeout: float = Field(default=20.0, gt=0)
    fetch_max_decoded_bytes: int = Field(default=20 * 1024 * 1024, gt=0)
    fetch_max_redirects: int = Field(default=5, ge=0)
    fetch_max_retries: int = Field(default=3, ge=0)
    crawl_delay_cap: float = Field(default=60.0, ge=0)
    robots_ttl: float = Field(default=86400.0, gt=0, le=86400.0)
    http2: bool = True
    warc_dir: Path | None = None
    warc_max_file_bytes: int = Field(default=1 << 30, gt=0)
    # -- crawl scheduling and discovery
    poll_min_interval: float = Field(default=300.0, gt=0)
    poll_max_interval: float = Field(default=86_400.0, gt=0)
    poll_initial_interval: float = Field(default=3_600.0, gt=0)
    crawl_concurrency: int = Field(default=16, gt=0)
    crawl_max_new_per_feed: int = Field(default=200, gt=0)
    crawl_max_attempts: int = Field(default=3, gt=0)
    sitemap_index_children: int = Field(default=20, gt=0)
    # -- API and web page (issue 6)
    api_anonymous_read: bool = False
    api_rate_limit_per_minute: int = Field(default=30, gt=0)
    api_max_body_bytes: int = Field(default=1024 * 1024, gt=0)
    api_page_size_max: int = Field(default=200, gt=0)

    @field_validator("allow_networks")
    @classmethod
    def _check_networks(cls, value: str) -> str:
        for cidr in filter(None, (part.strip() for part in value.split(","))):
            try:
                ipaddress.ip_network(cidr, strict=False)
            except ValueError as exc:
                raise ValueError(f"allow_networks: {cidr!r} is not a CIDR network") from exc
        return value

    @model_validator(mode="after")
    def _default_database(self) -> Settings:
        if not self.database_url:
            self.database_url = f"sqlite:///{self.data_dir / 'provenance.sqlite'}"
        return self

    @model_validator(mode="after")
    def _check_poll_bounds(self) -> Settings:
        if self.poll_max_interval < self.poll_min_interval:
            raise ValueError(
                f"poll_max_interval ({self.poll_max_interval}) is below"
                f" poll_min_interval ({self.poll_min_interval})"
            )
        return self

    @model_validator(mode="after")
    def _default_warc_dir(self) -> Settings:
        if self.warc_dir is None:
            self.warc_dir = self.data_dir / "warc"
        return self

    # -- distributed mode (issue 5): the Celery workers, their limits and the reconciler
    #: Hard limit of every task, in seconds: a task still running is killed then.
    task_time_limit: float = Field(default=300.0, gt=0)
    #: Soft limit (raises inside the task, so it can roll back cleanly first).
    task_soft_time_limit: float = Field(default=270.0, gt=0)
    #: Seconds Redis waits for an ack before redelivering; must exceed every hard limit.
    broker_visibility_timeout: float = Field(default=3600.0, gt=0)
    #: Seconds a warm shutdown gives running tasks before they are handed back.
    worker_soft_shutdown_timeout: float = Field(default=60.0, ge=0)
    #: Staged records handed to one ``process`` task.
    process_batch: int = Field(default=20, gt=0)
    #: Seconds between beat's polls of due feeds and sitemaps.
    crawl_interval: float = Field(default=60.0, gt=0)
    #: Seconds between reconciler runs.
    reconcile_interval: float = Field(default=60.0, gt=0)
    #: Seconds after its claim at which an unfinished item counts as abandoned
    #: (above task_time_limit: by then the task that claimed it is dead).
    reconcile_grace: float = Field(default=600.0, gt=0)
    #: Seconds an item may wait in the queue unclaimed before it counts as lost.
    reconcile_queue_grace: float = Field(default=3600.0, gt=0)

    @model_validator(mode="after")
    def _check_task_limits(self) -> Settings:
        # Redis redelivers an unacked task after the visibility timeout: one still
        # running then would run twice at once.
        if self.broker_visibility_timeout <= self.task_time_limit:
            raise ValueError(
                f"broker_visibility_timeout ({self.broker_visibility_timeout}) must exceed"
                f" task_time_limit ({self.task_time_limit})"
            )
        if self.task_soft_time_limit >= self.task_time_limit:
            raise ValueError("task_soft_time_limit must be below task_time_limit")
        # A claim younger than the hard limit may belong to a task still running.
        if self.reconcile_grace <= self.task_time_limit:
            raise ValueError("reconcile_grace must exceed task_time_limit")
        return self


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process's settings, read once."""
    return Settings()
