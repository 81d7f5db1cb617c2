"""The one settings object, read from the environment (``PROVENANCE_*``) or ``.env``.

Only the edges (CLI, storage set-up, worker, API) read settings; the core takes
explicit parameters.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import platformdirs
from pydantic import Field, model_validator
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
    """

    model_config = SettingsConfigDict(env_prefix="PROVENANCE_", env_file=".env", extra="ignore")

    data_dir: Path = Field(default_factory=_default_data_dir)
    database_url: str = ""
    broker_url: str | None = None
    max_body_bytes: int = Field(default=10 * 1024 * 1024, gt=0)
    ingest_chunk: int = Field(default=500, gt=0)

    @model_validator(mode="after")
    def _default_database(self) -> Settings:
        if not self.database_url:
            self.database_url = f"sqlite:///{self.data_dir / 'provenance.sqlite'}"
        return self


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process's settings, read once."""
    return Settings()
