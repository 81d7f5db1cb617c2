"""The Celery side of provenance's distributed mode.

This package holds only the Celery application (:mod:`worker.celery_app`) and,
with the distributed-mode work, thin tasks that load by id, call the pure core,
and save. The embedded mode never imports it, and neither does the API: it
enqueues tasks by name.
"""
