#!/usr/bin/env bash
# Create (or refresh) the project's virtual environment. Safe to run again:
# a complete environment is only re-checked and the plugin reinstalled.
#
#   VITPOSE_VENV   where the venv lives       (default: <repo>/.venv)
#   VITPOSE_CACHE  wheels built here are kept (default: ~/.cache/vitpose_plugin)
#   VITPOSE_TRANSFORMERS_VENV  the tests' transformers venv
#                              (default: <repo>/.venv-transformers; see below)
#
# torch 2.14.1 has no prebuilt mmcv, so mmcv 2.1.0 is built from its source
# release once (C++20, compiled CPU ops; ~15 min on 2 cores) and the wheel is
# cached in VITPOSE_CACHE; xtcocotools is rebuilt against the installed numpy.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VENV=${VITPOSE_VENV:-$ROOT/.venv}
CACHE=${VITPOSE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/vitpose_plugin}
PYTHON=${PYTHON:-python3}
TORCH_VERSION=2.14.1
TORCHVISION_VERSION=0.29.1
MMCV_VERSION=2.1.0
XTCOCOTOOLS_VERSION=1.14.3

log() { printf '[setup_env] %s\n' "$*" >&2; }

stamp_of_inputs() {
    cat "$ROOT/tools/setup_env.sh" "$ROOT"/requirements/*.txt | sha256sum | cut -d' ' -f1
}

plugin_install() {
    # A regular (non-editable) install: MIM needs vitpose_plugin/.mim inside
    # site-packages. Tests import the checkout itself.
    "$VENV/bin/pip" install -q --no-deps --no-build-isolation "$ROOT"
    rm -rf "$ROOT/vitpose_plugin/.mim" "$ROOT/build" "$ROOT"/*.egg-info
}

check_imports() {
    "$VENV/bin/python" - <<'EOF'
import mmcv.ops, mmdet, mmpose.models, mmpretrain.models, xtcocotools.coco, mim
import onnx, onnxruntime, onnxscript, safetensors
import vitpose_plugin
EOF
}

# --- The transformers environment (Hugging Face interop tests only) ----------
# transformers breaks `import mmpretrain.models`, so the tests run the
# transformers side (tests/checkpoints/hugging_face_reference.py) in a venv of
# its own: CPU torch and a pinned transformers, never in $VENV. The first run
# takes about 80 s on 2 cores (1.1 GB); afterwards it is only re-checked.
TRANSFORMERS_VENV=${VITPOSE_TRANSFORMERS_VENV:-$ROOT/.venv-transformers}
TRANSFORMERS_VERSION=4.57.6
TRANSFORMERS_STAMP="transformers==$TRANSFORMERS_VERSION torch<=$TORCH_VERSION"

setup_transformers_env() {
    local stamp="$TRANSFORMERS_VENV/.setup_stamp"
    if [[ -f "$stamp" && "$(cat "$stamp")" == "$TRANSFORMERS_STAMP" ]] \
            && "$TRANSFORMERS_VENV/bin/python" -c \
                'import torch, transformers.models.vitpose' 2>/dev/null; then
        log "transformers environment $TRANSFORMERS_VENV is up to date"
        return
    fi
    log "creating the transformers environment $TRANSFORMERS_VENV (tests only)"
    "$PYTHON" -m venv --clear "$TRANSFORMERS_VENV"
    local pip=("$TRANSFORMERS_VENV/bin/pip" install -q --disable-pip-version-check)
    # CPU torch: a local wheel from pip's find-links when there is one (no
    # index: no CUDA build), else the project's torch version from the index.
    if ! "${pip[@]}" --no-index --no-deps "torch<=$TORCH_VERSION" 2>/dev/null; then
        "${pip[@]}" --no-deps "torch==$TORCH_VERSION"
    fi
    local torch_version
    torch_version=$("$TRANSFORMERS_VENV/bin/pip" show torch | sed -n 's/^Version: //p')
    "${pip[@]}" "torch==$torch_version" "transformers==$TRANSFORMERS_VERSION"
    "$TRANSFORMERS_VENV/bin/python" -c 'import torch, transformers.models.vitpose'
    echo "$TRANSFORMERS_STAMP" > "$stamp"
}
# ------------------------------------------------------------------------------

STAMP=$(stamp_of_inputs)
if [[ -f "$VENV/.setup_stamp" && "$(cat "$VENV/.setup_stamp")" == "$STAMP" ]] \
        && check_imports 2>/dev/null; then
    log "environment $VENV is up to date; reinstalling the plugin"
    plugin_install
    setup_transformers_env
    exit 0
fi

log "creating $VENV"
"$PYTHON" -m venv "$VENV"
PIP=("$VENV/bin/pip" install -q --disable-pip-version-check)
NUMPY_SPEC=$(grep -E '^numpy([<>=]|$)' "$ROOT/requirements/runtime.txt")
"${PIP[@]}" "torch==$TORCH_VERSION" "torchvision==$TORCHVISION_VERSION" \
    'setuptools>=77,<81' wheel ninja cython "$NUMPY_SPEC"

PY_TAG=$("$VENV/bin/python" -c 'import sys; print(f"cp{sys.version_info[0]}{sys.version_info[1]}")')
WHEELS="$CACHE/wheels/torch$TORCH_VERSION-$PY_TAG"
mkdir -p "$WHEELS"

if ! ls "$WHEELS"/mmcv-"$MMCV_VERSION"-*.whl >/dev/null 2>&1; then
    log "building mmcv $MMCV_VERSION with ops (one time, cached in $WHEELS)"
    BUILD=$(mktemp -d)
    trap 'rm -rf "$BUILD"' EXIT
    "$VENV/bin/pip" download -q --no-deps --no-binary :all: \
        --no-build-isolation "mmcv==$MMCV_VERSION" -d "$BUILD"
    tar -xzf "$BUILD/mmcv-$MMCV_VERSION.tar.gz" -C "$BUILD"
    # torch >= 2.10 headers need C++20; mmcv 2.1.0 asks for C++14/17.
    sed -i 's/-std=c++1[47]/-std=c++20/g' "$BUILD/mmcv-$MMCV_VERSION/setup.py"
    MMCV_WITH_OPS=1 MAX_JOBS=${MAX_JOBS:-$(nproc)} \
        "$VENV/bin/pip" wheel -q --no-deps --no-build-isolation \
        -w "$WHEELS" "$BUILD/mmcv-$MMCV_VERSION"
fi

NUMPY_VERSION=$("$VENV/bin/python" -c 'import numpy; print(numpy.__version__)')
XTCOCO_WHEELS="$WHEELS/numpy$NUMPY_VERSION"
mkdir -p "$XTCOCO_WHEELS"
if ! ls "$XTCOCO_WHEELS"/xtcocotools-"$XTCOCOTOOLS_VERSION"-*.whl >/dev/null 2>&1; then
    log "building xtcocotools $XTCOCOTOOLS_VERSION against numpy $NUMPY_VERSION"
    "$VENV/bin/pip" wheel -q --no-deps --no-binary xtcocotools \
        --no-build-isolation -w "$XTCOCO_WHEELS" "xtcocotools==$XTCOCOTOOLS_VERSION"
fi

log "installing the OpenMMLab stack"
"${PIP[@]}" -r "$ROOT/requirements.txt"
"${PIP[@]}" --no-deps --force-reinstall \
    "$WHEELS"/mmcv-"$MMCV_VERSION"-*.whl \
    "$XTCOCO_WHEELS"/xtcocotools-"$XTCOCOTOOLS_VERSION"-*.whl
# mmengine's own requirements install cleanly; the rest go in with --no-deps
# (their real runtime needs are in requirements/runtime.txt).
"${PIP[@]}" "$(grep '^mmengine==' "$ROOT/requirements/mminstall.txt")"
"${PIP[@]}" --no-deps $(grep -E '^(mmdet|mmpose|mmpretrain|openmim)==' \
    "$ROOT/requirements/mminstall.txt")

plugin_install
check_imports
echo "$STAMP" > "$VENV/.setup_stamp"
setup_transformers_env
log "ready: activate with 'source $VENV/bin/activate'"
