#!/usr/bin/env bash
# The whole test suite: lint, then every test (DuckDB, Spark parity, browser).
set -euo pipefail
cd "$(dirname "$0")/.."
. .venv/bin/activate
ruff check src tests benchmarks
set +e
python -m pytest -q -p no:cacheprovider "$@"
rc=$?
set -e
[ $rc -eq 5 ] && { echo "no tests ran"; exit 1; }
exit $rc
