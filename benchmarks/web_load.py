"""Load on `qabot serve`: N concurrent readers asking BBC questions for a while, against the
service's own per-question cost.

    python benchmarks/web_load.py [--data-dir /tmp/bbc-index] [--readers 20,100] [--seconds 60]

Serves a private copy of the index (the benchmark's questions, votes and history never land in
the original's shared state) from a `python -m qabot serve` subprocess. First one reader asks
every question once, in turn: the per-question cost, as the bot pays it (``latency_ms`` of the
answer is QAService.ask's own time). Then each load phase runs closed-loop readers: a reader
asks, waits for the answer, and (think 0) asks the next question at once, so those figures are
a worst case for that many readers: latency is about readers / throughput. Reported per phase: HTTP latency p50/p95,
the service's time inside it, errors, asks per second, and the server's RSS (now and peak).
With ``--think`` readers also spend a while reading each answer (uniformly 0.5-1.5 times the
mean) before the next question, as people do.
The rate limit is lifted for the run: every reader comes from 127.0.0.1.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import QUESTIONS, child_env, load_avg, percentiles, table

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_mb(pid: int) -> tuple[int, int]:
    """(VmRSS, VmHWM) of the server process in MB."""
    fields = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines() if ":" in line)
    return tuple(round(int(fields[k].split()[0]) / 1024) for k in ("VmRSS", "VmHWM"))  # type: ignore[return-value]


def start_server(data: Path, port: int, workers: int) -> subprocess.Popen:
    env = child_env(QABOT_RATE_LIMIT_COUNT="100000000", QABOT_WEB_WORKERS=str(workers))
    proc = subprocess.Popen([sys.executable, "-m", "qabot", "--data-dir", str(data), "serve", "--port", str(port)],
                            env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    import httpx

    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"qabot serve exited {proc.returncode}: {proc.stderr.read()[-800:]}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=2).status_code == 200:
                return proc
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    proc.kill()
    raise RuntimeError("qabot serve did not become ready in 120 s")


async def one_reader(client, url: str, questions: list[str], start: int, until: float, out: dict,
                     think: float) -> None:
    rng = random.Random(start)
    i = start
    if think:
        await asyncio.sleep(rng.uniform(0, think))  # readers arrive spread out, not in one burst
    while time.monotonic() < until:
        question = questions[i % len(questions)]
        i += 1
        t = time.perf_counter()
        try:
            response = await client.post(f"{url}/api/ask", json={"question": question})
            ok = response.status_code == 200
            service_ms = response.json().get("latency_ms", 0.0) if ok else 0.0
        except Exception as e:  # noqa: BLE001 - a failed request is an error to count, not a crash
            ok, service_ms = False, 0.0
            out.setdefault("kinds", []).append(type(e).__name__)
        elapsed = (time.perf_counter() - t) * 1000
        if ok:
            out["ms"].append(elapsed)
            out["service_ms"].append(service_ms)
        else:
            out["errors"] += 1
        if think:
            await asyncio.sleep(rng.uniform(0.5, 1.5) * think)  # reading the answer


async def phase(url: str, questions: list[str], readers: int, seconds: float, think: float) -> dict:
    import httpx

    out: dict = {"ms": [], "service_ms": [], "errors": 0}
    limits = httpx.Limits(max_connections=readers, max_keepalive_connections=readers)
    async with httpx.AsyncClient(timeout=60, limits=limits) as client:
        until = time.monotonic() + seconds
        started = time.perf_counter()
        await asyncio.gather(*(one_reader(client, url, questions, n * 7, until, out, think) for n in range(readers)))
        wall = time.perf_counter() - started
    http, inner = percentiles(out["ms"] or [0]), percentiles(out["service_ms"] or [0])
    return {"readers": readers, "think_s": think, "asks": len(out["ms"]), "errors": out["errors"],
            "asks_per_s": round(len(out["ms"]) / wall, 1), "p50_ms": http["p50_ms"], "p95_ms": http["p95_ms"],
            "service_p50_ms": inner["p50_ms"], "service_p95_ms": inner["p95_ms"], "error_kinds": out.get("kinds", [])[:5]}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--data-dir", type=Path, default=Path("/tmp/bbc-index"))
    p.add_argument("--readers", default="20,100", help="comma-separated counts of concurrent readers")
    p.add_argument("--seconds", type=float, default=60.0)
    p.add_argument("--think", default="0,5", help="comma-separated mean seconds a reader reads an answer before "
                   "asking again (0 = at once: closed loop, the worst case)")
    p.add_argument("--workers", type=int, default=0, help="QABOT_WEB_WORKERS for the server (0 = one per core)")
    args = p.parse_args()
    if not (args.data_dir / "index").exists():
        sys.exit(f"no index in {args.data_dir}: python -m qabot --data-dir {args.data_dir} ingest "
                 "../shared/corpora/bbc/articles.jsonl")
    questions = [json.loads(line)["question"] for line in QUESTIONS.read_text().splitlines() if line.strip()]
    with tempfile.TemporaryDirectory(prefix="qabot-web-load-") as tmp:
        data = Path(tmp) / "data"
        shutil.copytree(args.data_dir / "index", data / "index", symlinks=True)
        port = free_port()
        server = start_server(data, port, args.workers)
        url = f"http://127.0.0.1:{port}"
        try:
            rows = [_baseline(url, questions, server.pid)]
            for think in (float(t) for t in args.think.split(",")):
                for readers in (int(n) for n in args.readers.split(",")):
                    row = asyncio.run(phase(url, questions, readers, args.seconds, think))
                    row["rss_mb"], row["peak_rss_mb"] = rss_mb(server.pid)
                    rows.append(row)
        finally:
            server.terminate()
            server.wait(20)
    cols = ["readers", "think_s", "asks", "errors", "asks_per_s", "p50_ms", "p95_ms", "service_p50_ms", "service_p95_ms",
            "rss_mb", "peak_rss_mb"]
    print(f"qabot serve on {args.data_dir} ({len(questions)} BBC questions), {os.cpu_count()} cores, "
          f"load {load_avg()}, {args.seconds:.0f} s per phase; row 1 = one reader, each question once")
    print(table(rows, cols))
    print(json.dumps(rows))


def _baseline(url: str, questions: list[str], pid: int) -> dict:
    """One reader, each question once after a warm-up: the per-question cost without contention."""
    import httpx

    with httpx.Client(timeout=60) as client:
        for q in questions[:5]:
            client.post(f"{url}/api/ask", json={"question": q})
        ms, inner, errors = [], [], 0
        started = time.perf_counter()
        for q in questions:
            t = time.perf_counter()
            response = client.post(f"{url}/api/ask", json={"question": q})
            if response.status_code != 200:
                errors += 1
                continue
            ms.append((time.perf_counter() - t) * 1000)
            inner.append(response.json()["latency_ms"])
        wall = time.perf_counter() - started
    http, service = percentiles(ms), percentiles(inner)
    rss, peak = rss_mb(pid)
    return {"readers": 1, "think_s": "-", "asks": len(ms), "errors": errors, "asks_per_s": round(len(ms) / wall, 1),
            "p50_ms": http["p50_ms"], "p95_ms": http["p95_ms"], "service_p50_ms": service["p50_ms"],
            "service_p95_ms": service["p95_ms"], "rss_mb": rss, "peak_rss_mb": peak}


if __name__ == "__main__":
    main()
