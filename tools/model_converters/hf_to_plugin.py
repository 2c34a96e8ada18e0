"""Convert a Hugging Face transformers VitPose (``usyd-community/vitpose-*``
and ``vitpose-plus-*``: a directory with ``config.json`` and
``model.safetensors``, sharded files too, or that ``model.safetensors``)
into a plugin checkpoint (``.pth``, or ``.safetensors`` by DST's suffix).

    python tools/model_converters/hf_to_plugin.py SRC DST [--index K]
        [--names coco aic mpii ap10k apt36k wholebody] [--force]

ViTPose (classic or simple decoder) becomes a ``TopdownPoseEstimator``
checkpoint; ViTPose++ a ``ViTPoseMultiDatasetEstimator`` one with every
expert and transformers' one head serving each dataset, or with
``--index K`` dataset K's single-dataset model (expert K appended to every
``fc2``). The model config is printed and kept in the checkpoint's meta.
The same as ``python -m vitpose_plugin.checkpoints convert --from
hugging_face SRC DST``.
"""
import sys
from typing import List, Optional

from vitpose_plugin.checkpoints.cli import main as checkpoints_cli


def main(argv: Optional[List[str]] = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    return checkpoints_cli(['convert', '--from', 'hugging_face', *args])


if __name__ == '__main__':
    sys.exit(main())
