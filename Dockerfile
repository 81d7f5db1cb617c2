# One image for the api, worker, beat and migrate services; docker-compose.yml
# picks the command. Entry points: `provenance` (the CLI) and `celery`.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PROVENANCE_DATA_DIR=/data \
    NUMBA_CACHE_DIR=/tmp/numba-cache
# NUMBA_CACHE_DIR: the compiled fingerprint kernels are cached on disk; the
# installed package is not writable by the unprivileged user, /tmp is.

WORKDIR /app

# The package list changes less often than the code: install in two steps so a
# code change does not reinstall every dependency.
COPY pyproject.toml README.md* ./
RUN mkdir -p provenance worker \
    && touch provenance/__init__.py worker/__init__.py \
    && pip install . \
    && pip uninstall -y provenance

COPY provenance ./provenance
COPY worker ./worker
RUN pip install --no-deps .

# An unprivileged user (Celery refuses nothing as root, but warns, and a worker
# has no business being root); /data holds the WARC archives and beat's schedule.
RUN useradd --system --user-group --home-dir /app provenance \
    && mkdir -p /data \
    && chown provenance:provenance /data
USER provenance

EXPOSE 8000
CMD ["provenance", "serve", "--host", "0.0.0.0", "--port", "8000"]
