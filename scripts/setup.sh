#!/usr/bin/env bash
# Create .venv and install the package (and, with --test, what the tests need, including
# Debian's Chromium for the browser tests and LibreOffice Calc for the workbook test). Safe to run again: it only adds what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
  .venv/bin/python -m pip install --quiet --upgrade pip
fi
if [ "${1:-}" = "--test" ]; then
  .venv/bin/python -m pip install --quiet -e ".[test]"
  # Debian's Chromium for the browser tests, and LibreOffice Calc (headless) so the test that
  # opens and prints the workbook runs instead of skipping
  need=""
  command -v chromium >/dev/null 2>&1 || need="chromium chromium-driver"
  { command -v soffice >/dev/null 2>&1 || command -v libreoffice >/dev/null 2>&1; } || need="$need libreoffice-calc-nogui"
  if [ -n "$need" ]; then
    if [ "$(id -u)" = "0" ]; then
      apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $need >/dev/null
    else
      sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $need >/dev/null
    fi
  fi
else
  .venv/bin/python -m pip install --quiet -e .
fi
# byte-compile the package now: an editable install leaves that to the first import, and where
# PYTHONDONTWRITEBYTECODE is set (containers, CI images) every command and the run's summary helper
# would compile ~90 modules again at each start (0,2–0,25 s each time, measured on 2 cores)
.venv/bin/python -m compileall -q benchmark >/dev/null
