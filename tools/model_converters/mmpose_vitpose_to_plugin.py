"""Convert an MMPose 1.x ViTPose checkpoint (mmpretrain VisionTransformer
backbone, HeatmapHead) for this plugin.

    python tools/model_converters/mmpose_vitpose_to_plugin.py SRC DST
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
        MMPOSE_VITPOSE
    from vitpose_plugin.utils.checkpoint_converter_cli import run_converter

    return run_converter(
        'Convert an MMPose 1.x ViTPose checkpoint (backbone.layers.N, '
        'head.deconv_layers / head.final_layer) to the vitpose_plugin '
        'layout.', [MMPOSE_VITPOSE], argv)


if __name__ == '__main__':
    sys.exit(main())
