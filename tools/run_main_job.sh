#!/usr/bin/env bash
# The embedded default job, the learnability benchmark (docs/learnability.md):
# set up the environment, generate the synthetic COCO-keypoint splits if they
# are not cached yet, train a tiny ViTPose from random initialisation on the
# train split (~6.5 minutes on 2 CPU cores), evaluate it with COCO keypoint AP
# on the held-out val split and draw its predictions on a few val images.
#
#   bash tools/run_main_job.sh [WORK_DIR]     (default work_dirs/main_job)
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

CONFIG=configs/vitpose_synthetic/td-hm_ViTPose-tiny_synthetic-128x96.py
WORK_DIR=${1:-work_dirs/main_job}
NUM_DRAWN=16

python -m vitpose_plugin.datasets.generate_synthetic_pose --config "$CONFIG"
START=$(date +%s)
python tools/train.py "$CONFIG" --work-dir "$WORK_DIR"
TRAIN_SECONDS=$(( $(date +%s) - START ))
CHECKPOINT=$(cat "$WORK_DIR/last_checkpoint")
# --force: the metrics of an earlier run into this work dir are replaced
python tools/test.py "$CONFIG" "$CHECKPOINT" --work-dir "$WORK_DIR" \
    --out "$WORK_DIR/test_metrics.json" --force
# Pictures of the first val instances only (drawing all 300 is slow).
python tools/test.py "$CONFIG" "$CHECKPOINT" --work-dir "$WORK_DIR/vis_run" \
    --show-dir vis --cfg-options test_dataloader.dataset.indices=$NUM_DRAWN
VIS_DIR=$(ls -d "$WORK_DIR"/vis_run/*/vis | tail -n 1)
python - "$WORK_DIR/test_metrics.json" "$VIS_DIR" "$TRAIN_SECONDS" <<'PY'
import json, sys
metrics = json.load(open(sys.argv[1]))
print(f"\nCOCO keypoint AP on the held-out synthetic val split: "
      f"{metrics['coco/AP']:.3f} (AP50 {metrics['coco/AP .5']:.3f}, "
      f"AP75 {metrics['coco/AP .75']:.3f}, AR {metrics['coco/AR']:.3f}) "
      f"after {int(sys.argv[3]) / 60:.1f} min of training")
print(f'Predicted keypoints drawn in: {sys.argv[2]}')
PY
