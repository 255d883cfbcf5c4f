"""Asynchronous analysis jobs: a durable queue and results in SQLite, run by worker threads in the app process."""
