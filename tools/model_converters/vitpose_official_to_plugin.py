"""Convert an official ViTPose checkpoint (ViTAE-Transformer/ViTPose, MMPose
0.x layout, classic or simple decoder) for this plugin: the position
embedding's class slot is folded into every patch.

    python tools/model_converters/vitpose_official_to_plugin.py SRC DST

MMPose's converter naming; the same as ``python -m
vitpose_plugin.checkpoints convert --from official_vitpose SRC DST``.
"""
import sys
from typing import List, Optional

from vitpose_plugin.checkpoints.cli import main as checkpoints_cli


def main(argv: Optional[List[str]] = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    return checkpoints_cli(['convert', '--from', 'official_vitpose', *args])


if __name__ == '__main__':
    sys.exit(main())
