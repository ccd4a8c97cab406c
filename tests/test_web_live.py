"""Live data: loads run in another process while the dashboard serves and is hammered
with requests. Readers never see a half-loaded warehouse and get no errors."""

from __future__ import annotations

import csv
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from dvpi.ingest import load_dataset
from dvpi.web.app import create_app
from live_server import serving

pytestmark = pytest.mark.slow

EXAMPLE = Path(__file__).parent / "data" / "example"
PASSWORD = "a long enough password"
LOADS = 6
LOADER = """
import sys
from pathlib import Path
from dvpi.ingest import load_dataset
warehouse, a, b, n = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3]), int(sys.argv[4])
for i in range(n):
    load_dataset(a if i % 2 else b, warehouse)
    print("loaded", i, flush=True)
"""


def _unflag_one_report(folder: Path) -> str:
    """A second version of the data set: the first DV-flagged report loses its flag."""
    path = folder / "reports.csv"
    with path.open(newline="", encoding="utf-8-sig") as f:
        rows = list(csv.DictReader(f))
    target = next(r for r in rows if r["dv_flag"].strip().lower() in ("true", "1", "y", "yes"))
    target["dv_flag"] = "false"
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return target["report_id"]


def test_serving_while_loading(tmp_path: Path):
    version_a = tmp_path / "a"
    version_b = tmp_path / "b"
    shutil.copytree(EXAMPLE, version_a)
    shutil.copytree(EXAMPLE, version_b)
    _unflag_one_report(version_b)
    warehouse = tmp_path / "live.duckdb"
    load_dataset(version_a, warehouse)

    app = create_app(warehouse, state_path=tmp_path / "state.sqlite", secure_cookies=False)
    app.state.dashboard.users.add("analyst", PASSWORD, "force_analyst")
    token = app.state.dashboard.users.issue_token("analyst")
    with serving(app) as base:
        headers = {"Authorization": f"Bearer {token}"}
        url = f"{base}/api/indicators?year=2007-08"
        first = httpx.get(url, headers=headers, timeout=60).json()
        full = first["indicators"]["dv_incidents"]["value"]

        loader = subprocess.Popen(
            [sys.executable, "-c", LOADER, str(warehouse), str(version_a), str(version_b),
             str(LOADS)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        seen: list[int] = []
        failures: list[str] = []

        def hammer() -> None:
            with httpx.Client(headers=headers, timeout=60) as client:
                while loader.poll() is None:
                    for target in (url, f"{base}/api/boroughs"):
                        try:
                            r = client.get(target)
                        except httpx.HTTPError as exc:
                            failures.append(f"{target}: {exc!r}")
                            continue
                        if r.status_code != 200:
                            failures.append(f"{target}: {r.status_code} {r.text[:200]}")
                        elif target == url:
                            seen.append(r.json()["indicators"]["dv_incidents"]["value"])

        with ThreadPoolExecutor(4) as pool:
            for _ in range(4):
                pool.submit(hammer)
        out, err = loader.communicate(timeout=300)
        # The last load was version A again: the dashboard follows the file.
        final = httpx.get(url, headers=headers, timeout=60).json()
    assert loader.returncode == 0, err
    assert out.count("loaded") == LOADS
    assert not failures, failures[:5]
    # Every answer is one whole version of the data, and both versions were served.
    assert set(seen) == {full, full - 1}, set(seen)
    assert len(seen) > 20
    assert final["indicators"]["dv_incidents"]["value"] == full
