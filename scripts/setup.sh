#!/usr/bin/env bash
# Create .venv and install the package (and, with --test, what the tests need, including
# Debian's Chromium for the browser tests). Safe to run again: it only adds what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
  .venv/bin/python -m pip install --quiet --upgrade pip
fi
if [ "${1:-}" = "--test" ]; then
  .venv/bin/python -m pip install --quiet -e ".[test]"
  if ! command -v chromium >/dev/null 2>&1; then
    if [ "$(id -u)" = "0" ]; then
      apt-get update -qq && apt-get install -y -qq chromium chromium-driver >/dev/null
    else
      sudo apt-get update -qq && sudo apt-get install -y -qq chromium chromium-driver >/dev/null
    fi
  fi
else
  .venv/bin/python -m pip install --quiet -e .
fi
