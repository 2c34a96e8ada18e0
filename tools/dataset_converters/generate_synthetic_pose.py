"""Generate the synthetic COCO-keypoint splits of a config, or one split
(MMPose's tools layout for
``python -m vitpose_plugin.datasets.generate_synthetic_pose``).

    python tools/dataset_converters/generate_synthetic_pose.py \
        --config configs/vitpose_synthetic/CONFIG.py

Needs the vitpose_plugin package installed (``pip install -e .``); from the
repository root, ``python -m vitpose_plugin.datasets.generate_synthetic_pose``
runs without installing.
"""
import sys

try:
    from vitpose_plugin.datasets.generate_synthetic_pose import main
except ModuleNotFoundError as error:
    if error.name != 'vitpose_plugin':
        raise
    sys.exit(
        f'{sys.argv[0]}: the vitpose_plugin package is not importable. '
        f'Install the checkout (pip install -e . in the repository root), '
        f'or run from the repository root without installing: '
        f'python -m vitpose_plugin.datasets.generate_synthetic_pose '
        f'{" ".join(sys.argv[1:])}'.rstrip())

if __name__ == '__main__':
    sys.exit(main())
