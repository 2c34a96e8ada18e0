"""Convert an MMPose 1.x ViTPose checkpoint (mmpretrain VisionTransformer
backbone, HeatmapHead) for this plugin.

    python tools/model_converters/mmpose_vitpose_to_plugin.py SRC DST

MMPose's converter naming; the same as ``python -m
vitpose_plugin.checkpoints convert --from mmpose_vitpose SRC DST``.
"""
import sys
from typing import List, Optional

from vitpose_plugin.checkpoints.cli import main as checkpoints_cli


def main(argv: Optional[List[str]] = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    return checkpoints_cli(['convert', '--from', 'mmpose_vitpose', *args])


if __name__ == '__main__':
    sys.exit(main())
