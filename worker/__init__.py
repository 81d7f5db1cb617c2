"""The Celery side of provenance's distributed mode.

This package holds only the Celery application (:mod:`worker.celery_app`), the
thin tasks (:mod:`worker.tasks`) that load by id, call the pipeline steps of
:mod:`provenance.distributed` and save, the reconciler and the crawl and job
glue. The embedded mode never imports it, and neither does the API: it
enqueues tasks by name.
"""
