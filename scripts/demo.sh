#!/usr/bin/env bash
# The main job on the demo data: generate the calibrated London force for 2006-08,
# load it (the load ends by resolving the people), print the 2007-08 catalogue and
# write the board report.
set -euo pipefail
cd "$(dirname "$0")/.."
. .venv/bin/activate
mkdir -p demo
rm -rf demo/london demo/london.truth demo/dvpi.duckdb
dvpi synth --profile mps-2007-08 --out demo/london --seed 1
dvpi load demo/london --warehouse demo/dvpi.duckdb
dvpi indicators demo/dvpi.duckdb --year 2007-08 --people linked
dvpi report demo/dvpi.duckdb --year 2007-08 --out demo/report --people linked
echo
echo "Board report: demo/report/  ·  Dashboard on the demo data:"
echo "  . .venv/bin/activate && dvpi users add analyst --role force_analyst --warehouse demo/dvpi.duckdb"
echo "  dvpi serve --warehouse demo/dvpi.duckdb --no-secure-cookies   # then open http://127.0.0.1:8000"
