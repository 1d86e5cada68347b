"""Reproducible benchmarks of the LRS: ingest, queries, dashboards and export.

Run ``python -m benchmarks`` (``--quick`` for the small CI version). Each run starts the
real server (gunicorn through ``lrs serve``) on 127.0.0.1 against a fresh SQLite file and
a fresh PostgreSQL database, drives it over HTTP with bounded loops, and writes a JSON
report plus a readable table.
"""
