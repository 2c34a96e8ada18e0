"""Publish a training checkpoint as a model-zoo file, as MMPose's
``tools/misc/publish_model.py``: the weights and plain-typed meta only (no
optimizer, schedulers or message hub), written as OUT's stem +
``-<first 8 hex digits of its sha256>.pth``. MMPose's ``init_model`` and
``MMPoseInferencer`` load it under torch's default ``weights_only=True``.

    python tools/model_converters/publish_model.py \\
        work_dirs/x/epoch_210.pth vitpose-b.pth
    python tools/model_converters/publish_model.py \\
        MULTI_RUN.pth vitpose++-b_aic.pth --dataset aic

The same as ``python -m vitpose_plugin.checkpoints publish IN OUT ...``.
"""
import sys
from typing import List, Optional

from vitpose_plugin.checkpoints.cli import main as checkpoints_cli


def main(argv: Optional[List[str]] = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    return checkpoints_cli(['publish', *args])


if __name__ == '__main__':
    sys.exit(main())
