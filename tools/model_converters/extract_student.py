"""Write the student of a ViTPoseTokenDistiller checkpoint (stage 2) as a
plain checkpoint for the student config; the projected knowledge token
becomes backbone.knowledge_token.

    python tools/model_converters/extract_student.py SRC DST

MMPose's converter naming; the same as ``python -m
vitpose_plugin.checkpoints extract-student SRC DST``.
"""
import sys
from typing import List, Optional

from vitpose_plugin.checkpoints.cli import main as checkpoints_cli


def main(argv: Optional[List[str]] = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    return checkpoints_cli(['extract-student', *args])


if __name__ == '__main__':
    sys.exit(main())
