"""Resuming a batch: a checkpoint folder beside the output, and the output file itself as the record of
which stories are done.

- ``manifest.json`` ties the checkpoint to one input (its SHA-256), the settings that change results and the
  command's options; a re-run with anything else is refused rather than mixing two batches in one file.
- ``plan.json`` is written once grouping is done (atomically: a temporary file renamed): a resumed run skips
  cleaning, near-duplicates, embeddings and grouping, and goes straight to the stories not yet written.
- The output has one line per story, each written whole and flushed to disk. On resume, a last line cut by a
  crash (no newline, or not JSON) is truncated away, and the keys of the complete lines are the stories done:
  no story is lost or written twice.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from service.batch.stories import Plan
from service.settings import Settings

VERSION = 1
# Settings that do not change what a story says (where and how fast it runs, server-only settings).
_NOT_IN_FINGERPRINT = {
    "api_keys",
    "cors_allow_origins",
    "rate_limit_per_minute",
    "rate_limit_burst",
    "jobs_db",
    "jobs_workers",
    "jobs_queue_size",
    "jobs_retention_s",
    "jobs_max_attempts",
    "jobs_shutdown_grace_s",
    "request_timeout_s",
    "max_articles",
    "max_request_bytes",
    "max_total_tokens",
    "log_level",
    "log_json",
    "ray_address",
    "ray_num_cpus",
    "ray_actors",
    "ray_gpus_per_actor",
    "torch_threads",
    "dedup_workers",
    "dedup_batch_chars",
}


class CheckpointError(RuntimeError):
    pass


def settings_fingerprint(settings: Settings) -> dict[str, Any]:
    data = settings.model_dump(mode="json")
    return {k: v for k, v in sorted(data.items()) if k not in _NOT_IN_FINGERPRINT}


def _write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    with tmp.open("w", encoding="utf-8") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


class Checkpoint:
    def __init__(self, out: Path, directory: Path | None = None) -> None:
        self.out = out
        self.dir = directory or out.with_name(out.name + ".checkpoint")

    @property
    def manifest_path(self) -> Path:
        return self.dir / "manifest.json"

    @property
    def plan_path(self) -> Path:
        return self.dir / "plan.json"

    def open(self, manifest: dict[str, Any]) -> bool:
        """Start or resume; True when resuming. Refuses a checkpoint made for another input or settings, and
        an output file that no checkpoint accounts for."""
        manifest = {"version": VERSION, **manifest}
        if self.manifest_path.is_file():
            old = json.loads(self.manifest_path.read_text(encoding="utf-8"))
            if old != manifest:
                changed = sorted(k for k in {*old, *manifest} if old.get(k) != manifest.get(k))
                raise CheckpointError(
                    f"{self.dir} was made for another run (different: {', '.join(changed)}); remove it and "
                    f"{self.out} to start over, or run with the same input, options and settings"
                )
            return True
        if self.out.exists() and self.out.stat().st_size > 0:
            raise CheckpointError(f"{self.out} exists and no checkpoint ({self.dir}) says what it holds; remove it")
        self.dir.mkdir(parents=True, exist_ok=True)
        _write_atomic(self.manifest_path, json.dumps(manifest, indent=2, sort_keys=True))
        return False

    def load_plan(self) -> Plan | None:
        if not self.plan_path.is_file():
            return None
        return Plan.from_json(json.loads(self.plan_path.read_text(encoding="utf-8")))

    def save_plan(self, plan: Plan) -> None:
        _write_atomic(self.plan_path, json.dumps(plan.to_json(), ensure_ascii=False))


class StoryOutput:
    """The output file, appended one whole story line at a time."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.done: set[str] = set()
        self.truncated_bytes = 0

    def recover(self) -> set[str]:
        """Keys of the complete lines already written; a partial last line is cut off the file."""
        self.done = set()
        if not self.path.exists():
            return self.done
        data = self.path.read_bytes()
        end = data.rfind(b"\n") + 1  # after the last complete line
        lines = data[:end].splitlines()
        tail = data[end:]
        if lines:
            try:
                json.loads(lines[-1])
            except ValueError:  # a crash between two writes of one line cannot happen, but a torn page can
                end -= len(lines[-1]) + 1
                tail = lines[-1] + b"\n" + tail
                lines = lines[:-1]
        for number, line in enumerate(lines, start=1):
            try:
                key = json.loads(line)["key"]
            except (ValueError, KeyError, TypeError) as exc:
                raise CheckpointError(f"{self.path} line {number} is not a story line: {exc}") from exc
            if key in self.done:
                raise CheckpointError(f"{self.path} holds story {key} twice (line {number})")
            self.done.add(key)
        if tail:
            with self.path.open("r+b") as f:
                f.truncate(end)
            self.truncated_bytes = len(tail)
        return self.done

    def write(self, lines: Iterable[tuple[str, str]]) -> int:
        """Append the ``(key, line)`` of stories not yet written; returns how many were written."""
        fresh = []
        for key, line in lines:
            if key not in self.done:
                fresh.append(line)
                self.done.add(key)
        if fresh:
            with self.path.open("a", encoding="utf-8") as f:
                f.write("".join(line + "\n" for line in fresh))
                f.flush()
                os.fsync(f.fileno())
        return len(fresh)
