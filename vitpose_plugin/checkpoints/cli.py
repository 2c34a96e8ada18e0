"""The checkpoint command line: ``python -m vitpose_plugin.checkpoints``.

Subcommands::

    convert SRC DST [--from LAYOUT] [--img-size H W] [--patch-size P]
                    [--patch-stride S] [--patch-padding Q]
    extract-student SRC DST     # stage-2 distillation run -> student
    extract-teacher SRC DST     # stage-1 token tuning run -> tuned teacher
    inspect SRC                 # layout, sizes, head, what a file holds

Each prints what it found and did, and exits with status 1 and a message
naming the problem (file, layout, keys) on any bad input.
"""
import argparse
import sys
from typing import Callable, Dict, List, Optional, Sequence

from ..models.layers.patch_embed import patch_grid
from .extraction import extract_student, extract_teacher
from .files import (CorruptCheckpointError, UnsafeCheckpointError,
                    read_checkpoint, read_state_dict, save_checkpoint)
from .layouts import (KNOWLEDGE_TOKEN, LAYOUTS, MAE_LAYOUTS, OFFICIAL_VITPOSE,
                      PLUGIN, StateDict, convert_checkpoint, detect_layout,
                      head_kind, unwrap_state_dict)
from .state_dict_hooks import infer_grid

#: ``--from`` choices: a layout, ``mae`` (either MAE layout) or ``auto``.
SOURCES: Dict[str, Sequence[str]] = {
    'auto': LAYOUTS,
    'mae': MAE_LAYOUTS,
    **{layout: (layout, )
       for layout in LAYOUTS},
}
_EXTRACTORS: Dict[str, Callable[[StateDict], StateDict]] = {
    'student': extract_student,
    'teacher': extract_teacher,
}
_ERRORS = (ValueError, KeyError, FileNotFoundError, UnsafeCheckpointError,
           CorruptCheckpointError)


def _describe_model(state_dict: StateDict) -> List[str]:
    """Lines on the backbone and head of a plugin-layout state dict."""
    lines = []
    pos_embed = state_dict.get('backbone.pos_embed')
    blocks = {int(key.split('.')[2])
              for key in state_dict if key.startswith('backbone.blocks.')}
    depth = 1 + max(blocks, default=-1)
    if pos_embed is not None:
        grid = infer_grid(pos_embed.shape[1], (4, 3))
        grid_text = f', a {grid[0]}x{grid[1]} grid' if grid else ''
        lines.append(f'backbone: embed_dims={pos_embed.shape[-1]}, '
                     f'depth={depth}, pos_embed {tuple(pos_embed.shape)}'
                     f'{grid_text}')
    tables = [key for key in state_dict
              if key.endswith('relative_position_bias_table')]
    if tables:
        lines.append(f'relative position bias tables in {len(tables)} '
                     f'block(s)')
    token = state_dict.get(KNOWLEDGE_TOKEN)
    if token is not None:
        lines.append(f'knowledge token {tuple(token.shape)}: build the '
                     f'backbone with knowledge_tokens={token.shape[1]}')
    kind = head_kind(state_dict)
    if kind is not None:
        keypoints = state_dict['head.final_layer.weight'].shape[0]
        head_type = 'ViTPoseClassicHead' if kind == 'classic' \
            else 'ViTPoseSimpleHead'
        lines.append(f'head: {kind} decoder with {keypoints} keypoints; use '
                     f'head=dict(type=\'{head_type}\', ...)')
    else:
        lines.append('no head: use it as init_cfg of the backbone or as '
                     'load_from (the head stays randomly initialised)')
    return lines


def convert(args: argparse.Namespace) -> List[str]:
    """``convert``: any supported layout -> a plugin checkpoint."""
    state_dict = read_state_dict(args.src, 'SRC')
    layout = detect_layout(state_dict)
    accepted = SOURCES[args.source]
    if layout not in accepted:
        raise ValueError(f'{args.src} is a {layout} checkpoint, but this '
                         f'converter accepts {", ".join(accepted)}')
    grid = patch_grid(tuple(args.img_size), args.patch_size,
                      args.patch_stride, args.patch_padding)
    result = convert_checkpoint(state_dict, grid=grid, layout=layout)
    converted = result.state_dict
    lines = [f'read {len(state_dict)} tensors from {args.src} '
             f'({layout} layout)']
    lines += _describe_model(converted)
    if layout in MAE_LAYOUTS:
        lines.append(f'resized the MAE position embedding to the {grid[0]}x'
                     f'{grid[1]} grid of {args.img_size[0]}x'
                     f'{args.img_size[1]} inputs and added its class slot '
                     f'to every patch')
    elif layout == OFFICIAL_VITPOSE:
        lines.append('folded the class slot of pos_embed into every patch '
                     '(as the official forward adds it)')
    if result.dropped:
        dropped = sorted(result.dropped)
        lines.append(f'dropped {len(dropped)} tensors not used by the '
                     f'backbone: {", ".join(dropped[:6])}'
                     f'{" ..." if len(dropped) > 6 else ""}')
    save_checkpoint(
        converted,
        args.dst,
        converted_from=layout,
        source=args.src,
        head=head_kind(converted) or 'none')
    lines.append(f'saved {len(converted)} tensors to {args.dst}')
    return lines


def extract(args: argparse.Namespace) -> List[str]:
    """``extract-student`` / ``extract-teacher``."""
    state_dict = read_state_dict(args.src, 'SRC')
    try:
        extracted = _EXTRACTORS[args.part](state_dict)
    except ValueError as error:
        raise ValueError(f'cannot extract the {args.part} of {args.src}: '
                         f'{error}') from None
    save_checkpoint(
        extracted, args.dst, extracted_from=args.src, part=args.part)
    token = extracted.get(KNOWLEDGE_TOKEN)
    detail = f', knowledge token {tuple(token.shape)}' \
        if token is not None else ''
    return [
        f'saved the {args.part} ({len(extracted)} tensors{detail}) to '
        f'{args.dst}'
    ]


def inspect(args: argparse.Namespace) -> List[str]:
    """``inspect``: what a checkpoint file holds, without converting it."""
    checkpoint = read_checkpoint(args.src, config_key='SRC')
    state_dict = unwrap_state_dict(checkpoint)
    layout = detect_layout(state_dict)
    lines = [
        f'{args.src}: {len(state_dict)} tensors, {layout} layout '
        f'(loads with weights_only=True)'
    ]
    if layout in LAYOUTS:
        grid = (16, 12) if layout in MAE_LAYOUTS else None
        plugin = convert_checkpoint(state_dict, grid, layout).state_dict
        lines += _describe_model(plugin)
        if layout != PLUGIN:
            lines.append('convert it with: python -m vitpose_plugin.'
                         'checkpoints convert SRC DST (or use it directly as '
                         'the backbone init_cfg)')
    else:
        part = 'teacher' if layout == 'token_tuner' else 'student'
        lines.append(f'a distillation run: python -m vitpose_plugin.'
                     f'checkpoints extract-{part} SRC DST')
    if isinstance(checkpoint, dict):
        others = sorted(key for key in checkpoint
                        if key not in ('state_dict', 'model', 'module'))
        if others:
            lines.append(f'other entries: {", ".join(others)}')
    return lines


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog='python -m vitpose_plugin.checkpoints',
        description='Convert, extract and inspect ViTPose checkpoints. '
        'Files are read with torch.load(weights_only=True); set '
        'VITPOSE_TRUST_CHECKPOINTS=1 to unpickle trusted legacy files '
        'completely.')
    commands = parser.add_subparsers(dest='command', required=True)

    converter = commands.add_parser(
        'convert',
        help='official ViTPose, MMPose 1.x or MAE -> plugin checkpoint',
        description='Convert an official ViTPose (MMPose 0.x), MMPose 1.x '
        'ViTPose or MAE (facebookresearch, mmpretrain) checkpoint to the '
        'plugin layout, for load_from, init_cfg or tools/test.py.')
    converter.add_argument('src', help='source checkpoint (path or URL)')
    converter.add_argument('dst', help='output checkpoint')
    converter.add_argument(
        '--from',
        dest='source',
        choices=sorted(SOURCES),
        default='auto',
        help='accepted source layout (default: detect it)')
    converter.add_argument(
        '--img-size',
        type=int,
        nargs=2,
        default=[256, 192],
        metavar=('H', 'W'),
        help='input size of the target config; an MAE position embedding '
        'is resized to its token grid (default: 256 192)')
    converter.add_argument(
        '--patch-size', type=int, default=16, help='default: 16')
    converter.add_argument(
        '--patch-stride', type=int, help='default: the patch size')
    converter.add_argument(
        '--patch-padding', type=int, default=2, help='default: 2')
    converter.set_defaults(run=convert)

    for part, source in (('student', 'ViTPoseTokenDistiller (stage 2)'),
                         ('teacher', 'ViTPoseKnowledgeTokenTuner (stage 1)')):
        extractor = commands.add_parser(
            f'extract-{part}',
            help=f'the {part} of a {source} checkpoint',
            description=f'Write the {part} of a {source} training '
            f'checkpoint as a plain pose-model checkpoint (with its '
            f'knowledge token as {KNOWLEDGE_TOKEN}).')
        extractor.add_argument('src', help='checkpoint of the run')
        extractor.add_argument('dst', help=f'output {part} checkpoint')
        extractor.set_defaults(run=extract, part=part)

    inspector = commands.add_parser(
        'inspect', help='what a checkpoint holds (layout, sizes, head)')
    inspector.add_argument('src', help='checkpoint (path or URL)')
    inspector.set_defaults(run=inspect)
    return parser


def main(argv: Optional[List[str]] = None) -> int:
    """Run the command line; returns the exit status (1 on bad input)."""
    args = build_parser().parse_args(argv)
    try:
        lines = args.run(args)
    except _ERRORS as error:
        message = error.args[0] if isinstance(error, KeyError) else error
        print(f'error: {args.command} {args.src}: {message}', file=sys.stderr)
        return 1
    print('\n'.join(lines))
    return 0
