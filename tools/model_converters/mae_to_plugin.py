"""Convert an MAE-pretrained ViT (facebookresearch/mae or mmpretrain) into a
ViTPose backbone initialisation: decoder, class and mask tokens dropped, the
14x14 position embedding resized to the input's token grid.

    python tools/model_converters/mae_to_plugin.py SRC DST [--img-size H W]

MMPose's converter naming; the same as ``python -m
vitpose_plugin.checkpoints convert --from mae SRC DST [--img-size H W]``.
"""
import sys
from typing import List, Optional

from vitpose_plugin.checkpoints.cli import main as checkpoints_cli


def main(argv: Optional[List[str]] = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    return checkpoints_cli(['convert', '--from', 'mae', *args])


if __name__ == '__main__':
    sys.exit(main())
