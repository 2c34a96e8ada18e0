"""Write one dataset of a multi-dataset checkpoint
(ViTPoseMultiDatasetEstimator or official ViTPose+) as a single-dataset
checkpoint: expert K appended to every block's ``fc2``, head K as
``head.*``.

    python tools/model_converters/split_multi_dataset.py SRC DST --index K
    python tools/model_converters/split_multi_dataset.py SRC DST --name aic

It loads strictly into a ``TopdownPoseEstimator`` with a plain
``ViTPoseBackbone`` and dataset K's head. The same as ``python -m
vitpose_plugin.checkpoints split SRC DST ...``.
"""
import sys
from typing import List, Optional

from vitpose_plugin.checkpoints.cli import main as checkpoints_cli


def main(argv: Optional[List[str]] = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    return checkpoints_cli(['split', *args])


if __name__ == '__main__':
    sys.exit(main())
