"""Write the teacher with its tuned knowledge token from a
ViTPoseKnowledgeTokenTuner checkpoint (stage 1) as a plain checkpoint: the
stage-2 ``token_checkpoint`` / ``teacher_checkpoint``, or ``tools/test.py``
with the teacher config and ``knowledge_tokens=1``.

    python tools/model_converters/extract_teacher.py SRC DST
"""
import os.path as osp
import sys
from typing import List, Optional

# Prefer the checkout this script is in over an installed vitpose_plugin.
sys.path.insert(0, osp.join(osp.dirname(osp.abspath(__file__)), '..', '..'))


def main(argv: Optional[List[str]] = None) -> int:
    from vitpose_plugin.utils.distill_extract_cli import run_extraction

    return run_extraction(
        'teacher',
        'Extract the teacher and its tuned knowledge token (teacher.* -> '
        'backbone.*/head.*) of a ViTPoseKnowledgeTokenTuner checkpoint.',
        argv)


if __name__ == '__main__':
    sys.exit(main())
