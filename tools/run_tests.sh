#!/usr/bin/env bash
# Set up the environment and run the whole test suite (slow end-to-end tests
# included) on two pytest-xdist workers, beside the learnability training
# that the session starts in the background (tests/conftest.py). Extra
# arguments go to pytest, e.g. `-m "not slow"`, or `-n 0` for one process.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
bash tools/setup_env.sh
source "${VITPOSE_VENV:-$ROOT/.venv}/bin/activate"
# OpenMP threads that spin while they wait slow CPU training down several
# times over on shared cores (docs/learnability.md): this script asks for
# passive waiting unless OMP_WAIT_POLICY is already set. The tools themselves
# leave the environment alone.
export OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-PASSIVE}
python -m pytest -ra --durations=25 -n 2 "$@"
