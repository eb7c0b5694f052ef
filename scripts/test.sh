#!/usr/bin/env bash
# Set up (see setup.sh) and run the whole test suite. pytest exits 5 when no test was
# collected, which fails this script as a failing test does.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --test
.venv/bin/python -m ruff check .
.venv/bin/python -m pytest -q "$@"
