#!/usr/bin/env bash
# Set up (if needed) and run the main job once: crawl sources.yaml, cluster, classify, print the briefing.
# Everything is stored under storage/ (BRIEFING_HOME). Extra arguments go to `briefing run`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/briefing run "$@"
