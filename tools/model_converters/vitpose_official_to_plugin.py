"""Convert an official ViTPose checkpoint (ViTAE-Transformer/ViTPose, MMPose
0.x layout, classic or simple decoder) for this plugin.

    python tools/model_converters/vitpose_official_to_plugin.py SRC DST
"""
import os.path as osp
import sys
from typing import List, Optional

# Prefer the checkout this script is in over an installed vitpose_plugin
# (as tools/dist_train.sh does with PYTHONPATH).
sys.path.insert(0, osp.join(osp.dirname(osp.abspath(__file__)), '..', '..'))


def main(argv: Optional[List[str]] = None) -> int:
    # Imported only after the sys.path change above.
    from vitpose_plugin.models.utils.checkpoint_conversion import \
        OFFICIAL_VITPOSE
    from vitpose_plugin.utils.checkpoint_converter_cli import run_converter

    return run_converter(
        'Convert an official ViTPose checkpoint (backbone.blocks.N, '
        'keypoint_head.*) to the vitpose_plugin layout; the position '
        'embedding\'s class slot is folded into every patch.',
        [OFFICIAL_VITPOSE], argv)


if __name__ == '__main__':
    sys.exit(main())
