#!/usr/bin/env bash
# Set up the environment and run the whole test suite (slow end-to-end tests
# included). Extra arguments go to pytest, e.g. `-m "not slow"`.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
bash tools/setup_env.sh
source "${VITPOSE_VENV:-$ROOT/.venv}/bin/activate"
python -m pytest -ra --durations=15 "$@"
