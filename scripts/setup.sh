#!/usr/bin/env bash
# Set up everything dvpi needs on a fresh Debian machine (Python 3.11, pip, apt):
# system packages (Java for Spark, Chromium for the browser tests, poppler and Pango
# for the PDF report), then a virtualenv with dvpi and its pinned dependencies.
set -euo pipefail
cd "$(dirname "$0")/.."
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
need=()
command -v java >/dev/null || need+=(openjdk-17-jre-headless)
[ -x /usr/bin/chromium ] || need+=(chromium)
command -v pdftoppm >/dev/null || need+=(poppler-utils)
dpkg -s libpango-1.0-0 >/dev/null 2>&1 || need+=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b)
dpkg -s fonts-dejavu-core >/dev/null 2>&1 || need+=(fonts-dejavu-core)
if [ ${#need[@]} -gt 0 ]; then
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
fi
[ -d .venv ] || python3.11 -m venv .venv 2>/dev/null || python3 -m venv .venv
. .venv/bin/activate
pip install -q --upgrade pip 2>&1 | grep -v WARNING || true
pip install -q -e ".[spark,test]" 2>&1 | grep -v -i "warning\|!!\|\*\*\*\|corresp\|return\|deprecated\|license\|By 2027\|See https\|^ *$" || true
