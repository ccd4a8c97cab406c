#!/usr/bin/env bash
# The whole test suite: lint, then every test — DuckDB, browser, and the full indicator
# suite again on Spark (the parity run). Spark's local mode spends most of its time
# waiting on the JVM, not on the CPU, so its half runs beside the rest, not after it.
# Extra arguments go to both pytest runs (e.g. a test file, or -x).
set -euo pipefail
cd "$(dirname "$0")/.."
. .venv/bin/activate
ruff check src tests benchmarks scripts

spark_log=$(mktemp)
trap 'rm -f "$spark_log"' EXIT
set +e
DVPI_SPARK_TESTS=1 python -m pytest -q -p no:cacheprovider -m spark "$@" >"$spark_log" 2>&1 &
spark_pid=$!
python -m pytest -q -p no:cacheprovider -m "not spark" "$@"
main_rc=$?
wait "$spark_pid"
spark_rc=$?
set -e

echo
echo "== Spark run (engine parity: the indicator suite on Spark, person resolution on Spark) =="
cat "$spark_log"

# Exit code 5 means pytest collected nothing: a broken selection, never a pass —
# unless arguments narrowed the run to tests of one kind only.
status=0
for pair in "main:$main_rc" "spark:$spark_rc"; do
  name=${pair%%:*}; rc=${pair##*:}
  if [ "$rc" -eq 5 ] && [ $# -gt 0 ]; then continue; fi
  if [ "$rc" -ne 0 ]; then
    echo "$name run failed (pytest exit code $rc)"
    status=1
  fi
done
exit $status
