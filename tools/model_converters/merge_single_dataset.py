"""Initialise a multi-dataset model (ViTPoseMultiDatasetEstimator) from a
single-dataset checkpoint: a shared backbone, experts that start as the last
``expert_dims`` outputs of ``fc2``, the head copied to chosen datasets.

    python tools/model_converters/merge_single_dataset.py SRC DST \\
        --names coco aic mpii --expert-dims 192 --head-to coco

The same as ``python -m vitpose_plugin.checkpoints merge SRC DST ...``.
"""
import sys
from typing import List, Optional

from vitpose_plugin.checkpoints.cli import main as checkpoints_cli


def main(argv: Optional[List[str]] = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    return checkpoints_cli(['merge', *args])


if __name__ == '__main__':
    sys.exit(main())
