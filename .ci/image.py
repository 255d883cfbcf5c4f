"""Helpers of .ci/image: the host's pip settings as build mounts, and the checks of the running image.

    python3 .ci/image.py pip-mounts     one --volume=SRC:DST:ro per line (podman build)
    python3 .ci/image.py check ...      runs the image and checks it; prints the figures CI logs

Standard library only: it runs with the host's python3, before or without the project's .venv.
"""

from __future__ import annotations

import argparse
import json
import re
import secrets
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

# What the seed articles disagree on (README): POST /v1/summaries and the jobs must report both.
SEED_DISAGREEMENTS = ("day of the telephone conversation", "whether Russia gave its own account of the call")
IMAGE_USER = "10001"
READY_TIMEOUT_S = 300.0


class CheckError(Exception):
    pass


def _pip_config() -> tuple[list[tuple[str, Path]], list[str], list[str]]:
    """(section, file) of pip's config files that exist, their values, and the PIP_ variables set."""
    out = subprocess.run(
        [sys.executable, "-m", "pip", "config", "debug"], capture_output=True, text=True, check=True
    ).stdout
    files: list[tuple[str, Path]] = []
    values: list[str] = []
    env_vars: list[str] = []
    section = ""
    for line in out.splitlines():
        if re.fullmatch(r"\w+:", line):
            section = line[:-1]
        elif match := re.fullmatch(r"  (\S.*), exists: True", line):
            files.append((section, Path(match.group(1))))
        elif match := re.fullmatch(r"    [\w.-]+: (.*)", line):
            values.append(match.group(1))
        elif match := re.fullmatch(r"  (PIP_\w+)='(.*)'", line):
            env_vars.append(match.group(1))
            values.append(match.group(2))
    return files, values, env_vars


def pip_mounts() -> list[tuple[Path, Path]]:
    """(host path, path in the build container) of pip's config files and the local paths they name."""
    files, values, env_vars = _pip_config()
    mounts: dict[Path, Path] = {}
    for section, path in files:
        if section == "global":
            mounts[path] = path
        elif section == "user":
            # The build's RUN steps run as root: pip reads its user config from /root.
            mounts[path] = (
                Path("/root/.config/pip/pip.conf") if path.parent.name == "pip" else Path("/root/.pip/pip.conf")
            )
        else:
            print(f"pip settings: {path} ({section}) is not carried into the build", file=sys.stderr)
    for value in values:
        for token in value.split():
            path = Path(token.removeprefix("file://"))
            if not path.is_absolute() or not path.exists():
                continue
            # A local index's pages (…/simple/NAME/) link to its files beside simple/: mount the index root.
            if path.name == "simple":
                path = path.parent
            mounts.setdefault(path, path)
    if env_vars:
        print(
            f"pip settings: environment variables not carried into the build: {', '.join(sorted(set(env_vars)))}",
            file=sys.stderr,
        )
    return sorted(mounts.items())


def _run(*args: str, check: bool = True, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(list(args), capture_output=True, text=True, timeout=timeout)
    if check and result.returncode != 0:
        raise CheckError(f"{' '.join(args)} exited {result.returncode}: {result.stderr.strip()[-2000:]}")
    return result


class Api:
    def __init__(self, port: int, key: str) -> None:
        self.base = f"http://127.0.0.1:{port}"
        self.key = key

    def call(self, method: str, path: str, body: Any = None, *, key: bool = True) -> tuple[int, Any, dict[str, str]]:
        headers = {"content-type": "application/json"}
        if key:
            headers["authorization"] = f"Bearer {self.key}"
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.base + path, data=data, headers=headers, method=method)
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                raw, status, got = response.read(), response.status, dict(response.headers)
        except urllib.error.HTTPError as error:
            raw, status, got = error.read(), error.code, dict(error.headers)
        try:
            return status, json.loads(raw), got
        except ValueError:
            return status, raw.decode(errors="replace"), got


def _expect(condition: bool, message: str) -> None:
    if not condition:
        raise CheckError(message)


class Container:
    """One container of the image, its published port and its API."""

    def __init__(self, engine: str, name: str) -> None:
        self.engine = engine
        self.name = name
        self.api: Api | None = None

    def inspect(self, template: str) -> str:
        return _run(self.engine, "inspect", "--format", template, self.name).stdout.strip()

    def running(self) -> bool:
        return self.inspect("{{.State.Running}}") == "true"

    def logs(self, lines: int = 40) -> str:
        result = _run(self.engine, "logs", "--tail", str(lines), self.name, check=False)
        return (result.stdout + result.stderr).strip()

    def connect(self, key: str) -> Api:
        # `port` prints HOST:PORT (one line per address family).
        line = _run(self.engine, "port", self.name, "8000").stdout.split()[0]
        self.api = Api(int(line.rsplit(":", 1)[1]), key)
        return self.api

    def wait_ready(self, key: str) -> float:
        """Seconds until /readyz answers 200 (counted from now)."""
        start = time.monotonic()
        while True:
            if not self.running():
                raise CheckError(f"the container stopped while starting:\n{self.logs()}")
            try:
                status, _, _ = self.connect(key).call("GET", "/readyz", key=False)
                if status == 200:
                    return time.monotonic() - start
            except (OSError, IndexError, ValueError):
                pass  # not listening yet, or the port is not published yet
            if time.monotonic() - start > READY_TIMEOUT_S:
                raise CheckError(f"/readyz not 200 after {READY_TIMEOUT_S:.0f} s:\n{self.logs()}")
            time.sleep(0.25)

    def stop(self, grace_s: int) -> float:
        """SIGTERM (the image's stop signal), then seconds until the container had exited; exit status 0."""
        start = time.monotonic()
        _run(self.engine, "stop", "--time", str(grace_s), self.name, timeout=grace_s + 60)
        elapsed = time.monotonic() - start
        code = self.inspect("{{.State.ExitCode}}")
        _expect(code == "0", f"exit status {code} after SIGTERM (137 = killed after the grace period):\n{self.logs()}")
        _expect(elapsed < grace_s, f"stopping took {elapsed:.1f} s, the grace period is {grace_s} s")
        return elapsed


def _seed_articles(seeds: Path) -> list[dict[str, str]]:
    files = sorted(seeds.glob("*.txt"))
    _expect(bool(files), f"no seed articles in {seeds}")
    return [{"id": f.stem, "text": f.read_text(encoding="utf-8")} for f in files]


def _aspects(result: dict[str, Any]) -> set[str]:
    return {d["aspect"] for cluster in result["clusters"] for d in cluster["disagreements"]}


def _check_disagreements(result: dict[str, Any], what: str) -> None:
    aspects = _aspects(result)
    missing = [a for a in SEED_DISAGREEMENTS if a not in aspects]
    _expect(not missing, f"{what}: the seed disagreements {missing} are missing (found {sorted(aspects)})")


def _wait_job(api: Api, location: str) -> dict[str, Any]:
    deadline = time.monotonic() + 300
    while True:
        status, job, _ = api.call("GET", location + "?wait=20")
        _expect(status == 200, f"GET {location}: {status} {job}")
        if job["status"] in ("succeeded", "failed") or time.monotonic() > deadline:
            return dict(job)


@contextmanager
def _containers(engine: str, volume: str) -> Iterator[list[Container]]:
    made: list[Container] = []
    try:
        yield made
    finally:
        for container in made:
            _run(engine, "rm", "--force", container.name, check=False)
        _run(engine, "volume", "rm", "--force", volume, check=False)


def check(args: argparse.Namespace) -> None:
    engine, image = args.engine, args.image
    seeds = _seed_articles(Path(args.seeds))
    key = secrets.token_urlsafe(16)
    grace_jobs_s = 20
    stop_grace_s = grace_jobs_s + 10
    tag = f"newsfuse-ci-{secrets.token_hex(4)}"
    volume = f"{tag}-data"
    # The settings a production deployment sets (compose.yaml): API keys, a rate limit, the model required.
    production = {
        "NEWSFUSE_API_KEYS": key,
        "NEWSFUSE_RATE_LIMIT_PER_MINUTE": "600",
        "NEWSFUSE_RATE_LIMIT_BURST": "100",
        "NEWSFUSE_REQUIRE_MODEL": "true",
        "NEWSFUSE_JOBS_SHUTDOWN_GRACE_S": str(grace_jobs_s),
    }

    def start(name: str, **env: str) -> tuple[Container, float]:
        options = [f"--env={k}={v}" for k, v in {**production, **env}.items()]
        t0 = time.monotonic()
        _run(engine, "run", "--detach", "--name", name, "--publish", "127.0.0.1::8000", "--volume", f"{volume}:/data",
             "--stop-timeout", str(stop_grace_s), *options, image)  # fmt: skip
        container = Container(engine, name)
        made.append(container)
        container.wait_ready(key)
        return container, time.monotonic() - t0

    inspected = json.loads(_run(engine, "image", "inspect", image).stdout)[0]
    config = inspected["Config"]
    _expect(str(config.get("User")) == IMAGE_USER, f"the image's user is {config.get('User')!r}, not {IMAGE_USER}")
    _expect("HF_HUB_OFFLINE=1" in config.get("Env", []), "HF_HUB_OFFLINE=1 is not set in the image")
    # docker keeps the HEALTHCHECK in Config, podman beside it (and only in docker format)
    healthcheck = config.get("Healthcheck") or inspected.get("Healthcheck")
    _expect(bool(healthcheck), "the image has no HEALTHCHECK (podman: build with --format docker)")
    if engine == "podman":
        _check_no_pip_settings(engine, image, args.base)

    with _containers(engine, volume) as made:
        # 1. Jobs only queue (no workers): a job queued here must run in the next container, from /data.
        first, first_ready = start(f"{tag}-queue", NEWSFUSE_JOBS_WORKERS="0")
        api = first.api
        assert api is not None
        status, body, headers = api.call("POST", "/v1/jobs", {"articles": seeds})
        _expect(status == 202, f"POST /v1/jobs: {status} {body}")
        location = headers.get("location") or headers.get("Location") or ""
        _expect(api.call("GET", location)[1]["status"] == "queued", "the job is not queued with no workers")
        stop_first = first.stop(stop_grace_s)
        print(f"ok: a job queued in a container without workers; SIGTERM stopped it in {stop_first:.1f} s (exit 0)")
        _run(engine, "rm", first.name)
        made.remove(first)

        # 2. The production container on the same volume.
        main, ready_s = start(f"{tag}-main")
        api = main.api
        assert api is not None
        status, body, _ = api.call("GET", "/healthz", key=False)
        _expect(status == 200, f"/healthz: {status} {body}")
        status, ready, _ = api.call("GET", "/readyz", key=False)
        model = ready.get("model", {})
        _expect(
            status == 200 and model.get("mode") == "abstractive" and model.get("name") == args.model,
            f"/readyz: {status} {ready}; expected the abstractive model {args.model}",
        )
        print(f"ok: /healthz 200; /readyz 200, abstractive, {model.get('name')} ({model.get('family')} family)")
        status, body, _ = api.call("POST", "/v1/summaries", {"articles": seeds}, key=False)
        _expect(status == 401, f"POST /v1/summaries without a key: {status}, expected 401")
        status, result, _ = api.call("POST", "/v1/summaries", {"articles": seeds})
        _expect(status == 200, f"POST /v1/summaries: {status} {result}")
        _check_disagreements(result, "POST /v1/summaries")
        _expect(result["model"]["name"] == args.model, f"summaries by {result['model']}, not {args.model}")
        print(f"ok: POST /v1/summaries on {len(seeds)} seeds: disagreements {sorted(_aspects(result))}")

        job = _wait_job(api, location)
        _expect(job["status"] == "succeeded", f"the job queued in the first container: {job}")
        _check_disagreements(job["result"], "the job")
        print(f"ok: the job queued in the first container ran in the second ({location})")

        user = _run(engine, "exec", main.name, "python", "-c",
                    "import os; print(os.getuid()); print(open('/proc/1/status').read())").stdout  # fmt: skip
        pid1_uid = re.search(r"^Uid:\s+(\d+)", user, re.M)
        _expect(
            user.split()[0] == IMAGE_USER and pid1_uid is not None and pid1_uid.group(1) == IMAGE_USER,
            f"not running as uid {IMAGE_USER}: {user[:300]}",
        )
        print(f"ok: the server (pid 1) and exec run as uid {IMAGE_USER}")

        _check_health(main)

        t0 = time.monotonic()
        _run(engine, "restart", "--time", str(stop_grace_s), main.name, timeout=stop_grace_s + 60)
        main.wait_ready(key)
        restart_s = time.monotonic() - t0
        api = main.api
        assert api is not None
        again = _wait_job(api, location)
        _expect(again == job, f"the job changed across the restart: {again} != {job}")
        print(f"ok: `{engine} restart` ({restart_s:.1f} s to ready again): the job and its result are still there")

        stop_s = main.stop(stop_grace_s)
        print(f"ok: SIGTERM stopped the server in {stop_s:.1f} s (exit 0; grace {stop_grace_s} s)")

    size = int(json.loads(_run(engine, "image", "inspect", image).stdout)[0]["Size"])
    print("== image: figures ==")
    print(f"image size: {size / 1e9:.2f} GB ({size} bytes)")
    print(f"image build time: {args.build_seconds} s")
    print(f"container start-to-ready: {ready_s:.1f} s (first container without workers: {first_ready:.1f} s)")
    print(f".ci/image total: {time.time() - args.total_start:.0f} s")
    print("image: all checks passed")


def _check_health(container: Container) -> None:
    if container.engine == "podman":
        # No systemd timer runs podman's health checks here: run the image's HEALTHCHECK once by hand.
        result = _run("podman", "healthcheck", "run", container.name, check=False)
        _expect(result.returncode == 0, f"HEALTHCHECK: {result.stdout} {result.stderr}")
    deadline = time.monotonic() + 150
    while True:
        state = container.inspect("{{if .State.Health}}{{.State.Health.Status}}{{end}}")
        if state == "healthy":
            break
        _expect(time.monotonic() < deadline and state in ("", "starting"), f"health status {state!r}")
        time.sleep(2)
    print("ok: HEALTHCHECK healthy")


def _check_no_pip_settings(engine: str, image: str, base: str) -> None:
    """None of the host's pip settings mounted at build time is in the image (beyond what the base has)."""
    paths = sorted({str(target) for _, target in pip_mounts()})
    probe = "import os, sys; print('\\n'.join(p for p in sys.argv[1:] if os.path.lexists(p)))"
    found = set(_run(engine, "run", "--rm", "--user", "0", image, "python", "-c", probe, *paths).stdout.split())
    in_base = set(_run(engine, "run", "--rm", base, "python3", "-c", probe, *paths).stdout.split())
    leaked = sorted(found - in_base)
    _expect(not leaked, f"build-time pip settings left in the image: {leaked}")
    print(f"ok: none of the {len(paths)} pip settings mounted at build time is in the image")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("pip-mounts")
    checks = sub.add_parser("check")
    checks.add_argument("--engine", required=True, choices=("podman", "docker"))
    checks.add_argument("--image", required=True)
    checks.add_argument("--base", required=True, help="the base image (pip settings it has are not leaks)")
    checks.add_argument("--model", required=True, help="the baked MODEL_ID /readyz must name")
    checks.add_argument("--seeds", required=True)
    checks.add_argument("--build-seconds", type=int, required=True)
    checks.add_argument("--total-start", type=float, required=True, help="epoch seconds .ci/image started")
    args = parser.parse_args()
    if args.command == "pip-mounts":
        for host, target in pip_mounts():
            print(f"--volume={host}:{target}:ro")
        return
    try:
        check(args)
    except (CheckError, subprocess.TimeoutExpired) as error:
        sys.exit(f"image: FAILED: {error}")


if __name__ == "__main__":
    main()
