"""Convert an MAE-pretrained ViT (facebookresearch/mae or mmpretrain) into a
ViTPose backbone initialisation for this plugin.

    python tools/model_converters/mae_to_plugin.py SRC DST [--img-size H W]
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
        MAE_LAYOUTS
    from vitpose_plugin.utils.checkpoint_converter_cli import run_converter

    return run_converter(
        'Convert an MAE checkpoint (facebookresearch "model" -> blocks.N, or '
        'mmpretrain backbone.layers.N) to a vitpose_plugin backbone: the '
        'decoder, class and mask tokens are dropped and the 14x14 position '
        'embedding is resized to the input\'s token grid with its class slot '
        'added to every patch, as the official ViTPose does.',
        list(MAE_LAYOUTS),
        argv,
        with_img_size=True)


if __name__ == '__main__':
    sys.exit(main())
