"""Write the student of a ViTPoseTokenDistiller checkpoint (stage 2) as a
plain checkpoint for the student config (``tools/test.py``, ``load_from``).

    python tools/model_converters/extract_student.py SRC DST
"""
import os.path as osp
import sys
from typing import List, Optional

# Prefer the checkout this script is in over an installed vitpose_plugin.
sys.path.insert(0, osp.join(osp.dirname(osp.abspath(__file__)), '..', '..'))


def main(argv: Optional[List[str]] = None) -> int:
    from vitpose_plugin.utils.distill_extract_cli import run_extraction

    return run_extraction(
        'student',
        'Extract the student (student.* -> backbone.*/head.*) of a '
        'ViTPoseTokenDistiller checkpoint; the projected knowledge token '
        'becomes backbone.knowledge_token.', argv)


if __name__ == '__main__':
    sys.exit(main())
