"""Distributed mode: the pipeline's steps over a shared, transactional index.

The Celery tasks in ``worker/`` are thin: they pass ids to the functions here.
:mod:`~provenance.distributed.bands` computes LSH band keys (pure),
:mod:`~provenance.distributed.index_store` keeps them in PostgreSQL with their
locks, :mod:`~provenance.distributed.staging` stages records as ingest items,
:mod:`~provenance.distributed.process` turns items into articles and stories,
and :mod:`~provenance.distributed.reconcile` finds work left behind.
"""
