"""Tests of the fetcher (provenance/fetch/) against real servers on loopback.

A package (unlike most test folders) so that the test modules can share the
fixture web in ``tests/fetch/web.py``.
"""
