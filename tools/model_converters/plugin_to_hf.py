"""Export a plugin checkpoint as a Hugging Face transformers
``VitPoseForPoseEstimation``: ``OUT_DIR/config.json`` and
``OUT_DIR/model.safetensors``, which ``from_pretrained(OUT_DIR)`` loads.

    python tools/model_converters/plugin_to_hf.py SRC OUT_DIR
        [--config CFG] [--dataset NAME] [--force]

The model config is read from the checkpoint's meta (the runner's config,
or the one ``convert`` stores) unless ``--config`` is given. A
multi-dataset model is exported as transformers keeps ViTPose++: every
expert, one head (dataset 0's, or ``--dataset``'s). Features transformers
cannot represent are refused by name. The same as ``python -m
vitpose_plugin.checkpoints export-hf SRC OUT_DIR``.
"""
import sys
from typing import List, Optional

from vitpose_plugin.checkpoints.cli import main as checkpoints_cli


def main(argv: Optional[List[str]] = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    return checkpoints_cli(['export-hf', *args])


if __name__ == '__main__':
    sys.exit(main())
