#!/usr/bin/env bash
# Set up (see setup.sh) and run the main job on the demo trust.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/benchmark demo "$@"
