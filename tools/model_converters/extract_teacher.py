"""Write the teacher with its tuned knowledge token from a
ViTPoseKnowledgeTokenTuner checkpoint (stage 1) as a plain checkpoint: the
stage-2 token_checkpoint / teacher_checkpoint.

    python tools/model_converters/extract_teacher.py SRC DST

MMPose's converter naming; the same as ``python -m
vitpose_plugin.checkpoints extract-teacher SRC DST``.
"""
import sys
from typing import List, Optional

from vitpose_plugin.checkpoints.cli import main as checkpoints_cli


def main(argv: Optional[List[str]] = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    return checkpoints_cli(['extract-teacher', *args])


if __name__ == '__main__':
    sys.exit(main())
