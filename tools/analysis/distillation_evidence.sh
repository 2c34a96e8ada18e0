#!/usr/bin/env bash
# Distillation evidence on the CPU learnability benchmark (docs/distillation.md):
# teacher = the learnability recipe (128 x 4), student = 64 x 4 trained for 4
# epochs, same data, schedule and seed in every student run. Prints the val AP
# table (student alone, + output distillation, + knowledge token, + both, and
# the teacher with and without its token).
#
#   bash tools/analysis/distillation_evidence.sh [WORK_ROOT]
#
# Environment: TEACHER_CHECKPOINT=a trained recipe checkpoint (trained here
# when unset, ~13 min); TEACHER_WITH_TOKEN=an extracted stage-1 teacher (skips
# stage 1); SEED=the student runs' seed (default 0); PARALLEL=2 trains two
# student variants at a time (one core each: the configs use one intra-op
# thread; add NUM_WORKERS=0 so the data loading stays on the same core).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"
W=${1:-work_dirs/distill_evidence}
PARALLEL=${PARALLEL:-1}
D=configs/distillation
RECIPE=configs/vitpose_synthetic/td-hm_ViTPose-tiny_synthetic-128x96.py
STAGE1=$D/td-hm_ViTPose-tiny-knowledge-token_1xb8-1e_synthetic-128x96.py
STUDENT=$D/td-hm_ViTPose-nano_1xb8-4e_synthetic-128x96.py
STAGE2=$D/td-hm_ViTPose-tiny-to-nano-distill_1xb8-4e_synthetic-128x96.py
STUDENT_TOKEN=$D/td-hm_ViTPose-nano-knowledge-token_1xb8-4e_synthetic-128x96.py
LOADER=()
if [[ -n "${NUM_WORKERS:-}" ]]; then
    for split in train val test; do
        LOADER+=("${split}_dataloader.num_workers=$NUM_WORKERS")
        [[ "$NUM_WORKERS" == 0 ]] && \
            LOADER+=("${split}_dataloader.persistent_workers=False")
    done
fi
mkdir -p "$W"
W=$(cd "$W" && pwd)

train() {  # train CONFIG WORK_DIR [cfg options...]
    local config=$1 work_dir=$2
    shift 2
    local options=("${LOADER[@]}" "$@")
    (( ${#options[@]} )) && options=(--cfg-options "${options[@]}")
    python tools/train.py "$config" --work-dir "$work_dir" "${options[@]}" \
        > "$work_dir.log" 2>&1 \
        || { echo "training failed, see $work_dir.log" >&2; return 1; }
}
evaluate() {  # evaluate CONFIG CHECKPOINT NAME [cfg options...]
    local options=("${LOADER[@]}" "${@:4}")
    (( ${#options[@]} )) && options=(--cfg-options "${options[@]}")
    # --force: the metrics of an earlier run into $W are replaced
    python tools/test.py "$1" "$2" --work-dir "$W/test_$3" --force \
        --out "$W/$3.json" "${options[@]}" > "$W/test_$3.log" 2>&1 \
        || { echo "testing failed, see $W/test_$3.log" >&2; return 1; }
}

# 0. The teacher.
TEACHER=${TEACHER_CHECKPOINT:-}
if [[ -z "$TEACHER" ]]; then
    echo "[teacher] training the learnability recipe"
    train "$RECIPE" "$W/teacher"
    TEACHER=$(cat "$W/teacher/last_checkpoint")
fi
TEACHER=$(realpath "$TEACHER")
evaluate "$RECIPE" "$TEACHER" teacher

# 1. Stage 1: tune t* on the frozen teacher, extract teacher + t*.
T=${TEACHER_WITH_TOKEN:-}
if [[ -z "$T" ]]; then
    echo "[stage 1] tuning the knowledge token"
    train "$STAGE1" "$W/stage1" "model.teacher_checkpoint=$TEACHER"
    python tools/model_converters/extract_teacher.py \
        "$(cat "$W/stage1/last_checkpoint")" "$W/teacher_with_token.pth"
    T="$W/teacher_with_token.pth"
fi
T=$(realpath "$T")
evaluate "$RECIPE" "$T" teacher_with_token model.backbone.knowledge_tokens=1

# 2. Students: same config, schedule and seed; the switches differ.
declare -A RUNS=(
    [student]="$STUDENT"
    [output]="$STAGE2 model.teacher_checkpoint=$T model.token_checkpoint=None"
    [token]="$STAGE2 model.token_checkpoint=$T model.teacher=None model.teacher_checkpoint=None model.distill_loss=None"
    [both]="$STAGE2 model.teacher_checkpoint=$T model.token_checkpoint=$T"
)
running=0
for name in student output token both; do
    read -r config options <<< "${RUNS[$name]}"
    echo "[students] $name"
    # shellcheck disable=SC2086
    train "$config" "$W/$name" $options "randomness.seed=${SEED:-0}" &
    running=$((running + 1))
    if (( running >= PARALLEL )); then wait -n; running=$((running - 1)); fi
done
wait

# 3. Plain student checkpoints, evaluated with the plain student configs.
evaluate "$STUDENT" "$(cat "$W/student/last_checkpoint")" student
python tools/model_converters/extract_student.py \
    "$(cat "$W/output/last_checkpoint")" "$W/output_student.pth"
evaluate "$STUDENT" "$W/output_student.pth" output
for name in token both; do
    python tools/model_converters/extract_student.py \
        "$(cat "$W/$name/last_checkpoint")" "$W/${name}_student.pth"
    evaluate "$STUDENT_TOKEN" "$W/${name}_student.pth" "$name"
done

python - "$W" <<'PY'
import json, os.path as osp, sys
rows = [('teacher (128 x 4, the recipe)', 'teacher'),
        ('teacher + tuned token t* (stage 1)', 'teacher_with_token'),
        ('student alone (64 x 4)', 'student'),
        ('student + output distillation', 'output'),
        ('student + knowledge token (128 -> 64 projection)', 'token'),
        ('student + token + output distillation', 'both')]
print('| model | AP | AP50 | AP75 | AR |\n| --- | --- | --- | --- | --- |')
for title, name in rows:
    m = json.load(open(osp.join(sys.argv[1], name + '.json')))
    print(f"| {title} | {m['coco/AP']:.3f} | {m['coco/AP .5']:.3f} | "
          f"{m['coco/AP .75']:.3f} | {m['coco/AR']:.3f} |")
PY
