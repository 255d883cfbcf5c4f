"""The job queue and its results in one SQLite file (stdlib ``sqlite3``, WAL), so a restart loses nothing.

One connection, guarded by a lock, serves every thread of the process. The file is created on the first
submitted job, not at startup, so an app that never receives a job leaves nothing on disk.

A job is ``queued`` -> ``running`` -> ``succeeded`` | ``failed``. Each claim of a queued job gets a fresh
``token``; progress and the outcome are written only with the token of the current claim, so a worker that
outlived its process's shutdown (or lost its job to a restart) can never overwrite a later run.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, cast

JobState = Literal["queued", "running", "succeeded", "failed"]
STATES: tuple[JobState, ...] = ("queued", "running", "succeeded", "failed")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS jobs (
    id TEXT PRIMARY KEY,
    state TEXT NOT NULL,
    request TEXT NOT NULL,
    owner TEXT,
    request_id TEXT,
    stage TEXT,
    fraction REAL NOT NULL DEFAULT 0,
    result TEXT,
    error TEXT,
    token TEXT,
    attempts INTEGER NOT NULL DEFAULT 0,
    created_at REAL NOT NULL,
    started_at REAL,
    finished_at REAL
);
CREATE INDEX IF NOT EXISTS jobs_state_created ON jobs (state, created_at);
CREATE INDEX IF NOT EXISTS jobs_finished ON jobs (finished_at);
"""


@dataclass(frozen=True)
class Job:
    id: str
    state: JobState
    request: dict[str, Any]
    owner: str | None
    request_id: str | None
    stage: str | None
    fraction: float
    result: dict[str, Any] | None
    error: dict[str, Any] | None
    attempts: int
    created_at: float
    started_at: float | None
    finished_at: float | None


@dataclass(frozen=True)
class Claim:
    job: Job
    token: str


class QueueFullError(Exception):
    def __init__(self, queued: int, limit: int) -> None:
        super().__init__(f"{queued} jobs are queued; the queue holds {limit}")
        self.queued, self.limit = queued, limit


@contextmanager
def _transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """A write transaction taken at once (``BEGIN IMMEDIATE``): committed on exit, rolled back on error."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise


def _job(row: sqlite3.Row) -> Job:
    return Job(
        id=row["id"],
        state=cast(JobState, row["state"]),
        request=json.loads(row["request"]),
        owner=row["owner"],
        request_id=row["request_id"],
        stage=row["stage"],
        fraction=row["fraction"],
        result=json.loads(row["result"]) if row["result"] is not None else None,
        error=json.loads(row["error"]) if row["error"] is not None else None,
        attempts=row["attempts"],
        created_at=row["created_at"],
        started_at=row["started_at"],
        finished_at=row["finished_at"],
    )


class JobStore:
    """Durable job queue. ``retention_s``: finished jobs older than this are invisible, then purged."""

    def __init__(self, path: Path, *, retention_s: float, clock: Callable[[], float] = time.time) -> None:
        self.path = Path(path)
        self.retention_s = retention_s
        self._clock = clock
        self._lock = threading.Lock()
        self._conn: sqlite3.Connection | None = None

    # Connection -------------------------------------------------------------------------------------------

    def _connect(self, create: bool) -> sqlite3.Connection | None:
        """Call with the lock held. Reopens after ``close`` (a request or worker that outlived a shutdown)."""
        if self._conn is None and (create or self.path.exists()):
            self.path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None, timeout=10.0)
            conn.row_factory = sqlite3.Row
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.executescript(_SCHEMA)
            self._conn = conn
        return self._conn

    def open_if_exists(self) -> bool:
        with self._lock:
            return self._connect(create=False) is not None

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    # Queue ------------------------------------------------------------------------------------------------

    def submit(
        self,
        request: dict[str, Any],
        *,
        max_queued: int,
        owner: str | None = None,
        request_id: str | None = None,
    ) -> Job:
        """Queue a job; raises QueueFullError when ``max_queued`` jobs are already waiting."""
        with self._lock:
            conn = self._connect(create=True)
            assert conn is not None
            with _transaction(conn):
                (queued,) = conn.execute("SELECT COUNT(*) FROM jobs WHERE state = 'queued'").fetchone()
                if queued >= max_queued:
                    raise QueueFullError(queued, max_queued)
                job_id = uuid.uuid4().hex
                conn.execute(
                    "INSERT INTO jobs (id, state, request, owner, request_id, created_at) "
                    "VALUES (?, 'queued', ?, ?, ?, ?)",
                    (job_id, json.dumps(request), owner, request_id, self._clock()),
                )
                row = conn.execute("SELECT * FROM jobs WHERE id = ?", (job_id,)).fetchone()
        return _job(row)

    def claim(self) -> Claim | None:
        """The oldest queued job, now ``running`` under a fresh token; None when nothing waits."""
        with self._lock:
            conn = self._connect(create=False)
            if conn is None:
                return None
            with _transaction(conn):
                row = conn.execute(
                    "SELECT id FROM jobs WHERE state = 'queued' ORDER BY created_at, rowid LIMIT 1"
                ).fetchone()
                if row is None:
                    return None
                token = uuid.uuid4().hex
                conn.execute(
                    "UPDATE jobs SET state = 'running', token = ?, attempts = attempts + 1, started_at = ?, "
                    "stage = NULL, fraction = 0 WHERE id = ?",
                    (token, self._clock(), row["id"]),
                )
                job = conn.execute("SELECT * FROM jobs WHERE id = ?", (row["id"],)).fetchone()
        return Claim(_job(job), token)

    def _update_running(self, job_id: str, token: str, sql: str, params: tuple[Any, ...]) -> bool:
        with self._lock:
            conn = self._connect(create=False)
            if conn is None:
                return False
            cursor = conn.execute(
                f"UPDATE jobs SET {sql} WHERE id = ? AND token = ? AND state = 'running'", (*params, job_id, token)
            )
            return cursor.rowcount == 1

    def progress(self, job_id: str, token: str, stage: str, fraction: float) -> bool:
        return self._update_running(job_id, token, "stage = ?, fraction = ?", (stage, fraction))

    def succeed(self, job_id: str, token: str, result: dict[str, Any]) -> bool:
        return self._update_running(
            job_id,
            token,
            "state = 'succeeded', result = ?, fraction = 1, stage = 'done', finished_at = ?",
            (json.dumps(result), self._clock()),
        )

    def fail(self, job_id: str, token: str, error: dict[str, Any]) -> bool:
        return self._update_running(
            job_id, token, "state = 'failed', error = ?, finished_at = ?", (json.dumps(error), self._clock())
        )

    def release(self, job_id: str, token: str) -> bool:
        """Back to the queue (stopped by a shutdown); the interrupted run does not count as an attempt."""
        return self._update_running(
            job_id, token, "state = 'queued', token = NULL, attempts = attempts - 1, stage = NULL, fraction = 0", ()
        )

    def recover(self, *, max_attempts: int, error: dict[str, Any]) -> tuple[int, int]:
        """At startup: jobs left ``running`` by a stopped process are queued again, or failed with ``error``
        once they have been started ``max_attempts`` times. Returns (requeued, failed)."""
        with self._lock:
            conn = self._connect(create=False)
            if conn is None:
                return 0, 0
            with _transaction(conn):
                failed = conn.execute(
                    "UPDATE jobs SET state = 'failed', error = ?, token = NULL, finished_at = ? "
                    "WHERE state = 'running' AND attempts >= ?",
                    (json.dumps(error), self._clock(), max_attempts),
                ).rowcount
                requeued = conn.execute(
                    "UPDATE jobs SET state = 'queued', token = NULL, stage = NULL, fraction = 0 WHERE state = 'running'"
                ).rowcount
        return requeued, failed

    # Reading and retention --------------------------------------------------------------------------------

    def get(self, job_id: str) -> Job | None:
        """The job, or None when unknown or finished longer ago than the retention period."""
        with self._lock:
            conn = self._connect(create=False)
            if conn is None:
                return None
            row = conn.execute(
                "SELECT * FROM jobs WHERE id = ? AND (finished_at IS NULL OR finished_at >= ?)",
                (job_id, self._clock() - self.retention_s),
            ).fetchone()
        return _job(row) if row is not None else None

    def purge(self, now: float | None = None) -> int:
        """Delete jobs finished before the retention period; returns how many."""
        now = self._clock() if now is None else now
        with self._lock:
            conn = self._connect(create=False)
            if conn is None:
                return 0
            return conn.execute(
                "DELETE FROM jobs WHERE finished_at IS NOT NULL AND finished_at < ?", (now - self.retention_s,)
            ).rowcount

    def counts(self) -> dict[str, int]:
        counts: dict[str, int] = dict.fromkeys(STATES, 0)
        with self._lock:
            conn = self._connect(create=False)
            if conn is None:
                return counts
            for state, count in conn.execute("SELECT state, COUNT(*) FROM jobs GROUP BY state"):
                if state in counts:
                    counts[state] = count
        return counts
