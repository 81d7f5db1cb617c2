"""Benchmarks: each prints its figures and compares against a baseline in the same run."""
