"""Load benchmark of the dashboard: concurrent users against uvicorn on 127.0.0.1.

    python benchmarks/bench_web.py [--warehouse FILE | --data DIR] [--users 50]
                                   [--requests 20]

Starts the dashboard in its own process, configured as ``dvpi serve`` runs it (so
the load generator does not share its interpreter), adds one user per simulated
person (a mix of analysts, borough users and partners), warms the result cache with
one pass over the pages, then lets every user log in and walk the pages at once,
reading each page for about ``--think`` seconds (``--think 0``: back-to-back requests,
a stress test). Reports latency percentiles and errors, and exits 1 when p95 >= 150 ms
or any request failed. Bounded: users x requests requests, 127.0.0.1 only.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import random
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

import httpx

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "tests" / "data" / "example"
PASSWORD = "benchmark password 1"
P95_LIMIT_MS = 150.0
SERVER = """
import sys, uvicorn
from pathlib import Path
from dvpi.web.app import create_app
app = create_app(Path(sys.argv[1]), state_path=Path(sys.argv[2]), secure_cookies=False,
                 warm=True)
from dvpi.cli.web import KEEP_ALIVE_SECONDS
uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[3]), log_level="warning",
            access_log=False, server_header=False, timeout_keep_alive=KEEP_ALIVE_SECONDS)
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _pages(role: str, borough: str, boroughs: list[str], year: str) -> list[str]:
    q = f"year={year}"
    own = quote(borough)
    if role == "borough_user":
        return [f"/boroughs/{own}?{q}", f"/boroughs/{own}/equality?{q}",
                f"/boroughs/{own}/worklists?{q}", "/methodology",
                f"/api/indicators?{q}&borough={own}"]
    pages = [f"/overview?{q}", f"/boroughs?{q}", f"/equality?{q}", "/methodology",
             f"/api/indicators?{q}"]
    pages += [f"/boroughs/{quote(b)}?{q}" for b in boroughs[:3]]
    return pages


async def _login(client: httpx.AsyncClient, name: str) -> None:
    form = await client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.text).group(1)
    r = await client.post("/login", data={"username": name, "password": PASSWORD,
                                          "csrf_token": token})
    if r.status_code != 303:
        raise RuntimeError(f"{name}: login failed with {r.status_code}")


async def _walk(client: httpx.AsyncClient, name: str, pages: list[str], n: int,
                latencies: list[tuple[str, float]], errors: list[str], rng: random.Random,
                think: float) -> None:
    for _ in range(n):
        if think:
            # A person reads a page before the next click: think/2 .. 3*think/2 seconds.
            await asyncio.sleep(rng.uniform(think / 2, think * 1.5))
        page = rng.choice(pages)
        t0 = time.perf_counter()
        try:
            r = await client.get(page)
        except httpx.HTTPError as exc:
            errors.append(f"{name} {page}: {exc!r}")
            continue
        latencies.append((page.split("?")[0], (time.perf_counter() - t0) * 1000))
        if r.status_code != 200:
            errors.append(f"{name} {page}: {r.status_code}")


async def _run(base: str, people: list[tuple[str, list[str]]], n: int, seed: int,
               think: float):
    """Everyone logs in first (logins are not timed: argon2 is slow on purpose), then
    all users walk their pages at once."""
    clients = [httpx.AsyncClient(base_url=base, timeout=60) for _ in people]
    try:
        await asyncio.gather(*(_login(client, name)
                               for client, (name, _pages) in zip(clients, people, strict=True)))
        latencies: list[tuple[str, float]] = []
        errors: list[str] = []
        rng = random.Random(seed)
        started = time.perf_counter()
        await asyncio.gather(*(
            _walk(client, name, pages, n, latencies, errors, random.Random(rng.random()),
                  think)
            for client, (name, pages) in zip(clients, people, strict=True)))
        return latencies, errors, time.perf_counter() - started
    finally:
        for client in clients:
            await client.aclose()


async def _warm(base: str, people: list[tuple[str, list[str]]]) -> None:
    """Every distinct page once, by a user who may see it: fills the result cache."""
    done: set[str] = set()
    for name, pages in people:
        todo = [p for p in pages if p not in done]
        if not todo:
            continue
        async with httpx.AsyncClient(base_url=base, timeout=300) as client:
            await _login(client, name)
            for page in todo:
                r = await client.get(page)
                r.raise_for_status()
                done.add(page)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--warehouse", type=Path, help="an existing warehouse")
    parser.add_argument("--data", type=Path, default=EXAMPLE,
                        help="a data set to load first (default: the spec's example)")
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--requests", type=int, default=20, help="requests per user")
    parser.add_argument("--year", default=None, help="financial year (default: latest)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--think", type=float, default=1.0,
                        help="mean seconds a user reads a page before the next click "
                             "(0 = back-to-back requests, a stress test)")
    args = parser.parse_args()

    from dvpi.web.data import Warehouse
    from dvpi.web.params import years_in
    from dvpi.web.state import StateStore
    from dvpi.web.users import UserStore

    tmp = Path(tempfile.mkdtemp(prefix="dvpi-bench-web-"))
    warehouse = args.warehouse
    if warehouse is None:
        from dvpi.ingest import load_dataset

        warehouse = tmp / "demo.duckdb"
        load_dataset(args.data, warehouse)
    snap = Warehouse(warehouse).snapshot()
    boroughs = snap.boroughs()
    year = args.year or years_in(snap)[0]
    del snap

    state = tmp / "state.sqlite"
    users = UserStore(StateStore(state))
    roles = ("force_analyst", "borough_user", "partner")
    people = []
    for i in range(args.users):
        role = roles[i % len(roles)]
        borough = boroughs[i % len(boroughs)] if role == "borough_user" else None
        name = f"user{i}"
        users.add(name, PASSWORD, role, borough)
        people.append((name, _pages(role, borough or "", boroughs, year)))

    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    server_log = (tmp / "server.log").open("w")
    server = subprocess.Popen([sys.executable, "-c", SERVER, str(warehouse), str(state),
                               str(port)], stdout=server_log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                httpx.get(f"{base}/login", timeout=2)
                break
            except httpx.HTTPError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        warm_started = time.perf_counter()
        asyncio.run(_warm(base, people))
        warm_seconds = time.perf_counter() - warm_started
        timed, errors, seconds = asyncio.run(
            _run(base, people, args.requests, args.seed, args.think))
    finally:
        server.terminate()
        server.wait(timeout=30)

    latencies = sorted(ms for _page, ms in timed)

    def pct(p: float, values: list[float] = latencies) -> float:
        return values[min(len(values) - 1, int(p / 100 * len(values)))]

    print(f"machine: {platform.node()} {platform.machine()} {os.cpu_count()} CPUs, "
          f"Python {platform.python_version()}")
    print(f"warehouse: {warehouse} ({len(boroughs)} boroughs), year {year}")
    print(f"cache warm-up: {warm_seconds:.1f} s")
    print(f"{args.users} concurrent users x {args.requests} requests = {len(latencies)} "
          f"timed requests in {seconds:.1f} s ({len(latencies) / seconds:.0f} req/s), "
          f"think time {args.think:g} s")
    print(f"latency ms: p50 {pct(50):.1f}  p95 {pct(95):.1f}  p99 {pct(99):.1f}  "
          f"max {latencies[-1]:.1f}  mean {statistics.fmean(latencies):.1f}")
    by_page: dict[str, list[float]] = {}
    for page, ms in timed:
        by_page.setdefault(re.sub(r"/boroughs/[^/]+", "/boroughs/{b}", page), []).append(ms)
    for page, values in sorted(by_page.items()):
        values.sort()
        print(f"  {page:<32} n={len(values):<5} p50 {pct(50, values):7.1f}  "
              f"p95 {pct(95, values):7.1f}")
    print(f"errors: {len(errors)} (server log: {tmp / 'server.log'})")
    for e in errors[:10]:
        print("  ", e)
    ok = not errors and pct(95) < P95_LIMIT_MS
    print("PASS" if ok else f"FAIL (p95 must be < {P95_LIMIT_MS:.0f} ms with no errors)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
