"""Load test of the real server: uvicorn in a subprocess on 127.0.0.1, many concurrent clients, one batch.

Builds a tiny random-weight T5 (``random_init.build_t5``) in a temporary directory, starts
``python -m service serve`` on a free port of 127.0.0.1 with it (or with no model: the extractive engine),
sends ``--requests`` POST /v1/summaries of a small batch of the seed articles from ``--concurrency``
clients (httpx.AsyncClient), bounded by ``--max-seconds``, then stops the server. Nothing but 127.0.0.1
is ever contacted.

Prints errors (must be 0), latency p50/p95/max, throughput, and the server's resident memory (RSS, from
/proc) before and after warm-up and at the start, middle and end of the run: it should stay flat.

    HF_HUB_OFFLINE=1 .venv/bin/python benchmarks/load.py                     # 500 requests, 16 clients
    HF_HUB_OFFLINE=1 .venv/bin/python benchmarks/load.py --engine extractive
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
CALL_REPORTS = ("000", "002", "003")  # three reports of one phone call: a real consensus and disagreements


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _own_rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # the process has exited
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def rss_mib(pid: int) -> float:
    """The server's resident memory with its child processes' (the spaCy workers, NEWSFUSE_PARSE_PROCESSES)."""
    return _own_rss_mib(pid) + sum(_own_rss_mib(child) for child in _children(pid))


def batch(chars: int) -> dict[str, Any]:
    articles = []
    for prefix in CALL_REPORTS:
        (path,) = SEEDS.glob(f"{prefix}_*.txt")
        text = path.read_text(encoding="utf-8")
        cut = text.rfind(". ", 0, chars) + 1  # whole sentences
        articles.append({"id": path.stem, "text": text[: cut if cut > 0 else chars]})
    return {"articles": articles, "max_summary_words": 60}


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def wait_ready(client: httpx.AsyncClient, server: subprocess.Popen[bytes], timeout: float) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"the server exited with {server.returncode}")
        try:
            response = await client.get("/readyz")
            if response.status_code == 200:
                body: dict[str, Any] = response.json()
                return body
        except httpx.TransportError:
            pass
        await asyncio.sleep(0.2)
    raise SystemExit("the server did not become ready")


async def run(args: argparse.Namespace, port: int, server: subprocess.Popen[bytes]) -> int:
    body = batch(args.chars)
    base = f"http://127.0.0.1:{port}"
    limits = httpx.Limits(max_connections=args.concurrency, max_keepalive_connections=args.concurrency)
    async with httpx.AsyncClient(base_url=base, timeout=args.request_timeout, limits=limits, trust_env=False) as client:
        ready = await wait_ready(client, server, 180)
        print(f"server ready on {base}: model {ready['model'].get('name')} ({ready['model'].get('mode')})")
        rss = {"before warm-up": rss_mib(server.pid)}
        # Warm-up at full concurrency, so every server thread has its buffers before memory is watched.
        for _ in range(args.warmup):
            for response in await asyncio.gather(
                *(client.post("/v1/summaries", json=body) for _ in range(args.concurrency))
            ):
                response.raise_for_status()
        rss["start"] = rss_mib(server.pid)

        latencies: list[float] = []
        errors: list[str] = []
        samples: list[tuple[int, float]] = []
        sent = 0
        started = time.perf_counter()
        deadline = started + args.max_seconds

        async def worker() -> None:
            nonlocal sent
            while sent < args.requests and time.perf_counter() < deadline:
                sent += 1
                begun = time.perf_counter()
                try:
                    response = await client.post("/v1/summaries", json=body)
                    if response.status_code != 200:
                        errors.append(f"{response.status_code}: {response.text[:200]}")
                    elif not response.json()["clusters"]:
                        errors.append("200 without clusters")
                except httpx.HTTPError as exc:
                    errors.append(f"{type(exc).__name__}: {exc}")
                latencies.append(time.perf_counter() - begun)

        async def sampler() -> None:
            while True:
                samples.append((len(latencies), rss_mib(server.pid)))
                await asyncio.sleep(0.5)

        sampling = asyncio.create_task(sampler())
        await asyncio.gather(*(worker() for _ in range(args.concurrency)))
        wall = time.perf_counter() - started
        sampling.cancel()
        rss["middle"] = min(samples, key=lambda s: abs(s[0] - len(latencies) / 2))[1]
        rss["end"] = rss_mib(server.pid)
        peak = max(s[1] for s in samples)
        metrics = (await client.get("/metrics")).text

    done = len(latencies)
    print(f"requests: {done} of {args.requests} ({args.concurrency} concurrent clients), {wall:.1f} s")
    print(f"errors: {len(errors)}")
    for error in errors[:5]:
        print("  ", error)
    print(
        f"latency: p50 {percentile(latencies, 0.5) * 1000:.0f} ms, p95 {percentile(latencies, 0.95) * 1000:.0f} ms, "
        f"max {max(latencies) * 1000:.0f} ms, mean {statistics.fmean(latencies) * 1000:.0f} ms"
    )
    print(f"throughput: {done / wall:.2f} requests/s")
    print(
        f"server RSS with its {len(_children(server.pid))} child processes (spaCy workers) (MiB): "
        + ", ".join(f"{k} {v:.0f}" for k, v in rss.items())
        + f", peak {peak:.0f}"
    )
    served = sum(
        float(line.rsplit(" ", 1)[1])
        for line in metrics.splitlines()
        if line.startswith('newsfuse_http_requests_total{method="POST",route="/v1/summaries",status="200"}')
    )
    print(f"server's own count (/metrics): {served:.0f} POST /v1/summaries answered 200")
    if done < args.requests:
        print(f"stopped at --max-seconds {args.max_seconds}: {args.requests - done} requests not sent")
    return 1 if errors else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--engine", choices=["tiny", "extractive"], default="tiny")
    parser.add_argument("--chars", type=int, default=1200, help="characters of each seed article (whole sentences)")
    parser.add_argument("--warmup", type=int, default=2, help="rounds of --concurrency requests")
    parser.add_argument("--max-seconds", type=float, default=900.0, help="stop sending after this long")
    parser.add_argument("--request-timeout", type=float, default=120.0)
    args = parser.parse_args(argv)

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    with tempfile.TemporaryDirectory(prefix="newsfuse-load-") as tmp:
        workdir = Path(tmp)
        if args.engine == "tiny":
            from service.models.random_init import build_t5

            texts = [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))]
            model = str(build_t5(workdir / "tiny-t5", texts, shape="tiny", vocab_size=400, seed=0))
        else:
            model = str(workdir / "no-model")  # the service falls back to the extractive engine
        port = free_port()
        env = {
            **os.environ,
            "HF_HUB_OFFLINE": "1",
            "TRANSFORMERS_OFFLINE": "1",
            "TOKENIZERS_PARALLELISM": "false",
            "NEWSFUSE_MODEL": model,
            "NEWSFUSE_NUM_BEAMS": "2",
            "NEWSFUSE_JOBS_DB": str(workdir / "jobs.sqlite3"),
            "NEWSFUSE_LOG_LEVEL": "WARNING",
        }
        log_path = workdir / "server.log"
        with log_path.open("wb") as log:
            server = subprocess.Popen(
                [sys.executable, "-m", "service", "serve", "--host", "127.0.0.1", "--port", str(port)],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
            try:
                code = asyncio.run(run(args, port, server))
            finally:
                server.send_signal(signal.SIGINT)
                try:
                    server.wait(30)
                except subprocess.TimeoutExpired:
                    server.kill()
                    server.wait()
        print(f"server stopped (exit code {server.returncode})")
        if code:
            print(log_path.read_text(errors="replace")[-3000:])
        return code


if __name__ == "__main__":
    sys.exit(main())
