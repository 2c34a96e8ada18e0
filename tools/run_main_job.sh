#!/usr/bin/env bash
# The embedded default job: set up the environment, train a small ViTPose on
# the COCO sample shipped in data/sample_coco, evaluate it with COCO keypoint
# AP and draw its predictions.
#
#   bash tools/run_main_job.sh [WORK_DIR]     (default work_dirs/main_job)
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
bash tools/setup_env.sh
source "${VITPOSE_VENV:-$ROOT/.venv}/bin/activate"

CONFIG=configs/vitpose_sample/td-hm_ViTPose-tiny_1xb6-200e_sample-coco-256x192.py
WORK_DIR=${1:-work_dirs/main_job}
python tools/train.py "$CONFIG" --work-dir "$WORK_DIR"
python tools/test.py "$CONFIG" "$WORK_DIR/epoch_200.pth" --work-dir "$WORK_DIR" \
    --out "$WORK_DIR/test_metrics.json" --show-dir vis
VIS_DIR=$(ls -d "$WORK_DIR"/*/vis | tail -n 1)
python - "$WORK_DIR/test_metrics.json" "$VIS_DIR" <<'PY'
import json, sys
metrics = json.load(open(sys.argv[1]))
print(f"\nCOCO keypoint AP on the sample set: {metrics['coco/AP']:.3f} "
      f"(AP50 {metrics['coco/AP .5']:.3f}, AR {metrics['coco/AR']:.3f})")
print(f'Predicted keypoints drawn in: {sys.argv[2]}')
PY
