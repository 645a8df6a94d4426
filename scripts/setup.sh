#!/usr/bin/env bash
# Create .venv and install briefing with its test tools. Idempotent: re-runs only when pyproject.toml changed.
# torch is installed FIRST and pinned to the CPU wheel (an unpinned torch pulls a multi-GB CUDA build).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
stamp=.venv/.briefing-installed
want=$(sha256sum pyproject.toml | cut -c1-16)
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
  exit 0
fi
.venv/bin/python -m pip install --quiet --upgrade pip >/dev/null 2>&1 || true
if ! .venv/bin/python -c "import torch" >/dev/null 2>&1; then
  echo "setup: installing torch 2.13.0 (CPU)" >&2
  .venv/bin/python -m pip install --quiet torch==2.13.0
fi
echo "setup: installing briefing and its dependencies" >&2
.venv/bin/python -m pip install --quiet -e '.[dev]'
echo "$want" > "$stamp"
