"""The command line of ``tools/model_converters/extract_{student,teacher}.py``.
"""
import argparse
import os
import sys
from typing import Callable, Dict, List, Optional

from mmengine.runner.checkpoint import CheckpointLoader
from torch import Tensor

from ..models.distillers.extraction import (extract_student, extract_teacher,
                                            save_plain_checkpoint)
from ..models.utils import unwrap_state_dict

_EXTRACTORS: Dict[str, Callable[[Dict[str, Tensor]], Dict[str, Tensor]]] = {
    'student': extract_student,
    'teacher': extract_teacher,
}


def run_extraction(part: str, description: str,
                   argv: Optional[List[str]] = None) -> int:
    """Parse ``SRC DST``, write the ``part`` of SRC to DST; 1 on failure.

    Args:
        part (str): ``'student'`` (stage 2) or ``'teacher'`` (stage 1).
        description (str): ``--help`` text.
        argv (list[str], optional): Arguments; ``sys.argv[1:]`` when None.

    Returns:
        int: The exit status.
    """
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument('src', help='checkpoint of the distillation run')
    parser.add_argument('dst', help=f'output {part} checkpoint')
    args = parser.parse_args(argv)
    # Training checkpoints pickle the message hub; they are the user's own.
    os.environ.setdefault('TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD', '1')
    try:
        state_dict = unwrap_state_dict(
            CheckpointLoader.load_checkpoint(args.src, map_location='cpu'))
        extracted = _EXTRACTORS[part](state_dict)
    except (ValueError, FileNotFoundError) as error:
        print(f'error: cannot extract the {part} of {args.src}: {error}',
              file=sys.stderr)
        return 1
    save_plain_checkpoint(extracted, args.dst, extracted_from=args.src,
                          part=part)
    token = extracted.get('backbone.knowledge_token')
    detail = f', knowledge token {tuple(token.shape)}' \
        if token is not None else ''
    print(f'saved the {part} ({len(extracted)} tensors{detail}) to '
          f'{args.dst}')
    return 0
