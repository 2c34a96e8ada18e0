"""The command line shared by ``tools/model_converters/*.py``."""
import argparse
import os
import os.path as osp
import sys
from typing import List, Optional, Sequence, Tuple

import torch
from mmengine.runner.checkpoint import CheckpointLoader

from ..models.utils.checkpoint_conversion import (
    MAE_LAYOUTS, OFFICIAL_VITPOSE, convert_checkpoint, detect_layout,
    head_kind, token_grid, unwrap_state_dict)


def convert_checkpoint_file(
    src: str,
    dst: str,
    accepted_layouts: Sequence[str],
    img_size: Tuple[int, int] = (256, 192)
) -> str:
    """Convert the checkpoint ``src`` and save it as ``dst`` for ``load_from``.

    ``dst`` is an mmengine checkpoint: ``{'state_dict': ..., 'meta': ...}``
    with plain-typed meta, so it also loads with ``weights_only=True``.

    Args:
        src (str): Source checkpoint path or URL.
        dst (str): Output path.
        accepted_layouts (Sequence[str]): Layouts this converter handles.
        img_size (tuple[int, int]): Input (H, W) whose token grid MAE
            position embeddings are resized to. Defaults to (256, 192).

    Returns:
        str: A multi-line summary of what was done.

    Raises:
        ValueError: a layout outside ``accepted_layouts`` or any
            unrecognised / missing key.
    """
    state_dict = unwrap_state_dict(
        CheckpointLoader.load_checkpoint(src, map_location='cpu'))
    layout = detect_layout(state_dict)
    if layout not in accepted_layouts:
        raise ValueError(f'{src} is a {layout} checkpoint, but this '
                         f'converter accepts {", ".join(accepted_layouts)}')
    grid = token_grid(tuple(img_size))
    result = convert_checkpoint(state_dict, grid=grid, layout=layout)
    converted = result.state_dict
    pos_embed = converted['backbone.pos_embed']
    depth = 1 + max(
        int(key.split('.')[2])
        for key in converted if key.startswith('backbone.blocks.'))
    meta = dict(
        converted_from=layout,
        source=osp.basename(src),
        embed_dims=int(pos_embed.shape[-1]),
        depth=depth,
        position_tokens=int(pos_embed.shape[1]),
        head=head_kind(converted) or 'none')
    os.makedirs(osp.dirname(osp.abspath(dst)), exist_ok=True)
    torch.save(dict(state_dict=converted, meta=meta), dst)

    lines = [
        f'read {len(state_dict)} tensors from {src} ({layout} layout)',
        f'backbone: embed_dims={meta["embed_dims"]}, depth={depth}, '
        f'pos_embed {tuple(pos_embed.shape)}'
    ]
    if layout in MAE_LAYOUTS:
        lines.append(f'resized the MAE position embedding to the {grid[0]}x'
                     f'{grid[1]} grid of {img_size[0]}x{img_size[1]} inputs '
                     f'and added its class slot to every patch')
    elif layout == OFFICIAL_VITPOSE:
        lines.append('folded the class slot of pos_embed into every patch '
                     '(as the official forward adds it)')
    kind = head_kind(converted)
    if kind is not None:
        keypoints = converted['head.final_layer.weight'].shape[0]
        head_type = 'ViTPoseClassicHead' if kind == 'classic' \
            else 'ViTPoseSimpleHead'
        lines.append(f'head: {kind} decoder with {keypoints} keypoints; use '
                     f'head=dict(type=\'{head_type}\', ...)')
    else:
        lines.append('no head: use it as init_cfg of the backbone or as '
                     'load_from (the head stays randomly initialised)')
    if result.dropped:
        lines.append(f'dropped {len(result.dropped)} tensors not used by the '
                     f'backbone: {", ".join(sorted(result.dropped)[:6])}'
                     f'{" ..." if len(result.dropped) > 6 else ""}')
    lines.append(f'saved {len(converted)} tensors to {dst}')
    return '\n'.join(lines)


def run_converter(description: str,
                  accepted_layouts: Sequence[str],
                  argv: Optional[List[str]] = None,
                  with_img_size: bool = False) -> int:
    """Parse ``SRC DST [--img-size H W]``, convert, print; 1 on failure.

    Args:
        description (str): ``--help`` text.
        accepted_layouts (Sequence[str]): Layouts the tool accepts.
        argv (list[str], optional): Arguments; ``sys.argv[1:]`` when None.
        with_img_size (bool): Offer ``--img-size`` (MAE). Defaults to False.

    Returns:
        int: The exit status.
    """
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument('src', help='source checkpoint (path or URL)')
    parser.add_argument('dst', help='output checkpoint for load_from')
    if with_img_size:
        parser.add_argument(
            '--img-size',
            type=int,
            nargs=2,
            default=[256, 192],
            metavar=('H', 'W'),
            help='input size of the target config; the position embedding '
            'is resized to its token grid (default: 256 192)')
    args = parser.parse_args(argv)
    # Published checkpoints pickle numpy metadata, which torch >= 2.6 only
    # loads with weights_only=False; convert only files you trust.
    os.environ.setdefault('TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD', '1')
    try:
        summary = convert_checkpoint_file(
            args.src, args.dst, accepted_layouts,
            tuple(getattr(args, 'img_size', (256, 192))))
    except (ValueError, FileNotFoundError) as error:
        print(f'error: cannot convert {args.src}: {error}', file=sys.stderr)
        return 1
    print(summary)
    return 0
