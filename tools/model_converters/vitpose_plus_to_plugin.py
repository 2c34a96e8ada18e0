"""Convert an official ViTPose+ checkpoint (ViTAE-Transformer/ViTPose,
``TopDownMoE``: experts in every FFN, ``keypoint_head`` and
``associate_keypoint_heads.*``) into a ViTPoseMultiDatasetEstimator one
with ``heads.<name>.*``; the class slot of the position embedding is folded
into every patch.

    python tools/model_converters/vitpose_plus_to_plugin.py SRC DST \\
        [--names coco aic mpii ap10k apt36k wholebody]

``--names`` names the datasets of ``keypoint_head``,
``associate_keypoint_heads.0``, ... (default: ViTPose++'s order, checked
against the heads' keypoint counts). The same as ``python -m
vitpose_plugin.checkpoints convert --from official_vitpose_moe SRC DST``.
"""
import sys
from typing import List, Optional

from vitpose_plugin.checkpoints.cli import main as checkpoints_cli


def main(argv: Optional[List[str]] = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    return checkpoints_cli(
        ['convert', '--from', 'official_vitpose_moe', *args])


if __name__ == '__main__':
    sys.exit(main())
